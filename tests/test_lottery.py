import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from dashboard.lottery import PLATEAU, LotteryRun, check_lottery, estimate_seconds
from dashboard.settings import Settings


def test_lottery_summaries_match_training_each_seed_alone():
    run = LotteryRun(Settings(), count=5, epochs=600, first_seed=10)
    while not run.finished:
        run.advance(250)
    costs = []
    for seed in range(10, 15):
        trainer = Trainer(Network([2, 2, 2, 2], seed=seed), *datasets.half_adder(), 0.5)
        trainer.step(600)
        costs.append(trainer.history.cost)
    costs = np.array(costs).T
    np.testing.assert_allclose(run.quantiles[:, 2], np.median(costs, axis=1), atol=1e-12)
    on_plateau = ((costs >= PLATEAU[0]) & (costs <= PLATEAU[1])).mean(axis=1)
    np.testing.assert_allclose(run.plateau_share, on_plateau)
    assert run.quantiles.shape == (600, 5) and run.epoch == 600
    np.testing.assert_allclose(run.final_cost, costs[-1], atol=1e-12)


def test_ranked_seeds_go_from_luckiest_to_unluckiest():
    run = LotteryRun(Settings(), count=8, epochs=2000)
    run.advance(2000)
    finals = [cost for _, cost in run.ranked_seeds()]
    assert finals == sorted(finals) and len(finals) == 8


def test_advance_stops_at_the_total():
    run = LotteryRun(Settings(), count=2, epochs=100)
    assert run.advance(500) == 100 and run.finished and run.advance(10) == 0


@pytest.mark.parametrize("count, epochs", [(0, 10), (2001, 10), (5, 0), (5, 100_001), (2.5, 10)])
def test_lottery_sizes_are_bounded(count, epochs):
    with pytest.raises(ValueError, match="must be a whole number from 1 to"):
        check_lottery(count, epochs)


def test_estimate_scales_with_the_work():
    small = estimate_seconds(Settings(), 10, 1000)
    big = estimate_seconds(Settings(), 1000, 100_000)
    assert 0 < small < big and big > 30

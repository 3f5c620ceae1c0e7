import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from dashboard.state.session import TrainingSession
from dashboard.state.settings import Settings
from dashboard.teaching.lottery import (
    LotteryRun,
    check_lottery,
    constant_cost,
    estimate_seconds,
    plateau_band,
)

HALF_ADDER = Settings().load_data()[0]


def test_lottery_summaries_match_training_each_seed_alone():
    run = LotteryRun(Settings(), HALF_ADDER, count=5, epochs=600, first_seed=10)
    while not run.finished:
        run.advance(250)
    costs = []
    for seed in range(10, 15):
        trainer = Trainer(Network([2, 2, 2, 2], seed=seed), *datasets.half_adder(), 0.5)
        trainer.step(600)
        costs.append(trainer.history.cost)
    costs = np.array(costs).T
    np.testing.assert_allclose(run.quantiles[:, 2], np.median(costs, axis=1), atol=1e-12)
    low, high = plateau_band(HALF_ADDER.T, "mse")
    on_plateau = ((costs >= low) & (costs <= high)).mean(axis=1)
    np.testing.assert_allclose(run.plateau_share, on_plateau)
    assert run.quantiles.shape == (600, 5) and run.epoch == 600
    np.testing.assert_allclose(run.final_cost, costs[-1], atol=1e-12)


def test_ranked_seeds_go_from_luckiest_to_unluckiest():
    run = LotteryRun(Settings(), HALF_ADDER, count=8, epochs=2000)
    run.advance(2000)
    finals = [cost for _, cost in run.ranked_seeds()]
    assert finals == sorted(finals) and len(finals) == 8


def test_advance_stops_at_the_total():
    run = LotteryRun(Settings(), HALF_ADDER, count=2, epochs=100)
    assert run.advance(500) == 100 and run.finished and run.advance(10) == 0


@pytest.mark.parametrize("count, epochs", [(0, 10), (2001, 10), (5, 0), (5, 100_001), (2.5, 10)])
def test_lottery_sizes_are_bounded(count, epochs):
    with pytest.raises(ValueError, match="must be a whole number from 1 to"):
        check_lottery(count, epochs)


def test_estimate_scales_with_the_work():
    small = estimate_seconds(Settings(), HALF_ADDER, 10, 1000)
    big = estimate_seconds(Settings(), HALF_ADDER, 1000, 100_000)
    assert 0 < small < big and big > 30


def test_the_plateau_is_within_2_percent_of_the_best_constant_predictors_cost():
    # the half adder: outputs stuck at the means 0.5 and 0.25 cost ½ (0.25 + 0.1875)
    assert constant_cost(HALF_ADDER.T, "mse") == pytest.approx(0.21875)
    assert plateau_band(HALF_ADDER.T, "mse") == pytest.approx((0.214375, 0.223125))
    balanced = np.array([[0.0], [1.0], [0.0], [1.0]])
    assert constant_cost(balanced, "cross_entropy") == pytest.approx(np.log(2))
    assert constant_cost(np.ones((3, 1)), "cross_entropy") == 0.0


def test_the_lottery_runs_on_a_2d_point_set_with_its_features_and_batches():
    settings = Settings(
        dataset="circle", hidden=(4,), activation="tanh", features=("x1^2", "x2^2"), batch=25
    )
    session = TrainingSession(settings)
    run = LotteryRun(settings, session.data, count=3, epochs=20)
    run.advance(20)
    trainer = Trainer(
        Network([2, 4, 1], "tanh", seed=1), session.data.X, session.data.T, 0.5, 25, seed=0
    )
    trainer.step(20)
    np.testing.assert_allclose(run.final_cost[1], trainer.history.cost[-1], rtol=1e-9)
    assert run.plateau == plateau_band(session.data.T, "mse")

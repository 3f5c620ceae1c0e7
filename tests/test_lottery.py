import time

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from backprop_core.features import FEATURES
from dashboard.state.run import Run
from dashboard.state.settings import Settings
from dashboard.teaching.lottery import (
    MAX_NETWORKS,
    MEMORY_BYTES,
    LotteryRun,
    check_lottery,
    constant_cost,
    most_networks,
    network_bytes,
    plan,
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
    small = plan(Settings(), HALF_ADDER, 10).seconds(1000)
    big = plan(Settings(), HALF_ADDER, 1000).seconds(100_000)
    assert 0 < small < big and big > 30


LARGEST = Settings(dataset="multi_gauss", hidden=(64,) * 8, train=90, features=FEATURES)


def test_the_memory_budget_bounds_how_many_large_networks_a_lottery_may_hold():
    session = Run(LARGEST)
    sizes = LARGEST.layer_sizes(session.data)
    most = most_networks(sizes)
    assert 10 < most < 500 and most * network_bytes(sizes) <= MEMORY_BYTES
    assert most_networks([2, 2, 2, 2]) == MAX_NETWORKS
    with pytest.raises(ValueError, match=f"from 1 to {most:,} .what fits the lottery's 128 MB"):
        LotteryRun(LARGEST, session.data, count=2000, epochs=10)


def test_planning_the_largest_lottery_is_quick_and_its_groups_keep_turns_short():
    session = Run(LARGEST)
    started = time.perf_counter()
    timing = plan(LARGEST, session.data, count=100)
    assert time.perf_counter() - started < 2.0  # one epoch of one network, and of one group
    run = LotteryRun(LARGEST, session.data, 100, 50, group=timing.group)
    assert timing.group < 100
    turns = []
    for _ in range(5):
        started = time.perf_counter()
        run.advance(max_seconds=0.02)
        turns.append(time.perf_counter() - started)
    assert max(turns) < 0.5  # one group's epoch past the deadline at most, never the chunk


@pytest.mark.parametrize("batch", [None, 7])
def test_a_lottery_in_groups_and_short_turns_equals_one_trained_at_once(batch):
    settings = Settings(dataset="circle", hidden=(3,), activation="tanh", batch=batch)
    data = Run(settings).data
    whole = LotteryRun(settings, data, count=7, epochs=30, first_seed=3)
    whole.advance()
    grouped = LotteryRun(settings, data, count=7, epochs=30, first_seed=3, group=3)
    while not grouped.finished:
        grouped.advance(max_seconds=1e-4)  # a deadline inside almost every epoch
    np.testing.assert_allclose(grouped.quantiles, whole.quantiles, rtol=1e-12)
    np.testing.assert_allclose(grouped.final_cost, whole.final_cost, rtol=1e-12)
    np.testing.assert_array_equal(grouped.plateau_epochs, whole.plateau_epochs)


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
    session = Run(settings)
    run = LotteryRun(settings, session.data, count=3, epochs=20)
    run.advance(20)
    trainer = Trainer(
        Network([2, 4, 1], "tanh", seed=1), session.data.X, session.data.T, 0.5, 25, seed=0
    )
    trainer.step(20)
    np.testing.assert_allclose(run.final_cost[1], trainer.history.cost[-1], rtol=1e-9)
    assert run.plateau == plateau_band(session.data.T, "mse")

import warnings

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from backprop_core.training import History


def test_half_adder_at_the_reference_settings_reaches_cost_below_1e_3(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=0)
    trainer = Trainer(net, X, T, learning_rate=0.5)
    trainer.step(20_000)
    assert 0.2 < trainer.history.cost[0] < 0.3
    assert net.cost(X, T) < 1e-3
    assert np.all(np.round(net.predict(X)) == T)


def test_same_seed_gives_the_same_training_to_the_bit(half_adder):
    runs = []
    for _ in range(2):
        net = Network([2, 3, 2], "tanh", seed=42)
        trainer = Trainer(net, *half_adder, learning_rate=0.3)
        trainer.step(500)
        runs.append(
            (net.params.copy(), trainer.history.cost.copy(), trainer.history.delta_magnitude.copy())
        )
    for first, second in zip(*runs):
        assert first.tobytes() == second.tobytes()


def test_history_cost_i_is_the_cost_of_the_parameters_after_i_updates(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=5)
    trainer = Trainer(net, X, T)
    costs = []
    for _ in range(5):
        costs.append(net.cost(X, T))
        trainer.step(1)
    np.testing.assert_array_equal(trainer.history.cost, costs)


def test_one_step_is_w_minus_eta_times_the_gradient(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=1)
    g = net.gradients(X, T)
    expected = net.params - 0.7 * g.vector
    Trainer(net, X, T, learning_rate=0.7).step(1)
    np.testing.assert_array_equal(net.params, expected)


def test_history_records_mean_absolute_delta_and_gradient_norm_per_layer(half_adder):
    X, T = half_adder
    net = Network([2, 3, 2], seed=1)
    g = net.gradients(X, T)
    trainer = Trainer(net, X, T)
    trainer.step(1)
    expected_delta = [np.abs(d).mean() for d in g.deltas]
    expected_norm = [np.sqrt(np.sum(gw**2) + np.sum(gb**2)) for gw, gb in zip(g.weights, g.biases)]
    np.testing.assert_allclose(trainer.history.delta_magnitude[0], expected_delta, rtol=1e-6)
    np.testing.assert_allclose(trainer.history.gradient_norm[0], expected_norm, rtol=1e-6)


def test_steps_continue_and_the_learning_rate_can_change_between_them(half_adder):
    X, T = half_adder
    a, b = Network([2, 2, 2], seed=3), Network([2, 2, 2], seed=3)
    ta, tb = Trainer(a, X, T, 0.5), Trainer(b, X, T, 0.5)
    ta.step(10)
    ta.learning_rate = 2.0
    ta.step(10)
    tb.step(10)
    assert ta.epoch == 20
    np.testing.assert_array_equal(ta.history.cost[:10], tb.history.cost)
    tb.learning_rate = 2.0
    tb.step(10)
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize("lr", [0, -0.5, float("nan"), float("inf"), "fast", None, True])
def test_bad_learning_rates_raise_a_value_error_naming_them(half_adder, lr):
    with pytest.raises(ValueError, match=f"learning rate must be a finite number > 0, got {lr!r}"):
        Trainer(Network([2, 2, 2]), *half_adder, learning_rate=lr)


def test_trainer_rejects_data_that_does_not_fit_the_network(half_adder):
    X, T = half_adder
    with pytest.raises(ValueError, match=r"T must have shape \(n_samples, 3\)"):
        Trainer(Network([2, 3]), X, T)


@pytest.mark.parametrize("epochs", [-1, 2.5, "10"])
def test_bad_epoch_counts_raise_a_value_error(half_adder, epochs):
    trainer = Trainer(Network([2, 2, 2]), *half_adder)
    with pytest.raises(ValueError, match="epochs"):
        trainer.step(epochs)


def test_divergence_stops_cleanly_with_the_last_finite_parameters(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], activation="identity", seed=0)
    trainer = Trainer(net, X, T, learning_rate=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = trainer.step(1000)
        cost_now = net.cost(X, T)
    hist = trainer.history
    assert hist.diverged and hist.diverged_at == done == len(hist.cost)
    assert np.all(np.isfinite(net.params)) and np.isfinite(hist.cost).all()
    assert cost_now == hist.cost[-1]
    assert trainer.step(10) == 0 and len(hist.cost) == done


def test_relu_blowing_up_is_caught_as_divergence(half_adder):
    X, T = half_adder
    net = Network([2, 8, 8, 2], activation="relu", seed=0, init="he")
    trainer = Trainer(net, X, T, learning_rate=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.step(1000)
    assert trainer.history.diverged or np.isfinite(trainer.history.cost).all()
    assert np.all(np.isfinite(net.params))


def test_step_stops_at_max_seconds_without_reserving_the_whole_request(half_adder):
    trainer = Trainer(Network([2, 2, 2]), *half_adder)
    assert 0 < trainer.step(100_000_000, max_seconds=0.05) < 100_000_000
    assert trainer.history._cost.nbytes < 10e6


def test_history_grows_past_its_first_allocation(half_adder):
    trainer = Trainer(Network([2, 2, 2], seed=0), *half_adder)
    trainer.step(70_000)
    assert len(trainer.history.cost) == 70_000 and np.isfinite(trainer.history.cost).all()


def test_a_million_epoch_history_stays_a_few_tens_of_megabytes():
    history = History(num_layers=3)
    history.reserve(1_000_000)
    total = history._cost.nbytes + history._delta.nbytes + history._grad.nbytes
    assert total < 40e6


@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_tracked_output_costs_sum_to_the_cost(half_adder, cost):
    X, T = half_adder
    trainer = Trainer(Network([2, 3, 2], cost=cost, seed=2), X, T, track_outputs=True)
    trainer.step(50)
    history = trainer.history
    assert history.output_cost.shape == (50, 2)
    np.testing.assert_allclose(history.output_cost.sum(axis=1), history.cost, rtol=1e-6)


def test_output_costs_are_not_kept_unless_asked(half_adder):
    trainer = Trainer(Network([2, 3, 2], seed=2), *half_adder)
    trainer.step(5)
    assert trainer.history.output_cost.shape == (5, 0)


def test_a_divergence_in_the_first_epoch_of_a_call_still_rolls_back_to_the_last_finite_one():
    X, T = datasets.half_adder()
    at_once = Trainer(Network([2, 2, 2, 2], "identity", seed=0), X, T, 50.0)
    at_once.step(100)
    one_by_one = Trainer(Network([2, 2, 2, 2], "identity", seed=0), X, T, 50.0)
    while one_by_one.step(1):
        pass
    assert one_by_one.history.diverged_at == at_once.history.diverged_at == 3
    np.testing.assert_array_equal(one_by_one.network.params, at_once.network.params)
    net = one_by_one.network
    assert net.cost_of(net.forward(X), T) == one_by_one.history.cost[-1]

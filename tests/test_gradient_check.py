import time

import numpy as np
import pytest

from backprop_core import Network, datasets, gradient_check
from backprop_core.gradient_check import PASS_RELATIVE, affordable_per_layer, sample_indices
from dashboard.teaching.bugs import buggy_gradients


def test_gradient_check_restores_the_parameters_exactly(reference_net, half_adder):
    before = reference_net.params.copy()
    gradient_check(reference_net, *half_adder)
    assert reference_net.params.tobytes() == before.tobytes()


def test_gradient_check_reports_per_layer_arrays_shaped_like_the_parameters(half_adder):
    net = Network([2, 3, 2], seed=0)
    chk = gradient_check(net, *half_adder)
    assert [d.shape for d in chk.weight_differences] == [(2, 3), (3, 2)]
    assert [d.shape for d in chk.bias_differences] == [(3,), (2,)]
    assert chk.max_relative_error < 1e-6


def test_gradient_check_exposes_a_wrong_gradient(reference_net, half_adder):
    wrong = reference_net.gradients(*half_adder)
    wrong.weights[1][0, 1] += 0.01
    chk = gradient_check(reference_net, *half_adder, gradients=wrong)
    assert chk.max_error == pytest.approx(0.01, rel=1e-4)
    assert np.argmax(np.abs(chk.weight_differences[1])) == 1


@pytest.mark.parametrize("epsilon", [0, -1e-5, 2.0, "small"])
def test_bad_epsilon_raises_a_value_error(reference_net, half_adder, epsilon):
    with pytest.raises(ValueError, match="epsilon must be a number in"):
        gradient_check(reference_net, *half_adder, epsilon=epsilon)


def test_a_sampled_check_estimates_that_many_of_each_layers_parameters_and_no_others(
    half_adder,
):
    net = Network([2, 8, 8, 2], seed=1)
    before = net.params.copy()
    chk = gradient_check(net, *half_adder, per_layer=5)
    assert chk.checked == 15
    for W, b in zip(chk.numeric_weights, chk.numeric_biases):
        assert np.isfinite(W).sum() + np.isfinite(b).sum() == 5
    assert chk.passed and net.params.tobytes() == before.tobytes()
    assert sample_indices(net.sizes, 5, seed=3).tolist() == sorted(
        sample_indices(net.sizes, 5, seed=3).tolist()
    )


SCALES = [1e-3, 1.0, 1e3, 1e6]


@pytest.mark.parametrize("scale", SCALES)
def test_the_relative_error_passes_correct_backprop_at_every_scale_of_the_cost(scale):
    """A regression whose targets (so cost and gradients) grow by 10¹²: the absolute error grows
    with them, the relative one does not."""
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(30, 3)), scale * rng.normal(size=(30, 2))
    net = Network([3, 16, 16, 2], "identity", seed=0)
    chk = gradient_check(net, X, T)
    assert chk.passed and chk.max_relative_error < 1e-6
    if scale >= 1e3:
        assert chk.max_error > 1e-7  # what an absolute threshold would have failed


@pytest.mark.parametrize("bug", ["derivative", "no_average", "no_derivative"])
@pytest.mark.parametrize("scale", SCALES)
def test_every_planted_bug_fails_the_relative_check_at_every_scale(bug, scale):
    rng = np.random.default_rng(1)
    X, T = rng.normal(size=(30, 3)), rng.uniform(0, 1, size=(30, 2))
    net = Network([3, 5, 5, 2], "sigmoid", seed=2)
    net.params *= 1 + np.log10(scale) / 6  # from gentle to saturating weights
    chk = gradient_check(net, X, T, gradients=buggy_gradients(net, X, T, bug))
    assert not chk.passed and chk.max_relative_error > 0.1


def test_vanishing_gradients_of_a_deep_sigmoid_network_are_judged_against_round_off(
    half_adder,
):
    net = Network([2] + [8] * 8 + [2], seed=0)
    chk = gradient_check(net, *half_adder, per_layer=10)
    first = np.abs(chk.backprop_weights[0]).max()
    assert first < chk.noise / PASS_RELATIVE  # too small to compare relatively
    assert chk.passed


def test_the_affordable_sample_is_everything_for_small_networks_and_bounded_for_large():
    X, T = datasets.half_adder()
    assert affordable_per_layer(Network([2, 2, 2, 2]), X, T, seconds=1.0) is None
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(1000, 7)), rng.normal(size=(1000, 1))
    big = Network([7] + [64] * 8 + [1], "tanh", seed=0)
    per_layer = affordable_per_layer(big, X, T, seconds=0.5)
    assert per_layer is not None and 1 <= per_layer < 100
    started = time.perf_counter()
    gradient_check(big, X, T, per_layer=per_layer)
    assert time.perf_counter() - started < 5.0  # about 0.5 s; generous for a busy machine

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from backprop_core import ACTIVATIONS, Network
from backprop_core.gradient_check import gradient_check
from tests.conftest import random_problem

architectures = st.lists(st.integers(1, 6), min_size=2, max_size=5)


def test_parameters_have_the_documented_shapes():
    net = Network([3, 5, 4, 2], seed=1)
    assert [W.shape for W in net.weights] == [(3, 5), (5, 4), (4, 2)]
    assert [b.shape for b in net.biases] == [(5,), (4,), (2,)]
    assert net.params.size == 3 * 5 + 5 + 5 * 4 + 4 + 4 * 2 + 2


def test_default_init_is_uniform_in_minus_one_to_one():
    net = Network([20, 30, 10], seed=3)
    values = net.params
    assert values.min() >= -1 and values.max() <= 1 and values.std() > 0.5


def test_forward_computes_z_equals_a_times_W_plus_b_then_sigma(half_adder):
    X, _ = half_adder
    net = Network([2, 3, 2], seed=0)
    fwd = net.forward(X)
    z1 = X @ net.weights[0] + net.biases[0]
    a1 = 1 / (1 + np.exp(-z1))
    np.testing.assert_allclose(fwd.z[0], z1, rtol=1e-14)
    np.testing.assert_allclose(fwd.a[1], a1, rtol=1e-14)
    np.testing.assert_allclose(net.predict(X), fwd.a[-1])


def test_mse_cost_is_sum_of_squares_over_two_n(reference_net, half_adder):
    X, T = half_adder
    expected = np.sum((reference_net.predict(X) - T) ** 2) / (2 * len(X))
    assert reference_net.cost(X, T) == pytest.approx(expected, rel=1e-14)


def test_reference_network_gradients_match_central_differences_to_1e_9(reference_net, half_adder):
    X, T = half_adder
    assert gradient_check(reference_net, X, T, epsilon=1e-5).max_error < 1e-9


@settings(max_examples=60, deadline=None)
@given(
    sizes=architectures,
    n_samples=st.integers(1, 8),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    cost=st.sampled_from(["mse", "cross_entropy"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradients_equal_central_differences_for_random_networks(
    sizes, n_samples, activation, cost, seed
):
    output = "sigmoid" if cost == "cross_entropy" else None
    net = Network(sizes, activation, cost, seed=seed, output_activation=output)
    X, T = random_problem(sizes, n_samples, seed)
    # Central differences are wrong within ε of a ReLU kink, so keep clear of it.
    assume(all(np.abs(z).min() > 1e-3 for z in net.forward(X).z))
    check = gradient_check(net, X, T, epsilon=1e-5)
    scale = max(1.0, max(np.abs(g).max() for g in check.numeric_weights))
    assert check.max_error < 1e-8 * scale


@settings(max_examples=30, deadline=None)
@given(
    sizes=architectures,
    n_samples=st.integers(1, 8),
    seed=st.integers(0, 2**32 - 1),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
)
def test_batched_gradients_equal_the_mean_of_per_sample_gradients(
    sizes, n_samples, seed, activation
):
    net = Network(sizes, activation, seed=seed)
    X, T = random_problem(sizes, n_samples, seed)
    batched = net.gradients(X, T)
    rows = [net.gradients(X[i : i + 1], T[i : i + 1]) for i in range(n_samples)]
    for l in range(net.num_layers):
        np.testing.assert_allclose(
            batched.weights[l], np.mean([g.weights[l] for g in rows], axis=0), atol=1e-13
        )
        np.testing.assert_allclose(
            batched.biases[l], np.mean([g.biases[l] for g in rows], axis=0), atol=1e-13
        )
        np.testing.assert_allclose(
            batched.deltas[l], np.vstack([g.deltas[l] for g in rows]), atol=1e-13
        )


@settings(max_examples=30, deadline=None)
@given(sizes=architectures, n_samples=st.integers(1, 8), seed=st.integers(0, 2**32 - 1))
def test_deltas_satisfy_the_backprop_recursion_layer_by_layer(sizes, n_samples, seed):
    net = Network(sizes, "tanh", seed=seed)
    X, T = random_problem(sizes, n_samples, seed)
    fwd = net.forward(X)
    g = net.gradients(X, T)
    a, z = fwd.a, fwd.z
    np.testing.assert_allclose(g.deltas[-1], (a[-1] - T) * (1 - np.tanh(z[-1]) ** 2), atol=1e-14)
    for l in range(net.num_layers - 1):
        expected = (g.deltas[l + 1] @ net.weights[l + 1].T) * (1 - np.tanh(z[l]) ** 2)
        np.testing.assert_allclose(g.deltas[l], expected, atol=1e-14)
        np.testing.assert_allclose(g.weights[l], a[l].T @ g.deltas[l] / n_samples, atol=1e-14)
        np.testing.assert_allclose(g.biases[l], g.deltas[l].mean(axis=0), atol=1e-14)


def test_weights_written_in_place_change_the_output(reference_net, half_adder):
    X, _ = half_adder
    before = reference_net.predict(X)
    reference_net.weights[0][...] = 0.0
    assert not np.allclose(before, reference_net.predict(X))
    assert np.all(reference_net.params[:4] == 0.0)


def test_arrays_assigned_into_the_weight_list_are_synced_into_params(reference_net):
    reference_net.weights[1] = np.full((2, 2), 0.25)
    reference_net.sync()
    assert reference_net.weights[1].base is reference_net.params
    assert np.all(reference_net.weights[1] == 0.25)


def test_set_parameters_with_a_bad_shape_changes_nothing(reference_net):
    before = reference_net.params.copy()
    weights = [np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((3, 2))]
    with pytest.raises(ValueError, match=r"weights\[2\].*\(2, 2\)"):
        reference_net.set_parameters(weights, [np.zeros(2)] * 3)
    np.testing.assert_array_equal(reference_net.params, before)


def test_copy_is_independent(reference_net, half_adder):
    X, _ = half_adder
    clone = reference_net.copy()
    clone.weights[0][...] = 5.0
    assert not np.allclose(clone.predict(X), reference_net.predict(X))


@pytest.mark.parametrize(
    "sizes, message",
    [
        ([2], "at least two"),
        ([], "at least two"),
        ([2, 0, 2], "layer size 0"),
        ([2, -1, 2], "layer size -1"),
        ([2, 2.5, 2], "layer size 2.5"),
        ([2, "3", 2], "layer size '3'"),
        ([2, True, 2], "layer size True"),
        (5, "list of positive integers"),
    ],
)
def test_bad_layer_sizes_raise_a_value_error_naming_them(sizes, message):
    with pytest.raises(ValueError, match=message):
        Network(sizes)


@pytest.mark.parametrize(
    "kind, value", [("activation", "softmax"), ("cost", "hinge"), ("init", "zeros")]
)
def test_unknown_names_raise_a_value_error_listing_the_allowed_ones(kind, value):
    with pytest.raises(ValueError, match=rf"unknown {kind} '{value}'; allowed: "):
        Network([2, 2], **{kind: value})


def test_cross_entropy_needs_sigmoid_outputs():
    with pytest.raises(ValueError, match="needs 'sigmoid' outputs"):
        Network([2, 2], activation="relu", cost="cross_entropy")
    Network([2, 2], activation="relu", cost="cross_entropy", output_activation="sigmoid")


@pytest.mark.parametrize(
    "X, T, message",
    [
        (np.zeros((4, 3)), np.zeros((4, 2)), r"X must have shape \(n_samples, 2\).*\(4, 3\)"),
        (np.zeros((4, 2)), np.zeros((4, 1)), r"T must have shape \(n_samples, 2\).*\(4, 1\)"),
        (np.zeros(2), np.zeros((1, 2)), r"X must have shape .*\(2,\)"),
        (np.zeros((4, 2)), np.zeros((3, 2)), "X has 4 rows but T has 3"),
        (np.full((1, 2), np.nan), np.zeros((1, 2)), "not finite"),
    ],
)
def test_data_of_the_wrong_shape_raises_a_value_error(reference_net, X, T, message):
    with pytest.raises(ValueError, match=message):
        reference_net.gradients(X, T)

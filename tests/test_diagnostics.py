import re

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets, diagnostics, gradient_check
from tests.conftest import random_problem

ARCHITECTURES = [
    ([2, 2, 2, 2], "sigmoid", "mse"),
    ([2, 3, 2], "sigmoid", "cross_entropy"),
    ([2, 4, 3, 2], "tanh", "mse"),
    ([2, 5, 2], "relu", "mse"),
]


def _case(sizes, activation, cost, seed=1, **options):
    X, T = datasets.half_adder()
    output = "sigmoid" if cost == "cross_entropy" else activation
    net = Network(sizes, activation, cost, seed=seed, output_activation=output, **options)
    return net, X, T


@pytest.mark.parametrize("sizes, activation, cost", ARCHITECTURES)
def test_the_row_costs_average_to_the_cost(sizes, activation, cost):
    net, X, T = _case(sizes, activation, cost)
    np.testing.assert_allclose(diagnostics.row_costs(net, X, T).mean(), net.cost(X, T), rtol=1e-12)


def test_with_a_penalty_the_row_costs_average_to_the_cost_less_the_penalty():
    net, X, T = _case([2, 3, 2], "sigmoid", "mse", regularization="l2", regularization_rate=0.1)
    rows = diagnostics.row_costs(net, X, T)
    np.testing.assert_allclose(rows.mean() + net.penalty(), net.cost(X, T), rtol=1e-12)


@pytest.mark.parametrize("sizes, activation, cost", ARCHITECTURES)
def test_every_weights_row_contributions_sum_to_its_gradient(sizes, activation, cost):
    net, X, T = _case(sizes, activation, cost)
    grads = net.gradients(X, T)
    for l, W in enumerate(net.weights):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                shares = diagnostics.row_contributions(net, X, T, l, i, j)
                assert shares.shape == (len(X),)
                assert abs(shares.sum() - grads.weights[l][i, j]) <= 1e-12


def test_with_a_penalty_the_contributions_sum_to_the_gradient_less_the_penalty_term():
    net, X, T = _case([2, 3, 2], "sigmoid", "mse", regularization="l1", regularization_rate=0.01)
    shares = diagnostics.row_contributions(net, X, T, 0, 1, 2)
    penalty = 0.01 * np.sign(net.weights[0][1, 2])
    assert abs(shares.sum() + penalty - net.gradients(X, T).weights[0][1, 2]) <= 1e-12


@pytest.mark.parametrize("sizes, activation, cost", ARCHITECTURES)
def test_every_delta_is_its_terms_summed_times_sigma_prime(sizes, activation, cost):
    net, X, T = _case(sizes, activation, cost)
    deltas = net.gradients(X, T).deltas
    for l, delta in enumerate(deltas):
        for row in range(len(X)):
            for j in range(delta.shape[1]):
                terms, sigma_prime = diagnostics.delta_terms(net, X, T, row, l, j)
                assert abs(terms.sum() * sigma_prime - delta[row, j]) <= 1e-12
                if l < len(deltas) - 1:
                    assert terms.shape == (net.sizes[l + 2],)


def test_the_probe_at_the_learning_rate_is_the_cost_after_one_real_step():
    net, X, T = _case([2, 2, 2, 2], "sigmoid", "mse", seed=0)
    before = net.params.copy()
    probe = diagnostics.learning_rate_probe(net, X, T, [0.0, 0.5, 5.0])
    np.testing.assert_array_equal(net.params, before)  # the network is unchanged
    trainer = Trainer(net.copy(), X, T, 0.5)
    trainer.step(1)
    assert probe[0] == net.cost(X, T)
    np.testing.assert_allclose(probe[1], trainer.network.cost(X, T), rtol=1e-14)


def _finite_difference_hessian(net, X, T, epsilon=1e-5):
    columns = []
    for k in range(len(net.params)):
        e = np.zeros(len(net.params))
        e[k] = 1.0
        columns.append(diagnostics.hessian_vector_product(net, X, T, e, epsilon))
    H = np.array(columns)
    return (H + H.T) / 2


@pytest.mark.parametrize(
    "sizes, activation, cost, seed",
    [
        ([2, 2, 2, 2], "sigmoid", "mse", 0),
        ([2, 3, 2], "sigmoid", "cross_entropy", 3),
        ([2, 3, 2], "tanh", "mse", 5),
        ([2, 4, 4, 2], "tanh", "mse", 2),
    ],
)
def test_sharpness_is_the_largest_eigenvalue_of_a_finite_difference_hessian(
    sizes, activation, cost, seed
):
    net, X, T = _case(sizes, activation, cost, seed)
    expected = np.linalg.eigvalsh(_finite_difference_hessian(net, X, T)).max()
    got = diagnostics.sharpness(net, X, T, iterations=2000)
    assert abs(got - expected) <= 1e-4 * abs(expected)


def test_sharpness_finds_the_largest_eigenvalue_when_a_negative_one_is_larger(monkeypatch):
    net, X, T = _case([2, 2, 2, 2], "sigmoid", "mse")
    rng = np.random.default_rng(0)
    Q, _ = np.linalg.qr(rng.standard_normal((len(net.params),) * 2))
    eigenvalues = np.linspace(-5.0, 2.0, len(net.params))  # |−5| beats 2
    H = Q @ np.diag(eigenvalues) @ Q.T
    monkeypatch.setattr(diagnostics, "hessian_vector_product", lambda n, X, T, v: H @ v)
    assert abs(diagnostics.sharpness(net, X, T, iterations=5000) - 2.0) <= 1e-6


@pytest.mark.parametrize(
    "call, words",
    [
        (
            lambda n, X, T: diagnostics.row_contributions(n, X, T, 3, 0, 0),
            "layer must be from 0 to 2, got 3",
        ),
        (
            lambda n, X, T: diagnostics.row_contributions(n, X, T, 0, 2, 0),
            "i (the weight's row) must be a whole number from 0 to 1, got 2",
        ),
        (lambda n, X, T: diagnostics.row_contributions(n, X, T, 0, 0, -1), "from 0 to 1, got -1"),
        (
            lambda n, X, T: diagnostics.delta_terms(n, X, T, 4, 0, 0),
            "row must be a whole number from 0 to 3, got 4",
        ),
        (
            lambda n, X, T: diagnostics.delta_terms(n, X, T, 0, 1.5, 0),
            "layer must be a whole number",
        ),
        (lambda n, X, T: diagnostics.learning_rate_probe(n, X, T, [np.nan]), "finite numbers ≥ 0"),
        (lambda n, X, T: diagnostics.sharpness(n, X, T, iterations=0), "iterations must be"),
    ],
)
def test_bad_indices_and_arguments_are_refused_with_the_allowed_range(call, words):
    net, X, T = _case([2, 2, 2, 2], "sigmoid", "mse")
    with pytest.raises(ValueError) as err:
        call(net, X, T)
    assert words in str(err.value)


def test_the_delta_ratio_is_its_weight_part_times_its_sigma_prime_part():
    net, X, T = _case([2, 4, 3, 3, 2], "tanh", "mse", seed=7)
    deltas = net.gradients(X, T).deltas
    weight_part, sigma_part = diagnostics.delta_ratios(net, X, T)
    assert weight_part.shape == sigma_part.shape == (3,)
    for l in range(3):
        ratio = np.linalg.norm(deltas[l]) / np.linalg.norm(deltas[l + 1])
        np.testing.assert_allclose(weight_part[l] * sigma_part[l], ratio, rtol=1e-12)


def test_with_six_sigmoid_layers_every_sigma_prime_part_is_at_most_a_quarter():
    net, X, T = _case([2, 4, 4, 4, 4, 4, 4, 2], "sigmoid", "mse", seed=0)
    _, sigma_part = diagnostics.delta_ratios(net, X, T)
    assert np.all(sigma_part <= 0.25)  # σ′ ≤ 1/4: this is where the gradient vanishes


def test_the_central_float64_sweep_at_1e_5_is_the_gradient_checks_max_error():
    net, X, T = _case([2, 3, 2], "sigmoid", "cross_entropy")
    sweep = diagnostics.epsilon_sweep(net, X, T)
    at = list(diagnostics.SWEEP_EPSILONS).index(1e-5)
    assert sweep["central float64"][at] == gradient_check(net, X, T, 1e-5).max_error


def test_the_sweep_shows_a_v_whose_bottom_float32_reaches_at_a_larger_epsilon():
    net, X, T = _case([2, 2, 2, 2], "sigmoid", "mse", seed=0)
    sweep = diagnostics.epsilon_sweep(net, X, T)
    eps = diagnostics.SWEEP_EPSILONS
    for name, errors in sweep.items():
        bottom = errors.argmin()
        assert 0 < bottom < len(eps) - 1, name  # truncation left, round-off right
        assert errors[0] > 10 * errors[bottom] and errors[-1] > 10 * errors[bottom], name
    central = sweep["central float64"]
    assert 1e-6 <= eps[central.argmin()] <= 1e-4  # why 10⁻⁵ is the usual choice
    assert eps[sweep["central float32"].argmin()] > eps[central.argmin()]
    assert central.min() < sweep["forward float64"].min()


def test_a_sampled_sweep_checks_only_that_many_parameters_and_leaves_the_network_alone():
    net, X, T = _case([2, 4, 4, 2], "tanh", "mse")
    before = net.params.copy()
    full = diagnostics.epsilon_sweep(net, X, T, [1e-5])
    sampled = diagnostics.epsilon_sweep(net, X, T, [1e-5], per_layer=2)
    assert sampled["central float64"][0] <= full["central float64"][0]
    check = gradient_check(net, X, T, 1e-5, per_layer=2)
    assert check.checked == 6 and sampled["central float64"][0] == check.max_error
    np.testing.assert_array_equal(net.params, before)
    with pytest.raises(ValueError, match=r"numbers in \(0, 1\)"):
        diagnostics.epsilon_sweep(net, X, T, [1e-5, 2.0])


def test_each_rows_recorded_cost_share_sums_to_the_cost_every_epoch():
    X, T = datasets.half_adder()
    groups, names = diagnostics.row_groups(T)
    assert list(groups) == [0, 1, 2, 3] and names[0] == "row 1"
    trainer = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5, row_groups=groups)
    trainer.step(300)
    shares = trainer.history.curves()["row_cost"]
    assert shares.values.shape == (300, 4) and shares.epochs == 300
    np.testing.assert_allclose(shares.values.sum(axis=1), trainer.history.cost, rtol=1e-6)
    first = diagnostics.row_costs(Network([2, 2, 2, 2], seed=0), X, T) / 4
    np.testing.assert_allclose(shares.values[0], first, rtol=1e-6)


def test_many_rows_are_recorded_per_class_and_regression_targets_per_decile():
    T = np.repeat([[0.0], [1.0]], 300, axis=0)
    groups, names = diagnostics.row_groups(T)
    assert names == ["target 0", "target 1"] and groups[0] == 0 and groups[-1] == 1
    values = np.linspace(0, 1, 1000)[:, None]
    groups, names = diagnostics.row_groups(values)
    assert len(names) == 10 and np.bincount(groups).min() >= 99


def test_row_groups_must_name_one_group_per_row():
    X, T = datasets.half_adder()
    with pytest.raises(ValueError, match="one whole number per row"):
        Trainer(Network([2, 2, 2]), X, T, row_groups=np.array([0, 1]))


@pytest.mark.parametrize(
    ("sizes", "activation", "cost"),
    [
        ([2, 2, 2, 2], "sigmoid", "mse"),
        ([2, 3, 4, 2], "tanh", "mse"),
        ([3, 4, 3, 2, 2], "sigmoid", "cross_entropy"),
        ([2, 5, 1], "relu", "mse"),
    ],
)
def test_the_path_products_of_every_weight_and_bias_sum_to_backprops_gradient(
    sizes, activation, cost
):
    net = Network(sizes, activation=activation, cost=cost, seed=3)
    x, t = random_problem(sizes, 1, seed=4)
    if cost == "cross_entropy":
        t = (t > 0.5).astype(float)
    g = net.gradients(x, t)
    for l, W in enumerate(net.weights):
        for i, j in np.ndindex(W.shape):
            terms = diagnostics.path_terms(net, x[0], t[0], l, i, j)
            assert not terms.sampled and terms.total == int(np.prod(sizes[l + 2 :]))
            assert terms.products.sum() == pytest.approx(g.weights[l][i, j], abs=1e-12)
            assert (terms.paths[:, 0] == j).all()
        for j in range(W.shape[1]):
            bias = diagnostics.path_terms(net, x[0], t[0], l, None, j)
            assert bias.products.sum() == pytest.approx(g.biases[l][j], abs=1e-12)


def test_past_the_limit_the_paths_are_a_labelled_sample_of_the_right_count():
    net = Network([2] + [64] * 8 + [1], seed=0)
    terms = diagnostics.path_terms(net, np.zeros(2), np.zeros(1), 0, 1, 5, limit=1000)
    assert terms.sampled and terms.total == 64**7 and len(terms.products) == 1000
    assert terms.paths.shape == (1000, 9) and terms.paths.max() < 64


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((3, 0, 0), "layer must be from 0 to 2, got 3"),
        ((0, 2, 0), "i must be a whole number from 0 to 1, got 2"),
        ((0, 0, -1), "j must be a whole number from 0 to 1, got -1"),
        ((0, 0, True), "j must be a whole number from 0 to 1, got True"),
    ],
)
def test_bad_path_terms_arguments_name_the_value_and_the_range(args, says):
    net = Network([2, 2, 2, 2], seed=0)
    with pytest.raises(ValueError, match=re.escape(says)):
        diagnostics.path_terms(net, np.zeros(2), np.zeros(2), *args)


def test_operation_counts_for_the_half_adder_network():
    counts = diagnostics.operation_counts([2, 2, 2, 2])
    assert counts["path_terms"] == 16 + 8 + 4
    assert counts["backprop_multiplications"] == 12 + 8 + 6 + 12
    assert counts["forward_mode_passes"] == 18 and counts["forward_mode_multiplications"] == 18 * 24


def test_path_terms_grow_exponentially_with_depth_and_backprop_linearly():
    deep = [diagnostics.operation_counts([2] + [8] * d + [1]) for d in (2, 4, 6)]
    terms = [c["path_terms"] for c in deep]
    backprop = [c["backprop_multiplications"] for c in deep]
    assert terms[1] / terms[0] > 50 and terms[2] / terms[1] > 50  # about ×64 per two layers
    assert backprop[2] - backprop[1] == backprop[1] - backprop[0]  # the same per two layers

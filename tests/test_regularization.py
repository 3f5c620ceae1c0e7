import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets, gradient_check
from backprop_core.regularization import REGULARIZERS


@pytest.mark.parametrize("kind", ["l1", "l2"])
def test_the_regularised_gradient_matches_central_differences(kind):
    X, T = datasets.half_adder()
    net = Network([2, 3, 2], "tanh", seed=1, regularization=kind, regularization_rate=0.03)
    check = gradient_check(net, X, T)
    assert check.max_relative_error < 1e-7


@pytest.mark.parametrize("kind, rate", [("l1", 0.1), ("l2", 0.1)])
def test_the_cost_is_the_data_cost_plus_lambda_times_the_penalty_on_weights_only(kind, rate):
    X, T = datasets.half_adder()
    plain = Network([2, 3, 2], seed=2)
    regularised = Network([2, 3, 2], seed=2, regularization=kind, regularization_rate=rate)
    weights = regularised.weights
    penalty = (
        sum(np.abs(W).sum() for W in weights)
        if kind == "l1"
        else 0.5 * sum((W**2).sum() for W in weights)
    )
    assert regularised.cost(X, T) == pytest.approx(plain.cost(X, T) + rate * penalty, rel=1e-14)
    g0, g = plain.gradients(X, T), regularised.gradients(X, T)
    for b0, b in zip(g0.biases, g.biases):
        np.testing.assert_array_equal(b0, b)  # biases are never penalised


def test_l1s_subgradient_is_zero_at_zero():
    assert REGULARIZERS["l1"].gradient(np.array([-2.0, 0.0, 3.0])).tolist() == [-1, 0, 1]


@pytest.mark.parametrize("kind, rate", [("none", 0.5), ("l2", 0.0)])
def test_no_penalty_trains_to_the_bit_like_a_network_without_one(kind, rate):
    X, T = datasets.half_adder()
    a = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5)
    b = Trainer(
        Network([2, 2, 2, 2], seed=0, regularization=kind, regularization_rate=rate), X, T, 0.5
    )
    a.step(300)
    b.step(300)
    assert a.network.params.tobytes() == b.network.params.tobytes()
    assert a.history.cost.tobytes() == b.history.cost.tobytes()


@pytest.mark.parametrize(
    "options, words",
    [
        ({"regularization": "l3"}, "unknown regularization 'l3'; allowed: none, l1, l2"),
        ({"regularization": "l1", "regularization_rate": -0.1}, "finite number ≥ 0, got -0.1"),
        ({"regularization": "l1", "regularization_rate": float("nan")}, "finite number ≥ 0"),
        ({"regularization": "l1", "regularization_rate": "0.1"}, "got '0.1'"),
        ({"regularization": "l2", "regularization_rate": True}, "got True"),
    ],
)
def test_bad_regularisation_settings_raise_naming_the_value(options, words):
    with pytest.raises(ValueError, match=words):
        Network([2, 2], **options)

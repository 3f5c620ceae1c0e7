import numpy as np
import pytest

from backprop_core.activations import ACTIVATIONS
from backprop_core.costs import cross_entropy, get_cost, mse


def test_cross_entropy_equals_the_textbook_formula():
    z = np.array([[0.3, -1.2], [2.0, 0.1]])
    a = 1 / (1 + np.exp(-z))
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    expected = -np.sum(t * np.log(a) + (1 - t) * np.log(1 - a)) / 2
    assert cross_entropy(z, a, t) == pytest.approx(expected, rel=1e-13)


def test_cross_entropy_stays_finite_for_saturated_outputs():
    z = np.array([[-800.0]])
    a = ACTIVATIONS["sigmoid"].function(z)
    assert cross_entropy(z, a, np.array([[1.0]])) == pytest.approx(800.0)


def test_mse_is_half_the_mean_squared_norm():
    a, t = np.array([[1.0, 2.0], [0.0, 0.0]]), np.zeros((2, 2))
    assert mse(a, a, t) == pytest.approx((1 + 4) / (2 * 2))


def test_unknown_cost_names_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown cost 'l1'; allowed: mse, cross_entropy"):
        get_cost("l1")

import warnings

import numpy as np
import pytest

from backprop_core.activations import ACTIVATIONS, get_activation, sigmoid


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_derivative_matches_a_central_difference(name):
    act = ACTIVATIONS[name]
    z = np.array([-2.3, -0.7, 0.4, 1.9])
    h = 1e-6
    numeric = (act.function(z + h) - act.function(z - h)) / (2 * h)
    np.testing.assert_allclose(act.derivative(z, act.function(z)), numeric, atol=1e-8)


def test_sigmoid_matches_the_textbook_formula_and_never_overflows():
    z = np.linspace(-30, 30, 61)
    np.testing.assert_allclose(sigmoid(z), 1 / (1 + np.exp(-z)), rtol=1e-12, atol=1e-15)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert list(sigmoid(np.array([-1e308, 1e308]))) == [0.0, 1.0]


def test_unknown_activation_names_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown activation 'swish'; allowed: sigmoid, tanh"):
        get_activation("swish")

import numpy as np
import pytest

from backprop_core import Network, datasets
from dashboard.teaching.stepper import build_steps, matrix
from dashboard.text import sup


@pytest.mark.parametrize(
    "sizes, options",
    [
        ([2, 2, 2, 2], {}),
        ([2, 3, 2], {"activation": "tanh"}),
        (
            [2, 4, 2],
            {"activation": "relu", "cost": "cross_entropy", "output_activation": "sigmoid"},
        ),
    ],
)
@pytest.mark.parametrize("row", [0, 3])
def test_stepper_numbers_equal_the_cores_for_that_row(sizes, options, row):
    X, T = datasets.half_adder()
    net = Network(sizes, seed=1, **options)
    x, t = X[row : row + 1], T[row : row + 1]
    steps = build_steps(net, x[0], t[0], learning_rate=0.5)
    shown = {name: value for step in steps for name, value in step.values.items()}
    fwd, grads = net.forward(x), net.gradients(x, t)
    L = net.num_layers
    for l in range(1, L + 1):
        np.testing.assert_array_equal(shown[f"z{sup(l)}"], fwd.z[l - 1][0])
        np.testing.assert_array_equal(shown[f"a{sup(l)}"], fwd.a[l][0])
        np.testing.assert_array_equal(shown[f"δ{sup(l)}"], grads.deltas[l - 1][0])
        np.testing.assert_array_equal(shown[f"∂C/∂W{sup(l)}"], grads.weights[l - 1])
        np.testing.assert_array_equal(shown[f"∂C/∂b{sup(l)}"], grads.biases[l - 1])
        np.testing.assert_array_equal(
            shown[f"new W{sup(l)}"], net.weights[l - 1] - 0.5 * grads.weights[l - 1]
        )


def test_steps_go_forward_then_backward_then_update():
    steps = build_steps(Network([2, 2, 2, 2], seed=0), np.array([1, 1]), np.array([0, 1]), 0.5)
    kinds = [step.title.split()[0].strip(",:") for step in steps]
    assert kinds == ["Forward"] * 6 + ["Backward"] * 3 + ["Gradient"] * 3 + ["Update"] * 3
    assert all(r"\color" in step.numbers for step in steps)


def test_building_the_steps_leaves_the_network_unchanged():
    net = Network([2, 2, 2, 2], seed=0)
    before = net.params.copy()
    build_steps(net, np.array([0, 1]), np.array([1, 0]), 0.5)
    np.testing.assert_array_equal(net.params, before)


def test_matrix_renders_latex_rows():
    assert matrix(np.array([[1.0, 2.5], [3, 4]])) == (
        r"\begin{bmatrix} 1 & 2.5 \\ 3 & 4 \end{bmatrix}"
    )


@pytest.mark.parametrize(
    "penalty, symbol", [("l1", r"\operatorname{sign}(W^{1})"), ("l2", "W^{1}")]
)
def test_the_gradient_step_adds_the_penalty_term_with_its_numbers(penalty, symbol):
    net = Network([2, 2, 1], seed=0, regularization=penalty, regularization_rate=0.01)
    steps = build_steps(net, np.array([0.0, 1.0]), np.array([1.0]), 0.5)
    step = next(s for s in steps if s.title.startswith("Gradient of layer 1"))
    assert rf"\lambda\, {symbol}" in step.equation and r"0.01\," in step.numbers
    plain = Network([2, 2, 1], seed=0)
    expected = plain.gradients(np.array([[0.0, 1.0]]), np.array([[1.0]])).weights[0]
    expected = expected + 0.01 * net.regularizer.gradient(net.weights[0])
    np.testing.assert_allclose(step.values["∂C/∂W¹"], expected)

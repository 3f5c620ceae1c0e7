"""The backward pass for one training row, as a list of steps with their real numbers."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_core import Network
from backprop_core.validation import brief
from dashboard.text import sup

OPERAND = "#0072B2"
RESULT = "#B34700"  # vermillion, darkened to 5.5:1 on white for text


@dataclass
class Step:
    """One step: the general equation, the same equation with numbers, and what it produced."""

    title: str
    equation: str
    numbers: str
    values: dict[str, np.ndarray]


MAX_SHOWN = 6  # rows and columns a matrix shows; larger ones show the first few and the last


def latex_number(value: float, digits: int = 4) -> str:
    """A number for LaTeX in ``digits`` significant digits: 0.0123, or 1.563 \times 10^{-5}
    (never 1.563e-05, which LaTeX would set as a subtraction)."""
    text = f"{value:.{digits}g}"
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def _shown(size: int) -> list[int | None]:
    """The indices a matrix shows along an axis of ``size``: all of them up to MAX_SHOWN,
    otherwise the first MAX_SHOWN − 2, a gap (None) and the last."""
    if size <= MAX_SHOWN:
        return list(range(size))
    return [*range(MAX_SHOWN - 2), None, size - 1]


def matrix(values: np.ndarray, colour: str | None = None, digits: int = 4) -> str:
    """A numpy array as a LaTeX bmatrix, optionally coloured; past MAX_SHOWN rows or columns,
    the hidden ones are dots."""
    rows = np.atleast_2d(values)

    def cell(i: int | None, j: int | None) -> str:
        if i is None:
            return r"\ddots" if j is None else r"\vdots"
        return r"\cdots" if j is None else latex_number(rows[i, j], digits)

    columns = _shown(rows.shape[1])
    body = r" \\ ".join(" & ".join(cell(i, j) for j in columns) for i in _shown(rows.shape[0]))
    text = rf"\begin{{bmatrix}} {body} \end{{bmatrix}}"
    return rf"{{\color{{{colour}}}{text}}}" if colour else text


def is_cut(values: np.ndarray) -> bool:
    """Whether ``matrix`` shows only part of ``values``."""
    return any(n > MAX_SHOWN for n in np.atleast_2d(values).shape)


def _lines(*lines: str) -> str:
    """Equations one under another, so a long step fits the page's width."""
    return r"\begin{aligned}" + r" \\ ".join(lines) + r"\end{aligned}"


def _partial(param: str, l: int) -> str:
    return rf"\frac{{\partial C}}{{\partial {param}^{{{l}}}}}"


def _op(values: np.ndarray) -> str:
    return matrix(values, OPERAND)


def _res(values: np.ndarray) -> str:
    return matrix(values, RESULT)


def build_steps(network: Network, x: np.ndarray, t: np.ndarray, learning_rate: float) -> list[Step]:
    """Forward, then backward, then the update, for the single row x with target t.

    Every number comes from ``network.forward`` and ``network.backward`` on that row.
    """
    X, T = np.atleast_2d(x).astype(float), np.atleast_2d(t).astype(float)
    fwd = network.forward(X)
    grads = network.backward(fwd, T)
    z, a, delta = fwd.z, fwd.a, grads.deltas
    L = network.num_layers
    steps: list[Step] = []
    for l in range(1, L + 1):
        W, b = network.weights[l - 1], network.biases[l - 1]
        steps.append(
            Step(
                f"Forward, layer {l}: weighted input z{sup(l)}",
                rf"z^{{{l}}} = a^{{{l - 1}}} W^{{{l}}} + b^{{{l}}}",
                rf"{_op(a[l - 1])} {_op(W)} + {_op(b)} = {_res(z[l - 1])}",
                {f"z{sup(l)}": z[l - 1][0]},
            )
        )
        act = network.output_activation if l == L else network.activation
        steps.append(
            Step(
                f"Forward, layer {l}: activation a{sup(l)}",
                rf"a^{{{l}}} = \sigma(z^{{{l}}}) \quad (\sigma = \text{{{act.name}}})",
                rf"\sigma\left({_op(z[l - 1])}\right) = {_res(a[l])}",
                {f"a{sup(l)}": a[l][0]},
            )
        )
    cost = network.cost_function
    output_rule = (
        r"\delta^{L} = a^{L} - t"
        if cost.name == "cross_entropy"
        else r"\delta^{L} = (a^{L} - t) \odot \sigma'(z^{L})"
    )
    if cost.name == "cross_entropy":
        numbers = rf"{_op(a[L])} - {_op(T)} = {_res(delta[-1])}"
    else:
        deriv = network.output_activation.derivative(z[-1], a[L])
        numbers = rf"\left({_op(a[L])} - {_op(T)}\right) \odot {_op(deriv)} = {_res(delta[-1])}"
    steps.append(
        Step(
            f"Backward: output delta δ{sup(L)} (L = {L})",
            output_rule,
            numbers,
            {f"δ{sup(L)}": delta[-1][0]},
        )
    )
    for l in range(L - 1, 0, -1):
        deriv = network.activation.derivative(z[l - 1], a[l])
        steps.append(
            Step(
                f"Backward: delta δ{sup(l)}",
                rf"\delta^{{{l}}} = \left(\delta^{{{l + 1}}} (W^{{{l + 1}}})^T\right) \odot "
                rf"\sigma'(z^{{{l}}})",
                _lines(
                    rf"\left({_op(delta[l])} {_op(network.weights[l].T)}\right) \odot {_op(deriv)}",
                    rf"= {_res(delta[l - 1])}",
                ),
                {f"δ{sup(l)}": delta[l - 1][0]},
            )
        )
    penalty = _penalty_term(network)
    for l in range(L, 0, -1):
        W = network.weights[l - 1]
        term, numbers = "", ""
        if penalty is not None:
            rate, symbol, slope = penalty
            term = rf" + \lambda\, {symbol.format(l=l)}"
            numbers = rf" + {rate:g}\, {_op(slope(W))}"
        steps.append(
            Step(
                f"Gradient of layer {l}"
                + ("" if penalty is None else f", with the {network.regularizer.name} penalty"),
                rf"{_partial('W', l)} = (a^{{{l - 1}}})^T \delta^{{{l}}}{term}, \quad "
                rf"{_partial('b', l)} = \delta^{{{l}}}",
                _lines(
                    rf"{_partial('W', l)} = {_op(a[l - 1].T)} {_op(delta[l - 1])}{numbers} "
                    rf"= {_res(grads.weights[l - 1])}",
                    rf"{_partial('b', l)} = {_res(grads.biases[l - 1])}",
                ),
                {
                    f"∂C/∂W{sup(l)}": grads.weights[l - 1].copy(),
                    f"∂C/∂b{sup(l)}": grads.biases[l - 1].copy(),
                },
            )
        )
    eta = learning_rate
    for l in range(1, L + 1):
        W, gW = network.weights[l - 1], grads.weights[l - 1]
        b, gb = network.biases[l - 1], grads.biases[l - 1]
        steps.append(
            Step(
                f"Update of layer {l} from this row alone (η = {eta:g})",
                rf"W^{{{l}}} \leftarrow W^{{{l}}} - \eta {_partial('W', l)}, \quad "
                rf"b^{{{l}}} \leftarrow b^{{{l}}} - \eta {_partial('b', l)}",
                _lines(
                    rf"W^{{{l}}} \leftarrow {_op(W)} - {eta:g} {_op(gW)} = {_res(W - eta * gW)}",
                    rf"b^{{{l}}} \leftarrow {_op(b)} - {eta:g} {_op(gb)} = {_res(b - eta * gb)}",
                ),
                {f"new W{sup(l)}": W - eta * gW, f"new b{sup(l)}": b - eta * gb},
            )
        )
    return steps


def _penalty_term(network: Network) -> tuple[float, str, object] | None:
    """(λ, ∂R/∂W^l in LaTeX with {l} for the layer, ∂R/∂W as a function) when the cost carries
    a weight penalty; None without one."""
    if not network.regularized:
        return None
    l1 = network.regularizer.name == "l1"
    symbol = r"\operatorname{{sign}}(W^{{{l}}})" if l1 else "W^{{{l}}}"  # {l}: the layer
    return network.regularization_rate, symbol, network.regularizer.gradient


SIGNS = ("positive", "negative", "zero")


@dataclass(frozen=True)
class Question:
    """What the quiz asks about a step before showing it: one number the step produces."""

    name: str  # for example "δ^2, neuron 1" or "∂C/∂W^1, row 1, column 2"
    value: float

    @property
    def sign(self) -> str:
        return "zero" if self.value == 0 else "positive" if self.value > 0 else "negative"

    @property
    def magnitude(self) -> int:
        """The power of ten of |value|: k with 10^k ≤ |value| < 10^(k+1)."""
        return int(np.floor(np.log10(abs(self.value)))) if self.value else 0

    def grade(self, sign: str, magnitude: int | None = None) -> tuple[bool, bool | None]:
        """Whether the predicted sign, and the power of ten when given, were right."""
        if sign not in SIGNS:
            raise ValueError(f"sign must be one of {', '.join(SIGNS)}, got {brief(sign)}")
        return sign == self.sign, None if magnitude is None else magnitude == self.magnitude


def question(step: Step) -> Question | None:
    """The quiz question for a step that computes a delta or a weight gradient: the first
    number it produces, taken from the step's own values. Other steps ask nothing."""
    for name, values in step.values.items():
        if name.startswith("δ"):
            return Question(f"{name}, neuron 1", float(np.ravel(values)[0]))
        if name.startswith("∂C/∂W"):
            return Question(f"{name}, row 1, column 1", float(np.ravel(values)[0]))
    return None

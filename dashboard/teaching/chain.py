"""The chain rule for one weight, written out the derivation's way, without Streamlit: the
nested index sums, the trick that turns them into δ, and what each form costs."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from backprop_core import Network
from backprop_core.diagnostics import PathTerms, operation_counts
from dashboard.teaching.stepper import OPERAND, RESULT, latex_number, matrix
from dashboard.text import layer_name, short, sub, sup

LETTERS = "pqrsuvxy"  # the index of the output layer's neuron, then each layer before it


@dataclass(frozen=True)
class Stage:
    """One form of ∂C/∂w: its title, its equation, and the multiplications it takes."""

    title: str
    equation: str
    multiplications: int


def _letter(m: int, k: int, L: int) -> str:
    """The summation index of layer m (k < m ≤ L); j for layer k itself."""
    return "j" if m == k else LETTERS[L - m]


def _w(m: int, k: int, L: int) -> str:
    return rf"w^{{{m}}}_{{{_letter(m - 1, k, L)}{_letter(m, k, L)}}}"


def _slope(m: int, k: int, L: int) -> str:
    n = _letter(m, k, L)
    return rf"\frac{{\partial a^{{{m}}}_{{{n}}}}}{{\partial z^{{{m}}}_{{{n}}}}}"


def _delta(m: int, k: int, L: int) -> str:
    return rf"\delta^{{{m}}}_{{{_letter(m, k, L)}}}"


def _sums(k: int, L: int, upto: int | None = None) -> str:
    """Σ over the neurons of layers k+1 … ``upto`` (default L), the one after w outermost."""
    return " ".join(rf"\sum_{{{_letter(m, k, L)}}}" for m in range(k + 1, (upto or L) + 1))


def stage_counts(sizes: list[int], l: int) -> list[int]:
    """Multiplications for ∂C_x/∂w of one weight in weights[l], in the four forms: every path
    product (2 per layer crossed); δᴸ first; the innermost sum grouped; backprop's deltas."""
    k, L = l + 1, len(sizes) - 1
    d = L - l  # layers from w's to the output
    paths = math.prod(sizes[k + 1 :])
    if d == 1:
        return [2, 2, 2, 2]
    n = sizes
    c0 = paths * 2 * d
    c1 = n[L] + paths * (2 * d - 1)
    inner = n[L] if L - 1 == k else n[L - 1] * n[L]  # Σ_p w_qp δ_p, for every q still summed
    c2 = n[L] + inner + math.prod(sizes[k + 1 : L]) * 2 * (d - 1)
    c3 = n[L] + sum(n[m] * n[m + 1] + n[m] for m in range(k + 1, L)) + n[k + 1] + 1 + 1
    return [c0, c1, c2, c3]


def derivation(sizes: list[int], l: int, bias: bool) -> list[Stage]:
    """∂C/∂w for w = weights[l][i, j] (or the bias) from the nested sums to backprop's δ."""
    k, L = l + 1, len(sizes) - 1
    target = rf"b^{{{k}}}_{{j}}" if bias else rf"w^{{{k}}}_{{ij}}"
    left = rf"\frac{{\partial C}}{{\partial {target}}}"
    last = "" if bias else rf" a^{{{k - 1}}}_{{i}}"
    counts = stage_counts(sizes, l)
    if k == L:
        eq = rf"{left} = \frac{{\partial C}}{{\partial a^{{{L}}}_{{j}}}} {_slope(L, k, L)}{last}"
        final = rf"{left} = {_delta(L, k, L)}{last}"
        return [
            Stage("The chain rule", eq, counts[0]),
            Stage("The output's delta: δᴸ = ∂C/∂aᴸ ⊙ σ′(zᴸ)", final, counts[3]),
        ]
    chain = " ".join(rf"{_w(m, k, L)} {_slope(m - 1, k, L)}" for m in range(L, k, -1))
    outer = rf"\frac{{\partial C}}{{\partial a^{{{L}}}_{{{_letter(L, k, L)}}}}} {_slope(L, k, L)}"
    stage0 = rf"{left} = {_sums(k, L)} {outer} {chain}{last}"
    stage1 = rf"{left} = {_sums(k, L)} {_delta(L, k, L)} {chain}{last}"
    rest = " ".join(rf"{_w(m, k, L)} {_slope(m - 1, k, L)}" for m in range(L - 1, k, -1))
    inner = rf"\Big( \sum_{{{_letter(L, k, L)}}} {_w(L, k, L)} {_delta(L, k, L)} \Big)"
    grouped = rf"{inner} {_slope(L - 1, k, L)} {rest}".replace("  ", " ")
    stage2 = rf"{left} = {_sums(k, L, L - 1)} {grouped}{last}"
    m = L - 1
    recursion = (
        rf"{_delta(m, k, L)} &= \Big( \sum_{{{_letter(L, k, L)}}} {_w(L, k, L)} "
        rf"{_delta(L, k, L)} \Big) {_slope(m, k, L)}"
    )
    stage3 = rf"\begin{{aligned}} {recursion} \\ {left} &= {_delta(k, k, L)}{last} \end{{aligned}}"
    return [
        Stage("The chain rule, summed over every path", stage0, counts[0]),
        Stage("Factor the output's delta δᴸ inside the sums", stage1, counts[1]),
        Stage("Swap the sums: the innermost wraps only what depends on it", stage2, counts[2]),
        Stage(
            f"Replace the inner sum by the delta before it, and again down to layer {k}: backprop",
            stage3,
            counts[3],
        ),
    ]


MATRIX_FORM = (
    r"\delta^{l} = \left(\delta^{l+1} (W^{l+1})^T\right) \odot \sigma'(z^{l}), \qquad "
    r"\frac{\partial C}{\partial W^{l}} = (a^{l-1})^T \delta^{l}"
)


@dataclass(frozen=True)
class Factors:
    """The values the chain rule multiplies for one row, layer by layer, as LaTeX."""

    lines: list[str]  # "σ′(z³) = [..]", in the stepper's colours
    gradient: float  # ∂C_x/∂w by backprop, on that row


def factors(
    network: Network, x: np.ndarray, t: np.ndarray, l: int, i: int | None, j: int
) -> Factors:
    """Each factor of the chain rule with its real value on the row (x, t): δᴸ, then σ′(zᵐ)
    and Wᵐ down to w's layer, and a^{k−1}_i; operands blue, the result red."""
    X, T = np.atleast_2d(x).astype(float), np.atleast_2d(t).astype(float)
    fwd = network.forward(X)
    grads = network.backward(fwd, T)
    k, L = l + 1, network.num_layers
    lines = [rf"\delta^{{{L}}} = {matrix(grads.deltas[-1], OPERAND)}"]
    for m in range(L, k, -1):
        slope = network.activation.derivative(fwd.z[m - 2], fwd.a[m - 1])
        lines.append(rf"W^{{{m}}} = {matrix(network.weights[m - 1], OPERAND)}")
        lines.append(rf"\sigma'(z^{{{m - 1}}}) = {matrix(slope, OPERAND)}")
    if i is not None:
        lines.append(
            rf"a^{{{k - 1}}}_{{{i + 1}}} = {{\color{{{OPERAND}}}{latex_number(fwd.a[l][0, i])}}}"
        )
    gradient = float(grads.weights[l][i, j] if i is not None else grads.biases[l][j])
    return Factors(lines, gradient)


def result(value: float) -> str:
    """A computed value in the stepper's result colour."""
    return rf"{{\color{{{RESULT}}}{latex_number(value, 6)}}}"


def path_name(path: np.ndarray, l: int, layers: int) -> str:
    """A path as the page writes it: "hidden 1: 2 → hidden 2: 1 → output: 1" (from 1)."""
    return " → ".join(
        f"{layer_name(l + 1 + m, layers)}: {n + 1}" for m, n in enumerate(path.tolist())
    )


def path_factors(
    network: Network, x: np.ndarray, t: np.ndarray, l: int, i: int | None, path: np.ndarray
) -> str:
    """One path's factors on the row (x, t), as ``path_terms`` multiplies them: a, then σ′
    and the weight for each layer crossed, then the output's δ."""
    X, T = np.atleast_2d(x).astype(float), np.atleast_2d(t).astype(float)
    fwd = network.forward(X)
    L = network.num_layers
    parts = [] if i is None else [f"a{sup(l)}{sub(i + 1)} {short(fwd.a[l][0, i], 3)}"]
    for m, n in enumerate(path[:-1].tolist()):
        k = l + m
        slope = network.activation.derivative(fwd.z[k], fwd.a[k + 1])[0, n]
        w = network.weights[k + 1][n, path[m + 1]]
        parts += [f"σ′ {short(slope, 3)}", f"w {short(w, 3)}"]
    delta = network.cost_function.output_delta(fwd.z[-1], fwd.a[-1], T, network.output_activation)
    parts.append(f"δ{sup(L)}{sub(int(path[-1]) + 1)} {short(delta[0, path[-1]], 3)}")
    return " × ".join(parts)


def strongest(terms: PathTerms, keep: int = 12) -> np.ndarray:
    """The indices of the ``keep`` paths with the largest |product|, largest first."""
    order = np.argsort(-np.abs(terms.products), kind="stable")
    return order[:keep]


def cost_over_depth(width: int, depths: list[int]) -> dict[str, list[int]]:
    """For networks 2-width-…-width-1 of each depth: every weight's ∂C_x/∂w by path sums, by
    backprop, and by forward mode, in multiplications (``operation_counts``)."""
    rows = [operation_counts([2, *[width] * d, 1]) for d in depths]
    return {
        "path sums": [r["path_multiplications"] for r in rows],
        "backprop": [r["backprop_multiplications"] for r in rows],
        "forward mode": [r["forward_mode_multiplications"] for r in rows],
    }

"""Cost functions C and their output deltas δ^L, in a lookup table keyed by name.

Every cost is an average over the n samples of a per-sample cost C_x, and every
``output_delta`` returns the per-sample δ^L = ∂C_x/∂a^L ⊙ σ'(z^L), so that
∂C/∂W^l = (a^{l-1})ᵀ δ^l / n holds for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .activations import Activation
from .validation import brief


class Cost(NamedTuple):
    name: str
    value: Callable[[np.ndarray, np.ndarray, np.ndarray], float | np.ndarray]
    output_delta: Callable[..., np.ndarray]  # (z, a, t, act, out=None, slope=None)
    stacked_values: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]
    per_output: Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]


def mse(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> float | np.ndarray:
    """C = 1/(2n) Σ_x ||a^L − t||². For a trainer's block of epochs, stacked (epochs, n, m)
    outputs give one C per epoch, each computed exactly as for that epoch alone."""
    diff = (a - t).reshape(*a.shape[:-2], -1)
    if diff.ndim == 1:
        return 0.5 * float(diff.dot(diff)) / a.shape[-2]
    return np.array([0.5 * float(d.dot(d)) / a.shape[-2] for d in diff])


def mse_stacked(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """C_k = 1/(2n) Σ_x ||a^L_k − t||² for each network k of a stacked (K, n, m) batch."""
    diff = a - t
    return 0.5 * np.einsum("knm,knm->k", diff, diff) / a.shape[1]


def mse_per_output(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """C_j = 1/(2n) Σ_x (a^L_j − t_j)² for each output j; they sum to C. Stacked
    (epochs, n, m) outputs give one row per epoch."""
    diff = a - t
    return 0.5 * np.einsum("...nm,...nm->...m", diff, diff) / a.shape[-2]


def mse_delta(
    z: np.ndarray,
    a: np.ndarray,
    t: np.ndarray,
    act: Activation,
    out: np.ndarray | None = None,
    slope: np.ndarray | None = None,
) -> np.ndarray:
    """δ^L = (a^L − t) ⊙ σ'(z^L), written into ``out`` with σ' into ``slope`` when given."""
    delta = np.subtract(a, t, out=out)
    delta *= act.derivative(z, a, out=slope)
    return delta


def _cross_entropy_terms(z: np.ndarray, t: np.ndarray) -> np.ndarray:
    """−[t ln σ(z) + (1 − t) ln(1 − σ(z))] per entry, from z so saturated outputs stay finite."""
    return t * np.logaddexp(0.0, -z) + (1.0 - t) * np.logaddexp(0.0, z)


def cross_entropy(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> float | np.ndarray:
    """C = −1/n Σ_x Σ_j [t ln a + (1 − t) ln(1 − a)] for sigmoid outputs a = σ(z).

    Computed from z as ln σ(z) = −ln(1 + e^{−z}) so that saturated outputs stay finite.
    Stacked (epochs, n, m) outputs give one C per epoch, as ``mse`` does.
    """
    rows = z.shape[:-2]
    on, off = t.ravel(), (1.0 - t).ravel()
    ln_on = np.logaddexp(0.0, -z).reshape(*rows, -1)  # −ln a
    ln_off = np.logaddexp(0.0, z).reshape(*rows, -1)  # −ln(1 − a)
    if not rows:
        return float(on.dot(ln_on) + off.dot(ln_off)) / a.shape[-2]
    return np.array([float(on.dot(p) + off.dot(q)) / a.shape[-2] for p, q in zip(ln_on, ln_off)])


def cross_entropy_stacked(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """C_k = −1/n Σ_x Σ_j [t ln a_k + (1 − t) ln(1 − a_k)] for each network k of a stacked batch."""
    return _cross_entropy_terms(z, t).sum(axis=(1, 2)) / a.shape[1]


def cross_entropy_per_output(z: np.ndarray, a: np.ndarray, t: np.ndarray) -> np.ndarray:
    """C_j = −1/n Σ_x [t_j ln a_j + (1 − t_j) ln(1 − a_j)] for each output j; they sum to C.
    Stacked (epochs, n, m) outputs give one row per epoch."""
    return _cross_entropy_terms(z, t).sum(axis=-2) / a.shape[-2]


def cross_entropy_delta(
    z: np.ndarray,
    a: np.ndarray,
    t: np.ndarray,
    act: Activation,
    out: np.ndarray | None = None,
    slope: np.ndarray | None = None,
) -> np.ndarray:
    """δ^L = a^L − t: the σ'(z) of a sigmoid output cancels against ∂C/∂a."""
    return np.subtract(a, t, out=out)


COSTS: dict[str, Cost] = {
    cost.name: cost
    for cost in (
        Cost("mse", mse, mse_delta, mse_stacked, mse_per_output),
        Cost(
            "cross_entropy",
            cross_entropy,
            cross_entropy_delta,
            cross_entropy_stacked,
            cross_entropy_per_output,
        ),
    )
}

# Costs that only make sense for one output activation.
REQUIRED_OUTPUT = {"cross_entropy": "sigmoid"}


def get_cost(name: str) -> Cost:
    """Look a cost up by name; a ValueError names the allowed ones."""
    try:
        return COSTS[name]
    except (KeyError, TypeError):
        raise ValueError(f"unknown cost {brief(name)}; allowed: {', '.join(COSTS)}") from None


def accuracy(outputs: np.ndarray, T: np.ndarray) -> float | np.ndarray:
    """The share of rows whose every output, rounded to 0 or 1, equals its target; for stacked
    (epochs, n, n_L) outputs, one share per epoch."""
    right = np.all(np.round(outputs) == T, axis=-1).mean(axis=-1)
    return float(right) if right.ndim == 0 else right

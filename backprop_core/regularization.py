"""Weight penalties, in a table keyed by name: C = C₀ + λ·R(W), on the weights W^l only (never
the biases). The one place the term lives, so the cost, the gradients and the stepper agree."""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .validation import brief


@dataclass(frozen=True)
class Regularizer:
    name: str
    # R(W) over every layer's W^l; for stacked (K, m, n) weights, one value per network
    penalty: Callable[[list[np.ndarray]], float | np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]  # ∂R/∂W^l


REGULARIZERS: dict[str, Regularizer] = {
    "none": Regularizer("none", lambda weights: 0.0, np.zeros_like),
    # R = Σ|w|, with the subgradient sign(w), which is 0 at w = 0
    "l1": Regularizer(
        "l1", lambda weights: sum(np.abs(W).sum(axis=(-2, -1)) for W in weights), np.sign
    ),
    # R = ½ Σ w², so ∂R/∂w = w
    "l2": Regularizer(
        "l2", lambda weights: 0.5 * sum((W * W).sum(axis=(-2, -1)) for W in weights), lambda W: W
    ),
}


def get_regularizer(name: object) -> Regularizer:
    """Look a penalty up by name; a ValueError names the allowed ones."""
    if not isinstance(name, str) or name not in REGULARIZERS:
        raise ValueError(f"unknown regularization {brief(name)}; allowed: none, l1, l2")
    return REGULARIZERS[name]


def check_rate(rate: object) -> float:
    """λ: a finite number ≥ 0."""
    ok = isinstance(rate, numbers.Real) and not isinstance(rate, bool)
    if not ok or not math.isfinite(rate) or rate < 0:  # type: ignore[arg-type]
        raise ValueError(f"regularization rate must be a finite number ≥ 0, got {brief(rate)}")
    return float(rate)  # type: ignore[arg-type]

"""Numerical gradient check by central differences."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .network import Network
from .validation import brief


@dataclass
class GradientCheck:
    """Backprop gradients beside their central-difference estimates, layer by layer."""

    backprop_weights: list[np.ndarray]
    backprop_biases: list[np.ndarray]
    numeric_weights: list[np.ndarray]
    numeric_biases: list[np.ndarray]

    @property
    def weight_differences(self) -> list[np.ndarray]:
        return [b - n for b, n in zip(self.backprop_weights, self.numeric_weights)]

    @property
    def bias_differences(self) -> list[np.ndarray]:
        return [b - n for b, n in zip(self.backprop_biases, self.numeric_biases)]

    @property
    def max_error(self) -> float:
        """max |backprop − numeric| over every weight and bias."""
        diffs = self.weight_differences + self.bias_differences
        return float(max(np.abs(d).max() for d in diffs))

    @property
    def max_relative_error(self) -> float:
        """max |g − ĝ| / max(|g| + |ĝ|, 1e-12) over every weight and bias."""
        pairs = zip(
            self.backprop_weights + self.backprop_biases,
            self.numeric_weights + self.numeric_biases,
        )
        return float(
            max((np.abs(g - n) / np.maximum(np.abs(g) + np.abs(n), 1e-12)).max() for g, n in pairs)
        )


def numeric_gradient(cost, params: list[np.ndarray], epsilon: float) -> list[np.ndarray]:
    """∂C/∂θ ≈ (C(θ + ε) − C(θ − ε)) / 2ε for each entry θ of each array, perturbed in place."""
    estimates = []
    for p in params:
        g = np.zeros_like(p)
        for idx in np.ndindex(p.shape):
            original = p[idx]
            p[idx] = original + epsilon
            plus = cost()
            p[idx] = original - epsilon
            minus = cost()
            p[idx] = original
            g[idx] = (plus - minus) / (2 * epsilon)
        estimates.append(g)
    return estimates


def gradient_check(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    epsilon: float = 1e-5,
    gradients=None,
) -> GradientCheck:
    """Compare ``network.gradients(X, T)`` (or given ``gradients``) with central differences.

    The network's parameters are restored exactly afterwards.
    """
    if not (isinstance(epsilon, (int, float)) and 0 < epsilon < 1):
        raise ValueError(f"epsilon must be a number in (0, 1), got {brief(epsilon)}")
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    backprop = gradients if gradients is not None else network.gradients(X, T)
    network.check_data(X, T)

    def cost() -> float:
        return network.cost_of(network.forward(X), T)

    return GradientCheck(
        backprop_weights=backprop.weights,
        backprop_biases=backprop.biases,
        numeric_weights=numeric_gradient(cost, network.weights, epsilon),
        numeric_biases=numeric_gradient(cost, network.biases, epsilon),
    )

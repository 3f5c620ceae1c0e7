"""Numerical gradient check by central differences, over every parameter or a sample per layer.

The check is judged by a relative error that holds at every scale of the cost. The absolute
disagreement grows with the gradients (a cost of 10¹² has gradients of 10¹⁰), so each entry's
|g − ĝ| is divided by |g| + |ĝ|. Gradients too small for that to mean anything are judged
against the round-off of the difference quotient instead: C(θ ± ε) each carry a rounding
error of a few ulps of C, so (C₊ − C₋)/2ε cannot be trusted below about u·|C|/ε.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .network import Gradients, Network, layer_views
from .validation import brief

PASS_RELATIVE = 1e-5  # correct backprop stays under 10⁻⁶ here; a planted bug is near 1
ROUND_OFF_ULPS = 100  # the rounding error of one cost evaluation, in ulps of C, at most
MACHINE_EPSILON = float(np.finfo(np.float64).eps)


def sample_indices(sizes: list[int], per_layer: int | None, seed: int = 0) -> np.ndarray:
    """Indices into ``Network.params``: every one (``per_layer`` None), or at most
    ``per_layer`` of each layer's weights and biases drawn with ``seed``; sorted."""
    offsets = np.cumsum([0] + [m * n + n for m, n in zip(sizes, sizes[1:])])
    if per_layer is None:
        return np.arange(offsets[-1])
    if isinstance(per_layer, bool) or not isinstance(per_layer, int) or per_layer < 1:
        raise ValueError(f"per_layer must be a whole number ≥ 1 or None, got {brief(per_layer)}")
    rng = np.random.default_rng(seed)
    parts = []
    for start, end in zip(offsets, offsets[1:]):
        indices = np.arange(start, end)
        if len(indices) > per_layer:
            indices = np.sort(rng.choice(indices, per_layer, replace=False))
        parts.append(indices)
    return np.concatenate(parts)


def perturbed_costs(
    cost: Callable[[], float], theta: np.ndarray, indices: np.ndarray, epsilon: float
) -> tuple[np.ndarray, np.ndarray]:
    """C(θ + ε e_k) and C(θ − ε e_k) for each index k, moving θ_k in place and putting it back
    exactly. ``cost`` evaluates C at the current θ. Every finite difference in the package
    (central or forward, float64 or float32) is built from these two."""
    plus, minus = np.empty(len(indices)), np.empty(len(indices))
    for n, k in enumerate(indices):
        original = theta[k]
        theta[k] = original + epsilon
        plus[n] = cost()
        theta[k] = original - epsilon
        minus[n] = cost()
        theta[k] = original
    return plus, minus


def affordable_per_layer(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    seconds: float,
    evaluations: int = 2,
    least: int = 1,
) -> int | None:
    """How many parameters per layer a check of ``evaluations`` cost evaluations each can take
    in about ``seconds``: None when every parameter fits, otherwise at least ``least``."""
    started = time.perf_counter()
    network.cost_of(network.forward(X), T)
    each = max(time.perf_counter() - started, 1e-7)
    total = int(seconds / (evaluations * each))
    if total >= len(network.params):
        return None
    return max(least, total // network.num_layers)


@dataclass
class GradientCheck:
    """Backprop gradients beside their central-difference estimates, layer by layer; the
    estimates are NaN for the parameters the check did not sample."""

    backprop_weights: list[np.ndarray]
    backprop_biases: list[np.ndarray]
    numeric_weights: list[np.ndarray]
    numeric_biases: list[np.ndarray]
    cost: float  # C at the parameters checked
    epsilon: float

    @property
    def weight_differences(self) -> list[np.ndarray]:
        return [b - n for b, n in zip(self.backprop_weights, self.numeric_weights)]

    @property
    def bias_differences(self) -> list[np.ndarray]:
        return [b - n for b, n in zip(self.backprop_biases, self.numeric_biases)]

    @property
    def checked(self) -> int:
        """How many parameters have an estimate."""
        return int(sum(np.isfinite(n).sum() for n in self.numeric_weights + self.numeric_biases))

    @property
    def max_error(self) -> float:
        """max |backprop − numeric| over every parameter checked."""
        return _nanmax(np.abs(d) for d in self.weight_differences + self.bias_differences)

    @property
    def noise(self) -> float:
        """The round-off of a central difference, ROUND_OFF_ULPS · u · |C| / ε."""
        return ROUND_OFF_ULPS * MACHINE_EPSILON * abs(self.cost) / self.epsilon

    def relative_errors(self, layer: int) -> tuple[np.ndarray, np.ndarray]:
        """|g − ĝ| / max(|g| + |ĝ|, noise / PASS_RELATIVE) for weights[layer] and
        biases[layer]: gradients too small to compare relatively are judged against the
        round-off. NaN where not checked."""
        floor = self.noise / PASS_RELATIVE
        pairs = (
            (self.backprop_weights[layer], self.numeric_weights[layer]),
            (self.backprop_biases[layer], self.numeric_biases[layer]),
        )
        with np.errstate(invalid="ignore"):
            weights, biases = (
                np.abs(g - n) / np.maximum(np.abs(g) + np.abs(n), floor) for g, n in pairs
            )
        return weights, biases

    @property
    def layer_relative_errors(self) -> np.ndarray:
        """The largest relative error in each layer (weights and biases together)."""
        return np.array(
            [_nanmax(self.relative_errors(l)) for l in range(len(self.backprop_weights))]
        )

    @property
    def max_relative_error(self) -> float:
        return float(np.nanmax(self.layer_relative_errors))

    @property
    def passed(self) -> bool:
        """Whether every parameter checked agrees to PASS_RELATIVE (a NaN never passes)."""
        return bool(self.max_relative_error <= PASS_RELATIVE)


def _nanmax(arrays) -> float:
    values = [a[np.isfinite(a)].max() for a in arrays if np.isfinite(a).any()]
    return float(max(values)) if values else float("nan")


def gradient_check(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    epsilon: float = 1e-5,
    gradients: Gradients | None = None,
    per_layer: int | None = None,
    seed: int = 0,
) -> GradientCheck:
    """Compare ``network.gradients(X, T)`` (or given ``gradients``) with the central
    differences (C(θ + ε) − C(θ − ε)) / 2ε: for every parameter, or for at most ``per_layer``
    of each layer's weights and biases, drawn with ``seed`` (see ``sample_indices``).

    The network's parameters are restored exactly afterwards.
    """
    if not (isinstance(epsilon, (int, float)) and not isinstance(epsilon, bool)):
        raise ValueError(f"epsilon must be a number in (0, 1), got {brief(epsilon)}")
    if not 0 < epsilon < 1:
        raise ValueError(f"epsilon must be a number in (0, 1), got {brief(epsilon)}")
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    network.check_data(X, T)
    backprop = gradients if gradients is not None else network.gradients(X, T)
    indices = sample_indices(network.sizes, per_layer, seed)

    def cost() -> float:
        return network.cost_of(network.forward(X), T)

    network.sync()
    with np.errstate(over="ignore", invalid="ignore"):
        centre = cost()
        plus, minus = perturbed_costs(cost, network.params, indices, epsilon)
    numeric = np.full(len(network.params), np.nan)
    numeric[indices] = (plus - minus) / (2 * epsilon)
    numeric_weights, numeric_biases = layer_views(numeric, network.sizes)
    return GradientCheck(
        backprop_weights=backprop.weights,
        backprop_biases=backprop.biases,
        numeric_weights=numeric_weights,
        numeric_biases=numeric_biases,
        cost=centre,
        epsilon=float(epsilon),
    )

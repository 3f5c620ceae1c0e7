"""What *Inside the gradient* computes, without Streamlit: bounded so the page stays quick for
the largest network the app allows (8 hidden layers of 64)."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from backprop_core import Network, diagnostics
from dashboard.text import short, sup

MAX_BARS = 24  # rows drawn one by one in the tug-of-war; the rest are summed by sign
SNAPSHOTS_SHOWN = 12  # the tug-of-war at the last this many rewind snapshots
PROBE_ETAS = np.logspace(-3, 3, 61)
SHARPNESS_SECONDS = 0.3  # power iterations stop once they have taken about this long
MIN_ITERATIONS, MAX_ITERATIONS = 10, 100
SLICE_POINTS = 41


def parameter_index(sizes: list[int], l: int, kind: str, i: int, j: int) -> int:
    """Where weights[l][i, j] (kind "weight") or biases[l][j] (kind "bias") is in ``params``,
    laid out W^1, b^1, W^2, b^2, …"""
    start = sum(m * n + n for m, n in zip(sizes[:l], sizes[1 : l + 1]))
    m, n = sizes[l], sizes[l + 1]
    if not (0 <= j < n and (kind == "bias" or 0 <= i < m)):
        raise ValueError(f"layer {l + 1} has weights 1…{m} × 1…{n}; got ({i + 1}, {j + 1})")
    return start + m * n + j if kind == "bias" else start + i * n + j


def parameter_at(sizes: list[int], index: int) -> tuple[int, str, int, int]:
    """The (layer, kind, i, j) that ``parameter_index`` puts at ``index``."""
    for l, (m, n) in enumerate(zip(sizes[:-1], sizes[1:])):
        if index < m * n:
            return l, "weight", index // n, index % n
        if index < m * n + n:
            return l, "bias", 0, index - m * n
        index -= m * n + n
    raise ValueError("the index is past the network's last parameter")


def parameter_name(l: int, kind: str, i: int, j: int) -> str:
    """How the page writes weights[l][i, j] or biases[l][j], counting from 1: "W²[1, 3]"."""
    return f"W{sup(l + 1)}[{i + 1}, {j + 1}]" if kind == "weight" else f"b{sup(l + 1)}[{j + 1}]"


def row_labels(X: np.ndarray, T: np.ndarray, names: list[str]) -> list[str]:
    """The row-cost record's names, with each row's inputs and targets when there are few."""
    if len(names) != len(X) or len(X) > 64:
        return names
    return [f"{name}: ({_numbers(x)}) → ({_numbers(t)})" for name, x, t in zip(names, X, T)]


def _numbers(values: np.ndarray) -> str:
    return ", ".join(short(v) for v in values)


def _split_strongest(shares: np.ndarray, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """(the ``keep`` largest by size, the rest): row indices, each in row order."""
    top = np.sort(np.argsort(-np.abs(shares))[:keep])
    return top, np.setdiff1d(np.arange(len(shares)), top)


def strongest(
    shares: np.ndarray, names: list[str], keep: int = MAX_BARS
) -> tuple[np.ndarray, list[str]]:
    """The ``keep`` largest contributions by size, in row order, plus the rest summed into one
    bar pulling up and one pulling down: at most keep + 2 bars, the same total."""
    if len(shares) <= keep:
        return shares, names
    top, rest = _split_strongest(shares, keep)
    up, down = shares[rest][shares[rest] > 0], shares[rest][shares[rest] <= 0]
    values = list(shares[top]) + [up.sum(), down.sum()]
    labels = [names[k] for k in top] + [
        f"the other {len(up)} rows pulling up",
        f"the other {len(down)} rows pulling down",
    ]
    return np.array(values), labels


def strongest_columns(
    history: np.ndarray, shares: np.ndarray, names: list[str], keep: int = MAX_BARS
) -> tuple[np.ndarray, list[str]]:
    """Earlier contributions (snapshots, rows) for the rows ``strongest`` keeps now, in row
    order, plus one column for all the others together."""
    top, rest = _split_strongest(shares, keep)
    if not len(rest):
        return history[:, top], [names[k] for k in top]
    others = history[:, rest].sum(axis=1, keepdims=True)
    return np.hstack([history[:, top], others]), [names[k] for k in top] + ["the other rows"]


def snapshot_contributions(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    snapshots: list[tuple[int, np.ndarray]],
    l: int,
    i: int,
    j: int,
) -> np.ndarray:
    """Each row's share of ∂C/∂weights[l][i, j] at each snapshot's parameters: (snapshots, n)."""
    trial = network.copy()
    rows = []
    for _, params in snapshots:
        trial.params[...] = params
        rows.append(diagnostics.row_contributions(trial, X, T, l, i, j))
    return np.array(rows)


@dataclass(frozen=True)
class Stability:
    """λ_max at the current parameters and the step size 2/λ_max it allows."""

    sharpness: float
    iterations: int

    @property
    def limit(self) -> float:
        """2/λ_max; infinite when the cost curves upward nowhere (λ_max ≤ 0)."""
        return 2.0 / self.sharpness if self.sharpness > 0 else float("inf")


def stability(network: Network, X: np.ndarray, T: np.ndarray) -> Stability:
    """λ_max by ``diagnostics.sharpness``, with as many power iterations (10 to 100) as fit in
    about SHARPNESS_SECONDS: each takes two backprop gradients."""
    started = time.perf_counter()
    network.gradients(X, T)
    per_gradient = max(time.perf_counter() - started, 1e-6)
    iterations = int(
        np.clip(SHARPNESS_SECONDS / (2 * per_gradient), MIN_ITERATIONS, MAX_ITERATIONS)
    )
    return Stability(diagnostics.sharpness(network, X, T, iterations=iterations), iterations)


@dataclass(frozen=True)
class Slice:
    """C along one parameter, its tangent at the current value, and a nudge's two answers."""

    values: np.ndarray
    costs: np.ndarray
    w: float
    cost: float
    slope: float  # ∂C/∂w by backprop
    w_new: float
    cost_new: float

    @property
    def predicted_change(self) -> float:
        """ΔC ≈ ∂C/∂w · Δw, the tangent's answer."""
        return self.slope * (self.w_new - self.w)

    @property
    def actual_change(self) -> float:
        return self.cost_new - self.cost


def taylor_slice(network: Network, X: np.ndarray, T: np.ndarray, index: int, w_new: float) -> Slice:
    """C(w) over a range holding the current w and ``w_new``, the others held fixed."""
    trial = network.copy()
    w = float(network.params[index])
    cost = network.cost(X, T)
    slope = float(network.gradients(X, T).vector[index])
    low, high = min(w, w_new), max(w, w_new)
    margin = max((high - low) * 0.5, 0.5)
    values = np.linspace(low - margin, high + margin, SLICE_POINTS)
    costs = np.empty(SLICE_POINTS)
    with np.errstate(over="ignore", invalid="ignore"):
        for k, v in enumerate(values):
            trial.params[index] = v
            costs[k] = trial.cost(X, T)
        trial.params[index] = w_new
        cost_new = trial.cost(X, T)
    return Slice(values, costs, w, cost, slope, w_new, cost_new)


MAX_BANDS = 32  # the row-cost ribbon draws at most this many bands (browsers slow with hundreds)


def bands(
    values: np.ndarray, names: list[str], classes: np.ndarray | None, limit: int = MAX_BANDS
) -> tuple[np.ndarray, list[str], np.ndarray | None]:
    """The ribbon's columns (epochs, rows) summed into at most ``limit`` bands of neighbouring
    rows of one class (in row order): the same stacked total, quicker to draw."""
    n = values.shape[1]
    if n <= limit:
        return values, names, classes
    keys = np.zeros(n) if classes is None else classes
    kinds = np.unique(keys)
    columns, labels, kept = [], [], []
    for kind in kinds:
        rows = np.flatnonzero(keys == kind)
        for part in np.array_split(rows, max(1, limit // len(kinds))):
            if len(part):
                columns.append(values[:, part].sum(axis=1))
                label = f"rows {part[0] + 1}–{part[-1] + 1}" if len(part) > 1 else names[part[0]]
                labels.append(label + ("" if classes is None else f" (target {kind:g})"))
                kept.append(kind)
    return np.column_stack(columns), labels, None if classes is None else np.array(kept)

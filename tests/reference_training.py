"""The trainer as a straightforward loop, one epoch at a time, with the textbook formulas and
none of the trainer's buffers or blocks: the fast ``Trainer`` must reproduce its parameters
and every history record to the bit."""

from __future__ import annotations

import math

import numpy as np

from backprop_core import Network


def _forward(net: Network, X: np.ndarray) -> tuple[list, list]:
    """z^l = a^{l-1} W^l + b^l, a^l = σ(z^l)."""
    z, a = [], [X]
    for W, b, act in zip(net.weights, net.biases, net.layer_activations):
        z.append(a[-1] @ W + b)
        a.append(act.function(z[-1]))
    return z, a


def _cost(net: Network, z: list, a: list, T: np.ndarray) -> float:
    """C₀ + λ·R(W)."""
    if net.cost_function.name == "mse":
        diff = a[-1] - T
        cost = 0.5 * float(np.vdot(diff, diff)) / len(T)
    else:
        ln = np.vdot(T, np.logaddexp(0.0, -z[-1])) + np.vdot(1.0 - T, np.logaddexp(0.0, z[-1]))
        cost = float(ln) / len(T)
    if net.regularized:
        cost += net.regularization_rate * float(net.regularizer.penalty(net.weights))
    return cost


def _per_output(net: Network, z: list, a: list, T: np.ndarray) -> np.ndarray:
    if net.cost_function.name == "mse":
        diff = a[-1] - T
        return 0.5 * np.einsum("nm,nm->m", diff, diff) / len(T)
    terms = T * np.logaddexp(0.0, -z[-1]) + (1.0 - T) * np.logaddexp(0.0, z[-1])
    return terms.sum(axis=0) / len(T)


def _backward(net: Network, z: list, a: list, T: np.ndarray) -> tuple[np.ndarray, list]:
    """The gradient vector, laid out like ``net.params``, and the deltas δ^l."""
    L = net.num_layers
    delta = [None] * L
    delta[-1] = a[-1] - T
    if net.cost_function.name == "mse":
        delta[-1] = delta[-1] * net.output_activation.derivative(z[-1], a[-1])
    for l in range(L - 2, -1, -1):
        delta[l] = (delta[l + 1] @ net.weights[l + 1].T) * net.activation.derivative(z[l], a[l + 1])
    parts = []
    for l in range(L):
        gW = (a[l].T @ delta[l]) * (1.0 / len(T))
        if net.regularized:
            gW += net.regularization_rate * net.regularizer.gradient(net.weights[l])
        parts += [gW.ravel(), delta[l].sum(axis=0) * (1.0 / len(T))]
    return np.concatenate(parts), delta


def reference_run(
    net: Network,
    X: np.ndarray,
    T: np.ndarray,
    learning_rate: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    X_test: np.ndarray | None = None,
    T_test: np.ndarray | None = None,
) -> dict:
    """Train ``net`` in place; return its records, each row as the Trainer defines it, and
    the epoch it diverged at (or None)."""
    rng = np.random.default_rng(seed)
    offsets = net.layer_offsets
    rows: dict[str, list] = {k: [] for k in ("cost", "delta", "grad", "outputs", "acc", "test")}
    rows["test_acc"] = []
    diverged_at, previous = None, net.params.copy()
    with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
        for epoch in range(epochs):
            z, a = _forward(net, X)
            cost = _cost(net, z, a, T)
            grad, delta = _backward(net, z, a, T)
            norms = [math.sqrt(np.vdot(grad[s:e], grad[s:e])) for s, e in zip(offsets, offsets[1:])]
            if not math.isfinite(cost + sum(norms)):
                if epoch > 0:
                    net.params[...] = previous
                diverged_at = epoch
                break
            rows["cost"].append(cost)
            rows["delta"].append(
                [np.vdot(np.abs(d), np.full(d.shape, 1.0 / d.size)) for d in delta]
            )
            rows["grad"].append(norms)
            rows["outputs"].append(_per_output(net, z, a, T))
            rows["acc"].append(np.all(np.round(a[-1]) == T, axis=1).mean())
            if X_test is not None:
                z_test, a_test = _forward(net, X_test)
                rows["test"].append(_cost(net, z_test, a_test, T_test))
                rows["test_acc"].append(np.all(np.round(a_test[-1]) == T_test, axis=1).mean())
            previous = net.params.copy()
            if batch_size is None:
                net.params -= grad * learning_rate
                continue
            order = rng.permutation(len(X))
            for start in range(0, len(X), batch_size):
                batch = order[start : start + batch_size]
                net.params -= _backward(net, *_forward(net, X[batch]), T[batch])[0] * learning_rate
            if not np.all(np.isfinite(net.params)):  # a slice blew up within this epoch
                net.params[...] = previous
                diverged_at = epoch + 1
                break
        else:
            if not np.all(np.isfinite(net.params)):  # the very last update blew up
                net.params[...] = previous
                diverged_at = epochs
    records = {name: np.array(values) for name, values in rows.items()}
    with np.errstate(over="ignore"):  # the history keeps these in float32 too
        for name in ("delta", "grad"):
            records[name] = records[name].reshape(-1, net.num_layers).astype(np.float32)
        for name in ("outputs", "acc", "test_acc"):
            records[name] = records[name].astype(np.float32)
    records["diverged_at"] = diverged_at
    records["rng_state"] = rng.bit_generator.state
    return records

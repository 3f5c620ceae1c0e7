"""The training loops compiled with numba: backprop written as the derivation writes it, one row
and one neuron at a time, for the ``Trainer`` (``compiled.py`` drives it).

    z_j = Σ_i a_i w_ij + b_j,  a_j = σ(z_j)
    δ_j = ∂C_x/∂a_j σ′(z_j) at the output,  δ_j = σ′(z_j) Σ_k w_jk δ_k below it
    ∂C/∂w_ij = (1/n) Σ_x a_i δ_j + λ ∂R/∂w_ij,  ∂C/∂b_j = (1/n) Σ_x δ_j

Parameters are the flat vector of ``Network.params`` (W^1, b^1, W^2, b^2, …, each W row-major).
``Network.forward`` and ``Network.backward`` stay the numpy reference; the tests hold these
loops to them. The functions release the interpreter lock (``nogil``), so two students train
on two cores in one process, and are compiled once into a cache on disk.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

# numba reads this when it is imported: keep its compiled code beside the project, git-ignored.
os.environ.setdefault("NUMBA_CACHE_DIR", str(Path(__file__).resolve().parent.parent / ".numba"))

from numba import njit  # noqa: E402

from .buffers import COST, LAYERS, PENALTY, TEST_ACCURACY, TEST_COST  # noqa: E402

ACTIVATION_CODES = {"sigmoid": 0, "tanh": 1, "relu": 2, "leaky_relu": 3, "identity": 4}
COST_CODES = {"mse": 0, "cross_entropy": 1}
PENALTY_CODES = {"none": 0, "l1": 1, "l2": 2}
LEAKY_SLOPE = 0.01
# codes[...]: the cost, the penalty, whether there is a test set, whether to score it
CODE_COST, CODE_PENALTY, CODE_TEST, CODE_ACCURACY = 0, 1, 2, 3

_compiled = njit(cache=True, nogil=True)
_inlined = njit(cache=True, nogil=True, inline="always")


@_inlined
def sigma(code: int, z: float) -> float:
    """σ(z) for the activation ``code``; the sigmoid as (1 + tanh(z/2)) / 2, as numpy has it."""
    if code == 0:
        return (math.tanh(z * 0.5) + 1.0) * 0.5
    if code == 1:
        return math.tanh(z)
    if code == 2:
        return 0.0 if z <= 0.0 else z
    if code == 3:
        return z if z > 0.0 else LEAKY_SLOPE * z
    return z


@_inlined
def sigma_prime(code: int, z: float, a: float) -> float:
    """σ′(z), from z and a = σ(z)."""
    if code == 0:
        return (1.0 - a) * a
    if code == 1:
        return 1.0 - a * a
    if code == 2:
        return 1.0 if z > 0.0 else 0.0
    if code == 3:
        return 1.0 if z > 0.0 else LEAKY_SLOPE
    return 1.0


@_inlined
def softplus(z: float) -> float:
    """ln(1 + e^z) without overflow: numpy's logaddexp(0, z)."""
    if z > 0.0:
        return z + math.log1p(math.exp(-z))
    if z <= 0.0:
        return math.log1p(math.exp(z))
    return z + 0.0  # NaN


@_compiled
def offsets(sizes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Where W^l starts in the parameters, where z^l starts in a row's z (and δ), and where
    a^{l-1} starts in a row's a (a^0 first): one entry per layer, plus the end."""
    L = len(sizes) - 1
    w, z, a = np.zeros(L + 1, np.int64), np.zeros(L + 1, np.int64), np.zeros(L + 2, np.int64)
    for l in range(L):
        w[l + 1] = w[l] + sizes[l] * sizes[l + 1] + sizes[l + 1]
        z[l + 1] = z[l] + sizes[l + 1]
        a[l + 1] = a[l] + sizes[l]
    a[L + 1] = a[L] + sizes[L]
    return w, z, a


@_inlined
def forward_row(params, x, sizes, acts, w_off, z_off, a_off, z, a) -> None:
    """z_j = Σ_i a_i w_ij + b_j and a_j = σ(z_j), layer by layer, for one row x."""
    for i in range(sizes[0]):
        a[i] = x[i]
    for l in range(len(sizes) - 1):
        # Offsets held in locals: numba cannot tell that writing z leaves them unchanged.
        m, n, code = sizes[l], sizes[l + 1], acts[l]
        W, zl, a_in, a_out = w_off[l], z_off[l], a_off[l], a_off[l + 1]
        b = W + m * n
        for j in range(n):
            z_j = 0.0
            for i in range(m):
                z_j += a[a_in + i] * params[W + i * n + j]
            z_j += params[b + j]
            z[zl + j] = z_j
            a[a_out + j] = sigma(code, z_j)


@_inlined
def backward_row(params, t, sizes, acts, cost, w_off, z_off, a_off, z, a, delta, grad) -> None:
    """δ for one row, from the output down, added into grad as a_i δ_j and δ_j."""
    L = len(sizes) - 1
    out, a_L, code = z_off[L - 1], a_off[L], acts[L - 1]
    for j in range(sizes[L]):
        a_j = a[a_L + j]
        if cost == 1:  # cross-entropy on sigmoid outputs: σ′ cancels
            delta[out + j] = a_j - t[j]
        else:
            delta[out + j] = (a_j - t[j]) * sigma_prime(code, z[out + j], a_j)
    for l in range(L - 2, -1, -1):  # δ^l_j = σ′(z^l_j) Σ_k w^{l+1}_jk δ^{l+1}_k
        n, k, code = sizes[l + 1], sizes[l + 2], acts[l]
        W, below, above, a_l = w_off[l + 1], z_off[l], z_off[l + 1], a_off[l + 1]
        for j in range(n):
            s, row = 0.0, W + j * k
            for q in range(k):
                s += params[row + q] * delta[above + q]
            delta[below + j] = s * sigma_prime(code, z[below + j], a[a_l + j])
    for l in range(L):  # ∂C_x/∂w_ij = a_i δ_j,  ∂C_x/∂b_j = δ_j
        m, n = sizes[l], sizes[l + 1]
        W, zl, a_in = w_off[l], z_off[l], a_off[l]
        b = W + m * n
        for i in range(m):
            a_i, row = a[a_in + i], W + i * n
            for j in range(n):
                grad[row + j] += a_i * delta[zl + j]
        for j in range(n):
            grad[b + j] += delta[zl + j]


@_compiled
def add_penalty(params, sizes, w_off, penalty, rate, grad) -> float:
    """∂C/∂W^l += λ ∂R/∂W^l (R = Σ|w| or ½Σw², weights only); returns λ R(W)."""
    total = 0.0
    for l in range(len(sizes) - 1):
        for p in range(w_off[l], w_off[l] + sizes[l] * sizes[l + 1]):
            w = params[p]
            if penalty == 1:
                total += abs(w)
                grad[p] += rate * (1.0 if w > 0.0 else (-1.0 if w < 0.0 else 0.0 * w))
            else:
                total += w * w
                grad[p] += rate * w
    return rate * (total if penalty == 1 else 0.5 * total)


@_inlined
def row_cost(cost, z, a, t, z_first, a_first) -> float:
    """C_x over the outputs z^L = z[z_first:], a^L = a[a_first:]: ½‖a^L − t‖², or the
    cross-entropy, from z^L."""
    c = 0.0
    for j in range(len(t)):
        if cost == 1:
            c += t[j] * softplus(-z[z_first + j]) + (1.0 - t[j]) * softplus(z[z_first + j])
        else:
            d = a[a_first + j] - t[j]
            c += 0.5 * d * d
    return c


@_compiled
def gradient(params, X, T, rows, begin, end, layout, codes, rate, work, grad, rec, zs, as_):
    """∂C/∂θ over the rows ``rows[begin:end]`` into grad. With ``rec`` (a record row, the
    whole training set in order), also the cost, λR, mean |δ^l| and ‖∂C/∂(W^l, b^l)‖² into
    it, and z^L and a^L of each row into zs and as_."""
    sizes, acts, w_off, z_off, a_off = layout
    L = len(sizes) - 1
    width = z_off[L]
    z, a, delta = work[:width], work[width : 2 * width + sizes[0]], work[2 * width + sizes[0] :]
    grad[:] = 0.0
    recording = len(rec) > 0
    if recording:
        rec[:] = 0.0
    out, m = z_off[L - 1], sizes[L]
    cost = 0.0
    for r in range(begin, end):
        x = rows[r]
        forward_row(params, X[x], sizes, acts, w_off, z_off, a_off, z, a)
        backward_row(params, T[x], sizes, acts, codes[0], w_off, z_off, a_off, z, a, delta, grad)
        if recording:
            cost += row_cost(codes[0], z, a, T[x], out, a_off[L])
            for j in range(m):
                zs[r, j], as_[r, j] = z[out + j], a[a_off[L] + j]
            for l in range(L):
                for j in range(z_off[l], z_off[l + 1]):
                    rec[LAYERS + l] += abs(delta[j])
    scale = 1.0 / (end - begin)
    for p in range(len(grad)):
        grad[p] *= scale
    penalty = 0.0
    if codes[1] != 0 and rate > 0.0:
        penalty = add_penalty(params, sizes, w_off, codes[1], rate, grad)
    if recording:
        rec[COST] = cost / (end - begin) + penalty
        rec[PENALTY] = penalty
        for l in range(L):
            rec[LAYERS + l] /= (end - begin) * sizes[l + 1]
            s = 0.0
            for p in range(w_off[l], w_off[l + 1]):
                s += grad[p] * grad[p]
            rec[LAYERS + L + l] = s


@_compiled
def test_scores(params, X, T, layout, codes, work, rec) -> None:
    """The test set's cost (λR included) and the share of its rows whose outputs all round to
    their targets, into the record row (which holds λR already)."""
    sizes, acts, w_off, z_off, a_off = layout
    L = len(sizes) - 1
    width = z_off[L]
    z, a = work[:width], work[width : 2 * width + sizes[0]]
    cost, right = 0.0, 0
    for x in range(len(X)):
        forward_row(params, X[x], sizes, acts, w_off, z_off, a_off, z, a)
        cost += row_cost(codes[0], z, a, T[x], z_off[L - 1], a_off[L])
        if codes[3]:
            hit = True
            for j in range(sizes[L]):
                if np.rint(a[a_off[L] + j]) != T[x, j]:
                    hit = False
            if hit:
                right += 1
    rec[TEST_COST] = cost / len(X) + rec[PENALTY]
    rec[TEST_ACCURACY] = right / len(X)


@_compiled
def finite(values) -> bool:
    for v in values:
        if not math.isfinite(v):
            return False
    return True


@_compiled
def layout_of(sizes, acts):
    """The sizes and activations with the offsets every loop needs, worked out once a call."""
    w_off, z_off, a_off = offsets(sizes)
    return sizes, acts, w_off, z_off, a_off


@_compiled
def epoch_record(params, X, T, X_test, T_test, rows, layout, codes, rate, work, grad, rec, zs, as_):
    """One epoch's record at θ (the whole training set, in order): see ``gradient``; returns
    whether the cost and the gradient norms are finite."""
    gradient(params, X, T, rows, 0, len(X), layout, codes, rate, work, grad, rec, zs, as_)
    if codes[2]:
        test_scores(params, X_test, T_test, layout, codes, work, rec)
    L = len(layout[0]) - 1
    total = rec[COST]
    for l in range(L):
        total += math.sqrt(rec[LAYERS + L + l])
    return math.isfinite(total)


@_compiled
def record(params, X, T, X_test, T_test, rows, sizes, acts, codes, rate, work, grad, rec, zs, as_):
    """``epoch_record`` on its own: the first record of an epoch of mini-batches."""
    layout = layout_of(sizes, acts)
    return epoch_record(
        params, X, T, X_test, T_test, rows, layout, codes, rate, work, grad, rec, zs, as_
    )


@_compiled
def full_batch(
    params, previous, X, T, X_test, T_test, rows, sizes, acts, codes, eta, rate, work, grad,
    recs, zs, as_, first, epochs,
):
    """Epochs first … first + epochs − 1 of θ ← θ − η ∂C/∂θ on the whole training set, each
    recorded in ``recs[e]``, ``zs[e]``, ``as_[e]`` from the θ it starts from, which it leaves
    in ``previous``. Returns (epochs recorded, whether training diverged): on a non-finite
    cost or gradient θ goes back to the epoch before's, on a non-finite θ to this epoch's."""
    layout = layout_of(sizes, acts)
    for e in range(first, first + epochs):
        ok = epoch_record(
            params, X, T, X_test, T_test, rows, layout, codes, rate, work, grad,
            recs[e], zs[e], as_[e],
        )
        if not ok:
            params[:] = previous
            return e - first, True
        previous[:] = params
        for p in range(len(params)):
            params[p] -= grad[p] * eta
        if not finite(params):
            params[:] = previous
            return e - first + 1, True
    return epochs, False


@_compiled
def slices(params, X, T, order, begin, end, batch, sizes, acts, codes, eta, rate, work, grad):
    """θ ← θ − η ∂C/∂θ on each slice of ``batch`` rows of ``order``, from position ``begin``
    to ``end`` (the last slice of an epoch may be shorter)."""
    layout = layout_of(sizes, acts)
    none, empty = np.empty(0), np.empty((0, 0))
    for start in range(begin, end, batch):
        stop = min(start + batch, len(order))
        gradient(
            params, X, T, order, start, stop, layout, codes, rate, work, grad, none, empty, empty
        )
        for p in range(len(params)):
            params[p] -= grad[p] * eta

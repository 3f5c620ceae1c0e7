"""Gradient descent, full-batch or in shuffled mini-batches, with a per-epoch history.

``history.cost[i]`` is the cost of the parameters after i updates, i.e. the
parameters that update i+1 starts from; it comes from that update's own forward
pass. Likewise ``delta_magnitude[i, l]`` (mean |δ^{l+1}| over samples and units),
``gradient_norm[i, l]`` (‖∂C/∂W^{l+1}‖ and ‖∂C/∂b^{l+1}‖ together, Frobenius) and, with
``track_outputs``, ``output_cost[i, j]`` (output j's share of the cost). With mini-batches
these still come from one pass over the whole training set at the start of each epoch.
``test_cost[i]`` is the same parameters' cost on the test set (NaN without one), and
``accuracy[i]`` / ``test_accuracy[i]`` the share of rows whose every output rounds to its
target: recorded when every target is 0 or 1 and there is a test set or ``track_accuracy``,
NaN otherwise.
"""

from __future__ import annotations

import math
import numbers
import time

import numpy as np

from .network import ForwardPass, Gradients, Network
from .validation import brief

MAX_EPOCHS_PER_CALL = 100_000_000
GROW_BY = 1 << 16  # history rows added at a time, so a time-boxed huge request stays small
BLOCK = 256  # epochs staged, converted into the history and checked for divergence at a time
STAGED_OUTPUTS = 1 << 18  # at most this many a^L values (and as many z^L) staged per block


def check_batch_size(batch_size: object, n: int) -> int | None:
    """None for full batch (so is n or more); otherwise a whole number from 1 to n."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(
            f"batch size must be a whole number from 1 to {n}, got {brief(batch_size)}"
        )
    if not 1 <= batch_size <= n:
        raise ValueError(f"batch size must be from 1 to {n} (the training rows), got {batch_size}")
    return None if batch_size == n else int(batch_size)


def validate_learning_rate(learning_rate: object) -> float:
    """Return η as a float, or raise a ValueError unless it is a finite number > 0."""
    if isinstance(learning_rate, bool) or not isinstance(learning_rate, numbers.Real):
        raise ValueError(f"learning rate must be a finite number > 0, got {brief(learning_rate)}")
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(f"learning rate must be a finite number > 0, got {brief(learning_rate)}")
    return float(learning_rate)


HISTORY_BUFFERS = (
    "_cost",
    "_delta",
    "_grad",
    "_outputs",
    "_test_cost",
    "_accuracy",
    "_test_accuracy",
)


def accuracy(outputs: np.ndarray, T: np.ndarray) -> float | np.ndarray:
    """The share of rows whose every output, rounded to 0 or 1, equals its target; for stacked
    (epochs, n, n_L) outputs, one share per epoch."""
    right = np.all(np.round(outputs) == T, axis=-1).mean(axis=-1)
    return float(right) if right.ndim == 0 else right


class History:
    """Growable per-epoch records; float32 for the per-layer ones keeps 1e6 epochs ~30 MB.

    ``output_cost`` (epochs, n_L) is kept only when asked for: each output's share of C.
    """

    def __init__(self, num_layers: int, num_outputs: int = 0) -> None:
        self._cost = np.empty(1024)
        self._delta = np.empty((1024, num_layers), dtype=np.float32)
        self._grad = np.empty((1024, num_layers), dtype=np.float32)
        self._outputs = np.empty((1024, num_outputs), dtype=np.float32)
        self._test_cost = np.full(1024, np.nan)
        self._accuracy = np.full(1024, np.nan, dtype=np.float32)
        self._test_accuracy = np.full(1024, np.nan, dtype=np.float32)
        self._n = 0
        self.diverged_at: int | None = None

    def __len__(self) -> int:
        return self._n

    def extend(
        self,
        cost: np.ndarray,
        delta_magnitude: np.ndarray,
        gradient_norm: np.ndarray,
        output_cost: np.ndarray | None = None,
    ) -> None:
        """Append recorded epochs, for example a saved run's, after checking their shapes."""
        n, layers = len(cost), self._delta.shape[1]
        outputs = np.empty((n, 0)) if output_cost is None else output_cost
        for name, rows, width in (
            ("delta_magnitude", delta_magnitude, layers),
            ("gradient_norm", gradient_norm, layers),
            ("output_cost", outputs, self._outputs.shape[1]),
        ):
            if np.shape(rows) != (n, width) and not (name == "output_cost" and width == 0):
                raise ValueError(f"{name} must have shape ({n}, {width}), got {np.shape(rows)}")
        self.reserve(n)
        end = self._n + n
        self._cost[self._n : end] = cost
        self._delta[self._n : end] = delta_magnitude
        self._grad[self._n : end] = gradient_norm
        if self._outputs.shape[1]:
            self._outputs[self._n : end] = outputs
        for unknown in (self._test_cost, self._accuracy, self._test_accuracy):
            unknown[self._n : end] = np.nan  # not in the saved record
        self._n = end

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def cost(self) -> np.ndarray:
        return self._cost[: self._n]

    @property
    def test_cost(self) -> np.ndarray:
        return self._test_cost[: self._n]

    @property
    def accuracy(self) -> np.ndarray:
        return self._accuracy[: self._n]

    @property
    def test_accuracy(self) -> np.ndarray:
        return self._test_accuracy[: self._n]

    @property
    def delta_magnitude(self) -> np.ndarray:
        return self._delta[: self._n]

    @property
    def gradient_norm(self) -> np.ndarray:
        return self._grad[: self._n]

    @property
    def output_cost(self) -> np.ndarray:
        return self._outputs[: self._n]

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more epochs, doubling so appends stay amortised O(1)."""
        need = self._n + extra
        if need <= len(self._cost):
            return
        size = max(need, 2 * len(self._cost))
        for name in HISTORY_BUFFERS:
            old = getattr(self, name)
            new = np.full((size,) + old.shape[1:], np.nan, dtype=old.dtype)
            new[: self._n] = old[: self._n]
            setattr(self, name, new)

    def truncate(self, epochs: int) -> None:
        """Forget every epoch from ``epochs`` on (used when rewinding)."""
        self._n = min(self._n, epochs)
        self.diverged_at = None


class _Stage:
    """One block of epochs' records in float64, before they go into the history: the cost,
    mean |δ^l|, ‖∂C/∂(W^l, b^l)‖², the test set's cost and accuracy (Python lists, which take
    a number faster than an array does), and a^L and z^L (arrays, with a view per epoch)."""

    def __init__(self, epochs: int, rows: int, outputs: int) -> None:
        self.cost = np.empty(epochs)  # filled once per block, from a^L and z^L
        self.penalty, self.delta, self.grad_squared = [0.0] * epochs, [()] * epochs, [()] * epochs
        self.test_cost, self.test_accuracy = [0.0] * epochs, [0.0] * epochs
        self.z_out = np.empty((epochs, rows, outputs))
        self.a_out = np.empty((epochs, rows, outputs))
        self.outputs = list(zip(self.z_out, self.a_out))


class _Workspace:
    """Every buffer one ``step`` call needs, allocated once, so that an epoch allocates
    nothing: a forward pass and gradients for the training set, the test set and each
    mini-batch size, the update, the parameters to roll back to, and the staged records."""

    def __init__(self, trainer: Trainer, epochs: int) -> None:
        net, n = trainer.network, len(trainer.X)
        self.sizes = net.sizes
        self.fwd = ForwardPass.empty(net.sizes, n)
        self.grads = Gradients.empty(net.sizes, n)
        test = trainer.X_test
        self.test = None if test is None else ForwardPass.empty(net.sizes, len(test))
        self.step, self.previous, self.last_start = (np.empty_like(net.params) for _ in range(3))
        self.abs_delta = np.empty_like(self.grads.delta_vector)
        ends = np.cumsum([0] + [n * k for k in net.sizes[1:]])
        # mean |δ^l| as a dot product with 1/size weights: cheaper than abs().mean() on tiny arrays
        self.mean_abs_delta = [
            (self.abs_delta[s:e], np.full(e - s, 1.0 / (e - s))) for s, e in zip(ends, ends[1:])
        ]
        offsets = net.layer_offsets
        self.layer_grads = [self.grads.vector[p:q] for p, q in zip(offsets, offsets[1:])]
        outputs = net.sizes[-1]
        block = max(1, min(epochs, STAGED_OUTPUTS // (n * outputs)))
        self.stage = _Stage(block, n, outputs)
        self.block = block
        self._batches: dict[int, tuple[ForwardPass, Gradients]] = {}

    def batch(self, rows: int) -> tuple[ForwardPass, Gradients]:
        """The buffers for a mini-batch of ``rows`` rows."""
        if rows not in self._batches:
            self._batches[rows] = (
                ForwardPass.empty(self.sizes, rows),
                Gradients.empty(self.sizes, rows),
            )
        return self._batches[rows]

    def finish_block(self, network: Network, T: np.ndarray, epochs: int) -> int | None:
        """Fill in the staged costs; return the first epoch whose cost plus gradient norms is
        not finite, if any."""
        if epochs == 0:
            return None
        stage = self.stage
        cost = network.cost_function.value(stage.z_out[:epochs], stage.a_out[:epochs], T)
        stage.cost[:epochs] = cost
        if network.regularized:
            stage.cost[:epochs] += stage.penalty[:epochs]
        total = stage.cost[:epochs].copy()
        for norms in np.sqrt(self.stage.grad_squared[:epochs]).T:
            total += norms
        bad = np.flatnonzero(~np.isfinite(total))
        return int(bad[0]) if len(bad) else None


class Trainer:
    """Trains ``network`` in place on (X, T) by gradient descent, W ← W − η ∂C/∂W.

    ``batch_size`` None (or n and up) is full-batch gradient descent. From 1 to n − 1, every
    epoch visits each row once, in an order shuffled from ``default_rng(seed)``, and updates
    after each slice of ``batch_size`` rows with the full-batch formula on that slice; the last
    slice of an epoch is smaller when n is not a multiple of the batch size.
    """

    def __init__(
        self,
        network: Network,
        X: np.ndarray,
        T: np.ndarray,
        learning_rate: float = 0.5,
        batch_size: int | None = None,
        seed: int = 0,
        X_test: np.ndarray | None = None,
        T_test: np.ndarray | None = None,
        track_outputs: bool = False,
        track_accuracy: bool = False,
    ) -> None:
        X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
        network.check_data(X, T)
        self.network, self.X, self.T = network, X, T
        self.learning_rate = learning_rate
        self.batch_size = check_batch_size(batch_size, len(X))
        self._rng = np.random.default_rng(seed)
        if (X_test is None) != (T_test is None):
            raise ValueError("give both X_test and T_test, or neither")
        if X_test is not None:
            X_test, T_test = np.asarray(X_test, dtype=float), np.asarray(T_test, dtype=float)
            network.check_data(X_test, T_test)
        self.X_test, self.T_test = X_test, T_test
        targets = T if T_test is None else np.vstack([T, T_test])
        binary = bool(np.all((targets == 0) | (targets == 1)))
        # Off by default: four more numpy calls an epoch cost the half adder 18 % of its speed.
        self.track_accuracy = binary and (track_accuracy or X_test is not None)
        self.track_outputs = track_outputs
        self.history = History(network.num_layers, T.shape[1] if track_outputs else 0)
        # (parameters at the end of the last step call, the parameters its last epoch started
        # from): so that a divergence in the first epoch of a call can still roll back.
        self._left: tuple[np.ndarray, np.ndarray] | None = None

    @property
    def learning_rate(self) -> float:
        return self._learning_rate

    @learning_rate.setter
    def learning_rate(self, value: float) -> None:
        self._learning_rate = validate_learning_rate(value)

    @property
    def epoch(self) -> int:
        """How many epochs the history holds."""
        return len(self.history)

    def step(self, epochs: int = 1, max_seconds: float | None = None) -> int:
        """Run up to ``epochs`` updates (fewer on divergence or after ``max_seconds``).

        Returns how many epochs were recorded. On a non-finite cost or gradient the
        network goes back to the last parameters with a finite cost, and training stops.
        """
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
            raise ValueError(f"epochs must be a whole number, got {brief(epochs)}")
        if not 0 <= epochs <= MAX_EPOCHS_PER_CALL:
            raise ValueError(f"epochs must be from 0 to {MAX_EPOCHS_PER_CALL}, got {epochs}")
        if self.history.diverged or epochs == 0:
            return 0
        self.network.sync()
        self.history.reserve(min(int(epochs), GROW_BY))
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        work = _Workspace(self, min(int(epochs), BLOCK))
        work.previous[...] = self._previous_params()
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < epochs:
                size = min(work.block, epochs - done)
                start = (self.network.params.copy(), self._rng_state())
                ran = self._block(work, size, done, deadline)
                bad = work.finish_block(self.network, self.T, ran)
                self._commit(work, ran if bad is None else bad)
                if bad is not None:
                    self._roll_back(work, start, bad)
                    done += bad
                    break
                done += ran
                if ran:
                    work.previous, work.last_start = work.last_start, work.previous
                if ran < size:
                    break  # the deadline passed
        self._left = (self.network.params.copy(), work.previous)
        return done

    def _block(self, work: _Workspace, size: int, done: int, deadline: float | None) -> int:
        """Run up to ``size`` epochs, staging their records in ``work``; fewer if the
        deadline passes (checked every 16 epochs). Returns how many ran."""
        net, X, T = self.network, self.X, self.T
        fwd, grads, stage = work.fwd, work.grads, work.stage
        eta = np.array(self._learning_rate)  # a 0-d array is cheaper in a ufunc than a float
        regularized = net.regularized
        for e in range(size):
            if deadline is not None and (done + e) % 16 == 0 and time.perf_counter() > deadline:
                return e
            if e == size - 1 or (deadline is not None and (done + e + 1) % 16 == 0):
                np.copyto(work.last_start, net.params)  # this may be the call's last epoch
            fwd.z[-1], fwd.a[-1] = stage.outputs[e]  # z^L and a^L kept for the block's records
            net.forward(X, out=fwd)
            if regularized:
                stage.penalty[e] = net.penalty()
            net.backward(fwd, T, out=grads)
            np.abs(grads.delta_vector, out=work.abs_delta)
            stage.delta[e] = [abs_delta.dot(w) for abs_delta, w in work.mean_abs_delta]
            stage.grad_squared[e] = [g.dot(g) for g in work.layer_grads]
            if self.X_test is not None:
                test = net.forward(self.X_test, out=work.test)
                stage.test_cost[e] = net.cost_of(test, self.T_test)
                if self.track_accuracy:
                    stage.test_accuracy[e] = accuracy(test.a[-1], self.T_test)
            if self.batch_size is None:
                np.multiply(grads.vector, eta, out=work.step)
                np.subtract(net.params, work.step, out=net.params)
            else:
                self._mini_batches(work, eta)
        return size

    def _commit(self, work: _Workspace, epochs: int) -> None:
        """Append the first ``epochs`` staged rows to the history, converting them in one go."""
        hist, stage, i = self.history, work.stage, len(self.history)
        hist.reserve(epochs)
        rows = slice(i, i + epochs)
        hist._cost[rows] = stage.cost[:epochs]
        if epochs:
            hist._delta[rows] = stage.delta[:epochs]
            hist._grad[rows] = np.sqrt(stage.grad_squared[:epochs])
        z_out, a_out = stage.z_out[:epochs], stage.a_out[:epochs]
        if self.track_outputs:
            hist._outputs[rows] = self.network.cost_function.per_output(z_out, a_out, self.T)
        if self.track_accuracy:
            hist._accuracy[rows] = accuracy(a_out, self.T)
        if self.X_test is not None:
            hist._test_cost[rows] = stage.test_cost[:epochs]
            if self.track_accuracy:
                hist._test_accuracy[rows] = stage.test_accuracy[:epochs]
        hist._n = i + epochs

    def _mini_batches(self, work: _Workspace, eta: np.ndarray) -> None:
        """One epoch of updates, one per slice of a fresh shuffle of the rows."""
        net, size = self.network, self.batch_size
        order = self._rng.permutation(len(self.X))
        for start in range(0, len(order), size):
            rows = order[start : start + size]
            fwd, grads = work.batch(len(rows))
            T = self.T[rows]
            net.backward(net.forward(self.X[rows], out=fwd), T, out=grads)
            np.multiply(grads.vector, eta, out=work.step)
            np.subtract(net.params, work.step, out=net.params)

    def _rng_state(self) -> dict | None:
        return None if self.batch_size is None else self._rng.bit_generator.state

    def _roll_back(self, work: _Workspace, start: tuple, bad: int) -> None:
        """A block diverged at its epoch ``bad``: go back to the parameters the epoch before it
        started from (replayed from the block's ``start``), and leave the shuffles drawn as if
        training had stopped right there."""
        params, rng_state = start
        if bad == 0:
            np.copyto(self.network.params, work.previous)
            if rng_state is not None:
                self._rng.bit_generator.state = rng_state
        else:
            np.copyto(self.network.params, params)
            if rng_state is not None:
                self._rng.bit_generator.state = rng_state
            self._block(work, bad - 1, 0, None)
            if rng_state is not None:
                self._rng.permutation(len(self.X))  # the shuffle of epoch bad − 1
        self.history.diverged_at = len(self.history)

    def _previous_params(self) -> np.ndarray:
        """The parameters the last recorded epoch started from, if the network still holds
        what the last call left; otherwise the current ones (nothing earlier is known)."""
        if self._left is not None and np.array_equal(self._left[0], self.network.params):
            return self._left[1]
        return self.network.params

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
from .thinning import Curve, Thinned
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


EXACT_EPOCHS = 10**6  # epochs the history keeps row by row; beyond, only the thinned records
RECORDS = (  # name: float64 for the costs, float32 for the rest
    "cost",
    "delta_magnitude",
    "gradient_norm",
    "output_cost",
    "test_cost",
    "accuracy",
    "test_accuracy",
    "row_cost",
)
THINNED_ONLY = ("row_cost",)  # one column per row (group): too wide to keep row by row


def accuracy(outputs: np.ndarray, T: np.ndarray) -> float | np.ndarray:
    """The share of rows whose every output, rounded to 0 or 1, equals its target; for stacked
    (epochs, n, n_L) outputs, one share per epoch."""
    right = np.all(np.round(outputs) == T, axis=-1).mean(axis=-1)
    return float(right) if right.ndim == 0 else right


class History:
    """Per-epoch records: the first ``exact_epochs`` epochs row by row, and every epoch thinned.

    The arrays ``cost``, ``delta_magnitude``, … (see the module's docstring) hold one row per
    epoch for the first ``exact_epochs`` epochs; ``len(history)`` counts every epoch. Past
    them the rows are not kept, so memory stays bounded (float32 for all but the costs keeps
    10⁶ epochs at about 30 MB). ``curves()`` gives every record over all the epochs as a
    ``thinning.Curve`` of at most ``thinning.POINTS`` rows, each bucket's minimum and maximum
    in the order they came (``thinning.envelope``). It is kept up to date as epochs arrive, so
    reading it costs the same at epoch 10³ and at epoch 10⁸.

    ``row_groups`` > 0 adds the thinned-only record ``row_cost``: per epoch, each group of
    training rows' share Σ_{x in group} C_x / n of the cost (they sum to the cost less any
    penalty). It has no exact rows; a rewind leaves a gap in it (see ``Thinned.cut``).
    """

    def __init__(
        self,
        num_layers: int,
        num_outputs: int = 0,
        exact_epochs: int = EXACT_EPOCHS,
        row_groups: int = 0,
    ) -> None:
        widths = dict.fromkeys(RECORDS, None)
        widths.update(delta_magnitude=num_layers, gradient_norm=num_layers)
        widths.update(output_cost=num_outputs, row_cost=row_groups)
        self._widths = widths
        self.exact_epochs = exact_epochs
        self._rows = {
            name: self._empty(name, min(1024, exact_epochs))
            for name in RECORDS
            if name not in THINNED_ONLY
        }
        self._thinned = self._new_thinned(RECORDS)
        self._n = 0
        self._fed = 0  # epochs in the thinned records; the rest are still only in the rows
        self.diverged_at: int | None = None

    def _dtype(self, name: str) -> type:
        """float64 for the costs, float32 for every per-layer, per-output or per-row record."""
        return np.float64 if name.endswith("cost") and self._widths[name] is None else np.float32

    def _empty(self, name: str, size: int) -> np.ndarray:
        width = self._widths[name]
        return np.full((size,) if width is None else (size, width), np.nan, self._dtype(name))

    def _new_thinned(self, names: tuple[str, ...]) -> dict[str, Thinned]:
        return {
            name: Thinned(self._widths[name], self._dtype(name))
            for name in names
            if self._widths[name] != 0
        }

    def __len__(self) -> int:
        return self._n

    def append(self, epochs: int, **records: np.ndarray) -> None:
        """Add ``epochs`` epochs: each record named in RECORDS is an array of that many rows.
        A record left out stays NaN (not recorded)."""
        start, end = self._n, self._n + epochs
        kept = max(0, min(end, self.exact_epochs) - start)
        if kept:
            self.reserve(kept)
            for name, rows in records.items():
                if name in self._rows and self._widths[name] != 0:
                    self._rows[name][start : start + kept] = rows[:kept]
        eager = THINNED_ONLY if end <= self.exact_epochs else tuple(self._thinned)
        if end > self.exact_epochs:  # from here on the thinned records are all there is
            self._feed()
            self._fed = end
        for name in eager:
            if name in self._thinned:
                rows = records.get(name)
                self._thinned[name].append(self._empty(name, epochs) if rows is None else rows)
        self._n = end

    def extend(
        self,
        cost: np.ndarray,
        delta_magnitude: np.ndarray,
        gradient_norm: np.ndarray,
        output_cost: np.ndarray | None = None,
    ) -> None:
        """Append recorded epochs, for example a saved run's, after checking their shapes."""
        n = len(cost)
        records = dict(cost=cost, delta_magnitude=delta_magnitude, gradient_norm=gradient_norm)
        if self._widths["output_cost"]:
            records["output_cost"] = output_cost
        for name, rows in records.items():
            width = self._widths[name]
            if width is not None and np.shape(rows) != (n, width):
                raise ValueError(f"{name} must have shape ({n}, {width}), got {np.shape(rows)}")
        self.append(n, **records)

    def _feed(self) -> None:
        """Bring the thinned records up to date with the rows."""
        end = min(self._n, self.exact_epochs)
        if self._fed < end:
            for name, thinned in self._thinned.items():
                if name in self._rows:
                    thinned.append(self._rows[name][self._fed : end])
            self._fed = end

    def curves(self) -> dict[str, Curve]:
        """Every record over all the epochs, thinned (see the class docstring)."""
        self._feed()
        curves = {name: thinned.curve() for name, thinned in self._thinned.items()}
        if "output_cost" not in curves:
            rows = len(curves["cost"].values)
            curves["output_cost"] = curves["cost"]._replace(values=np.empty((rows, 0)))
        return curves

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def _exact(self, name: str) -> np.ndarray:
        return self._rows[name][: min(self._n, self.exact_epochs)]

    @property
    def cost(self) -> np.ndarray:
        return self._exact("cost")

    @property
    def test_cost(self) -> np.ndarray:
        return self._exact("test_cost")

    @property
    def accuracy(self) -> np.ndarray:
        return self._exact("accuracy")

    @property
    def test_accuracy(self) -> np.ndarray:
        return self._exact("test_accuracy")

    @property
    def delta_magnitude(self) -> np.ndarray:
        return self._exact("delta_magnitude")

    @property
    def gradient_norm(self) -> np.ndarray:
        return self._exact("gradient_norm")

    @property
    def output_cost(self) -> np.ndarray:
        return self._exact("output_cost")

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows, doubling so appends stay amortised O(1), up to
        ``exact_epochs`` rows."""
        need = min(self._n + extra, self.exact_epochs)
        size = len(self._rows["cost"])
        if need <= size:
            return
        size = min(max(need, 2 * size), self.exact_epochs)
        for name, old in self._rows.items():
            new = self._empty(name, size)
            new[: self._n] = old[: self._n]
            self._rows[name] = new

    def truncate(self, epochs: int) -> None:
        """Forget every epoch from ``epochs`` on (used when rewinding). Within the exact rows
        the thinned records are rebuilt from them; past them see ``thinning.Thinned.cut``."""
        if epochs < self._n:
            rebuilt = tuple(self._rows) if epochs <= self.exact_epochs else ()
            for name, thinned in self._thinned.items():
                if name not in rebuilt:
                    thinned.cut(epochs)
            self._thinned.update(self._new_thinned(rebuilt))
            self._fed = 0 if rebuilt else epochs
            self._n = epochs
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
        row_groups: np.ndarray | None = None,
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
        # Row x's cost C_x / n summed into its group (row_groups[x]), recorded each epoch.
        self._row_groups = None
        groups = 0
        if row_groups is not None:
            row_groups = np.asarray(row_groups)
            if row_groups.shape != (len(X),) or not np.issubdtype(row_groups.dtype, np.integer):
                raise ValueError(f"row_groups must hold one whole number per row ({len(X)})")
            groups = int(row_groups.max()) + 1
            self._row_groups = np.zeros((len(X), groups))
            self._row_groups[np.arange(len(X)), row_groups] = 1.0 / len(X)
        outputs = T.shape[1] if track_outputs else 0
        self.history = History(network.num_layers, outputs, row_groups=groups)
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
        if epochs == 0:
            return
        stage = work.stage
        records = dict(
            cost=stage.cost[:epochs],
            delta_magnitude=np.array(stage.delta[:epochs]),
            gradient_norm=np.sqrt(stage.grad_squared[:epochs]),
        )
        z_out, a_out = stage.z_out[:epochs], stage.a_out[:epochs]
        if self.track_outputs:
            records["output_cost"] = self.network.cost_function.per_output(z_out, a_out, self.T)
        if self.track_accuracy:
            records["accuracy"] = accuracy(a_out, self.T)
        if self._row_groups is not None:
            m = self.T.shape[1]
            targets = np.broadcast_to(self.T, z_out.shape).reshape(-1, 1, m)
            # Every (epoch, row) as a batch of one row: the stacked costs give C_x for each.
            per_row = self.network.cost_function.stacked_values(
                z_out.reshape(-1, 1, m), a_out.reshape(-1, 1, m), targets
            )
            records["row_cost"] = per_row.reshape(epochs, -1) @ self._row_groups
        if self.X_test is not None:
            records["test_cost"] = np.array(stage.test_cost[:epochs])
            if self.track_accuracy:
                records["test_accuracy"] = np.array(stage.test_accuracy[:epochs])
        self.history.append(epochs, **records)

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

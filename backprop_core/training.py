"""Gradient descent, full-batch or in shuffled mini-batches, epoch by epoch, recording each
epoch in a ``History``: W ← W − η ∂C/∂W and b ← b − η ∂C/∂b."""

from __future__ import annotations

import functools
import math
import numbers
import time
from dataclasses import dataclass

import numpy as np

from .buffers import Workspace
from .compiled import CompiledBlocks, loops
from .costs import accuracy
from .history import History
from .network import Network
from .validation import brief

MAX_EPOCHS_PER_CALL = 100_000_000
GROW_BY = 1 << 16  # history rows added at a time, so a time-boxed huge request stays small
BLOCK = 256  # epochs staged, converted into the history and checked for divergence at a time
SLOW_EPOCH_SECONDS = 5e-4  # a slower epoch checks the deadline every epoch, not every 16
MIN_LEARNING_RATE, MAX_LEARNING_RATE = 1e-6, 1000.0
# Rows an update visits × weights: past this, numpy's matrix products beat the per-row loops.
COMPILED_MOST = 10_000


def check_batch_size(batch_size: object, n: int) -> int | None:
    """None for full batch (so is n or more); otherwise a whole number from 1 to n."""
    if batch_size is None:
        return None
    if isinstance(batch_size, bool) or not isinstance(batch_size, numbers.Integral):
        raise ValueError(
            f"batch size must be a whole number from 1 to {n}, got {brief(batch_size)}"
        )
    if not 1 <= batch_size <= n:
        raise ValueError(
            f"batch size must be from 1 to {n} (the training rows), got {brief(batch_size)}"
        )
    return None if batch_size == n else int(batch_size)


_UNQUOTED = object()


def validate_learning_rate(learning_rate: object, quoted: object = _UNQUOTED) -> float:
    """η as a float, or a ValueError unless it is a number from 10⁻⁶ to 1000; the message
    names ``quoted`` when given (the text the number was read from)."""
    ok = isinstance(learning_rate, numbers.Real) and not isinstance(learning_rate, bool)
    if not ok or not MIN_LEARNING_RATE <= learning_rate <= MAX_LEARNING_RATE:  # NaN fails too
        shown = learning_rate if quoted is _UNQUOTED else quoted
        raise ValueError(
            f"learning rate must be a number from {MIN_LEARNING_RATE:g} to "
            f"{MAX_LEARNING_RATE:g}, got {brief(shown)}"
        )
    return float(learning_rate)


@dataclass
class PartialEpoch:
    """An epoch of mini-batches that a deadline cut short, to be finished by the next call."""

    order: np.ndarray  # the epoch's shuffle of the rows
    next_row: int  # where in ``order`` the next slice starts
    record: tuple  # the epoch's staged record, from the parameters it started from
    start: np.ndarray  # θ the epoch started from
    previous: np.ndarray  # θ the epoch before it started from


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
        compiled: bool = True,
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
        self.row_group_matrix = None
        groups = 0
        if row_groups is not None:
            row_groups = np.asarray(row_groups)
            if row_groups.shape != (len(X),) or not np.issubdtype(row_groups.dtype, np.integer):
                raise ValueError(f"row_groups must hold one whole number per row ({len(X)})")
            groups = int(row_groups.max()) + 1
            self.row_group_matrix = np.zeros((len(X), groups))
            self.row_group_matrix[np.arange(len(X)), row_groups] = 1.0 / len(X)
        outputs = T.shape[1] if track_outputs else 0
        self.history = History(network.num_layers, outputs, row_groups=groups)
        # (parameters at the end of the last step call, the parameters its last epoch started
        # from): so that a divergence in the first epoch of a call can still roll back.
        self._left: tuple[np.ndarray, np.ndarray] | None = None
        self.partial: PartialEpoch | None = None
        self._work: Workspace | None = None
        self.compiled = compiled  # False: numpy's loop, the reference, even where numba works
        self.compiled_blocks: CompiledBlocks | None = None

    def _compiled_blocks(self) -> CompiledBlocks | None:
        """The compiled loops for this trainer, or None for numpy's: when asked to, when an
        update is too much work for them, or while they are not compiled (or cannot be:
        ``compiled.why_not`` says why)."""
        if not self.compiled or self.update_size() > COMPILED_MOST:
            return None
        if self.compiled_blocks is None and (kernel := loops()) is not None:
            self.compiled_blocks = CompiledBlocks(self, kernel)
        return self.compiled_blocks

    def update_size(self) -> int:
        """Rows one update visits × the network's weights: how much work it is."""
        sizes = self.network.sizes
        rows = len(self.X) if self.batch_size is None else self.batch_size
        return rows * sum(m * n for m, n in zip(sizes, sizes[1:]))

    def _workspace(self, epochs: int, compiled: bool) -> Workspace:
        """The buffers for a call of ``epochs`` epochs, kept from the last call when they are
        large enough: allocating them anew every 20 ms turn cost a large network 5 %."""
        work = self._work
        if work is None or work.compiled != compiled or work.block < min(epochs, work.capacity):
            self._work = work = Workspace(self, epochs, compiled)
        return work

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
        """Run up to ``epochs`` epochs of θ ← θ − η ∂C/∂θ for every weight and bias θ: one update
        per epoch (full batch), or one per slice of the shuffled rows.

        Returns how many epochs were recorded. Past ``max_seconds`` it stops, even inside an
        epoch of mini-batches, which the next call then finishes. On a non-finite cost,
        gradient or parameter, the network goes back to the last parameters an epoch started
        from with a finite cost, and training stops (``history.diverged_at``).
        """
        if isinstance(epochs, bool) or not isinstance(epochs, numbers.Integral):
            raise ValueError(f"epochs must be a whole number, got {brief(epochs)}")
        if not 0 <= epochs <= MAX_EPOCHS_PER_CALL:
            raise ValueError(
                f"epochs must be from 0 to {MAX_EPOCHS_PER_CALL:,}, got {brief(epochs)}"
            )
        if self.history.diverged or epochs == 0:
            return 0
        self.network.sync()
        if self.partial is not None and not self._untouched():
            self.partial = None  # the parameters were set from outside: start a fresh epoch
        self.history.reserve(min(int(epochs), GROW_BY))
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        blocks = self._compiled_blocks()
        work = self._workspace(min(int(epochs), BLOCK), blocks is not None)
        work.start[...] = self._previous_params()
        if blocks is None:
            block = self._full_batch_block if self.batch_size is None else self._mini_batch_block
        else:
            full = self.batch_size is None
            block = functools.partial(
                blocks.full_batch_block if full else blocks.mini_batch_block, self
            )
        done, stopped = 0, False
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < epochs and not stopped:
                ran, stopped = block(work, min(work.block, epochs - done), deadline)
                done += ran
        self._left = (self.network.params.copy(), work.start.copy())
        return done

    def _record(self, work: Workspace, e: int) -> None:
        """The pass over the whole training set that records epoch e, staged in ``work``: the
        forward pass, backprop's gradients in ``work.grads``, mean |δ^l|, ‖∂C/∂(W^l, b^l)‖² and
        the test set's cost and accuracy."""
        net, stage = self.network, work.stage
        fwd, grads = work.fwd, work.grads
        fwd.z[-1], fwd.a[-1] = stage.outputs[e]  # z^L and a^L kept for the block's records
        net.forward(self.X, out=fwd)
        if net.regularized:
            stage.penalty[e] = net.penalty()
        net.backward(fwd, self.T, out=grads)
        np.abs(grads.delta_vector, out=work.abs_delta)
        stage.delta[e] = [abs_delta.dot(w) for abs_delta, w in work.mean_abs_delta]
        stage.grad_squared[e] = [g.dot(g) for g in work.layer_grads]
        if self.X_test is not None:
            test = net.forward(self.X_test, out=work.test)
            stage.test_cost[e] = net.cost_of(test, self.T_test)
            if self.track_accuracy:
                stage.test_accuracy[e] = accuracy(test.a[-1], self.T_test)

    def _full_batch_block(
        self, work: Workspace, size: int, deadline: float | None
    ) -> tuple[int, bool]:
        """Up to ``size`` epochs of one update each on the whole training set, staged and then
        checked for divergence together. Returns (epochs recorded, whether training stops)."""
        params = self.network.params
        block_start = params.copy()
        np.copyto(work.previous, work.start)  # θ the epoch before this block began from
        eta = np.array(self._learning_rate)  # a 0-d array is cheaper in a ufunc than a float
        every, began, ran = 16, time.perf_counter(), size
        for e in range(size):
            if e == 1 and time.perf_counter() - began > SLOW_EPOCH_SECONDS:
                every = 1
            if e and deadline is not None and e % every == 0 and time.perf_counter() > deadline:
                ran = e  # (never before the first: every call moves on)
                break
            if e == size - 1 or (deadline is not None and (e == 0 or (e + 1) % every == 0)):
                np.copyto(work.start, params)  # this may be the call's last epoch
            self._record(work, e)
            np.multiply(work.grads.vector, eta, out=work.step)
            np.subtract(params, work.step, out=params)  # θ ← θ − η ∂C/∂θ
        bad = work.finish_block(self.network, self.T, ran)
        self._commit(work, ran if bad is None else bad)
        if bad is None and np.isfinite(params).all():
            return ran, ran < size
        if bad is None:  # the last update overflowed: keep the θ it started from
            np.copyto(params, work.start)
        elif bad == 0:  # the block's first θ is the bad one: keep the one before it
            np.copyto(params, work.previous)
        else:  # replay the block up to θ_{bad−1}, the last one with a finite cost
            np.copyto(params, block_start)
            self._replay(work, bad - 1, eta)
        self.history.diverged_at = len(self.history)
        return (ran if bad is None else bad), True

    def _replay(self, work: Workspace, epochs: int, eta: np.ndarray) -> None:
        """Repeat ``epochs`` full-batch updates without recording them."""
        net, params = self.network, self.network.params
        for _ in range(epochs):
            net.backward(net.forward(self.X, out=work.fwd), self.T, out=work.grads)
            params -= work.grads.vector * eta

    def _mini_batch_block(
        self, work: Workspace, size: int, deadline: float | None
    ) -> tuple[int, bool]:
        """Up to ``size`` epochs of one update per slice of a fresh shuffle of the rows, each
        recorded from the parameters it starts from and checked for divergence at its start
        and at its end. Returns (epochs recorded, whether training stops)."""
        net, params, stage = self.network, self.network.params, work.stage
        eta = np.array(self._learning_rate)
        n, rows_per_update = len(self.X), self.batch_size
        for e in range(size):
            if e and deadline is not None and time.perf_counter() > deadline:
                return self._commit(work, e), True
            resumed = self._begin_epoch(work, e)
            if resumed is not None:
                order, first = resumed
            else:
                self._record(work, e)
                if not math.isfinite(stage.cost_of(net, self.T, e) + sum(stage.grad_squared[e])):
                    np.copyto(params, work.previous)
                    return self._diverged(work, e)
                order, first = self._rng.permutation(n), 0
            for begin in range(first, n, rows_per_update):
                rows = order[begin : begin + rows_per_update]
                fwd, grads = work.batch(len(rows))
                net.backward(net.forward(self.X[rows], out=fwd), self.T[rows], out=grads)
                np.multiply(grads.vector, eta, out=work.step)
                np.subtract(params, work.step, out=params)  # θ ← θ − η ∂C/∂θ on this slice
                more = begin + rows_per_update < n
                if more and deadline is not None and time.perf_counter() > deadline:
                    self.partial = PartialEpoch(
                        order,
                        begin + rows_per_update,
                        stage.row(e),
                        work.start.copy(),
                        work.previous.copy(),
                    )
                    return self._commit(work, e), True
            if not np.isfinite(params).all():  # a slice blew up: keep the θ this epoch began from
                np.copyto(params, work.start)
                return self._diverged(work, e + 1)
        return self._commit(work, size), False

    def _begin_epoch(self, work: Workspace, e: int) -> tuple[np.ndarray, int] | None:
        """Set up epoch e of mini-batches. An epoch a deadline cut short is staged again as
        epoch e and goes on from its shuffle's next row: returns (order, row). A fresh one
        (None) starts from the current θ, kept in ``work.start``, with the θ the epoch before
        started from in ``work.previous``."""
        partial, self.partial = self.partial, None
        if partial is not None:
            work.stage.put(e, partial.record, self.network, self.T)
            np.copyto(work.start, partial.start)
            np.copyto(work.previous, partial.previous)
            return partial.order, partial.next_row
        work.previous, work.start = work.start, work.previous
        np.copyto(work.start, self.network.params)
        return None

    def _diverged(self, work: Workspace, epochs: int) -> tuple[int, bool]:
        """Record the first ``epochs`` staged epochs, and stop: the network holds the parameters
        the last of them started from."""
        self._commit(work, epochs)
        self.history.diverged_at = len(self.history)
        return epochs, True

    def _commit(self, work: Workspace, epochs: int) -> int:
        """Append the first ``epochs`` staged epochs to the history; returns ``epochs``."""
        if epochs:
            if self.batch_size is not None and not work.compiled:  # the others have the costs
                work.finish_block(self.network, self.T, epochs)
            self.history.append(epochs, **work.records(self, epochs))
        return epochs

    def state(self) -> dict:
        """What ``restore`` needs, besides the network and the history, to go on exactly as
        this trainer would: the shuffling RNG's state, the parameters the last call left and
        started its last epoch from, and an epoch of mini-batches that a deadline cut short."""
        partial = self.partial
        return {
            "rng": self._rng.bit_generator.state,
            "left": None if self._left is None else [p.copy() for p in self._left],
            "partial": None
            if partial is None
            else {
                "order": partial.order.copy(),
                "next_row": partial.next_row,
                "record": [np.array(v, copy=True) for v in partial.record],
                "start": partial.start.copy(),
                "previous": partial.previous.copy(),
            },
        }

    def restore(self, state: dict) -> None:
        """Take ``state`` (from ``state``) as this trainer's; a ValueError when it does not fit
        this network and training set."""
        size, n = self.network.params.size, len(self.X)
        try:
            rng = np.random.default_rng()
            rng.bit_generator.state = state["rng"]
            left = state["left"]
            if left is not None:
                left = tuple(np.asarray(p, dtype=float).reshape(size).copy() for p in left)
            partial = state["partial"]
            if partial is not None:
                order = np.asarray(partial["order"], dtype=np.int64)
                if sorted(order.tolist()) != list(range(n)):
                    raise ValueError("its epoch's order is not a shuffle of the training rows")
                next_row = int(partial["next_row"])
                if not 0 < next_row < n:
                    raise ValueError("its epoch stops outside the training rows")
                record = tuple(np.asarray(v) for v in partial["record"])
                start = np.asarray(partial["start"], dtype=float).reshape(size).copy()
                previous = np.asarray(partial["previous"], dtype=float).reshape(size).copy()
                partial = PartialEpoch(order, next_row, record, start, previous)
        except (KeyError, TypeError, ValueError) as err:
            raise ValueError(f"the trainer's state does not fit this run ({err})") from None
        self._rng, self._left, self.partial = rng, left, partial

    def _untouched(self) -> bool:
        """Whether the network still holds what the last call left it."""
        return self._left is not None and np.array_equal(self._left[0], self.network.params)

    def _previous_params(self) -> np.ndarray:
        """The parameters the last recorded epoch started from, if the network still holds
        what the last call left; otherwise the current ones (nothing earlier is known)."""
        return self._left[1] if self._untouched() else self.network.params

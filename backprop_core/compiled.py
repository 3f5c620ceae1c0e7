"""The ``Trainer``'s blocks of epochs on the compiled loops of ``kernel.py``: the same updates,
records, shuffles, deadlines and divergence rules as its numpy blocks, with the per-step
overhead of numpy's calls gone.

numba compiles the loops once per machine (cached on disk); ``warm_up`` does it on a tiny
network, in the background at server start. Until it is done, or where numba is missing or
fails to compile, or ``BACKPROP_KERNEL=numpy`` is set, ``loops()`` is None and the trainer
keeps to numpy.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from .buffers import Workspace

if TYPE_CHECKING:
    from .training import Trainer

log = logging.getLogger(__name__)

CALL_SECONDS = 0.002  # a compiled call is sized to about this, so deadlines are still kept
_ready = threading.Event()
_lock = threading.Lock()
_started = False
_loops = None
why_not = "the compiled loops are not compiled yet"  # the reason ``loops()`` is None


def loops():
    """The compiled ``kernel`` module once it is ready; None before, or when it cannot be."""
    return _loops if _ready.is_set() else None


def warm_up(background: bool = False) -> None:
    """Compile (or load from the disk cache) every loop by training a tiny network. With
    ``background``, on a thread of its own that has a child process fill the disk cache
    first, so a server's interpreter is never busy compiling. Only the first call does
    anything; a later one without ``background`` waits for the first to finish."""
    global _started
    with _lock:
        if _started:
            thread = None
        else:
            _started = True
            target = _compile_in_a_child if background else _compile
            thread = threading.Thread(target=target, name="kernel warm-up", daemon=True)
            thread.start()
    if not background:
        if thread is None:
            _ready.wait(600)  # another thread is compiling: at most minutes, the first time
        else:
            thread.join()


def _turned_off() -> bool:
    return os.environ.get("BACKPROP_KERNEL", "").strip().lower() == "numpy"


def _compile_in_a_child() -> None:
    if _turned_off():  # nothing to compile: no child process either
        _compile()
        return
    try:
        subprocess.run(
            [sys.executable, "-m", "backprop_core.compiled"],
            cwd=Path(__file__).resolve().parent.parent, capture_output=True, timeout=600,
        )  # fmt: skip
    except (OSError, subprocess.SubprocessError) as err:  # then this process compiles
        log.info("The child process did not compile the loops: %s", err)
    _compile()


def _compile() -> None:
    global _loops, why_not
    try:
        if _turned_off():
            why_not = "BACKPROP_KERNEL=numpy turns the compiled loops off"
            return
        from . import kernel

        _loops = kernel
        _try_every_loop()
        why_not = ""
    except Exception as err:  # numba missing or unable to compile here: numpy does the work
        _loops = None
        why_not = f"the compiled loops are unavailable ({type(err).__name__}: {err})"
        log.warning("Training uses numpy: %s", why_not)
    finally:
        _ready.set()


def _try_every_loop() -> None:
    """One tiny full-batch and mini-batch run, with a test set and a penalty: every loop."""
    from .network import Network
    from .training import Trainer

    X = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    T = np.array([[0.0], [1.0], [1.0], [0.0]])
    for batch in (None, 2):
        net = Network([2, 2, 1], regularization="l2", regularization_rate=0.001, seed=0)
        trainer = Trainer(net, X, T, batch_size=batch, X_test=X, T_test=T)
        trainer.compiled_blocks = CompiledBlocks(trainer, _loops)
        trainer.step(2)


class CompiledBlocks:
    """A trainer's constant inputs to the compiled loops (layer sizes and activations as
    codes, buffers) and how long a call of them takes, to size the next one."""

    def __init__(self, trainer: Trainer, loops) -> None:
        net = trainer.network
        self.k = k = loops
        # C-ordered float64 only: another layout would make numba compile anew mid-lesson.
        self.X, self.T = (np.ascontiguousarray(a, dtype=np.float64) for a in (trainer.X, trainer.T))
        self.sizes = np.array(net.sizes, dtype=np.int64)
        self.acts = np.array([k.ACTIVATION_CODES[a.name] for a in net.layer_activations], np.int64)
        width = int(self.sizes[1:].sum())
        self.work = np.empty(3 * width + net.sizes[0])  # one row's z, a and δ
        self.grad = np.empty_like(net.params)
        self.rows = np.arange(len(trainer.X))  # a record visits the training set in order
        has_test = trainer.X_test is not None
        empty = (np.empty((0, net.sizes[0])), np.empty((0, net.sizes[-1])))
        held_out = (trainer.X_test, trainer.T_test) if has_test else empty
        self.X_test, self.T_test = (np.ascontiguousarray(a, dtype=np.float64) for a in held_out)
        self.cost = k.COST_CODES[net.cost_function.name]
        self.has_test, self.accuracy = int(has_test), int(has_test and trainer.track_accuracy)
        self.epoch_seconds = self.slice_seconds = 0.0  # unknown until timed

    def codes(self, trainer: Trainer) -> np.ndarray:
        """The cost, the penalty, whether to score the test set and its accuracy; the penalty
        read anew, since it can change between calls."""
        penalty = self.k.PENALTY_CODES[trainer.network.regularizer.name]
        return np.array([self.cost, penalty, self.has_test, self.accuracy], dtype=np.int64)

    @staticmethod
    def _how_many(seconds_each: float, most: int, deadline: float | None) -> int:
        """At most ``most``, as many as fit in ``CALL_SECONDS`` and before the deadline at
        ``seconds_each`` (one until that is known, and at least one)."""
        if deadline is None:
            return most
        budget = min(CALL_SECONDS, deadline - time.perf_counter())
        if seconds_each <= 0 or budget <= 0:
            return 1
        return max(1, min(most, int(budget / seconds_each)))

    def full_batch_block(
        self, trainer: Trainer, work: Workspace, size: int, deadline: float | None
    ) -> tuple[int, bool]:
        """Up to ``size`` epochs of one update each on the whole training set, in calls sized
        to ``CALL_SECONDS``, with the deadline looked at between them (never before the
        first epoch). Returns (epochs recorded, whether training stops)."""
        net, stage, k = trainer.network, work.stage, self.k
        params, rate = net.params, net.regularization_rate
        codes, eta = self.codes(trainer), trainer.learning_rate
        np.copyto(work.previous, work.start)  # θ the epoch before this block began from
        done, diverged = 0, False
        while done < size and not diverged:
            if done and deadline is not None and time.perf_counter() > deadline:
                break
            count = self._how_many(self.epoch_seconds, size - done, deadline)
            began = time.perf_counter()
            ran, diverged = k.full_batch(
                params, work.previous, self.X, self.T, self.X_test, self.T_test,
                self.rows, self.sizes, self.acts, codes, eta, rate, self.work, self.grad,
                stage.rec, stage.z_out, stage.a_out, done, count,
            )  # fmt: skip
            if ran:
                self.epoch_seconds = (time.perf_counter() - began) / ran
            done += ran
        np.copyto(work.start, work.previous)  # θ the last recorded epoch began from
        trainer._commit(work, done)
        if diverged:
            trainer.history.diverged_at = len(trainer.history)
        return done, diverged or done < size

    def mini_batch_block(
        self, trainer: Trainer, work: Workspace, size: int, deadline: float | None
    ) -> tuple[int, bool]:
        """Up to ``size`` epochs of one update per slice of a fresh shuffle of the rows (the
        trainer's own RNG, so the same shuffles as numpy's block), each recorded from the
        parameters it starts from and checked for divergence at its start and at its end.
        Returns (epochs recorded, whether training stops)."""
        from .training import PartialEpoch

        net, params, stage, k = trainer.network, trainer.network.params, work.stage, self.k
        codes, eta, rate = self.codes(trainer), trainer.learning_rate, net.regularization_rate
        X, T = self.X, self.T
        n, batch = len(X), trainer.batch_size
        for e in range(size):
            if e and deadline is not None and time.perf_counter() > deadline:
                return trainer._commit(work, e), True
            resumed = trainer._begin_epoch(work, e)
            if resumed is not None:
                order, first = resumed
            else:
                finite = k.record(
                    params, X, T, self.X_test, self.T_test, self.rows, self.sizes, self.acts,
                    codes, rate, self.work, self.grad, stage.rec[e], stage.z_out[e],
                    stage.a_out[e],
                )  # fmt: skip
                if not finite:
                    np.copyto(params, work.previous)
                    return trainer._diverged(work, e)
                order, first = trainer._rng.permutation(n), 0
            while first < n:
                slices = self._how_many(self.slice_seconds, -(-(n - first) // batch), deadline)
                end = min(n, first + slices * batch)
                began = time.perf_counter()
                k.slices(
                    params, X, T, order, first, end, batch, self.sizes, self.acts, codes, eta,
                    rate, self.work, self.grad,
                )  # fmt: skip
                self.slice_seconds = (time.perf_counter() - began) / slices
                first = end
                if first < n and deadline is not None and time.perf_counter() > deadline:
                    trainer.partial = PartialEpoch(
                        order, first, stage.row(e), work.start.copy(), work.previous.copy()
                    )
                    return trainer._commit(work, e), True
            if not np.isfinite(params).all():  # a slice blew up: keep the θ this epoch began from
                np.copyto(params, work.start)
                return trainer._diverged(work, e + 1)
        return trainer._commit(work, size), False


if __name__ == "__main__":  # python -m backprop_core.compiled: fill the disk cache
    warm_up()

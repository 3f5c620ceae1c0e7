"""The thread that trains a run while the browser redraws, in turns from the process-wide
``SCHEDULER``, each at most ``CHUNK_SECONDS``.

It stops by itself when the browser has disconnected for ``DISCONNECT_SECONDS`` (a closed tab
must not train forever), when no page has drawn for ``HIDDEN_SECONDS`` (a tab hidden that
long), when the run is solved and its settings say to stop then, or on an error; slow
redraws on a busy server are none of these. It reports what it does in ``run.activity``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from backprop_core.training import MAX_EPOCHS_PER_CALL
from dashboard.state.run import Run
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER
from dashboard.state.snapshot import Activity

CHUNK_SECONDS = 0.02  # the worker releases the lock (and its turn) this often
DISCONNECT_SECONDS = 5.0  # rides out a reconnect after a network blip
HIDDEN_SECONDS = 90.0  # a hidden tab's browser still redraws about once a second at first
STEP_SECONDS = 1.0  # a Step longer than this goes on in the worker, so the page never hangs
PACE_WAIT = 0.005  # how long a paced worker ahead of the clock waits before looking again
MAX_DEBT_SECONDS = 0.5  # the page drawing a session's training may still owe, at most


class Pacer:
    """The paced speed: epoch(t) = (e₀ + 1) · 10^(t/τ) − 1 from the epoch e₀ training started
    at, τ seconds per decade, so each tenfold of epochs takes the same time on screen; capped
    only by what the machine can do."""

    def __init__(self, epoch: int) -> None:
        self._start, self._epoch, self._decade = time.monotonic(), epoch, None

    def epochs(self, epoch: int, decade: float) -> int:
        """How many epochs to train now to keep up with the clock (0 when ahead of it)."""
        if decade != self._decade:  # a new pace goes on from here, without a jump
            self._start, self._epoch, self._decade = time.monotonic(), epoch, decade
        elapsed = time.monotonic() - self._start
        target = (self._epoch + 1) * 10 ** (elapsed / decade) - 1
        return max(0, min(int(target) - epoch, MAX_EPOCHS_PER_CALL))


class Worker:
    """Trains ``run`` on a thread of its own until paused (``start``, ``pause``, ``step``).
    ``connected`` says whether the browser session is still there."""

    def __init__(self, run: Run, connected: Callable[[], bool] = lambda: True) -> None:
        self.run = run
        self.connected = connected
        self.last_seen = time.monotonic()
        self.redraw_debt = 0.0  # seconds of page drawing the training has not yet given back
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        run.halt = self.pause

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive() and not self._stop.is_set()

    def start(self, until: int | None = None) -> None:
        """Train until paused, diverged, stopped by itself, or at epoch ``until`` when given."""
        if self.running or self.run.history.diverged:
            return
        self.seen()
        self.run.rewound_to = None
        self.run.activity = Activity(running=True, until=until)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._work, args=(self._stop, until), daemon=True)
        self._thread.start()

    def pause(self) -> None:
        self._stop.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join()
        if self.run.activity.running:
            self.run.activity = Activity()

    def step(self, epochs: int) -> None:
        """Pause, then train exactly ``epochs`` epochs (fewer only on divergence), in turns from
        the scheduler like all training. What is not done in ``STEP_SECONDS`` goes on in the
        worker, which stops at the target epoch."""
        self.pause()
        run = self.run
        run.rewound_to = None
        target = run.epoch + epochs
        deadline = time.monotonic() + STEP_SECONDS
        while run.epoch < target and not run.history.diverged:
            if time.monotonic() > deadline:
                self.start(until=target)
                return
            with SCHEDULER.turn():
                run.train(target - run.epoch, CHUNK_SECONDS)

    def seen(self) -> None:
        """The page calls this on every redraw: proof that somebody is watching."""
        self.last_seen = time.monotonic()

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` of the server's time spent drawing this run's page: on a busy
        server the training gives up turns to match, so a heavy page costs its own student,
        not the class."""
        self.redraw_debt = min(self.redraw_debt + seconds, MAX_DEBT_SECONDS)

    def idle(self, disconnected_since: float | None) -> str | None:
        """Why the worker should stop now: "disconnected" once the browser has been gone for
        ``DISCONNECT_SECONDS`` (counted from ``disconnected_since``), "hidden" once no page has
        drawn for ``HIDDEN_SECONDS``; otherwise None, however slow the redraws are."""
        now = time.monotonic()
        if disconnected_since is not None and now - disconnected_since >= DISCONNECT_SECONDS:
            return "disconnected"
        if now - self.last_seen > HIDDEN_SECONDS:
            return "hidden"
        return None

    def _work(self, stop: threading.Event, until: int | None) -> None:
        activity = Activity()
        try:
            activity = Activity(stopped=self._train_until_stopped(stop, until))
        except Exception as err:  # the page says so, and the run lives on
            activity = Activity(error=f"{type(err).__name__}: {err}")
        finally:
            stop.set()
            self.run.activity = activity

    def _train_until_stopped(self, stop: threading.Event, until: int | None) -> str | None:
        """Train in turns; returns why it stopped by itself, or None when paused."""
        run, disconnected_since = self.run, None
        pacer = Pacer(run.epoch)
        with SCHEDULER.worker():
            while not stop.is_set() and not run.history.diverged:
                if until is not None and run.epoch >= until:
                    return None
                if self.connected():
                    disconnected_since = None
                elif disconnected_since is None:
                    disconnected_since = time.monotonic()
                if reason := self.idle(disconnected_since):
                    return reason
                pace, speed = run.settings.pace, None
                if until is not None or pace == "max":
                    limit = MAX_EPOCHS_PER_CALL
                elif pace == "paced":
                    limit = pacer.epochs(run.epoch, run.settings.decade)
                    if limit == 0:  # ahead of the clock: let the page draw meanwhile
                        stop.wait(PACE_WAIT)
                        continue
                else:
                    speed = limit = int(pace)
                if until is not None:
                    limit = min(limit, until - run.epoch)
                with SCHEDULER.turn():
                    done = 0 if self._pays_for_redraws() else run.train(limit, CHUNK_SECONDS)
                if run.settings.stops_when_solved and run.solved():
                    return "solved"
                # Rate-limit slow speeds; otherwise just let the page take the lock.
                stop.wait(REFRESH_SECONDS * done / speed if speed else 0.001)
        return None

    def _pays_for_redraws(self) -> bool:
        """Whether this turn goes unused, to pay for drawing the page: on a busy server a
        session's page and its training share one student's part of the time."""
        if self.redraw_debt < CHUNK_SECONDS or not SCHEDULER.waiting:
            return False
        self.redraw_debt -= CHUNK_SECONDS
        return True

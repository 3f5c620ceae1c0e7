"""Sharing one server between many sessions: training time slices, round-robin, and how often
the pages redraw under that load.

Every session's worker trains in short chunks. Before each chunk it queues for a turn and
gives it back after the chunk, joining the end of the queue. So no more workers train at once
than the interpreter can run, each training session gets an equal share of time, and the
page redraws, which never queue, find the interpreter free between chunks.
"""

from __future__ import annotations

import math
import os
import re
import secrets
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from backprop_core.compiled import loops

REFRESH_SECONDS = 0.1  # how often the page redraws while one session trains
MAX_REFRESH_SECONDS = 0.4  # from 7 sessions on: the redraws stay under half a second
SESSIONS_PER_REFRESH_STEP = 3  # keeps a student under 100 kB/s on the half adder
# Names this server process; a page whose link carries another one was drawn by an earlier
# server (one that restarted). Replicas started together may share one through the variable.
SERVER_ID_PATTERN = r"[0-9a-f]{8}"
SERVER_ID = os.environ.get("BACKPROP_SERVER_ID", "")
if not re.fullmatch(SERVER_ID_PATTERN, SERVER_ID):
    SERVER_ID = secrets.token_hex(4)


class Scheduler:
    """Hands out ``slots`` turns to training workers, first come first served.

    A worker that finds every slot busy waits on its own event, and a worker that gives a
    slot back hands it to the first one waiting: one thread wakes per turn, never all of them
    (forty waiting threads woken 50 times a second would starve the page's redraws)."""

    def __init__(self, slots: int | Callable[[], int]) -> None:
        if isinstance(slots, int) and slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self._slots = slots
        self._busy = 0
        self._waiting: deque[threading.Event] = deque()
        self._workers = 0
        self._lock = threading.Lock()
        self._holder = threading.local()  # whether this thread holds a turn

    @property
    def slots(self) -> int:
        """How many workers may train at once now."""
        return self._slots() if callable(self._slots) else self._slots

    @contextmanager
    def turn(self, first: bool = False) -> Iterator[None]:
        """Wait for a free slot, behind every worker that asked earlier (``first``: ahead of
        them, as a page's redraw does); hold it inside. A thread that holds one already keeps
        it: nested turns never wait on themselves."""
        if getattr(self._holder, "held", False):
            yield
            return
        with self._lock:
            ticket = None
            if self._busy < self.slots and not self._waiting:
                self._busy += 1
            else:
                ticket = threading.Event()
                self._waiting.appendleft(ticket) if first else self._waiting.append(ticket)
        if ticket is not None:
            ticket.wait()  # set by the worker that hands its slot over
        self._holder.held = True
        try:
            yield
        finally:
            self._holder.held = False
            with self._lock:
                if self._waiting:
                    self._waiting.popleft().set()  # the slot passes on; _busy stays
                else:
                    self._busy -= 1

    @contextmanager
    def worker(self) -> Iterator[None]:
        """Count a training worker for as long as it runs (see ``training``)."""
        with self._lock:
            self._workers += 1
        try:
            yield
        finally:
            with self._lock:
                self._workers -= 1

    @property
    def waiting(self) -> int:
        """How many workers are queueing for a turn."""
        return len(self._waiting)

    @property
    def training(self) -> int:
        """How many sessions are training now."""
        return self._workers


def training_turns() -> int:
    """A turn per core once training runs compiled: the compiled loops let go of the
    interpreter, so turns on two cores run at once. numpy's loop holds it, and a second turn
    would only fight the first, and the pages, for it: one. ``BACKPROP_TURNS`` overrides."""
    given = os.environ.get("BACKPROP_TURNS", "")
    if given.isdigit() and int(given) >= 1:
        return int(given)
    return len(os.sched_getaffinity(0)) if loops() is not None else 1


SCHEDULER = Scheduler(training_turns)


def refresh_seconds(training: int) -> float:
    """The redraw interval with ``training`` sessions training on this server: 0.1 s alone,
    then 0.1 s more for each ``SESSIONS_PER_REFRESH_STEP`` sessions, at most
    ``MAX_REFRESH_SECONDS`` (every redraw costs the shared server time and bandwidth)."""
    if training <= 1:
        return REFRESH_SECONDS
    steps = 1 + math.ceil(training / SESSIONS_PER_REFRESH_STEP)
    return min(MAX_REFRESH_SECONDS, round(REFRESH_SECONDS * steps, 1))

"""Sharing one server between many sessions: training time slices, round-robin, and how often
the pages redraw under that load.

Every session's worker trains in short chunks. Before each chunk it queues for one of
``slots`` turns (the cores this process may use) and gives its turn back after the chunk,
joining the end of the queue. So no more workers train at once than the machine can run,
each training session gets an equal share of time, and the page redraws, which never queue,
find the interpreter free between chunks.
"""

from __future__ import annotations

import math
import os
import secrets
import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager

REFRESH_SECONDS = 0.1  # how often the page redraws while one session trains
MAX_REFRESH_SECONDS = 0.4  # from 7 sessions on: the redraws stay under half a second
SESSIONS_PER_REFRESH_STEP = 3  # keeps a student under 100 kB/s on the half adder
# Names this server process; a page whose link carries another one was drawn by an earlier
# server (one that restarted). Replicas started together may share one through the variable.
SERVER_ID = os.environ.get("BACKPROP_SERVER_ID") or secrets.token_hex(4)


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Scheduler:
    """Hands out ``slots`` turns to training workers, first come first served."""

    def __init__(self, slots: int) -> None:
        if slots < 1:
            raise ValueError(f"slots must be at least 1, got {slots}")
        self.slots = slots
        self._busy = 0
        self._queue: deque[object] = deque()
        self._workers = 0
        self._changed = threading.Condition()

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Wait for a free slot, behind every worker that asked earlier; hold it inside."""
        me = object()
        with self._changed:
            self._queue.append(me)
            while self._queue[0] is not me or self._busy >= self.slots:
                self._changed.wait()
            self._queue.popleft()
            self._busy += 1
            self._changed.notify_all()  # the next in line may fit in another slot
        try:
            yield
        finally:
            with self._changed:
                self._busy -= 1
                self._changed.notify_all()

    @contextmanager
    def worker(self) -> Iterator[None]:
        """Count a training worker for as long as it runs (see ``training``)."""
        with self._changed:
            self._workers += 1
        try:
            yield
        finally:
            with self._changed:
                self._workers -= 1

    @property
    def training(self) -> int:
        """How many sessions are training now."""
        return self._workers


SCHEDULER = Scheduler(usable_cores())


def refresh_seconds(training: int) -> float:
    """The redraw interval with ``training`` sessions training on this server: 0.1 s alone,
    then 0.1 s more for each ``SESSIONS_PER_REFRESH_STEP`` sessions, at most
    ``MAX_REFRESH_SECONDS`` (every redraw costs the shared server time and bandwidth)."""
    if training <= 1:
        return REFRESH_SECONDS
    steps = 1 + math.ceil(training / SESSIONS_PER_REFRESH_STEP)
    return min(MAX_REFRESH_SECONDS, round(REFRESH_SECONDS * steps, 1))

"""The runs open in this server process, and the one thread that checkpoints them.

Every ``POLL_SECONDS`` the writer looks at each live run: one that changed gets a checkpoint
at once when it is paused (a pause, a rewind, a nudge, a kept run, a load, new settings), and
at most every ``TRAINING_SECONDS`` while it trains. The training threads never encode or
write anything; they only hold the run's lock while the writer copies its state.

When the store fails, training goes on in memory, ``problem`` says that runs are not being
saved, and the writer tries again every ``RETRY_SECONDS``.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
import weakref

from dashboard.state.checkpoint import Checkpoint, checkpoint, state_of
from dashboard.state.store import StoreError, open_store
from dashboard.state.worker import Worker

POLL_SECONDS = 0.25
TRAINING_SECONDS = 1.0  # a crash loses at most about this much training (plus one write)
RETRY_SECONDS = 5.0
BEAT_SECONDS = 1.0  # how often this process says it is alive, for "saved M s before it stopped"
EXPIRE_SECONDS = 600.0
PROCESS = secrets.token_hex(4)
LOG = logging.getLogger(__name__)  # this server process, in the checkpoints it writes


def _fingerprint(worker: Worker) -> tuple:
    """What changes when a run needs a new checkpoint (read without the lock: a torn read
    only moves a checkpoint by one poll)."""
    run = worker.run
    return (
        run.token,
        run.generation,
        run.epoch,
        tuple(run.nudges),
        tuple(k.label for k in run.kept),
        run.rewound_to,
        run.settings,
        run.activity.running,
        id(run.custom_data),
        len(run.snapshots.epochs),
    )


class Keeper:
    """Live runs by token, who holds each, and their checkpoints."""

    def __init__(self, store_setting: str | None = None) -> None:
        self._store_setting = store_setting
        self._store = None
        self._workers: weakref.WeakValueDictionary[str, Worker] = weakref.WeakValueDictionary()
        self._owners: dict[str, str] = {}
        self._saved: dict[str, tuple[tuple, float]] = {}  # token: (fingerprint, when)
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.problem: str | None = None  # why runs are not being saved, while they are not

    @property
    def store(self):
        if self._store is None:
            self._store = open_store(self._store_setting)
        return self._store

    def watch(self, worker: Worker, owner: str) -> None:
        """Keep ``worker``'s run checkpointed, held by the browser session ``owner``."""
        with self._lock:
            self._workers[worker.run.token] = worker
            self._owners[worker.run.token] = owner
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, daemon=True, name="keeper")
                self._thread.start()

    def holder(self, token: str) -> tuple[Worker, str] | None:
        """The live worker of run ``token`` in this process and the session holding it."""
        with self._lock:
            worker = self._workers.get(token)
            return None if worker is None else (worker, self._owners.get(token, ""))

    def load(self, token: str) -> Checkpoint | None:
        """Run ``token``'s last checkpoint, or None (none, or the store is unreachable)."""
        try:
            return self.store.get(token)
        except StoreError as err:
            self._failed(err)
            return None

    def _failed(self, err: Exception) -> None:
        """Say on every page that runs are not saved, in words without the server's paths
        or addresses, which go to the log."""
        if self.problem is None:
            LOG.warning("run store %s: %s", self._store_setting or "default", err)
        full = "full" in str(err).lower() or "no space" in str(err).lower()
        self.problem = (
            "Runs are not being saved"
            + (": the server's disk is full" if full else ": the run store does not answer")
            + f". Training goes on; saving is tried again every {RETRY_SECONDS:g} s."
        )

    def stopped_at(self, checkpoint: Checkpoint) -> float | None:
        """When the process that saved ``checkpoint`` was last alive (None: unknown, or
        this very process)."""
        if checkpoint.process == PROCESS:
            return None
        try:
            return self.store.last_beat(checkpoint.process)
        except StoreError:
            return None

    def save_now(self) -> int:
        """Checkpoint every live run that changed, now; returns how many were written."""
        return self._save(time.monotonic(), urgent=True)

    def _save(self, now: float, urgent: bool = False) -> int:
        if not self.store.saves:
            return 0
        with self._lock:
            workers = list(self._workers.items())
            for gone in set(self._owners) - set(self._workers):
                del self._owners[gone]
        written = 0
        for token, worker in workers:
            fingerprint = _fingerprint(worker)
            last, when = self._saved.get(token, ((), 0.0))
            if fingerprint == last:
                continue
            if worker.run.activity.running and not urgent and now - when < TRAINING_SECONDS:
                continue
            if token in self._saved and self.store.writer(token) not in (PROCESS, None):
                self._forget(token)  # resumed by another process since: it holds the run now
                continue
            self.store.put(checkpoint(state_of(worker.run), PROCESS))
            self._saved[token] = (fingerprint, now)
            written += 1
        return written

    def _forget(self, token: str) -> None:
        with self._lock:
            self._workers.pop(token, None)
            self._owners.pop(token, None)
        self._saved.pop(token, None)

    def _loop(self) -> None:
        beat = expired = retry = 0.0
        while True:
            time.sleep(POLL_SECONDS)
            now = time.monotonic()
            if now < retry:
                continue
            try:
                self._save(now)
                if now - beat >= BEAT_SECONDS:
                    self.store.beat(PROCESS, time.time())
                    beat = now
                if now - expired >= EXPIRE_SECONDS:
                    with self._lock:
                        live = list(self._workers)
                    self.store.expire(time.time(), live)
                    expired = now
                self.problem = None
            except Exception as err:  # a store or a run that fails must not stop the others
                self._failed(err)
                retry = now + RETRY_SECONDS


KEEPER = Keeper()

"""Where checkpoints live: SQLite on this machine by default, Redis when several machines
serve one class.

``BACKPROP_STORE`` chooses: unset, a folder for SQLite (default ``./backprop-data``), a
``redis://host:port/db`` address, or ``off`` (memory only, as before runs had a store).
Runs idle for ``BACKPROP_STORE_HOURS`` (default 24) expire; SQLite keeps at most
``BACKPROP_STORE_MB`` (default 500) and drops the longest-idle runs first (Redis: its own
``maxmemory`` with an LRU policy, as ``deploy/serve.sh`` starts it).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterable
from pathlib import Path

from dashboard.state.checkpoint import Checkpoint

DEFAULT_FOLDER = "backprop-data"
FILE_NAME = "runs.sqlite3"


class StoreError(Exception):
    """The store could not be reached or written; the message says why, for the status."""


class MemoryStore:
    """No store (``BACKPROP_STORE=off``): nothing outlives the process."""

    where = "nowhere (BACKPROP_STORE=off)"
    saves = False  # the keeper need not encode a checkpoint for it

    def put(self, checkpoint: Checkpoint) -> None:
        pass

    def get(self, token: str) -> Checkpoint | None:
        return None

    def writer(self, token: str) -> str | None:
        return None

    def beat(self, process: str, at: float) -> None:
        pass

    def last_beat(self, process: str) -> float | None:
        return None

    def expire(self, now: float, live: Iterable[str]) -> int:
        return 0


class SQLiteStore:
    """One SQLite file in WAL mode: the writer thread's transactions never block a page that
    reads a checkpoint. A connection per thread, as sqlite3 wants."""

    saves = True

    def __init__(self, folder: Path, hours: float = 24.0, max_mb: float = 500.0) -> None:
        self.folder, self.ttl, self.max_bytes = Path(folder), hours * 3600, max_mb * 1e6
        self.where = str(self.folder / FILE_NAME)
        self._local = threading.local()

    def _db(self) -> sqlite3.Connection:
        db = getattr(self._local, "db", None)
        if db is None:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.where, timeout=5, isolation_level=None)
                db.execute("PRAGMA journal_mode=WAL")
                db.execute("PRAGMA synchronous=NORMAL")  # in WAL mode still consistent on a crash
                db.execute(
                    "CREATE TABLE IF NOT EXISTS runs (token TEXT PRIMARY KEY, epoch INTEGER, "
                    "saved_at REAL, process TEXT, size INTEGER, data BLOB)"
                )
                db.execute("CREATE TABLE IF NOT EXISTS beats (process TEXT PRIMARY KEY, at REAL)")
            except (sqlite3.Error, OSError) as err:
                raise StoreError(f"{self.where} cannot be opened ({err})") from None
            self._local.db = db
        return db

    def _run(self, sql: str, args: tuple = ()) -> list[tuple]:
        try:
            return self._db().execute(sql, args).fetchall()
        except sqlite3.Error as err:
            self._local.db = None  # a fresh connection next time
            raise StoreError(f"{self.where}: {err}") from None

    def put(self, checkpoint: Checkpoint) -> None:
        """One checkpoint, in one transaction."""
        c = checkpoint
        self._run(
            "INSERT OR REPLACE INTO runs VALUES (?, ?, ?, ?, ?, ?)",
            (c.token, c.epoch, c.saved_at, c.process, len(c.data), c.data),
        )

    def get(self, token: str) -> Checkpoint | None:
        rows = self._run(
            "SELECT token, epoch, saved_at, process, data FROM runs WHERE token = ?", (token,)
        )
        return Checkpoint(*rows[0][:4], bytes(rows[0][4])) if rows else None

    def writer(self, token: str) -> str | None:
        """The process that wrote run ``token``'s last checkpoint."""
        rows = self._run("SELECT process FROM runs WHERE token = ?", (token,))
        return rows[0][0] if rows else None

    def beat(self, process: str, at: float) -> None:
        self._run("INSERT OR REPLACE INTO beats VALUES (?, ?)", (process, at))

    def last_beat(self, process: str) -> float | None:
        rows = self._run("SELECT at FROM beats WHERE process = ?", (process,))
        return rows[0][0] if rows else None

    def expire(self, now: float, live: Iterable[str]) -> int:
        """Drop runs idle past the time limit, then the longest-idle ones (never one of
        ``live``, the runs open in this process) while the store is over its size."""
        self._run("DELETE FROM runs WHERE saved_at < ?", (now - self.ttl,))
        (gone,) = self._run("SELECT changes()")[0]
        self._run("DELETE FROM beats WHERE at < ?", (now - self.ttl,))
        (total,) = self._run("SELECT COALESCE(SUM(size), 0) FROM runs")[0]
        keep = set(live)
        for token, size in self._run("SELECT token, size FROM runs ORDER BY saved_at"):
            if total <= self.max_bytes:
                break
            if token not in keep:
                self._run("DELETE FROM runs WHERE token = ?", (token,))
                total -= size
                gone += 1
        return gone


class RedisStore:
    """Every replica's checkpoints in one Redis: a hash per run that expires when idle."""

    saves = True

    def __init__(self, url: str, hours: float = 24.0) -> None:
        import redis  # only a Redis deployment needs the package loaded

        self.where, self.ttl = url, int(hours * 3600)
        self._errors = (redis.RedisError, OSError)
        self._redis = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)

    def _call(self, do):
        try:
            return do(self._redis)
        except self._errors as err:
            raise StoreError(f"Redis at {self.where}: {err}") from None

    def put(self, checkpoint: Checkpoint) -> None:
        c = checkpoint
        fields = {"epoch": c.epoch, "saved_at": repr(c.saved_at), "process": c.process}

        def write(r) -> None:
            with r.pipeline(transaction=True) as pipe:  # MULTI … EXEC: one checkpoint at once
                pipe.hset(f"run:{c.token}", mapping={**fields, "data": c.data})
                pipe.expire(f"run:{c.token}", self.ttl)
                pipe.execute()

        self._call(write)

    def get(self, token: str) -> Checkpoint | None:
        found = self._call(lambda r: r.hgetall(f"run:{token}"))
        if not found:
            return None
        return Checkpoint(
            token,
            int(found[b"epoch"]),
            float(found[b"saved_at"]),
            found[b"process"].decode(),
            found[b"data"],
        )

    def writer(self, token: str) -> str | None:
        found = self._call(lambda r: r.hget(f"run:{token}", "process"))
        return None if found is None else found.decode()

    def beat(self, process: str, at: float) -> None:
        self._call(lambda r: r.set(f"beat:{process}", repr(at), ex=self.ttl))

    def last_beat(self, process: str) -> float | None:
        at = self._call(lambda r: r.get(f"beat:{process}"))
        return None if at is None else float(at)

    def expire(self, now: float, live: Iterable[str]) -> int:
        return 0  # Redis expires idle runs itself, and evicts by maxmemory


def open_store(setting: str | None = None) -> MemoryStore | SQLiteStore | RedisStore:
    """The store ``BACKPROP_STORE`` (or ``setting``) names."""
    setting = os.environ.get("BACKPROP_STORE", "") if setting is None else setting
    hours = _positive("BACKPROP_STORE_HOURS", 24.0)
    if setting.strip().lower() == "off":
        return MemoryStore()
    if setting.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(setting, hours)
    max_mb = _positive("BACKPROP_STORE_MB", 500.0)
    return SQLiteStore(Path(setting or Path.cwd() / DEFAULT_FOLDER), hours, max_mb)


def _positive(name: str, default: float) -> float:
    """A positive number from the environment variable ``name``; ``default`` when unset or not
    one (the server starts either way)."""
    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if 0 < value < float("inf") else default


def age(seconds: float) -> str:
    """How long ago, in words: "3 s", "4 min", "2 h"."""
    if seconds < 90:
        return f"{max(0, round(seconds))} s"
    if seconds < 5400:
        return f"{round(seconds / 60)} min"
    return f"{round(seconds / 3600)} h"

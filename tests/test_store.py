"""The run stores: SQLite on this machine, Redis across machines; expiry, a size cap, and
what a store that fails does."""

import os
import time

import pytest

from dashboard.state.checkpoint import Checkpoint
from dashboard.state.store import MemoryStore, SQLiteStore, StoreError, age, open_store
from tests.redis_server import REDIS, redis_server


def _checkpoint(token: str, saved_at: float, size: int = 100) -> Checkpoint:
    return Checkpoint(token, 7, saved_at, "abcd1234", bytes([1, 2, 3]) * (size // 3))


def _round_trip(store) -> None:
    assert store.get("a" * 22) is None
    stored = _checkpoint("a" * 22, time.time())
    store.put(stored)
    assert store.get("a" * 22) == stored
    store.put(_checkpoint("a" * 22, stored.saved_at + 1))  # a newer one replaces it
    assert store.get("a" * 22).saved_at == stored.saved_at + 1
    store.beat("abcd1234", 123.5)
    assert store.last_beat("abcd1234") == 123.5 and store.last_beat("ffff0000") is None


def test_sqlite_keeps_a_checkpoint_byte_for_byte_in_wal_mode(tmp_path):
    store = SQLiteStore(tmp_path / "data")
    _round_trip(store)
    assert (tmp_path / "data" / "runs.sqlite3-wal").exists()


def test_sqlite_expires_idle_runs_then_the_longest_idle_past_its_size_but_never_a_live_one(
    tmp_path,
):
    store = SQLiteStore(tmp_path, hours=1, max_mb=0.0025)  # room for 2 of 1,000 bytes
    now = time.time()
    store.put(_checkpoint("old" + "x" * 19, now - 7200, 1000))  # idle for 2 h
    for k, token in enumerate(("b" * 22, "c" * 22, "d" * 22)):
        store.put(_checkpoint(token, now - 300 + k, 1000))
    gone = store.expire(now, live={"b" * 22})
    assert gone == 2
    assert store.get("old" + "x" * 19) is None and store.get("c" * 22) is None
    assert store.get("b" * 22) and store.get("d" * 22)  # live, and the newest


def test_an_unwritable_folder_is_a_store_error_that_names_no_traceback(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a folder")
    store = SQLiteStore(blocked)
    with pytest.raises(StoreError, match="cannot be opened"):
        store.put(_checkpoint("a" * 22, time.time()))


def test_the_environment_chooses_the_store_and_bad_limits_fall_back(tmp_path, monkeypatch):
    monkeypatch.setenv("BACKPROP_STORE_HOURS", "soon")
    assert isinstance(open_store("off"), MemoryStore)
    store = open_store(str(tmp_path))
    assert isinstance(store, SQLiteStore) and store.ttl == 24 * 3600
    monkeypatch.chdir(tmp_path)
    assert open_store("").where == os.path.join(tmp_path, "backprop-data", "runs.sqlite3")


def test_ages_read_in_seconds_minutes_and_hours():
    assert (age(3.4), age(240), age(7300)) == ("3 s", "4 min", "2 h")


@pytest.mark.skipif(REDIS is None, reason="no redis-server: apt-get install -y redis-server")
def test_redis_keeps_a_checkpoint_and_expires_it_when_idle():
    with redis_server() as url:
        store = open_store(url)
        _round_trip(store)
        import redis

        ttl = redis.Redis.from_url(url).ttl("run:" + "a" * 22)
        assert 0 < ttl <= 24 * 3600


@pytest.mark.skipif(REDIS is None, reason="no redis-server: apt-get install -y redis-server")
def test_a_redis_that_went_away_is_a_store_error():
    with redis_server() as url:
        store = open_store(url)
        store.put(_checkpoint("a" * 22, time.time()))
    with pytest.raises(StoreError, match="Redis at redis://127.0.0.1"):
        store.put(_checkpoint("a" * 22, time.time()))

"""Debian's ``redis-server`` on a free loopback port, for the tests that need one."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager

from tests.live_server import free_port

REDIS = shutil.which("redis-server")


@contextmanager
def redis_server(maxmemory: str = "64mb") -> Iterator[str]:
    """A throwaway Redis (no disk, an LRU cap, as deploy/serve.sh starts it); yields its URL."""
    import redis

    port = free_port()
    with tempfile.TemporaryDirectory() as folder:
        proc = subprocess.Popen(
            [
                REDIS,
                "--port",
                str(port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                folder,
                "--maxmemory",
                maxmemory,
                "--maxmemory-policy",
                "volatile-lru",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"redis://127.0.0.1:{port}/0"
        try:
            for _ in range(100):
                try:
                    redis.Redis.from_url(url).ping()
                    break
                except redis.ConnectionError:
                    time.sleep(0.05)
            yield url
        finally:
            proc.kill()
            proc.wait()

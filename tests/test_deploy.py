"""deploy/serve.sh: two replicas behind nginx on loopback, each browser pinned to one."""

import asyncio
import os
import shutil
import signal
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.live_server import ROOT, free_port, wait_until_healthy
from tests.streamlit_client import Student

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = pytest.mark.skipif(
    NGINX is None, reason="nginx is not installed (on Debian: apt-get install -y nginx)"
)


@pytest.fixture(scope="module")
def deployment():
    port, replicas = free_port(), [free_port(), free_port()]
    env = dict(os.environ, BACKPROP_PORTS=" ".join(map(str, replicas)))
    proc = subprocess.Popen(
        ["bash", "deploy/serve.sh", "2", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc, proc.stdout, 90)
        yield base, {f"127.0.0.1:{p}" for p in replicas}, proc
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            proc.wait(timeout=30)


def _page_replica(base: str, cookie: str = "") -> tuple[str, str]:
    request = urllib.request.Request(base + "/", headers={"Cookie": cookie} if cookie else {})
    with urllib.request.urlopen(request, timeout=30) as response:
        set_cookie = response.headers.get("Set-Cookie", "")
        return response.headers["X-Backprop-Replica"], set_cookie.split(";")[0]


def test_new_browsers_spread_over_both_replicas_and_each_stays_on_its_own(deployment):
    base, replicas, _ = deployment
    seen = set()
    for _ in range(16):  # all 16 on one replica: 1 chance in 32,768
        first, cookie = _page_replica(base)
        assert cookie.startswith("backprop_replica=")
        assert {_page_replica(base, cookie)[0] for _ in range(3)} == {first}
        seen.add(first)
    assert seen == replicas


def test_four_sessions_train_through_nginx_each_on_the_replica_that_served_its_page(
    deployment,
):
    base, replicas, _ = deployment
    students = [
        Student(base, f"hidden={h}&seed={k}&speed=max&stop_solved=0", f"2-{h}-2")
        for k, h in enumerate([2, 3, 4, 5])
    ]

    async def lesson() -> None:
        until = time.monotonic() + 12
        await asyncio.gather(*(s.run(until) for s in students))

    asyncio.run(lesson())
    for s in students:
        assert s.replica in replicas and s.ws_replica == s.replica
        epochs = [epoch for _, epoch, _ in s.redraws]
        assert len(epochs) > 10 and epochs[-1] > 1000  # it trained, live
        assert epochs == sorted(epochs)
        assert s.networks == {s.sizes}  # its own network, nobody else's
        assert not s.errors and not s.false_pauses


def test_stopping_the_script_stops_nginx_and_every_replica(deployment):
    base, replicas, proc = deployment
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    for address in [base.removeprefix("http://"), *replicas]:
        host, port = address.rsplit(":", 1)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2)

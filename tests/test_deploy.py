"""deploy/serve.sh: two replicas behind nginx on loopback, each browser pinned to one, their
runs in the Redis it starts; a replica killed mid-lesson is replaced and its runs resume."""

import asyncio
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from tests.browser_helpers import shown_epoch
from tests.live_server import CHROMIUM, ROOT, free_port, wait_until_healthy
from tests.redis_server import REDIS
from tests.streamlit_client import Student

NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
pytestmark = [
    pytest.mark.skipif(
        NGINX is None, reason="nginx is not installed (on Debian: apt-get install -y nginx)"
    ),
    pytest.mark.skipif(
        REDIS is None, reason="redis-server is not installed (apt-get install -y redis-server)"
    ),
]


@pytest.fixture(scope="module")
def deployment():
    port, replicas = free_port(), [free_port(), free_port()]
    env = dict(os.environ, BACKPROP_PORTS=" ".join(map(str, replicas)))
    env.pop("BACKPROP_STORE", None)  # serve.sh starts a Redis and points the replicas at it
    env.update(BACKPROP_REDIS_PORT=str(free_port()), BACKPROP_DATA=tempfile.mkdtemp())
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
        until = time.monotonic() + 9
        await asyncio.gather(*(s.run(until) for s in students))

    asyncio.run(lesson())
    for s in students:
        assert s.replica in replicas and s.ws_replica == s.replica
        epochs = [epoch for _, epoch, _ in s.redraws]
        assert len(epochs) > 10 and epochs[-1] > 1000  # it trained, live
        assert epochs == sorted(epochs)
        assert s.networks == {s.sizes}  # its own network, nobody else's
        assert not s.errors and not s.false_pauses


def _replica_pid(address: str) -> int:
    """The streamlit process serving ``address`` (127.0.0.1:PORT), found by its command line."""
    port = address.rsplit(":", 1)[1]
    for proc in Path("/proc").iterdir():
        try:
            words = (proc / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if b"streamlit" in words and port.encode() in words:
            return int(proc.name)
    raise LookupError(f"no replica on {address}")


@pytest.mark.skipif(CHROMIUM is None, reason="no Chromium: apt-get install -y chromium")
def test_a_replica_killed_mid_lesson_is_replaced_and_its_run_resumes_on_a_reload(deployment, page):
    base, replicas, proc = deployment
    response = page.goto(base + "/?speed=10")
    serving = response.headers["x-backprop-replica"]
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Train").click()
    page.wait_for_timeout(2000)
    earlier = shown_epoch(page)  # 2 s before the kill
    page.wait_for_timeout(2000)
    os.kill(_replica_pid(serving), signal.SIGKILL)
    page.reload()
    notice = page.get_by_text("Resumed from the checkpoint at epoch")
    notice.wait_for(timeout=60_000)
    resumed = int(re.search(r"epoch ([\d,]+)", notice.inner_text()).group(1).replace(",", ""))
    assert resumed >= earlier > 0 and shown_epoch(page) == resumed
    assert proc.poll() is None  # the deployment lives on
    for _ in range(60):  # and the killed replica is back
        try:
            host, port = serving.rsplit(":", 1)
            urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2)
            break
        except OSError:
            time.sleep(0.5)
    else:
        pytest.fail(f"the replica on {serving} was not started again")


def test_stopping_the_script_stops_nginx_and_every_replica(deployment):
    base, replicas, proc = deployment
    proc.send_signal(signal.SIGTERM)
    proc.wait(timeout=30)
    for address in [base.removeprefix("http://"), *replicas]:
        host, port = address.rsplit(":", 1)
        with pytest.raises(OSError):
            urllib.request.urlopen(f"http://{host}:{port}/_stcore/health", timeout=2)

"""What a reload, a killed server and a killed replica cost a training run, in Chromium.

    python benchmarks/bench_faults.py              # 3 rounds of each fault
    python benchmarks/bench_faults.py --rounds 5

Each round trains the half adder at speed 10 in a real browser, notes the epoch 2 s before
the fault, causes it, and reads what the page shows afterwards:

- reload: F5 while training; the epoch after it, on the same run.
- restart: ``kill -9`` the server, start it again on the same port (SQLite run store), reopen
  the address; the epoch it resumed at and what the notice says.
- failover: ``deploy/serve.sh 2`` (Redis, two replicas, nginx); ``kill -9`` the student's
  replica and reload; the epoch the other replica resumed at.

The target for each: the epoch afterwards is at least the epoch of 2 s before the fault.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_helpers import shown_epoch  # noqa: E402
from tests.live_server import (  # noqa: E402
    CHROMIUM,
    CHROMIUM_FLAGS,
    free_port,
    streamlit_process,
    wait_until_healthy,
)
from tests.test_deploy import _replica_pid  # noqa: E402

LINK = "/?speed=10"


def _train(page, url: str) -> tuple[int, str]:
    """Open ``url``, train for 4 s; returns the epoch then, after 2 s more, and the address."""
    response = page.goto(url + LINK)
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    page.get_by_role("button", name="Train").click()
    page.wait_for_timeout(4000)
    earlier = shown_epoch(page)
    page.wait_for_timeout(2000)
    return earlier, response.headers.get("x-backprop-replica", "")


def _resumed(page) -> tuple[int, str]:
    notice = page.get_by_text("Resumed from the checkpoint at epoch")
    notice.wait_for(timeout=60_000)
    said = notice.inner_text()
    return int(re.search(r"epoch ([\d,]+)", said).group(1).replace(",", "")), said


def reload_round(page, url: str) -> str:
    earlier, _ = _train(page, url)
    page.reload()
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    page.wait_for_timeout(500)
    after = shown_epoch(page)
    page.get_by_role("button", name="Pause").click()
    return f"epoch 2 s before {earlier:,} → after the reload {after:,} ({after >= earlier})"


def restart_round(page) -> str:
    port = free_port()
    with streamlit_process(port) as (url, proc):
        earlier, _ = _train(page, url)
        address = page.url
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    started = time.monotonic()
    with streamlit_process(port) as (url, _):
        page.goto(address)
        resumed, said = _resumed(page)
        took = time.monotonic() - started
    return (
        f"epoch 2 s before {earlier:,} → resumed at {resumed:,} ({resumed >= earlier}), "
        f"{took:.1f} s from the kill to the notice: {said!r}"
    )


@contextmanager
def deployment():
    port = free_port()
    env = dict(os.environ, BACKPROP_REDIS_PORT=str(free_port()), BACKPROP_DATA=tempfile.mkdtemp())
    env.pop("BACKPROP_STORE", None)
    proc = subprocess.Popen(
        ["bash", "deploy/serve.sh", "2", str(port)], cwd=ROOT, env=env, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc, open(os.devnull, "rb"), 90)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def failover_round(page, base: str) -> str:
    earlier, serving = _train(page, base)
    os.kill(_replica_pid(serving), signal.SIGKILL)
    started = time.monotonic()
    page.reload()
    resumed, _ = _resumed(page)
    took = time.monotonic() - started
    page.get_by_role("button", name="Train").wait_for()
    return (
        f"replica {serving} killed: epoch 2 s before {earlier:,} → resumed at {resumed:,} "
        f"({resumed >= earlier}), {took:.1f} s from the kill to the notice"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    os.environ.setdefault("BACKPROP_STORE", tempfile.mkdtemp(prefix="backprop-bench-"))
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        port = free_port()
        with streamlit_process(port) as (url, _):
            for k in range(args.rounds):
                print(f"reload   {k + 1}: {reload_round(page, url)}", flush=True)
        for k in range(args.rounds):
            print(f"restart  {k + 1}: {restart_round(page)}", flush=True)
        with deployment() as base:
            for k in range(args.rounds):
                print(f"failover {k + 1}: {failover_round(page, base)}", flush=True)
                page.wait_for_timeout(8000)  # the killed replica comes back meanwhile
        browser.close()


if __name__ == "__main__":
    main()

"""A class on one link: N students train at once, each with its own seed and hidden sizes.

    python benchmarks/bench_classroom.py                  # N = 1, 5, 10, 20, 40 on one server
    python benchmarks/bench_classroom.py 20 --seconds 60  # some N, a longer window
    python benchmarks/bench_classroom.py 40 --replicas 2  # through deploy/ (nginx, 2 servers)
    python benchmarks/bench_classroom.py 20 40 --compare --rounds 3  # numpy against compiled

With ``--compare``, every N runs on three servers in turn, round after round: training on
numpy (``BACKPROP_KERNEL=numpy``, one turn at a time), compiled with one turn at a time
(``BACKPROP_TURNS=1``), and compiled with a turn per core (the default); then the medians over
the rounds, and epochs/s per student as a ratio to numpy's.

Each student is a websocket client (``tests/streamlit_client.Student``) that opens the page with a
link, presses Train at speed max, and reruns the timed parts of the page on schedule, as the
browser does. Over the measured window (after every student is training) it prints, per N:
the redraw interval (median and p95 over every student's redraws), epochs per second per
student (median and min), kB/s per student, the servers' CPU (share of one core) and RSS,
pauses that a watching student should never see, errors, and cross-talk (a student shown
another student's network).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from tests.live_server import free_port, streamlit_app, wait_until_healthy  # noqa: E402
from tests.streamlit_client import Student  # noqa: E402

HIDDEN = ["2", "3", "2,2", "4", "3,3", "2,2,2", "5", "4,4"]  # the mixed small architectures
TICKS = os.sysconf("SC_CLK_TCK")
HEADER = (
    "students | redraw interval median / p95 | epochs/s per student median (min) | "
    "kB/s per student | server CPU | server RSS | false pauses / errors / cross-talk"
)
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def link(k: int) -> tuple[str, str]:
    """Student k's link and the network the page should name for it."""
    hidden = HIDDEN[k % len(HIDDEN)]
    query = f"dataset=half_adder&hidden={hidden}&seed={k}&lr=0.5&speed=max&stop_solved=0"
    return query, "-".join(["2", *hidden.split(","), "2"])


def process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (the servers behind the deploy script)."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    kids = children.read_text().split() if children.exists() else []
    return [pid] + [p for kid in kids for p in process_tree(int(kid))]


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / TICKS


def rss_mb(pids: list[int]) -> float:
    pages = sum(int(Path(f"/proc/{pid}/statm").read_text().split()[1]) for pid in pids)
    return pages * PAGE_SIZE / 1e6


async def run_class(base: str, n: int, seconds: float, ramp: float = 0.15):
    """Start n students ``ramp`` s apart; measure the ``seconds`` after the last one trains."""
    students = [Student(base, *link(k)) for k in range(n)]
    start = time.monotonic()
    until = start + ramp * n + 10 + seconds
    tasks = []
    for s in students:
        tasks.append(asyncio.create_task(s.run(until)))
        await asyncio.sleep(ramp)
    deadline = time.monotonic() + 30
    while any(s.trained_from is None for s in students) and time.monotonic() < deadline:
        await asyncio.sleep(0.2)
    await asyncio.sleep(2.0)  # let the last ones get going
    window_start = time.monotonic()
    bytes_at_start = [s.received for s in students]
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, Exception):
            print(f"a student's connection failed: {outcome!r}", file=sys.stderr)
    return students, window_start, until, bytes_at_start


def measure(base: str, server_pid: int, n: int, seconds: float) -> dict:
    pids = process_tree(server_pid)
    cpu_before, t_before = cpu_seconds(pids), time.monotonic()
    students, t0, t1, bytes0 = asyncio.run(run_class(base, n, seconds))
    pids = [p for p in process_tree(server_pid) if Path(f"/proc/{p}").exists()]
    cpu = (cpu_seconds(pids) - cpu_before) / (time.monotonic() - t_before)
    intervals, rates, kbps = [], [], []
    for s, b0 in zip(students, bytes0):
        window = [(t, e) for t, e, _ in s.redraws if t0 <= t <= t1]
        if len(window) >= 2:
            times = np.array([t for t, _ in window])
            intervals += np.diff(times).tolist()
            rates.append((window[-1][1] - window[0][1]) / (times[-1] - times[0]))
        else:
            rates.append(0.0)
        kbps.append((s.received - b0) / (t1 - t0) / 1e3)
    return dict(
        n=n,
        redraw_median=statistics.median(intervals) if intervals else float("inf"),
        redraw_p95=float(np.percentile(intervals, 95)) if intervals else float("inf"),
        epochs_median=statistics.median(rates),
        epochs_min=min(rates),
        kbps_median=statistics.median(kbps),
        kbps_max=max(kbps),
        cpu=cpu,
        rss=rss_mb(pids),
        false_pauses=sum(len(s.false_pauses) for s in students),
        errors=sum(len(s.errors) for s in students) + sum(not s.redraws for s in students),
        cross_talk=sum(s.networks != {s.sizes} for s in students),
        replicas=sorted({s.replica for s in students if s.replica}),
    )


@contextmanager
def deployment(replicas: int):
    """deploy/serve.sh with ``replicas`` servers behind nginx on a free loopback port."""
    port = free_port()
    proc = subprocess.Popen(
        ["bash", "deploy/serve.sh", str(replicas), str(port)], cwd=ROOT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(base, proc, open(os.devnull, "rb"), 90)
        yield base, proc.pid
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def report(row: dict) -> None:
    print(
        f"{row['n']:>4} | {row['redraw_median']:.2f} / {row['redraw_p95']:.2f} s"
        f" | {row['epochs_median']:,.0f} ({row['epochs_min']:,.0f})"
        f" | {row['kbps_median']:.0f} (max {row['kbps_max']:.0f})"
        f" | {row['cpu']:.0%} | {row['rss']:.0f} MB"
        f" | {row['false_pauses']} / {row['errors']} / {row['cross_talk']}"
        + (f" | {', '.join(row['replicas'])}" if row["replicas"] else ""),
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("students", nargs="*", type=int, default=[1, 5, 10, 20, 40])
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--replicas", type=int, default=0, help="0: one plain server")
    parser.add_argument(
        "--soak", type=float, default=0, help="minutes: one student that long, reported per minute"
    )
    parser.add_argument("--compare", action="store_true", help="numpy, compiled on 1 turn, on all")
    parser.add_argument("--rounds", type=int, default=3, help="with --compare")
    args = parser.parse_args()
    if args.compare:
        compare(args.students, args.seconds, args.rounds)
        return
    if args.soak:
        with streamlit_app() as base:
            soak(base, _server_pid(base), args.soak * 60)
        return
    print(HEADER)
    for n in args.students:
        with ExitStack() as stack:  # a fresh server for each N
            if args.replicas:
                base, pid = stack.enter_context(deployment(args.replicas))
            else:
                base = stack.enter_context(streamlit_app())
                pid = _server_pid(base)
            report(measure(base, pid, n, args.seconds))


ENGINES = {  # the server's environment for each way of training
    "numpy, 1 turn": {"BACKPROP_KERNEL": "numpy", "BACKPROP_TURNS": "1"},
    "compiled, 1 turn": {"BACKPROP_KERNEL": "", "BACKPROP_TURNS": "1"},
    "compiled, a turn per core": {"BACKPROP_KERNEL": "", "BACKPROP_TURNS": ""},
}


def compare(counts: list[int], seconds: float, rounds: int) -> None:
    """Each N on each engine, interleaved round by round, on a fresh server each time."""
    rows: dict[tuple[int, str], list[dict]] = {}
    print("round | engine | " + HEADER)
    for r in range(rounds):
        for n in counts:
            for engine, env in ENGINES.items():
                saved = {key: os.environ.get(key) for key in env}
                os.environ.update(env)
                try:
                    with streamlit_app() as base:
                        row = measure(base, _server_pid(base), n, seconds)
                finally:
                    for key, value in saved.items():
                        os.environ.pop(key) if value is None else os.environ.update({key: value})
                rows.setdefault((n, engine), []).append(row)
                print(f"{r + 1} | {engine} | ", end="")
                report(row)
    print(f"\nMedians over {rounds} rounds")
    for n in counts:
        base_rate = statistics.median(x["epochs_median"] for x in rows[n, "numpy, 1 turn"])
        for engine in ENGINES:
            got = rows[n, engine]
            rate = statistics.median(x["epochs_median"] for x in got)
            print(
                f"{n:>4} students, {engine:26s} epochs/s per student {rate:8,.0f} "
                f"({rate / base_rate:5.1f}× numpy's; min {min(x['epochs_min'] for x in got):,.0f})"
                f" | redraws {statistics.median(x['redraw_median'] for x in got):.2f} s median, "
                f"p95 {statistics.median(x['redraw_p95'] for x in got):.2f} s"
                f" | CPU {statistics.median(x['cpu'] for x in got):.0%}"
            )


def soak(base: str, pid: int, seconds: float) -> None:
    """One student training at speed max for ``seconds``: per minute, the epoch, the server's
    RSS, and the redraw time (from the page asking for a redraw to its Epoch arriving)."""
    print("minute | epoch | server RSS | redraw time median / p95 | redraw interval median")
    student = Student(base, *link(0))
    start = time.monotonic()

    async def watch() -> None:
        task = asyncio.create_task(student.run(start + seconds))
        minute = 1
        while not task.done():
            await asyncio.sleep(1)
            if time.monotonic() - start >= 60 * minute:
                last = [r for r in student.redraws if r[0] >= start + 60 * (minute - 1)]
                times = np.array([r[0] for r in last])
                took = [r[2] for r in last]
                print(
                    f"{minute:>6} | {last[-1][1]:,} | {rss_mb(process_tree(pid)):.0f} MB"
                    f" | {statistics.median(took) * 1e3:.0f} / {np.percentile(took, 95) * 1e3:.0f}"
                    f" ms | {statistics.median(np.diff(times)):.3f} s",
                    flush=True,
                )
                minute += 1
        await task

    asyncio.run(watch())


def _server_pid(base: str) -> int:
    """The pid of the ``streamlit run`` that listens on ``base``'s port."""
    wanted = f"--server.port\0{base.rsplit(':', 1)[1]}\0"
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if wanted in cmdline.read_text():
                return int(cmdline.parent.name)
        except OSError:
            continue
    raise RuntimeError(f"no server process listens at {base}")


if __name__ == "__main__":
    main()

"""One heavy student in a class: does everybody else keep training and redrawing?

    python benchmarks/bench_heavy.py                    # 10 students, 2 rounds of 20 s each way
    python benchmarks/bench_heavy.py --students 20 --rounds 3 --page-every 0

Rounds alternate, each on a fresh server: the class alone, then the class with a heavy student
beside it. The heavy student trains the largest network the app allows (8 hidden layers of
64, every feature) on multiple Gaussians with 90 % of the points and a batch size of 1, and
keeps the heaviest page open: *Gradient check* at that size, opened anew (a fresh session,
nothing cached) every ``--page-every`` seconds (0: as fast as it loads, back to back).

It prints, per round, the light students' epochs/s and the redraw intervals of every student
(the heavy one too), then per light student the ratio of its epochs/s with the heavy student
to without, over all rounds and round by round: the target is a ratio of at least 0.75 for
every student, and redraws under 1.5 s apart.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402
from websockets.asyncio.client import connect  # noqa: E402

from benchmarks.bench_classroom import link  # noqa: E402
from tests.live_server import streamlit_app  # noqa: E402
from tests.streamlit_client import Student  # noqa: E402

HEAVY = (
    "dataset=multi_gauss&hidden=64,64,64,64,64,64,64,64&train=90&batch=1&speed=max"
    "&features=x1,x2,x1%5E2,x2%5E2,x1x2,sin_x1,sin_x2&stop_solved=0"
)
HEAVY_SIZES = "7-64-64-64-64-64-64-64-64-1"


async def open_page(base: str, page: str, query: str) -> float:
    """Open ``page`` in a fresh session, as a new tab does; returns seconds until it is drawn."""
    url = base.replace("http", "ws", 1) + "/_stcore/stream"
    started = time.monotonic()
    async with connect(url, subprotocols=["streamlit"], max_size=None) as ws:
        msg = BackMsg()
        msg.rerun_script.query_string = query
        msg.rerun_script.page_name = page
        await ws.send(msg.SerializeToString())
        while True:
            reply = ForwardMsg.FromString(await ws.recv())
            if reply.WhichOneof("type") == "script_finished":
                return time.monotonic() - started


async def keep_page_open(base: str, until: float, every: float, loads: list[float]) -> None:
    while time.monotonic() < until:
        began = time.monotonic()
        loads.append(await open_page(base, "Gradient_check", HEAVY))
        await asyncio.sleep(max(0.0, every - (time.monotonic() - began)))


async def one_round(
    base: str, students: int, heavy: bool, seconds: float, every: float, parts: set[str]
):
    light = [Student(base, *link(k)) for k in range(students)]
    trains = heavy and "student" in parts
    class_ = light + ([Student(base, HEAVY, HEAVY_SIZES)] if trains else [])
    settle = 12.0
    until = time.monotonic() + settle + seconds
    tasks = [asyncio.create_task(s.run(until)) for s in class_]
    loads: list[float] = []
    if heavy and "page" in parts:
        tasks.append(asyncio.create_task(keep_page_open(base, until, every, loads)))
    await asyncio.sleep(settle)
    window = (time.monotonic(), until)
    await asyncio.gather(*tasks, return_exceptions=True)
    rates, intervals, errors, heavy_rate = [], [], 0, None
    for s in class_:
        seen = [(t, e) for t, e, _ in s.redraws if window[0] <= t <= window[1]]
        times = np.array([t for t, _ in seen])
        intervals += np.diff(times).tolist()
        rate = (seen[-1][1] - seen[0][1]) / (times[-1] - times[0]) if len(seen) > 1 else 0.0
        if s in light:
            rates.append(rate)
        else:
            heavy_rate = rate
        errors += len(s.errors) + len(s.false_pauses) + (not s.redraws)
    return rates, intervals, loads, errors, heavy_rate


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--page-every", type=float, default=0.0)
    parser.add_argument(
        "--only", choices=("student", "page"), help="the heavy student's training or its page"
    )
    args = parser.parse_args()
    parts = {args.only} if args.only else {"student", "page"}
    alone, beside = [], []
    for r in range(args.rounds):
        for heavy in (False, True):
            with streamlit_app() as base:
                rates, intervals, loads, errors, heavy_rate = asyncio.run(
                    one_round(base, args.students, heavy, args.seconds, args.page_every, parts)
                )
            (beside if heavy else alone).append(rates)
            if heavy_rate is not None:
                page_note = f", the heavy student {heavy_rate:.1f} epochs/s"
            else:
                page_note = ""
            page = page_note + (
                f", page loads {len(loads)} (median {statistics.median(loads):.1f} s)"
                if loads
                else ""
            )
            print(
                f"round {r + 1} {'with the heavy student' if heavy else 'class alone':<22}"
                f" epochs/s median {statistics.median(rates):,.0f} (min {min(rates):,.0f})"
                f" | redraw interval median {statistics.median(intervals):.2f} s, p95 "
                f"{np.percentile(intervals, 95):.2f} s, max {max(intervals):.2f} s"
                f" | errors and pauses {errors}{page}",
                flush=True,
            )
    paired = np.array(beside) / np.array(alone)
    kept = np.mean(beside, axis=0) / np.mean(alone, axis=0)
    print(
        "epochs/s kept beside the heavy student, per light student over all rounds: "
        f"median {np.median(kept):.2f}, min {kept.min():.2f} (target ≥ 0.75); "
        f"round by round: median {np.median(paired):.2f}, min {paired.min():.2f}"
    )


if __name__ == "__main__":
    main()

"""What checkpointing costs a class: 20 students train with the run store off and on.

    python benchmarks/bench_checkpoints.py                 # 3 rounds of each, 20 students
    python benchmarks/bench_checkpoints.py --students 10 --rounds 2

Rounds alternate on fresh servers, store off (``BACKPROP_STORE=off``) then on (SQLite in a
new folder), so that both see the same machine. Each round is the classroom benchmark's
(``bench_classroom.measure``); it prints the redraw interval and epochs/s per student, then
the ratios of on to off. Target: the redraw median unchanged, at most 0.5 s.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_classroom import _server_pid, measure  # noqa: E402

from tests.live_server import streamlit_app  # noqa: E402


def store_size(folder: str) -> int:
    return sum(p.stat().st_size for p in Path(folder).glob("*"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    args = parser.parse_args()
    results: dict[str, list[dict]] = {"off": [], "on": []}
    for k in range(args.rounds):
        for mode in ("off", "on"):
            folder = tempfile.mkdtemp(prefix="backprop-bench-store-")
            os.environ["BACKPROP_STORE"] = "off" if mode == "off" else folder
            with streamlit_app() as base:
                row = measure(base, _server_pid(base), args.students, args.seconds)
            results[mode].append(row)
            stored = f", store {store_size(folder) / 1e6:.1f} MB" if mode == "on" else ""
            print(
                f"round {k + 1} store {mode:>3}: redraw interval median "
                f"{row['redraw_median']:.2f} s, p95 {row['redraw_p95']:.2f} s | epochs/s per "
                f"student median {row['epochs_median']:,.0f} (min {row['epochs_min']:,.0f}) | "
                f"errors {row['errors']}, false pauses {row['false_pauses']}{stored}",
                flush=True,
            )

    def median(mode: str, key: str) -> float:
        return statistics.median(r[key] for r in results[mode])

    for key, what in (("redraw_median", "redraw interval"), ("epochs_median", "epochs/s")):
        off, on = median("off", key), median("on", key)
        print(f"{what}: store on / off = {on:.3g} / {off:.3g} = {on / off:.2f}")


if __name__ == "__main__":
    main()

"""A lecture's key moment in a real browser: the half adder in lecture mode, from Train until it
stops by itself, at each paced speed beside speed "max" in the same rounds.

    python benchmarks/bench_lecture.py [--rounds 3]

Prints, per speed, the medians over the rounds of: seconds from pressing Train until the cost
shown is below 0.05; seconds the cost shown stays on the plateau (0.20 ≤ C ≤ 0.225); and the
epoch and cost at which "Stop when solved" stopped, as a share of the plateau's cost.
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser_helpers import HALF_ADDER_PLATEAU, train_until_solved  # noqa: E402
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, streamlit_app  # noqa: E402

SPEEDS = {
    "paced, 1 s a decade": "decade=1",
    "paced, 3 s a decade (default)": "",
    "paced, 10 s a decade": "decade=10",
    "max": "speed=max",
}


def one_run(page, url: str, limit: float = 90.0) -> dict:
    """Train once from ``url`` and sample the numbers shown every 0.1 s until it stops."""
    page.goto(url)
    page.wait_for_function("() => window.bpKeys?.page", timeout=60_000)
    samples = train_until_solved(page, limit, every_ms=100)
    low, high = HALF_ADDER_PLATEAU
    on = [t for t, _, c, _ in samples if low <= c <= high]
    plateau = (
        statistics.median(c for _, _, c, _ in samples if low <= c <= high) if on else float("nan")
    )
    below = [t for t, _, c, _ in samples if c < 0.05]
    return dict(
        drop=below[0] if below else float("nan"),
        plateau=(on[-1] - on[0]) if on else 0.0,
        stop_epoch=samples[-1][1],
        stop_share=samples[-1][2] / plateau,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    results: dict[str, list[dict]] = {name: [] for name in SPEEDS}
    with streamlit_app() as base, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        for _ in range(rounds):  # the speeds side by side in every round: a noisy machine
            for name, query in SPEEDS.items():
                results[name].append(one_run(page, f"{base}/?lecture=1&{query}"))
        browser.close()
    print(f"half adder, lecture mode, {rounds} rounds (medians)")
    print(
        f"{'speed':32} {'Train → C < 0.05':>17} {'on the plateau':>15} {'stop epoch':>11} "
        f"{'stop C ÷ plateau C':>19}"
    )
    for name, runs in results.items():
        med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
        print(
            f"{name:32} {med['drop']:>15.1f} s {med['plateau']:>13.1f} s "
            f"{med['stop_epoch']:>11,.0f} {med['stop_share']:>18.1%}"
        )


if __name__ == "__main__":
    main()

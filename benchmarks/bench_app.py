"""The app's speed in a real browser (Debian's chromium), beside the core's headless speed.

    python benchmarks/bench_app.py ["?lecture=1"]   # optional URL query, e.g. lecture mode

Prints: seconds until the first page shows its charts; epochs per second while training live
against the core's headless epochs per second; chart refreshes per second; seconds from
pressing Train until the half adder's cost is below 1e-3.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from backprop_core import Network, Trainer, datasets  # noqa: E402
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, streamlit_app  # noqa: E402

# Records every change of the Epoch and Cost metrics with its time, in the page itself.
WATCH = """() => {
  window.__samples = [];
  const read = () => {
    const metrics = [...document.querySelectorAll('[data-testid=stMetric]')];
    const value = label => {
      const m = metrics.find(m => m.innerText.startsWith(label));
      return m ? m.querySelector('[data-testid=stMetricValue]').innerText : null;
    };
    const epoch = parseInt((value('Epoch') || '0').replace(/[^0-9]/g, ''));
    const last = window.__samples[window.__samples.length - 1];
    if (!last || last.epoch !== epoch)
      window.__samples.push({t: performance.now(), epoch, cost: parseFloat(value('Cost'))});
  };
  new MutationObserver(read).observe(document.body, {subtree: true, childList: true,
                                                     characterData: true});
}"""


def headless_epochs_per_second(seconds: float = 2.0) -> float:
    trainer = Trainer(Network([2, 2, 2, 2], seed=0), *datasets.half_adder(), learning_rate=0.5)
    start = time.perf_counter()
    done = trainer.step(10**8, max_seconds=seconds)
    return done / (time.perf_counter() - start)


# Every chart of the first page at the defaults: two curves, three heatmaps, the surfaces.
FIRST_PAGE_CHARTS = [
    "cost_chart",
    "delta_chart",
    "weights_0",
    "weights_1",
    "weights_2",
    "output_surfaces",
]
ALL_DRAWN = "keys => keys.every(k => document.querySelector(`.st-key-${k} .main-svg`))"


def load_until_charts(page, url: str) -> tuple[float, float]:
    """Seconds from navigation until the first metric, and until every chart is drawn."""
    start = time.perf_counter()
    page.goto(url)
    page.get_by_test_id("stMetric").first.wait_for(timeout=60_000)
    metric = time.perf_counter() - start
    page.wait_for_function(ALL_DRAWN, arg=FIRST_PAGE_CHARTS, timeout=60_000)
    return metric, time.perf_counter() - start


def train_live(page, seconds: float) -> dict:
    """Press Train on a loaded page, watch for ``seconds``, then pause."""
    page.evaluate(WATCH)
    page.get_by_role("button", name="Train").click()
    clicked = page.evaluate("performance.now()")
    time.sleep(seconds)
    samples = page.evaluate("window.__samples")
    page.get_by_role("button", name="Pause").click()
    live = [s for s in samples if s["epoch"] > 0]
    span = (live[-1]["t"] - live[0]["t"]) / 1000
    solved = next((s["t"] for s in live if s["cost"] < 1e-3), None)
    return {
        "epochs_per_s": (live[-1]["epoch"] - live[0]["epoch"]) / span,
        "refreshes_per_s": (len(live) - 1) / span,
        "solved_s": None if solved is None else (solved - clicked) / 1000,
    }


def measure(playwright, url: str, train_seconds: float) -> dict:
    """The server's first visitor: a fresh browser loads the page and trains in that tab.
    A later visitor: a second fresh browser loads the page, reloads it, and trains there."""

    def fresh_page():
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        return browser, browser.new_page(viewport={"width": 1500, "height": 1100})

    browser, page = fresh_page()
    result = {"cold": load_until_charts(page, url), "visitor": train_live(page, train_seconds)}
    browser.close()
    browser, page = fresh_page()
    result["visit"] = load_until_charts(page, url)
    result["warm"] = load_until_charts(page, url)
    result["reload"] = train_live(page, train_seconds)
    browser.close()
    return result


def print_training(label: str, live: dict, headless: float) -> None:
    solved = "not within the run" if live["solved_s"] is None else f"{live['solved_s']:.2f} s"
    print(
        f"{label}: {live['epochs_per_s']:,.0f} epochs/s = "
        f"{live['epochs_per_s'] / headless:.2f}× headless (target ≥ 0.5); "
        f"{live['refreshes_per_s']:.2f} refreshes/s (target ≥ 4); "
        f"cost below 1e-3 {solved} after Train (target ≤ 10)"
    )


def main(query: str = "") -> None:
    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    print(f"{os.cpu_count()} cores; server, browser and this script share them")
    headless = headless_epochs_per_second()
    with streamlit_app() as url, sync_playwright() as p:
        result = measure(p, url + query, train_seconds=8.0)
    loads = [
        ("first visit after the server starts", "cold"),
        ("a later visit, fresh browser", "visit"),
        ("a reload of that tab", "warm"),
    ]
    for label, name in loads:
        metric, charts = result[name]
        print(
            f"page load, {label}: metrics after {metric:.2f} s, every chart after {charts:.2f} s"
            " (target ≤ 3)"
        )
    print(f"core, headless: {headless:,.0f} epochs/s")
    print_training("live, tab that loaded once", result["visitor"], headless)
    print_training("live, tab after a reload  ", result["reload"], headless)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "")

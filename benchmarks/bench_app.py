"""The app's speed in a real browser (Debian's chromium), beside the core's headless speed.

    python benchmarks/bench_app.py ["?lecture=1&stop_solved=0"]   # optional URL query
    python benchmarks/bench_app.py --playground   # the spiral, 8-8 tanh, batch 10, live surface

Prints: seconds until the first page shows all its charts, as medians over three server starts
beside a one-chart Streamlit page loaded in the same rounds; epochs per second while training
live against the core's headless epochs per second; metric refreshes and cost-curve redraws per
second, overall and in the slowest 2 s; seconds from pressing Train until the half adder's cost
is below 1e-3; screenshots with a blank live chart over 10 s of training; and the websocket
bytes per redraw, early in a run and after 10⁶ epochs.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import parse_qsl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from backprop_core import Network, Trainer, datasets  # noqa: E402
from dashboard.state.run import Run  # noqa: E402
from dashboard.state.settings import settings_from_query  # noqa: E402
from tests.browser_helpers import (  # noqa: E402
    COUNT_REDRAWS,
    CURVES_DRAWN,
    WebSocketBytes,
    blank_screenshots,
)
from tests.live_server import CHROMIUM, CHROMIUM_FLAGS, streamlit_app  # noqa: E402

FLOOR_APP = "benchmarks/one_chart_app.py"

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


PLAYGROUND = "?dataset=spiral&hidden=8,8&activation=tanh&cost=cross_entropy&batch=10&lr=0.03"
SURFACE = "decision_surface"


def headless_epochs_per_second(seconds: float = 2.0, query: str = "") -> float:
    """The core alone, on what the query's page trains: its trainer, test set and all."""
    if query:
        trainer = Run(settings_from_query(dict(parse_qsl(query[1:])))[0]).trainer
    else:
        trainer = Trainer(Network([2, 2, 2, 2], seed=0), *datasets.half_adder(), 0.5)
    start = time.perf_counter()
    done = trainer.step(10**8, max_seconds=seconds)
    return done / (time.perf_counter() - start)


# Every chart of the first page at the defaults: two curves, three heatmaps, the half adder's
# two output surfaces.
FIRST_PAGE_CHARTS = [
    "cost_chart",
    "delta_chart",
    "weights_0",
    "weights_1",
    "weights_2",
    "output_surface_0",
    "output_surface_1",
]
ALL_DRAWN = "keys => keys.every(k => document.querySelector(`.st-key-${k} .main-svg`))"


def page_charts(url: str) -> list[str]:
    """The first page's charts: the 2-D sets have the decision surface, not output surfaces."""
    if "dataset=spiral" in url:
        return FIRST_PAGE_CHARTS[:-2] + [SURFACE]
    return FIRST_PAGE_CHARTS


def load_until_charts(page, url: str, charts: list[str] | None = None) -> float:
    """Seconds from navigation until every chart is drawn."""
    charts = page_charts(url) if charts is None else charts
    start = time.perf_counter()
    page.goto(url)
    page.wait_for_function(ALL_DRAWN, arg=charts, timeout=60_000)
    return time.perf_counter() - start


# The status is a metric, or with a test set a caption.
PAUSED = """() => [...document.querySelectorAll(
      '[data-testid=stMetric], [data-testid=stCaptionContainer]')]
    .some(m => m.innerText.startsWith('Status') && m.innerText.includes('Paused'))"""


def pause(page) -> None:
    """Pause, and wait until the page says so: a tab closed while its worker still trains
    would take the CPU from the next measurement for the 10 s until the worker stops."""
    page.get_by_role("button", name="Pause", exact=True).click()
    page.wait_for_function(PAUSED, timeout=30_000)


def train_live(page, seconds: float) -> dict:
    """Press Train on a loaded page, watch for ``seconds``, then pause."""
    page.evaluate(WATCH)
    surface = page.locator(f".st-key-{SURFACE}").count() > 0
    if surface:
        page.evaluate(COUNT_REDRAWS, SURFACE)
    page.evaluate(COUNT_REDRAWS, "cost_chart")
    page.get_by_role("button", name="Train", exact=True).click()
    clicked = page.evaluate("performance.now()")
    page.wait_for_timeout(seconds * 1000)
    samples, redraws, by_key = page.evaluate(
        "[window.__samples, window.__redraws, window.__redrawsBy]"
    )
    pause(page)
    live = [s for s in samples if s["epoch"] > 0]
    span = (live[-1]["t"] - live[0]["t"]) / 1000
    solved = next((s["t"] for s in live if s["cost"] < 1e-3), None)
    return {
        "epochs_per_s": (live[-1]["epoch"] - live[0]["epoch"]) / span,
        "refreshes_per_s": (len(live) - 1) / span,
        "slowest_window": slowest_window([s["t"] / 1000 for s in live]),
        "redraws_per_s": (len(redraws) - 1) / ((redraws[-1] - redraws[0]) / 1000),
        "slowest_redraws": slowest_window([t / 1000 for t in redraws]),
        "solved_s": None if solved is None else (solved - clicked) / 1000,
        "surface_per_s": (len(by_key[SURFACE]) - 1) / seconds if surface else None,
        "target": 0.5 if surface else 0.6,  # the 2-D sets: a surface and a test set per redraw
    }


def bytes_per_redraw(page, received: WebSocketBytes, seconds: float = 5.0) -> float:
    """Websocket bytes received per redraw of the live numbers over ``seconds`` of training:
    each redraw is one run of the page's live part, seen as a new Epoch value."""
    page.evaluate(WATCH)
    start = received.total
    page.wait_for_timeout(seconds * 1000)  # not time.sleep: the frame events need the loop
    return (received.total - start) / max(len(page.evaluate("window.__samples")), 1)


def measure_live_charts(playwright, url: str, epochs: int = 10**6) -> dict:
    """In one fresh tab at speed max: blank live charts in screenshots over 10 s of training,
    bytes per redraw then, and bytes per redraw once the run has passed ``epochs``."""
    browser, page = fresh_page(playwright)
    received = WebSocketBytes(page)
    load_until_charts(page, url)
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function(CURVES_DRAWN, timeout=30_000)
    blank, taken = blank_screenshots(page, 10.0)
    if SURFACE in page_charts(url):  # below the curves: scrolled into view to be seen
        page.locator(f".st-key-{SURFACE}").scroll_into_view_if_needed()
        more = blank_screenshots(page, 5.0, (SURFACE,))
        blank, taken = blank + more[0], taken + more[1]
    result = {"blank": blank, "screenshots": taken, "early_bytes": bytes_per_redraw(page, received)}
    page.wait_for_function(
        """epochs => [...document.querySelectorAll('[data-testid=stMetric]')].some(m =>
            m.innerText.startsWith('Epoch')
            && parseInt(m.innerText.replace(/[^0-9]/g, '')) > epochs)""",
        arg=epochs,
        timeout=600_000,
    )
    result["late_bytes"] = bytes_per_redraw(page, received)
    pause(page)
    browser.close()
    return result


def slowest_window(times: list[float], width: float = 2.0) -> float:
    """Redraws per second in the slowest whole ``width``-second window of ``times``."""
    counts = np.bincount(((np.array(times) - times[0]) // width).astype(int))
    whole = counts[:-1]  # the last window is cut short by the pause
    return whole.min() / width if len(whole) else float("nan")


def fresh_page(playwright):
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
    return browser, browser.new_page(viewport={"width": 1500, "height": 1100})


def first_loads(playwright, url: str, charts: list[str]) -> tuple[float, float]:
    """Seconds until every chart is drawn: the server's first visitor, then a later one, each
    in a fresh browser (nothing cached)."""
    times = []
    for _ in range(2):
        browser, page = fresh_page(playwright)
        times.append(load_until_charts(page, url, charts))
        browser.close()
    return times[0], times[1]


def measure_training(playwright, url: str, train_seconds: float) -> dict:
    """A fresh browser loads the page and trains in that tab; a second one loads the page,
    reloads it, and trains in the reloaded tab."""
    browser, page = fresh_page(playwright)
    load_until_charts(page, url)
    result = {"visitor": train_live(page, train_seconds)}
    browser.close()
    browser, page = fresh_page(playwright)
    load_until_charts(page, url)
    result["reload_load"] = load_until_charts(page, url)
    result["reload"] = train_live(page, train_seconds)
    browser.close()
    return result


def measure_loads(playwright, query: str, rounds: int) -> dict[str, list[float]]:
    """Each round starts the app and the one-chart floor page afresh and loads each twice,
    alternating which goes first, so both see the same machine."""
    loads: dict[str, list[float]] = {}
    for r in range(rounds):
        with streamlit_app() as app, streamlit_app(FLOOR_APP) as floor:
            pages = [("app", app + query, page_charts(query)), ("floor", floor, ["only_chart"])]
            for name, url, charts in pages[:: 1 if r % 2 == 0 else -1]:
                first, later = first_loads(playwright, url, charts)
                loads.setdefault(f"{name} first", []).append(first)
                loads.setdefault(f"{name} later", []).append(later)
    return loads


def spread(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f} s ({', '.join(f'{v:.2f}' for v in values)})"


def print_training(label: str, live: dict, headless: float) -> None:
    solved = "not within the run" if live["solved_s"] is None else f"{live['solved_s']:.2f} s"
    print(
        f"{label}: {live['epochs_per_s']:,.0f} epochs/s = "
        f"{live['epochs_per_s'] / headless:.2f}× headless (target ≥ {live['target']}); "
        f"metrics {live['refreshes_per_s']:.2f} refreshes/s, "
        f"{live['slowest_window']:.1f} in the slowest 2 s; cost curve "
        f"{live['redraws_per_s']:.2f} redraws/s (target ≥ 8), "
        f"{live['slowest_redraws']:.1f} in the slowest 2 s; "
        f"cost below 1e-3 {solved} after Train (target ≤ 10)"
    )
    if live["surface_per_s"] is not None:
        print(f"    decision surface {live['surface_per_s']:.2f} redraws/s (target ≥ 4)")


def print_loads(loads: dict[str, list[float]], reload: float) -> None:
    for visit in ("first", "later"):
        app, floor = loads[f"app {visit}"], loads[f"floor {visit}"]
        label = "first visit after the server starts" if visit == "first" else "a later visit"
        print(f"page load, {label}, fresh browser: {spread(app)} (target ≤ 3)")
        ratio = statistics.median(app) / statistics.median(floor)
        print(f"    one-chart floor page, same rounds: {spread(floor)}; app/floor {ratio:.2f}")
    print(f"page load, a reload: {reload:.2f} s (target ≤ 3)")


def main(query: str = "", rounds: int = 3) -> None:
    if CHROMIUM is None:
        raise SystemExit("needs Debian's chromium: apt-get install -y chromium")
    print(f"{os.cpu_count()} cores; server, browser and this script share them")
    headless = headless_epochs_per_second(query=query if "dataset=" in query else "")
    with sync_playwright() as p:
        loads = measure_loads(p, query, rounds)
        with streamlit_app() as url:
            training = measure_training(p, url + query, train_seconds=8.0)
            late = 10**4 if "dataset=" in query else 10**6  # the spiral runs ~1,000 epochs/s
            charts = measure_live_charts(p, url + query, late)
    print_loads(loads, training["reload_load"])
    print(f"core, headless: {headless:,.0f} epochs/s")
    print_training("live, tab that loaded once", training["visitor"], headless)
    print_training("live, tab after a reload  ", training["reload"], headless)
    print(
        f"blank live charts: {charts['blank']} of {charts['screenshots']} screenshots in 10 s "
        f"of training{', and 5 s of the surface' if 'dataset=' in query else ''} (target 0); "
        f"bytes per redraw: {charts['early_bytes'] / 1000:.1f} kB "
        f"early, {charts['late_bytes'] / 1000:.1f} kB after {late:,} epochs (target ≤ 30)"
    )


if __name__ == "__main__":
    argument = sys.argv[1] if len(sys.argv) > 1 else ""
    main(PLAYGROUND if argument == "--playground" else argument)

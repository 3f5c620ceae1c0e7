"""What the browser tests and the app benchmark read off a page: blank charts in screenshots,
chart redraws, and the bytes the server sends over the websocket."""

from __future__ import annotations

import io
import re
import time

import numpy as np
from PIL import Image

from tests.apptest_helpers import number

LINE_RGB = (0, 114, 178)  # the first trace's colour on both live charts (figures.LAYER_COLOURS)
LIVE_CHARTS = ("cost_chart", "delta_chart")


def open_app(page, url: str) -> None:
    """Open ``url`` and wait until the page shows its first numbers."""
    page.goto(url)
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=30_000)
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)


def shown_epoch(page) -> int:
    metric = page.get_by_test_id("stMetric").filter(has_text="Epoch")
    value = metric.get_by_test_id("stMetricValue").inner_text()
    return int(re.sub(r"[^\d]", "", value))


HALF_ADDER_PLATEAU = (0.20, 0.225)  # its cost on the plateau, C ≈ 0.21 (HELP["plateau"])
METRICS = """() => Object.fromEntries([...document.querySelectorAll('[data-testid=stMetric]')]
  .map((m) => [m.querySelector('[data-testid=stMetricLabel]').innerText.trim(),
               m.querySelector('[data-testid=stMetricValue]').innerText.trim()]))"""


def train_until_solved(page, limit: float, every_ms: int) -> list[tuple[float, int, float, str]]:
    """Press Train and read (seconds since, epoch, cost, status) off the page every
    ``every_ms`` until the status says Solved or ``limit`` seconds have passed."""
    page.get_by_role("button", name="Train", exact=True).click()
    started, samples = time.monotonic(), []
    while time.monotonic() - started < limit:
        shown = page.evaluate(METRICS)
        epoch = int(re.sub(r"[^\d]", "", shown["Epoch"]))
        cost = number(shown["Cost"])
        samples.append((time.monotonic() - started, epoch, cost, shown["Status"]))
        if shown["Status"].startswith("Solved"):
            break
        page.wait_for_timeout(every_ms)
    return samples


def assert_no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0


# True once the cost chart has drawn a trained epoch (at epoch 0 it shows only a note).
CURVES_DRAWN = """() => {
  const plot = document.querySelector('.st-key-cost_chart .bp-plot');
  return Boolean(plot?._fullLayout) && !(plot.layout.annotations || []).length;
}"""


def chart_box(page, key: str) -> dict:
    """The chart's bounding box in page coordinates."""
    return page.locator(f".st-key-{key}").bounding_box()


def line_pixels(png: bytes, box: dict, origin: dict) -> int:
    """How many pixels inside ``box`` have the line colour; a blank chart has none."""
    image = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=int)
    x0, y0 = int(box["x"] - origin["x"]), int(box["y"] - origin["y"])
    crop = image[y0 : y0 + int(box["height"]), x0 : x0 + int(box["width"])]
    return int((np.abs(crop - LINE_RGB).sum(axis=2) < 60).sum())


def blank_screenshots(
    page, seconds: float, keys=LIVE_CHARTS, at_least: int = 10
) -> tuple[int, int]:
    """Screenshots of the live charts, taken as fast as they come for ``seconds`` and until
    ``at_least`` are taken (a busy machine takes them slowly): returns how many showed a blank
    chart (no pixel of its line colour), and how many were taken."""
    boxes = [chart_box(page, k) for k in keys]
    left, top = min(b["x"] for b in boxes), min(b["y"] for b in boxes)
    right = max(b["x"] + b["width"] for b in boxes)
    bottom = max(b["y"] + b["height"] for b in boxes)
    clip = dict(x=left, y=top, width=right - left, height=bottom - top)
    blank = taken = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline or taken < at_least:
        png = page.screenshot(clip=clip)
        taken += 1
        blank += any(line_pixels(png, box, clip) < 20 for box in boxes)
    return blank, taken


# Records the time of every animation frame in which the chart's drawing changed. (Plotly's
# own plotly_afterplot event fires for full replots only, not for most Plotly.react updates.)
# window.__redraws holds the last chart asked for; window.__redrawsBy[key] each one's.
COUNT_REDRAWS = """key => {
  const plot = document.querySelector(`.st-key-${key} .bp-plot`);
  const times = window.__redraws = [];
  (window.__redrawsBy ??= {})[key] = times;
  let pending = false;
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    requestAnimationFrame(() => {
      pending = false;
      times.push(performance.now());
    });
  }).observe(plot, {subtree: true, childList: true, attributes: true, characterData: true});
}"""


class WebSocketBytes:
    """Counts the bytes of every websocket frame the page receives from the server."""

    def __init__(self, page) -> None:
        self.total = 0
        page.on("websocket", self._watch)

    def _watch(self, ws) -> None:
        ws.on("framereceived", self._count)

    def _count(self, payload) -> None:
        self.total += len(payload)


# What a lecture-hall check reads off a page: anything cut off, and how the axis ticks look.
LAYOUT_REPORT = """() => {
  const cut = [];
  const check = (el, what) => {
    const text = el.innerText.trim();
    if (el.scrollWidth > el.clientWidth + 1 || text.endsWith('…')) cut.push(`${what}: ${text}`);
  };
  document.querySelectorAll('[data-testid=stMetricValue] div, [data-testid=stMetricLabel] p')
    .forEach(el => check(el, 'metric'));
  document.querySelectorAll('button [data-testid=stMarkdownContainer] p')
    .forEach(el => check(el, 'button'));
  const ticks = [];
  for (const plot of document.querySelectorAll('.bp-plot')) {
    const box = plot.getBoundingClientRect();
    const title = plot.querySelector('.gtitle')?.getBoundingClientRect();
    if (title && (title.left < box.left - 1 || title.right > box.right + 1))
      cut.push(`chart title: ${plot.querySelector('.gtitle').textContent}`);
    const legend = plot.querySelector('.legend')?.getBoundingClientRect();
    if (legend && title && legend.top < title.bottom) cut.push('legend over a chart title');
    if (legend && (legend.right > box.right + 1 || legend.bottom > box.bottom + 1))
      cut.push('legend outside its chart');
    for (const text of plot.querySelectorAll('.xtick text, .ytick text')) {
      const style = getComputedStyle(text);
      ticks.push({size: parseFloat(style.fontSize), fill: style.fill});
    }
  }
  return {cut, ticks};
}"""


def luminance(rgb: str) -> float:
    """Relative luminance (WCAG) of a CSS colour such as 'rgb(49, 51, 63)'."""
    channels = [int(v) / 255 for v in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

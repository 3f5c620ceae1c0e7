"""A plotly chart that is updated in place: no blank frame while training redraws it.

``st.plotly_chart`` keys its element by a hash of the figure, so every new figure unmounts the
old plot and mounts a new one, which shows blank for a moment. This component keeps one
plotly.js plot per key and calls ``Plotly.react`` on it with each new figure.

Within a run of the page's live parts, a redraw sends only what changed since the last one:
the new tail of each line's values (a live curve only grows at its end until its buckets
merge), and the layout and the rest of each trace only when they differ (see ``patch``).
Every full run of the page, and every ``FULL_EVERY`` redraws, sends the whole figure.

plotly.js is the installed plotly package's own ``plotly.min.js``, so the versions always
match. ``serve_scripts`` copies it and ``plotly_chart.js`` into ``./static``, which Streamlit
serves at ``app/static/`` (``server.enableStaticServing``); no CDN is involved.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import plotly
import plotly.graph_objects as go
import streamlit as st
from plotly.offline import get_plotlyjs_version
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.reports import file_stem

ROOT = Path(__file__).resolve().parents[2]
STATIC_DIR = ROOT / "static"
STATIC_URL = "app/static/"  # relative to the page, so a proxy's path prefix is kept
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
CHART_JS = Path(__file__).with_suffix(".js")

# Kept tiny because Streamlit sends it with every redraw: it imports plotly_chart.js once per tab.
LOADER_JS = """
export default function (component) {
  const { data, parentElement } = component;
  const say = (text) => {
    parentElement.textContent = "Chart unavailable: " + text;
  };
  if (data.error) return say(data.error);
  return import(new URL(data.module, document.baseURI).href).then(
    (chart) => chart.draw(component),
    () => say(data.module + " could not be loaded. Charts need the server's static files."),
  );
}
"""
_component = st.components.v2.component(
    "backprop_lab_chart",
    js=LOADER_JS,
    isolate_styles=False,  # plotly styles the page's DOM
)


def _publish(source: Path, name: str, static_dir: Path) -> None:
    """Copy ``source`` to ``static_dir/name`` unless it is there already (atomically, since
    several server processes may start at once)."""
    target = static_dir / name
    if target.exists() and target.stat().st_size == source.stat().st_size:
        return
    static_dir.mkdir(exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=static_dir, delete=False) as tmp:
        tmp.write(source.read_bytes())
    os.replace(tmp.name, target)


def serve_scripts(static_dir: Path = STATIC_DIR) -> dict[str, str]:
    """Put plotly.js and our chart module where Streamlit serves static files, under names
    that change with their content (a browser never runs a stale copy). Returns their URLs, or
    an error."""
    digest = hashlib.sha256(CHART_JS.read_bytes()).hexdigest()[:10]
    names = {"plotly": f"plotly-{get_plotlyjs_version()}.min.js", "module": f"chart-{digest}.js"}
    try:
        _publish(PLOTLY_JS, names["plotly"], static_dir)
        _publish(CHART_JS, names["module"], static_dir)
    except OSError as err:
        return {"error": f"plotly.js could not be placed in {static_dir} ({err.strerror})."}
    return {kind: STATIC_URL + name for kind, name in names.items()}


SCRIPTS = serve_scripts()


FULL_EVERY = 20  # redraws: a tab that missed a patch is whole again within this many
SENT_KEY = "_charts_sent"  # in st.session_state: what each chart was sent last
RUN_NAME_KEY = "_charts_run"  # in st.session_state: the run a page's charts show, for file names
CLICKS_KEY = "_charts_clicks"  # in st.session_state: the last click each chart handled


def name_charts(run: str) -> None:
    """Name the run that this page's charts show, for the files they download as."""
    st.session_state[RUN_NAME_KEY] = run


def file_name(fig: go.Figure, key: str, run: str | None) -> str:
    """What a chart downloads as, without the extension: what it shows, then which run."""
    what = file_stem(fig.layout.title.text or key)[:40].rstrip("-")
    return f"{what}_{run}" if run else what


@dataclass(frozen=True)
class Sent:
    """What one chart's browser side holds: redraw ``seq``'s layout and traces, each trace as
    its JSON without ``y`` and its ``y`` as plotly's typed-array spec (dtype, base64 bytes)."""

    seq: int
    layout: str
    traces: tuple[tuple[str, dict | None], ...]


def _split(trace: dict) -> tuple[str, dict | None]:
    y = trace.get("y")
    if isinstance(y, dict) and "bdata" in y:
        return json.dumps({k: v for k, v in trace.items() if k != "y"}, sort_keys=True), y
    return json.dumps(trace, sort_keys=True), None


def _tail(old: dict, new: dict) -> dict | None:
    """{"from": k, dtype, bdata of new's values from k on}, when new repeats old's first k."""
    if old["dtype"] != new["dtype"]:
        return None
    a, b = base64.b64decode(old["bdata"]), base64.b64decode(new["bdata"])
    size = np.dtype(new["dtype"]).itemsize
    common = min(len(a), len(b))
    differ = np.flatnonzero(
        np.frombuffer(a[:common], np.uint8) != np.frombuffer(b[:common], np.uint8)
    )
    k = (int(differ[0]) if len(differ) else common) // size
    return {"from": k, "dtype": new["dtype"], "bdata": base64.b64encode(b[k * size :]).decode()}


def patch(previous: Sent | None, fig: go.Figure) -> tuple[dict[str, object], Sent]:
    """The message that turns ``previous`` into ``fig`` in the browser, and what it then holds.

    A full figure when there is nothing to build on or the traces changed in number; otherwise
    {"base": previous.seq, "layout": only if it changed, "data": per trace, either the whole
    trace or just {"y": its tail from index "from"} when only ``y`` changed}."""
    figure = json.loads(fig.to_json())
    layout = json.dumps(figure.get("layout", {}), sort_keys=True)
    traces = tuple(_split(t) for t in figure.get("data", []))
    seq = 0 if previous is None else previous.seq + 1
    sent = Sent(seq, layout, traces)
    if previous is None or len(previous.traces) != len(traces) or seq % FULL_EVERY == 0:
        return {"figure": json.dumps(figure), "seq": seq}, sent
    data = []
    for trace, (rest, y), (old_rest, old_y) in zip(figure["data"], traces, previous.traces):
        tail = _tail(old_y, y) if rest == old_rest and y and old_y else None
        data.append(trace if tail is None else {"y": tail})
    message = {"base": previous.seq, "data": data}
    if layout != previous.layout:
        message["layout"] = figure["layout"]
    return {"patch": json.dumps(message), "seq": seq}, sent


def payload(fig: go.Figure, previous: Sent | None = None) -> tuple[dict[str, object], Sent]:
    """What the browser receives, the figure (or a ``patch`` on ``previous``) as plotly JSON,
    never markup, with the scripts' URLs; and what the chart then holds."""
    message, sent = patch(previous, fig)
    return {**message, **SCRIPTS}, sent


def chart(
    fig: go.Figure,
    key: str,
    run: str | None = None,
    on_click: Callable[[dict], None] | None = None,
) -> None:
    """Draw ``fig`` in place of the chart drawn with the same ``key`` on the last run: in a
    run of one of the page's fragments, as a ``patch`` on what this chart was sent last.
    Its PNG and SVG downloads are named after it and ``run`` (or the page's run). With
    ``on_click``, a click on a point calls it once with {"trace", "index", "customdata"}."""
    ctx = get_script_run_ctx()
    sent = st.session_state.setdefault(SENT_KEY, {})
    if ctx is None or not ctx.fragment_ids_this_run:
        sent.pop(key, None)  # a full run may have mounted the chart afresh
    data, sent[key] = payload(fig, sent.get(key))
    data["filename"] = file_name(fig, key, run or st.session_state.get(RUN_NAME_KEY))
    height = fig.layout.height or 450
    if on_click is None:
        _component(key=key, data=data, height=int(height))
        return
    data["clickable"] = True
    _component(key=key, data=data, height=int(height), on_click_change=_clicked(key, on_click))


def _clicked(key: str, on_click: Callable[[dict], None]) -> Callable[[], None]:
    """``on_click`` once per click: Streamlit replays a trigger when a fragment's run cuts in."""

    def call() -> None:
        click = (st.session_state.get(key) or {}).get("click")
        done = st.session_state.setdefault(CLICKS_KEY, {})
        if click and done.get(key) != click.get("press"):
            done[key] = click.get("press")
            on_click(click)

    return call

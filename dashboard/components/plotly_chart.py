"""A plotly chart that is updated in place: no blank frame while training redraws it.

``st.plotly_chart`` keys its element by a hash of the figure, so every new figure unmounts the
old plot and mounts a new one, which shows blank for a moment. This component keeps one
plotly.js plot per key and calls ``Plotly.react`` on it with each new figure.

plotly.js is the installed plotly package's own ``plotly.min.js``, so the versions always
match. ``serve_scripts`` copies it and ``plotly_chart.js`` into ``./static``, which Streamlit
serves at ``app/static/`` (``server.enableStaticServing``); no CDN is involved.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import plotly
import plotly.graph_objects as go
import streamlit as st
from plotly.offline import get_plotlyjs_version

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


def payload(fig: go.Figure) -> dict[str, str]:
    """What the browser receives: the figure as plotly JSON (never markup) and the scripts."""
    return {"figure": fig.to_json(), **SCRIPTS}


def chart(fig: go.Figure, key: str) -> None:
    """Draw ``fig`` in place of the chart drawn with the same ``key`` on the last run."""
    height = fig.layout.height or 450
    _component(key=key, data=payload(fig), height=int(height))

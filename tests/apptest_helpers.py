"""Helpers to read what an AppTest run shows."""

import base64
import json
import re
from pathlib import Path

import numpy as np
from streamlit.testing.v1 import AppTest

from dashboard.components.bootstrap import RUN_KEY, WORKER_KEY
from dashboard.state.run import Run
from dashboard.state.worker import Worker
from dashboard.text import WORD_JOINER

ROOT = Path(__file__).resolve().parent.parent
OPENED: list[AppTest] = []  # conftest pauses their training workers after each test


def new_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    OPENED.append(at)
    return at


def run_app(page: str | None = None, **state) -> AppTest:
    """Run app.py, or open ``page`` (a pages/ file) first, as a bookmark would; ``state``
    goes into its session state first (``lab_of`` another app's: the same user's run)."""
    at = new_app()
    for key, value in state.items():
        at.session_state[key] = value
    if page is not None:
        at.switch_page(page)
    return at.run()


def open_link(state: dict | None = None, **params: str) -> AppTest:
    """Run app.py as a shared link with the URL parameters ``params`` opens it, with
    ``state`` in its session state first (an open box, say)."""
    at = new_app()
    for key, value in params.items():
        at.query_params[key] = value
    for key, value in (state or {}).items():
        at.session_state[key] = value
    return at.run()


def run_of(at: AppTest) -> Run:
    """The user's run behind an AppTest."""
    return at.session_state[RUN_KEY]


def worker_of(at: AppTest) -> Worker:
    """The worker that trains it."""
    return at.session_state[WORKER_KEY]


def lab_of(at: AppTest) -> dict:
    """An AppTest's run and worker, to open another page of the same user with ``run_app``."""
    return {RUN_KEY: run_of(at), WORKER_KEY: worker_of(at)}


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def epoch(at: AppTest) -> int:
    return int(metric(at, "Epoch").replace(",", ""))


def charts(at: AppTest) -> list[dict]:
    """Each chart's figure as a dict. AppTest shows our chart component as an element of
    type ``bidi_component``; its ``proto.json`` is the data it sent, with the figure's JSON."""
    sent = [json.loads(c.proto.json) for c in at.get("bidi_component")]
    return [json.loads(data["figure"]) for data in sent if "figure" in data]


def array(value) -> np.ndarray:
    """A plotly data array, whether a plain list or a typed array {dtype, bdata, shape}."""
    if isinstance(value, dict) and "bdata" in value:
        flat = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
        shape = [int(s) for s in str(value.get("shape", len(flat))).split(",")]
        return flat.reshape(shape)
    return np.asarray(value)


def heatmap_shapes(at: AppTest) -> list[tuple[int, ...]]:
    """Shapes of the weight heatmaps (the W trace of each layer figure)."""
    return [
        array(fig["data"][0]["z"]).shape
        for fig in charts(at)
        if fig["data"]
        and fig["data"][0]["type"] == "heatmap"
        and fig["data"][0].get("name", "").startswith("W")
    ]


def shown(elements) -> list[str]:
    """What a reader sees of each message: its markdown, with the escapes that keep user text
    literal (dashboard.text.plain) taken off."""
    return [re.sub(r"\\(.)", r"\1", e.value).replace(WORD_JOINER, "") for e in elements]


def errors(at: AppTest) -> list[str]:
    """Every error on the page, the sidebar's included."""
    return shown(at.error)


def number(text: str) -> float:
    """The number that ``metric_number`` wrote: 0.2163, −0.5, 3.86×10⁻⁴, 10⁻⁹."""
    text = text.replace("−", "-").replace(",", "")
    if not any(c in text for c in "⁰¹²³⁴⁵⁶⁷⁸⁹"):
        return float(text)
    mantissa, _, power = text.rpartition("10")
    exponent = int(power.translate(str.maketrans("⁰¹²³⁴⁵⁶⁷⁸⁹⁻", "0123456789-")))
    return float(mantissa.rstrip("×") or 1) * 10.0**exponent

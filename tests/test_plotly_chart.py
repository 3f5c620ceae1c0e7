import base64
import json

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs_version

from dashboard.components import plotly_chart as component
from dashboard.figures import live as figures
from dashboard.state.run import Run
from tests.apptest_helpers import run_app


def test_the_payload_carries_the_figure_as_json_data_and_the_script_urls_only():
    fig = figures.cost_figure(np.geomspace(1, 1e-3, 50), revision=2)
    data, _ = component.payload(fig)
    assert set(data) == {"figure", "seq", "plotly", "module"} and data["seq"] == 0
    assert json.loads(data["figure"]) == json.loads(fig.to_json())
    assert data["plotly"] == f"app/static/plotly-{get_plotlyjs_version()}.min.js"
    assert data["module"].startswith("app/static/chart-") and data["module"].endswith(".js")


def test_user_text_travels_as_json_data_never_in_the_components_html_or_js():
    label = '<img src="http://host/x.png"> **bold**'
    data, _ = component.payload(go.Figure(layout=dict(title=dict(text=label))))
    assert json.loads(data["figure"])["layout"]["title"]["text"] == label
    assert "<img" not in component.LOADER_JS and "innerHTML" not in component.LOADER_JS
    assert "innerHTML" not in component.CHART_JS.read_text()


def test_serve_scripts_places_the_installed_plotly_js_byte_for_byte(tmp_path):
    urls = component.serve_scripts(tmp_path)
    served = tmp_path / urls["plotly"].removeprefix("app/static/")
    assert served.read_bytes() == component.PLOTLY_JS.read_bytes()
    module = tmp_path / urls["module"].removeprefix("app/static/")
    assert module.read_text() == component.CHART_JS.read_text()
    assert component.serve_scripts(tmp_path) == urls  # again: nothing changes


def test_serve_scripts_reports_a_static_folder_it_cannot_create(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = component.serve_scripts(blocker / "static")
    assert set(result) == {"error"} and "could not be placed" in result["error"]


def test_the_app_mounts_every_live_chart_as_the_component_with_its_key():
    at = run_app()
    keys = [c.key for c in at.get("bidi_component") if c.key != "lab_keys"]
    assert keys == [
        "cost_chart",
        "delta_chart",
        "weights_0",
        "weights_1",
        "weights_2",
        "output_surface_0",
        "output_surface_1",
    ]
    sent = json.loads(next(c for c in at.get("bidi_component") if c.key == "cost_chart").proto.json)
    assert json.loads(sent["figure"])["layout"]["title"]["text"].startswith("Cost C per epoch")


def _apply(held: dict | None, message: dict) -> dict | None:
    """What the chart module does with a message (plotly_chart.js, update), in Python."""
    if "figure" in message:
        return json.loads(message["figure"])
    change = json.loads(message["patch"])
    held = json.loads(json.dumps(held))
    if "layout" in change:
        held["layout"] = change["layout"]
    data = []
    for old, trace in zip(held["data"], change["data"]):
        if set(trace) == {"y"} and "from" in trace["y"]:
            dtype, k = np.dtype(trace["y"]["dtype"]), trace["y"]["from"]
            head = base64.b64decode(old["y"]["bdata"])[: k * dtype.itemsize]
            body = head + base64.b64decode(trace["y"]["bdata"])
            trace = dict(
                old, y=dict(dtype=trace["y"]["dtype"], bdata=base64.b64encode(body).decode())
            )
        data.append(trace)
    held["data"] = data
    return held


def _live_figures(epochs: list[int]) -> list[go.Figure]:
    run = Run()
    figs, done = [], 0
    for target in epochs:
        run.train(target - done, None)
        done = target
        curves = run.history.curves()
        outputs = (curves["output_cost"], run.data.output_names)
        figs.append(figures.cost_figure(curves["cost"], 1, None, [], 400, outputs))
    return figs


def test_patches_rebuild_every_figure_exactly_through_growth_and_bucket_merges():
    figs = _live_figures([3, 10, 200, 399, 401, 900, 5000, 5001, 20_000, 70_000])
    held, sent, kinds = None, None, []
    for fig in figs:
        message, sent = component.patch(sent, fig)
        kinds.append("figure" if "figure" in message else "patch")
        held = _apply(held, message)
        assert held == json.loads(fig.to_json())
    assert kinds == ["figure"] + ["patch"] * (len(figs) - 1)


def test_a_patch_sends_only_the_tail_of_a_curve_and_no_unchanged_layout():
    first, second = _live_figures([20_000, 20_100])
    message, sent = component.patch(None, first)
    message, _ = component.patch(sent, second)
    change = json.loads(message["patch"])
    assert change["base"] == 0 and message["seq"] == 1 and "layout" not in change
    assert all(set(trace) == {"y"} for trace in change["data"])
    assert all(trace["y"]["from"] > 300 for trace in change["data"])  # a few new values only
    assert len(message["patch"]) < len(second.to_json()) / 10


def test_a_changed_layout_or_trace_travels_whole_and_new_traces_resend_the_figure():
    one = figures.cost_figure(np.geomspace(1, 1e-3, 50), revision=2)
    retitled = figures.cost_figure(np.geomspace(1, 1e-3, 50), revision=3)
    _, sent = component.patch(None, one)
    message, sent = component.patch(sent, retitled)
    assert json.loads(message["patch"])["layout"]["uirevision"] == "3"
    per_output = np.full((50, 2), 0.1)
    more = figures.cost_figure(np.geomspace(1, 1e-3, 50), 3, outputs=(per_output, ("a", "b")))
    message, _ = component.patch(sent, more)
    assert "figure" in message


def test_every_so_many_redraws_the_whole_figure_goes_again():
    fig = figures.cost_figure(np.geomspace(1, 1e-3, 50))
    sent, kinds = None, []
    for _ in range(2 * component.FULL_EVERY + 1):
        message, sent = component.patch(sent, fig)
        kinds.append("figure" in message)
    every = component.FULL_EVERY
    assert [i for i, whole in enumerate(kinds) if whole] == [0, every, 2 * every]

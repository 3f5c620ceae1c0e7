import json

import numpy as np
import plotly.graph_objects as go
from plotly.offline import get_plotlyjs_version

from dashboard.components import plotly_chart as component
from dashboard.figures import live as figures
from tests.apptest_helpers import run_app


def test_the_payload_carries_the_figure_as_json_data_and_the_script_urls_only():
    fig = figures.cost_figure(np.geomspace(1, 1e-3, 50), revision=2)
    data = component.payload(fig)
    assert set(data) == {"figure", "plotly", "module"}
    assert json.loads(data["figure"]) == json.loads(fig.to_json())
    assert data["plotly"] == f"app/static/plotly-{get_plotlyjs_version()}.min.js"
    assert data["module"].startswith("app/static/chart-") and data["module"].endswith(".js")


def test_user_text_travels_as_json_data_never_in_the_components_html_or_js():
    label = '<img src="http://host/x.png"> **bold**'
    data = component.payload(go.Figure(layout=dict(title=dict(text=label))))
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
    keys = [c.key for c in at.get("bidi_component")]
    assert keys == [
        "cost_chart",
        "delta_chart",
        "weights_0",
        "weights_1",
        "weights_2",
        "output_surface_0",
        "output_surface_1",
    ]
    sent = json.loads(at.get("bidi_component")[0].proto.json)
    assert json.loads(sent["figure"])["layout"]["title"]["text"].startswith("Cost C per epoch")

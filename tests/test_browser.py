"""End to end in a real Chromium (Debian's package): `streamlit run app.py`, then click around."""

import os
import re
import signal
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlparse

import pytest

from dashboard.state.run import Run
from dashboard.state.settings import Settings
from dashboard.text import WORD_JOINER
from tests.browser_helpers import (
    COUNT_REDRAWS,
    CURVES_DRAWN,
    LAYOUT_REPORT,
    METRICS,
    assert_no_exception,
    blank_screenshots,
    luminance,
    open_app,
    shown_epoch,
)
from tests.live_server import CHROMIUM, free_port, streamlit_process

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on PATH: install Debian's package (apt-get install -y chromium) "
    "to run the browser tests",
)
pytest.importorskip("playwright.sync_api")


def test_train_in_a_real_browser_raises_the_epoch_and_draws_the_plots(server, page):
    open_app(page, server)
    assert shown_epoch(page) == 0
    page.get_by_role("button", name="Train").click()
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid=stMetric]')]
                 .some(m => m.innerText.includes('Epoch') && /[1-9]/.test(m.innerText))""",
        timeout=30_000,
    )
    first = shown_epoch(page)
    assert first > 0
    # A shared 2-core machine can stall a redraw for a second or two: wait for the rise.
    page.wait_for_function(
        """first => [...document.querySelectorAll('[data-testid=stMetric]')]
                    .some(m => m.innerText.includes('Epoch')
                               && parseInt(m.innerText.replace(/[^0-9]/g, '')) > first)""",
        arg=first,
        timeout=15_000,
    )
    charts = page.locator(".bp-plot")
    assert charts.count() >= 5
    charts.first.locator(".main-svg").first.wait_for(timeout=15_000)
    page.get_by_role("button", name="Pause").click()
    assert_no_exception(page)


@pytest.mark.parametrize(
    "path, text",
    [
        ("Gradient_check", "Pass"),
        ("Backward_pass", "Step 1 of"),
        ("Network_and_surfaces", "Saturation"),
        ("Initialisation_lottery", "Run the lottery"),
    ],
)
def test_every_page_renders_in_a_real_browser_without_an_exception(server, page, path, text):
    page.goto(f"{server}/{path}")
    page.wait_for_selector("[data-testid=stAppViewContainer]", timeout=30_000)
    page.get_by_text(text).first.wait_for(timeout=30_000)
    assert_no_exception(page)


def test_lottery_runs_in_the_browser_and_draws_its_charts(server, page):
    page.goto(f"{server}/Initialisation_lottery")
    page.get_by_role("button", name="Run the lottery").wait_for(timeout=30_000)
    page.get_by_label("Networks K").fill("50")
    page.get_by_label("Epochs").fill("2000")
    page.get_by_label("Epochs").press("Enter")
    page.get_by_role("button", name="Run the lottery").click()
    page.get_by_text("Solved at the end").wait_for(timeout=60_000)
    page.locator(".st-key-lot_hist .main-svg").first.wait_for(timeout=30_000)
    assert_no_exception(page)


def test_a_shared_link_opens_with_its_settings_restored(server, page):
    open_app(page, f"{server}/?hidden=3,4&lr=0.25&seed=7&activation=tanh")
    assert (
        page.get_by_label("Hidden layer sizes", exact=True)
        .and_(page.locator("input"))
        .input_value()
        == "3, 4"
    )
    assert (
        page.get_by_label("Learning rate η", exact=True).and_(page.locator("input")).input_value()
        == "0.25"
    )
    assert page.get_by_label("Seed", exact=True).and_(page.locator("input")).input_value() == "7"
    page.get_by_text("a 2-3-4-2 network, tanh").wait_for(timeout=15_000)
    assert "hidden=3%2C4" in page.url or "hidden=3,4" in page.url
    page.get_by_text("Share this setup").click()
    page.get_by_test_id("stCode").filter(has_text="seed=7").wait_for(timeout=15_000)
    assert_no_exception(page)


def test_a_malformed_link_warns_and_falls_back(server, page):
    open_app(page, f"{server}/?hidden=2,x&lr=nan")
    page.get_by_text("using the default instead").first.wait_for(timeout=15_000)
    assert (
        page.get_by_label("Hidden layer sizes", exact=True)
        .and_(page.locator("input"))
        .input_value()
        == "2, 2"
    )
    assert_no_exception(page)


def test_a_truth_table_uploaded_in_the_files_box_becomes_the_training_set(server, page):
    open_app(page, server)
    page.get_by_text("Upload, save and load").click()
    uploader = page.get_by_test_id("stFileUploaderDropzoneInput").first
    uploader.set_input_files(
        files=[
            {
                "name": "gates.csv",
                "mimeType": "text/csv",
                "buffer": b"in:a,in:b,in:c,out:all\n0,0,0,0\n1,1,1,1\n1,0,1,0\n",
            }
        ]
    )
    page.get_by_text("Training on 'gates.csv': 3 rows").wait_for(timeout=30_000)
    page.get_by_text("a 3-2-2-1 network, sigmoid").wait_for(timeout=15_000)
    page.get_by_role("button", name="Download the history (CSV)").wait_for()  # the box stayed open
    assert_no_exception(page)


COST_X_AXIS = "document.querySelector('.st-key-cost_chart .bp-plot')._fullLayout.xaxis"
X_RANGE = f"() => {COST_X_AXIS}.range"
X_AUTORANGE = f"() => {COST_X_AXIS}.autorange"


def test_live_charts_never_blank_and_a_zoom_survives_redraws_until_a_double_click(server, page):
    open_app(page, server)
    page.get_by_role("button", name="Train").click()
    page.wait_for_function(CURVES_DRAWN, timeout=30_000)
    blank, taken = blank_screenshots(page, 4.0)
    assert taken >= 10 and blank == 0, f"{blank} of {taken} screenshots had a blank live chart"

    area = page.locator(".st-key-cost_chart .nsewdrag").bounding_box()
    y = area["y"] + area["height"] / 2
    page.mouse.move(area["x"] + area["width"] * 0.3, y)
    page.mouse.down()
    page.mouse.move(area["x"] + area["width"] * 0.6, y, steps=8)
    page.mouse.up()
    zoomed = page.evaluate(X_RANGE)
    assert zoomed[0] > 0, f"the drag did not zoom: x range {zoomed}"
    page.evaluate(COUNT_REDRAWS, "cost_chart")
    page.wait_for_function("() => window.__redraws.length >= 3", timeout=15_000)
    assert page.evaluate(X_RANGE) == zoomed
    assert not page.evaluate(X_AUTORANGE)
    page.mouse.dblclick(area["x"] + area["width"] * 0.5, y)  # zooms out, for good
    page.evaluate(COUNT_REDRAWS, "cost_chart")
    page.wait_for_function("() => window.__redraws.length >= 3", timeout=15_000)
    assert page.evaluate(X_AUTORANGE)
    page.get_by_role("button", name="Pause").click()
    assert_no_exception(page)


def test_a_chart_says_what_is_missing_when_plotly_js_cannot_be_loaded(server, page):
    page.route("**/app/static/plotly-*.min.js", lambda route: route.abort())
    open_app(page, server)
    message = page.locator(".st-key-cost_chart").get_by_text("Chart unavailable")
    message.wait_for(timeout=30_000)
    text = message.inner_text()
    assert "plotly-" in text and "could not be loaded" in text and "\n" not in text.strip()
    assert_no_exception(page)


def test_a_link_carrying_markdown_shows_it_as_text_and_fetches_nothing(server, page):
    pixel, phish = "![pix](http://host/track.png)", ":red[**Log in:**] [here](http://host/phish)"
    bare = "[click](http://127.0.0.1:9/x) www.host.example me@host.example"
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    query = urlencode({"hidden": pixel, "speed": phish, "dataset": bare})
    open_app(page, f"{server}/?{query}")
    page.get_by_text("using the default instead").first.wait_for(timeout=15_000)
    alerts = page.get_by_test_id("stAlert")
    text = " ".join(alerts.all_inner_texts()).replace(WORD_JOINER, "")
    assert all(value[:30] in text for value in (pixel, phish, bare))  # literally, cut short
    assert page.locator('img[src*="host"]').count() == 0
    assert alerts.locator("a").count() == 0  # not even an address linked by itself
    assert page.locator('a[href*="host"], a[href*="127.0.0.1:9"]').count() == 0
    assert not any("//host/" in url for url in requested)
    assert_no_exception(page)


SHOTS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.mark.parametrize(
    "mode, width, height",
    [("lecture", 1280, 720), ("lecture", 1920, 1080), ("normal", 1280, 800)],
)
def test_the_page_fits_a_projector_and_nothing_is_cut_off(server, browser, mode, width, height):
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    open_app(page, f"{server}/?lecture={int(mode == 'lecture')}")
    page.get_by_role("button", name="Train").click()
    page.wait_for_function(CURVES_DRAWN, timeout=30_000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / f"layout-{mode}-{width}x{height}.png"))
    report = page.evaluate(LAYOUT_REPORT)
    assert not report["cut"], report["cut"]
    smallest = 16 if mode == "lecture" else 14
    assert report["ticks"] and all(t["size"] >= smallest for t in report["ticks"])
    assert all(luminance(t["fill"]) <= 0.45 for t in report["ticks"])
    assert not page.get_by_text("Deploy", exact=True).is_visible()
    assert not page.get_by_test_id("stMainMenu").is_visible()
    if mode == "lecture":
        assert page.get_by_label("Learning rate η").is_visible()
        for key in ("cost_chart", "delta_chart"):
            box = page.locator(f".st-key-{key}").bounding_box()
            assert box["y"] >= 0 and box["y"] + box["height"] <= height, key
    page.get_by_role("button", name="Pause").click()
    assert_no_exception(page)
    context.close()


KATEX_OVERFLOW = """() => [...document.querySelectorAll('[data-testid=stMain] .katex-display')]
        .filter(el => el.scrollWidth > el.clientWidth + 3).length  // KaTeX's aligned rounds 2 px"""


def test_every_step_of_the_backward_pass_fits_1280x800_without_sideways_scrolling(server, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{server}/Backward_pass")
    for step in range(1, 16):
        page.get_by_text(f"Step {step} of 15").wait_for(timeout=30_000)
        page.wait_for_timeout(300)  # KaTeX lays out after the text appears
        assert page.evaluate(KATEX_OVERFLOW) == 0, f"step {step} overflows"
        if step in (9, 15):
            page.screenshot(path=str(SHOTS / f"backward-pass-step-{step}.png"), full_page=True)
        if step < 15:
            page.get_by_role("button", name="Next").click()
    assert_no_exception(page)
    context.close()


SURFACE = "document.querySelector('.st-key-decision_surface .bp-plot')"
# A fingerprint of the drawn surface: the sum of its z values and how many distinct ones.
SURFACE_Z = f"""() => {{
  const z = {SURFACE}._fullData[0].z;
  const flat = Array.from(z, row => Array.from(row)).flat();
  return [flat.reduce((a, b) => a + b, 0), new Set(flat).size];
}}"""


def test_spiral_picked_by_its_picture_trains_past_90_percent_test_accuracy_and_toggles(
    server, page
):
    open_app(page, f"{server}/?hidden=8,8&activation=tanh&cost=cross_entropy&lr=0.03")
    page.get_by_text("2-D point sets by their look").click()  # pick spiral by its picture
    page.locator(".st-key-pick_spiral button").click()
    page.wait_for_function(
        "() => document.querySelector('.st-key-decision_surface .bp-plot')", timeout=30_000
    )
    batch = page.locator(".st-key-batch input")
    batch.fill("10")
    batch.press("Enter")
    page.wait_for_function(
        "() => new URLSearchParams(location.search).get('batch') === '10'", timeout=30_000
    )
    assert "noise=0&" in page.url and "dataset=spiral" in page.url
    page.wait_for_function(f"() => Boolean({SURFACE}?._fullLayout)", timeout=30_000)
    assert page.get_by_text("Re-initialised the network").count()  # a notice, gone on Train
    page.evaluate(f"() => {{ window.__surface = {SURFACE}; }}")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_function("() => !document.body.innerText.includes('Re-initialised')")
    page.wait_for_timeout(1000)
    assert page.evaluate(f"() => {SURFACE} === window.__surface"), "the surface was drawn anew"
    first = page.evaluate(SURFACE_Z)
    page.wait_for_function(CURVES_DRAWN, timeout=30_000)
    blank, taken = blank_screenshots(page, 4.0)  # the playground's curves never blank either
    assert taken > 5 and blank == 0, f"{blank} of {taken} screenshots show a blank live chart"
    assert page.evaluate(SURFACE_Z) != first, "the surface did not change while training"
    accuracy = page.get_by_test_id("stMetric").filter(has_text="Test accuracy")
    page.wait_for_function(
        """el => parseInt(el.querySelector('[data-testid=stMetricValue]').innerText) >= 90""",
        arg=accuracy.element_handle(),
        timeout=90_000,
    )
    page.get_by_role("button", name="Pause", exact=True).click()
    assert page.evaluate(f"() => {SURFACE}.data.length") == 2  # the training points only
    page.locator(".st-key-show_test").get_by_text("Show test data").click()
    page.wait_for_function(f"() => {SURFACE}.data.length === 3", timeout=15_000)
    page.locator(".st-key-discretize").get_by_text("Discretize output").click()
    page.wait_for_function(f"() => {SURFACE}.layout.title.text.endsWith('rounded')", timeout=15_000)
    assert page.evaluate(SURFACE_Z)[1] <= 2  # 0 and 1 only
    assert_no_exception(page)


# The live curves as the chart module holds them after its patches, with the Epoch shown.
HELD_CURVES = """() => {
  const values = (key) => {
    const plot = document.querySelector(`.st-key-${key} .bp-plot`);
    if (!plot || !plot.bpFigure) return null;
    return plot.bpFigure.data.map((t) => {
      const y = t.y;
      if (ArrayBuffer.isView(y)) return Array.from(y);
      const bytes = Uint8Array.from(atob(y.bdata), (c) => c.charCodeAt(0));
      return Array.from(new (y.dtype === "f8" ? Float64Array : Float32Array)(bytes.buffer));
    });
  };
  const metric = [...document.querySelectorAll('[data-testid=stMetric]')]
    .find((m) => m.innerText.startsWith('Epoch'));
  const epoch = metric.querySelector('[data-testid=stMetricValue]').innerText;
  return {epoch: parseInt(epoch.replace(/[^0-9]/g, '')), cost: values('cost_chart'),
          delta: values('delta_chart')};
}"""


def test_patched_live_curves_equal_the_sessions_own_curves_value_for_value(server, page):
    open_app(page, server + "/?speed=1000&stop_solved=0")
    page.get_by_role("button", name="Train", exact=True).click()
    page.wait_for_timeout(4000)  # 40 redraws of 1,000 epochs: patches across bucket merges
    expected = Run(Settings())
    matched = 0
    for _ in range(60):  # the metric and the charts update a moment apart: find a moment
        held = page.evaluate(HELD_CURVES)
        if held["cost"] is None or held["epoch"] < 20_000:
            page.wait_for_timeout(100)
            continue
        expected.train(held["epoch"] - expected.epoch, None)
        curves = expected.history.curves()
        want_cost = [curves["cost"].values.tolist()] + curves["output_cost"].values.T.tolist()
        want_delta = curves["delta_magnitude"].values.T.tolist()
        if held["cost"] == want_cost and held["delta"] == want_delta:
            matched += 1
            if matched == 3:
                break
        page.wait_for_timeout(150)
    page.get_by_role("button", name="Pause", exact=True).click()
    assert matched == 3


COST_POINTS = """() => { const plot = document.querySelector('.st-key-cost_chart .bp-plot');
  return plot && plot.data ? plot.data[0].y.length : 0; }"""


def test_a_reload_while_training_keeps_the_run_and_a_second_tab_gets_a_copy(server, page):
    open_app(page, server + "/?speed=10")
    page.get_by_role("button", name="Train").click()
    page.wait_for_function("() => location.search.includes('run=')", timeout=30_000)
    page.wait_for_timeout(1500)
    before, address = shown_epoch(page), page.url
    token = parse_qs(urlparse(address).query)["run"][0]
    assert before > 0
    page.reload()
    page.get_by_test_id("stMetric").first.wait_for(timeout=30_000)
    page.wait_for_function(COST_POINTS, timeout=30_000)
    assert shown_epoch(page) >= before and page.evaluate(COST_POINTS) > 10  # curves intact
    assert parse_qs(urlparse(page.url).query)["run"] == [token]
    other = page.context.new_page()
    other.goto(address)
    other.get_by_text("This run is open in another tab, so this tab has a copy of it").wait_for(
        timeout=30_000
    )
    assert shown_epoch(other) >= before
    other.wait_for_function(f"() => !location.search.includes('run={token}')", timeout=10_000)
    page.get_by_role("button", name="Pause").click()
    assert_no_exception(page)
    assert_no_exception(other)


def test_a_server_killed_and_started_again_resumes_the_run_from_its_checkpoint(page):
    port = free_port()
    with streamlit_process(port) as (url, proc):
        open_app(page, url + "/?speed=10")
        page.get_by_role("button", name="Train").click()
        page.wait_for_timeout(2000)
        earlier = shown_epoch(page)  # 2 s before the kill
        page.wait_for_timeout(2000)
        address = page.url
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    with streamlit_process(port) as (url, _):
        page.goto(address)
        notice = page.get_by_text("Resumed from the checkpoint at epoch")
        notice.wait_for(timeout=30_000)
        said = notice.inner_text()
        resumed = int(re.search(r"epoch ([\d,]+)", said).group(1).replace(",", ""))
        assert resumed >= earlier > 0 and "before the server stopped. Paused." in said
        page.wait_for_function(f"() => ({METRICS})()['Status'] === 'Paused'", timeout=10_000)
        page.wait_for_timeout(1000)
        assert shown_epoch(page) == resumed  # and still paused
        assert_no_exception(page)

"""A lecture in a real Chromium at 1280×720: keys, charts onto slides, full screen."""

import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest

from tests.browser_helpers import (
    HALF_ADDER_PLATEAU,
    assert_no_exception,
    shown_epoch,
    train_until_solved,
)
from tests.live_server import CHROMIUM

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on PATH: install Debian's package (apt-get install -y chromium)",
)
pytest.importorskip("playwright.sync_api")

PROJECTOR = {"width": 1280, "height": 720}


@pytest.fixture
def hall(browser):
    """A tab the size of a projector's screen, which accepts downloads."""
    context = browser.new_context(viewport=PROJECTOR, accept_downloads=True)
    yield context.new_page()
    context.close()


def open_lecture(page, url: str) -> None:
    """Open ``url`` and wait until the page listens for keys."""
    page.goto(url)
    page.wait_for_function("() => window.bpKeys?.page", timeout=30_000)


def wait_for_epoch(page, test: str) -> None:
    """Wait until the Epoch shown passes ``test``, a JavaScript expression in ``epoch``."""
    page.wait_for_function(
        f"""() => {{
          const metric = [...document.querySelectorAll('[data-testid=stMetric]')]
            .find((m) => m.innerText.startsWith('Epoch'));
          if (!metric) return false;
          const epoch = parseInt(metric.querySelector('[data-testid=stMetricValue]')
            .innerText.replace(/[^0-9]/g, ''));
          return {test};
        }}""",
        timeout=30_000,
    )


def test_space_arrows_and_r_train_pause_step_and_reset(server, hall):
    open_lecture(hall, f"{server}/?lecture=1&speed=10")
    hall.keyboard.press("ArrowRight")
    wait_for_epoch(hall, "epoch === 1")
    hall.keyboard.press("Shift+ArrowRight")
    wait_for_epoch(hall, "epoch === 101")
    hall.keyboard.press("Space")
    wait_for_epoch(hall, "epoch > 130")
    hall.keyboard.press("Space")
    hall.wait_for_timeout(1500)  # the last chunk of training and its redraw
    paused = shown_epoch(hall)
    hall.wait_for_timeout(1500)
    assert shown_epoch(hall) == paused
    hall.keyboard.press("r")
    wait_for_epoch(hall, "epoch === 0")
    assert_no_exception(hall)


def test_space_on_the_focused_train_button_pauses_without_pressing_it_again(server, hall):
    open_lecture(hall, f"{server}/?lecture=1&speed=10")
    hall.get_by_role("button", name="Train", exact=True).click()  # the focus stays on it
    wait_for_epoch(hall, "epoch > 20")
    hall.keyboard.press("Space")
    hall.wait_for_timeout(1500)
    paused = shown_epoch(hall)
    hall.wait_for_timeout(1500)
    assert shown_epoch(hall) == paused


def test_keys_never_fire_while_typing_in_a_field(server, hall):
    open_lecture(hall, f"{server}/?lecture=1&speed=10")
    field = hall.get_by_label("Learning rate η")
    field.click()
    for key in ("ArrowRight", "Shift+ArrowRight", "Space", "r", "f", "Shift+Slash"):
        hall.keyboard.press(key)
    hall.wait_for_timeout(1500)
    assert shown_epoch(hall) == 0
    assert hall.locator("#bp-keys-help").count() == 0
    assert hall.evaluate("() => document.fullscreenElement") is None


def test_question_mark_lists_the_pages_keys_and_escape_closes_the_list(server, hall):
    open_lecture(hall, f"{server}/?lecture=1&hide=reset")
    hall.keyboard.press("Shift+Slash")
    listed = hall.get_by_role("dialog", name="Keyboard shortcuts")
    listed.wait_for()
    text = listed.inner_text()
    for key in ("Space", "→", "Shift + →", "F", "?"):
        assert key in text
    assert "reset" not in text  # the link hides Reset, so R does nothing here
    hall.keyboard.press("Escape")
    listed.wait_for(state="detached")


def test_f_shows_the_chart_under_the_pointer_full_screen_and_escape_leaves(server, hall):
    open_lecture(hall, f"{server}/?lecture=1")
    hall.keyboard.press("f")  # the pointer is on no chart yet: a note says what to do
    hall.get_by_text("Point at a chart, then press F").wait_for()
    box = hall.locator(".st-key-delta_chart").bounding_box()
    hall.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    hall.keyboard.press("f")
    drawn = """() => {
      const svg = document.querySelector('.st-key-delta_chart .main-svg');
      return [Boolean(document.fullscreenElement?.closest('.st-key-delta_chart')),
              Number(svg?.getAttribute('height'))];
    }"""
    hall.wait_for_function(f"() => ({drawn})()[0] && ({drawn})()[1] === innerHeight")
    hall.keyboard.press("Escape")
    height = round(box["height"])
    hall.wait_for_function(f"() => !({drawn})()[0] && ({drawn})()[1] === {height}")


@pytest.mark.parametrize("fmt, magic", [("PNG", b"\x89PNG"), ("SVG", b"<svg")])
def test_a_live_chart_downloads_as_png_and_svg_named_after_itself_and_its_run(
    server, hall, fmt, magic
):
    open_lecture(hall, f"{server}/?lecture=1")
    hall.keyboard.press("Shift+ArrowRight")
    wait_for_epoch(hall, "epoch === 100")
    hall.wait_for_timeout(500)
    hall.locator(".st-key-cost_chart .bp-plot").hover()
    button = hall.locator(f'.st-key-cost_chart .modebar-btn[data-title*="as {fmt}"]')
    with hall.expect_download() as download:
        button.click()
    name = download.value.suggested_filename
    assert name == f"cost-c-per-epoch_half-adder-2-2-2-2-sigmoid-lr0.5-seed0-epoch100.{fmt.lower()}"
    assert download.value.path().read_bytes()[:200].find(magic) >= 0


def test_a_teaching_pages_chart_offers_the_same_downloads(server, hall):
    hall.goto(f"{server}/Gradient_check?lecture=1")
    plot = hall.locator(".st-key-gc_layer_1 .bp-plot")
    plot.locator(".modebar-btn").first.wait_for(state="attached", timeout=30_000)
    plot.hover()
    titles = hall.locator(".st-key-gc_layer_1 .modebar-btn").evaluate_all(
        "buttons => buttons.map((b) => b.dataset.title)"
    )
    assert titles == [
        "Download this chart as PNG",
        "Download this chart as SVG",
        "Show this chart full screen (F; Esc leaves)",
    ]
    with hall.expect_download() as download:
        hall.locator('.st-key-gc_layer_1 .modebar-btn[data-title*="as PNG"]').click()
    assert download.value.suggested_filename.endswith(
        "_half-adder-2-2-2-2-sigmoid-lr0.5-seed0-epoch0.png"
    )


def test_arrows_step_the_backward_pass_forwards_and_back(server, hall):
    open_lecture(hall, f"{server}/Backward_pass?lecture=1")
    hall.get_by_text("Step 1 of 15").wait_for(timeout=30_000)
    for step in (2, 3, 4):
        hall.keyboard.press("ArrowRight")
        hall.get_by_text(f"Step {step} of 15").wait_for()
    hall.keyboard.press("ArrowLeft")
    hall.get_by_text("Step 3 of 15").wait_for()
    assert_no_exception(hall)


def test_paced_half_adder_shows_the_plateau_then_drops_and_stops_past_the_drop(server, hall):
    open_lecture(hall, f"{server}/?lecture=1")  # paced at 3 s a decade, stop when solved
    samples = train_until_solved(hall, limit=40, every_ms=200)
    low, high = HALF_ADDER_PLATEAU
    on_plateau = [t for t, _, c, _ in samples if low <= c <= high]
    dropped = [t for t, _, c, _ in samples if c < 0.05]
    assert samples[-1][3].startswith("Solved"), samples[-1]
    assert on_plateau and on_plateau[-1] - on_plateau[0] >= 2.0, samples
    assert dropped and 4.0 <= dropped[0] <= 20.0, samples
    plateau = sorted(c for _, _, c, _ in samples if low <= c <= high)
    assert samples[-1][2] <= 0.1 * plateau[len(plateau) // 2]  # stopped after the drop
    assert_no_exception(hall)


def test_the_share_box_shows_a_qr_code_and_the_link_clear_of_the_copy_button(server, hall):
    open_lecture(hall, f"{server}/?log=1")
    hall.get_by_text("Share this setup").click()
    code = hall.locator(".st-key-share_open [data-testid=stCode]")
    code.wait_for(timeout=30_000)
    assert "log=1" in code.inner_text() and "server=" not in code.inner_text()
    code.hover()
    copy = code.get_by_role("button", name="Copy to clipboard").bounding_box()
    first_line = code.evaluate(
        """(box) => { const range = document.createRange();
          const text = box.querySelector('code'); range.selectNodeContents(text);
          const r = range.getClientRects()[0]; return {top: r.top, bottom: r.bottom}; }"""
    )
    assert first_line["top"] >= copy["y"] + copy["height"] - 1  # the URL starts below it
    qr = hall.locator(".st-key-share_qr img")
    assert qr.evaluate("(img) => img.complete && img.naturalWidth > 100")
    hall.get_by_role("button", name="Show the code large").click()
    large = hall.locator(".st-key-share_qr_large img").bounding_box()
    assert large["width"] >= 400 and large["y"] + large["height"] <= PROJECTOR["height"]


def test_a_playground_link_opens_and_the_address_bar_becomes_our_own_link(server, hall):
    fragment = quote("activation=relu&networkShape=3&dataset=xor&learningRate=0.1&cosX=true")
    open_lecture(hall, f"{server}/?playground={fragment}")
    hall.get_by_text("Playground feature cosX has no counterpart here").wait_for()
    hall.wait_for_function("() => !location.search.includes('playground')", timeout=10_000)
    query = parse_qs(urlparse(hall.url).query)
    assert query["activation"] == ["relu"] and query["hidden"] == ["3"]
    assert query["dataset"] == ["xor"] and query["lr"] == ["0.1"]
    assert_no_exception(hall)


def test_the_run_downloads_as_a_gif_after_a_progress_bar(server, hall):
    open_lecture(hall, f"{server}/?dataset=circle&hidden=4&lr=0.3")
    hall.keyboard.press("Shift+ArrowRight")
    wait_for_epoch(hall, "epoch === 100")
    hall.get_by_text("Upload, save and load").click()
    hall.evaluate(
        """() => { window.sawProgress = false;
          new MutationObserver(() => { if (document.querySelector('[data-testid=stProgress]'))
            window.sawProgress = true; }).observe(document.body, {childList: true, subtree: true});
        }"""
    )
    hall.get_by_role("button", name="Make a GIF of the run").click()
    button = hall.get_by_role("button", name=re.compile(r"Download the GIF to epoch 100"))
    button.wait_for(timeout=30_000)
    assert hall.evaluate("() => window.sawProgress")
    with hall.expect_download() as download:
        button.click()
    assert download.value.suggested_filename == "run_circle-2-4-1-sigmoid-lr0.3-seed0-epoch100.gif"
    data = Path(download.value.path()).read_bytes()
    assert data[:6] == b"GIF89a" and len(data) <= 2_000_000


def test_clicks_on_a_neuron_an_edge_and_a_cell_pick_them_and_a_picked_weight_is_edited_in_place(
    server, hall
):
    open_lecture(hall, f"{server}/Network_and_surfaces?dataset=xor&hidden=3")
    graph = hall.locator(".st-key-ns_graph .bp-plot")
    graph.wait_for(timeout=30_000)
    hall.wait_for_timeout(500)
    where = """([name, k]) => { const plot = document.querySelector('.st-key-ns_graph .bp-plot');
          const at = name ? plot._fullData.findIndex((t) => t.name === name)
            : plot._fullData.findIndex((t) => t.customdata?.[0]?.length === 3);
          const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
          const box = plot.getBoundingClientRect(), d = plot._fullData[at];
          const n = name ? k : d.customdata.findIndex((c) => c.join() === k.join());
          return {x: box.left + xa._offset + xa.l2p(d.x[n]),
                  y: box.top + ya._offset + ya.l2p(d.y[n])}; }"""
    point = hall.evaluate(where, ["hidden 1", 1])  # the second hidden neuron
    hall.mouse.click(point["x"], point["y"])
    large = "() => document.querySelector('.st-key-ns_neuron_large .bp-plot').layout.title.text"
    hall.wait_for_function(f"() => ({large})().startsWith('Hidden 1, neuron 2')", timeout=10_000)
    assert hall.locator(".st-key-ns_neuron input").input_value() == "hidden 1, neuron 2"
    hall.locator("[data-stale=true]").first.wait_for(state="detached", timeout=30_000)
    hall.wait_for_timeout(1000)  # the graph's redraw after the neuron's pick
    edge = hall.evaluate(where, [None, [1, 1, 0]])  # W²[2, 1], hidden neuron 2 to the output
    hall.mouse.click(edge["x"], edge["y"])
    hall.get_by_text("Picked W²[2, 1]").wait_for(timeout=30_000)
    hall.get_by_role("link", name="Inside the gradient").click()
    hall.get_by_text("Each row's pull on ∂C/∂w for W²[2, 1]").wait_for(timeout=30_000)
    hall.get_by_role("link", name="Live training").click()
    box = hall.locator(".st-key-edit_box")
    box.get_by_text("Edit W²[2, 1] in place").wait_for(timeout=30_000)
    field = box.get_by_label("New value")
    old = float(field.input_value())
    field.fill(f"{old + 0.5:.4f}")
    field.press("Enter")
    hall.wait_for_function(
        "() => !document.querySelector('.st-key-edit_apply button').disabled", timeout=10_000
    )
    box.get_by_role("button", name="Apply to the live network").click()
    new = float(f"{old + 0.5:.4f}")
    box.get_by_text(f"Set the weight W²[2, 1] from {old:.4g} to {new:.4g}.").wait_for(
        timeout=10_000
    )
    box.get_by_role("button", name="Undo the last nudge").click()
    box.get_by_text(f"Put the weight W²[2, 1] back to {old:.4g}.").wait_for(timeout=10_000)
    cell = hall.locator(".st-key-weights_0 .bp-plot")
    cell.scroll_into_view_if_needed()
    hall.wait_for_timeout(500)
    spot = hall.evaluate(  # the cell W¹[2, 3]: row 2, column 3 of the first layer's weights
        """() => { const plot = document.querySelector('.st-key-weights_0 .bp-plot');
          const xa = plot._fullLayout.xaxis, ya = plot._fullLayout.yaxis;
          const r = plot.getBoundingClientRect();
          return {x: r.left + xa._offset + xa.c2p(2), y: r.top + ya._offset + ya.c2p(1)}; }"""
    )
    hall.mouse.click(spot["x"], spot["y"])
    box.get_by_text("Edit W¹[2, 3] in place").wait_for(timeout=10_000)
    assert_no_exception(hall)

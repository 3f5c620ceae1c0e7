"""A lecture in a real Chromium at 1280×720: keys, charts onto slides, full screen."""

import pytest

from tests.browser_helpers import assert_no_exception, shown_epoch
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
    plot.wait_for(timeout=30_000)
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

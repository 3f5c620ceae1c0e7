"""Every page on a 1280×720 projector in lecture mode, sidebar closed: each page's key content
is above the fold, in a real Chromium, with a screenshot of each kept in benchmarks/."""

from pathlib import Path

import pytest

from tests.browser_helpers import assert_no_exception
from tests.live_server import CHROMIUM

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on PATH: install Debian's package (apt-get install -y chromium)",
)
pytest.importorskip("playwright.sync_api")

WIDTH, HEIGHT = 1280, 720
SHOTS = Path(__file__).resolve().parent.parent / "benchmarks"


@pytest.fixture
def projector(browser):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT})
    yield context.new_page()
    context.close()


def box_of(page, selector: str) -> dict:
    locator = page.locator(selector).first
    locator.wait_for(timeout=30_000)
    return locator.bounding_box()


def assert_on_screen(page, selector: str) -> dict:
    """``selector``'s first match lies wholly inside the viewport, without scrolling."""
    box = box_of(page, selector)
    assert page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollTop") == 0
    assert box["x"] >= 0 and box["x"] + box["width"] <= WIDTH, (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= HEIGHT, (selector, box)
    return box


def test_every_step_of_the_backward_pass_shows_its_equation_and_next_above_the_fold(
    server, projector
):
    projector.goto(f"{server}/Backward_pass?lecture=1")
    for step in range(1, 16):
        projector.get_by_text(f"Step {step} of 15").wait_for(timeout=30_000)
        projector.wait_for_timeout(300)  # KaTeX lays out after the text appears
        assert_on_screen(projector, "[data-testid=stMain] .katex-display")
        assert_on_screen(projector, ".st-key-bp_next button")
        if step in (1, 9, 15):
            projector.screenshot(path=str(SHOTS / f"lecture-backward-pass-step-{step}.png"))
        if step < 15:
            projector.get_by_role("button", name="Next").click()
    assert_no_exception(projector)


def test_the_gradient_check_shows_its_verdict_and_the_first_layers_map(server, projector):
    projector.goto(f"{server}/Gradient_check?lecture=1")
    assert_on_screen(projector, "[data-testid=stMain] [data-testid=stAlert]")
    projector.locator(".st-key-gc_layer_1 .main-svg").first.wait_for(timeout=30_000)
    assert_on_screen(projector, ".st-key-gc_layer_1")
    projector.screenshot(path=str(SHOTS / "lecture-gradient-check.png"))
    assert_no_exception(projector)


def test_the_lottery_shows_its_button_the_quantiles_and_the_share_solved(server, projector):
    projector.goto(f"{server}/Initialisation_lottery?lecture=1")
    assert_on_screen(projector, ".st-key-lot_run button")
    for key, value in (("Networks K", "50"), ("Epochs", "3000")):
        field = projector.get_by_label(key)
        field.fill(value)
        field.press("Enter")
        projector.wait_for_timeout(500)
    projector.get_by_role("button", name="Run the lottery").click()
    for key in ("lot_cost", "lot_share"):
        projector.locator(f".st-key-{key} .main-svg").first.wait_for(timeout=60_000)
    projector.get_by_text("Solved at the end").wait_for(timeout=120_000)  # the results' layout
    projector.wait_for_timeout(500)
    projector.screenshot(path=str(SHOTS / "lecture-lottery.png"))
    cost = assert_on_screen(projector, ".st-key-lot_cost")
    share = assert_on_screen(projector, ".st-key-lot_share")
    assert abs(cost["y"] - share["y"]) < 40  # side by side
    assert_no_exception(projector)


def test_a_2d_sets_cost_curve_and_decision_surface_sit_side_by_side_axes_inside(server, projector):
    projector.goto(f"{server}/?lecture=1&dataset=circle&hidden=4&lr=0.3")
    projector.wait_for_function("() => window.bpKeys?.page", timeout=30_000)
    projector.get_by_role("button", name="Train", exact=True).click()
    projector.locator(".st-key-decision_surface .xtick text").first.wait_for(timeout=30_000)
    projector.wait_for_timeout(3000)
    cost = assert_on_screen(projector, ".st-key-cost_chart")
    surface = assert_on_screen(projector, ".st-key-decision_surface")
    assert abs(cost["y"] - surface["y"]) < 40 and surface["x"] > cost["x"] + cost["width"] / 2
    lowest = projector.evaluate(  # in one go: a redraw may replace the tick labels
        """() => Math.max(...[...document.querySelectorAll(
          '.st-key-decision_surface .xtick text, .st-key-decision_surface .g-xtitle text')]
          .map((t) => t.getBoundingClientRect().bottom))"""
    )
    assert 0 < lowest <= HEIGHT, "the surface's x axis is cut off"
    projector.screenshot(path=str(SHOTS / "lecture-circle-1280x720.png"))
    projector.get_by_role("button", name="Pause").click()
    assert_no_exception(projector)


TRUNCATED = """() => [...document.querySelectorAll(
    '[data-testid=stMain] [data-testid=stMarkdownContainer]')]
  .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.innerText)"""


def test_with_the_sidebar_open_the_lecture_rows_words_are_whole(server, projector):
    projector.goto(f"{server}/?lecture=1")
    projector.wait_for_function("() => window.bpKeys?.page", timeout=30_000)
    projector.get_by_test_id("stExpandSidebarButton").click()
    projector.get_by_text("Lecture mode").wait_for()
    projector.wait_for_timeout(800)  # the sidebar slides in
    assert projector.evaluate(TRUNCATED) == []
    projector.screenshot(path=str(SHOTS / "lecture-sidebar-open.png"))

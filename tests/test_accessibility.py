"""axe-core, the standard accessibility engine, on every page in Chromium: no serious or
critical violation, headings in order, and every chart named by its title. On the same pages,
every drawn axis and colour bar writes its numbers one way: decimals, and powers of ten."""

import re

import pytest

from tests.live_server import CHROMIUM

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="no Chromium on PATH: install Debian's package (apt-get install -y chromium)",
)
pytest.importorskip("playwright.sync_api")
Axe = pytest.importorskip("axe_playwright_python.sync_playwright").Axe

PAGES = {
    "truth table": "/",
    "2-D set, trained": "/?dataset=circle&hidden=4&lr=0.3",
    "lecture mode": "/?lecture=1&dataset=circle",
    "gradient check": "/Gradient_check",
    "backward pass": "/Backward_pass",
    "network and surfaces": "/Network_and_surfaces?dataset=xor",
    "initialisation lottery": "/Initialisation_lottery",
    "inside the gradient": "/Inside_the_gradient",
    "chain rule": "/Chain_rule",
}
OPEN_BOXES = ("Share this setup", "Upload, save and load", "Open a playground link")
INSIDE_BOXES = ("Show the code large", "Make a GIF of the run", "TensorFlow Playground link")


# Each tick label as drawn: its text, and whether plotly typeset a superscript in it.
TICK_LABELS = """() => [...document.querySelectorAll('.bp-plot g[class$="tick"] > text')].map(
  (t) => [t.textContent, t.innerHTML.includes('dy="-0.6em"')])"""
E_NOTATION = re.compile(r"\de[-+−]?\d")
SI_PREFIX = re.compile(r"^[−-]?[\d.,]+\s?[yzafpnµμmkMGTPEZYB]$")


def number_formats(page) -> dict[str, list[str]]:
    """The page's tick labels by how they write a number: "e-notation", "SI prefix" or
    "power of ten" (the other labels are decimals or words)."""
    found: dict[str, list[str]] = {}
    for text, raised in page.evaluate(TICK_LABELS):
        kind = (
            "e-notation"
            if E_NOTATION.search(text)
            else "SI prefix"
            if SI_PREFIX.match(text)
            else "power of ten"
            if raised or "×10" in text
            else None
        )
        if kind:
            found.setdefault(kind, []).append(text)
    return found


def violations(page) -> list[str]:
    found = Axe().run(page).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['nodes'][0]['html'][:120]}"
        for v in found
        if v["impact"] in ("serious", "critical") or v["id"] == "heading-order"
    ]


@pytest.mark.parametrize("path", list(PAGES.values()), ids=list(PAGES))
def test_no_serious_or_critical_violation_headings_in_order_and_one_number_format(
    server, page, path
):
    page.goto(server + path)
    page.get_by_test_id("stAppViewContainer").wait_for(timeout=30_000)
    page.get_by_test_id("stMainBlockContainer").get_by_role("heading").first.wait_for()
    if path.startswith("/?dataset"):
        page.get_by_role("button", name="Step 100").click()
        page.get_by_text("Status: Paused").wait_for(timeout=30_000)
        for box, inside in zip(OPEN_BOXES, INSIDE_BOXES):
            page.get_by_text(box).click()
            page.get_by_text(inside).first.wait_for(timeout=30_000)
    if path == "/Initialisation_lottery":
        page.get_by_label("Networks K").fill("20")
        page.get_by_label("Epochs").fill("500")
        page.get_by_label("Epochs").press("Enter")
        page.get_by_role("button", name="Run the lottery").click()
        page.locator(".st-key-lot_hist .bp-plot").wait_for(timeout=90_000)  # a slow machine
    if path != "/Backward_pass":  # a page of equations; every other draws charts
        page.locator(".bp-plot").first.wait_for(state="attached", timeout=30_000)
    page.locator("[data-stale=true]").first.wait_for(state="detached", timeout=30_000)
    page.wait_for_function(  # the page's own styles applied (a second after it draws)
        """() => [...document.querySelectorAll('[data-testid=stCaptionContainer]')]
                 .every((e) => getComputedStyle(e).color === 'rgb(61, 65, 80)')""",
        timeout=10_000,
    )
    page.wait_for_timeout(300)  # the last element's fade-in
    assert violations(page) == []
    names = page.locator(".bp-plot").evaluate_all(
        "plots => plots.map((p) => [p.getAttribute('role'), p.getAttribute('aria-label')])"
    )
    assert all(role == "figure" and label for role, label in names), names
    assert names or path == "/Backward_pass"  # a page of equations, no chart
    formats = number_formats(page)
    assert set(formats) <= {"power of ten"}, formats

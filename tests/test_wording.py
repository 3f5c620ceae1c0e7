"""The words on every page, read as a student reads them: no Python representation, no index
counted from 0, no raw caret or underscore outside maths, and plurals that agree."""

import json
import re

import pytest

from tests.apptest_helpers import charts, lab_of, open_link, run_app, worker_of
from tests.test_pages import PAGES

SETUPS = {
    "half adder": {},
    "circle": {"dataset": "circle", "hidden": "4,2"},
    "plane": {"dataset": "plane", "hidden": "3"},
    "one hidden neuron": {"hidden": "1", "batch": "1"},
}
RULES = {
    "a Python value": re.compile(r"\bNone\b|\bTrue\b|\bFalse\b|\('|\['|np\.float|array\("),
    "an index from 0": re.compile(
        r"\b(?:neuron|layer|parameter|row|unit|input|output|weight) 0\b(?! of)"
        r"|%\{point(?:Number|Index)\}",  # plotly's hover counts from 0
        re.I,
    ),
    "a raw caret": re.compile(r"\^"),
    "e-notation": re.compile(r"\d(?:\.\d+)?e[-+]?\d"),
    "a raw underscore": re.compile(r"[^\W_]_[^\W_]"),
    "a wrong plural": re.compile(r"\b1 (?:rows|epochs|networks|layers|neurons|inputs|targets)\b"),
}
MATHS = re.compile(r"\$[^$]*\$|\\\(.*?\\\)")


def _texts_of_chart(fig: dict) -> list[str]:
    layout = fig.get("layout", {})
    found = [layout.get("title", {}).get("text", "")]
    for key, axis in layout.items():
        if key.startswith(("xaxis", "yaxis")) and isinstance(axis, dict):
            found.append(axis.get("title", {}).get("text", ""))
            found += [str(t) for t in axis.get("ticktext", [])]
    found += [a.get("text", "") for a in layout.get("annotations", [])]
    for trace in fig.get("data", []):
        found += [trace.get("name", ""), trace.get("hovertemplate", "")]
        found += [str(t) for t in trace.get("text", []) if isinstance(t, str)]
        found.append(trace.get("colorbar", {}).get("title", {}).get("text", ""))
    return found


def visible_texts(at) -> list[str]:
    """What the page shows in words: its messages, captions, labels, options and charts."""
    found = []
    for kind in ("markdown", "caption", "info", "warning", "error", "success", "title", "header"):
        found += [e.value for e in at.get(kind)]
    for kind in ("button", "toggle", "selectbox", "text_input", "number_input", "radio"):
        for widget in at.get(kind):
            found.append(widget.label)
            found += [str(o) for o in getattr(widget, "options", [])]
    for metric in at.get("metric"):
        found += [metric.label, metric.value]
    for fig in charts(at):
        found += _texts_of_chart(fig)
    return [re.sub(r"\\(.)", r"\1", text) for text in found if text]  # plain()'s escapes off


def broken_rules(texts: list[str]) -> list[str]:
    broken = []
    for text in texts:
        words = MATHS.sub("", re.sub(r"<[^>]+>", "", text))
        for rule, pattern in RULES.items():
            if pattern.search(words):
                broken.append(f"{rule}: {text[:140]!r}")
    return sorted(set(broken))


def _opened(page: str | None, setup: dict):
    main = open_link(**setup)
    worker_of(main).step(300)
    main.run()
    return main if page is None else run_app(page, **lab_of(main))


@pytest.mark.parametrize("setup", list(SETUPS), ids=list(SETUPS))
@pytest.mark.parametrize("page", [None, *PAGES], ids=["main", *(p[6:-3] for p in PAGES)])
def test_no_page_shows_code_indices_from_0_or_raw_carets(page, setup):
    at = _opened(page, SETUPS[setup])
    if page == "pages/5_Inside_the_gradient.py":  # a nudge says which weight it set
        field = next(f for f in at.number_input if f.key.startswith("ig_value_"))
        field.set_value(field.value + 0.5).run()
        at.button(key="ig_apply").click().run()
        assert any(text.startswith("Set the ") for text in visible_texts(at))
    if page == "pages/2_Backward_pass.py":  # the quiz's options and its verdict
        at.toggle(key="bp_quiz").set_value(True).run()
        for _ in range(6):
            at.button(key="bp_next").click().run()
        at.radio(key="bp_sign").set_value("positive")
        at.button(key="bp_check").click().run()
        assert any("Sign " in text for text in visible_texts(at))
    assert not at.exception
    assert broken_rules(visible_texts(at)) == []


def test_the_rules_catch_what_they_are_for():
    bad = [
        "batch size None → 10",
        "features ('x1', 'x2')",
        "hidden 1 neuron 0",
        "hidden 1 neuron %{pointNumber}",
        "Set parameter 0 from 3.796",
        "between 10^-4 and 10^-3",
        "relative error below 1e-05",
        "in half_adder",
        "2/λ_max = 23",
        "1 rows",
    ]
    assert len(broken_rules(bad)) == len(bad)
    assert broken_rules(["$z^1$ and $\\delta_j$", "neuron 1 of 2", json.dumps("2 rows")]) == []

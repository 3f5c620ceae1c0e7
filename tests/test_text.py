import ast
import re
from pathlib import Path

import pytest

from dashboard.text import WORD_JOINER, metric_number, plain, plotly_text, scientific, short

ROOT = Path(__file__).resolve().parent.parent
PAYLOADS = [
    "![pix](http://host/track.png)",
    ":red[**Log in:**] [here](http://host/phish)",
    "<img src=x onerror=alert(1)>",
    "$\\frac{1}{2}$ :material/home: `code` ~~gone~~ # heading",
    "line one\n- a list item\n> a quote",
    "http://127.0.0.1:9/x www.host.example mail@host.example HTTPS://HOST",
]
PUNCTUATION = r"!-/:-@\[-`{-~"


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_leaves_no_markdown_character_unescaped_and_no_line_break(payload):
    shown = plain(payload)
    assert re.fullmatch(rf"(\\[{PUNCTUATION}]|[^{PUNCTUATION}\n])*", shown)
    assert re.sub(r"\\(.)", r"\1", shown).replace(WORD_JOINER, "") == payload.replace("\n", " ")


def test_plain_breaks_every_address_markdown_would_link_by_itself():
    shown = plain("see http://h/x, WWW.h.io and a@b.io")
    assert "://" not in shown.replace("\\", "") and "www." not in shown.lower()
    assert "@b" not in shown.replace("\\", "")


def test_plotly_text_escapes_html():
    assert plotly_text('out:<span style="font-size:90px">BIG</span>') == (
        "out:&lt;span style=&quot;font-size:90px&quot;&gt;BIG&lt;/span&gt;"
    )


# Streamlit calls that render their text as markdown, and the argument that holds it.
MARKDOWN_CALLS = {
    "error": 0,
    "warning": 0,
    "info": 0,
    "success": 0,
    "toast": 0,
    "caption": 0,
    "markdown": 0,
    "progress": "text",
}
SAFE_CALLS = {"plain", "html_table"}


def _is_safe(node: ast.expr) -> bool:
    """A literal, a constant, plain(…), or an f-string whose every value is plain(…) or
    formatted as a number."""
    if isinstance(node, ast.Constant):
        return True
    if isinstance(node, ast.Name):
        return node.id.isupper()
    if isinstance(node, ast.Call):
        return isinstance(node.func, ast.Name) and node.func.id in SAFE_CALLS
    if isinstance(node, ast.JoinedStr):
        return all(
            not isinstance(part, ast.FormattedValue) or part.format_spec or _is_safe(part.value)
            for part in node.values
        )
    if isinstance(node, ast.BinOp):
        return _is_safe(node.left) and _is_safe(node.right)
    if isinstance(node, ast.IfExp):
        return _is_safe(node.body) and _is_safe(node.orelse)
    return False


def _message(call: ast.Call, where: int | str) -> ast.expr | None:
    if isinstance(where, int):
        return call.args[where] if len(call.args) > where else None
    return next((k.value for k in call.keywords if k.arg == where), None)


def test_no_message_path_formats_a_value_into_markdown_without_plain():
    sources = [ROOT / "app.py", *ROOT.glob("pages/*.py"), *ROOT.glob("dashboard/**/*.py")]
    unsafe = []
    for path in sources:
        for node in ast.walk(ast.parse(path.read_text())):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
                continue
            where = MARKDOWN_CALLS.get(node.func.attr)
            message = None if where is None else _message(node, where)
            if message is not None and not _is_safe(message):
                unsafe.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert not unsafe, f"wrap these messages in plain(): {unsafe}"


@pytest.mark.parametrize(
    ("value", "digits", "text"),
    [(3.864e-4, 3, "3.86×10⁻⁴"), (-1.2e5, 2, "−1.2×10⁵"), (1e-9, 3, "10⁻⁹"), (0.0, 3, "0")],
)
def test_scientific_writes_a_power_of_ten_with_superscripts_and_a_true_minus(value, digits, text):
    assert scientific(value, digits) == text


def test_short_is_plain_where_it_can_be_and_never_e_notation():
    assert short(0.25) == "0.25" and short(-3.21) == "−3.21"
    assert short(4.1e-5) == "4.1×10⁻⁵" and short(2.5e7) == "2.5×10⁷"


def test_metric_numbers_beyond_the_plain_range_are_powers_of_ten():
    assert metric_number(0.2163) == "0.2163" and metric_number(3.86e-4) == "3.86×10⁻⁴"
    assert metric_number(float("nan")) == "not a number"

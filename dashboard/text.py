"""Text that a user, a file or a link supplied, made safe to show.

Streamlit renders markdown in every message, caption and label, so a link parameter such as
``![x](http://host/pixel.png)`` would fetch an image. Plotly renders a subset of HTML in its
titles, legends and hover labels. Every message that can hold such text goes through
``plain``, and every plotly label made of it through ``plotly_text``.
"""

from __future__ import annotations

import html
import math
import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# What markdown turns into a link by itself, even escaped: a scheme's ://, www. and an e-mail's @.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=ww)(?=w\.)|(?<=@)", re.IGNORECASE)
WORD_JOINER = "\u2060"  # invisible, and breaks the autolink's pattern


def plain(text: str) -> str:
    """``text`` as markdown that shows it literally: a backslash before every ASCII punctuation
    mark (no link, image, emphasis, colour directive, icon or LaTeX survives), an invisible
    word joiner inside every ``://``, ``www.`` and ``@`` (no address becomes a link by itself),
    and line breaks as spaces."""
    text = " ".join(str(text).split("\n"))
    text = _AUTOLINK.sub(WORD_JOINER, text)
    return _PUNCTUATION.sub(r"\\\1", text)


def scientific(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures as a power of ten, as maths is printed:
    3.86×10⁻⁴, −1.2×10⁵, 10⁻⁹; 0 as "0"."""
    if value == 0:
        return "0"
    mantissa, exponent = f"{abs(value):.{digits - 1}e}".split("e")
    mantissa = mantissa.rstrip("0").rstrip(".")
    power = f"10{sup(int(exponent))}"
    return ("−" if value < 0 else "") + (power if mantissa == "1" else f"{mantissa}×{power}")


def short(value: float, digits: int = 3) -> str:
    """``value`` to ``digits`` significant figures, with a true minus sign, and as a power of
    ten (``scientific``) where Python would write e-notation: 0.25, −3.2, 4.1×10⁻⁵."""
    text = f"{value:.{digits}g}"
    if "e" in text and math.isfinite(value):
        return scientific(value, digits)
    return text.replace("-", "−")


def metric_number(value: float) -> str:
    """A metric's number: 0.2163 between 0.01 and 10,000, else 3.86×10⁻⁴; inf and NaN as
    words."""
    if not math.isfinite(value):
        return "infinite" if math.isinf(value) else "not a number"
    text = f"{value:.4g}"
    if "e" not in text and (value == 0 or abs(value) >= 0.01):
        return text.replace("-", "−")
    return scientific(value)


_SUPERSCRIPT = str.maketrans("0123456789-+lLT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ˡᴸᵀ")


def sup(value: object) -> str:
    """``value`` in superscript letters, for a layer index in running text: z¹, δᴸ, W²ᵀ."""
    return str(value).translate(_SUPERSCRIPT)


_SUBSCRIPT = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def sub(value: object) -> str:
    """``value`` in subscript digits, for an index in running text: w₁, δ₂."""
    return str(value).translate(_SUBSCRIPT)


def layer_name(l: int, layers: int) -> str:
    """Layer ``l`` of ``layers`` (0 is the input) as the network graph names it: "input",
    "hidden 1", …, "output"."""
    return "input" if l == 0 else "output" if l == layers - 1 else f"hidden {l}"


def plotly_text(text: str) -> str:
    """``text`` for a plotly title, legend or hover label: its HTML escaped."""
    return html.escape(str(text))


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for exactly one: "1 row", "4 rows", "1,000 epochs"."""
    return f"{n:,} {singular if n == 1 else plural or singular + 's'}"

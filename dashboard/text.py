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


def metric_number(value: float) -> str:
    """A metric's number in at most 8 characters: 0.2163 between 0.01 and 10,000, else
    3.86e-4; inf and NaN as words."""
    if not math.isfinite(value):
        return "infinite" if math.isinf(value) else "not a number"
    text = f"{value:.4g}"
    if "e" not in text and (value == 0 or abs(value) >= 0.01):
        return text
    mantissa, exponent = f"{value:.2e}".split("e")
    return f"{mantissa}e{int(exponent)}"


_SUPERSCRIPT = str.maketrans("0123456789-+lLT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁻⁺ˡᴸᵀ")


def sup(value: object) -> str:
    """``value`` in superscript letters, for a layer index in running text: z¹, δᴸ, W²ᵀ."""
    return str(value).translate(_SUPERSCRIPT)


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

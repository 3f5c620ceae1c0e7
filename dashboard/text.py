"""Text that a user, a file or a link supplied, made safe to show.

Streamlit renders markdown in every message, caption and label, so a link parameter such as
``![x](http://host/pixel.png)`` would fetch an image. Plotly renders a subset of HTML in its
titles, legends and hover labels. Every message that can hold such text goes through
``plain``, and every plotly label made of it through ``plotly_text``.
"""

from __future__ import annotations

import html
import re

_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")


def plain(text: str) -> str:
    """``text`` as markdown that shows it literally: a backslash before every ASCII punctuation
    mark (no link, image, emphasis, colour directive, icon or LaTeX survives) and line breaks
    as spaces."""
    return _PUNCTUATION.sub(r"\\\1", " ".join(str(text).split("\n")))


def plotly_text(text: str) -> str:
    """``text`` for a plotly title, legend or hover label: its HTML escaped."""
    return html.escape(str(text))

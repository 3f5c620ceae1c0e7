"""How every check in the package quotes a bad value back: briefly, whatever the value is."""

from __future__ import annotations

import reprlib

MAX_QUOTE = 40
MAX_SEED = 2**32 - 1  # seeds a file or a link may carry

_repr = reprlib.Repr()
_repr.maxlevel = 2
_repr.maxlist = _repr.maxtuple = _repr.maxdict = _repr.maxset = 4
_repr.maxstring = _repr.maxlong = _repr.maxother = MAX_QUOTE


def brief(value: object, limit: int = MAX_QUOTE) -> str:
    """``repr(value)`` cut to at most ``limit`` characters, ending in "…" when cut.

    Safe for anything a file or a link can hold: huge strings, long or deeply nested lists,
    and integers too long for ``repr``.
    """
    if isinstance(value, str) and len(value) > limit - 2:
        quoted = repr(value[: limit - 3])
        return quoted[:-1] + "…" + quoted[-1]
    try:
        text = _repr.repr(value)
    except ValueError:  # an int over Python's 4,300-digit limit for str()
        text = f"an integer of {value.bit_length():,} bits"  # type: ignore[attr-defined]
    return text if len(text) <= limit else text[: limit - 1] + "…"

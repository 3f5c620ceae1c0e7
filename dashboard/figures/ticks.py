"""Ticks that fit and read alike. Log axes: one label a decade over two decades or more, 1-2-5
within fewer, a few round values within one; minor ticks at every digit, never labelled; plain
decimals from 0.001 to 9,999 and powers of ten beyond. Colour bars of tiny signed values, and
their cells: the same, with a sign."""

from __future__ import annotations

import math
from collections.abc import Iterable

import numpy as np

MINOR = dict(ticks="inside", ticklen=4, dtick="D1", showgrid=False)  # clear of the labels
ROUND_STEPS = (1, 2, 5)


def tick_text(value: float) -> str:
    """0.002, 0.5, 20, 5,000; 2×10⁻⁴ and 10⁵ beyond (plotly markup)."""
    if 1e-3 <= value < 1e4:
        return f"{value:,.6g}"
    k = math.floor(math.log10(value) + 1e-9)
    m = round(value / 10**k, 6)
    power = f"10<sup>{'−' if k < 0 else ''}{abs(k)}</sup>"
    return power if m == 1 else f"{m:g}×{power}"


def _round_values(low: float, high: float, most: int = 6) -> list[float]:
    """Round values from ``low`` to ``high`` (within one decade): the finest of the steps
    1, 2, 5 × 10^k that gives at most ``most`` of them."""
    k = math.floor(math.log10(high - low)) - 1
    for step in (s * 10.0**e for e in (k, k + 1, k + 2) for s in ROUND_STEPS):
        first = math.ceil(low / step - 1e-9) * step
        values = [round(first + i * step, 12) for i in range(most + 2)]
        values = [v for v in values if 0 < v <= high * (1 + 1e-9)]
        if len(values) <= most:
            return values
    return [low, high]


def log_tick_values(low: float, high: float) -> list[float]:
    """The labelled values of a log axis from ``low`` to ``high``."""
    lo, hi = math.floor(math.log10(low)), math.ceil(math.log10(high))
    decades = math.log10(high / low)
    if decades < 0.7:
        return _round_values(low, high)
    digits = (1,) if decades >= 2 else (1, 2, 5)
    values = [m * 10.0**k for k in range(lo, hi + 1) for m in digits]
    return [v for v in values if low / 1.05 <= v <= high * 1.05]  # in the axis's padding


def log_axis(values: Iterable[np.ndarray], **extra) -> dict:
    """A plotly log axis for the positive, finite ``values`` drawn on it: its labels as
    ``log_tick_values`` places them, minor ticks between; no labels when nothing is drawn."""
    parts = [np.asarray(v, dtype=float).ravel() for v in values]
    flat = np.concatenate(parts) if parts else np.empty(0)
    flat = flat[np.isfinite(flat) & (flat > 0)]
    axis = dict(type="log", minor=MINOR, **extra)
    if not len(flat):
        return dict(axis, showticklabels=False, minor=dict(ticks=""))
    low, high = float(flat.min()), float(flat.max())
    if high / low < 1.0001:  # a flat line: one label at its value
        low, high = low / 1.05, high * 1.05
    ticks = log_tick_values(low, high)
    return dict(axis, tickmode="array", tickvals=ticks, ticktext=[tick_text(v) for v in ticks])


def power_text(value: float, digits: int = 2) -> str:
    """``value`` to ``digits`` significant figures as ``tick_text`` writes it, with a true
    minus sign: −0.0013, 2.5, −1.3×10⁻¹² (plotly markup); 0 as "0"."""
    if not math.isfinite(value):
        return ""
    if value == 0:
        return "0"
    sign = "−" if value < 0 else ""
    size = float(f"{abs(value):.{digits}g}")
    if 1e-3 <= size < 1e4:
        return sign + f"{size:,.{digits}g}"
    k = math.floor(math.log10(size) + 1e-9)
    m = f"{size / 10**k:.{digits}g}"
    power = f"10<sup>{'−' if k < 0 else ''}{abs(k)}</sup>"
    return sign + (power if m == "1" else f"{m}×{power}")


def power_ticks(limit: float) -> dict:
    """Colour-bar ticks at 0, ±limit/2 and ±limit, written as ``power_text`` writes the cells,
    not in plotly's SI prefixes (10μ, 5f)."""
    values = [-limit, -limit / 2, 0.0, limit / 2, limit]
    return dict(tickmode="array", tickvals=values, ticktext=[power_text(v) for v in values])

"""Figures for *Inside the gradient*: the gradient taken apart, from backprop_core.diagnostics."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from backprop_core.thinning import Curve
from dashboard.figures.live import (
    KEPT_COLOURS,
    LAYER_COLOURS,
    base_layout,
    compact,
    figure,
    series,
    vertical_line,
)
from dashboard.text import plotly_text, short

MAX_LEGEND_ROWS = 16  # more rows than this are told apart by hovering, not by a legend
POSITIVE, NEGATIVE = "#2166ac", "#d6604d"
WIDE_LABELS = dict(l=95, r=20, t=60, b=50)  # room for y tick labels such as 3.75×10⁻⁴


def _row_colour(k: int) -> str:
    return LAYER_COLOURS[k % len(LAYER_COLOURS)]


def _xy_line(x: np.ndarray, y: np.ndarray, name: str, colour: str, **extra) -> dict:
    style = dict(color=colour, width=extra.pop("width", 3), dash=extra.pop("dash", "solid"))
    return dict(
        type="scatter", x=compact(x), y=compact(y), mode="lines", name=name, line=style, **extra
    )


CLASS_SHADES = (("#2166ac", "#4393c3"), ("#e08214", "#fdb863"))  # target 0, target 1


def row_cost_figure(
    shares: Curve,
    names: list[str],
    marker_epoch: int | None = None,
    classes: np.ndarray | None = None,
) -> go.Figure:
    """Each row's share C_x / n of the cost per epoch, stacked: the top edge is the cost C (less
    any penalty). The rows that stay thick are the ones the network has not learned yet. Many
    rows of a 0/1 target (``classes``, one per row) are grouped and shaded by their class."""
    values, step, epochs = shares
    many = len(names) > MAX_LEGEND_ROWS
    order = range(len(names)) if classes is None else np.argsort(classes, kind="stable")
    lines, labelled = [], set()
    for position, k in enumerate(order):
        name = label = plotly_text(names[k])
        extra = dict(stackgroup="rows", showlegend=not many)
        colour = LAYER_COLOURS[k % len(LAYER_COLOURS)]
        if classes is not None and many:
            c = int(classes[k])
            colour = CLASS_SHADES[c % 2][position % 2]
            label = f"rows with target {c}"
            extra.update(legendgroup=label, showlegend=c not in labelled)
            labelled.add(c)
        if many:
            extra.update(line=dict(width=0, color=colour), fillcolor=colour)
        lines.append(
            series(
                values[:, k],
                step,
                label,
                colour,
                1,
                hovertemplate=name + "<br>epoch %{x:,.0f}: %{y:.4g}<extra></extra>",
                **extra,
            )
        )
    axes = dict(yaxis=dict(title=dict(text="C<sub>x</sub> / n, stacked"), rangemode="tozero"))
    layout = base_layout("Each row's share of the cost", "row-costs", 420, epochs, **axes)
    if marker_epoch is not None:
        layout["shapes"] = [vertical_line(marker_epoch, width=2)]
    return figure(lines, layout)


def contributions_figure(shares: np.ndarray, names: list[str], title: str) -> go.Figure:
    """Each row's share of ∂C/∂w as a signed bar, all stacked in one column (pulls one way to
    the right, the other to the left), with their sum, the batch gradient, as a diamond. Each
    row keeps its colour in ``contributions_history_figure``."""
    legend = len(names) <= MAX_LEGEND_ROWS
    bars = [
        dict(
            type="bar",
            orientation="h",
            y=["rows"],
            x=[float(s)],
            name=plotly_text(name),
            marker=dict(color=_row_colour(k), line=dict(color="#ffffff", width=2)),
            showlegend=legend,
            hovertemplate=plotly_text(name) + ": %{x:.4g}<extra></extra>",
        )
        for k, (s, name) in enumerate(zip(shares, names))
    ]
    total = dict(
        type="scatter",
        mode="markers",
        y=["rows"],
        x=[float(shares.sum())],
        name="∂C/∂w (their sum)",
        marker=dict(symbol="diamond", size=18, color="#000000"),
        hovertemplate="∂C/∂w = %{x:.4g}<extra></extra>",
    )
    axes = dict(
        barmode="relative",
        xaxis=dict(zeroline=True, zerolinecolor="#000000", zerolinewidth=3, exponentformat="power"),
        yaxis=dict(showticklabels=False),
        showlegend=True,
        margin=dict(l=30, r=20, t=60, b=50),
    )
    return figure([*bars, total], base_layout(title, "tug", 300, **axes))


def contributions_history_figure(
    epochs: list[int], shares: np.ndarray, names: list[str]
) -> go.Figure:
    """The same contributions at earlier epochs (rewind snapshots), one stacked column each,
    with the gradient as a line: shares (snapshots, rows)."""
    labels = [f"{e:,}" for e in epochs]
    legend = len(names) <= MAX_LEGEND_ROWS
    bars = [
        dict(
            type="bar",
            x=labels,
            y=compact(shares[:, k]),
            name=plotly_text(name),
            marker=dict(color=_row_colour(k)),
            showlegend=legend,
            hovertemplate=plotly_text(name) + ", epoch %{x}: %{y:.4g}<extra></extra>",
        )
        for k, name in enumerate(names)
    ]
    total = dict(
        type="scatter",
        mode="lines+markers",
        x=labels,
        y=compact(shares.sum(axis=1)),
        name="∂C/∂w",
        line=dict(color="#000000", width=3),
    )
    axes = dict(
        barmode="relative",
        xaxis=dict(type="category"),
        yaxis=dict(title=dict(text="share of ∂C/∂w"), exponentformat="power"),
        margin=WIDE_LABELS,
    )
    title = "The same tug-of-war at earlier epochs (the rewind snapshots)"
    return figure([*bars, total], base_layout(title, "tug-history", 380, **axes))


def delta_waterfall_figure(terms: np.ndarray, sigma_prime: float, labels: list[str]) -> go.Figure:
    """δ_j built step by step: each term w_jk δ_k, their sum, then × σ′(z_j)."""
    total = float(terms.sum())
    delta = total * sigma_prime
    trace = dict(
        type="waterfall",
        x=[plotly_text(label) for label in labels] + ["sum", f"× σ′(z) = {short(sigma_prime)}"],
        measure=["relative"] * len(terms) + ["total", "absolute"],
        y=[float(t) for t in terms] + [total, delta],
        text=[short(t) for t in terms] + [short(total), f"δ = {short(delta)}"],
        textposition="outside",
        increasing=dict(marker=dict(color=POSITIVE)),
        decreasing=dict(marker=dict(color=NEGATIVE)),
        totals=dict(marker=dict(color="#7f7f7f")),
        connector=dict(line=dict(color="#b0b0b0")),
        hovertemplate="%{x}: %{y:.4g}<extra></extra>",
    )
    axes = dict(yaxis=dict(title=dict(text="value")), showlegend=False)
    return figure([trace], base_layout("How this δ is built", "waterfall", 380, **axes))


def delta_ratio_figure(weight_part: np.ndarray, sigma_part: np.ndarray) -> go.Figure:
    """Per hidden layer, how much of δ survives one step back, ‖δ^l‖ / ‖δ^{l+1}‖, and its two
    factors: the weights' part and σ′'s part. Below 1 shrinks, above 1 grows; log scale."""
    names = [f"δ<sup>{l + 2}</sup> → δ<sup>{l + 1}</sup>" for l in range(len(weight_part))]
    bars = [
        dict(type="bar", x=names, y=compact(values), name=name, marker=dict(color=colour))
        for values, name, colour in (
            (weight_part, "through the weights", LAYER_COLOURS[0]),
            (sigma_part, "through σ′(z)", LAYER_COLOURS[1]),
        )
    ]
    ratio = dict(
        type="scatter",
        mode="markers",
        x=names,
        y=compact(weight_part * sigma_part),
        name="‖δ<sup>l</sup>‖ / ‖δ<sup>l+1</sup>‖ (their product)",
        marker=dict(symbol="diamond", size=14, color="#000000"),
    )
    axes = dict(
        barmode="group",
        yaxis=dict(type="log", title=dict(text="factor (log)"), exponentformat="power"),
        shapes=[
            dict(type="line", xref="paper", x0=0, x1=1, y0=1, y1=1, line=dict(dash="dot", width=2))
        ],
    )
    return figure([*bars, ratio], base_layout("Where each delta shrinks", "ratios", 380, **axes))


def probe_figure(
    etas: np.ndarray, costs: np.ndarray, cost_now: float, eta: float, limit: float | None
) -> go.Figure:
    """C(θ − η ∇C) over a log grid of η, the current cost as a level, the current η and, when
    known, 2/λ_max (beyond it plain gradient descent is unstable along the sharpest direction)."""
    finite = np.where(np.isfinite(costs), costs, np.nan)
    shown = finite[np.isfinite(finite)]
    wide = bool(len(shown)) and shown.min() > 0 and shown.max() / shown.min() > 10
    hover = "η = %{x:.3g}: C = %{y:.4g}<extra></extra>"
    line = _xy_line(
        etas, finite, "C after one step of size η", LAYER_COLOURS[0], hovertemplate=hover
    )
    shapes = [
        dict(
            type="line", xref="paper", x0=0, x1=1, y0=cost_now, y1=cost_now, line=dict(dash="dot")
        ),
        vertical_line(eta, width=2),
    ]
    notes = [
        dict(
            x=np.log10(eta),
            y=1,
            yref="paper",
            text=f"η = {eta:g}",
            showarrow=False,
            yanchor="bottom",
        )
    ]
    if limit is not None and np.isfinite(limit) and limit > 0:
        shapes.append(vertical_line(limit, KEPT_COLOURS[1], "dot", 2))
        notes.append(
            dict(
                x=np.log10(limit),
                y=0.9,
                yref="paper",
                text=f"2/λ<sub>max</sub> = {short(limit)}",
                showarrow=False,
                xanchor="left",
            )
        )
    axes = dict(
        xaxis=dict(type="log", title=dict(text="η"), exponentformat="power"),
        yaxis=dict(
            type="log" if wide else "linear", title=dict(text="C"), exponentformat="power", nticks=6
        ),
        shapes=shapes,
        annotations=notes,
        margin=WIDE_LABELS,
    )
    return figure([line], base_layout("What one step of size η would do", "probe", 400, **axes))


def taylor_figure(
    values: np.ndarray,
    costs: np.ndarray,
    w: float,
    cost: float,
    slope: float,
    w_new: float,
    cost_new: float,
) -> go.Figure:
    """C along one parameter w (the others held), its tangent at the current w, and where the
    nudge lands: on the curve (actual) and on the tangent (predicted)."""
    curve = _xy_line(values, costs, "C(w)", LAYER_COLOURS[0])
    ends = np.array([values[0], values[-1]])
    name = "tangent: C + ∂C/∂w · Δw"
    tangent = _xy_line(ends, cost + slope * (ends - w), name, "#7f7f7f", width=2, dash="dash")
    points = dict(
        type="scatter",
        x=[w, w_new, w_new],
        y=[cost, cost_new, cost + slope * (w_new - w)],
        mode="markers",
        marker=dict(
            size=13,
            color=["#000000", LAYER_COLOURS[1], "#7f7f7f"],
            symbol=["circle", "circle", "x"],
        ),
        text=["now", "nudged (actual)", "nudged (predicted)"],
        hovertemplate="%{text}: w = %{x:.4g}, C = %{y:.4g}<extra></extra>",
        showlegend=False,
    )
    axes = dict(yaxis=dict(title=dict(text="C"), exponentformat="power"), margin=WIDE_LABELS)
    title = "C along this one parameter w, the others held"
    return figure([curve, tangent, points], base_layout(title, "taylor", 380, **axes))


def epsilon_sweep_figure(epsilons: np.ndarray, errors: dict[str, np.ndarray]) -> go.Figure:
    """The gradient check's max error against ε, log–log: a V per method, truncation error on
    the left (large ε), round-off on the right (small ε)."""
    styles = {
        "central float64": (LAYER_COLOURS[0], None),
        "forward float64": (LAYER_COLOURS[0], "dash"),
        "central float32": (LAYER_COLOURS[1], None),
        "forward float32": (LAYER_COLOURS[1], "dash"),
    }
    lines = [
        dict(
            type="scatter",
            x=compact(epsilons),
            y=compact(np.maximum(values, 1e-18)),
            mode="lines+markers",
            name=name,
            line=dict(color=styles[name][0], width=3, dash=styles[name][1] or "solid"),
            hovertemplate=name + ": ε = %{x:.0e}, max error %{y:.2e}<extra></extra>",
        )
        for name, values in errors.items()
    ]
    axes = dict(
        xaxis=dict(type="log", exponentformat="power", autorange="reversed"),
        yaxis=dict(type="log", title=dict(text="max error"), exponentformat="power"),
        shapes=[vertical_line(1e-5, "#7f7f7f", "dot", 2)],
        margin=dict(WIDE_LABELS, l=110),
    )
    title = "The gradient check's error against ε"
    return figure(lines, base_layout(title, "sweep", 420, **axes))

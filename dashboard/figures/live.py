"""Plain functions that turn training state into plotly figures (no Streamlit here)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.colors import get_colorscale

from backprop_core import Network
from backprop_core.thinning import Curve, compact, envelope
from dashboard.figures.ticks import log_axis
from dashboard.text import plotly_text, sup

MAX_CELL_TEXT = 64  # print values in heatmap cells up to this many cells
MAX_TEXT_COLUMNS = 4  # and columns: "−0.42" needs a third of the page split four ways
MAX_LAYERS_WITH_TEXT = 4  # and for networks of up to this many layers
# Okabe and Ito's colour-blind-safe palette (2008), yellow left out: it is faint on white.
LAYER_COLOURS = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000"]
KEPT_DASHES = ["dash", "dot", "dashdot", "longdash", "longdashdot"]
KEPT_COLOURS = ["#666666", "#CC79A7", "#56B4E9", "#999999", "#000000"]
MARK_COLOUR = "#D55E00"  # vermillion: a marked epoch, a result
# As lists: plotly.js has colour scales of these names too, but its RdBu is another one.
DIVERGING = get_colorscale("RdBu")  # red below 0, white at 0, blue above
# The decision surface: light blue where the output says 0, white at the boundary, light orange
# for 1, so that the saturated points of each label stand out on it.
SURFACE_COLOURS = [[0.0, "#92c5de"], [0.5, "#f7f7f7"], [1.0, "#fdb863"]]
FONT_SIZE = 16  # every label at least this; lecture mode passes LECTURE_FONT_SIZE
LECTURE_FONT_SIZE = 18
# The live charts are redrawn several times a second. Fixed margins spare plotly a second
# layout pass, and "allow" spares it measuring every tick label for overflow.
FIXED_AXIS = dict(automargin=False, ticklabeloverflow="allow")
LIVE_MARGIN = dict(l=95, r=20, t=50, b=75)  # the foot holds the tick labels and the legend
FONT_FAMILY = '"Source Sans", "Source Sans Pro", sans-serif'  # the app's own font
TEXT_COLOUR = "#31333f"
GRID_COLOUR = "#e6e9ef"
# Small and explicit: Streamlit's default plotly template is large and needs its frontend.
_AXIS_LOOK = dict(gridcolor=GRID_COLOUR, zerolinecolor=GRID_COLOUR, linecolor=GRID_COLOUR)
TEMPLATE = dict(layout=dict(xaxis=_AXIS_LOOK, yaxis=_AXIS_LOOK))
ACCURACY_AXIS = dict(
    overlaying="y",
    side="right",
    range=[0, 1.02],
    tickvals=[0, 0.25, 0.5, 0.75, 1],
    tickformat=".0%",
    showgrid=False,
    **FIXED_AXIS,
)


def figure(data: list[dict], layout: dict) -> go.Figure:
    """A Figure of the trace and layout dicts built here, which the tests validate. Plotly's
    property-by-property validation is skipped: it took 70 % of building a live chart."""
    return go.Figure(data=data, layout=layout, _validate=False)


NICE_STEPS = (1, 1.5, 2, 3, 4, 5, 6, 8, 10)


def nice_limit(value: float) -> float:
    """The smallest m × 10^k ≥ value with m in NICE_STEPS, and at least 0.1."""
    if not math.isfinite(value) or value <= 0.1:
        return 0.1
    k = math.floor(math.log10(value))
    return next(float(f"{m}e{k}") for m in NICE_STEPS if float(f"{m}e{k}") >= value)


def colour_limit(current: float, top: float) -> float:
    """The weights' colour range ±limit for the largest |w| ``top``: it grows at once, and
    shrinks only once ``top`` is a fifth below the next nice value down, so the colours do not
    flicker while a weight hovers near a step."""
    wanted = nice_limit(top)
    if wanted > current or nice_limit(top * 1.25) < current:
        return wanted
    return current


def base_layout(
    title: str,
    revision: object,
    height: int,
    epochs: int | None = None,
    font_size: int = FONT_SIZE,
    **extra,
) -> dict:
    """The shared look: big fonts for a lecture hall; a fixed uirevision keeps the zoom.
    ``extra`` holds the axes and may override any default, such as the margin."""
    layout = dict(
        template=TEMPLATE,
        title=dict(text=title, font=dict(size=font_size + 4)),
        font=dict(size=font_size, family=FONT_FAMILY, color=TEXT_COLOUR),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="#ffffff",
        hoverlabel=dict(font=dict(family=FONT_FAMILY)),
        uirevision=str(revision),
        height=height,
        margin=dict(l=60, r=20, t=60, b=50),
        # Below the tick labels, never over a title: plotly wraps a long legend into rows and
        # takes their room from the plot.
        legend=dict(orientation="h", y=-0.1, yanchor="top", x=0),
    )
    layout.update(extra)
    if epochs == 0:
        layout["annotations"] = [
            dict(
                text="No epochs yet: press Train or Step",
                showarrow=False,
                xref="paper",
                yref="paper",
                x=0.5,
                y=0.5,
            )
        ]
    return layout


def _log_axes(y_title: str, log_x: bool, lines: list[dict], epochs: int) -> dict:
    """Log y (and with ``log_x``, log epoch) axes labelled where the labels fit (``log_axis``)."""
    drawn = [line["y"] for line in lines if line.get("yaxis") != "y2"]
    return dict(
        # No x-axis title: the chart's title says "per epoch", and 720p needs the room.
        xaxis=log_axis([np.array([1.0, max(epochs, 1)])] if epochs else [], **FIXED_AXIS)
        if log_x
        else dict(type="linear", **FIXED_AXIS),
        yaxis=dict(title=dict(text=y_title), **log_axis(drawn, **FIXED_AXIS)),
        margin=LIVE_MARGIN,
    )


def series(
    values: np.ndarray, step: float, name: str, colour: str, width: int = 3, dash=None, **extra
) -> dict:
    """A line over epochs 0, step, 2·step, … (from ``envelope``), so no x array is sent. A plain
    dict is cheaper to build than graph_objects.Scatter; ``extra`` may override any of it."""
    style = dict(width=width, color=colour, dash=dash) if dash else dict(width=width, color=colour)
    trace = dict(type="scatter", y=values, x0=0, dx=step, mode="lines", name=name, line=style)
    trace["hovertemplate"] = "epoch %{x:,.0f}: %{y:.4g}"
    return dict(trace, **extra)


def vertical_line(x: float, colour: str = MARK_COLOUR, dash: str = "dash", width: int = 3) -> dict:
    """A layout shape: a vertical line at x across the whole plot, such as a marked epoch."""
    line = dict(color=colour, dash=dash, width=width)
    return dict(type="line", x0=x, x1=x, yref="paper", y0=0, y1=1, line=line)


def curve(y: np.ndarray | Curve) -> Curve:
    """A record as the live charts draw it: already thinned, or ``envelope`` of it."""
    return y if isinstance(y, Curve) else Curve(*envelope(y), len(y))


def _colour(i: int) -> str:
    return LAYER_COLOURS[i % len(LAYER_COLOURS)]


def _kept_lines(kept: list, column: int | None = None) -> list[dict]:
    """Kept runs, a dash pattern each: the cost (column None) in a colour per run, or one
    layer's mean |δ| in that layer's colour."""
    lines = []
    for k, run in enumerate(kept):
        if column is not None and column >= run.delta.shape[1]:
            continue  # that run had fewer layers
        y = run.cost if column is None else run.delta[:, column]
        colour = KEPT_COLOURS[k % len(KEPT_COLOURS)] if column is None else _colour(column)
        dash = KEPT_DASHES[k % len(KEPT_DASHES)]
        name = f"kept {k + 1}: lr={run.settings.learning_rate:g}, seed {run.settings.seed}"
        extra = dict(
            legendgroup=run.label,
            showlegend=column in (None, 0),
            hovertemplate=plotly_text(run.label) + "<br>epoch %{x:,.0f}: %{y:.4g}<extra></extra>",
        )
        lines.append(series(y, run.step, name, colour, 2, dash, **extra))
    return lines


def cost_figure(
    cost: np.ndarray | Curve,
    revision: object = 0,
    marker_epoch: int | None = None,
    kept: list | None = None,
    height: int = 380,
    outputs: tuple[np.ndarray | Curve, tuple[str, ...]] | None = None,
    log_x: bool = False,
    font_size: int = FONT_SIZE,
    test_cost: np.ndarray | Curve | None = None,
    accuracy: tuple[np.ndarray | Curve, np.ndarray | Curve] | None = None,
) -> go.Figure:
    """The cost per epoch on a log axis (see ``envelope`` for the thinning), with the test
    set's cost when there is one, kept runs and, for several outputs, each output's share
    (for the half adder: sum, XOR, against carry, AND). ``accuracy`` (training, test) adds
    both accuracies on a 0–100 % axis at the right. Every record is an array or a ``Curve``."""
    values, step, epochs = curve(cost)
    lines = [series(values, step, "this run" if test_cost is None else "training", _colour(0))]
    if test_cost is not None and epochs:
        lines.append(series(curve(test_cost).values, step, "test", _colour(1), 3, "dash"))
    if outputs is not None:
        per_output, names = outputs
        shares = curve(per_output).values
        lines += [
            series(shares[:, j], step, f"output {plotly_text(name)}", _colour(j + 2), 2, "dot")
            for j, name in enumerate(names)
        ]
    kept_lines = _kept_lines(kept or [])
    axes = _log_axes("C", log_x, lines + kept_lines, epochs)
    if accuracy is not None and epochs:
        for values, name, colour in zip(
            accuracy, ("accuracy", "test accuracy"), (LAYER_COLOURS[2], LAYER_COLOURS[4])
        ):
            shares = curve(values).values
            lines.append(series(shares, step, name, colour, 2, "dashdot", yaxis="y2"))
        axes["yaxis2"] = ACCURACY_AXIS
        axes["margin"] = dict(LIVE_MARGIN, r=70)  # room for the percentages at the right
    layout = base_layout("Cost C per epoch", revision, height, epochs, font_size, **axes)
    if marker_epoch is not None:
        layout["shapes"] = [vertical_line(marker_epoch)]
    return figure([*lines, *kept_lines], layout)


def delta_figure(
    delta_magnitude: np.ndarray | Curve,
    revision: object = 0,
    kept: list | None = None,
    height: int = 380,
    log_x: bool = False,
    font_size: int = FONT_SIZE,
) -> go.Figure:
    """Mean |δ^l| per layer per epoch, log axis: vanishing gradients show as lines falling apart."""
    values, step, n_epochs = curve(delta_magnitude)
    n_layers = values.shape[1]
    lines, kept_lines = [], []
    for l in range(n_layers):
        label = f"δ<sup>{l + 1}</sup>" + (" (output)" if l == n_layers - 1 else "")
        lines.append(series(values[:, l], step, label, _colour(l)))
        kept_lines += [dict(line, opacity=0.6) for line in _kept_lines(kept or [], l)]
    lines += kept_lines  # after the layers, so the legend lists δ¹, δ², … first
    title = "Mean |δ<sup>l</sup>| per epoch, by layer"
    axes = _log_axes("mean |δ|", log_x, lines, n_epochs)
    return figure(lines, base_layout(title, revision, height, n_epochs, font_size, **axes))


def weight_figure(
    W: np.ndarray,
    b: np.ndarray,
    layer: int,
    scale: float,
    revision: object = 0,
    colour_bar: bool = True,
    cell_text: bool = True,
) -> go.Figure:
    """W^l as a heatmap (row i = from neuron i, column j = to neuron j) with b^l below it."""
    n_in, n_out = W.shape
    common = dict(
        type="heatmap",
        colorscale=DIVERGING,
        zmid=0,
        zmin=-scale,
        zmax=scale,
        x=[f"to {j + 1}" for j in range(n_out)],
        texttemplate="%{z:.2f}"
        if cell_text and W.size <= MAX_CELL_TEXT and n_out <= MAX_TEXT_COLUMNS
        else None,
        textfont=dict(size=FONT_SIZE),
    )
    weights = dict(
        z=compact(W),
        y=[f"from {i + 1}" for i in range(n_in)],
        name=f"W{layer}",
        hovertemplate=f"W{sup(layer)}, %{{y}} %{{x}}<br>w = %{{z:.4f}}<extra></extra>",
        showscale=colour_bar,
        colorbar=dict(title=dict(text="value")),
        **common,
    )
    biases = dict(
        z=compact(b[None, :]),
        y=["bias"],
        name=f"b{layer}",
        yaxis="y2",
        showscale=False,
        hovertemplate=f"b{sup(layer)}, the bias %{{x}}<br>b = %{{z:.4f}}<extra></extra>",
        **common,
    )
    split = 1 / (n_in + 1)  # the bias row gets the height of one weight row
    axes = dict(
        xaxis=dict(title=dict(text="to neuron j"), anchor="y2", **FIXED_AXIS),
        yaxis=dict(
            title=dict(text="from neuron i"),
            domain=[split + 0.08, 1],
            autorange="reversed",
            **FIXED_AXIS,
        ),
        yaxis2=dict(domain=[0, split], anchor="x", **FIXED_AXIS),
        margin=dict(LIVE_MARGIN, l=100, r=80 if colour_bar else 15),  # row labels, colour bar
    )
    title = f"W<sup>{layer}</sup> and b<sup>{layer}</sup>"
    height = 160 + 45 * (n_in + 1)
    return figure([weights, biases], base_layout(title, revision, height, **axes))


def weight_figures(network: Network, scale: float, revision: object = 0) -> list[go.Figure]:
    """One heatmap figure per layer, all on the same symmetric colour range ±scale, so one
    colour bar (on the last layer) serves them all. Deep networks' heatmaps are narrow: their
    cells show no numbers (hover shows them)."""
    last = len(network.weights) - 1
    cell_text = len(network.weights) <= MAX_LAYERS_WITH_TEXT
    return [
        weight_figure(W, b, l + 1, scale, revision, colour_bar=l == last, cell_text=cell_text)
        for l, (W, b) in enumerate(zip(network.weights, network.biases))
    ]

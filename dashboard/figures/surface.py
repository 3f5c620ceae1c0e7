"""The output of a network over a square of its 2-D inputs, with the data points on top: the
playground's decision surface, and a truth table's four corners."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from backprop_core.thinning import compact
from dashboard.figures.live import FIXED_AXIS, FONT_SIZE, SURFACE_COLOURS, base_layout, figure

SURFACE_RESOLUTION = 50
TABLE_RESOLUTION = 25  # a truth table's smooth surface, drawn interpolated: a quarter the bytes
POINT_COLOURS = [[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#e08214"]]  # the surface's, deeper


def square_grid(low: float, high: float, resolution: int) -> tuple[np.ndarray, np.ndarray]:
    """[low, high]² as a (resolution², 2) batch of points (x1, x2), x1 varying fastest, so
    that a column of values reshapes to a heatmap's rows; and the axis values."""
    axis = np.linspace(low, high, resolution)
    return np.column_stack([np.tile(axis, resolution), np.repeat(axis, resolution)]), axis


def surface_limit(points: np.ndarray) -> float:
    """Half the side of the square drawn: the data's largest |coordinate|, rounded up."""
    return float(np.ceil(np.abs(points).max())) if len(points) else 1.0


def table_square(X: np.ndarray) -> tuple[float, float]:
    """A square round a truth table's inputs with a quarter of their span to spare: the half
    adder's corners get [−0.25, 1.25]."""
    low, high = float(X.min()), float(X.max())
    margin = 0.25 * ((high - low) or 1.0)
    return low - margin, high + margin


def decision_surface_figure(
    network,
    train,
    test=None,
    discretize: bool = False,
    revision: object = 0,
    height: int = 400,
    font_size: int = FONT_SIZE,
    output: int = 0,
    square: tuple[float, float] | None = None,
    title: str = "Output over the input square",
    resolution: int = SURFACE_RESOLUTION,
) -> go.Figure:
    """The network's output a^L_j (j = ``output``) over a square of the 2-D inputs, from
    ``predict`` (which applies the input features) on a ``resolution``² grid, with the
    training points on top, coloured by label, and the test points (when given) ringed in
    black. The square is ``square`` (low, high), or one that holds every point.
    ``discretize`` colours by the rounded output: 0 or 1 for classification, the sign for
    regression. A grid coarser than ``SURFACE_RESOLUTION`` is drawn interpolated."""
    if square is None:
        limit = surface_limit(np.vstack([train.X] + ([] if test is None else [test.X])))
        square = (-limit, limit)
    low_x, high_x = square
    grid, axis = square_grid(low_x, high_x, resolution)
    out = network.predict(grid)[:, output].reshape(len(axis), len(axis))
    classify = train.is_classification
    middle, low, high = (0.5, 0.0, 1.0) if classify else (0.0, -1.0, 1.0)
    if discretize:
        out = np.where(out >= middle, high, low)
    step = float(axis[1] - axis[0])
    traces = [
        dict(
            type="heatmap",
            z=compact(out),
            x0=low_x,
            dx=step,
            y0=low_x,
            dy=step,
            zmin=low,
            zmax=high,
            colorscale=SURFACE_COLOURS,
            colorbar=dict(thickness=12, len=0.8),
            zsmooth="best" if resolution < SURFACE_RESOLUTION and not discretize else False,
            hovertemplate="x1=%{x:.2f}, x2=%{y:.2f}<br>output %{z:.3f}<extra></extra>",
        )
    ]
    # A dark edge on every point: a regression target near 0 is white, like the surface there.
    for name, data, ring in (("training", train, "#3d4150"), ("test", test, "#000000")):
        if data is None:
            continue
        label = data.T[:, output]
        marker = dict(
            size=7 if len(label) > 16 else 14,  # a truth table's few corners drawn larger
            line=dict(width=2 if ring == "#000000" else 0.75, color=ring),
            color=compact(label),  # numbers and a colour scale: fewer bytes than colour names
            colorscale=POINT_COLOURS,
            cmin=low,
            cmax=high,
        )
        traces.append(
            dict(
                type="scattergl" if len(label) > 1000 else "scatter",
                x=compact(data.X[:, 0]),
                y=compact(data.X[:, 1]),
                mode="markers",
                name=f"{name} points",
                marker=marker,
                hovertemplate=f"{name}: (%{{x:.2f}}, %{{y:.2f}})<extra></extra>",
            )
        )
    axis_look = dict(range=[low_x, high_x], constrain="domain", **FIXED_AXIS)
    layout = base_layout(
        title + (", rounded" if discretize else ""),
        revision,
        height,
        None,
        font_size,
        xaxis=dict(title=dict(text="x1"), **axis_look),
        yaxis=dict(title=dict(text="x2"), scaleanchor="x", **axis_look),
        margin=dict(l=60, r=20, t=50, b=60),
        showlegend=False,  # the caption beside the chart says what the points are
    )
    return figure(traces, layout)

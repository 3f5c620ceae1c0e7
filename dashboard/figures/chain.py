"""Figures for The chain rule page: one weight's strongest paths on the network, and what
each way of differentiating costs as the network deepens."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from backprop_core import Network
from backprop_core.diagnostics import PathTerms
from dashboard.figures.live import LAYER_COLOURS, MARK_COLOUR, base_layout, figure
from dashboard.figures.teaching import graph_axes, graph_positions, signed_line
from dashboard.figures.ticks import log_axis
from dashboard.text import count, layer_name, short

MAX_FAINT_EDGES = 4096  # the network's other edges, drawn faint, up to this many


def paths_figure(
    network: Network, terms: PathTerms, shown: np.ndarray, l: int, i: int | None
) -> go.Figure:
    """The network with the paths ``shown`` (indices into ``terms``) of the weight into
    ``terms.paths[:, 0]`` from neuron ``i`` of layer ``l`` (None: the bias): width by |product|,
    blue solid for positive, orange dotted for negative."""
    sizes = network.sizes
    pos = graph_positions(sizes)
    traces = []
    edges = sum(m * n for m, n in zip(sizes, sizes[1:]))
    if edges <= MAX_FAINT_EDGES:
        xs, ys = [], []
        for left, right in zip(pos, pos[1:]):
            for x0, y0 in left:
                for x1, y1 in right:
                    xs += [x0, x1, None]
                    ys += [y0, y1, None]
        traces.append(
            dict(
                type="scatter",
                x=xs,
                y=ys,
                mode="lines",
                hoverinfo="skip",
                showlegend=False,
                line=dict(width=1, color="#d0d0d0"),
            )
        )
    top = float(np.abs(terms.products[shown]).max()) if len(shown) else 1.0
    start = [] if i is None else [pos[l][i]]
    for rank, k in enumerate(shown):
        product = float(terms.products[k])
        points = start + [pos[l + 1 + m][n] for m, n in enumerate(terms.paths[k].tolist())]
        positive = product >= 0
        traces.append(
            dict(
                type="scatter",
                x=[p[0] for p in points],
                y=[p[1] for p in points],
                mode="lines",
                line=signed_line(positive, 1.5 + 6 * abs(product) / (top or 1.0)),
                name=f"path {rank + 1}",
                hovertemplate=f"path {rank + 1}: product {short(product, 4)}<extra></extra>",
                showlegend=False,
            )
        )
    names = [layer_name(m, len(sizes)) for m in range(len(sizes))]
    traces.append(
        dict(
            type="scatter",
            x=[p[0] for layer in pos for p in layer],
            y=[p[1] for layer in pos for p in layer],
            mode="markers",
            marker=dict(size=18, color="white", line=dict(width=2, color="#333")),
            text=[
                f"{names[m]}, neuron {k + 1}"
                for m, layer in enumerate(pos)
                for k in range(len(layer))
            ],
            hovertemplate="%{text}<extra></extra>",
            showlegend=False,
        )
    )
    axes = graph_axes(sizes)
    title = "The strongest paths: width = |product|, blue solid +, orange dotted −"
    return figure(traces, base_layout(title, "paths", 160 + 40 * min(max(sizes), 16), **axes))


def costs_figure(depths: list[int], counts: dict[str, list[int]], width: int) -> go.Figure:
    """Multiplications for every weight's gradient on one row, against the number of hidden
    layers of ``width``: path sums grow exponentially, backprop linearly (log scale)."""
    styles = {
        "path sums": ("solid", MARK_COLOUR),
        "backprop": ("solid", LAYER_COLOURS[0]),
        "forward mode": ("dash", LAYER_COLOURS[2]),
    }
    traces = [
        dict(
            type="scatter",
            x=depths,
            y=values,
            mode="lines+markers",
            name=name,
            line=dict(width=3, dash=styles[name][0], color=styles[name][1]),
            hovertemplate=name + ": %{y:,} multiplications at %{x} hidden layers<extra></extra>",
        )
        for name, values in counts.items()
    ]
    axes = dict(
        xaxis=dict(title=dict(text=f"hidden layers of {count(width, 'neuron')}"), dtick=1),
        yaxis=log_axis(counts.values(), title=dict(text="multiplications")),
    )
    title = "Multiplications for every weight's ∂Cₓ/∂w"
    return figure(traces, base_layout(title, "costs", 360, **axes))

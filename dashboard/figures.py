"""Plain functions that turn training state into plotly figures (no Streamlit here)."""

from __future__ import annotations

import math

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from backprop_core import Network

MAX_POINTS = 2000
MAX_CELL_TEXT = 64  # print values in heatmap cells up to this many cells
LAYER_COLOURS = [
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
]
FONT_SIZE = 16


def thin(y: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Indices of at most ~max_points samples of y: each bucket's min and max, so spikes survive."""
    n = len(y)
    if n <= max_points:
        return np.arange(n)
    buckets = max_points // 2
    edges = np.linspace(0, n, buckets + 1).astype(int)
    keep = [0, n - 1]
    for start, stop in zip(edges[:-1], edges[1:]):
        chunk = y[start:stop]
        keep += [start + int(np.nanargmin(chunk)), start + int(np.nanargmax(chunk))]
    return np.unique(keep)


def nice_limit(value: float) -> float:
    """The smallest 1, 2 or 5 × 10^k ≥ value (and ≥ 1): a colour range that rarely moves."""
    if not math.isfinite(value) or value <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= value)


def _note_if_empty(fig: go.Figure, epochs: int) -> None:
    if epochs == 0:
        fig.add_annotation(
            text="No epochs yet: press Train or Step",
            showarrow=False,
            xref="paper",
            yref="paper",
            x=0.5,
            y=0.5,
            font=dict(size=FONT_SIZE),
        )


def _base_layout(fig: go.Figure, title: str, revision: object, height: int) -> go.Figure:
    fig.update_layout(
        title=dict(text=title, font=dict(size=FONT_SIZE + 4)),
        font=dict(size=FONT_SIZE),
        uirevision=str(revision),
        height=height,
        margin=dict(l=60, r=20, t=60, b=50),
        legend=dict(orientation="h", yanchor="bottom", y=1.0, xanchor="right", x=1),
    )
    return fig


def cost_figure(
    cost: np.ndarray, revision: object = 0, marker_epoch: int | None = None, height: int = 380
) -> go.Figure:
    """The cost per epoch on a log axis, thinned to at most ~2000 points."""
    idx = thin(cost)
    fig = go.Figure(
        go.Scatter(
            x=idx,
            y=cost[idx],
            mode="lines",
            name="cost C",
            line=dict(width=3, color=LAYER_COLOURS[0]),
        )
    )
    if marker_epoch is not None and 0 <= marker_epoch < len(cost):
        fig.add_vline(x=marker_epoch, line=dict(color="#d62728", dash="dash"))
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="cost C", type="log", exponentformat="power")
    _note_if_empty(fig, len(cost))
    return _base_layout(fig, "Cost per epoch (log scale)", revision, height)


def delta_figure(delta_magnitude: np.ndarray, revision: object = 0, height: int = 380) -> go.Figure:
    """Mean |δ^l| per layer per epoch, log axis: vanishing gradients show as lines falling apart."""
    fig = go.Figure()
    n_layers = delta_magnitude.shape[1] if delta_magnitude.ndim == 2 else 0
    for l in range(n_layers):
        column = delta_magnitude[:, l]
        idx = thin(column)
        label = f"δ<sup>{l + 1}</sup>" + (" (output)" if l == n_layers - 1 else "")
        fig.add_trace(
            go.Scatter(
                x=idx,
                y=column[idx],
                mode="lines",
                name=label,
                line=dict(width=3, color=LAYER_COLOURS[l % len(LAYER_COLOURS)]),
            )
        )
    fig.update_xaxes(title_text="epoch")
    fig.update_yaxes(title_text="mean |δ|", type="log", exponentformat="power")
    _note_if_empty(fig, len(delta_magnitude))
    return _base_layout(
        fig, "Delta magnitude per layer, mean |δ<sup>l</sup>| (log scale)", revision, height
    )


def weight_figure(
    W: np.ndarray, b: np.ndarray, layer: int, scale: float, revision: object = 0
) -> go.Figure:
    """W^l as a heatmap (row i = from neuron i, column j = to neuron j) with b^l below it."""
    n_in, n_out = W.shape
    fig = make_subplots(
        rows=2,
        cols=1,
        row_heights=[n_in / (n_in + 1), 1 / (n_in + 1)],
        vertical_spacing=0.12,
        shared_xaxes=True,
    )
    show_text = W.size <= MAX_CELL_TEXT
    common = dict(
        colorscale="RdBu",
        zmid=0,
        zmin=-scale,
        zmax=scale,
        texttemplate="%{z:.2f}" if show_text else None,
        textfont=dict(size=FONT_SIZE),
    )
    to_labels = [f"to {j + 1}" for j in range(n_out)]
    fig.add_trace(
        go.Heatmap(
            z=W,
            x=to_labels,
            y=[f"from {i + 1}" for i in range(n_in)],
            name=f"W{layer}",
            hovertemplate="from neuron %{y}<br>to neuron %{x}<br>w = %{z:.4f}<extra></extra>",
            colorbar=dict(title="value"),
            **common,
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Heatmap(
            z=b[None, :],
            x=to_labels,
            y=["bias"],
            name=f"b{layer}",
            showscale=False,
            hovertemplate="bias of neuron %{x}<br>b = %{z:.4f}<extra></extra>",
            **common,
        ),
        row=2,
        col=1,
    )
    fig.update_yaxes(autorange="reversed", row=1, col=1)
    fig.update_xaxes(title_text="to neuron j (next layer)", row=2, col=1)
    fig.update_yaxes(title_text="from neuron i", row=1, col=1)
    height = 160 + 45 * (n_in + 1)
    return _base_layout(
        fig, f"Layer {layer}: W<sup>{layer}</sup> and b<sup>{layer}</sup>", revision, height
    )


def weight_figures(network: Network, scale: float, revision: object = 0) -> list[go.Figure]:
    """One heatmap figure per layer, all on the same symmetric colour range ±scale."""
    return [
        weight_figure(W, b, l + 1, scale, revision)
        for l, (W, b) in enumerate(zip(network.weights, network.biases))
    ]

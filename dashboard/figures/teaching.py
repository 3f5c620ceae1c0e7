"""Figures for the teaching pages: gradient check, network graph, surfaces, saturation, lottery."""

from __future__ import annotations

import base64
import io

import numpy as np
import plotly.graph_objects as go
from PIL import Image

from backprop_core import GradientCheck, Gradients, Network
from backprop_core.features import transform
from dashboard.figures.live import (
    DIVERGING,
    LAYER_COLOURS,
    MARK_COLOUR,
    MAX_CELL_TEXT,
    SURFACE_COLOURS,
    base_layout,
    compact,
    figure,
)
from dashboard.figures.surface import square_grid
from dashboard.figures.ticks import power_text, power_ticks
from dashboard.text import layer_name, plotly_text, scientific, short

MAX_SURFACE_NEURONS = 8
SATURATED = 0.01  # σ'(z) below this counts as saturated


def _with_bias_row(W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.vstack([W, b[None, :]])


def gradient_check_figure(check: GradientCheck, layer: int) -> go.Figure:
    """Backprop, central differences and their difference for W^l with b^l as the last row."""
    l = layer - 1
    panels = [
        ("backprop", _with_bias_row(check.backprop_weights[l], check.backprop_biases[l])),
        ("central difference", _with_bias_row(check.numeric_weights[l], check.numeric_biases[l])),
        ("difference", _with_bias_row(check.weight_differences[l], check.bias_differences[l])),
    ]
    n_in, n_out = panels[0][1].shape
    rows = [f"from {i + 1}" for i in range(n_in - 1)] + ["bias"]
    cols = [f"to {j + 1}" for j in range(n_out)]
    scale = max(float(np.abs(panels[0][1]).max()), 1e-12)
    checked = np.abs(panels[2][1])[np.isfinite(panels[2][1])]  # a sampled check leaves gaps
    diff_scale = max(float(checked.max()) if checked.size else 0.0, 1e-16)
    traces, axes = [], {}
    for i, (title, z) in enumerate(panels):
        axis = "" if i == 0 else str(i + 1)
        is_diff = title == "difference"
        traces.append(
            dict(
                type="heatmap",
                z=compact(z),
                x=cols,
                y=rows,
                xaxis=f"x{axis}",
                yaxis=f"y{axis}",
                colorscale=DIVERGING,
                zmid=0,
                zmin=-(diff_scale if is_diff else scale),
                zmax=diff_scale if is_diff else scale,
                showscale=i != 1,
                colorbar=dict(
                    x=0.92 if is_diff else 0.5,
                    len=0.8,
                    **power_ticks(diff_scale if is_diff else scale),
                ),
                text=[[power_text(v, 2 if is_diff else 3) for v in row] for row in z]
                if z.size <= MAX_CELL_TEXT
                else None,
                texttemplate="%{text}" if z.size <= MAX_CELL_TEXT else None,
                # plotly shrinks cell text to its longest cell's fit; up to 3 columns, 11 px fits
                textfont=dict(size=11) if n_out <= 3 else None,
                hovertemplate=f"{title}<br>%{{y}} %{{x}}<br>"
                + ("%{text}" if z.size <= MAX_CELL_TEXT else "%{z:.3e}")
                + "<extra></extra>",
            )
        )
        left = (0.0, 0.26, 0.68)[i]  # room for the first colour bar's labels before the third
        axes[f"xaxis{axis}"] = dict(domain=[left, left + 0.22], title=dict(text=title))
        axes[f"yaxis{axis}"] = dict(autorange="reversed", anchor=f"x{axis}", showticklabels=i == 0)
    title = f"Layer {layer}: ∂C/∂W<sup>{layer}</sup> and ∂C/∂b<sup>{layer}</sup>"
    return figure(traces, base_layout(title, layer, 180 + 40 * n_in, **axes))


WIDTH_BINS = 6  # edges are drawn in one trace per (sign, width bin): fast at 64×64
EDGE_HANDLE = 0.35  # where on its edge a weight's hover and click point sits: crossing edges
# meet at their midpoints, so points there would be ambiguous


def graph_positions(sizes: list[int]) -> list[list[tuple[float, float]]]:
    """Each neuron's (x, y) in a drawing of the network: layer l at x = l, centred on y = 0."""
    return [[(x, (n - 1) / 2 - k) for k in range(n)] for x, n in enumerate(sizes)]


def signed_line(positive: bool, width: float) -> dict:
    """An edge's line by its sign: blue solid +, orange dotted − (not the colour alone)."""
    return dict(
        width=width,
        color=LAYER_COLOURS[0] if positive else MARK_COLOUR,
        dash="solid" if positive else "dot",
    )


def graph_axes(sizes: list[int]) -> dict:
    """A network drawing's layout: no axes, each layer named under its column."""
    return dict(
        xaxis=dict(visible=False),
        yaxis=dict(visible=False),
        annotations=[
            dict(
                x=x, y=-(max(sizes) - 1) / 2 - 0.6, text=layer_name(x, len(sizes)), showarrow=False
            )
            for x in range(len(sizes))
        ],
    )


def network_graph_figure(
    network: Network,
    gradients: Gradients,
    colour_by_gradient: bool = False,
    pictures: list[list[str]] | None = None,
) -> go.Figure:
    """Neurons as dots, weights as edges: colour by sign, width by size; hover shows w and ∂C/∂w,
    and a click's customdata is a neuron's [layer, j] or an edge's [l, i, j].
    With ``pictures`` (from ``neuron_pictures``), each neuron is drawn as its picture."""
    sizes = network.sizes
    pos = graph_positions(sizes)
    values = gradients.weights if colour_by_gradient else network.weights
    top = max(float(np.abs(v).max()) for v in values) or 1.0
    edges: dict[tuple[bool, int], tuple[list, list]] = {}
    hover_x, hover_y, hover_text, hover_data = [], [], [], []
    for l, (W, G, V) in enumerate(zip(network.weights, gradients.weights, values)):
        for i, j in np.ndindex(W.shape):
            (x0, y0), (x1, y1) = pos[l][i], pos[l + 1][j]
            key = (bool(V[i, j] > 0), min(int(abs(V[i, j]) / top * WIDTH_BINS), WIDTH_BINS - 1))
            xs, ys = edges.setdefault(key, ([], []))
            xs += [x0, x1, None]
            ys += [y0, y1, None]
            hover_x.append(x0 + EDGE_HANDLE * (x1 - x0))
            hover_y.append(y0 + EDGE_HANDLE * (y1 - y0))
            hover_data.append([l, i, j])
            hover_text.append(
                f"W<sup>{l + 1}</sup>[{i + 1}, {j + 1}] = {short(W[i, j], 4)}"
                f"<br>∂C/∂w = {scientific(G[i, j])}"
            )
    traces = [
        dict(
            type="scatter",
            x=xs,
            y=ys,
            mode="lines",
            hoverinfo="skip",
            showlegend=False,
            line=signed_line(positive, 1 + 1.5 * width),
        )
        for (positive, width), (xs, ys) in sorted(edges.items())
    ]
    traces.append(
        dict(
            type="scatter",
            x=hover_x,
            y=hover_y,
            mode="markers",
            text=hover_text,
            customdata=hover_data,  # a click picks weights[l][i, j]
            hoverinfo="text",
            marker=dict(size=12, opacity=0),
            showlegend=False,
        )
    )
    names = [layer_name(l, len(sizes)) for l in range(len(sizes))]
    for l, layer in enumerate(pos):
        traces.append(
            dict(
                type="scatter",
                x=[p[0] for p in layer],
                y=[p[1] for p in layer],
                mode="markers",
                text=[f"{names[l]}, neuron {j + 1}" for j in range(len(layer))],
                customdata=[[l, j] for j in range(len(layer))],  # a click picks (layer, neuron)
                hovertemplate="%{text}<extra></extra>",
                name=names[l],
                marker=dict(size=26, color="white", line=dict(width=3, color="#333")),
                showlegend=False,
            )
        )
    what = "∂C/∂w" if colour_by_gradient else "weight"
    axes = graph_axes(sizes)
    if pictures is not None:
        # Each neuron drawn as its own output over the input square, as in the playground.
        axes["images"] = [
            dict(
                source=picture,
                xref="x",
                yref="y",
                x=x,
                y=y,
                sizex=0.5,
                sizey=0.5,
                xanchor="center",
                yanchor="middle",
                layer="above",
            )
            for layer, layer_pictures in zip(pos, pictures)
            for (x, y), picture in zip(layer, layer_pictures)
        ]
    title = (
        f"The network: edge colour = sign of the {what} (blue solid +, orange dotted −), "
        "width = size"
    )
    height = 160 + (70 if pictures is not None else 40) * max(sizes)
    return figure(traces, base_layout(title, "graph", height, **axes))


MAX_PICTURES = 60  # neurons in all; beyond that the pictures are too small to read


def neuron_figure(
    network: Network, limit: float, layer: int, j: int, resolution: int = 50
) -> go.Figure:
    """One neuron's value over the square [−limit, limit]², large: layer 0 is the inputs (the
    features of the raw points)."""
    layers, axis = square_layers(network, resolution, -limit, limit)
    values = layers[layer][:, j]
    trace = dict(
        type="heatmap",
        z=compact(values.reshape(resolution, resolution)),
        x0=-limit,
        dx=float(axis[1] - axis[0]),
        y0=-limit,
        dy=float(axis[1] - axis[0]),
        colorscale=[[0.0, "#2166ac"], [0.5, "#f7f7f7"], [1.0, "#e08214"]],
        hovertemplate="x1=%{x:.2f}, x2=%{y:.2f}<br>value %{z:.3f}<extra></extra>",
    )
    square = dict(range=[-limit, limit], constrain="domain")
    name = layer_name(layer, len(network.sizes))
    layout = base_layout(
        f"{name.capitalize()}, neuron {j + 1}, over the input square",
        "neuron",
        420,
        xaxis=dict(title=dict(text="x1"), **square),
        yaxis=dict(title=dict(text="x2"), scaleanchor="x", **square),
    )
    return figure([trace], layout)


PICTURE_COLOURS = np.array([[33, 102, 172], [247, 247, 247], [224, 130, 20]])  # low, mid, high


def neuron_pictures(network: Network, limit: float, resolution: int = 24) -> list[list[str]]:
    """Each neuron's value over the square [−limit, limit]² of the raw points (inputs: the
    features themselves), as a small PNG data URI per neuron, layer by layer: blue for its
    lowest value on the square, orange for its highest."""
    layers, _ = square_layers(network, resolution, -limit, limit)
    return [
        [_png(a[:, j].reshape(resolution, resolution)) for j in range(a.shape[1])] for a in layers
    ]


def _png(values: np.ndarray) -> str:
    """A small picture of ``values`` (row 0 at the bottom) as a PNG data URI."""
    lo, hi = float(values.min()), float(values.max())
    t = (values - lo) / (hi - lo) if hi > lo else np.full(values.shape, 0.5)
    # blue → white → orange, by halves
    below = t < 0.5
    u = np.where(below, t * 2, t * 2 - 1)[..., None]
    rgb = np.where(
        below[..., None],
        PICTURE_COLOURS[0] + u * (PICTURE_COLOURS[1] - PICTURE_COLOURS[0]),
        PICTURE_COLOURS[1] + u * (PICTURE_COLOURS[2] - PICTURE_COLOURS[1]),
    )
    buffer = io.BytesIO()
    Image.fromarray(rgb[::-1].astype(np.uint8)).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def square_layers(
    network: Network, resolution: int, low: float = 0.0, high: float = 1.0
) -> tuple[list[np.ndarray], np.ndarray]:
    """Every layer's values over the square [low, high]² of raw points (x1, x2): a^0 (the
    input features, for a network that has them), then a^1 … a^L; and the axis values."""
    grid, axis = square_grid(low, high, resolution)
    inputs = grid if network.features is None else transform(grid, network.features)
    return network.forward(inputs).a, axis


def surfaces_figure(
    network: Network,
    resolution: int = 41,
    outputs_only: bool = False,
    names: tuple = (),
    limit: float | None = None,
) -> go.Figure:
    """Each neuron's activation over the input square: one small heatmap per neuron. The
    square is [0, 1]², or [−limit, limit]² for the 2-D point sets, whose points go through
    the network's input features first."""
    low, high = (0.0, 1.0) if limit is None else (-limit, limit)
    layers, axis = square_layers(network, resolution, low, high)
    activations = layers[1:]
    if outputs_only:
        activations = activations[-1:]
    shown = [min(a.shape[1], MAX_SURFACE_NEURONS) for a in activations]
    rows, cols = len(activations), max(shown)
    traces, axes, labels = [], {}, []
    for r, a in enumerate(activations):
        for c in range(shown[r]):
            k = r * cols + c + 1
            suffix = "" if k == 1 else str(k)
            row = "output" if r == rows - 1 else f"hidden layer {r + 1}"
            named = r == rows - 1 and c < len(names)
            label = f"output {plotly_text(names[c])}" if named else row
            traces.append(
                dict(
                    type="heatmap",
                    z=compact(a[:, c].reshape(resolution, resolution)),
                    x0=axis[0],
                    dx=axis[1] - axis[0],
                    y0=axis[0],
                    dy=axis[1] - axis[0],
                    xaxis=f"x{suffix}",
                    yaxis=f"y{suffix}",
                    coloraxis="coloraxis",
                    hovertemplate=f"{label}, neuron {c + 1}<br>x1=%{{x:.2f}}, x2=%{{y:.2f}}"
                    "<br>a=%{z:.3f}<extra></extra>",
                )
            )
            gap = 0.04
            left, right = c / cols + gap / 2, (c + 1) / cols - gap / 2
            axes[f"xaxis{suffix}"] = dict(
                domain=[left, right],
                showticklabels=r == rows - 1,
                anchor=f"y{suffix}",
                title=dict(text="x1" if r == rows - 1 else ""),
            )
            top = 1 - r / rows
            axes[f"yaxis{suffix}"] = dict(
                domain=[top - 1 / rows + gap, top - gap / 2],
                showticklabels=c == 0,
                anchor=f"x{suffix}",
                title=dict(text=f"{row}<br>x2" if c == 0 else ""),
            )
            # Short panel labels: the row's layer is on its first y axis.
            panel = plotly_text(names[c]) if named else f"neuron {c + 1}"
            labels.append(
                dict(
                    text=panel,
                    xref="paper",
                    yref="paper",
                    x=(left + right) / 2,
                    y=top - gap / 2,
                    yanchor="bottom",
                    showarrow=False,
                )
            )
    if {network.activation.name, network.output_activation.name} == {"sigmoid"}:
        lo, hi = 0.0, 1.0  # σ's whole range, so shapes compare across neurons and epochs
    else:
        values = np.concatenate([a.ravel() for a in activations])
        lo, hi = float(values.min()), float(values.max())
    axes["coloraxis"] = dict(colorscale=SURFACE_COLOURS, cmin=lo, cmax=hi if hi > lo else lo + 1)
    title = (
        "Outputs over the input square"
        if outputs_only
        else ("Each neuron's activation over the input square (x1 across, x2 up)")
    )
    layout = base_layout(title, "surfaces", 160 + 190 * rows, **axes)
    layout["annotations"] = labels  # each panel's neuron, above it
    return figure(traces, layout)


def saturation(network: Network, X: np.ndarray) -> np.ndarray:
    """Per layer, the share of (sample, unit) pairs with σ'(z) < 0.01 on the inputs X."""
    fwd = network.forward(X)
    acts = [network.activation] * (network.num_layers - 1) + [network.output_activation]
    return np.array(
        [
            float(np.mean(act.derivative(z, a) < SATURATED))
            for act, z, a in zip(acts, fwd.z, fwd.a[1:])
        ]
    )


def saturation_figure(shares: np.ndarray) -> go.Figure:
    """A bar per layer: the share of saturated units, which is why deltas vanish."""
    names = [f"layer {l + 1}" for l in range(len(shares))]
    bar = dict(
        type="bar",
        x=names,
        y=shares,
        text=[f"{s:.0%}" for s in shares],
        textposition="auto",
        marker=dict(color=LAYER_COLOURS[3]),
    )
    axes = dict(yaxis=dict(range=[0, 1], tickformat=".0%", title=dict(text="saturated")))
    title = "Saturated units per layer (σ′(z) < 0.01 on the training inputs)"
    return figure([bar], base_layout(title, "saturation", 320, **axes))

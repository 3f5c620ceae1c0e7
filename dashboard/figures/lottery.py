"""The initialisation lottery's figures: the K costs' quantiles, the shares solved and on the
plateau, and the final costs."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from backprop_core.thinning import envelope
from dashboard.figures.live import LAYER_COLOURS, base_layout, figure, series
from dashboard.figures.ticks import log_axis
from dashboard.text import short

LIGHT_BAND, DARK_BAND = "rgba(0,114,178,0.15)", "rgba(0,114,178,0.35)"  # the 10–90, 25–75 %


HEIGHT = 380
LECTURE_HEIGHT = 320  # both charts whole on a 1280×720 projector, below the fields


def lottery_cost_figure(
    quantiles: np.ndarray, plateau: tuple[float, float], height: int = HEIGHT
) -> go.Figure:
    """Median cost with 25–75 % and 10–90 % bands over the K networks, plateau shaded."""
    q, step = envelope(np.clip(quantiles, 1e-12, None))
    edge = dict(line=dict(width=0), showlegend=False, hoverinfo="skip")
    band = dict(line=dict(width=0), fill="tonexty")
    traces = [
        series(q[:, 0], step, "", "", **edge),
        series(q[:, 4], step, "10–90 %", "", **band, fillcolor=LIGHT_BAND),
        series(q[:, 1], step, "", "", **edge),
        series(q[:, 3], step, "25–75 %", "", **band, fillcolor=DARK_BAND),
        series(q[:, 2], step, "median", LAYER_COLOURS[0]),
    ]
    # No x-axis title: the titles say "per epoch", and the legend sits where it would be.
    layout = base_layout(
        "Cost of all K networks per epoch (log scale)",
        "lottery",
        height,
        yaxis=dict(title=dict(text="cost C"), **log_axis([q])),
    )
    layout["shapes"] = [
        dict(
            type="rect",
            xref="paper",
            x0=0,
            x1=1,
            y0=plateau[0],
            y1=plateau[1],
            fillcolor="rgba(214,39,40,0.15)",
            line=dict(width=0),
        )
    ]
    layout["annotations"] = [
        dict(
            text=f"plateau C ≈ {short((plateau[0] + plateau[1]) / 2)}",
            xref="paper",
            x=1,
            xanchor="right",
            y=np.log10(plateau[1]),
            yanchor="bottom",
            showarrow=False,
        )
    ]
    return figure(traces, layout)


def lottery_share_figure(
    solved: np.ndarray, on_plateau: np.ndarray, height: int = HEIGHT
) -> go.Figure:
    """The share of networks solved (all outputs rounded right) and on the plateau, per epoch."""
    shares, step = envelope(np.column_stack([solved, on_plateau]))
    traces = [
        series(shares[:, 0], step, "solved", LAYER_COLOURS[2]),
        series(shares[:, 1], step, "on the plateau", LAYER_COLOURS[3], dash="dash"),
    ]
    layout = base_layout(
        "Share of networks solved and on the plateau, per epoch",
        "lottery-share",
        height,
        yaxis=dict(range=[0, 1], tickformat=".0%"),
    )
    return figure(traces, layout)


def lottery_histogram_figure(final_cost: np.ndarray) -> go.Figure:
    """Histogram of the final costs on a log axis."""
    finite = final_cost[np.isfinite(final_cost)]
    logs = np.log10(np.clip(finite, 1e-12, None))
    bar = dict(
        type="histogram",
        x=logs,
        nbinsx=40,
        marker=dict(color=LAYER_COLOURS[0]),
        hovertemplate="log10 C ≈ %{x}<br>%{y} networks<extra></extra>",
    )
    title = f"Final cost of {len(final_cost)} networks ({len(final_cost) - len(finite)} diverged)"
    layout = base_layout(
        title,
        "lottery-hist",
        380,
        xaxis=dict(title=dict(text="log10 of the final cost")),
        yaxis=dict(title=dict(text="networks")),
    )
    return figure([bar], layout)

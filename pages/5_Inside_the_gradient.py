"""Inside the gradient: which rows hold the plateau, which fight over a weight, where a delta
shrinks, what the learning rate can bear, and what one nudged weight does to the cost."""

import streamlit as st

from backprop_core import diagnostics
from dashboard.components import chart
from dashboard.components.bootstrap import server_turn
from dashboard.components.chrome import teaching_page
from dashboard.components.controls import stability_of
from dashboard.components.keys import keys
from dashboard.components.nudge import nudge_panel
from dashboard.figures import gradient as figures
from dashboard.teaching import inside
from dashboard.text import plain, sub, sup

run = teaching_page("Inside the gradient", "Inside the gradient")
keys({})  # F and ?
snapshot = run.snapshot()
network, X, T = snapshot.network, snapshot.data.X, snapshot.data.T
curves = snapshot.curves
group_names = inside.row_labels(X, T, list(snapshot.row_names))  # the ribbon's bands
row_names = inside.row_labels(X, T, [f"row {x + 1}" for x in range(len(X))])  # one per row
epoch, rewound, eta = snapshot.epoch, snapshot.rewound_to, snapshot.settings.learning_rate
shown = [e for e in snapshot.snapshot_epochs if e <= epoch][-inside.SNAPSHOTS_SHOWN :]
snapshots = run.snapshot_params(shown)
L = network.num_layers

st.header("Which rows are learned first, and which hold the plateau")
if curves["row_cost"].epochs:
    binary = T.shape[1] == 1 and snapshot.data.is_classification
    classes = T[:, 0] if binary and len(group_names) == len(X) else None
    marker = epoch if rewound is None else rewound
    ribbon = curves["row_cost"]
    values, bands, classes = inside.bands(ribbon.values, group_names, classes)
    ribbon = ribbon._replace(values=values)
    chart(figures.row_cost_figure(ribbon, bands, marker, classes), key="ig_rows")
    st.caption(
        "Each band is one training row's share Cₓ / n of the cost (for large sets, a few "
        "neighbouring rows of one class, or a class); together they make the cost curve. A "
        "band that thins early is a row the network has learned; the bands that stay thick "
        "are what holds the cost up. The red line is the epoch shown (the rewound one, when "
        "rewinding on the Live page)."
    )
else:
    st.info("Train for a few epochs on the Live page: this chart follows the run.")

st.header("Tug-of-war for one weight")
cols = st.columns(3)
l = cols[0].selectbox("Layer", range(L), format_func=lambda k: f"W{sup(k + 1)}", key="ig_layer")
i = cols[1].selectbox(
    "From neuron", range(network.sizes[l]), format_func=lambda k: str(k + 1), key="ig_from"
)
j = cols[2].selectbox(
    "To neuron", range(network.sizes[l + 1]), format_func=lambda k: str(k + 1), key="ig_to"
)
shares = diagnostics.row_contributions(network, X, T, l, i, j)
bars, labels = inside.strongest(shares, row_names)
title = f"Each row's pull on ∂C/∂w for {inside.parameter_name(l, 'weight', i, j)}"
chart(figures.contributions_figure(bars, labels, title), key="ig_tug")
penalty = network.gradients(X, T).weights[l][i, j] - shares.sum()
st.caption(
    plain(
        "Each bar is one row's share aₓ δₓ / n of the gradient; the diamond is their sum, "
        "the batch gradient that the update follows. Bars on opposite sides of 0 are rows "
        "that want this weight to move in opposite directions: the update is what is left of "
        "their tug-of-war, and when they nearly cancel, the weight barely moves however wrong "
        "each row is." + (f" The penalty adds {penalty:.3g} on top." if network.regularized else "")
    )
)
if len(snapshots) > 1:
    with server_turn():
        history = inside.snapshot_contributions(network, X, T, snapshots, l, i, j)
    columns, column_names = inside.strongest_columns(history, shares, row_names)
    chart(
        figures.contributions_history_figure(shown, columns, column_names),
        key="ig_tug_history",
    )

st.header("How a delta is built, and where deltas shrink")
if L < 2:
    st.info("This network has no hidden layer: its only delta is the output's.")
else:
    cols = st.columns(3)
    hl = cols[0].selectbox(
        "Hidden layer", range(L - 1), format_func=lambda k: str(k + 1), key="ig_hidden"
    )
    hj = cols[1].selectbox(
        "Neuron", range(network.sizes[hl + 1]), format_func=lambda k: str(k + 1), key="ig_neuron"
    )
    row = cols[2].selectbox(
        "Training row", range(len(X)), format_func=lambda k: f"row {k + 1}", key="ig_row"
    )
    terms, sigma_prime = diagnostics.delta_terms(network, X, T, row, hl, hj)
    labels = [f"w{sub(k + 1)}·δ{sub(k + 1)}" for k in range(len(terms))]
    chart(figures.delta_waterfall_figure(terms, sigma_prime, labels), key="ig_waterfall")
    st.caption(
        plain(
            f"δ of neuron {hj + 1} in hidden layer {hl + 1}, for row {row + 1}: each term is a "
            f"weight out of the neuron times the delta it leads to in layer {hl + 2}; their "
            "sum is what comes back through the weights, and σ′(z) scales it. σ′ of a sigmoid "
            "is at most 0.25, and near 0 when the neuron saturates."
        )
    )
    weight_part, sigma_part = diagnostics.delta_ratios(network, X, T)
    chart(figures.delta_ratio_figure(weight_part, sigma_part), key="ig_ratios")
    st.caption(
        "For each step back, how much of the delta's size survives (the diamond, log scale) and "
        "its two factors: what the weights do and what σ′ does. Below the dotted line at 1 the "
        "delta shrinks. Try 6 sigmoid layers: the σ′ bars sit under 0.25 at every step."
    )

st.header("What the learning rate can bear")
stable = stability_of(snapshot, X, T)
with server_turn():
    costs = diagnostics.learning_rate_probe(network, X, T, inside.PROBE_ETAS)
chart(
    figures.probe_figure(inside.PROBE_ETAS, costs, network.cost(X, T), eta, stable.limit),
    key="ig_probe",
)
cols = st.columns(2)
cols[0].metric("λₘₐₓ (sharpness)", f"{stable.sharpness:.4g}")
cols[1].metric("2/λₘₐₓ", f"{stable.limit:.4g}")
st.caption(
    plain(
        f"The curve is the cost after one full-batch step of size η from here; the red line is "
        f"the learning rate {eta:g}. λₘₐₓ is the Hessian's largest eigenvalue, from "
        f"{stable.iterations} power iterations on Hessian-vector products. Along its direction "
        "a step larger than 2/λₘₐₓ overshoots by more than it gains, so plain gradient "
        "descent there is unstable: that is why a large η blows up while a smaller one "
        "does not."
    )
)

st.header("Nudge one weight and check the tangent")
cols = st.columns(4)
kind = cols[0].selectbox("Parameter", ["weight", "bias"], key="ig_kind")
nl = cols[1].selectbox("Layer ", range(L), format_func=lambda k: str(k + 1), key="ig_nudge_layer")
ni = 0
if kind == "weight":
    ni = cols[2].selectbox(
        "From", range(network.sizes[nl]), format_func=lambda k: str(k + 1), key="ig_nudge_from"
    )
nj = cols[3].selectbox(
    "To", range(network.sizes[nl + 1]), format_func=lambda k: str(k + 1), key="ig_nudge_to"
)
nudge_panel(run, snapshot, inside.parameter_index(network.sizes, nl, kind, ni, nj), "ig")

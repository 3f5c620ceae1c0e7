"""The chain rule for one weight, step by step: the nested sums, the trick that makes δ, the
paths the sum runs over, and why backprop is cheap."""

import numpy as np
import streamlit as st

from backprop_core import diagnostics
from dashboard.components import chart
from dashboard.components.bootstrap import server_turn
from dashboard.components.chrome import teaching_page
from dashboard.components.keys import keys
from dashboard.components.nudge import PICKED, picked_index
from dashboard.figures import chain as figures
from dashboard.figures.live import weight_figure
from dashboard.teaching import chain
from dashboard.teaching.inside import parameter_at, parameter_name
from dashboard.teaching.stepper import build_steps
from dashboard.text import count, layer_name, plain, scientific, short, sup

MAX_PATHS = 100_000  # enumerated; past this a uniform sample of as many
PATHS_SHOWN = 12
DEPTHS = list(range(1, 9))

run = teaching_page("Chain rule", "The chain rule, step by step")
keys({})  # F and ?
snapshot = run.snapshot()
network, data = snapshot.network, snapshot.data
sizes, L = network.sizes, network.num_layers

index = picked_index(sizes)  # a click on a heatmap cell here or on the Live page
if index is not None and st.session_state.get("_cr_picked") != st.session_state.get(PICKED):
    pl, pkind, pi, pj = parameter_at(sizes, index)
    st.session_state.update(cr_layer=pl, cr_kind=pkind, cr_to=pj, cr_from=pi)
    st.session_state["_cr_picked"] = st.session_state.get(PICKED)

cols = st.columns([1.2, 1, 1, 1, 1.6])
kind = cols[0].selectbox("Parameter", ["weight", "bias"], key="cr_kind")
l = cols[1].selectbox("Layer", range(L), format_func=lambda k: str(k + 1), key="cr_layer")
i = None
if kind == "weight":
    i = cols[2].selectbox("From", range(sizes[l]), format_func=lambda k: str(k + 1), key="cr_from")
j = cols[3].selectbox("To", range(sizes[l + 1]), format_func=lambda k: str(k + 1), key="cr_to")
row = cols[4].selectbox(
    "Training row",
    range(len(data.X)),
    index=len(data.X) - 1 if len(data.X) <= 8 else 0,
    key="cr_row",
    format_func=lambda r: f"row {r + 1}: ({', '.join(short(v) for v in data.X[r])})",
)
name = parameter_name(l, kind, 0 if i is None else i, j)
x, t = data.X[row], data.T[row]


def pick_cell(click: dict) -> None:
    """A click on W^l (trace 0) or b^l (trace 1) of the heatmap picks that parameter."""
    ci, cj = (int(v) for v in click["index"])
    st.session_state.update(cr_kind="weight" if click["trace"] == 0 else "bias", cr_to=cj)
    if click["trace"] == 0:
        st.session_state["cr_from"] = ci


scale = float(np.abs(network.weights[l]).max()) or 1.0
with st.expander(f"W{sup(l + 1)} and b{sup(l + 1)}: click a cell to pick it", expanded=False):
    chart(
        weight_figure(network.weights[l], network.biases[l], l + 1, scale),
        key="cr_weights",
        on_click=pick_cell,
    )

st.header(f"The chain rule for {name}")
st.caption(
    plain(
        f"{name} is the {'bias' if i is None else 'weight'} into neuron {j + 1} of "
        f"{layer_name(l + 1, L + 1)}"
        + ("" if i is None else f", from neuron {i + 1} of {layer_name(l, L + 1)}")
        + ". C is the cost of this one row; each fraction is a local derivative the forward "
        "pass already knows."
    )
)
stages = chain.derivation(sizes, l, kind == "bias")
stage = min(st.session_state.get("cr_stage", 0), len(stages) - 1)
factors = chain.factors(network, x, t, l, i, j)


def go(to: int) -> None:
    st.session_state["cr_stage"] = max(0, min(to, len(stages) - 1))


buttons = st.columns([1, 1, 3])
buttons[0].button(
    "Back", key="cr_back", on_click=go, args=(stage - 1,), disabled=stage == 0, width="stretch"
)
buttons[1].button(
    "Next step",
    key="cr_next",
    on_click=go,
    args=(stage + 1,),
    type="primary",
    disabled=stage == len(stages) - 1,
    width="stretch",
)
buttons[2].progress(
    (stage + 1) / len(stages),
    text=plain(f"Step {stage + 1} of {len(stages)}: " + stages[stage].title),
)
st.latex(stages[stage].equation + r" = " + chain.result(factors.gradient))
numbers = st.columns(2)
numbers[0].metric("∂Cₓ/∂w on this row", short(factors.gradient, 6))
numbers[1].metric(
    "Multiplications for it",
    f"{stages[stage].multiplications:,}",
    delta=None if stage == 0 else f"{stages[stage].multiplications - stages[0].multiplications:,}",
    delta_color="inverse",
)
st.caption(
    "The value never changes from step to step; the work does. Operands blue, the result red, "
    "as on the Backward pass page."
)
with st.expander("Every factor with its value on this row"):
    st.latex(r"\begin{aligned}" + r" \\ ".join(factors.lines) + r"\end{aligned}")
if stage == len(stages) - 1:
    st.markdown("For every neuron at once, in matrices:")
    st.latex(chain.MATRIX_FORM)
    steps = build_steps(network, x, t, snapshot.settings.learning_rate)
    target = next(
        k for k, s in enumerate(steps) if s.title.startswith(f"Gradient of layer {l + 1}")
    )

    def open_stepper() -> None:
        st.session_state.update(bp_row=row, bp_index=target)

    if st.button(
        "See this step with matrices on Backward pass", key="cr_to_stepper", on_click=open_stepper
    ):
        st.switch_page("pages/2_Backward_pass.py")

st.header("The paths")
with server_turn():
    terms = diagnostics.path_terms(network, x, t, l, i, j, limit=MAX_PATHS)
shown = chain.strongest(terms, PATHS_SHOWN)
chart(figures.paths_figure(network, terms, shown, l, i), key="cr_paths")
total = terms.products.sum()
if terms.sampled:
    st.info(
        plain(
            f"This weight has {scientific(terms.total)} paths to the outputs, too many to add up: "
            f"shown are the strongest of {count(len(terms.products), 'path')} drawn uniformly "
            "at random, a sample, whose sum is not the gradient."
        )
    )
else:
    st.caption(
        plain(
            f"∂Cₓ/∂w is the sum over the {count(terms.total, 'path')} from neuron {j + 1} to the "
            "outputs of the product of the local derivatives along each (the weights crossed "
            "and σ′ at each neuron), times the input a and the output's delta at its end. Their "
            f"sum, {short(total, 6)}, is backprop's {short(factors.gradient, 6)}."
        )
    )
table = [
    {
        "path": chain.path_name(terms.paths[k], l, L + 1),
        "factors": chain.path_factors(network, x, t, l, i, terms.paths[k]),
        "product": short(float(terms.products[k]), 4),
    }
    for k in shown
]
st.dataframe(table, hide_index=True, width="stretch", key="cr_table")

st.header("Why backprop")
counts = diagnostics.operation_counts(sizes)
cols = st.columns(3)
cols[0].metric("Path products, all weights", f"{counts['path_terms']:,}")
cols[1].metric("Backprop's multiplications", f"{counts['backprop_multiplications']:,}")
cols[2].metric("Forward-mode passes", f"{counts['forward_mode_passes']:,}")
width = max(sizes[1:-1] or [2])
chart(figures.costs_figure(DEPTHS, chain.cost_over_depth(width, DEPTHS), width), key="cr_costs")
st.caption(
    "Summing paths costs the product of the widths after each weight: it multiplies with every "
    "layer. Backprop computes each δ once and reuses it for every weight before it: its work "
    "grows by one layer's multiplications per layer. Forward mode runs one pass per parameter. "
    "That reuse is the reason for δ."
)

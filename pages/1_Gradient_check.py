"""Backprop's gradients against central differences, layer by layer; optionally a planted bug."""

import streamlit as st

from backprop_core import diagnostics, gradient_check
from backprop_core.gradient_check import PASS_RELATIVE, affordable_per_layer
from dashboard.components import chart
from dashboard.components.bootstrap import cached, fair_seconds, server_turn
from dashboard.components.chrome import lecture_mode, teaching_page
from dashboard.components.keys import keys
from dashboard.figures.gradient import epsilon_sweep_figure
from dashboard.figures.teaching import gradient_check_figure
from dashboard.teaching.bugs import BUGS, buggy_gradients
from dashboard.text import plain, scientific

EPSILONS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]
CHECK_SECONDS = 1.5  # the check samples each layer once checking everything would take longer
SWEEP_SECONDS = 0.5  # the ε sweep: 48 cost evaluations per parameter

run = teaching_page("Gradient check", "Gradient check")
keys({})  # F and ?
st.markdown(
    "Every weight and bias is nudged by ±ε and the cost recomputed: "
    r"$\frac{\partial C}{\partial w} \approx \frac{C(w+\varepsilon) - C(w-\varepsilon)}"
    r"{2\varepsilon}$. A correct backpropagation agrees to a relative error of about "
    r"$10^{-9}$ to $10^{-6}$."
)
# Lecture mode, full width: the controls and the numbers in one row, so that the verdict and
# the first layer fit 720p. Beside the sidebar the numbers need a row of their own.
if lecture_mode():
    left, right, numbers = st.columns([2, 3, 5], vertical_alignment="bottom")
else:
    left, right = st.columns([2, 3], vertical_alignment="bottom")
    numbers = st.container()
epsilon = left.select_slider(
    "ε", EPSILONS, value=1e-5, key="gc_epsilon", format_func=lambda e: scientific(e, 1)
)
bug = right.selectbox(
    "Plant a bug",
    list(BUGS),
    format_func=BUGS.get,
    key="gc_bug",
    help="A separate, deliberately wrong backward pass; the real one is untouched.",
)

snapshot = run.snapshot()
network, X, T = snapshot.network, snapshot.data.X, snapshot.data.T
batch = snapshot.settings.batch
if batch is not None and batch < len(X):
    X, T = X[:batch], T[:batch]
    rows_checked = f"one mini-batch: the first {batch} training rows (the batch size)"
else:
    rows_checked = f"the full training set: {len(X):,} rows"


def run_check():
    with server_turn():
        per_layer = affordable_per_layer(network, X, T, fair_seconds(CHECK_SECONDS))
        gradients = buggy_gradients(network, X, T, bug)
        return per_layer, gradient_check(network, X, T, epsilon, gradients, per_layer=per_layer)


per_layer, check = cached("gc_check", (snapshot.key, len(X), epsilon, bug), run_check)

cols = numbers.container(key="gc_numbers").columns(3)
cols[0].metric("Max relative error", scientific(check.max_relative_error))
cols[1].metric("Max absolute error", scientific(check.max_error))
cols[2].metric("Parameters checked", f"{check.checked:,} of {network.params.size:,}")
st.html("<style>.st-key-gc_numbers [data-testid=stMetricValue] { font-size: 1.4rem; }</style>")
if check.passed:
    st.success(
        plain(
            "Pass: every gradient checked agrees with its central difference to a relative "
            f"error below {scientific(PASS_RELATIVE, 1)}, on {rows_checked}."
        )
    )
else:
    worst = int(check.layer_relative_errors.argmax()) + 1
    st.error(
        plain(
            f"Fail: the largest relative error is {scientific(check.max_relative_error)}, in layer "
            f"{worst}, above {scientific(PASS_RELATIVE, 1)}, on {rows_checked}. "
            + ("The planted bug shows up here." if bug != "none" else "")
        )
    )

for layer in range(1, network.num_layers + 1):
    chart(gradient_check_figure(check, layer), key=f"gc_layer_{layer}")
st.caption(
    plain(
        "The relative error of each entry is |g − ĝ| / (|g| + |ĝ|), so it means the same for a "
        "cost of 10⁻³ and of 10⁹. Gradients too small to compare that way (below "
        f"{scientific(check.noise / PASS_RELATIVE, 2)} here) are judged against the round-off of "
        f"the difference instead, about {scientific(check.noise, 2)}."
        + (
            f" Sampled: {per_layer} weights and biases of each layer, drawn at random, so the "
            "check fits in about a second and a half (fewer when many students train); the "
            "others are blank."
            if per_layer is not None
            else ""
        )
    )
)

st.header("Why ε ≈ 10⁻⁵: the error against ε")


def run_sweep():
    with server_turn():
        budget = fair_seconds(SWEEP_SECONDS)
        sample = affordable_per_layer(network, X, T, budget, evaluations=48)
        return sample, diagnostics.epsilon_sweep(network, X, T, per_layer=sample)


sample, sweep = cached("gc_sweep", (snapshot.key, len(X)), run_sweep)
chart(epsilon_sweep_figure(diagnostics.SWEEP_EPSILONS, sweep), key="gc_sweep")
swept = network.params.size if sample is None else min(sample * network.num_layers, 10**9)
st.caption(
    plain(
        "The largest disagreement with backprop for ε from 10⁻¹ to 10⁻¹² (right is smaller). "
        "Going right, the difference formula's truncation error falls (as ε² for central "
        "differences, ε for forward ones) until round-off takes over: C(w ± ε) agree in all "
        "but a few digits, and dividing by a tiny ε magnifies what is left. The bottom of each "
        "V is the best ε; float32 keeps about 7 digits instead of 16, so its V bottoms out "
        "much earlier and much higher. Central differences in float64 bottom out near 10⁻⁵, "
        "the usual choice (dotted)."
        + (
            f" Over up to {sample} parameters of each layer, drawn at random."
            if sample is not None
            else f" Over all {swept:,} parameters."
        )
    )
)

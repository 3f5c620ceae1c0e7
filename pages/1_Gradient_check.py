"""Backprop's gradients against central differences, layer by layer; optionally a planted bug."""

import time

import streamlit as st

from backprop_core import diagnostics, gradient_check
from dashboard.components import chart
from dashboard.components.ui import teaching_page
from dashboard.figures.gradient import epsilon_sweep_figure
from dashboard.figures.teaching import gradient_check_figure
from dashboard.teaching.bugs import BUGS, buggy_gradients
from dashboard.text import plain

PASS_BELOW = 1e-7
EPSILONS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]
SWEEP_SAMPLE = 200  # at most this many parameters in the ε sweep, 48 cost evaluations each
SWEEP_SECONDS = 1.0

session = teaching_page("Gradient check", "Gradient check")
st.markdown(
    "Every weight and bias is nudged by ±ε and the cost recomputed: "
    r"$\frac{\partial C}{\partial w} \approx \frac{C(w+\varepsilon) - C(w-\varepsilon)}"
    r"{2\varepsilon}$. A correct backpropagation agrees to about $10^{-9}$."
)
left, right = st.columns(2)
epsilon = left.select_slider(
    "ε", EPSILONS, value=1e-5, key="gc_epsilon", format_func=lambda e: f"{e:.0e}"
)
bug = right.selectbox(
    "Plant a bug",
    list(BUGS),
    format_func=BUGS.get,
    key="gc_bug",
    help="A separate, deliberately wrong backward pass; the real one is untouched.",
)

with session.lock:
    network, X, T = session.network.copy(), session.data.X, session.data.T
batch = session.settings.batch
if batch is not None and batch < len(X):
    X, T = X[:batch], T[:batch]
    st.caption(plain(f"On one mini-batch: the first {batch} training rows (the batch size)."))
else:
    st.caption(plain(f"On the full training set: {len(X)} rows."))
check = gradient_check(network, X, T, epsilon, gradients=buggy_gradients(network, X, T, bug))

cols = st.columns(3)
cols[0].metric("Max absolute error", f"{check.max_error:.2e}")
cols[1].metric("Max relative error", f"{check.max_relative_error:.2e}")
cols[2].metric("Parameters checked", f"{network.params.size:,}")
if check.max_error < PASS_BELOW:
    st.success(
        f"Pass: every gradient agrees with its central difference to better than {PASS_BELOW:.0e}."
    )
else:
    st.error(
        f"Fail: the largest disagreement is {check.max_error:.2e}, above {PASS_BELOW:.0e}. "
        + ("The planted bug shows up here." if bug != "none" else "")
    )

for layer in range(1, network.num_layers + 1):
    chart(gradient_check_figure(check, layer), key=f"gc_layer_{layer}")

st.subheader("Why ε ≈ 10⁻⁵: the error against ε")
started = time.perf_counter()
network.cost(X, T)
# 48 cost evaluations per parameter: as many parameters as fit in about a second (10 to 200).
fit = int(SWEEP_SECONDS / (48 * max(time.perf_counter() - started, 1e-6)))
sample = min(max(fit, 10), SWEEP_SAMPLE)
sample = sample if network.params.size > sample else None
sweep = diagnostics.epsilon_sweep(network, X, T, sample=sample)
chart(epsilon_sweep_figure(diagnostics.SWEEP_EPSILONS, sweep), key="gc_sweep")
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
            f" Over {sample} of the {network.params.size:,} parameters, drawn at random."
            if sample
            else f" Over all {network.params.size:,} parameters."
        )
    )
)

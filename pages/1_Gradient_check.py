"""Backprop's gradients against central differences, layer by layer; optionally a planted bug."""

import streamlit as st

from backprop_core import gradient_check
from dashboard.components import chart
from dashboard.components.ui import teaching_page
from dashboard.figures.teaching import gradient_check_figure
from dashboard.teaching.bugs import BUGS, buggy_gradients
from dashboard.text import plain

PASS_BELOW = 1e-7
EPSILONS = [1e-3, 1e-4, 1e-5, 1e-6, 1e-7]

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

"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import streamlit as st

from dashboard import figures
from dashboard.ui import (
    epochs_per_refresh,
    get_session,
    settings_controls,
    setup_page,
    training_buttons,
)

REFRESH_SECONDS = 0.25

setup_page("Live training")
session = get_session()
settings = settings_controls(session)
if settings is not None:
    notice = session.apply(settings)
    if notice:
        st.session_state["notice"] = notice


st.title("Backprop Lab")
st.caption(
    f"{session.data.title}: a {'-'.join(map(str, session.network.sizes))} "
    f"{session.settings.activation} network, {session.settings.cost} cost, "
    f"learning rate {session.settings.learning_rate:g}."
)
training_buttons(session)
if "notice" in st.session_state:
    st.info(st.session_state["notice"])


@st.fragment(run_every=REFRESH_SECONDS if session.running else None)
def live() -> None:
    was_running = session.running
    if was_running:
        session.train(epochs_per_refresh())
    view = session.view()
    cols = st.columns(4)
    cols[0].metric("Epoch", f"{session.epoch:,}")
    cols[1].metric("Cost", f"{view.cost:.4g}")
    cols[2].metric("Status", "Diverged" if session.history.diverged else session.status())
    cols[3].metric("Outputs", "all correct" if view.all_correct else "not yet")
    if session.history.diverged:
        st.error(session.status())
    rev = session.generation
    left, right = st.columns(2)
    left.plotly_chart(figures.cost_figure(session.history.cost, rev), key="cost_chart")
    right.plotly_chart(
        figures.delta_figure(session.history.delta_magnitude, rev), key="delta_chart"
    )
    st.subheader("Weights and biases")
    layer_cols = st.columns(session.network.num_layers)
    figs = figures.weight_figures(session.network, session.weight_scale, rev)
    for l, (col, fig) in enumerate(zip(layer_cols, figs)):
        col.plotly_chart(fig, key=f"weights_{l}")
    st.subheader("Outputs against targets")
    st.dataframe(session.outputs_table(view.outputs), hide_index=True)
    if was_running and not session.running:
        st.rerun()  # stopped by divergence: a full run turns the timer off


live()

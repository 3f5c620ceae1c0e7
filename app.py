"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import streamlit as st

from dashboard import figures
from dashboard.session import REFRESH_SECONDS
from dashboard.ui import (
    epochs_per_refresh,
    get_session,
    settings_controls,
    setup_page,
    training_buttons,
)

SLOW_REFRESH_SECONDS = 1.0

setup_page("Live training")
session = get_session()
settings = settings_controls(session)
if settings is not None:
    notice = session.apply(settings)
    if notice:
        st.session_state["notice"] = notice
session.epochs_per_refresh = epochs_per_refresh()

st.title("Backprop Lab")
st.caption(
    f"{session.data.title}: a {'-'.join(map(str, session.network.sizes))} "
    f"{session.settings.activation} network, {session.settings.cost} cost, "
    f"learning rate {session.settings.learning_rate:g}."
)
training_buttons(session)
if "notice" in st.session_state:
    st.info(st.session_state["notice"])
timer = REFRESH_SECONDS if session.running else None


@st.fragment(run_every=timer)
def live() -> None:
    """The numbers and the curves, redrawn while the worker trains."""
    session.seen()
    with session.lock:
        view = session.view()
        epoch, status, diverged = session.epoch, session.status(), session.history.diverged
        rev = session.generation
        cost_fig = figures.cost_figure(session.history.cost, rev)
        delta_fig = figures.delta_figure(session.history.delta_magnitude, rev)
    cols = st.columns(4)
    cols[0].metric("Epoch", f"{epoch:,}")
    cols[1].metric("Cost", f"{view.cost:.4g}")
    cols[2].metric("Status", "Diverged" if diverged else status)
    cols[3].metric("Outputs", "all correct" if view.all_correct else "not yet")
    if diverged:
        st.error(status)
    left, right = st.columns(2)
    left.plotly_chart(cost_fig, key="cost_chart", theme=None)
    right.plotly_chart(delta_fig, key="delta_chart", theme=None)
    if timer and not session.running:
        st.rerun()  # training stopped by itself: a full run shows why and stops the timers


@st.fragment(run_every=SLOW_REFRESH_SECONDS if timer else None)
def parameters() -> None:
    """Heatmaps and the outputs table cost the browser more to redraw: fewer refreshes."""
    with session.lock:
        figs = figures.weight_figures(session.network, session.weight_scale, session.generation)
        table = session.outputs_table(session.view().outputs)
    st.subheader("Weights and biases")
    for l, (col, fig) in enumerate(zip(st.columns(len(figs)), figs)):
        col.plotly_chart(fig, key=f"weights_{l}", theme=None)
    st.subheader("Outputs against targets")
    st.dataframe(table, hide_index=True)


live()
parameters()

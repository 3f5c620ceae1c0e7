"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import streamlit as st

from dashboard import figures, workflow
from dashboard.components import chart
from dashboard.session import REFRESH_SECONDS
from dashboard.teaching_figures import surfaces_figure
from dashboard.text import plain
from dashboard.ui import (
    get_session,
    lecture_mode,
    lecture_toggle,
    settings_controls,
    setup_page,
    show_outputs_table,
    show_url_warnings,
    training_buttons,
)

SLOW_REFRESH_SECONDS = 1.0
SURFACES_NOTE = (
    "Each output neuron over the whole input square [0, 1]². The training inputs are its "
    "corners; the boundary where the colour turns is where the rounded output flips."
)

setup_page("Live training")
session = get_session()
lecture = lecture_mode()
if not lecture:
    settings = settings_controls(session)
    if settings is not None:
        try:
            if notice := session.apply(settings):
                st.session_state["notice"] = notice
        except ValueError as err:
            st.sidebar.error(plain(str(err)))
    workflow.files_box(session)
lecture_toggle()
workflow.share_link(workflow.sync_url(session))

st.title("Backprop Lab")
show_url_warnings()
st.caption(
    plain(
        f"{session.data.title}: a {'-'.join(map(str, session.network.sizes))} "
        f"{session.settings.activation} network, {session.settings.cost} cost, "
        f"learning rate {session.settings.learning_rate:g}."
    )
)
training_buttons(session)
if "notice" in st.session_state:
    st.info(plain(st.session_state["notice"]))
shown_epoch = None
if not lecture:
    workflow.compare_runs(session)
    shown_epoch = workflow.rewind(session)
elif session.rewound_to is not None:
    session.rewind(None)  # lecture mode has no rewind slider: show the live network
timer = REFRESH_SECONDS if session.running else None
height = 520 if lecture else 380


@st.fragment(run_every=timer)
def live() -> None:
    """The numbers and the curves, redrawn while the worker trains."""
    session.seen()
    with session.lock:  # only what the figures need; the worker trains while they are built
        view = session.view()
        epoch, status, diverged = session.epoch, session.status(), session.history.diverged
        rev, history = session.generation, session.history
        # Views of the records so far: training only appends, so they stay valid.
        cost, delta, per_output = history.cost, history.delta_magnitude, history.output_cost
    outputs = (per_output, session.data.output_names) if per_output.shape[1] > 1 else None
    cost_fig = figures.cost_figure(cost, rev, shown_epoch, session.kept, height, outputs)
    delta_fig = figures.delta_figure(delta, rev, session.kept, height)
    cols = st.columns(4)
    cols[0].metric("Epoch", f"{epoch:,}" if shown_epoch is None else f"{shown_epoch:,} ⏪")
    cols[1].metric("Cost", f"{view.cost:.4g}")
    cols[2].metric("Status", "Diverged" if diverged else status)
    cols[3].metric("Outputs", "all correct" if view.all_correct else "not yet")
    if diverged:
        st.error(plain(status))
    left, right = st.columns(2)
    with left:
        chart(cost_fig, key="cost_chart")
    with right:
        chart(delta_fig, key="delta_chart")
    if timer and not session.running:
        st.rerun()  # training stopped by itself: a full run shows why and stops the timers


@st.fragment(run_every=SLOW_REFRESH_SECONDS if timer else None)
def parameters() -> None:
    """Heatmaps, the outputs table and the output surfaces: fewer redraws."""
    with session.lock:
        network = session.shown_network()
        figs = figures.weight_figures(network, session.weight_scale, session.generation)
        table = session.outputs_table(session.view().outputs)
        surfaces = None
        if network.sizes[0] == 2:
            surfaces = surfaces_figure(network, outputs_only=True, names=session.data.output_names)
    st.subheader("Weights and biases")
    for l, (col, fig) in enumerate(zip(st.columns(len(figs)), figs)):
        with col:
            chart(fig, key=f"weights_{l}")
    st.subheader("Outputs against targets")
    show_outputs_table(table)
    if surfaces is not None:
        left, right = st.columns(2, vertical_alignment="center")
        with left:
            chart(surfaces, key="output_surfaces")
        right.caption(SURFACES_NOTE)


live()
parameters()

"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import streamlit as st

from dashboard import figures, workflow
from dashboard.components import chart
from dashboard.session import REFRESH_SECONDS
from dashboard.settings import option_name
from dashboard.teaching_figures import surfaces_figure
from dashboard.text import metric_number, plain
from dashboard.ui import (
    HELP,
    apply_settings,
    display_toggles,
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
HEATMAPS_PER_ROW = 3  # wide enough to read beside the sidebar at 1280 px
SURFACES_NOTE = (
    "Each output neuron over the whole input square [0, 1]². The training inputs are its "
    "corners; the boundary where the colour turns is where the rounded output flips."
)

setup_page("Live training")
session = get_session()
lecture = lecture_mode()
if not lecture:
    apply_settings(session, settings_controls(session))
    display_toggles(session)
    workflow.files_box(session)
lecture_toggle()

if lecture:  # one line for the title and the network: the charts must fit 720p
    describe = st.container(key="lecture_title")
else:
    st.title("Backprop Lab")
    describe = st.empty()  # filled once this run's settings are applied
show_url_warnings()
apply_settings(session, training_buttons(session))
workflow.share_link(workflow.sync_url(session))
s = session.settings
network_line = (
    f"{session.data.title}: a {'-'.join(map(str, session.network.sizes))} network, "
    f"{option_name(s.activation)}, {option_name(s.cost)}, learning rate {s.learning_rate:g}."
)
if lecture:
    describe.markdown("**Backprop Lab** · " + plain(network_line))
else:
    describe.caption(plain(network_line))
if "notice" in st.session_state:
    st.info(plain(st.session_state["notice"]))
shown_epoch = None
if not lecture:
    workflow.compare_runs(session)
    shown_epoch = workflow.rewind(session)
elif session.rewound_to is not None:
    session.rewind(None)  # lecture mode has no rewind slider: show the live network
timer = REFRESH_SECONDS if session.running else None
height = 350 if lecture else 400  # lecture: both curves above the fold at 1280×720
font_size = figures.LECTURE_FONT_SIZE if lecture else figures.FONT_SIZE
log_epochs = bool(st.session_state.get("log_epochs"))


@st.fragment(run_every=timer)
def live() -> None:
    """The numbers and the curves, redrawn while the worker trains."""
    session.seen()
    with session.lock:  # only what the figures need; the worker trains while they are built
        view = session.view()
        epoch, status, diverged = session.shown_epoch(), session.status(), session.history.diverged
        rev, history = session.generation, session.history
        # Views of the records so far: training only appends, so they stay valid.
        cost, delta, per_output = history.cost, history.delta_magnitude, history.output_cost
    outputs = (per_output, session.data.output_names) if per_output.shape[1] > 1 else None
    kept = session.kept
    cost_fig = figures.cost_figure(
        cost, rev, shown_epoch, kept, height, outputs, log_epochs, font_size
    )
    delta_fig = figures.delta_figure(delta, rev, kept, height, log_epochs, font_size)
    cols = st.columns(4)
    if shown_epoch is None:
        cols[0].metric("Epoch", f"{epoch:,}", help=HELP["epoch"])
    else:
        cols[0].metric("Epoch (rewound)", f"{shown_epoch:,}", help=HELP["epoch"])
    cols[1].metric("Cost", metric_number(view.cost), help=HELP["cost"])
    cols[2].metric("Status", "Diverged" if diverged else status.split(":")[0])
    cols[3].metric(
        "Outputs", f"{view.rows_correct}/{len(view.outputs)} right", help=HELP["outputs"]
    )
    if diverged:
        st.error(plain(status))
    elif ":" in status:
        st.caption(plain(status))
    left, right = st.columns(2)
    with left:
        chart(cost_fig, key="cost_chart")
    with right:
        chart(delta_fig, key="delta_chart")
    if not lecture:
        left.caption(plain(HELP["plateau"]))
        right.caption(plain(HELP["delta"]))
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
    st.caption(plain(HELP["row_vectors"]))
    per_row = min(len(figs), HEATMAPS_PER_ROW)
    for start in range(0, len(figs), per_row):
        for l, col in enumerate(st.columns(per_row), start):
            if l < len(figs):
                with col:
                    chart(figs[l], key=f"weights_{l}")
    st.subheader("Outputs against targets")
    show_outputs_table(table)
    if surfaces is not None:
        left, right = st.columns(2, vertical_alignment="center")
        with left:
            chart(surfaces, key="output_surfaces")
        right.caption(SURFACES_NOTE)


live()
parameters()

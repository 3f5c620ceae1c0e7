"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import time

import streamlit as st

from dashboard.components import chart, workflow
from dashboard.components.ui import (
    HELP,
    apply_settings,
    charged_to,
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
from dashboard.figures import live as figures
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER, refresh_seconds
from dashboard.state.settings import option_name
from dashboard.text import metric_number, plain, plotly_text

SLOW_REFRESH_SECONDS = 1.0
SURFACE_REFRESH_SECONDS = 0.2
RETIME_SECONDS = 5.0  # the redraw interval follows the load at most this often (a full rerun)
HEATMAPS_PER_ROW = 3  # wide enough to read beside the sidebar at 1280 px
SURFACES_NOTE = (
    "Each output over the input square: blue where it says 0, orange where it says 1, white "
    "at the boundary, where the rounded output flips. The dots are the four training inputs "
    "at the corners, in their target's colour."
)
MAX_OUTPUT_SURFACES = 3  # side by side; a wider table shows its first three outputs
SURFACE_HEIGHT = 330

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
timer = refresh_seconds(SCHEDULER.training) if session.running else None
st.session_state["timed_at"] = time.monotonic()
height = 350 if lecture else 400  # lecture: both curves above the fold at 1280×720
font_size = figures.LECTURE_FONT_SIZE if lecture else figures.FONT_SIZE
log_epochs = bool(st.session_state.get("log_epochs"))


@st.fragment(run_every=timer)
@charged_to(session)
def live() -> None:
    """The numbers and the curves, redrawn while the worker trains."""
    session.seen()
    with session.lock:  # only what the figures need; the worker trains while they are built
        view = session.view()
        epoch, status, diverged = session.shown_epoch(), session.status(), session.history.diverged
        rev, curves = session.generation, session.history.curves()
        tested = session.test_data is not None
        classify = tested and session.data.is_classification  # accuracies need a test set
    cost, delta, per_output = curves["cost"], curves["delta_magnitude"], curves["output_cost"]
    test_cost = curves["test_cost"] if tested else None
    accuracy = (curves["accuracy"], curves["test_accuracy"]) if classify else None
    outputs = (per_output, session.data.output_names) if per_output.values.shape[1] > 1 else None
    kept = session.kept
    cost_fig = figures.cost_figure(
        cost, rev, shown_epoch, kept, height, outputs, log_epochs, font_size, test_cost, accuracy
    )
    delta_fig = figures.delta_figure(delta, rev, kept, height, log_epochs, font_size)
    # With a test set the status leaves the row for a caption: six metrics do not fit 1280 px.
    cols = iter(st.columns(4 + classify))
    if shown_epoch is None:
        next(cols).metric("Epoch", f"{epoch:,}", help=HELP["epoch"])
    else:
        next(cols).metric("Epoch (rewound)", f"{shown_epoch:,}", help=HELP["epoch"])
    next(cols).metric("Cost", metric_number(view.cost), help=HELP["cost"])
    if tested:
        next(cols).metric("Test cost", metric_number(view.test_cost), help=HELP["test_cost"])
    else:
        next(cols).metric("Status", "Diverged" if diverged else status.split(":")[0])
        next(cols).metric(
            "Outputs", f"{view.rows_correct}/{len(view.outputs)} right", help=HELP["outputs"]
        )
    if classify:
        share = view.rows_correct / len(view.outputs)
        next(cols).metric("Accuracy", f"{share:.0%}", help=HELP["accuracy"])
        test_share = view.test_rows_correct / view.test_rows
        next(cols).metric("Test accuracy", f"{test_share:.0%}", help=HELP["accuracy"])
    lines = [status] if ":" in status else [f"Status: {status}"] if tested else []
    if timer and timer > REFRESH_SECONDS:
        lines.append(
            f"Redrawing every {timer:g} s instead of {REFRESH_SECONDS:g} s: "
            f"{SCHEDULER.training} sessions are training on this server."
        )
    if diverged:
        st.error(plain(status))
    elif lines:
        st.caption(plain(" · ".join(lines)))
    left, right = st.columns(2)
    with left:
        chart(cost_fig, key="cost_chart")
    with right:
        chart(delta_fig, key="delta_chart")
    if not lecture and session.points is None:
        left.caption(plain(HELP["plateau"]))
    if not lecture:
        right.caption(plain(HELP["delta"]))
    if timer and not session.running:
        st.rerun()  # training stopped by itself: a full run shows why and stops the timers
    load_changed = timer and refresh_seconds(SCHEDULER.training) != timer
    if load_changed and time.monotonic() - st.session_state["timed_at"] > RETIME_SECONDS:
        st.rerun()  # a full run sets every fragment's timer anew


@st.fragment(run_every=max(SURFACE_REFRESH_SECONDS, 2 * timer) if timer else None)
@charged_to(session)
def decision_surface() -> None:
    """The 2-D sets' output over the input square, with the points: redrawn while training."""
    settings = session.settings
    with session.lock:  # a copy, so that the worker trains on while the surface is computed
        network, (train, test), rev = (
            session.shown_network().copy(),
            session.points,
            session.generation,
        )
    fig = figures.decision_surface_figure(
        network,
        train,
        test if settings.show_test else None,
        settings.discretize,
        rev,
        height + 50,
        font_size,
    )
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        chart(fig, key="decision_surface")
    right.caption(plain(HELP["surface"]))


@st.fragment(run_every=max(SLOW_REFRESH_SECONDS, 10 * timer) if timer else None)
@charged_to(session)
def parameters() -> None:
    """Heatmaps, the outputs table and the output surfaces: fewer redraws."""
    snapshot = session.snapshot()  # the figures are built while the worker trains on
    network, scale, rev = snapshot.shown, snapshot.weight_scale, snapshot.generation
    data, table_surfaces = snapshot.data, snapshot.points is None
    figs = figures.weight_figures(network, scale, rev)
    surfaces = []
    if network.sizes[0] == 2 and table_surfaces:  # a truth table's four corners
        surfaces = [
            figures.decision_surface_figure(
                network,
                data,
                revision=rev,
                height=SURFACE_HEIGHT,
                output=j,
                square=figures.table_square(data.X),
                title=f"Output {plotly_text(name)}",
                resolution=figures.TABLE_RESOLUTION,
            )
            for j, name in enumerate(data.output_names[:MAX_OUTPUT_SURFACES])
        ]
    st.subheader("Weights and biases")
    st.caption(plain(HELP["row_vectors"]))
    per_row = min(len(figs), HEATMAPS_PER_ROW)
    for start in range(0, len(figs), per_row):
        for l, col in enumerate(st.columns(per_row), start):
            if l < len(figs):
                with col:
                    chart(figs[l], key=f"weights_{l}")
    if table_surfaces:  # a 2-D set's hundreds of points are on its decision surface instead
        st.subheader("Outputs against targets")
        show_outputs_table(session.outputs_table(snapshot.outcome.outputs))
    if surfaces:
        st.caption(SURFACES_NOTE)
        for j, (col, fig) in enumerate(zip(st.columns(max(len(surfaces), 2)), surfaces)):
            with col:
                chart(fig, key=f"output_surface_{j}")


live()
if session.points is not None:
    decision_surface()
parameters()

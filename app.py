"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import time

import streamlit as st

from dashboard.components import live, share, workflow
from dashboard.components.bootstrap import charged_to, get_worker, show_url_warnings
from dashboard.components.chrome import lecture_mode, setup_page
from dashboard.components.controls import (
    apply_settings,
    display_toggles,
    lecture_toggle,
    settings_controls,
    training_buttons,
    training_keys,
)
from dashboard.figures import live as figures
from dashboard.state.checks import CUSTOM_DATASET, dataset_title, option_name
from dashboard.state.scheduler import SCHEDULER, refresh_seconds
from dashboard.text import plain

SLOW_REFRESH_SECONDS = 1.0
SURFACE_REFRESH_SECONDS = 0.2
RETIME_SECONDS = 5.0  # the redraw interval follows the load at most this often (a full rerun)

setup_page("Live training")
worker = get_worker()
run = worker.run
lecture = lecture_mode()
header = {}
if lecture:  # one line for the title, the network, the speed and when to stop: 720p is small
    top = st.columns([3.4, 1.2, 1.7], vertical_alignment="center")
    describe = top[0].container(key="lecture_title")
    header = {"speed": top[1], "stop": top[2]}
else:
    st.title("Backprop Lab")
    describe = st.empty()  # filled once this run's settings are applied
# One place for every message, so that a message coming or going never moves the charts below
# (a chart that moves is drawn anew, blank for a moment).
messages = st.container()
if not lecture:
    apply_settings(run, worker.running, settings_controls(run, worker.running), messages)
    display_toggles(run)
    workflow.files_box(worker)
    share.playground_box(run)
lecture_toggle(run)
show_url_warnings(messages)
apply_settings(run, worker.running, training_buttons(worker, header), messages)
training_keys(worker)
share.share_link(run, share.sync_url(run))
snapshot = run.snapshot()
s = snapshot.settings
sizes = "-".join(map(str, snapshot.network.sizes))
network_line = (
    f"{snapshot.data.title}: a {sizes} network, {option_name(s.activation)}, "
    f"{option_name(s.cost)}, learning rate {s.learning_rate:g}."
)
if lecture:
    activation = option_name(s.activation)
    title = snapshot.custom_title if s.dataset == CUSTOM_DATASET else dataset_title(s.dataset)
    short = f"{title} · {sizes} · {activation} · η = {s.learning_rate:g}"
    describe.markdown("**Backprop Lab** · " + plain(short))
else:
    describe.caption(plain(network_line))
if "notice" in st.session_state:
    messages.info(plain(st.session_state["notice"]))
shown_epoch = None
if not lecture:
    workflow.compare_runs(run)
    shown_epoch = workflow.rewind(run)
elif snapshot.rewound_to is not None:
    run.rewind(None)  # lecture mode has no rewind slider: show the live network
timer = refresh_seconds(SCHEDULER.training) if worker.running else None
st.session_state["timed_at"] = time.monotonic()
look = live.Look(
    height=350 if lecture else 400,  # lecture: the curves above the fold at 1280×720
    font_size=figures.LECTURE_FONT_SIZE if lecture else figures.FONT_SIZE,
    lecture=lecture,
    shown_epoch=shown_epoch,
    timer=timer,
)
surface_every = max(SURFACE_REFRESH_SECONDS, 2 * timer) if timer else None


def keep_time() -> None:
    """Each redraw of the numbers: proof that someone watches, and a full run when training
    stopped by itself (to show why) or when the load changed the redraw interval."""
    worker.seen()
    if timer and not worker.running:
        st.rerun()
    load_changed = timer and refresh_seconds(SCHEDULER.training) != timer
    if load_changed and time.monotonic() - st.session_state["timed_at"] > RETIME_SECONDS:
        st.rerun()  # a full run sets every fragment's timer anew


@st.fragment(run_every=timer)
@charged_to(worker)
def numbers_and_curves() -> None:
    """The numbers, then the cost and δ curves side by side."""
    snapshot = run.snapshot()
    live.numbers(snapshot, look)
    left, right = st.columns(2)
    with left:
        live.cost_chart(snapshot, look)
    with right:
        live.delta_chart(snapshot, look)
    keep_time()


@st.fragment(run_every=timer)
@charged_to(worker)
def numbers() -> None:
    live.numbers(run.snapshot(), look)
    keep_time()


@st.fragment(run_every=timer)
@charged_to(worker)
def cost_curve() -> None:
    live.cost_chart(run.snapshot(), look)


@st.fragment(run_every=timer)
@charged_to(worker)
def delta_curves() -> None:
    live.delta_chart(run.snapshot(), look)


@st.fragment(run_every=surface_every)
@charged_to(worker)
def decision_surface(beside: bool = False) -> None:
    live.decision_surface(run.snapshot(), look, beside)


@st.fragment(run_every=max(SLOW_REFRESH_SECONDS, 10 * timer) if timer else None)
@charged_to(worker)
def parameters() -> None:
    live.parameters(run, run.snapshot())


if lecture and snapshot.points is not None:  # the surface beside the cost, both on screen
    numbers()
    left, right = st.columns(2)
    with left:
        cost_curve()
    with right:
        decision_surface(beside=True)
    delta_curves()
else:
    numbers_and_curves()
    if snapshot.points is not None:
        decision_surface()
parameters()

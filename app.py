"""Backprop Lab: train a network on the half adder live and watch backprop at work."""

import time

import streamlit as st

from dashboard.components import live, workflow
from dashboard.components.bootstrap import charged_to, get_worker, show_url_warnings
from dashboard.components.chrome import lecture_mode, setup_page
from dashboard.components.controls import (
    apply_settings,
    display_toggles,
    lecture_toggle,
    settings_controls,
    training_buttons,
)
from dashboard.figures import live as figures
from dashboard.state.checks import option_name
from dashboard.state.scheduler import SCHEDULER, refresh_seconds
from dashboard.text import plain

SLOW_REFRESH_SECONDS = 1.0
SURFACE_REFRESH_SECONDS = 0.2
RETIME_SECONDS = 5.0  # the redraw interval follows the load at most this often (a full rerun)

setup_page("Live training")
worker = get_worker()
run = worker.run
lecture = lecture_mode()
if lecture:  # one line for the title and the network: the charts must fit 720p
    describe = st.container(key="lecture_title")
else:
    st.title("Backprop Lab")
    describe = st.empty()  # filled once this run's settings are applied
# One place for every message, so that a message coming or going never moves the charts below
# (a chart that moves is drawn anew, blank for a moment).
messages = st.container()
if not lecture:
    apply_settings(run, worker.running, settings_controls(run, worker.running), messages)
    display_toggles(run)
    workflow.files_box(run)
lecture_toggle(run)
show_url_warnings(messages)
apply_settings(run, worker.running, training_buttons(worker), messages)
workflow.share_link(workflow.sync_url(run))
snapshot = run.snapshot()
s = snapshot.settings
network_line = (
    f"{snapshot.data.title}: a {'-'.join(map(str, snapshot.network.sizes))} network, "
    f"{option_name(s.activation)}, {option_name(s.cost)}, learning rate {s.learning_rate:g}."
)
if lecture:
    describe.markdown("**Backprop Lab** · " + plain(network_line))
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
height = 350 if lecture else 400  # lecture: both curves above the fold at 1280×720
font_size = figures.LECTURE_FONT_SIZE if lecture else figures.FONT_SIZE


@st.fragment(run_every=timer)
@charged_to(worker)
def numbers_and_curves() -> None:
    """Redrawn while the worker trains."""
    worker.seen()
    live.numbers_and_curves(run.snapshot(), shown_epoch, height, font_size, lecture, timer)
    if timer and not worker.running:
        st.rerun()  # training stopped by itself: a full run shows why and stops the timers
    load_changed = timer and refresh_seconds(SCHEDULER.training) != timer
    if load_changed and time.monotonic() - st.session_state["timed_at"] > RETIME_SECONDS:
        st.rerun()  # a full run sets every fragment's timer anew


@st.fragment(run_every=max(SURFACE_REFRESH_SECONDS, 2 * timer) if timer else None)
@charged_to(worker)
def decision_surface() -> None:
    live.decision_surface(run.snapshot(), height + 50, font_size)


@st.fragment(run_every=max(SLOW_REFRESH_SECONDS, 10 * timer) if timer else None)
@charged_to(worker)
def parameters() -> None:
    live.parameters(run.snapshot())


numbers_and_curves()
if snapshot.points is not None:
    decision_surface()
parameters()

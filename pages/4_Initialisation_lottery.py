"""K networks of the current architecture, one seed each, trained at once: why some starts fail."""

import time

import streamlit as st

from backprop_core.validation import MAX_SEED
from dashboard.components import chart
from dashboard.components.bootstrap import sync_widgets
from dashboard.components.chrome import teaching_page
from dashboard.components.keys import keys
from dashboard.figures.lottery import (
    HEIGHT,
    LECTURE_HEIGHT,
    lottery_cost_figure,
    lottery_histogram_figure,
    lottery_share_figure,
)
from dashboard.state.scheduler import SCHEDULER
from dashboard.state.worker import CHUNK_SECONDS
from dashboard.teaching.lottery import (
    MAX_EPOCHS,
    MAX_NETWORKS,
    MEMORY_BYTES,
    STUCK_EPOCHS,
    LotteryRun,
    check_lottery,
    most_networks,
    plan,
)
from dashboard.text import metric_number, plain

CONFIRM_ABOVE_SECONDS = 30
REDRAW_SECONDS = 0.25  # the progress redraws this often while the lottery trains
WORK_SECONDS = 0.2  # of which it trains at most this long, in the scheduler's short turns

run = teaching_page("Initialisation lottery", "Initialisation lottery")
keys({})  # F and ?
snapshot = run.snapshot()
settings, data = snapshot.settings, snapshot.data
st.caption(
    "Same architecture, same data, same learning rate; only the seed differs. "
    "Some starts solve the task quickly, some sit on a plateau, some never make it."
)
most = most_networks(settings.layer_sizes(data))
# The fields and the button in one row: the charts must fit a projector's screen below.
shown_lottery = st.session_state.get("lottery")
if shown_lottery is not None:  # back on the page: the fields say what the results came from
    used = len(shown_lottery.seeds), shown_lottery.total_epochs, int(shown_lottery.seeds[0])
    for key, value in zip(("lot_k", "lot_epochs", "lot_seed0"), used):
        st.session_state.setdefault(key, value)


def field(box, label: str, low: int, high: int, default: int, key: str, **options) -> None:
    """A number field that takes ``default`` only when the session holds no value for it."""
    value = {} if key in st.session_state else {"value": default}
    box.number_input(label, low, high, key=key, **value, **options)


cols = st.columns(4, vertical_alignment="bottom")
field(cols[0], "Networks K", 1, MAX_NETWORKS, 200, "lot_k", step=50)
field(cols[1], "Epochs", 1, MAX_EPOCHS, 20_000, "lot_epochs", step=1000)
field(cols[2], "First seed", 0, MAX_SEED - MAX_NETWORKS, 0, "lot_seed0")
run_box = cols[3]
if most < MAX_NETWORKS:
    st.caption(
        plain(
            f"At most {most:,} networks of this size fit the lottery's memory "
            f"({MEMORY_BYTES // 2**20} MB)."
        )
    )
state = st.session_state


def request_run() -> None:
    # Callbacks run before the script, so read the inputs' new values from session state.
    k, n, seed0 = int(state["lot_k"]), int(state["lot_epochs"]), int(state["lot_seed0"])
    state.pop("lot_pending", None)
    try:
        check_lottery(k, n, most)
    except ValueError as err:
        state["lot_error"] = str(err)
        return
    state.pop("lot_error", None)
    with SCHEDULER.turn():  # timing an epoch trains, so it shares the server like training
        timing = plan(settings, data, k)
    state["lot_pending"] = (k, n, seed0, timing)
    state["lot_confirmed"] = timing.seconds(n) <= CONFIRM_ABOVE_SECONDS


def start_run() -> None:
    k, n, seed0, timing = state.pop("lot_pending")
    state["lottery"] = LotteryRun(settings, data, k, n, seed0, group=timing.group)
    state["lot_active"] = True


def stop_run() -> None:
    state.pop("lot_pending", None)
    state["lot_active"] = False


current = state.get("lottery")
if state.get("lot_active") and current is not None and not current.finished:
    run_box.button("Cancel", key="lot_stop", on_click=stop_run, width="stretch")
else:
    run_box.button(
        "Run the lottery", key="lot_run", on_click=request_run, type="primary", width="stretch"
    )
if "lot_error" in state:
    st.error(plain(state["lot_error"]))
if "lot_pending" in state and not state.get("lot_confirmed"):
    k, n, _, timing = state["lot_pending"]
    st.warning(
        plain(
            f"{k:,} networks × {n:,} epochs will take about {timing.seconds(n) / 60:.1f} minutes."
        )
    )
    ok, cancel = st.columns(2)
    ok.button("Run anyway", key="lot_confirm", on_click=start_run, width="stretch")
    cancel.button("Cancel", key="lot_cancel", on_click=stop_run, width="stretch")
elif "lot_pending" in state:
    start_run()

lottery = state.get("lottery")
if lottery is None:
    st.info("Press **Run the lottery** to train the networks.")
    st.stop()
training = bool(state.get("lot_active")) and not lottery.finished


@st.fragment(run_every=REDRAW_SECONDS if training else None)
def progress() -> None:
    """While training: up to WORK_SECONDS of epochs in the scheduler's turns, then the charts
    redrawn in place. Afterwards: the results."""
    if training:
        deadline = time.perf_counter() + WORK_SECONDS
        while not lottery.finished and time.perf_counter() < deadline:
            with SCHEDULER.turn():  # shares the server with every session's live training
                lottery.advance(max_seconds=CHUNK_SECONDS)
        if lottery.finished:
            state["lot_active"] = False
            st.rerun()  # a full run of the page shows the results
        st.progress(
            lottery.epoch / lottery.total_epochs,
            text=f"epoch {lottery.epoch:,} of {lottery.total_epochs:,}",
        )
    else:
        if not lottery.finished:
            st.warning(
                f"Cancelled at epoch {lottery.epoch:,} of {lottery.total_epochs:,}: showing what "
                "ran."
            )
        if lottery.epoch > 0:
            cols = st.columns(4)
            cols[0].metric("Networks", f"{len(lottery.seeds):,}")
            cols[1].metric("Solved at the end", f"{lottery.solved.mean():.0%}")
            cols[2].metric(
                "On the plateau at the end",
                f"{lottery.plateau_share[-1]:.0%}",
                help="The share the chart at the right ends on; the rest are neither solved "
                "nor on the plateau.",
            )
            cols[3].metric(
                f"Sat {STUCK_EPOCHS:,}+ epochs on it",
                f"{(lottery.plateau_epochs >= STUCK_EPOCHS).mean():.0%}",
                help=f"Networks that spent at least {STUCK_EPOCHS:,} epochs on the plateau at "
                "some time, whether they left it later or not.",
            )
    if lottery.epoch == 0:
        return
    height = LECTURE_HEIGHT if settings.lecture else HEIGHT
    left, right = st.columns(2)
    with left:
        chart(lottery_cost_figure(lottery.quantiles, lottery.plateau, height), key="lot_cost")
    with right:
        shares = lottery.solved_share, lottery.plateau_share
        chart(lottery_share_figure(*shares, height), key="lot_share")
    if not training:
        chart(lottery_histogram_figure(lottery.final_cost), key="lot_hist")


progress()
if training or lottery.epoch == 0:
    st.stop()

st.header("Compare a lucky and an unlucky seed on the Live training page")
ranked = lottery.ranked_seeds()
seed = st.selectbox(
    "Seed (luckiest first)",
    [s for s, _ in ranked],
    key="lot_pick",
    format_func=lambda s: f"seed {s}: final cost {metric_number(dict(ranked)[s])}",
)
if st.button("Load this seed into the Live training page", key="lot_load"):
    run.apply(run.settings.with_(seed=int(seed)))
    sync_widgets(run)
    st.switch_page("app.py")

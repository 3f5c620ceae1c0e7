"""Streamlit glue shared by every page: page setup, the per-user session, the settings controls."""

from __future__ import annotations

import streamlit as st
from threadpoolctl import threadpool_limits

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS, datasets

from .session import TrainingSession
from .settings import Settings, make_settings

SESSION_KEY = "lab_session"
SPEEDS = ["1", "10", "100", "1000", "max"]
CSS = """
<style>
[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem; }
</style>
"""

# Tiny matrices: thread pools only add overhead, and the server is shared by every user.
threadpool_limits(1)


PAGES = [
    ("app.py", "Live training", ":material/monitoring:"),
    ("pages/1_Gradient_check.py", "Gradient check", ":material/rule:"),
    ("pages/2_Backward_pass.py", "Backward pass, step by step", ":material/replay:"),
    ("pages/3_Network_and_surfaces.py", "Network and surfaces", ":material/hub:"),
    ("pages/4_Initialisation_lottery.py", "Initialisation lottery", ":material/casino:"),
]


def setup_page(title: str) -> None:
    """Page config, styles and the sidebar's page links (with readable names)."""
    st.set_page_config(page_title=f"{title} · Backprop Lab", page_icon="🧠", layout="wide")
    st.markdown(CSS, unsafe_allow_html=True)
    for path, label, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()


def get_session() -> TrainingSession:
    """This user's session, created with the reference settings on first use (any page)."""
    if SESSION_KEY not in st.session_state:
        st.session_state[SESSION_KEY] = TrainingSession()
    return st.session_state[SESSION_KEY]


def _seed_widgets(settings: Settings) -> None:
    """Give each control its value from our own state: widget values die on page switches."""
    defaults = {
        "dataset": settings.dataset,
        "hidden_layers": settings.hidden_text,
        "learning_rate": settings.learning_rate,
        "activation": settings.activation,
        "cost": settings.cost,
        "init": settings.init,
        "seed": settings.seed,
        "epochs_per_refresh": "max",
    }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def settings_controls(session: TrainingSession) -> Settings | None:
    """The sidebar controls. Returns valid Settings, or None after showing what is wrong."""
    _seed_widgets(session.settings)
    side = st.sidebar
    side.header("Network")
    dataset = side.selectbox(
        "Dataset", datasets.names(), key="dataset", format_func=lambda n: datasets.get(n).title
    )
    hidden = side.text_input(
        "Hidden layer sizes",
        key="hidden_layers",
        help="Comma-separated widths, e.g. 2, 2. Up to 8 layers of 1–64.",
    )
    activation = side.selectbox("Activation", list(ACTIVATIONS), key="activation")
    cost = side.selectbox(
        "Cost", list(COSTS), key="cost", help="Cross-entropy always uses sigmoid outputs."
    )
    init = side.selectbox("Initialisation", list(INITIALISERS), key="init")
    seed = side.number_input("Seed", step=1, key="seed")
    side.header("Training")
    lr = side.number_input("Learning rate η", step=0.1, format="%g", key="learning_rate")
    side.select_slider(
        "Epochs per refresh",
        SPEEDS,
        key="epochs_per_refresh",
        help="'max' trains as many epochs as fit in each refresh.",
    )
    try:
        return make_settings(dataset, hidden, lr, activation, cost, init, seed)
    except ValueError as err:
        side.error(f"{err}. Keeping the last good network.")
        return None


def epochs_per_refresh() -> int | None:
    """The speed control's value: epochs per redraw, or None for as fast as possible."""
    speed = st.session_state.get("epochs_per_refresh", "max")
    return None if speed == "max" else int(speed)


def training_buttons(session: TrainingSession) -> None:
    """Train, Pause, Step, Step 100 and Reset: callbacks that change the session's run state."""

    def start() -> None:
        session.start()
        st.session_state.pop("notice", None)

    buttons = [
        ("Train", "train", ":material/play_arrow:", start, ()),
        ("Pause", "pause", ":material/pause:", session.pause, ()),
        ("Step 1 epoch", "step", ":material/skip_next:", session.step, (1,)),
        ("Step 100", "step_100", ":material/fast_forward:", session.step, (100,)),
        ("Reset", "reset", ":material/restart_alt:", session.reset, ()),
    ]
    for col, (label, key, icon, action, args) in zip(st.columns(len(buttons)), buttons):
        col.button(
            label,
            key=key,
            icon=icon,
            on_click=action,
            args=args,
            width="stretch",
            type="primary" if key == "train" else "secondary",
        )


def inspection_session() -> TrainingSession:
    """The session for a teaching page: training pauses while the network is inspected."""
    session = get_session()
    if session.running:
        session.pause()
        st.toast("Training paused while you inspect the network.")
    return session


def describe(session: TrainingSession) -> str:
    s = session.settings
    return (
        f"{session.data.title}, network {'-'.join(map(str, session.network.sizes))}, "
        f"{s.activation}, {s.cost}, η = {s.learning_rate:g}, seed {s.seed}, "
        f"epoch {session.epoch:,}. Change it on the Live training page."
    )

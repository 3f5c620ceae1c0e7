"""Streamlit glue shared by every page: page setup, the per-user session, the settings controls."""

from __future__ import annotations

import streamlit as st
from threadpoolctl import threadpool_limits

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS, datasets

from .session import TrainingSession
from .settings import (
    CUSTOM_DATASET,
    SPEEDS,
    Settings,
    make_settings,
    settings_from_query,
)
from .text import plain

SESSION_KEY = "lab_session"
# A fixed scrollbar and reserved chart heights: a redrawn chart must not shift the page,
# which would make every other chart resize and redraw too. Wide uploaded tables scroll.
_LAYOUT_CSS = """
[data-testid="stMain"] { overflow-y: scroll; }
.st-key-cost_chart, .st-key-delta_chart { min-height: %dpx; }
.st-key-outputs_table table { display: block; overflow-x: auto; }
"""
CSS = (
    "<style>"
    + _LAYOUT_CSS % 380
    + """[data-testid="stMetricValue"] { font-size: 2.6rem; }
[data-testid="stMetricLabel"] p { font-size: 1.2rem; }
</style>"""
)
LECTURE_CSS = (
    "<style>"
    + _LAYOUT_CSS % 520
    + """html { font-size: 22px; }
[data-testid="stMetricValue"] { font-size: 3.4rem; }
</style>"""
)
PAGES = [
    ("app.py", "Live training", ":material/monitoring:"),
    ("pages/1_Gradient_check.py", "Gradient check", ":material/rule:"),
    ("pages/2_Backward_pass.py", "Backward pass, step by step", ":material/replay:"),
    ("pages/3_Network_and_surfaces.py", "Network and surfaces", ":material/hub:"),
    ("pages/4_Initialisation_lottery.py", "Initialisation lottery", ":material/casino:"),
]

# Tiny matrices: thread pools only add overhead, and the server is shared by every user.
threadpool_limits(1)


def lecture_mode() -> bool:
    return bool(st.session_state.get("lecture_mode", False))


def lecture_toggle() -> None:
    """The lecture-mode switch; its value lives in our own key so it survives page switches."""
    st.session_state["lecture_toggle"] = lecture_mode()

    def flip() -> None:
        st.session_state["lecture_mode"] = st.session_state["lecture_toggle"]

    st.sidebar.toggle(
        "Lecture mode",
        key="lecture_toggle",
        on_change=flip,
        help="Big fonts and figures, no settings panel, only Train, Pause, Step "
        "and Reset. Also in the URL as lecture=1.",
    )


def setup_page(title: str) -> None:
    """Page config, styles and the sidebar's page links (with readable names)."""
    get_session()  # first, so that a shared link's lecture=1 applies to this very run
    st.set_page_config(
        page_title=f"{title} · Backprop Lab",
        page_icon="🧠",
        layout="wide",
        initial_sidebar_state="collapsed" if lecture_mode() else "auto",
    )
    st.html(LECTURE_CSS if lecture_mode() else CSS)
    for path, label, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()


def get_session() -> TrainingSession:
    """This user's session. The first run builds it from the URL (a shared link) or defaults."""
    if SESSION_KEY not in st.session_state:
        settings, panels, warnings = settings_from_query(st.query_params.to_dict())
        st.session_state[SESSION_KEY] = TrainingSession(settings)
        st.session_state["lecture_mode"] = panels["lecture"]
        st.session_state[SESSION_KEY].speed = panels["speed"]
        st.session_state["url_warnings"] = warnings
    return st.session_state[SESSION_KEY]


def show_url_warnings() -> None:
    for warning in st.session_state.pop("url_warnings", []):
        st.warning(plain(warning))


def sync_widgets(settings: Settings) -> None:
    """Put ``settings`` into the controls' keys (widget values die on page switches)."""
    values = {
        "dataset": settings.dataset,
        "hidden_layers": settings.hidden_text,
        "learning_rate": settings.learning_rate,
        "activation": settings.activation,
        "cost": settings.cost,
        "init": settings.init,
        "seed": settings.seed,
    }
    for key, value in values.items():
        st.session_state[key] = value


def settings_controls(session: TrainingSession) -> Settings | None:
    """The sidebar controls. Returns valid Settings, or None after showing what is wrong."""
    if "hidden_layers" not in st.session_state:
        sync_widgets(session.settings)
        st.session_state["epochs_per_refresh"] = session.speed
    side = st.sidebar
    side.header("Network")
    names = datasets.names() + ([CUSTOM_DATASET] if session.custom_data else [])
    titles = {CUSTOM_DATASET: session.custom_data.title if session.custom_data else ""}
    dataset = side.selectbox(
        "Dataset",
        names,
        key="dataset",
        format_func=lambda n: titles.get(n) or datasets.get(n).title,
    )
    hidden = side.text_input(
        "Hidden layer sizes",
        key="hidden_layers",
        help="Comma-separated widths, e.g. 2, 2. Up to 8 layers of 1–64, or none.",
    )
    activation = side.selectbox("Activation", list(ACTIVATIONS), key="activation")
    cost = side.selectbox(
        "Cost", list(COSTS), key="cost", help="Cross-entropy always uses sigmoid outputs."
    )
    init = side.selectbox("Initialisation", list(INITIALISERS), key="init")
    seed = side.number_input("Seed", step=1, key="seed")
    side.header("Training")
    lr = side.number_input("Learning rate η", step=0.1, format="%g", key="learning_rate")
    session.speed = side.selectbox(
        "Epochs per refresh",
        SPEEDS,
        key="epochs_per_refresh",
        help="'max' trains as many epochs as fit in each refresh.",
    )
    try:
        return make_settings(dataset, hidden, lr, activation, cost, init, seed)
    except ValueError as err:
        side.error(plain(f"{err}. Keeping the last good network."))
        return None


def training_buttons(session: TrainingSession) -> None:
    """Train, Pause, Step, Step 100 and Reset (no Step 100 in lecture mode)."""

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
    if lecture_mode():
        buttons = [b for b in buttons if b[1] != "step_100"]
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


def teaching_page(tab_title: str, heading: str) -> TrainingSession:
    """The header of a teaching page: the session (training pauses while the network is
    inspected), the heading, and a line saying which network is shown."""
    setup_page(tab_title)
    session = get_session()
    if session.running:
        session.pause()
        st.toast("Training paused while you inspect the network.")
    st.title(heading)
    st.caption(plain(_describe(session)))
    return session


def _describe(session: TrainingSession) -> str:
    s = session.settings
    return (
        f"{session.data.title}, network {'-'.join(map(str, session.network.sizes))}, "
        f"{s.activation}, {s.cost}, η = {s.learning_rate:g}, seed {s.seed}, "
        f"epoch {session.epoch:,}. Change it on the Live training page."
    )


YES, NO = ":green[:material/check_circle: yes]", ":red[:material/cancel: no]"


def markdown_table(table: dict[str, list]) -> str:
    """A markdown table with a column per key; True and False show as a green yes, a red no."""

    def cell(value: object) -> str:
        if isinstance(value, bool):
            return YES if value else NO
        if isinstance(value, float):
            return f"{value:g}" if value.is_integer() else f"{value:.4f}"
        return plain(str(value))

    lines = ["| " + " | ".join(map(plain, table)) + " |", "|" + " ---: |" * len(table)]
    lines += ["| " + " | ".join(map(cell, row)) + " |" for row in zip(*table.values())]
    return "\n".join(lines)


def show_outputs_table(table: dict[str, list]) -> None:
    """The outputs table as markdown, which loads far faster in the browser than a data grid.
    Long or wide uploaded tables scroll."""
    rows = len(next(iter(table.values())))
    box = st.container(height=420 if rows > 8 else "content", border=False, key="outputs_table")
    box.markdown(markdown_table(table))

"""Streamlit glue shared by every page: page setup, the per-user session, the settings controls."""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx
from threadpoolctl import threadpool_limits

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS
from backprop_core.datasets import PLAYGROUND
from backprop_core.features import FEATURES, check_features
from backprop_core.regularization import REGULARIZERS
from backprop_core.validation import MAX_SEED
from dashboard.figures.thumbnails import dataset_thumbnail
from dashboard.state.scheduler import SCHEDULER, SERVER_ID, SERVER_ID_PATTERN
from dashboard.state.session import TrainingSession
from dashboard.state.settings import (
    CUSTOM_DATASET,
    DATASETS,
    MAX_NOISE_PERCENT,
    REGULARIZATION_RATES,
    SPEEDS,
    TRAIN_PERCENTS,
    Settings,
    check_learning_rate,
    check_seed,
    dataset_title,
    option_name,
    parse_batch,
    parse_hidden,
    settings_from_query,
)
from dashboard.state.snapshot import RunSnapshot
from dashboard.teaching.inside import Stability, stability
from dashboard.text import plain

SESSION_KEY = "lab_session"
T = TypeVar("T")
INVALID_FIELD = "border-color: #c62828 !important; background-color: #fdecea !important;"
# A fixed scrollbar: a redrawn chart must not shift the page, which would make every other
# chart resize and redraw too. Wide uploaded tables scroll. Captions dark enough for a hall.
_COMMON_CSS = """
[data-testid="stMain"] { overflow-y: scroll; }
.st-key-outputs_table table { display: block; overflow-x: auto; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p { color: #3d4150; }
"""
CSS = (
    "<style>"
    + _COMMON_CSS
    + """[data-testid="stMetricValue"] { font-size: 2.2rem; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; }
</style>"""
)
# Lecture mode fits a 1280×720 projector: less padding, a smaller title, big numbers.
LECTURE_CSS = (
    "<style>"
    + _COMMON_CSS
    + """html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2rem 1rem 2rem; max-width: none; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stMetricValue"] { font-size: 2.2rem; }
.st-key-lecture_title p { font-size: 1.3rem; margin: 0 0 0 2.2rem; }
[data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"] { padding: 0 0.4rem; }
</style>"""
)
# One line of help beside the first appearance of each idea.
HELP = {
    "test_cost": "The cost on the test points, which training never sees.",
    "accuracy": "The share of points whose rounded output equals their label.",
    "surface": (
        "The network's output over the input square, computed for a 50×50 grid: blue where "
        "it says 0, orange where it says 1, white at the boundary. The dots are the training "
        "points, coloured by label; with Show test data, the test points are ringed in black."
    ),
    "noise": "How far the 2-D points are jittered, as in the playground: 0 to 50 %.",
    "train_share": "The share of the points used for training; the rest are the test set.",
    "data_seed": "Draws the points and the split; Regenerate draws new ones.",
    "regenerate": "New points from the next data seed: a new network on new data.",
    "features": "The network's inputs, computed from each point (x1, x2).",
    "discretize": "Colour the surface by the rounded output: the decision boundary is sharp.",
    "batch": "Rows per update: 'full' (every row) or a whole number; each epoch shuffles.",
    "regularization": "A weight penalty λ·R(W): L1 = Σ|w|, L2 = ½Σw². Applies at once.",
    "epoch": "How many full-batch updates the network has had: one epoch uses every row once.",
    "cost": "The cost C of the parameters shown, over all training rows.",
    "outputs": "Training rows whose every output, rounded to 0 or 1, equals its target.",
    "plateau": (
        "The plateau: for hundreds of epochs the half adder sits near C ≈ 0.21, where every "
        "output is about the mean of its targets, before the hidden units split the inputs."
    ),
    "delta": (
        "δˡ = ∂C/∂zˡ, the error signal of layer l: δᴸ at the output, then back layer by layer, "
        "δˡ = (δˡ⁺¹ Wˡ⁺¹ᵀ) ⊙ σ′(zˡ). Lines that fall apart are vanishing gradients."
    ),
    "row_vectors": (
        "Each row of the data is a row vector, so a layer computes zˡ = aˡ⁻¹ Wˡ + bˡ: row i of "
        "Wˡ holds the weights out of neuron i. Books that write z = W a + b use the transpose."
    ),
}
PAGES = [
    ("app.py", "Live training", ":material/monitoring:"),
    ("pages/1_Gradient_check.py", "Gradient check", ":material/rule:"),
    ("pages/2_Backward_pass.py", "Backward pass, step by step", ":material/replay:"),
    ("pages/3_Network_and_surfaces.py", "Network and surfaces", ":material/hub:"),
    ("pages/4_Initialisation_lottery.py", "Initialisation lottery", ":material/casino:"),
    ("pages/5_Inside_the_gradient.py", "Inside the gradient", ":material/troubleshoot:"),
]

# Tiny matrices: thread pools only add overhead, and the server is shared by every user.
threadpool_limits(1)


def fair_seconds(seconds: float) -> float:
    """A page's budget for a slow computation: ``seconds`` alone on the server, its share when
    others train (a sampled check then samples less, but still answers in about that time)."""
    return seconds / max(1, SCHEDULER.training)


@contextmanager
def server_turn() -> Iterator[None]:
    """Heavy page work, done in one of the scheduler's turns while others train: it takes its
    share of the server instead of slowing down every training turn it overlaps."""
    if SCHEDULER.training:
        with SCHEDULER.turn():
            yield
    else:
        yield


def charged_to(session: TrainingSession) -> Callable[[Callable[[], None]], Callable[[], None]]:
    """A decorator: the processor time a page part takes is charged to ``session``'s training
    (``TrainingSession.charge``), so a heavy page slows its own student, not the class."""

    def wrap(part: Callable[[], None]) -> Callable[[], None]:
        @functools.wraps(part)
        def charged() -> None:
            started = time.thread_time()
            try:
                if SCHEDULER.training > 1:  # drawn between two training turns, not during one
                    with SCHEDULER.turn(first=True):
                        part()
                else:
                    part()
            finally:
                session.charge(time.thread_time() - started)

        return charged

    return wrap


def lecture_mode() -> bool:
    return bool(st.session_state.get("lecture_mode", False))


def lecture_toggle() -> None:
    """The lecture-mode switch; its value lives in our own key so it survives page switches."""
    st.session_state["lecture_toggle"] = lecture_mode()

    def flip() -> None:
        st.session_state["lecture_mode"] = st.session_state["lecture_toggle"]
        if st.session_state["lecture_mode"]:
            get_session().stop_when_solved = True  # a demo stops once the point is made

    st.sidebar.toggle(
        "Lecture mode",
        key="lecture_toggle",
        on_change=flip,
        help="Big fonts and charts that fit a 720p projector: the buttons, the dataset, η and "
        "the speed, without the settings panel. Also in the URL as lecture=1; hide=dataset,"
        "lr,speed,step,step_100,reset hides some of those.",
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
        try:
            session = TrainingSession(settings)
        except ValueError as err:  # a batch size larger than this dataset's training rows
            warnings.append(f"URL parameter batch: {err}; using full batch instead")
            session = TrainingSession(settings.with_(batch=None))
        session.connected = _connection_check()
        if restarted(st.query_params.get("server")):
            warnings.insert(0, RESTARTED)
        st.session_state[SESSION_KEY] = session
        st.session_state["lecture_mode"] = panels["lecture"]
        st.session_state["lecture_hide"] = panels["hide"]
        st.session_state[SESSION_KEY].stop_when_solved = panels["stop_solved"]
        st.session_state[SESSION_KEY].speed = panels["speed"]
        st.session_state["url_warnings"] = warnings
    return st.session_state[SESSION_KEY]


def restarted(server: str | None) -> bool:
    """Whether a link's ``server=`` names another server process (one that has restarted);
    anything that is not such a name is no evidence of it."""
    named = server is not None and re.fullmatch(SERVER_ID_PATTERN, server) is not None
    return named and server != SERVER_ID


RESTARTED = (
    "The server restarted since this page was last open: its training state was lost, and "
    "your settings came back from the link."
)


def _connection_check() -> Callable[[], bool]:
    """Whether this browser session is still connected, as Streamlit's runtime knows it."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


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
    values.update(
        noise=settings.noise,
        train_share=settings.train,
        data_seed=settings.data_seed,
        features=list(settings.features),
        batch="full" if settings.batch is None else str(settings.batch),
        regularization=settings.regularization,
        regularization_rate=settings.rate,
        show_test=settings.show_test,
        discretize=settings.discretize,
    )
    for key, value in values.items():
        st.session_state[key] = value


def _seed_widgets(session: TrainingSession, key: str) -> None:
    """Streamlit forgets a widget's value when a run does not draw it (another page, or the
    other mode): fill the controls from the session again when ``key`` is gone."""
    if key not in st.session_state:
        sync_widgets(session.settings)
        st.session_state["epochs_per_refresh"] = session.speed


def _checked(
    box: DeltaGenerator, key: str, check: Callable[[object], T], value: object
) -> T | None:
    """``check(value)``; on a ValueError, the message right under the field, which turns red."""
    try:
        return check(value)
    except ValueError as err:
        box.error(plain(f"{err}. Keeping the last good network."))
        box.html(f"<style>.st-key-{key} [data-baseweb] {{ {INVALID_FIELD} }}</style>")
        return None


def settings_controls(session: TrainingSession) -> Settings | None:
    """The sidebar controls. Returns valid Settings, or None after showing what is wrong
    next to the field that holds it."""
    _seed_widgets(session, "hidden_layers")
    side = st.sidebar
    side.header("Network")
    dataset = _dataset_box(side, session)
    dataset_pictures(side)
    hidden = side.text_input(
        "Hidden layer sizes",
        key="hidden_layers",
        help="Comma-separated widths, e.g. 2, 2. Up to 8 layers of 1–64, or none.",
    )
    hidden = _checked(side, "hidden_layers", parse_hidden, hidden)
    activation = side.selectbox(
        "Activation", list(ACTIVATIONS), key="activation", format_func=option_name
    )
    cost = side.selectbox(
        "Cost",
        list(COSTS),
        key="cost",
        format_func=option_name,
        help="Cross-entropy always uses sigmoid outputs.",
    )
    init = side.selectbox("Initialisation", list(INITIALISERS), key="init", format_func=option_name)
    seed = _checked(side, "seed", check_seed, side.number_input("Seed", step=1, key="seed"))
    data = _data_controls(side, session, dataset)
    side.header("Training")
    lr = _learning_rate(side)
    if not session.running:
        _stability_note(side, session, lr)
    session.speed = _speed_box(side)
    training = _training_controls(side)
    if hidden is None or seed is None or lr is None or data is None or training is None:
        return None
    return Settings(dataset, hidden, lr, activation, cost, init, seed, **data, **training)


def _data_controls(side: DeltaGenerator, session: TrainingSession, dataset: str) -> dict | None:
    """Noise, training share, data seed, features and the display toggles of the 2-D sets."""
    current = session.settings
    if dataset not in PLAYGROUND:
        return dict(
            noise=current.noise,
            train=current.train,
            data_seed=current.data_seed,
            features=current.features,
            show_test=current.show_test,
            discretize=current.discretize,
        )
    side.header("Data")
    noise = side.slider("Noise %", 0, MAX_NOISE_PERCENT, key="noise", help=HELP["noise"])
    train = side.select_slider(
        "Training share %", TRAIN_PERCENTS, key="train_share", help=HELP["train_share"]
    )
    seed_box = side.number_input("Data seed", step=1, key="data_seed", help=HELP["data_seed"])
    data_seed = _checked(side, "data_seed", check_seed, seed_box)

    def regenerate() -> None:
        seed = st.session_state.get("data_seed")
        if isinstance(seed, int) and 0 <= seed < MAX_SEED:
            st.session_state["data_seed"] = seed + 1

    side.button("Regenerate", key="regenerate", on_click=regenerate, help=HELP["regenerate"])
    names = side.multiselect(
        "Input features", list(FEATURES), key="features", help=HELP["features"]
    )
    features = _checked(side, "features", check_features, names)
    show_test = side.toggle("Show test data", key="show_test")
    discretize = side.toggle("Discretize output", key="discretize", help=HELP["discretize"])
    if data_seed is None or features is None:
        return None
    return dict(
        noise=noise,
        train=train,
        data_seed=data_seed,
        features=features,
        show_test=show_test,
        discretize=discretize,
    )


def _training_controls(side: DeltaGenerator) -> dict | None:
    """Batch size, and the weight penalty with its rate λ."""
    batch_text = side.text_input("Batch size", key="batch", help=HELP["batch"])
    # parse_batch gives None for full batch, so the check returns it boxed
    checked = _checked(side, "batch", lambda v: [parse_batch(v)], batch_text.strip() or "full")
    regularization = side.selectbox(
        "Regularization", list(REGULARIZERS), key="regularization", help=HELP["regularization"]
    )
    rate = side.select_slider(
        "Regularization rate λ",
        REGULARIZATION_RATES,
        key="regularization_rate",
        format_func=lambda r: f"{r:g}",
    )
    if checked is None:
        return None
    return dict(batch=checked[0], regularization=regularization, rate=rate)


def apply_settings(session: TrainingSession, settings: Settings | None) -> None:
    """Hand valid settings to the session; a notice says what a new network means."""
    if settings is None:
        return
    try:
        if notice := session.apply(settings):
            st.session_state["notice"] = notice
    except ValueError as err:
        st.error(plain(str(err)))


def display_toggles(session: TrainingSession) -> None:
    """How training stops and how the epoch axis is drawn."""
    st.session_state["stop_when_solved"] = session.stop_when_solved

    def flip() -> None:
        session.stop_when_solved = st.session_state["stop_when_solved"]

    st.sidebar.toggle(
        "Stop when solved",
        key="stop_when_solved",
        on_change=flip,
        help="Pause once every output rounds to its target. On by default in lecture mode.",
    )
    st.sidebar.toggle(
        "Log-scale epoch axis",
        key="log_epochs",
        help="The plateau and the drop happen in the first few percent of a long run.",
    )


def _lecture_controls(session: TrainingSession, boxes: dict) -> Settings | None:
    """Lecture mode's controls on the page itself (the dataset, η, the speed), in ``boxes``
    keyed by name. Returns the settings they give, or None after showing an error."""
    _seed_widgets(session, "learning_rate")
    settings = session.settings
    if "dataset" in boxes:
        settings = settings.with_(dataset=_dataset_box(boxes["dataset"], session))
    if "lr" in boxes:
        lr = _learning_rate(boxes["lr"])
        if lr is None:
            return None
        settings = settings.with_(learning_rate=lr)
    if "speed" in boxes:
        session.speed = _speed_box(boxes["speed"])
    return settings


def _dataset_box(box: DeltaGenerator, session: TrainingSession) -> str:
    names = DATASETS + ([CUSTOM_DATASET] if session.custom_data else [])
    titles = {CUSTOM_DATASET: session.custom_data.title if session.custom_data else ""}
    return box.selectbox(
        "Dataset",
        names,
        key="dataset",
        format_func=lambda n: titles.get(n) or dataset_title(n),
    )


SHORT_NAMES = {  # what fits a picture's button in the sidebar
    "circle": "Circle",
    "xor": "XOR",
    "gauss": "Gaussians",
    "spiral": "Spiral",
    "plane": "Plane",
    "multi_gauss": "Bumps",
}


def dataset_pictures(box: DeltaGenerator) -> None:
    """The 2-D point sets as small pictures, each with a button that picks it."""

    def pick(name: str) -> None:
        st.session_state["dataset"] = name

    with box.expander("2-D point sets by their look"):
        names = list(PLAYGROUND)
        for start in range(0, len(names), 2):  # two across: three cut the names short
            for name, col in zip(names[start : start + 2], st.columns(2)):
                col.image(dataset_thumbnail(name), width=64)
                col.button(
                    SHORT_NAMES[name],
                    key=f"pick_{name}",
                    on_click=pick,
                    args=(name,),
                    use_container_width=True,
                )


def _learning_rate(box: DeltaGenerator) -> float | None:
    lr = box.number_input("Learning rate η", step=0.1, format="%g", key="learning_rate")
    return _checked(box, "learning_rate", check_learning_rate, lr)


def cached(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this user's session under ``name`` until ``key`` changes: a rerun
    for another control does not redo a slow computation."""
    held = st.session_state.get(f"_cached_{name}")
    if held is None or held[0] != key:
        held = (key, compute())
        st.session_state[f"_cached_{name}"] = held
    return held[1]


def stability_of(snapshot: RunSnapshot, X: np.ndarray, T: np.ndarray) -> Stability:
    """λ_max and 2/λ_max for the snapshot's parameters, computed once per parameter vector."""

    def compute() -> Stability:
        with server_turn():
            return stability(snapshot.network, X, T)

    return cached("stability", (snapshot.key, X.shape), compute)


def _stability_note(box: DeltaGenerator, session: TrainingSession, eta: float | None) -> None:
    """Beside η: the largest step that plain gradient descent can take stably from here, for
    the learning rate in the field (``eta``; the session's when the field is not valid)."""
    snapshot = session.snapshot()
    if snapshot.diverged:
        return
    limit = stability_of(snapshot, snapshot.data.X, snapshot.data.T).limit
    eta = snapshot.settings.learning_rate if eta is None else eta
    side = "above" if eta > limit else "below"
    box.caption(
        plain(
            f"2/λ_max = {limit:.3g} at these parameters; η = {eta:g} is {side} it. Above it, "
            "plain gradient descent is unstable along the sharpest direction (see Inside the "
            "gradient)."
        )
    )


def _speed_box(box: DeltaGenerator) -> str:
    return box.selectbox(
        "Speed",
        SPEEDS,
        key="epochs_per_refresh",
        help="Epochs per redraw; 'max' trains as many as fit between two redraws.",
    )


def lecture_hidden() -> tuple[str, ...]:
    """The lecture-mode controls a link asked to hide (hide=dataset,speed)."""
    return st.session_state.get("lecture_hide", ())


def training_buttons(session: TrainingSession) -> Settings | None:
    """Train, Pause, Step 1, Step 100 and Reset, less those a link hides in lecture mode,
    where the dataset, η and speed controls share their row. Returns the lecture controls'
    settings (None in normal mode or after an error)."""

    def start() -> None:
        session.start()
        st.session_state.pop("notice", None)

    buttons = [
        ("Train", "train", ":material/play_arrow:", start, ()),
        ("Pause", "pause", ":material/pause:", session.pause, ()),
        ("Step 1", "step", ":material/skip_next:", session.step, (1,)),
        ("Step 100", "step_100", ":material/fast_forward:", session.step, (100,)),
        ("Reset", "reset", ":material/restart_alt:", session.reset, ()),
    ]
    controls = []
    if lecture_mode():
        buttons = [b for b in buttons if b[1] not in lecture_hidden()]
        controls = [name for name in ("dataset", "lr", "speed") if name not in lecture_hidden()]
    widths = [1] * len(buttons) + [1.25] * len(controls)
    cols = st.columns(widths, vertical_alignment="bottom")
    for col, (label, key, icon, action, args) in zip(cols, buttons):
        col.button(
            label,
            key=key,
            icon=icon,
            on_click=action,
            args=args,
            width="stretch",
            type="primary" if key == "train" else "secondary",
        )
    if lecture_mode():
        return _lecture_controls(session, dict(zip(controls, cols[len(buttons) :])))
    return None


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
        f"{option_name(s.activation)}, {option_name(s.cost)}, η = {s.learning_rate:g}, "
        f"seed {s.seed}, "
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

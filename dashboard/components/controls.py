"""The controls: the sidebar's settings, the training buttons, lecture mode's row and switches.

Every control takes its key and label from its setting's entry in ``SCHEMA`` and reads its
value back through it; a bad value shows its message right under the field.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS
from backprop_core.datasets import PLAYGROUND
from backprop_core.features import FEATURES
from backprop_core.regularization import REGULARIZERS
from backprop_core.validation import MAX_SEED
from dashboard.components.bootstrap import cached, get_run, seed_widgets, server_turn
from dashboard.components.chrome import HELP, lecture_mode
from dashboard.components.keys import keys
from dashboard.figures.thumbnails import dataset_thumbnail
from dashboard.state.checks import (
    CUSTOM_DATASET,
    DATASETS,
    DECADE_SECONDS,
    MAX_NOISE_PERCENT,
    REGULARIZATION_RATES,
    SPEEDS,
    TRAIN_PERCENTS,
    dataset_title,
    option_name,
    speed_name,
)
from dashboard.state.run import Run
from dashboard.state.settings import BY_FIELD, Setting, Settings
from dashboard.state.snapshot import RunSnapshot
from dashboard.state.worker import Worker
from dashboard.teaching.inside import Stability, stability
from dashboard.text import count, plain, short

INVALID_FIELD = "border-color: #c62828 !important; background-color: #fdecea !important;"
INVALID = object()  # what ``control`` gives for a value its setting refuses


def control(box: DeltaGenerator, kind: str, field: str, *args, **options) -> object:
    """The control of setting ``field`` (``box.<kind>``, with the schema's key and label), read
    back as the setting's value; on a ValueError, the message goes right under the field,
    which turns red, and the result is INVALID."""
    setting = BY_FIELD[field]
    options.setdefault("help", setting.help or None)
    if kind == "number_input":  # it cannot hold bad text, so it goes back to the last good value
        options.update(on_change=_keep_last_good, args=(setting,))
    value = getattr(box, kind)(setting.label, *args, key=setting.widget, **options)
    refused = st.session_state.get(f"{setting.widget}_refused")
    if refused:
        box.error(plain(refused))
    try:
        return setting.read_widget(value)
    except ValueError as err:
        box.error(plain(f"{err}. Keeping the last good network."))
        box.html(f"<style>.st-key-{setting.widget} [data-baseweb] {{ {INVALID_FIELD} }}</style>")
        return INVALID


def _keep_last_good(setting: Setting) -> None:
    """A number field's new value is refused: the field shows the last good value again, and
    the message under it says what was refused."""
    key = setting.widget
    try:
        setting.read_widget(st.session_state.get(key))
        st.session_state.pop(f"{key}_refused", None)
    except ValueError as err:
        last = setting.widget_value(get_run().settings)
        st.session_state[f"{key}_refused"] = f"{err}; the field is back at {last:g}."
        st.session_state[key] = last


def _valid(current: Settings, values: dict) -> Settings | None:
    """``current`` with the controls' values, or None when one is INVALID. A control that still
    shows what ``current`` gives leaves its field as it was: a setting that follows the mode
    (the speed, say) keeps following it."""
    if any(value is INVALID for value in values.values()):
        return None
    changed = {}
    for field, value in values.items():
        setting = BY_FIELD[field]
        if value != setting.read_widget(setting.widget_value(current)):
            changed[field] = value
    return current.with_(**changed)


def settings_controls(run: Run, running: bool) -> Settings | None:
    """The sidebar controls. Returns valid Settings, or None after showing what is wrong
    next to the field that holds it."""
    seed_widgets(run, "hidden_layers")
    side, values = st.sidebar, {}
    side.header("Network")
    values["dataset"] = _dataset_box(side, run.snapshot())
    dataset_pictures(side)
    values["hidden"] = control(side, "text_input", "hidden")
    values["activation"] = control(
        side, "selectbox", "activation", list(ACTIVATIONS), format_func=option_name
    )
    values["cost"] = control(side, "selectbox", "cost", list(COSTS), format_func=option_name)
    values["init"] = control(side, "selectbox", "init", list(INITIALISERS), format_func=option_name)
    values["seed"] = control(side, "number_input", "seed", step=1)
    if values["dataset"] in PLAYGROUND:
        values.update(_data_controls(side))
    side.header("Training")
    values["learning_rate"] = _learning_rate(side)
    if not running:
        _stability_note(side, run, values["learning_rate"])
    values["speed"] = _speed_box(side)
    if st.session_state.get(BY_FIELD["speed"].widget) == "paced":
        values["decade"] = control(
            side, "select_slider", "decade", DECADE_SECONDS, format_func=lambda d: f"{d} s"
        )
    batch_box = side.container()  # a batch larger than the data says so right under it
    values["batch"] = control(batch_box, "text_input", "batch")
    values["regularization"] = control(side, "selectbox", "regularization", list(REGULARIZERS))
    values["rate"] = control(
        side, "select_slider", "rate", REGULARIZATION_RATES, format_func=lambda r: f"{r:g}"
    )
    settings = _valid(run.settings, values)
    if settings is not None and not _batch_fits(run, settings, batch_box):
        return None
    return settings


def _batch_fits(run: Run, settings: Settings, box: DeltaGenerator) -> bool:
    """Whether the batch size fits these settings' training rows; if not, a message under the
    batch field names both numbers."""
    if settings.batch is None:
        return True
    if settings.dataset == CUSTOM_DATASET:
        rows = len(run.data.X)
    else:
        rows = len(settings.load_data()[0].X)
    if settings.batch <= rows:
        return True
    box.error(
        plain(
            f"batch size {settings.batch} is larger than the {count(rows, 'training row')} of "
            f"this dataset: use at most {rows:,}, or 'full'. Keeping the last good network."
        )
    )
    return False


def _data_controls(side: DeltaGenerator) -> dict:
    """Noise, training share, data seed, features and the display toggles of the 2-D sets."""
    side.header("Data")
    values = {
        "noise": control(side, "slider", "noise", 0, MAX_NOISE_PERCENT),
        "train": control(side, "select_slider", "train", TRAIN_PERCENTS),
        "data_seed": control(side, "number_input", "data_seed", step=1),
    }

    def regenerate() -> None:
        key = BY_FIELD["data_seed"].widget
        seed = st.session_state.get(key)
        if isinstance(seed, int) and 0 <= seed < MAX_SEED:
            st.session_state[key] = seed + 1

    side.button("Regenerate", key="regenerate", on_click=regenerate, help=HELP["regenerate"])
    values["features"] = control(side, "multiselect", "features", list(FEATURES))
    values["show_test"] = control(side, "toggle", "show_test")
    values["discretize"] = control(side, "toggle", "discretize")
    return values


def apply_settings(run: Run, running: bool, settings: Settings | None, box: DeltaGenerator) -> None:
    """Hand valid settings to the run; a notice says what a new network means, and an error
    goes into ``box``."""
    if settings is None:
        return
    try:
        changed = run.apply(settings)
    except ValueError as err:
        box.error(plain(str(err)))
        return
    if changed:
        notice = f"Re-initialised the network: {changed}."
        st.session_state["notice"] = notice + (
            " Training paused: press Train to go on." if running else ""
        )


def _switch(run: Run, field: str, box: DeltaGenerator, **options) -> None:
    """A switch for a setting that applies at once, on its own change."""
    setting = BY_FIELD[field]
    st.session_state[setting.widget] = setting.widget_value(run.settings)

    def flip() -> None:
        value = bool(st.session_state[setting.widget])
        changes = {field: value}
        if field == "lecture":  # each mode's own defaults: paced, and stopped when solved
            changes.update(stop_solved=None, speed=None, log_epochs=None)
        run.apply(run.settings.with_(**changes))

    box.toggle(setting.label, key=setting.widget, on_change=flip, help=setting.help, **options)


def lecture_toggle(run: Run) -> None:
    _switch(run, "lecture", st.sidebar)


def display_toggles(run: Run) -> None:
    """How training stops and how the epoch axis is drawn."""
    _switch(run, "stop_solved", st.sidebar)
    _switch(run, "log_epochs", st.sidebar)


def _dataset_box(box: DeltaGenerator, snapshot: RunSnapshot) -> object:
    names = DATASETS + ([CUSTOM_DATASET] if snapshot.has_custom_data else [])
    titles = {CUSTOM_DATASET: snapshot.custom_title or ""}
    return control(
        box, "selectbox", "dataset", names, format_func=lambda n: titles.get(n) or dataset_title(n)
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
        st.session_state[BY_FIELD["dataset"].widget] = name

    with box.expander("2-D point sets by their look"):
        names = list(PLAYGROUND)
        for start in range(0, len(names), 2):  # two across: three cut the names short
            for name, col in zip(names[start : start + 2], st.columns(2)):
                col.image(dataset_thumbnail(name), width=64, alt=f"{PLAYGROUND[name]} points")
                col.button(
                    SHORT_NAMES[name],
                    key=f"pick_{name}",
                    on_click=pick,
                    args=(name,),
                    use_container_width=True,
                )


def _learning_rate(box: DeltaGenerator) -> object:
    return control(box, "number_input", "learning_rate", step=0.1, format="%g")


def _speed_box(box: DeltaGenerator, label: str = "visible") -> object:
    """The speed control; with its label collapsed, each choice says it is the speed."""
    if label == "visible":
        return control(box, "selectbox", "speed", SPEEDS, format_func=speed_name)
    return control(
        box,
        "selectbox",
        "speed",
        SPEEDS,
        format_func=lambda s: f"Speed: {speed_name(s)}",
        label_visibility="collapsed",
    )


def stability_of(snapshot: RunSnapshot, X: np.ndarray, T: np.ndarray) -> Stability:
    """λ_max and 2/λ_max for the snapshot's parameters, computed once per parameter vector."""

    def compute() -> Stability:
        with server_turn():
            return stability(snapshot.network, X, T)

    return cached("stability", (snapshot.key, X.shape), compute)


def _stability_note(box: DeltaGenerator, run: Run, eta: object) -> None:
    """Beside η: the largest step that plain gradient descent can take stably from here, for
    the learning rate in the field (the run's when the field's value is not valid)."""
    snapshot = run.snapshot()
    if snapshot.diverged:
        return
    limit = stability_of(snapshot, snapshot.data.X, snapshot.data.T).limit
    eta = snapshot.settings.learning_rate if eta is INVALID else eta
    side = "above" if eta > limit else "below"
    box.caption(
        plain(
            f"2/λₘₐₓ = {short(limit)} at these parameters; η = {eta:g} is {side} it. Above it, "
            "plain gradient descent is unstable along the sharpest direction (see Inside the "
            "gradient)."
        )
    )


def _start(worker: Worker) -> None:
    worker.start()
    st.session_state.pop("notice", None)


def training_keys(worker: Worker) -> None:
    """Space, →, Shift+→ and R do what Train/Pause, Step 1, Step 100 and Reset do, less the
    buttons a link hides in lecture mode."""

    def train_or_pause() -> None:
        worker.pause() if worker.running else _start(worker)

    actions = {
        "train": ("train, or pause", train_or_pause),
        "step": ("train one epoch", functools.partial(worker.step, 1)),
        "step_100": ("train 100 epochs", functools.partial(worker.step, 100)),
        "reset": ("reset the network", worker.run.reset),
    }
    if lecture_mode():
        hidden = worker.run.settings.hide
        actions = {name: action for name, action in actions.items() if name not in hidden}
    keys(actions)


def training_buttons(worker: Worker, header: dict[str, DeltaGenerator]) -> Settings | None:
    """Train, Pause, Step 1, Step 100 and Reset, less those a link hides in lecture mode,
    where the dataset and η share their row, and the speed and *Stop when solved* go in the
    ``header`` boxes. Returns the lecture controls' settings (None in normal mode or after an
    error)."""
    run = worker.run
    buttons = [
        ("Train", "train", ":material/play_arrow:", _start, (worker,)),
        ("Pause", "pause", ":material/pause:", worker.pause, ()),
        ("Step 1", "step", ":material/skip_next:", worker.step, (1,)),
        ("Step 100", "step_100", ":material/fast_forward:", worker.step, (100,)),
        ("Reset", "reset", ":material/restart_alt:", run.reset, ()),
    ]
    lecture, hidden = lecture_mode(), run.settings.hide
    controls = []
    if lecture:
        buttons = [b for b in buttons if b[1] not in hidden]
        controls = [name for name in ("dataset", "lr") if name not in hidden]
    widths = [1] * len(buttons) + [1.6] * len(controls)
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
    if lecture:
        boxes = dict(zip(controls, cols[len(buttons) :]))
        if "speed" not in hidden:
            boxes["speed"] = header["speed"]
        return _lecture_controls(run, {**boxes, "stop": header["stop"]})
    return None


def _lecture_controls(run: Run, boxes: dict) -> Settings | None:
    """Lecture mode's controls on the page itself (the dataset, η, the speed), in ``boxes``
    keyed by name. Returns the settings they give, or None after showing an error."""
    seed_widgets(run, "learning_rate")
    values = {}
    if "dataset" in boxes:
        values["dataset"] = _dataset_box(boxes["dataset"], run.snapshot())
    if "lr" in boxes:
        values["learning_rate"] = _learning_rate(boxes["lr"])
    if "speed" in boxes:
        values["speed"] = _speed_box(boxes["speed"], label="collapsed")
    _switch(run, "stop_solved", boxes["stop"])
    return _valid(run.settings, values)

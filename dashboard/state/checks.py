"""What each setting may be: the allowed values, and the checks that turn text from a link or
a control into a value, each raising a ValueError that names the bad value and what is allowed."""

from __future__ import annotations

import math
import re

from backprop_core import datasets
from backprop_core.datasets import PLAYGROUND
from backprop_core.features import FEATURES, check_features
from backprop_core.training import validate_learning_rate
from backprop_core.validation import MAX_SEED, brief

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 64
MAX_PARAM_LENGTH = 200
CUSTOM_DATASET = "custom"  # an uploaded truth table; it lives in the session, not the URL
# The 2-D sets' "xor" takes the link name: the XOR truth table is "xor_table" in links.
TABLE_LINK_NAMES = {"xor": "xor_table"}
DATASETS = [TABLE_LINK_NAMES.get(n, n) for n in datasets.names()] + list(PLAYGROUND)
SOLVED_WITHIN = 0.1  # solved: every output this close to its target, past the drop
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_NOISE_PERCENT = 50
TRAIN_PERCENTS = tuple(range(10, 100, 10))
MAX_BATCH = 1000
SPEEDS = ["paced", "1", "10", "100", "1000", "max"]  # paced: a decade of epochs per few seconds
DECADE_SECONDS = (1, 3, 10)  # the paced speed's seconds per decade of epochs
# What a lecturer may hide from the audience in lecture mode, with a link's hide=dataset,speed.
HIDEABLE = ("dataset", "lr", "speed", "step", "step_100", "reset")
# What the controls show for each option's code name.
OPTION_NAMES = {
    "sigmoid": "sigmoid σ",
    "tanh": "tanh",
    "relu": "ReLU",
    "leaky_relu": "leaky ReLU",
    "identity": "identity (linear)",
    "mse": "mean squared error",
    "cross_entropy": "cross-entropy",
    "uniform": "uniform on [−1, 1]",
    "xavier": "Xavier (Glorot)",
    "he": "He",
}


def option_name(name: str) -> str:
    return OPTION_NAMES.get(name, name)


def core_dataset_name(name: str) -> str:
    """The engine's name for a dataset's link name (``xor_table`` is the engine's ``xor``)."""
    return {link: core for core, link in TABLE_LINK_NAMES.items()}.get(name, name)


def dataset_title(name: str) -> str:
    if name in PLAYGROUND:
        return PLAYGROUND[name]  # short enough for lecture mode's dataset box
    return datasets.get(core_dataset_name(name)).title


def output_activation_for(cost: str, activation: str) -> str:
    """The app uses one activation throughout, except sigmoid outputs for cross-entropy."""
    return "sigmoid" if cost == "cross_entropy" else activation


def parse_hidden(text: str) -> tuple[int, ...]:
    """'2, 2' → (2, 2); 'none' → () for no hidden layer. Raises ValueError with what is allowed."""
    allowed = (
        f"hidden layers must be up to {MAX_HIDDEN_LAYERS} comma-separated whole numbers "
        f"from 1 to {MAX_WIDTH}, like 2, 2 (or 'none')"
    )
    if not isinstance(text, str) or len(text) > 200:
        raise ValueError(f"{allowed}; got a value that is not short text")
    if text.strip().lower() == "none":
        return ()
    if not text.strip():
        raise ValueError(f"{allowed}; got an empty value")
    parts = [p.strip() for p in text.split(",")]
    bad = [p for p in parts if not re.fullmatch(r"[0-9]+", p)]  # ASCII: int() takes "٣" too
    if bad:
        raise ValueError(f"{allowed}; {brief(bad[0])} in {brief(text)} is not a whole number")
    sizes = tuple(int(p) for p in parts)
    if len(sizes) > MAX_HIDDEN_LAYERS:
        raise ValueError(f"{allowed}; {brief(text)} has {len(sizes)} layers")
    for n in sizes:
        if not 1 <= n <= MAX_WIDTH:
            where = f" in {brief(text)}" if len(text) < 20 else ""  # one echo of a long value
            raise ValueError(f"{allowed}; {brief(n)}{where} is out of range")
    return sizes


def _number_text(value: object) -> float:
    """A float from a number, or from text of ASCII digits and ``.``, ``-``, ``+``, ``e``;
    NaN for anything else (so every range check fails)."""
    if isinstance(value, str) and re.fullmatch(r"[0-9.eE+-]{1,40}", value):
        try:
            return float(value)
        except ValueError:
            return math.nan
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return math.nan


def check_learning_rate(value: object) -> float:
    """The engine's learning-rate check (10⁻⁶ to 1000), for a number or for text from a link,
    which may hold only ASCII digits and the ``.``, ``-``, ``+`` and ``e`` a float needs."""
    return validate_learning_rate(_number_text(value), quoted=value)


def check_seed(value: object) -> int:
    """A whole number from 0 to 2³² − 1."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_SEED:
        raise ValueError(f"seed must be a whole number from 0 to {MAX_SEED}, got {brief(value)}")
    return value


def check_choice(kind: str, value: object, allowed: list[str]) -> str:
    if value not in allowed:
        raise ValueError(f"unknown {kind} {brief(value)}; allowed: {', '.join(allowed)}")
    return value  # type: ignore[return-value]


def check_percent(kind: str, value: object, low: int, high: int, step: int = 1) -> int:
    """A whole percentage from ``low`` to ``high`` in steps of ``step``."""
    number = _number_text(value)
    if not (low <= number <= high and number.is_integer() and int(number) % step == 0):
        steps = f" in steps of {step}" if step > 1 else ""
        raise ValueError(
            f"{kind} must be a whole percentage from {low} to {high}{steps}, got {brief(value)}"
        )
    return int(number)


def check_rate(value: object) -> float:
    """λ, the regularisation rate: one of the control's values, 0 to 10."""
    rate = _number_text(value)
    if rate not in REGULARIZATION_RATES:
        allowed = ", ".join(f"{r:g}" for r in REGULARIZATION_RATES)
        raise ValueError(f"regularization rate must be one of {allowed}; got {brief(value)}")
    return rate


def parse_batch(value: object) -> int | None:
    """'full' (or None, or nothing) → None; otherwise a whole number from 1 to 1000. Whether it
    fits the training rows is checked when the data is known."""
    if value is None or value in ("full", ""):  # an empty field means full batch too
        return None
    number = _number_text(value)
    if not (1 <= number <= MAX_BATCH and number.is_integer()):
        raise ValueError(
            f"batch size must be 'full' or a whole number from 1 to {MAX_BATCH}, got {brief(value)}"
        )
    return int(number)


def parse_features(text: object) -> tuple[str, ...]:
    """'x1,x2,x1^2' → ('x1', 'x2', 'x1^2'), in the engine's order."""
    if not isinstance(text, str) or len(text) > 100:
        raise ValueError(f"features must be a comma-separated list from {', '.join(FEATURES)}")
    return check_features([n.strip() for n in text.split(",") if n.strip()])


FLAG_TEXTS = {"1": True, "0": False, "true": True, "false": False, "on": True, "off": False}


def parse_flag(kind: str, value: str) -> bool:
    """A switch from a link: 1 or 0 (true/false and on/off too)."""
    if value not in FLAG_TEXTS:
        raise ValueError(f"{kind} must be 1 or 0, got {brief(value)}")
    return FLAG_TEXTS[value]


def parse_seed(text: str) -> int:
    """A seed from a link: a whole number from 0 to 2³² − 1, in ASCII digits."""
    return check_seed(int(text) if re.fullmatch(r"-?[0-9]{1,20}", text) else text)


def parse_decade(value: object) -> int:
    """Seconds per decade of epochs for the paced speed: 1, 3 or 10."""
    number = _number_text(value)
    if number not in DECADE_SECONDS:
        allowed = ", ".join(map(str, DECADE_SECONDS))
        raise ValueError(f"seconds per decade must be one of {allowed}, got {brief(value)}")
    return int(number)


SPEED_NAMES = {"paced": "paced", "max": "max"}


def speed_name(speed: str) -> str:
    """What the speed control shows: "paced", "100 per redraw", "max"."""
    return SPEED_NAMES.get(speed, f"{speed} per redraw")


def parse_speed(text: str) -> str:
    """Epochs per redraw: one of SPEEDS."""
    if text not in SPEEDS:
        raise ValueError(f"speed must be one of {', '.join(SPEEDS)}, got {brief(text)}")
    return text


def parse_hide(text: str) -> tuple[str, ...]:
    """'dataset,speed' → ('dataset', 'speed'): the lecture-mode controls to hide."""
    names = tuple(n.strip() for n in text.split(",") if n.strip()) if len(text) <= 100 else ()
    bad = [n for n in names if n not in HIDEABLE]
    if bad or len(text) > 100:
        got = brief(bad[0]) if bad else "a value over 100 characters"
        raise ValueError(f"controls to hide must be among {', '.join(HIDEABLE)}, got {got}")
    return tuple(n for n in HIDEABLE if n in names)

"""What the user can set, parsed and validated: every bad value gets a message naming it."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, replace

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS, datasets
from backprop_core.datasets import PLAYGROUND, Dataset
from backprop_core.features import FEATURES, check_features
from backprop_core.regularization import REGULARIZERS
from backprop_core.validation import MAX_SEED, brief

MAX_HIDDEN_LAYERS = 8
MAX_WIDTH = 64
MIN_LEARNING_RATE = 1e-6
MAX_LEARNING_RATE = 1000.0
MAX_PARAM_LENGTH = 200
CUSTOM_DATASET = "custom"  # an uploaded truth table; it lives in the session, not the URL
# The 2-D sets' "xor" takes the link name: the XOR truth table is "xor_table" in links.
TABLE_LINK_NAMES = {"xor": "xor_table"}
DATASETS = [TABLE_LINK_NAMES.get(n, n) for n in datasets.names()] + list(PLAYGROUND)
REGULARIZATION_RATES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0)
MAX_NOISE_PERCENT = 50
TRAIN_PERCENTS = tuple(range(10, 100, 10))
MAX_BATCH = 1000
SPEEDS = ["1", "10", "100", "1000", "max"]
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


@dataclass(frozen=True)
class Settings:
    """One configuration of the lab. Defaults are the reference experiment."""

    dataset: str = "half_adder"
    hidden: tuple[int, ...] = (2, 2)
    learning_rate: float = 0.5
    activation: str = "sigmoid"
    cost: str = "mse"
    init: str = "uniform"
    seed: int = 0
    noise: int = 0  # percent, for the 2-D sets
    train: int = 50  # the training share in percent, for the 2-D sets
    data_seed: int = 0
    features: tuple[str, ...] = ("x1", "x2")
    batch: int | None = None  # None: full batch
    regularization: str = "none"
    rate: float = 0.0  # λ
    show_test: bool = False
    discretize: bool = False

    @property
    def hidden_text(self) -> str:
        return ", ".join(str(n) for n in self.hidden) or "none"

    @property
    def points(self) -> bool:
        """Whether the dataset is one of the 2-D point sets (not a truth table)."""
        return self.dataset in PLAYGROUND

    def architecture(self) -> tuple:
        """What a new network (or new data) takes: everything but η, the penalty and the
        display toggles, which apply at once."""
        data = (self.noise, self.train, self.data_seed, self.features) if self.points else ()
        return (
            self.dataset,
            self.hidden,
            self.activation,
            self.cost,
            self.init,
            self.seed,
            self.batch,
            *data,
        )

    def with_(self, **changes) -> Settings:
        return replace(self, **changes)

    def layer_sizes(self, data: Dataset) -> list[int]:
        """[n_0, hidden…, n_L] for this dataset's inputs (or features) and targets."""
        inputs = len(self.features) if self.points else data.X.shape[1]
        return [inputs, *self.hidden, data.T.shape[1]]

    def network_options(self) -> dict:
        """Keyword arguments for Network and Ensemble besides sizes and seed."""
        return dict(
            activation=self.activation,
            cost=self.cost,
            init=self.init,
            output_activation=output_activation_for(self.cost, self.activation),
            regularization=self.regularization,
            regularization_rate=self.rate,
        )

    def load_data(self) -> tuple[Dataset, Dataset | None]:
        """(training set, test set): a truth table has no test set."""
        if not self.points:
            return datasets.get(core_dataset_name(self.dataset)), None
        points = datasets.playground(self.dataset, self.noise / 100, self.data_seed)
        return datasets.split(points, self.train / 100, self.data_seed)


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
    """A number from 10⁻⁶ to 1000; anything else is a ValueError naming it. Text (from a
    link) may hold only ASCII digits and the ``.``, ``-``, ``+`` and ``e`` a float needs."""
    lr = _number_text(value)
    if not MIN_LEARNING_RATE <= lr <= MAX_LEARNING_RATE:  # NaN fails too
        raise ValueError(
            f"learning rate must be a number from {MIN_LEARNING_RATE:g} to "
            f"{MAX_LEARNING_RATE:g}, got {brief(value)}"
        )
    return lr


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


def _flag(kind: str, value: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(f"{kind} must be 1 or 0, got {brief(value)}")
    return value == "1"


def _seed_text(v: str) -> int:
    return check_seed(int(v) if re.fullmatch(r"-?[0-9]{1,20}", v) else v)


# URL parameter → (Settings field, how to parse it)
QUERY_FIELDS = {
    "dataset": ("dataset", lambda v: check_choice("dataset", v, DATASETS)),
    "hidden": ("hidden", parse_hidden),
    "lr": ("learning_rate", check_learning_rate),
    "activation": ("activation", lambda v: check_choice("activation", v, list(ACTIVATIONS))),
    "cost": ("cost", lambda v: check_choice("cost", v, list(COSTS))),
    "init": ("init", lambda v: check_choice("init", v, list(INITIALISERS))),
    "seed": ("seed", _seed_text),
    "noise": ("noise", lambda v: check_percent("noise", v, 0, MAX_NOISE_PERCENT)),
    "train": ("train", lambda v: check_percent("training share", v, 10, 90, 10)),
    "data_seed": ("data_seed", _seed_text),
    "features": ("features", parse_features),
    "batch": ("batch", parse_batch),
    "reg": ("regularization", lambda v: check_choice("regularization", v, list(REGULARIZERS))),
    "rate": ("rate", check_rate),
    "show_test": ("show_test", lambda v: _flag("show_test", v)),
    "discretize": ("discretize", lambda v: _flag("discretize", v)),
}


def settings_from_query(params: dict[str, str]) -> tuple[Settings, dict, list[str]]:
    """Settings from untrusted URL parameters: each bad one falls back to its default and
    adds a warning. Also returns the panel choices (``lecture``, ``speed``)."""
    values, warnings = {}, []
    for key, (field, parse) in QUERY_FIELDS.items():
        if key not in params:
            continue
        raw = params[key]
        if len(raw) > MAX_PARAM_LENGTH:
            warnings.append(
                f"URL parameter {key} is {len(raw):,} characters long (at most "
                f"{MAX_PARAM_LENGTH}); using the default instead"
            )
            continue
        try:
            values[field] = parse(raw)
        except ValueError as err:
            warnings.append(f"URL parameter {key}: {err}; using the default instead")
    panels: dict = {"lecture": False, "speed": "max", "hide": ()}
    for key in ("lecture", "stop_solved"):
        value = params.get(key)
        if value is None:
            continue
        if value in ("0", "1", "true", "false", "on", "off"):
            panels[key] = value in ("1", "true", "on")
        else:
            warnings.append(f"URL parameter {key} must be 1 or 0, got {brief(value)}; ignoring it")
    panels.setdefault("stop_solved", panels["lecture"])  # on by default in lecture mode
    hide = params.get("hide")
    if hide is not None:
        try:
            panels["hide"] = parse_hide(hide)
        except ValueError as err:
            warnings.append(f"URL parameter hide: {err}; hiding nothing")
    speed = params.get("speed")
    if speed is not None:
        if speed in SPEEDS:
            panels["speed"] = speed
        else:
            warnings.append(
                f"URL parameter speed must be one of {', '.join(SPEEDS)}, got {brief(speed)}; "
                "using max"
            )
    return Settings(**values), panels, warnings


def parse_hide(text: str) -> tuple[str, ...]:
    """'dataset,speed' → ('dataset', 'speed'): the lecture-mode controls to hide."""
    names = tuple(n.strip() for n in text.split(",") if n.strip()) if len(text) <= 100 else ()
    bad = [n for n in names if n not in HIDEABLE]
    if bad or len(text) > 100:
        got = brief(bad[0]) if bad else "a value over 100 characters"
        raise ValueError(f"controls to hide must be among {', '.join(HIDEABLE)}, got {got}")
    return tuple(n for n in HIDEABLE if n in names)


def settings_to_query(
    settings: Settings,
    lecture: bool,
    speed: str,
    hide: tuple[str, ...] = (),
    stop_solved: bool | None = None,
) -> dict[str, str]:
    """The URL parameters that restore ``settings`` (an uploaded dataset cannot travel)."""
    query = {
        "dataset": settings.dataset,
        "hidden": ",".join(map(str, settings.hidden)) or "none",
        "lr": repr(settings.learning_rate),  # the shortest text that reads back the same
        "activation": settings.activation,
        "cost": settings.cost,
        "init": settings.init,
        "seed": str(settings.seed),
        "speed": speed,
    }
    if settings.dataset == CUSTOM_DATASET:
        del query["dataset"]
    if settings.points:
        query.update(
            noise=str(settings.noise),
            train=str(settings.train),
            data_seed=str(settings.data_seed),
            features=",".join(settings.features),
        )
    defaults = Settings()
    if settings.batch is not None:
        query["batch"] = str(settings.batch)
    if settings.regularization != defaults.regularization or settings.rate:
        query.update(reg=settings.regularization, rate=f"{settings.rate:g}")
    for flag in ("show_test", "discretize"):
        if getattr(settings, flag):
            query[flag] = "1"
    if lecture:
        query["lecture"] = "1"
    if hide:
        query["hide"] = ",".join(hide)
    if stop_solved is not None and stop_solved != lecture:  # only when not the default
        query["stop_solved"] = str(int(stop_solved))
    return query

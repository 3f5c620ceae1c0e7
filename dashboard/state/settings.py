"""Every setting of the lab in one table, ``SCHEMA``, as the playground's ``src/state.ts`` keeps
its ``PROPS``: its field and default, its URL key with the parser and writer for it, its
control's key and label, whether a change re-initialises the network, and how a notice names
it. ``Settings`` and everything that reads or writes a setting are made from the table, so a
new setting is one entry here, its control on the page, and what the engine does with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, make_dataclass, replace

from backprop_core import ACTIVATIONS, COSTS, INITIALISERS, datasets
from backprop_core.datasets import PLAYGROUND, Dataset
from backprop_core.features import check_features
from backprop_core.regularization import REGULARIZERS
from dashboard.state.checks import (
    CUSTOM_DATASET,
    DATASETS,
    MAX_NOISE_PERCENT,
    MAX_PARAM_LENGTH,
    SOLVED_WITHIN,
    check_choice,
    check_learning_rate,
    check_percent,
    check_rate,
    check_seed,
    core_dataset_name,
    output_activation_for,
    parse_batch,
    parse_decade,
    parse_features,
    parse_flag,
    parse_hidden,
    parse_hide,
    parse_seed,
    parse_speed,
)


def _always(settings: object) -> bool:
    return True


def _shown(value: object) -> str:
    return str(value)


@dataclass(frozen=True)
class Setting:
    """One setting. ``parse`` reads the URL's text (a ValueError says what is allowed),
    ``write`` gives it back, and ``written`` says when a link carries it. The control with key
    ``widget`` (the field's name unless given; None: no control) shows
    ``to_widget(settings)``, and ``from_widget`` reads its value back (a ValueError shows under
    the control). A notice about a change names it as its label does, in lower case."""

    field: str
    default: object
    url: str
    parse: Callable[[str], object]
    write: Callable[[object], str] = _shown
    written: Callable[[object], bool] = _always
    label: str = ""
    help: str = ""  # one line beside its control
    widget: str | None = ""
    from_widget: Callable[[object], object] | None = None
    to_widget: Callable[[object], object] | None = None
    rebuild: bool = False  # a change re-initialises the network
    points: bool = False  # it matters for the 2-D point sets only
    show: Callable[[object], str] = _shown  # how a notice shows a value
    saved: bool = False  # a saved network file carries it
    switch: bool = False  # its control applies it on its own change (not read with the rest)
    panel: bool = False  # how the lab is shown and paced, not what it trains
    playground: str = ""  # the name a TensorFlow Playground link gives it, if it is a flag there

    def __post_init__(self) -> None:
        if self.widget == "":
            object.__setattr__(self, "widget", self.field)

    @property
    def name(self) -> str:
        """How a notice names it: "batch size", "training share"."""
        return self.label.lower().removesuffix(" %")

    def read_widget(self, value: object) -> object:
        return value if self.from_widget is None else self.from_widget(value)

    def widget_value(self, settings: object) -> object:
        value = getattr(settings, self.field)
        return value if self.to_widget is None else self.to_widget(settings)


def _points(settings) -> bool:
    return settings.dataset in PLAYGROUND


def _penalised(settings) -> bool:
    return settings.regularization != "none" or settings.rate != 0


def _features_text(names: tuple[str, ...]) -> str:
    return ", ".join(name.replace("^2", "²").replace("_", " ") for name in names)


def _sizes_text(hidden: tuple[int, ...]) -> str:
    return ", ".join(map(str, hidden)) or "none"


def _choice(field: str, default: str, kind: str, allowed: list[str], **more) -> Setting:
    """A setting that is one of ``allowed`` names, under the URL key ``field``."""
    return Setting(field, default, field, lambda v: check_choice(kind, v, allowed), **more)


def _flag(field: str, url: str, **more) -> Setting:
    """An off-by-default switch, carried by a link as ``url=1`` when on."""
    return Setting(
        field,
        False,
        url,
        lambda v: parse_flag(url, v),
        write=lambda v: "1",
        written=lambda s: getattr(s, field),
        **more,
    )


# The table reads best one setting to a block:
# fmt: off
SCHEMA: tuple[Setting, ...] = (
    _choice(
        "dataset", "half_adder", "dataset", DATASETS,
        written=lambda s: s.dataset != CUSTOM_DATASET,
        label="Dataset", rebuild=True, saved=True,
    ),
    Setting(
        "hidden", (2, 2), "hidden", parse_hidden,
        write=lambda v: ",".join(map(str, v)) or "none",
        label="Hidden layer sizes", widget="hidden_layers",
        help="Comma-separated widths, e.g. 2, 2. Up to 8 layers of 1–64, or none.",
        from_widget=parse_hidden, to_widget=lambda s: _sizes_text(s.hidden),
        rebuild=True, show=_sizes_text,
    ),
    Setting(
        "learning_rate", 0.5, "lr", check_learning_rate, write=repr,  # shortest exact text
        label="Learning rate η", from_widget=check_learning_rate, saved=True,
    ),
    _choice(
        "activation", "sigmoid", "activation", list(ACTIVATIONS),
        label="Activation", rebuild=True,
    ),
    _choice(
        "cost", "mse", "cost", list(COSTS),
        label="Cost", help="Cross-entropy always uses sigmoid outputs.", rebuild=True,
    ),
    _choice("init", "uniform", "init", list(INITIALISERS), label="Initialisation", rebuild=True),
    Setting("seed", 0, "seed", parse_seed, label="Seed", from_widget=check_seed, rebuild=True),
    Setting(
        "noise", 0, "noise", lambda v: check_percent("noise", v, 0, MAX_NOISE_PERCENT),
        written=_points, label="Noise %",
        help="How far the 2-D points are jittered, as in the playground: 0 to 50 %.",
        from_widget=lambda v: check_percent("noise", v, 0, MAX_NOISE_PERCENT),
        rebuild=True, points=True, show=lambda v: f"{v} %", saved=True,
    ),
    Setting(
        "train", 50, "train", lambda v: check_percent("training share", v, 10, 90, 10),
        written=_points, label="Training share %", widget="train_share",
        help="The share of the points used for training; the rest are the test set.",
        from_widget=lambda v: check_percent("training share", v, 10, 90, 10),
        rebuild=True, points=True, show=lambda v: f"{v} %", saved=True,
    ),
    Setting(
        "data_seed", 0, "data_seed", parse_seed, written=_points, label="Data seed",
        help="Draws the points and the split; Regenerate draws new ones.",
        from_widget=check_seed, rebuild=True, points=True, saved=True,
    ),
    Setting(
        "features", ("x1", "x2"), "features", parse_features, write=",".join,
        written=_points, label="Input features",
        help="The network's inputs, computed from each point (x1, x2).",
        from_widget=check_features, to_widget=lambda s: list(s.features),
        rebuild=True, points=True, show=_features_text,
    ),
    Setting(
        "batch", None, "batch", parse_batch, written=lambda s: s.batch is not None,
        label="Batch size",
        help="Rows per update: 'full' (every row) or a whole number; each epoch shuffles.",
        from_widget=lambda v: parse_batch(str(v).strip()),
        to_widget=lambda s: "full" if s.batch is None else str(s.batch),
        rebuild=True, show=lambda v: "full" if v is None else str(v), saved=True,
    ),
    Setting(
        "regularization", "none", "reg",
        lambda v: check_choice("regularization", v, list(REGULARIZERS)), written=_penalised,
        label="Regularization",
        help="A weight penalty λ·R(W): L1 = Σ|w|, L2 = ½Σw². Applies at once.",
    ),
    Setting(
        "rate", 0.0, "rate", check_rate, write=lambda v: f"{v:g}", written=_penalised,
        label="Regularization rate λ", widget="regularization_rate", from_widget=check_rate,
    ),
    _flag("show_test", "show_test", label="Show test data", saved=True, playground="showTestData"),
    _flag(
        "discretize", "discretize", label="Discretize output", saved=True, playground="discretize",
        help="Colour the surface by the rounded output: the decision boundary is sharp.",
    ),
    Setting(  # None: the mode's default, paced in lecture mode
        "speed", None, "speed", parse_speed, written=lambda s: s.speed is not None, panel=True,
        label="Speed", widget="epochs_per_refresh", to_widget=lambda s: s.pace,
        help="Paced: a decade of epochs every few seconds (10, 100, 1,000, …), so the plateau "
        "and the drop each stay on screen; or epochs per redraw; or 'max', as fast as it goes.",
    ),
    Setting(
        "decade", 3, "decade", parse_decade, written=lambda s: s.decade != 3, panel=True,
        label="Seconds per decade", from_widget=parse_decade,
        help="At the paced speed: seconds for each tenfold of epochs.",
    ),
    _flag(
        "lecture", "lecture", label="Lecture mode", widget="lecture_toggle", switch=True,
        panel=True,
        help="Big fonts and charts that fit a 720p projector: the buttons, the dataset, η and "
        "the speed, without the settings panel. Also in the URL as lecture=1; hide=dataset,"
        "lr,speed,step,step_100,reset hides some of those.",
    ),
    Setting(
        "hide", (), "hide", parse_hide, write=",".join, written=lambda s: bool(s.hide), panel=True,
        widget=None,
    ),
    Setting(  # None: the mode's default, on in lecture mode
        "stop_solved", None, "stop_solved", lambda v: parse_flag("stop_solved", v), panel=True,
        write=lambda v: str(int(v)),
        written=lambda s: s.stop_solved is not None and s.stop_solved != s.lecture,
        label="Stop when solved", widget="stop_when_solved",
        help=f"Pause once every output is within {SOLVED_WITHIN:g} of its target: the drop is "
        "over. On by default in lecture mode.",
        to_widget=lambda s: s.stops_when_solved, switch=True,
    ),
    Setting(  # None: the mode's default, on in lecture mode
        "log_epochs", None, "log", lambda v: parse_flag("log", v), panel=True,
        write=lambda v: str(int(v)),
        written=lambda s: s.log_epochs is not None and s.log_epochs != s.lecture,
        label="Log-scale epoch axis", to_widget=lambda s: s.log_axis, switch=True,
        help="The plateau and the drop happen in the first few percent of a long run. On by "
        "default in lecture mode.",
    ),
)
# fmt: on
BY_FIELD = {setting.field: setting for setting in SCHEMA}
BY_WIDGET = {setting.widget: setting for setting in SCHEMA if setting.widget}
BY_URL = {setting.url: setting for setting in SCHEMA}
PANEL = tuple(setting.field for setting in SCHEMA if setting.panel)


class _Methods:
    """What a configuration says beyond its fields (the methods of ``Settings``)."""

    @property
    def hidden_text(self) -> str:
        return _sizes_text(self.hidden)

    @property
    def points(self) -> bool:
        """Whether the dataset is one of the 2-D point sets (not a truth table)."""
        return _points(self)

    @property
    def pace(self) -> str:
        """The speed in force: ``speed``, or the mode's default (paced in lecture mode)."""
        if self.speed is not None:
            return self.speed
        return "paced" if self.lecture else "max"

    @property
    def log_axis(self) -> bool:
        """Whether the epoch axis is logarithmic: ``log_epochs``, or the mode's default."""
        return self.lecture if self.log_epochs is None else self.log_epochs

    @property
    def stops_when_solved(self) -> bool:
        """Whether training stops once solved: ``stop_solved``, or the mode's default."""
        return self.lecture if self.stop_solved is None else self.stop_solved

    def matters(self, setting: Setting) -> bool:
        """Whether ``setting`` means anything for this dataset."""
        return not setting.points or self.points

    def architecture(self) -> tuple:
        """What a new network (or new data) takes: the settings whose change rebuilds it."""
        return tuple(getattr(self, s.field) for s in SCHEMA if s.rebuild and self.matters(s))

    def with_(self, **changes):
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

    def trainer_options(self) -> dict:
        """How the rows are visited: the batch size and the seed of the shuffles."""
        return dict(batch_size=self.batch, seed=self.data_seed)

    def load_data(self) -> tuple[Dataset, Dataset | None]:
        """(training set, test set) of raw points or table rows: a truth table has no test
        set."""
        if not self.points:
            return datasets.get(core_dataset_name(self.dataset)), None
        points = datasets.playground(self.dataset, self.noise / 100, self.data_seed)
        return datasets.split(points, self.train / 100, self.data_seed)


Settings = make_dataclass(
    "Settings",
    [(s.field, object, field(default=s.default)) for s in SCHEMA],
    bases=(_Methods,),
    frozen=True,
)
Settings.__module__ = __name__  # so that it pickles and prints as dashboard.state.settings
Settings.__doc__ = "One configuration of the lab: a field per ``SCHEMA`` entry, with its default."


def settings_from_query(params: dict[str, str]) -> tuple[Settings, list[str]]:
    """Settings from untrusted URL parameters: each bad one falls back to its default with a
    warning that quotes it briefly."""
    values, warnings = {}, []
    for setting in SCHEMA:
        if setting.url not in params:
            continue
        raw = params[setting.url]
        if len(raw) > MAX_PARAM_LENGTH:
            warnings.append(
                f"URL parameter {setting.url} is {len(raw):,} characters long (at most "
                f"{MAX_PARAM_LENGTH}); using the default instead"
            )
            continue
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as err:
            warnings.append(f"URL parameter {setting.url}: {err}; using the default instead")
    return Settings(**values), warnings


def settings_to_query(settings: Settings, saved_only: bool = False) -> dict[str, str]:
    """The URL parameters that restore ``settings`` (an uploaded dataset cannot travel); with
    ``saved_only``, those a saved network file carries."""
    return {
        s.url: s.write(getattr(settings, s.field))
        for s in SCHEMA
        if s.written(settings) and settings.matters(s) and (s.saved or not saved_only)
    }


def widget_values(settings: Settings) -> dict[str, object]:
    """Every control's value for ``settings``, keyed by the control's key (the switches set
    their own)."""
    return {s.widget: s.widget_value(settings) for s in SCHEMA if s.widget and not s.switch}


def describe_changes(old: Settings, new: Settings) -> str:
    """The settings whose change rebuilt the network, as "hidden layers 2, 2 → 3, 4"."""
    parts = [
        f"{s.name} {s.show(getattr(old, s.field))} → {s.show(getattr(new, s.field))}"
        for s in SCHEMA
        if s.rebuild and new.matters(s) and getattr(old, s.field) != getattr(new, s.field)
    ]
    return ", ".join(parts)

"""A TensorFlow Playground link read as one of ours: each parameter its ``src/state.ts`` writes is
mapped onto a ``SCHEMA`` entry or named in a notice. The playground's own defaults fill what a
link leaves out, so the network is the one its slide showed."""

from __future__ import annotations

from urllib.parse import unquote

from backprop_core.validation import brief
from dashboard.state.settings import BY_URL, SCHEMA, Settings

MAX_LINK_LENGTH = 2000

# The playground's defaults, as our URL parameters (its State class).
DEFAULTS = {
    "dataset": "circle",
    "hidden": "4,2",
    "lr": "0.03",
    "activation": "tanh",
    "batch": "10",
    "noise": "0",
    "train": "50",
    "reg": "none",
    "rate": "0",
    "features": "x1,x2",
}
ACTIVATIONS = {"relu": "relu", "tanh": "tanh", "sigmoid": "sigmoid", "linear": "identity"}
REGULARIZATIONS = {"none": "none", "L1": "l1", "L2": "l2"}
DATASETS = {"circle": "circle", "xor": "xor", "gauss": "gauss", "spiral": "spiral"}
REGRESSION_SETS = {"reg-plane": "plane", "reg-gauss": "multi_gauss"}
NUMBERS = {  # playground name → our URL key, for the values taken as they are
    "learningRate": "lr",
    "batchSize": "batch",
    "noise": "noise",
    "percTrainData": "train",
    "regularizationRate": "rate",
}
PLAYGROUND_NAMES = {ours: theirs for theirs, ours in NUMBERS.items()} | {"hidden": "networkShape"}
FEATURES = {
    "x": "x1",
    "y": "x2",
    "xSquared": "x1^2",
    "ySquared": "x2^2",
    "xTimesY": "x1x2",
    "sinX": "sin_x1",
    "sinY": "sin_x2",
}
MISSING_FEATURES = ("cosX", "cosY")
FLAGS = {s.playground: s.url for s in SCHEMA if s.playground}  # playground name → our URL key
HIDES = {"dataset_hide": "dataset", "learningRate_hide": "lr"}
UNUSED = {  # what the playground writes that has no counterpart here, and why
    "collectStats": "statistics collection",
    "tutorial": "tutorial",
    "initZero": "zero initialisation",
    "hideText": "hidden text",
}


def playground_hash(text: str) -> str:
    """The settings part of a playground link: what follows its ``#``, or the whole text when
    it is only that part."""
    text = text.strip()
    if len(text) > MAX_LINK_LENGTH:
        raise ValueError(
            f"a playground link is at most {MAX_LINK_LENGTH:,} characters, got {len(text):,}"
        )
    if "#" in text:
        return text.split("#", 1)[1]
    if text.startswith(("http://", "https://")) or "=" not in text:
        raise ValueError(
            f"{brief(text)} is not a playground link: its settings follow a '#', as in "
            "playground.tensorflow.org/#activation=tanh&learningRate=0.03"
        )
    return text


def _flag(name: str, value: str, notices: list[str]) -> bool:
    """The playground's reading of a boolean: anything but "false" is true."""
    if value not in ("true", "false"):
        notices.append(f"playground {name}: {brief(value)} is not true or false; read as true")
    return value != "false"


def _keyed(name: str, value: str, table: dict[str, str], default: str, notices: list[str]) -> str:
    if value in table:
        return table[value]
    theirs = next(k for k, v in table.items() if v == default)
    notices.append(
        f"playground {name}: {brief(value)} is not one of {', '.join(table)}; using {theirs}, "
        "the playground's default"
    )
    return default


def _pairs(fragment: str) -> dict[str, str]:
    pairs = {}
    for item in fragment.lstrip("#").split("&"):
        if item:
            name, _, value = item.partition("=")
            pairs[unquote(name)] = unquote(value)
    return pairs


def from_playground(text: str, base: Settings | None = None) -> tuple[Settings, list[str]]:
    """Our settings for a playground link (or its ``#`` part) over ``base``, whose other
    fields stay (the mode, the speed, the seed), and a one-line notice for each parameter that
    is malformed (it takes the playground's default) or has no counterpart here, as a
    sentence. Raises
    ``ValueError`` only when ``text`` is no playground link at all."""
    given = _pairs(playground_hash(text))
    base = base or Settings()
    notices: list[str] = []
    query = dict(DEFAULTS)
    features = {FEATURES[n] for n in ("x", "y")}
    hide, hidden_elsewhere, unknown = [], [], []
    for name, value in given.items():
        if name == "activation":
            query["activation"] = _keyed(name, value, ACTIVATIONS, DEFAULTS["activation"], notices)
        elif name == "regularization":
            query["reg"] = _keyed(name, value, REGULARIZATIONS, DEFAULTS["reg"], notices)
        elif name == "dataset":
            query["dataset"] = _keyed(name, value, DATASETS, DEFAULTS["dataset"], notices)
        elif name in NUMBERS:
            query[NUMBERS[name]] = value
        elif name == "networkShape":
            query["hidden"] = value.strip() or "none"
        elif name in FEATURES:
            (features.add if _flag(name, value, notices) else features.discard)(FEATURES[name])
        elif name in MISSING_FEATURES:
            if _flag(name, value, notices):
                notices.append(f"playground feature {name} has no counterpart here; left out")
        elif name in FLAGS:
            query[FLAGS[name]] = "1" if _flag(name, value, notices) else "0"
        elif name in HIDES:
            if value == "true":
                hide.append(HIDES[name])
        elif name.endswith("_hide"):
            if value == "true":
                hidden_elsewhere.append(name.removesuffix("_hide"))
        elif name in UNUSED:
            if value not in ("", "false"):
                notices.append(f"playground {name} ({UNUSED[name]}) has no counterpart here")
        elif name == "seed":
            notices.append(
                f"playground seed {brief(value)} draws other points than ours; using seed "
                f"{base.seed}"
            )
        elif name not in ("problem", "regDataset"):
            unknown.append(brief(name))
    _regression(given, query, notices)
    query["features"] = ",".join(f for f in FEATURES.values() if f in features)
    if hide:
        query["hide"] = ",".join(hide)
    if unknown:
        more = f" and {len(unknown) - 3} more" if len(unknown) > 3 else ""
        notices.append(f"unknown playground parameters {', '.join(unknown[:3])}{more}; ignored")
    if hidden_elsewhere:
        notices.append(
            f"the playground hides {', '.join(hidden_elsewhere)}; here only the dataset and "
            "the learning rate can be hidden (in lecture mode)"
        )
    return _parsed(query, base, notices)


def _regression(given: dict[str, str], query: dict[str, str], notices: list[str]) -> None:
    """A regression problem trains on ``regDataset`` (the playground's default is the plane)."""
    problem = given.get("problem", "classification")
    if problem not in ("classification", "regression"):
        notices.append(
            f"playground problem: {brief(problem)} is not classification or regression; "
            "using classification"
        )
    if problem != "regression":
        return
    name = given.get("regDataset", "reg-plane")
    query["dataset"] = REGRESSION_SETS.get(name, "plane")
    if name not in REGRESSION_SETS:
        notices.append(
            f"playground regression set {brief(name)} has no counterpart here (only "
            f"{', '.join(REGRESSION_SETS)}); using the plane"
        )


def _parsed(
    query: dict[str, str], base: Settings, notices: list[str]
) -> tuple[Settings, list[str]]:
    """Each value through its schema parser; a bad one takes the playground's default."""
    values = {}
    for url, raw in query.items():
        setting = BY_URL[url]
        try:
            values[setting.field] = setting.parse(raw)
        except ValueError as err:
            named = PLAYGROUND_NAMES.get(url, url)
            notices.append(f"playground {named}: {err}; using the playground's default")
            if url in DEFAULTS:
                values[setting.field] = setting.parse(DEFAULTS[url])
    return base.with_(**values), [f"{n[0].upper()}{n[1:]}." for n in notices]  # sentences

"""Save and load a network as JSON: architecture, parameters and where it came from.

Loading treats the file as untrusted: it is parsed as JSON only (no pickle, no eval),
every field is checked, and the parameters must be finite numbers of the right shapes.
"""

from __future__ import annotations

import json
import math
import re
import sys

import numpy as np

from .history import History
from .network import Network, num_parameters, validate_sizes
from .thinning import POINTS
from .validation import MAX_SEED, brief

FORMAT = "backprop-lab-network"
VERSION = 3  # 3 keeps a long history thinned; 2 added the history; version 1 and 2 files load
MAX_SAVED_EPOCHS = 5_000  # a history up to this long can go in row by row
MAX_FILE_BYTES = 1_000_000  # the app's upload limit: every file it saves must load back
HISTORY_FIELDS = ("cost", "delta_magnitude", "gradient_norm", "output_cost")
THINNED_FIELDS = HISTORY_FIELDS + ("test_cost", "accuracy", "test_accuracy")
MAX_PARAMETERS = 1_000_000
MAX_DEPTH = 8  # a thinned history nests 7 deep (file, history, records, one, buckets, lo, row)
MAX_EPOCH = 10**15
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
_NON_FINITE = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}  # how a history writes them


def _numbers(values: np.ndarray) -> list:
    """An array as nested lists for JSON: float32 as the shortest decimals that give the same
    float32 back, and NaN and ±infinity (which JSON lacks) as the strings "nan", "inf", "-inf"."""
    if values.dtype == np.float32:
        values = np.array([float(str(v)) for v in values.ravel()]).reshape(values.shape)
    if values.dtype == bool or np.all(np.isfinite(values)):
        return values.tolist()
    words = {math.inf: "inf", -math.inf: "-inf"}
    flat = values.ravel().tolist()
    cells = [v if math.isfinite(v) else "nan" if v != v else words[v] for v in flat]
    return np.array(cells, dtype=object).reshape(values.shape).tolist()


def _history_rows(history: History) -> dict:
    """Every epoch's cost, mean |δ^l|, gradient norms and output shares, row by row."""
    rows = {
        name: _numbers(getattr(history, name)) if getattr(history, name).size else []
        for name in HISTORY_FIELDS
    }
    return {"epochs": len(history), "rows": rows}


def _history_thinned(history: History, fields: tuple[str, ...]) -> dict:
    """The thinned records named in ``fields`` (``History.state``): a few hundred points each,
    whatever the run's length."""
    state = history.state()
    thinned = {}
    for name, record in state["thinned"].items():
        if name not in fields:
            continue
        part = record["part"]
        thinned[name] = {
            **{key: record[key] for key in ("epochs", "size", "part_rows")},
            "head": _numbers(record["head"]),
            "done": {key: _numbers(value) for key, value in record["done"].items()},
            "part": None if part is None else {k: _numbers(v) for k, v in part.items()},
        }
    return {"epochs": state["epochs"], "diverged_at": state["diverged_at"], "thinned": thinned}


def network_to_dict(
    network: Network, epoch: int = 0, history: History | None = None, **extra
) -> dict:
    """Everything that rebuilds ``network`` exactly, plus ``epoch``, the training ``history``
    (row by row up to MAX_SAVED_EPOCHS epochs, thinned beyond) and any extra fields
    (``batch_size``, a training setting, is checked on loading)."""
    network.sync()
    if history is not None and len(history):
        exact = len(history) <= MAX_SAVED_EPOCHS and history.exact_from == 0
        extra["history"] = (
            _history_rows(history) if exact else _history_thinned(history, THINNED_FIELDS)
        )
    return {
        "format": FORMAT,
        "version": VERSION,
        **network.config(),
        "epoch": int(epoch),
        "weights": [W.tolist() for W in network.weights],
        "biases": [b.tolist() for b in network.biases],
        **extra,
    }


def network_to_json(
    network: Network,
    epoch: int = 0,
    history: History | None = None,
    max_bytes: int = MAX_FILE_BYTES,
    **extra,
) -> str:
    """JSON text of at most ``max_bytes`` bytes; floats are written with repr, so they read
    back to the same bits. The history goes in row by row, or thinned, or thinned to the cost
    and the deltas, whichever first fits; without it only when even that would not."""
    data = network_to_dict(network, epoch, None, **extra)
    choices = []
    if history is not None and len(history):
        if len(history) <= MAX_SAVED_EPOCHS and history.exact_from == 0:
            choices.append(_history_rows(history))
        choices.append(_history_thinned(history, THINNED_FIELDS))
        choices.append(_history_thinned(history, HISTORY_FIELDS[:3]))
    for choice in choices:
        text = json.dumps({**data, "history": choice}, separators=(",", ":"))
        if len(text.encode()) <= max_bytes:
            return text
    return json.dumps(data, separators=(",", ":"))


def _whole(value: object, top: int) -> bool:
    return type(value) is int and 0 <= value <= top


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file contains {name}; every number must be finite")


def network_from_json(
    text: str | bytes, max_parameters: int = MAX_PARAMETERS
) -> tuple[Network, dict]:
    """Parse and check a saved network; returns it and the file's other fields. Any bad
    input raises a ValueError with a short message, and nothing else."""
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        _check_depth(text)
        data = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:  # UnicodeDecodeError, JSONDecodeError, an over-long integer
        raise ValueError(f"not a usable JSON file: {str(err)[:200]}") from None
    return network_from_dict(data, max_parameters)


def _check_depth(text: str) -> None:
    """Refuse nesting deeper than MAX_DEPTH before json.loads, which would recurse into it."""
    brackets = np.frombuffer(_STRING.sub("", text).encode("ascii", "replace"), np.uint8)
    step = np.isin(brackets, (ord("["), ord("{"))).astype(np.int64)
    step -= np.isin(brackets, (ord("]"), ord("}")))
    depth = int(np.cumsum(step).max(initial=0))
    if depth > MAX_DEPTH:
        raise ValueError(f"the JSON nests {depth:,} levels deep; a saved network needs at most 4")


def network_from_dict(data: object, max_parameters: int = MAX_PARAMETERS) -> tuple[Network, dict]:
    """Check every field of a saved network and rebuild it."""
    if not isinstance(data, dict):
        raise ValueError("a saved network must be a JSON object")
    version = data.get("version")
    if data.get("format") != FORMAT or type(version) is not int or not 1 <= version <= VERSION:
        raise ValueError(
            f"not a Backprop Lab network file: expected format {FORMAT!r} version 1 to "
            f"{VERSION}, got {brief(data.get('format'))} version {brief(version)}"
        )
    sizes = validate_sizes(data.get("sizes"))
    if num_parameters(sizes) > max_parameters:
        raise ValueError(
            f"the network has {num_parameters(sizes):,} parameters; at most "
            f"{max_parameters:,} are allowed"
        )
    seed, epoch = data.get("seed"), data.get("epoch", 0)
    if seed is not None and not _whole(seed, MAX_SEED):
        raise ValueError(
            f"seed must be a whole number from 0 to {MAX_SEED} or null, got {brief(seed)}"
        )
    if not _whole(epoch, MAX_EPOCH):
        raise ValueError(
            f"epoch must be a whole number from 0 to {MAX_EPOCH:.0e}, got {brief(epoch)}"
        )
    names = {}
    for field, default in (("activation", None), ("cost", None), ("init", "uniform")):
        names[field] = data.get(field, default)
        if not isinstance(names[field], str):
            raise ValueError(f"{field} must be a name (text), got {brief(names[field])}")
    names["features"] = data.get("features")
    names["regularization"] = data.get("regularization", "none")
    names["regularization_rate"] = data.get("regularization_rate", 0.0)
    output = data.get("output_activation")
    if output is not None and not isinstance(output, str):
        raise ValueError(f"output_activation must be a name (text) or null, got {brief(output)}")
    network = Network(sizes, seed=seed, output_activation=output, **names)
    weights = _arrays(data.get("weights"), [(m, n) for m, n in zip(sizes, sizes[1:])], "weights")
    biases = _arrays(data.get("biases"), [(n,) for n in sizes[1:]], "biases")
    network.set_parameters(weights, biases)
    meta = {k: v for k, v in data.items() if k not in ("weights", "biases", "history")}
    batch = data.get("batch_size")
    if batch is not None and not (_whole(batch, MAX_EPOCH) and batch >= 1):
        raise ValueError(f"batch_size must be a whole number ≥ 1 or null, got {brief(batch)}")
    if "history" in data:
        meta["history"] = _history(data["history"], version, epoch, len(sizes) - 1, sizes[-1])
    return network, meta


def _history(value: object, version: int, epochs: int, layers: int, outputs: int) -> dict:
    """A saved history, checked against the network: {"epochs", "rows"} (one record per epoch,
    each array of the shape the network gives), or {"epochs", "diverged_at", "thinned"}
    (``History.state``: a few hundred points per record)."""
    if version == 2:  # the rows themselves were the history
        value = {"epochs": epochs, "rows": value}
    if not isinstance(value, dict) or value.get("epochs") != epochs:
        raise ValueError(f"history must be an object with epochs {epochs} and rows or thinned")
    if "rows" in value:
        rows = _history_rows_from(value["rows"], epochs, layers, outputs)
        return {"epochs": epochs, "rows": rows}
    thinned = value.get("thinned")
    if not isinstance(thinned, dict) or not set(thinned) <= set(THINNED_FIELDS):
        allowed = ", ".join(THINNED_FIELDS)
        raise ValueError(f"history.thinned must be an object of some of {allowed}")
    widths = {"delta_magnitude": layers, "gradient_norm": layers, "output_cost": outputs}
    state = {
        "epochs": epochs,
        "diverged_at": value.get("diverged_at"),
        "thinned": {
            name: _thinned_from(record, widths.get(name) or 1, f"history.thinned.{name}")
            for name, record in thinned.items()
        },
    }
    History(layers, outputs if "output_cost" in thinned else 0).restore(state)  # checks the rest
    return state


def _history_rows_from(value: object, epochs: int, layers: int, outputs: int) -> dict:
    if not isinstance(value, dict) or set(value) != set(HISTORY_FIELDS):
        raise ValueError(f"history must be an object with {', '.join(HISTORY_FIELDS)}")
    if not 0 < epochs <= MAX_SAVED_EPOCHS:
        raise ValueError(f"a saved history holds 1 to {MAX_SAVED_EPOCHS:,} epochs, got {epochs}")
    widths = {"cost": None, "delta_magnitude": layers, "gradient_norm": layers}
    widths["output_cost"] = outputs
    arrays = {}
    for name, width in widths.items():
        shape = (epochs,) if width is None else (epochs, width)
        rows = value[name]
        if name == "output_cost" and rows == []:  # not recorded (a single output)
            shape = (0,)
        arrays[name] = _array(rows, shape, f"history.{name}", non_finite=True)
    return arrays


def _thinned_from(value: object, columns: int, name: str) -> dict:
    """One thinned record's state from JSON: the whole numbers checked here, the arrays' shapes
    by ``Thinned.from_state``."""
    if not isinstance(value, dict):
        raise ValueError(f"{name} must be an object")
    counts = {}
    for key in ("epochs", "size", "part_rows"):
        counts[key] = value.get(key)
        if not _whole(counts[key], MAX_EPOCH):
            raise ValueError(f"{name}.{key} must be a whole number, got {brief(counts[key])}")
    head = min(counts["epochs"], POINTS)
    whole = counts["epochs"] // counts["size"] if counts["size"] > 1 else 0

    def buckets(part: object, rows: int, where: str) -> dict:
        if not isinstance(part, dict):
            raise ValueError(f"{where} must be an object of lo, hi and first_min")
        shape = (rows, columns)
        return {
            "lo": _array(part.get("lo"), shape, f"{where}.lo", non_finite=True),
            "hi": _array(part.get("hi"), shape, f"{where}.hi", non_finite=True),
            "first_min": _array(part.get("first_min"), shape, f"{where}.first_min", flags=True),
        }

    part = value.get("part")
    return {
        **counts,
        "head": _array(value.get("head"), (head, columns), f"{name}.head", non_finite=True),
        "done": buckets(value.get("done"), whole, f"{name}.done"),
        "part": None if part is None else buckets(part, 1, f"{name}.part"),
    }


def _arrays(value: object, shapes: list[tuple[int, ...]], name: str) -> list[np.ndarray]:
    if not isinstance(value, list) or len(value) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays, got {brief(value)}")
    return [_array(v, shape, f"{name}[{l}]") for l, (v, shape) in enumerate(zip(value, shapes))]


def _array(
    value: object,
    shape: tuple[int, ...],
    name: str,
    non_finite: bool = False,
    flags: bool = False,
) -> np.ndarray:
    """A nested list of plain finite numbers with exactly ``shape``, as float64; with
    ``non_finite`` also "nan", "inf" and "-inf"; with ``flags``, true and false (as bool)."""

    def number(v: object) -> float:
        if flags:
            if type(v) is bool:
                return float(v)
            raise ValueError(f"{name} must hold true or false, found {brief(v)}")
        if type(v) is int and abs(v) <= sys.float_info.max or type(v) is float and math.isfinite(v):
            return float(v)
        if non_finite and isinstance(v, str) and v in _NON_FINITE:
            return _NON_FINITE[v]
        raise ValueError(f"{name} must hold finite numbers, found {brief(v)}")

    def flatten(v: object, dims: tuple[int, ...]) -> list[float]:
        if not dims:
            return [number(v)]
        if not isinstance(v, list) or len(v) != dims[0]:
            raise ValueError(f"{name} must have shape {shape}")
        return [x for item in v for x in flatten(item, dims[1:])]

    array = np.array(flatten(value, shape), dtype=float).reshape(shape)
    return array.astype(bool) if flags else array

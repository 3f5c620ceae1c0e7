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

from .network import Network, num_parameters, validate_sizes
from .training import History
from .validation import MAX_SEED, brief

FORMAT = "backprop-lab-network"
VERSION = 2  # 2 adds the training history; version 1 files still load
MAX_SAVED_EPOCHS = 5_000  # a longer history would not fit the app's 1 MB upload limit
HISTORY_FIELDS = ("cost", "delta_magnitude", "gradient_norm", "output_cost")
MAX_PARAMETERS = 1_000_000
MAX_DEPTH = 8  # a saved network nests 4 deep (file, weights, layer, row); json recurses
MAX_EPOCH = 10**15
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def network_to_dict(
    network: Network, epoch: int = 0, history: History | None = None, **extra
) -> dict:
    """Everything that rebuilds ``network`` exactly, plus ``epoch``, the training ``history``
    when it has at most MAX_SAVED_EPOCHS epochs, and any extra fields (``batch_size``, a
    training setting, is checked on loading)."""
    network.sync()
    config = network.config()
    if history is not None and 0 < len(history) <= MAX_SAVED_EPOCHS:
        extra["history"] = {
            "cost": history.cost.tolist(),
            # float32 records as the shortest decimals that give the same float32 back
            **{
                name: [[float(str(v)) for v in row] for row in getattr(history, name)]
                if getattr(history, name).shape[1]
                else []  # not recorded: a single output has no shares to keep
                for name in HISTORY_FIELDS[1:]
            },
        }
    return {
        "format": FORMAT,
        "version": VERSION,
        **config,
        "epoch": int(epoch),
        "weights": [W.tolist() for W in network.weights],
        "biases": [b.tolist() for b in network.biases],
        **extra,
    }


def network_to_json(
    network: Network, epoch: int = 0, history: History | None = None, **extra
) -> str:
    """JSON text; floats are written with repr, so they read back to the same bits."""
    data = network_to_dict(network, epoch, history, **extra)
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
        meta["history"] = _history(data["history"], epoch, len(sizes) - 1, sizes[-1])
    return network, meta


def _history(value: object, epochs: int, layers: int, outputs: int) -> dict[str, np.ndarray]:
    """A saved history: one record per epoch, each array of the shape the network gives."""
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
        arrays[name] = _array(rows, shape, f"history.{name}")
    return arrays


def _arrays(value: object, shapes: list[tuple[int, ...]], name: str) -> list[np.ndarray]:
    if not isinstance(value, list) or len(value) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays, got {brief(value)}")
    return [_array(v, shape, f"{name}[{l}]") for l, (v, shape) in enumerate(zip(value, shapes))]


def _array(value: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    """A nested list of plain finite numbers with exactly ``shape``, as float64."""

    def flatten(v: object, dims: tuple[int, ...]) -> list[float]:
        if not dims:
            if (
                type(v) is int
                and abs(v) <= sys.float_info.max
                or type(v) is float
                and math.isfinite(v)
            ):
                return [float(v)]
            raise ValueError(f"{name} must hold finite numbers, found {brief(v)}")
        if not isinstance(v, list) or len(v) != dims[0]:
            raise ValueError(f"{name} must have shape {shape}")
        return [x for item in v for x in flatten(item, dims[1:])]

    return np.array(flatten(value, shape)).reshape(shape)

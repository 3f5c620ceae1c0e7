"""Save and load a network as JSON: architecture, parameters and where it came from.

Loading treats the file as untrusted: it is parsed as JSON only (no pickle, no eval),
every field is checked, and the parameters must be finite numbers of the right shapes.
"""

from __future__ import annotations

import json
import math
import numbers

import numpy as np

from .network import Network, num_parameters, validate_sizes

FORMAT = "backprop-lab-network"
VERSION = 1
MAX_PARAMETERS = 1_000_000


def network_to_dict(network: Network, epoch: int = 0, **extra) -> dict:
    """Everything that rebuilds ``network`` exactly, plus ``epoch`` and any extra fields."""
    network.sync()
    config = network.config()
    return {
        "format": FORMAT,
        "version": VERSION,
        **config,
        "epoch": int(epoch),
        "weights": [W.tolist() for W in network.weights],
        "biases": [b.tolist() for b in network.biases],
        **extra,
    }


def network_to_json(network: Network, epoch: int = 0, **extra) -> str:
    """JSON text; floats are written with repr, so they read back to the same bits."""
    return json.dumps(network_to_dict(network, epoch, **extra), separators=(",", ":"))


def _reject_constant(name: str) -> float:
    raise ValueError(f"the file contains {name}; every number must be finite")


def network_from_json(
    text: str | bytes, max_parameters: int = MAX_PARAMETERS
) -> tuple[Network, dict]:
    """Parse and check a saved network; returns it and the file's other fields."""
    try:
        data = json.loads(text, parse_constant=_reject_constant)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"not a JSON file: {err}") from None
    return network_from_dict(data, max_parameters)


def network_from_dict(data: object, max_parameters: int = MAX_PARAMETERS) -> tuple[Network, dict]:
    """Check every field of a saved network and rebuild it."""
    if not isinstance(data, dict):
        raise ValueError("a saved network must be a JSON object")
    if data.get("format") != FORMAT or data.get("version") != VERSION:
        raise ValueError(
            f"not a Backprop Lab network file: expected format {FORMAT!r} version {VERSION}, "
            f"got {data.get('format')!r} version {data.get('version')!r}"
        )
    sizes = validate_sizes(data.get("sizes"))
    if num_parameters(sizes) > max_parameters:
        raise ValueError(
            f"the network has {num_parameters(sizes):,} parameters; at most "
            f"{max_parameters:,} are allowed"
        )
    seed, epoch = data.get("seed"), data.get("epoch", 0)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int) or seed < 0):
        raise ValueError(f"seed must be a whole number ≥ 0 or null, got {seed!r}")
    if isinstance(epoch, bool) or not isinstance(epoch, int) or epoch < 0:
        raise ValueError(f"epoch must be a whole number ≥ 0, got {epoch!r}")
    network = Network(
        sizes,
        activation=data.get("activation"),
        cost=data.get("cost"),
        seed=seed,
        init=data.get("init", "uniform"),
        output_activation=data.get("output_activation"),
    )
    weights = _arrays(data.get("weights"), [(m, n) for m, n in zip(sizes, sizes[1:])], "weights")
    biases = _arrays(data.get("biases"), [(n,) for n in sizes[1:]], "biases")
    network.set_parameters(weights, biases)
    return network, {k: v for k, v in data.items() if k not in ("weights", "biases")}


def _arrays(value: object, shapes: list[tuple[int, ...]], name: str) -> list[np.ndarray]:
    if not isinstance(value, list) or len(value) != len(shapes):
        raise ValueError(f"{name} must be a list of {len(shapes)} arrays")
    return [_array(v, shape, f"{name}[{l}]") for l, (v, shape) in enumerate(zip(value, shapes))]


def _array(value: object, shape: tuple[int, ...], name: str) -> np.ndarray:
    """A nested list of plain finite numbers with exactly ``shape``, as float64."""

    def flatten(v: object, dims: tuple[int, ...]) -> list[float]:
        if not dims:
            if isinstance(v, bool) or not isinstance(v, numbers.Real) or not math.isfinite(v):
                raise ValueError(f"{name} must hold finite numbers, found {v!r}")
            return [float(v)]
        if not isinstance(v, list) or len(v) != dims[0]:
            raise ValueError(f"{name} must have shape {shape}")
        return [x for item in v for x in flatten(item, dims[1:])]

    return np.array(flatten(value, shape)).reshape(shape)

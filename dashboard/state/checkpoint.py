"""A run as bytes for the run store, and back: everything a reload, a restart or another
replica needs to go on exactly where it was.

A checkpoint is JSON. Its arrays are base64 of their raw bytes with their dtype and shape, so
every float comes back bit for bit, and nothing in it is ever executed or unpickled: a corrupt
or unknown checkpoint is a ValueError, never anything worse.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from dataclasses import dataclass

import numpy as np

from backprop_core.datasets import Dataset
from backprop_core.persistence import network_from_dict, network_to_dict
from dashboard.state.checks import CUSTOM_DATASET
from dashboard.state.run import Run
from dashboard.state.runs import KeptRun, Nudge
from dashboard.state.settings import Settings, settings_from_query, settings_to_query

KIND, VERSION = "backprop-lab-checkpoint", 1
MAX_BYTES = 2_000_000  # a checkpoint past this drops rewind snapshots until it fits
DTYPES = {"float64", "float32", "int64", "int32", "bool", "uint64"}


@dataclass(frozen=True)
class Checkpoint:
    """A run's checkpoint, as the store keeps it."""

    token: str
    epoch: int
    saved_at: float  # time.time() when it was taken
    process: str  # the server process that saved it
    data: bytes


def _pack(value: object) -> object:
    """``value`` for JSON: arrays (and numpy scalars) as {"__array__": dtype, shape, base64}."""
    if isinstance(value, (np.ndarray, np.generic)):
        array = np.ascontiguousarray(value)
        return {
            "__array__": array.dtype.name,
            "shape": list(array.shape),
            "data": base64.b64encode(array.tobytes()).decode(),
        }
    if isinstance(value, dict):
        return {str(k): _pack(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_pack(v) for v in value]
    return value


def _unpack(value: object) -> object:
    if isinstance(value, dict):
        if "__array__" in value:
            dtype, shape = value["__array__"], tuple(value["shape"])
            if dtype not in DTYPES or not all(isinstance(n, int) and n >= 0 for n in shape):
                raise ValueError(f"an array of {dtype} {shape} is not one a run holds")
            array = np.frombuffer(base64.b64decode(value["data"], validate=True), dtype=dtype)
            return array.reshape(shape).copy()
        return {k: _unpack(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_unpack(v) for v in value]
    return value


def _dataset(data: Dataset | None) -> dict | None:
    if data is None:
        return None
    return {
        "name": data.name,
        "title": data.title,
        "X": data.X,
        "T": data.T,
        "inputs": list(data.input_names),
        "outputs": list(data.output_names),
        "kind": data.kind,
    }


def _settings(query: object) -> Settings:
    if not isinstance(query, dict) or not all(isinstance(v, str) for v in query.values()):
        raise ValueError("its settings are not a link's parameters")
    settings, warnings = settings_from_query(query)
    if warnings:
        raise ValueError(f"its settings do not read back ({warnings[0]})")
    return settings


def state_of(run: Run) -> dict:
    """What a checkpoint holds of ``run``, copied under its lock in one go (quick: the
    arrays are copied, nothing is encoded)."""
    with run.lock:
        network = run.network
        network.sync()
        return {
            "token": run.token,
            "epoch": run.epoch,
            "settings": run.settings,
            "network": network_to_dict(network, run.epoch),
            "trainer": run.trainer.state(),
            "history": copy.deepcopy(run.history.state()),
            "snapshots": {e: run.snapshots.at(e) for e in run.snapshots.epochs},
            "rewound_to": run.rewound_to,
            "nudges": [[n.epoch, n.index, n.old, n.new] for n in run.nudges],
            "kept": list(run.kept),
            "custom": run.custom_data,
        }


def encode(state: dict, max_bytes: int = MAX_BYTES) -> bytes:
    """``state`` (from ``state_of``) as a checkpoint of at most about ``max_bytes``: when it
    is larger, every other rewind snapshot goes (the first and the newest stay)."""
    body = {
        "kind": KIND,
        "version": VERSION,
        **{k: state[k] for k in ("token", "epoch", "network", "trainer", "history")},
        "settings": settings_to_query(state["settings"]),
        "dataset": state["settings"].dataset,  # a link leaves out an uploaded table's name
        "rewound_to": state["rewound_to"],
        "nudges": state["nudges"],
        "kept": [
            {
                "label": k.label,
                "settings": settings_to_query(k.settings),
                "step": k.step,
                "cost": k.cost,
                "delta": k.delta,
            }
            for k in state["kept"]
        ],
        "custom": _dataset(state["custom"]),
    }
    snapshots = dict(state["snapshots"])
    while True:
        body["snapshots"] = [[e, p] for e, p in sorted(snapshots.items())]
        data = json.dumps(_pack(body), separators=(",", ":")).encode()
        epochs = sorted(snapshots)
        if len(data) <= max_bytes or len(epochs) <= 2 or state["rewound_to"] is not None:
            return data
        for e in epochs[1:-1:2]:
            del snapshots[e]


def decode(data: bytes) -> Run:
    """The run a checkpoint holds, paused; a ValueError, which says why, for anything that
    is not a whole checkpoint of this version."""
    try:
        body = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ValueError(f"the checkpoint is not readable ({err.__class__.__name__})") from None
    if not isinstance(body, dict) or body.get("kind") != KIND:
        raise ValueError("this is not a Backprop Lab checkpoint")
    if body.get("version") != VERSION:
        raise ValueError(
            f"the checkpoint is of version {str(body.get('version'))[:20]}; this server reads "
            f"version {VERSION}"
        )
    try:
        return _restore(_unpack(body))
    except (KeyError, TypeError, IndexError, AttributeError) as err:
        raise ValueError(f"the checkpoint is incomplete ({err.__class__.__name__})") from None


def _restore(body: dict) -> Run:
    settings = _settings(body["settings"])
    network, _ = network_from_dict(body["network"])
    custom = body["custom"]
    if body["dataset"] == CUSTOM_DATASET and custom is not None:
        settings = settings.with_(dataset=CUSTOM_DATASET)
    run = Run()  # a lock and the rest, then the checkpoint's run in it
    if custom is not None:
        run.custom_data = Dataset(
            str(custom["name"]),
            str(custom["title"]),
            np.asarray(custom["X"], dtype=float),
            np.asarray(custom["T"], dtype=float),
            tuple(map(str, custom["inputs"])),
            tuple(map(str, custom["outputs"])),
            str(custom["kind"]),
        )
    run._build(settings, network)
    run.token = str(body["token"])
    run.trainer.restore(body["trainer"])
    run.history.restore(body["history"])
    if run.epoch != body["epoch"]:
        raise ValueError("the checkpoint's history and epoch disagree")
    size = network.params.size
    for epoch, params in body["snapshots"]:
        params = np.asarray(params, dtype=float)
        if params.shape != (size,):
            raise ValueError("a rewind snapshot does not fit the network")
        run.snapshots.record(int(epoch), params)
    rewound = body["rewound_to"]
    if rewound is not None:
        run.snapshots.at(int(rewound))
        run.rewound_to = int(rewound)
    run.nudges = [Nudge(int(e), int(i), float(o), float(n)) for e, i, o, n in body["nudges"]]
    run.kept = [
        KeptRun(
            str(k["label"]),
            _settings(k["settings"]),
            float(k["step"]),
            np.asarray(k["cost"], dtype=float),
            np.asarray(k["delta"], dtype=float),
        )
        for k in body["kept"]
    ]
    return run


def checkpoint(state: dict, process: str) -> Checkpoint:
    """``state`` encoded, stamped with the time and the process that saved it."""
    return Checkpoint(state["token"], state["epoch"], time.time(), process, encode(state))

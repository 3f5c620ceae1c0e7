"""What the pages say about a run in words, tables and files, from a ``RunSnapshot``: the
status line, the outputs against the targets, and the history as CSV."""

from __future__ import annotations

import io
import re

import numpy as np

from backprop_core.datasets import Dataset
from dashboard.state.checks import SOLVED_WITHIN
from dashboard.state.run import Run
from dashboard.state.snapshot import RunSnapshot
from dashboard.state.worker import HIDDEN_SECONDS

_ASCII = {"δ": "delta", "η": "eta", "λ": "lambda", "σ": "sigma", "ε": "epsilon", "∂": "d"}


def file_stem(*parts: str) -> str:
    """``parts`` as one file name: markup dropped, lower-case ASCII letters, digits and dots
    in words joined by hyphens, at most 120 characters."""
    text = re.sub(r"<[^>]*>", "", "-".join(parts))
    for letter, word in _ASCII.items():
        text = text.replace(letter, word)
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-.")[:120] or "chart"


def run_name(snapshot: RunSnapshot, epoch: bool = True) -> str:
    """Which run a downloaded file comes from: its data, network, activation, η, seed and
    (with ``epoch``) the epoch shown, e.g. ``half-adder-2-2-2-2-sigmoid-lr0.5-seed0-epoch4618``."""
    s = snapshot.settings
    parts = [s.dataset.replace("_", "-"), "-".join(map(str, snapshot.network.sizes))]
    parts += [s.activation, f"lr{s.learning_rate:g}", f"seed{s.seed}"]
    at = snapshot.shown_epoch if snapshot.rewound_to is None else snapshot.rewound_to
    return file_stem(*parts, *([f"epoch{at}"] if epoch else []))


def status(snapshot: RunSnapshot) -> str:
    """One line on what training is doing, or why it stopped and what to do next."""
    activity = snapshot.activity
    if activity.error is not None:
        return (
            f"Training stopped by an error ({activity.error[:120]}). The network keeps its "
            "last parameters; press Reset to start again."
        )
    if snapshot.diverged:
        at = snapshot.diverged_at
        return (
            f"Training stopped at epoch {at:,}: the cost became infinite or NaN at learning "
            f"rate {snapshot.settings.learning_rate:g}. The network keeps the parameters of "
            f"epoch {max(at - 1, 0):,}. Lower the learning rate and press Reset."
        )
    if activity.running:
        return "Training" if activity.until is None else f"Stepping to epoch {activity.until:,}"
    if activity.stopped == "solved":
        return (
            f"Solved: at epoch {snapshot.epoch:,} every output is within {SOLVED_WITHIN:g} of "
            "its target, so training stopped. Turn off 'Stop when solved' to train on."
        )
    if activity.stopped == "hidden":
        return (
            f"Paused (page was hidden): no page drew for {HIDDEN_SECONDS:g} s, so training "
            "stopped. Press Train to go on."
        )
    if activity.stopped == "disconnected":
        return (
            "Paused: the browser lost its connection to the server, so training stopped. "
            "Press Train to go on."
        )
    return "Paused"


def outputs_table(data: Dataset, outputs: np.ndarray) -> dict[str, list]:
    """One row per training input: inputs, targets, outputs and rounded outputs."""
    table: dict[str, list] = {}
    for j, name in enumerate(data.input_names):
        table[name] = data.X[:, j].tolist()
    for j, name in enumerate(data.output_names):
        table[f"target {name}"] = data.T[:, j].tolist()
        table[f"output {name}"] = np.round(outputs[:, j], 4).tolist()
        table[f"rounded {name}"] = np.round(outputs[:, j]).tolist()
    table["correct"] = np.all(np.round(outputs) == data.T, axis=1).tolist()
    return table


CSV_ROWS = 100_000  # about 10 MB of CSV at the most, however long the run
CSV_EXACT = 10_000  # the first epochs, where the plateau and the drop are, always in full


def csv_epochs(first: int, end: int) -> np.ndarray:
    """The epochs a history export lists from the rows ``first`` to ``end``: every one up to
    CSV_ROWS of them; beyond, the first CSV_EXACT and then evenly spaced ones."""
    if end - first <= CSV_ROWS:
        return np.arange(first, end)
    head = np.arange(first, first + CSV_EXACT)
    rest = np.linspace(first + CSV_EXACT, end - 1, CSV_ROWS - CSV_EXACT).round().astype(int)
    return np.concatenate([head, np.unique(rest)])


def history_csv(run: Run) -> str:
    """epoch, cost, and mean |δ^l| per layer, one line per epoch kept row by row (see
    ``csv_epochs``)."""
    epochs, cost, delta = run.export_rows(csv_epochs)
    table = np.column_stack([epochs, cost, delta])
    header = ",".join(["epoch", "cost"] + [f"delta_{l + 1}" for l in range(delta.shape[1])])
    out = io.StringIO()
    fmt = ["%d", "%.17g"] + ["%.9g"] * delta.shape[1]
    np.savetxt(out, table, delimiter=",", header=header, comments="", fmt=fmt)
    return out.getvalue()

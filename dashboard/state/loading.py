"""A saved network file back into a run: the settings it implies, and its history."""

from __future__ import annotations

import numpy as np

from backprop_core import Network, Trainer
from backprop_core.validation import brief
from dashboard.state.checks import (
    CUSTOM_DATASET,
    DATASETS,
    REGULARIZATION_RATES,
    output_activation_for,
    parse_hidden,
)
from dashboard.state.settings import SCHEMA, Settings, settings_from_query, settings_to_query


def saved_settings(settings: Settings) -> dict[str, str]:
    """What a saved file carries of ``settings`` besides the network: the schema's saved
    settings, as a link writes them."""
    return settings_to_query(settings, saved_only=True)


def settings_for(current: Settings, network: Network, meta: dict) -> tuple[Settings, list[str]]:
    """The settings that continue a loaded network: its architecture and penalty, the file's
    saved settings (version 3 files; older ones carry only the dataset), and the current
    choices for the rest. Returns them with a note for each value that could not be used."""
    config = network.config()
    expected = output_activation_for(config["cost"], config["activation"])
    if config["output_activation"] != expected:
        raise ValueError(
            "this app uses one activation in every layer (sigmoid outputs with "
            f"cross-entropy); the file has {brief(config['activation'])} hidden layers and "
            f"{brief(config['output_activation'])} outputs"
        )
    notes = []
    saved = meta.get("settings")
    if not isinstance(saved, dict):
        saved = {"dataset": meta["dataset"]} if isinstance(meta.get("dataset"), str) else {}
    texts = {k: v for k, v in saved.items() if isinstance(k, str) and isinstance(v, str)}
    from_file, warnings = settings_from_query(texts)
    notes += [w.replace("URL parameter", "The file's setting") + "." for w in warnings]
    values = {s.field: getattr(from_file, s.field) for s in SCHEMA if s.saved and s.url in texts}
    if saved.get("dataset") == CUSTOM_DATASET:
        values["dataset"] = CUSTOM_DATASET  # the table itself is not in the file
    values.setdefault("dataset", current.dataset)
    if values["dataset"] not in DATASETS and values["dataset"] != CUSTOM_DATASET:
        values["dataset"] = current.dataset
    rate = min(REGULARIZATION_RATES, key=lambda r: abs(r - config["regularization_rate"]))
    if rate != config["regularization_rate"]:
        notes.append(
            f"Its λ = {config['regularization_rate']:g} is not one the control offers, so "
            f"training goes on with λ = {rate:g}."
        )
        network.regularization_rate = rate
    settings = current.with_(
        **values,
        hidden=parse_hidden(", ".join(map(str, network.sizes[1:-1])) or "none"),
        activation=config["activation"],
        cost=config["cost"],
        init=config["init"],
        seed=config["seed"] or 0,
        features=tuple(config["features"] or current.features),
        regularization=config["regularization"],
        rate=rate,
    )
    return settings, notes


def restore_history(trainer: Trainer, saved: dict) -> None:
    """Put a saved run's records in front of the loaded network's training: its rows, or its
    thinned curves (``History.restore``)."""
    history = trainer.history
    if "thinned" in saved:
        history.restore(saved)
        return
    rows = saved["rows"]
    shares = rows["output_cost"]
    if trainer.track_outputs and shares.size == 0:
        shares = np.full((len(rows["cost"]), trainer.T.shape[1]), np.nan)  # not in the file
    history.extend(rows["cost"], rows["delta_magnitude"], rows["gradient_norm"], shares)

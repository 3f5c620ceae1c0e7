"""The per-user training session: one network, its trainer and what the screen needs."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from backprop_core import Network, Trainer, datasets

from .figures import nice_limit
from .settings import Settings

TICK_SECONDS = 0.15  # training per refresh; leaves time to draw at 4+ refreshes a second


@dataclass
class View:
    """What the screen shows of the current parameters, from one forward pass."""

    cost: float
    outputs: np.ndarray
    all_correct: bool


class TrainingSession:
    """Holds the network being trained and the run state that the buttons change."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.generation = 0
        self._build(settings or Settings())

    def _build(self, settings: Settings) -> None:
        data = datasets.get(settings.dataset)
        sizes = [data.X.shape[1], *settings.hidden, data.T.shape[1]]
        output = "sigmoid" if settings.cost == "cross_entropy" else None
        self.network = Network(
            sizes,
            settings.activation,
            settings.cost,
            seed=settings.seed,
            init=settings.init,
            output_activation=output,
        )
        self.trainer = Trainer(self.network, data.X, data.T, settings.learning_rate)
        self.data, self.settings = data, settings
        self.running = False
        self.weight_scale = nice_limit(float(np.abs(self.network.params).max()))
        self.generation += 1

    @property
    def epoch(self) -> int:
        return self.trainer.epoch

    @property
    def history(self):
        return self.trainer.history

    def apply(self, settings: Settings) -> str | None:
        """Take new settings. A new architecture re-initialises (and says so); η applies at once."""
        if settings.architecture() != self.settings.architecture():
            old = self.settings
            self._build(settings)
            return "Re-initialised the network: " + describe_changes(old, settings) + "."
        self.trainer.learning_rate = settings.learning_rate
        self.settings = settings
        return None

    def reset(self) -> None:
        """A fresh initialisation from the same seed, back at epoch 0, paused."""
        self._build(self.settings)

    def train(self, max_epochs: int, seconds: float = TICK_SECONDS) -> int:
        """Train up to ``max_epochs`` or ``seconds``, whichever ends first; pause on divergence."""
        done = self.trainer.step(max_epochs, max_seconds=seconds)
        if self.history.diverged:
            self.running = False
        self.weight_scale = max(
            self.weight_scale, nice_limit(float(np.abs(self.network.params).max()))
        )
        return done

    def view(self) -> View:
        fwd = self.network.forward(self.data.X)
        outputs = fwd.a[-1]
        correct = bool(np.all(np.round(outputs) == self.data.T))
        return View(self.network.cost_of(fwd, self.data.T), outputs, correct)

    def status(self) -> str:
        if self.history.diverged:
            at = self.history.diverged_at
            return (
                f"Training stopped at epoch {at}: the cost became infinite or NaN at learning "
                f"rate {self.settings.learning_rate:g}. The network keeps the parameters of "
                f"epoch {max(at - 1, 0)}. Lower the learning rate and press Reset."
            )
        return "Training" if self.running else "Paused"

    def outputs_table(self, outputs: np.ndarray) -> dict[str, list]:
        """One row per training input: inputs, targets, outputs and rounded outputs."""
        data = self.data
        table: dict[str, list] = {}
        for j, name in enumerate(data.input_names):
            table[name] = data.X[:, j].astype(int).tolist()
        for j, name in enumerate(data.output_names):
            table[f"target {name}"] = data.T[:, j].tolist()
            table[f"output {name}"] = np.round(outputs[:, j], 4).tolist()
            table[f"rounded {name}"] = np.round(outputs[:, j]).tolist()
        table["correct"] = np.all(np.round(outputs) == data.T, axis=1).tolist()
        return table


def describe_changes(old: Settings, new: Settings) -> str:
    labels = {
        "dataset": "dataset",
        "hidden_text": "hidden layers",
        "activation": "activation",
        "cost": "cost",
        "init": "initialisation",
        "seed": "seed",
    }
    parts = [
        f"{label} {getattr(old, field)} → {getattr(new, field)}"
        for field, label in labels.items()
        if getattr(old, field) != getattr(new, field)
    ]
    return ", ".join(parts)

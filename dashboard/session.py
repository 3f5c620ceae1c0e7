"""The per-user training session: one network, its trainer, and a worker that trains it live.

Training runs on a worker thread so that it goes on while the browser redraws; the page
reads the session under ``lock`` a few times a second. The worker stops by itself when
nobody has looked for ``IDLE_SECONDS`` (a closed tab must not train forever).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import numpy as np

from backprop_core import Network, Trainer, datasets
from backprop_core.training import MAX_EPOCHS_PER_CALL

from .figures import nice_limit
from .settings import Settings

REFRESH_SECONDS = 0.2  # how often the page redraws while training
CHUNK_SECONDS = 0.02  # the worker releases the lock this often so the page can read
IDLE_SECONDS = 10.0


@dataclass
class View:
    """What the screen shows of the current parameters, from one forward pass."""

    cost: float
    outputs: np.ndarray
    all_correct: bool


class TrainingSession:
    """Holds the network being trained and the run state that the buttons change."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self.epochs_per_refresh: int | None = None  # None: as fast as possible
        self.idle_stop = False
        self.last_seen = time.monotonic()
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._build(settings or Settings())

    def _build(self, settings: Settings) -> None:
        self.pause()
        data = datasets.get(settings.dataset)
        sizes = [data.X.shape[1], *settings.hidden, data.T.shape[1]]
        output = "sigmoid" if settings.cost == "cross_entropy" else None
        network = Network(
            sizes,
            settings.activation,
            settings.cost,
            seed=settings.seed,
            init=settings.init,
            output_activation=output,
        )
        with self.lock:
            self.network = network
            self.trainer = Trainer(network, data.X, data.T, settings.learning_rate)
            self.data, self.settings = data, settings
            self.weight_scale = nice_limit(float(np.abs(network.params).max()))
            self.generation += 1

    @property
    def running(self) -> bool:
        return self._worker is not None and self._worker.is_alive() and not self._stop.is_set()

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
        with self.lock:
            self.trainer.learning_rate = settings.learning_rate
            self.settings = settings
        return None

    def reset(self) -> None:
        """A fresh initialisation from the same seed, back at epoch 0, paused."""
        self._build(self.settings)

    def start(self) -> None:
        """Train on the worker thread until pause, divergence or nobody watching."""
        if self.running or self.history.diverged:
            return
        self.seen()
        self.idle_stop = False
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._work, args=(self._stop,), daemon=True)
        self._worker.start()

    def pause(self) -> None:
        self._stop.set()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join()

    def step(self, epochs: int) -> None:
        """Pause, then train exactly ``epochs`` epochs (fewer only on divergence)."""
        self.pause()
        self.train(epochs, seconds=None)

    def seen(self) -> None:
        """The page calls this on every redraw: proof that somebody is watching."""
        self.last_seen = time.monotonic()

    def train(self, max_epochs: int, seconds: float | None = CHUNK_SECONDS) -> int:
        """Train up to ``max_epochs`` (or ``seconds``) under the lock; returns epochs done."""
        with self.lock:
            done = self.trainer.step(max_epochs, max_seconds=seconds)
            top = float(np.abs(self.network.params).max())
            self.weight_scale = max(self.weight_scale, nice_limit(top))
        return done

    def _work(self, stop: threading.Event) -> None:
        while not stop.is_set() and not self.history.diverged:
            if time.monotonic() - self.last_seen > IDLE_SECONDS:
                self.idle_stop = True
                break
            speed = self.epochs_per_refresh
            done = self.train(MAX_EPOCHS_PER_CALL if speed is None else speed)
            # Rate-limit slow speeds; otherwise just let the page take the lock.
            stop.wait(REFRESH_SECONDS * done / speed if speed else 0.001)
        stop.set()

    def view(self) -> View:
        with self.lock:
            fwd = self.network.forward(self.data.X)
            cost = self.network.cost_of(fwd, self.data.T)
        outputs = fwd.a[-1]
        correct = bool(np.all(np.round(outputs) == self.data.T))
        return View(cost, outputs, correct)

    def status(self) -> str:
        if self.history.diverged:
            at = self.history.diverged_at
            return (
                f"Training stopped at epoch {at}: the cost became infinite or NaN at learning "
                f"rate {self.settings.learning_rate:g}. The network keeps the parameters of "
                f"epoch {max(at - 1, 0)}. Lower the learning rate and press Reset."
            )
        if self.running:
            return "Training"
        return "Paused (page was hidden)" if self.idle_stop else "Paused"

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

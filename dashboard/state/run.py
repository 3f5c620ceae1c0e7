"""One user's training run: the network, its trainer and data, the history and the rewind
snapshots, hand edits and kept runs, behind one lock that its methods take themselves.

A ``Worker`` trains it in the scheduler's turns; pages read a ``RunSnapshot`` of it. A change
that replaces the parameters first calls ``halt`` (the worker's pause), outside the lock.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from backprop_core import Network, Trainer
from backprop_core.datasets import Dataset
from backprop_core.diagnostics import row_groups
from backprop_core.features import transform
from backprop_core.persistence import network_to_json
from backprop_core.regularization import get_regularizer
from dashboard.state.checks import CUSTOM_DATASET
from dashboard.state.edits import Edits
from dashboard.state.loading import restore_history, saved_settings, settings_for
from dashboard.state.runs import MAX_KEPT, KeptRun, Nudge, Snapshots, keep_run
from dashboard.state.settings import Settings, describe_changes
from dashboard.state.snapshot import Activity, RunSnapshot, outcome


def _with_features(data: Dataset, features: tuple[str, ...]) -> Dataset:
    """The 2-D points as the network's input columns: the chosen features of (x1, x2)."""
    return replace(data, X=transform(data.X, features), input_names=tuple(features))


def fit_batch(settings: Settings, rows: int) -> tuple[Settings, str | None]:
    """``settings`` with full batch when its batch size is larger than the ``rows`` training
    rows, and a note that says so."""
    if settings.batch is None or settings.batch <= rows:
        return settings, None
    note = (
        f"The batch size {settings.batch} is larger than its {rows} training "
        f"row{'' if rows == 1 else 's'}, so training uses the full batch."
    )
    return settings.with_(batch=None), note


@dataclass(frozen=True)
class Built:
    """What one network of a run trains on."""

    network: Network
    trainer: Trainer
    data: Dataset  # the training rows as the network sees them (features applied)
    test_data: Dataset | None
    points: tuple[Dataset, Dataset] | None  # the raw (x1, x2) points of a 2-D set
    row_names: list[str]  # the rows (or groups of rows) of the row-cost record


def build(settings: Settings, custom_data: Dataset | None, network: Network | None = None) -> Built:
    """The data and a trainer for ``settings`` (and a fresh network unless given), without
        touching any run: a ValueError leaves everything as it was. ``custom_data`` is the
    uploaded table, if any."""
    points = settings.load_data() if settings.points else None
    if settings.dataset == CUSTOM_DATASET:
        if custom_data is None:
            raise ValueError("upload a truth table before choosing the uploaded dataset")
        data, test = custom_data, None
    else:
        data, test = points or settings.load_data()
        if settings.points:
            data, test = (_with_features(d, settings.features) for d in (data, test))
    groups, group_names = row_groups(data.T)
    if network is None:
        features = settings.features if settings.points else None
        sizes, options = settings.layer_sizes(data), settings.network_options()
        network = Network(sizes, seed=settings.seed, features=features, **options)
    trainer = Trainer(
        network,
        data.X,
        data.T,
        settings.learning_rate,
        **settings.trainer_options(),
        X_test=None if test is None else test.X,
        T_test=None if test is None else test.T,
        track_outputs=data.T.shape[1] > 1,
        track_accuracy=data.is_classification,
        row_groups=groups,
    )
    return Built(network, trainer, data, test, points, group_names)


def new_token() -> str:
    """128 random bits, URL-safe: unguessable, so a run's address is its key."""
    return secrets.token_urlsafe(16)


class Run(Edits):
    """Holds the network being trained and everything the lecture workflow keeps of it."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.lock = threading.RLock()
        self.halt: Callable[[], None] = lambda: None  # stops training before a change
        self.token = new_token()  # names the run in the address bar and in the run store
        self.generation = 0
        self.custom_data: Dataset | None = None
        self.kept: list[KeptRun] = []
        self.activity = Activity()  # what the worker is doing, as it reports it
        self._build(settings or Settings())

    def _build(self, settings: Settings, network: Network | None = None) -> None:
        self.halt()
        built = build(settings, self.custom_data, network)
        with self.lock:
            self.built, self.settings = built, settings
            self.snapshots = Snapshots(built.network.params.size)
            self.snapshots.record(0, built.network.params)
            self.rewound_to: int | None = None
            self.nudges: list[Nudge] = []
            self.activity = Activity()
            self.generation += 1

    @property
    def network(self) -> Network:
        return self.built.network

    @property
    def trainer(self) -> Trainer:
        return self.built.trainer

    @property
    def data(self) -> Dataset:
        return self.built.data

    @property
    def history(self):
        return self.built.trainer.history

    @property
    def epoch(self) -> int:
        return self.built.trainer.epoch

    def apply(self, settings: Settings) -> str | None:
        """Take new settings. A new architecture re-initialises, and the returned text says
        what changed; everything else applies at once."""
        if settings.architecture() != self.settings.architecture():
            old = self.settings
            self._build(settings)
            return describe_changes(old, settings)
        with self.lock:
            self.trainer.learning_rate = settings.learning_rate
            self.network.regularizer = get_regularizer(settings.regularization)
            self.network.regularization_rate = settings.rate
            self.settings = settings
        return None

    def reset(self) -> None:
        """A fresh initialisation from the same seed, back at epoch 0."""
        self._build(self.settings)

    def train(self, max_epochs: int, seconds: float | None) -> int:
        """Train up to ``max_epochs`` (or ``seconds``) under the lock, snapshotting on schedule."""
        deadline = None if seconds is None else time.perf_counter() + seconds
        done = 0
        with self.lock:
            trainer = self.trainer
            while done < max_epochs and not trainer.history.diverged:
                left = None if deadline is None else deadline - time.perf_counter()
                if left is not None and left <= 0:
                    break
                target = Snapshots.next_after(trainer.epoch)
                ran = trainer.step(min(max_epochs - done, target - trainer.epoch), left)
                done += ran
                if trainer.epoch == target and not trainer.history.diverged:
                    self.snapshots.record(target, self.network.params)
                if ran == 0 and trainer.partial is None:
                    break
        return done

    def solved(self) -> bool:
        """Whether every training output is within ``SOLVED_WITHIN`` of its target now."""
        with self.lock:
            return outcome(self.network, self.data, None).solved

    def keep(self) -> KeptRun:
        """Store this run's curves for comparison; at most MAX_KEPT are kept."""
        with self.lock:
            if len(self.kept) >= MAX_KEPT:
                raise ValueError(f"{MAX_KEPT} runs are kept already, the most allowed: remove one")
            curves = self.history.curves()
            taken = {kept.label for kept in self.kept}
            run = keep_run(
                self.settings, curves["cost"], curves["delta_magnitude"], len(self.nudges), taken
            )
            self.kept.append(run)
        return run

    def forget_kept(self, labels: set[str]) -> None:
        """Remove the kept runs with these labels (every label names one run)."""
        with self.lock:
            self.kept = [run for run in self.kept if run.label not in labels]

    def use_dataset(self, data: Dataset) -> str | None:
        """Make an uploaded truth table the ``custom`` dataset and train on it next. A batch size
        larger than the table falls back to full batch: the returned note says so."""
        settings, note = fit_batch(self.settings.with_(dataset=CUSTOM_DATASET), len(data.X))
        previous, self.custom_data = self.custom_data, data
        try:
            self._build(settings)
        except ValueError:
            self.custom_data = previous  # a refused table never joins the dataset list
            raise
        return note

    def load(self, network: Network, meta: dict) -> str:
        """Continue from a loaded network; its settings replace the current ones. Returns what
        was loaded, with a note for every setting that had to change."""
        settings, notes = settings_for(self.settings, network, meta)
        data = build(settings.with_(batch=None), self.custom_data, network.copy()).data
        if (data.X.shape[1], data.T.shape[1]) != (network.sizes[0], network.sizes[-1]):
            raise ValueError(
                f"the network has {network.sizes[0]} inputs and {network.sizes[-1]} outputs; "
                f"{data.title} needs {data.X.shape[1]} and {data.T.shape[1]}"
            )
        settings, batch_note = fit_batch(settings, len(data.X))
        self._build(settings, network)
        epochs = meta.get("epoch", 0)
        loaded = (
            f"Loaded a {'-'.join(map(str, network.sizes))} network trained for {epochs:,} "
            f"epoch{'' if epochs == 1 else 's'}"
        )
        if "history" not in meta:
            loaded += "; the file holds no history, so the charts start from here."
        else:
            with self.lock:
                restore_history(self.trainer, meta["history"])
                self.snapshots = Snapshots(self.network.params.size)
                self.snapshots.record(self.epoch, self.network.params)
            loaded += f", with its history; training continues from epoch {self.epoch:,}."
        return " ".join([loaded, *notes, *([batch_note] if batch_note else [])])

    def saved_file(self) -> str:
        """The network, its history and its saved settings as JSON that uploads back."""
        with self.lock:
            return network_to_json(
                self.network, self.epoch, self.history, settings=saved_settings(self.settings)
            )

    def snapshot_params(self, epochs: list[int]) -> list[tuple[int, np.ndarray]]:
        """Copies of the rewind snapshots' parameters at ``epochs``."""
        with self.lock:
            return [(e, self.snapshots.at(e).copy()) for e in epochs]

    def export_rows(self, epochs: Callable[[int, int], np.ndarray]) -> tuple[np.ndarray, ...]:
        """(epochs, cost, mean |δ^l|) of the history's rows at ``epochs(first, end)``, the
        range of epochs it keeps row by row."""
        with self.lock:
            history = self.history
            chosen = epochs(history.exact_from, min(len(history), history.exact_epochs))
            return chosen, history.cost[chosen], history.delta_magnitude[chosen]

    def snapshot(self) -> RunSnapshot:
        """Everything a page shows of this run, copied under the lock in one go."""
        with self.lock:
            network = self.network.copy()
            shown = network
            if self.rewound_to is not None:
                shown = network.copy()
                shown.params[...] = self.snapshots.at(self.rewound_to)
            built = self.built
            return RunSnapshot(
                generation=self.generation,
                epoch=self.epoch,
                settings=self.settings,
                network=network,
                shown=shown,
                rewound_to=self.rewound_to,
                data=built.data,
                test_data=built.test_data,
                points=built.points,
                row_names=tuple(built.row_names),
                curves=self.history.curves(),
                diverged_at=self.history.diverged_at,
                activity=self.activity,
                kept=tuple(self.kept),
                nudges=tuple(self.nudges),
                snapshot_epochs=tuple(self.snapshots.epochs),
                snapshot_limit=self.snapshots.limit if self.snapshots.thinned else None,
                has_custom_data=self.custom_data is not None,
                custom_title=None if self.custom_data is None else self.custom_data.title,
            )

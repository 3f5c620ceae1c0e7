"""The per-user training session: one network, its trainer, and a worker that trains it live.

Training runs on a worker thread so that it goes on while the browser redraws; the page
reads the session under ``lock`` a few times a second. The worker trains in chunks of
``CHUNK_SECONDS``, each in a turn from the process-wide ``SCHEDULER``. It stops by itself when
the browser has disconnected for ``DISCONNECT_SECONDS`` (a closed tab must not train forever),
or when no page has drawn for ``HIDDEN_SECONDS`` (a tab hidden that long). Slow redraws on a
busy server are neither.
"""

from __future__ import annotations

import io
import threading
import time
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from backprop_core import Network, Trainer
from backprop_core.datasets import Dataset
from backprop_core.diagnostics import row_groups
from backprop_core.features import transform
from backprop_core.regularization import get_regularizer
from backprop_core.training import MAX_EPOCHS_PER_CALL, check_batch_size
from backprop_core.validation import brief
from dashboard.figures.live import colour_limit, nice_limit
from dashboard.state.runs import MAX_KEPT, KeptRun, Nudge, Snapshots, keep_run
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER
from dashboard.state.settings import (
    CUSTOM_DATASET,
    DATASETS,
    REGULARIZATION_RATES,
    Settings,
    output_activation_for,
    parse_hidden,
)
from dashboard.state.snapshot import Outcome, RunSnapshot, outcome

CHUNK_SECONDS = 0.02  # the worker releases the lock (and its turn) this often
MAX_DEBT_SECONDS = 0.5  # the page drawing a session's training may still owe, at most
STEP_SECONDS = 1.0  # a Step longer than this goes on in the worker, so the page never hangs
DISCONNECT_SECONDS = 5.0  # rides out a reconnect after a network blip
HIDDEN_SECONDS = 90.0  # a hidden tab's browser still redraws about once a second at first


class TrainingSession:
    """Holds the network being trained and the run state that the buttons change."""

    def __init__(self, settings: Settings | None = None) -> None:
        self.lock = threading.RLock()
        self.generation = 0
        self.speed = "max"  # epochs per refresh, as the speed control shows it
        self.idle_stop: str | None = None  # why the worker stopped: "hidden" or "disconnected"
        self.connected: Callable[[], bool] = lambda: True  # is the browser session still there?
        self.stop_when_solved = False
        self.solved_stop = False
        self.error: str | None = None  # what stopped the worker, if an error did
        self.until: int | None = None  # the epoch a long Step trains to on the worker
        self.redraw_debt = 0.0  # seconds of page drawing its training has not yet sat out
        self.last_seen = time.monotonic()
        self.custom_data: Dataset | None = None
        self.kept: list[KeptRun] = []
        self.rewound_to: int | None = None
        self.nudges: list[Nudge] = []  # hand edits of one parameter, oldest first
        self._stop = threading.Event()
        self._worker: threading.Thread | None = None
        self._build(settings or Settings())

    def dataset(
        self, settings: Settings, points: tuple[Dataset, Dataset] | None = None
    ) -> tuple[Dataset, Dataset | None]:
        """(training set, test set) as the network sees them: for the 2-D point sets, the
        input columns are the chosen features of (x1, x2). ``points`` are the raw (x1, x2)
        sets when already loaded."""
        if settings.dataset == CUSTOM_DATASET:
            if self.custom_data is None:
                raise ValueError("upload a truth table before choosing the uploaded dataset")
            return self.custom_data, None
        train, test = points or settings.load_data()
        if settings.points:
            train, test = (_with_features(d, settings.features) for d in (train, test))
        return train, test

    def _build(self, settings: Settings, network: Network | None = None) -> None:
        self.pause()
        self.idle_stop, self.solved_stop, self.error = None, False, None  # why the last one stopped
        points = settings.load_data() if settings.points else None
        data, test = self.dataset(settings, points)
        batch = check_batch_size(settings.batch, len(data.X))
        groups, group_names = row_groups(data.T)
        if network is None:
            features = settings.features if settings.points else None
            network = Network(
                settings.layer_sizes(data),
                seed=settings.seed,
                features=features,
                **settings.network_options(),
            )
        trainer = Trainer(
            network,
            data.X,
            data.T,
            settings.learning_rate,
            batch_size=batch,
            seed=settings.data_seed,
            X_test=None if test is None else test.X,
            T_test=None if test is None else test.T,
            track_outputs=data.T.shape[1] > 1,
            track_accuracy=data.is_classification,
            row_groups=groups,
        )
        with self.lock:
            self.network, self.trainer = network, trainer
            self.data, self.test_data, self.settings = data, test, settings
            self.points = points  # the raw (x1, x2) points, for the decision surface
            self.row_names = group_names  # the rows (or groups of rows) of the row-cost record
            self.weight_scale = nice_limit(float(np.abs(network.params).max()))
            self.snapshots = Snapshots()
            self.snapshots.record(0, network.params)
            self.rewound_to = None
            self.nudges = []
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
            old, was_running = self.settings, self.running
            self._build(settings)
            notice = "Re-initialised the network: " + describe_changes(old, settings) + "."
            return notice + (" Training paused: press Train to go on." if was_running else "")
        with self.lock:
            self.trainer.learning_rate = settings.learning_rate
            self.network.regularizer = get_regularizer(settings.regularization)
            self.network.regularization_rate = settings.rate
            self.settings = settings
        return None

    def reset(self) -> None:
        """A fresh initialisation from the same seed, back at epoch 0, paused."""
        self._build(self.settings)

    def start(self, until: int | None = None) -> None:
        """Train on the worker thread until pause, divergence, nobody watching, or epoch
        ``until`` when given."""
        if self.running or self.history.diverged:
            return
        self.seen()
        self.idle_stop, self.solved_stop, self.error = None, False, None
        self.rewound_to = None
        self.until = until
        self._stop = threading.Event()
        self._worker = threading.Thread(target=self._work, args=(self._stop,), daemon=True)
        self._worker.start()

    def pause(self) -> None:
        self._stop.set()
        if self._worker is not None and self._worker is not threading.current_thread():
            self._worker.join()

    def step(self, epochs: int) -> None:
        """Pause, then train exactly ``epochs`` epochs (fewer only on divergence), in turns from
        the scheduler like all training. What is not done in ``STEP_SECONDS`` goes on in the
        worker, which stops at the target epoch."""
        self.pause()
        self.rewound_to = None
        target = self.epoch + epochs
        deadline = time.monotonic() + STEP_SECONDS
        while self.epoch < target and not self.history.diverged:
            if time.monotonic() > deadline:
                self.start(until=target)
                return
            with SCHEDULER.turn():
                self.train(target - self.epoch)

    def charge(self, seconds: float) -> None:
        """Count ``seconds`` of the server's time spent drawing this session's page: on a busy
        server its training gives up turns to match, so a heavy page costs its own student,
        not the class."""
        self.redraw_debt = min(self.redraw_debt + seconds, MAX_DEBT_SECONDS)

    def _pays_for_redraws(self) -> bool:
        """Whether this turn goes unused, to pay for drawing the page: on a busy server a
        session's page and its training share one student's part of the time."""
        if self.redraw_debt < CHUNK_SECONDS or not SCHEDULER.waiting:
            return False
        self.redraw_debt -= CHUNK_SECONDS
        return True

    def seen(self) -> None:
        """The page calls this on every redraw: proof that somebody is watching."""
        self.last_seen = time.monotonic()

    def train(self, max_epochs: int, seconds: float | None = CHUNK_SECONDS) -> int:
        """Train up to ``max_epochs`` (or ``seconds``) under the lock, snapshotting on schedule."""
        deadline = None if seconds is None else time.perf_counter() + seconds
        done = 0
        with self.lock:
            while done < max_epochs and not self.history.diverged:
                left = None if deadline is None else deadline - time.perf_counter()
                if left is not None and left <= 0:
                    break
                target = Snapshots.next_after(self.epoch)
                ran = self.trainer.step(min(max_epochs - done, target - self.epoch), left)
                done += ran
                if self.epoch == target and not self.history.diverged:
                    self.snapshots.record(target, self.network.params)
                if ran == 0 and self.trainer.partial is None:
                    break
            top = float(np.abs(self.network.params).max())
            self.weight_scale = colour_limit(self.weight_scale, top)
        return done

    def idle(self, disconnected_since: float | None) -> str | None:
        """Why the worker should stop now: "disconnected" once the browser has been gone for
        ``DISCONNECT_SECONDS`` (counted from ``disconnected_since``), "hidden" once no page has
        drawn for ``HIDDEN_SECONDS``; otherwise None, however slow the redraws are."""
        now = time.monotonic()
        if disconnected_since is not None and now - disconnected_since >= DISCONNECT_SECONDS:
            return "disconnected"
        if now - self.last_seen > HIDDEN_SECONDS:
            return "hidden"
        return None

    def _work(self, stop: threading.Event) -> None:
        try:
            self._train_until_stopped(stop)
        except Exception as err:  # the page says so, and the session lives on
            self.error = f"{type(err).__name__}: {err}"
        finally:
            stop.set()

    def _train_until_stopped(self, stop: threading.Event) -> None:
        disconnected_since = None
        with SCHEDULER.worker():
            while not stop.is_set() and not self.history.diverged:
                if self.until is not None and self.epoch >= self.until:
                    break
                if self.connected():
                    disconnected_since = None
                elif disconnected_since is None:
                    disconnected_since = time.monotonic()
                self.idle_stop = self.idle(disconnected_since)
                if self.idle_stop:
                    break
                speed = None if self.speed == "max" else int(self.speed)
                limit = MAX_EPOCHS_PER_CALL if speed is None else speed
                if self.until is not None:
                    limit = min(limit, self.until - self.epoch)
                with SCHEDULER.turn():
                    done = 0 if self._pays_for_redraws() else self.train(limit)
                if self.stop_when_solved and self.view().all_correct:
                    self.solved_stop = True
                    break
                # Rate-limit slow speeds; otherwise just let the page take the lock.
                stop.wait(REFRESH_SECONDS * done / speed if speed else 0.001)

    def shown_network(self) -> Network:
        """The live network, or a copy holding the snapshot that the rewind slider shows."""
        if self.rewound_to is None:
            return self.network
        shown = self.network.copy()
        shown.params[...] = self.snapshots.at(self.rewound_to)
        return shown

    def rewind(self, epoch: int | None) -> None:
        """Show the snapshot at ``epoch`` (None: the live network); training is untouched."""
        self.pause()
        with self.lock:
            self.snapshots.record(self.epoch, self.network.params)  # "now" is on the slider too
        if epoch is not None:
            self.snapshots.at(epoch)  # raises if there is none
        self.rewound_to = epoch

    def resume_from_rewind(self) -> None:
        """Make the shown snapshot the live network and forget every epoch after it."""
        epoch = self.rewound_to
        if epoch is None:
            return
        self.pause()
        with self.lock:
            self.network.params[...] = self.snapshots.at(epoch)
            self.history.truncate(epoch)
            self.snapshots.drop_after(epoch)
            self.nudges = [n for n in self.nudges if n.epoch <= epoch]  # those the snapshot holds
            self.rewound_to = None

    def nudge(self, index: int, value: float) -> Nudge:
        """Set parameter ``index`` of ``network.params`` to ``value`` by hand (training pauses).
        The rewind snapshot at this epoch becomes the nudged parameters, so the history and
        the snapshots keep telling what the network held."""
        size = len(self.network.params)
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(
                f"the parameter must be a whole number from 0 to {size - 1}, got {brief(index)}"
            )
        if not 0 <= index < size:
            raise ValueError(f"the parameter must be from 0 to {size - 1}, got {index}")
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise ValueError(f"the new value must be a finite number, got {brief(value)}")
        self.pause()
        self.rewound_to = None  # the live network is the one nudged
        with self.lock:
            nudge = Nudge(self.epoch, int(index), float(self.network.params[index]), float(value))
            self.network.params[index] = value
            self.snapshots.record(self.epoch, self.network.params)
            self.history.diverged_at = None
            self.nudges.append(nudge)
        return nudge

    def undo_nudge(self) -> Nudge:
        """Put the last nudged parameter back, if training has not moved on since."""
        if not self.nudges:
            raise ValueError("there is no nudge to undo")
        last = self.nudges[-1]
        if last.epoch != self.epoch:
            raise ValueError(
                f"training has moved on since the nudge at epoch {last.epoch:,}: rewind to it "
                "instead"
            )
        self.pause()
        with self.lock:
            self.network.params[last.index] = last.old
            self.snapshots.record(self.epoch, self.network.params)
            self.nudges.pop()
        return last

    def keep(self) -> KeptRun:
        """Store this run's curves for comparison; at most MAX_KEPT are kept."""
        if len(self.kept) >= MAX_KEPT:
            raise ValueError(f"{MAX_KEPT} runs are kept already, the most allowed: remove one")
        with self.lock:
            curves = self.history.curves()
            taken = {kept.label for kept in self.kept}
            run = keep_run(
                self.settings, curves["cost"], curves["delta_magnitude"], len(self.nudges), taken
            )
        self.kept.append(run)
        return run

    def use_dataset(self, data: Dataset) -> str | None:
        """Make an uploaded truth table the ``custom`` dataset and train on it next. A batch size
        larger than the table falls back to full batch: the returned note says so."""
        settings, note = _fit_batch(self.settings.with_(dataset=CUSTOM_DATASET), len(data.X))
        previous, self.custom_data = self.custom_data, data
        try:
            self._build(settings)
        except ValueError:
            self.custom_data = previous  # a refused table never joins the dataset list
            raise
        return note

    def load(self, network: Network, meta: dict) -> str:
        """Continue from a loaded network; its settings replace the current ones."""
        config = network.config()
        expected = output_activation_for(config["cost"], config["activation"])
        if config["output_activation"] != expected:
            raise ValueError(
                "this app uses one activation in every layer (sigmoid outputs with "
                f"cross-entropy); the file has {config['activation']} hidden layers and "
                f"{config['output_activation']} outputs"
            )
        hidden = parse_hidden(", ".join(map(str, network.sizes[1:-1])) or "none")
        dataset = meta.get("dataset", self.settings.dataset)
        if dataset not in DATASETS and dataset != CUSTOM_DATASET:
            dataset = self.settings.dataset
        notes = []
        rate = _offered_rate(config["regularization_rate"])
        if rate != config["regularization_rate"]:
            notes.append(
                f"Its λ = {config['regularization_rate']:g} is not one the control offers, so "
                f"training goes on with λ = {rate:g}."
            )
            network.regularization_rate = rate
        settings = self.settings.with_(
            dataset=dataset,
            hidden=hidden,
            activation=config["activation"],
            cost=config["cost"],
            init=config["init"],
            seed=config["seed"] or 0,
            features=tuple(config["features"] or self.settings.features),
            regularization=config["regularization"],
            rate=rate,
        )
        data, _ = self.dataset(settings)
        if (data.X.shape[1], data.T.shape[1]) != (network.sizes[0], network.sizes[-1]):
            raise ValueError(
                f"the network has {network.sizes[0]} inputs and {network.sizes[-1]} outputs; "
                f"{data.title} needs {data.X.shape[1]} and {data.T.shape[1]}"
            )
        settings, batch_note = _fit_batch(settings, len(data.X))
        self._build(settings, network)
        epochs = meta.get("epoch", 0)
        loaded = (
            f"Loaded a {'-'.join(map(str, network.sizes))} network trained for {epochs:,} "
            f"epoch{'' if epochs == 1 else 's'}"
        )
        if "history" not in meta:
            loaded += "; the file holds no history, so the charts start from here."
        else:
            self._restore(meta["history"])
            loaded += f", with its history; training continues from epoch {self.epoch:,}."
        return " ".join([loaded, *notes, *([batch_note] if batch_note else [])])

    def _restore(self, saved: dict) -> None:
        """Put a saved run's records in front of the loaded network's training: its rows, or
        its thinned curves (``History.restore``)."""
        with self.lock:
            if "rows" in saved:
                rows = saved["rows"]
                shares = rows["output_cost"]
                if self.trainer.track_outputs and shares.size == 0:
                    shares = np.full((len(rows["cost"]), self.data.T.shape[1]), np.nan)
                self.history.extend(
                    rows["cost"], rows["delta_magnitude"], rows["gradient_norm"], shares
                )
            else:
                self.history.restore(saved)
            self.snapshots = Snapshots()
            self.snapshots.record(self.epoch, self.network.params)

    def view(self) -> Outcome:
        """What the parameters on display do to the rows, as ``RunSnapshot.outcome``."""
        with self.lock:
            return outcome(self.shown_network(), self.data, self.test_data)

    def snapshot_params(self, epochs: list[int]) -> list[tuple[int, np.ndarray]]:
        """Copies of the rewind snapshots' parameters at ``epochs``."""
        with self.lock:
            return [(e, self.snapshots.at(e).copy()) for e in epochs]

    def snapshot(self) -> RunSnapshot:
        """Everything a page shows of this run, copied under the lock in one go."""
        with self.lock:
            network = self.network.copy()
            shown = network
            if self.rewound_to is not None:
                shown = network.copy()
                shown.params[...] = self.snapshots.at(self.rewound_to)
            return RunSnapshot(
                generation=self.generation,
                epoch=self.epoch,
                settings=self.settings,
                network=network,
                shown=shown,
                rewound_to=self.rewound_to,
                data=self.data,
                test_data=self.test_data,
                points=self.points,
                row_names=tuple(self.row_names),
                curves=self.history.curves(),
                diverged_at=self.history.diverged_at,
                running=self.running,
                until=self.until,
                solved_stop=self.solved_stop,
                idle_stop=self.idle_stop,
                error=self.error,
                weight_scale=self.weight_scale,
                kept=tuple(self.kept),
                nudges=tuple(self.nudges),
                snapshot_epochs=tuple(self.snapshots.epochs),
            )

    def shown_epoch(self) -> int:
        """The epoch whose parameters the network holds: after a divergence, the last one
        with a finite cost."""
        at = self.history.diverged_at
        return self.epoch if at is None else max(at - 1, 0)

    def status(self) -> str:
        if self.error is not None:
            return (
                f"Training stopped by an error ({self.error[:120]}). The network keeps its "
                "last parameters; press Reset to start again."
            )
        if self.history.diverged:
            at = self.history.diverged_at
            return (
                f"Training stopped at epoch {at}: the cost became infinite or NaN at learning "
                f"rate {self.settings.learning_rate:g}. The network keeps the parameters of "
                f"epoch {max(at - 1, 0)}. Lower the learning rate and press Reset."
            )
        if self.running:
            return "Training" if self.until is None else f"Stepping to epoch {self.until:,}"
        if self.solved_stop:
            return (
                f"Solved: at epoch {self.epoch:,} every output rounds to its target, so "
                "training stopped. Turn off 'Stop when solved' to train on."
            )
        if self.idle_stop == "hidden":
            return (
                f"Paused (page was hidden): no page drew for {HIDDEN_SECONDS:g} s, so training "
                "stopped. Press Train to go on."
            )
        if self.idle_stop == "disconnected":
            return (
                "Paused: the browser lost its connection to the server, so training stopped. "
                "Press Train to go on."
            )
        return "Paused"

    def outputs_table(self, outputs: np.ndarray) -> dict[str, list]:
        """One row per training input: inputs, targets, outputs and rounded outputs."""
        data = self.data
        table: dict[str, list] = {}
        for j, name in enumerate(data.input_names):
            table[name] = data.X[:, j].tolist()
        for j, name in enumerate(data.output_names):
            table[f"target {name}"] = data.T[:, j].tolist()
            table[f"output {name}"] = np.round(outputs[:, j], 4).tolist()
            table[f"rounded {name}"] = np.round(outputs[:, j]).tolist()
        table["correct"] = np.all(np.round(outputs) == data.T, axis=1).tolist()
        return table

    def history_csv(self) -> str:
        """epoch, cost, and mean |δ^l| per layer, one line per epoch kept row by row (see
        ``csv_epochs``)."""
        with self.lock:
            history = self.history
            first, end = history.exact_from, min(len(history), history.exact_epochs)
            epochs = csv_epochs(first, end)
            cost, delta = history.cost[epochs], history.delta_magnitude[epochs]
        table = np.column_stack([epochs, cost, delta])
        header = ",".join(["epoch", "cost"] + [f"delta_{l + 1}" for l in range(delta.shape[1])])
        out = io.StringIO()
        fmt = ["%d", "%.17g"] + ["%.9g"] * delta.shape[1]
        np.savetxt(out, table, delimiter=",", header=header, comments="", fmt=fmt)
        return out.getvalue()


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


def _fit_batch(settings: Settings, rows: int) -> tuple[Settings, str | None]:
    """``settings`` with full batch when its batch size is larger than the ``rows`` training
    rows, and a note that says so."""
    if settings.batch is None or settings.batch <= rows:
        return settings, None
    note = (
        f"The batch size {settings.batch} is larger than its {rows} training "
        f"row{'' if rows == 1 else 's'}, so training uses the full batch."
    )
    return settings.with_(batch=None), note


def _offered_rate(rate: float) -> float:
    """The regularisation control's value nearest to a loaded network's λ."""
    return min(REGULARIZATION_RATES, key=lambda r: abs(r - rate))


def _with_features(data: Dataset, features: tuple[str, ...]) -> Dataset:
    """The 2-D points as the network's input columns: the chosen features of (x1, x2)."""
    return replace(data, X=transform(data.X, features), input_names=tuple(features))


def describe_changes(old: Settings, new: Settings) -> str:
    labels = {
        "dataset": "dataset",
        "hidden_text": "hidden layers",
        "activation": "activation",
        "cost": "cost",
        "init": "initialisation",
        "seed": "seed",
        "batch": "batch size",
        "noise": "noise %",
        "train": "training share %",
        "data_seed": "data seed",
        "features": "features",
    }
    parts = [
        f"{label} {getattr(old, field)} → {getattr(new, field)}"
        for field, label in labels.items()
        if getattr(old, field) != getattr(new, field)
    ]
    return ", ".join(parts)

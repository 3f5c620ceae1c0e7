"""What the lecture workflow keeps besides the live network: rewind snapshots, hand edits
(nudges) and kept runs."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

import numpy as np

from backprop_core.thinning import Curve
from dashboard.state.settings import Settings

# Epochs to snapshot: every epoch up to 26, then ~50 per decade (256 up to a million epochs).
SCHEDULE = sorted({0} | {round(10 ** (j / 50)) for j in range(500)})
MAX_KEPT = 10
SNAPSHOT_BYTES = 1_200_000  # every snapshot of a run, so that its checkpoint stays near 2 MB
MIN_SNAPSHOTS = 4


class Snapshots:
    """Copies of the parameters at log-spaced epochs, dense early and sparse later; at most
    ``limit`` of them (a large network's), thinned to every other one when full."""

    def __init__(self, parameters: int = 0) -> None:
        self._params: dict[int, np.ndarray] = {}
        self.limit = max(MIN_SNAPSHOTS, SNAPSHOT_BYTES // max(1, 8 * parameters))

    @staticmethod
    def next_after(epoch: int) -> int:
        """The first scheduled epoch after ``epoch``."""
        i = bisect.bisect_right(SCHEDULE, epoch)
        return SCHEDULE[i] if i < len(SCHEDULE) else epoch + SCHEDULE[-1]

    def record(self, epoch: int, params: np.ndarray) -> None:
        self._params[epoch] = params.copy()
        if len(self._params) > self.limit:  # keep the first and the newest, and every other
            epochs = self.epochs
            for e in epochs[1:-1:2]:
                del self._params[e]

    @property
    def thinned(self) -> bool:
        """Whether this run keeps fewer snapshots than the schedule asks for."""
        return self.limit < len(SCHEDULE)

    @property
    def epochs(self) -> list[int]:
        return sorted(self._params)

    def at(self, epoch: int) -> np.ndarray:
        if epoch not in self._params:
            raise ValueError(f"no snapshot at epoch {epoch}; there are: {self.epochs[:5]}…")
        return self._params[epoch]

    def drop_after(self, epoch: int) -> None:
        for e in [e for e in self._params if e > epoch]:
            del self._params[e]


@dataclass(frozen=True)
class Nudge:
    """A hand edit: at ``epoch``, parameter ``index`` of ``network.params`` went from ``old``
    to ``new``."""

    epoch: int
    index: int
    old: float
    new: float


@dataclass(frozen=True)
class KeptRun:
    """A finished run's settings and thinned curves, for overlaying on the live charts."""

    label: str
    settings: Settings
    step: float  # epochs between two points (see thinning.envelope)
    cost: np.ndarray
    delta: np.ndarray  # (points, layers), at the same epochs


def keep_run(
    settings: Settings, cost: Curve, delta: Curve, nudges: int = 0, taken: set[str] = frozenset()
) -> KeptRun:
    """A run's thinned cost and mean |δ| curves (``History.curves``), kept for comparison; the
    label says how many parameters were nudged by hand along the way, and differs from every
    label in ``taken`` (a second keep of the same run is "…, second copy")."""
    if cost.epochs == 0:
        raise ValueError("there is nothing to keep yet: train for at least one epoch")
    base = run_label(settings, cost.epochs)
    if nudges:
        base += f" · {nudges} nudge{'s' if nudges > 1 else ''}"
    label, copy = base, 1
    while label in taken:
        copy += 1
        label = f"{base} · copy {copy}"
    return KeptRun(label, settings, cost.step, cost.values, delta.values)


def run_label(settings: Settings, epochs: int) -> str:
    """A legend entry that says the settings, e.g. 'lr=0.5 · 2, 2 · sigmoid · seed 0'."""
    parts = [
        f"lr={settings.learning_rate:g}",
        settings.hidden_text,
        settings.activation,
        f"seed {settings.seed}",
    ]
    default = Settings()
    for field in ("dataset", "cost", "init"):
        if getattr(settings, field) != getattr(default, field):
            parts.append(str(getattr(settings, field)))
    return " · ".join(parts) + f" ({epochs:,} epochs)"

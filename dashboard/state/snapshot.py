"""An immutable picture of a run at one moment: what every page and figure reads.

``Run.snapshot()`` takes it under the run's lock, in one go, so a page never sees the network
of one epoch beside the curves of another, and never holds the lock while it draws.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from backprop_core import Network
from backprop_core.datasets import Dataset
from backprop_core.thinning import Curve
from dashboard.state.checks import SOLVED_WITHIN
from dashboard.state.runs import KeptRun, Nudge
from dashboard.state.settings import Settings


@dataclass(frozen=True)
class Activity:
    """What the worker is doing with a run, as it last said: training (to epoch ``until`` for a
    long Step), or why it stopped by itself: "solved", "hidden" (no page drew for long),
    "disconnected", or an ``error``."""

    running: bool = False
    until: int | None = None
    stopped: str | None = None
    error: str | None = None


@dataclass(frozen=True)
class Outcome:
    """What the parameters on display do to the training (and test) rows: one forward pass."""

    cost: float
    outputs: np.ndarray
    rows_correct: int  # training rows whose every output rounds to its target
    worst: float  # the largest |a − t| over the training rows' outputs
    test_cost: float | None = None  # without a test set, None
    test_rows_correct: int | None = None
    test_rows: int = 0

    @property
    def all_correct(self) -> bool:
        return self.rows_correct == len(self.outputs)

    @property
    def solved(self) -> bool:
        """Whether every output is within SOLVED_WITHIN of its target: rounding right is not
        enough, that happens in the middle of the drop."""
        return self.worst < SOLVED_WITHIN


def outcome(network: Network, data: Dataset, test: Dataset | None) -> Outcome:
    """C and a^L on the training rows, and C on the test rows, for ``network``."""
    fwd = network.forward(data.X)
    cost = network.cost_of(fwd, data.T)
    outputs = fwd.a[-1]
    rows = int(np.all(np.round(outputs) == data.T, axis=1).sum())
    worst = float(np.abs(outputs - data.T).max())
    if test is None:
        return Outcome(cost, outputs, rows, worst)
    test_fwd = network.forward(test.X)
    test_rows = int(np.all(np.round(test_fwd.a[-1]) == test.T, axis=1).sum())
    test_cost = network.cost_of(test_fwd, test.T)
    return Outcome(cost, outputs, rows, worst, test_cost, test_rows, len(test.T))


@dataclass(frozen=True)
class RunSnapshot:
    """A run as it stood when the snapshot was taken. ``network`` is the live network's copy;
    ``shown`` holds the parameters the rewind slider shows (the same network when live)."""

    generation: int  # a new network (rebuild, load, reset) makes a new generation
    epoch: int
    settings: Settings
    network: Network
    shown: Network
    rewound_to: int | None
    data: Dataset  # the training rows as the network sees them (features applied)
    test_data: Dataset | None
    points: tuple[Dataset, Dataset] | None  # the raw (x1, x2) points of a 2-D set
    row_names: tuple[str, ...]  # the rows (or groups of rows) of the row-cost record
    curves: dict[str, Curve] = field(repr=False)
    diverged_at: int | None = None
    activity: Activity = Activity()
    kept: tuple[KeptRun, ...] = ()
    nudges: tuple[Nudge, ...] = ()
    snapshot_epochs: tuple[int, ...] = ()
    snapshot_limit: int | None = None  # a large network keeps at most this many
    has_custom_data: bool = False  # an uploaded table is among the datasets
    custom_title: str | None = None

    @property
    def running(self) -> bool:
        return self.activity.running

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    @property
    def shown_epoch(self) -> int:
        """The epoch whose parameters the live network holds: after a divergence, the last one
        with a finite cost."""
        at = self.diverged_at
        return self.epoch if at is None else max(at - 1, 0)

    @property
    def key(self) -> tuple:
        """Tells two snapshots' parameters apart, for caching what is computed from them."""
        return (self.generation, self.epoch, len(self.nudges), hash(self.network.params.tobytes()))

    @cached_property
    def outcome(self) -> Outcome:
        """The shown parameters' cost and outputs (computed once, outside the lock)."""
        return outcome(self.shown, self.data, self.test_data)

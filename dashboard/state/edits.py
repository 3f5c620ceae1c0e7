"""What a lecturer does to a run by hand: rewind to a snapshot and resume from it, and nudge
one parameter (and undo it). A part of ``Run``, which provides the lock and the rest."""

from __future__ import annotations

import numpy as np

from backprop_core.validation import brief
from dashboard.state.runs import Nudge


def check_nudge(size: int, index: object, value: object) -> None:
    """A ValueError unless ``index`` is one of ``size`` parameters and ``value`` is finite."""
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise ValueError(
            f"the parameter must be a whole number from 0 to {size - 1}, got {brief(index)}"
        )
    if not 0 <= index < size:
        raise ValueError(f"the parameter must be from 0 to {size - 1}, got {index}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
        raise ValueError(f"the new value must be a finite number, got {brief(value)}")


class Edits:
    """Rewind, resume, nudge and undo; each stops training first (``halt``)."""

    def rewind(self, epoch: int | None) -> None:
        """Show the snapshot at ``epoch`` (None: the live network); training stops."""
        self.halt()
        with self.lock:
            self.snapshots.record(self.epoch, self.network.params)  # "now" is on the slider too
            if epoch is not None:
                self.snapshots.at(epoch)  # raises if there is none
            self.rewound_to = epoch

    def resume_from_rewind(self) -> None:
        """Make the shown snapshot the live network and forget every epoch after it."""
        self.halt()
        with self.lock:
            epoch = self.rewound_to
            if epoch is None:
                return
            self.network.params[...] = self.snapshots.at(epoch)
            self.history.truncate(epoch)
            self.snapshots.drop_after(epoch)
            self.nudges = [n for n in self.nudges if n.epoch <= epoch]  # those the snapshot holds
            self.rewound_to = None

    def nudge(self, index: int, value: float) -> Nudge:
        """Set parameter ``index`` of ``network.params`` to ``value`` by hand. The rewind
        snapshot at this epoch becomes the nudged parameters, so the history and the snapshots
        keep telling what the network held."""
        check_nudge(len(self.network.params), index, value)
        self.halt()
        with self.lock:
            self.rewound_to = None  # the live network is the one nudged
            nudge = Nudge(self.epoch, int(index), float(self.network.params[index]), float(value))
            self.network.params[index] = value
            self.snapshots.record(self.epoch, self.network.params)
            self.history.diverged_at = None
            self.nudges.append(nudge)
        return nudge

    def undo_nudge(self) -> Nudge:
        """Put the last nudged parameter back, if training has not moved on since."""
        self.halt()
        with self.lock:
            if not self.nudges:
                raise ValueError("there is no nudge to undo")
            last = self.nudges[-1]
            if last.epoch != self.epoch:
                raise ValueError(
                    f"training has moved on since the nudge at epoch {last.epoch:,}: rewind to "
                    "it instead"
                )
            self.network.params[last.index] = last.old
            self.snapshots.record(self.epoch, self.network.params)
            self.nudges.pop()
        return last

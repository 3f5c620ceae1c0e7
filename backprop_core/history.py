"""The per-epoch history of a training run, exact for a first stretch and thinned for all of it.

``history.cost[i]`` is the cost of the parameters after i updates, i.e. the
parameters that update i+1 starts from; it comes from that update's own forward
pass. Likewise ``delta_magnitude[i, l]`` (mean |δ^{l+1}| over samples and units),
``gradient_norm[i, l]`` (‖∂C/∂W^{l+1}‖ and ‖∂C/∂b^{l+1}‖ together, Frobenius) and, with
``track_outputs``, ``output_cost[i, j]`` (output j's share of the cost). With mini-batches
these still come from one pass over the whole training set at the start of each epoch.
``test_cost[i]`` is the same parameters' cost on the test set (NaN without one), and
``accuracy[i]`` / ``test_accuracy[i]`` the share of rows whose every output rounds to its
target: recorded when every target is 0 or 1 and there is a test set or ``track_accuracy``,
NaN otherwise.
"""

from __future__ import annotations

import numpy as np

from .thinning import Curve, Thinned
from .validation import brief

EXACT_EPOCHS = 10**6  # epochs the history keeps row by row; beyond, only the thinned records
RECORDS = (  # name: float64 for the costs, float32 for the rest
    "cost",
    "delta_magnitude",
    "gradient_norm",
    "output_cost",
    "test_cost",
    "accuracy",
    "test_accuracy",
    "row_cost",
)
THINNED_ONLY = ("row_cost",)  # one column per row (group): too wide to keep row by row


class History:
    """Per-epoch records: the first ``exact_epochs`` epochs row by row, and every epoch thinned.

    The arrays ``cost``, ``delta_magnitude``, … (see the module's docstring) hold one row per
    epoch for the first ``exact_epochs`` epochs; ``len(history)`` counts every epoch. Past
    them the rows are not kept, so memory stays bounded (float32 for all but the costs keeps
    10⁶ epochs at about 30 MB). ``curves()`` gives every record over all the epochs as a
    ``thinning.Curve`` of at most ``thinning.POINTS`` rows, each bucket's minimum and maximum
    in the order they came (``thinning.envelope``). It is kept up to date as epochs arrive, so
    reading it costs the same at epoch 10³ and at epoch 10⁸.

    ``row_groups`` > 0 adds the thinned-only record ``row_cost``: per epoch, each group of
    training rows' share Σ_{x in group} C_x / n of the cost (they sum to the cost less any
    penalty). It has no exact rows; a rewind leaves a gap in it (see ``Thinned.cut``).
    """

    def __init__(
        self,
        num_layers: int,
        num_outputs: int = 0,
        exact_epochs: int = EXACT_EPOCHS,
        row_groups: int = 0,
    ) -> None:
        widths = dict.fromkeys(RECORDS, None)
        widths.update(delta_magnitude=num_layers, gradient_norm=num_layers)
        widths.update(output_cost=num_outputs, row_cost=row_groups)
        self._widths = widths
        self.exact_epochs = exact_epochs
        self._rows = {
            name: self._empty(name, min(1024, exact_epochs))
            for name in RECORDS
            if name not in THINNED_ONLY
        }
        self._thinned = self._new_thinned(RECORDS)
        self._n = 0
        self._fed = 0  # epochs in the thinned records; the rest are still only in the rows
        self.exact_from = 0  # the rows before this epoch are gone (a restored run's)
        self.diverged_at: int | None = None

    def _dtype(self, name: str) -> type:
        """float64 for the costs, float32 for every per-layer, per-output or per-row record."""
        return np.float64 if name.endswith("cost") and self._widths[name] is None else np.float32

    def _empty(self, name: str, size: int) -> np.ndarray:
        width = self._widths[name]
        return np.full((size,) if width is None else (size, width), np.nan, self._dtype(name))

    def _new_thinned(self, names: tuple[str, ...]) -> dict[str, Thinned]:
        return {
            name: Thinned(self._widths[name], self._dtype(name))
            for name in names
            if self._widths[name] != 0
        }

    def __len__(self) -> int:
        return self._n

    def append(self, epochs: int, **records: np.ndarray) -> None:
        """Add ``epochs`` epochs: each record named in RECORDS is an array of that many rows.
        A record left out stays NaN (not recorded)."""
        start, end = self._n, self._n + epochs
        kept = max(0, min(end, self.exact_epochs) - start)
        if kept:
            self.reserve(kept)
            for name, rows in records.items():
                if name in self._rows and self._widths[name] != 0:
                    self._rows[name][start : start + kept] = rows[:kept]
        eager = THINNED_ONLY if end <= self.exact_epochs else tuple(self._thinned)
        if end > self.exact_epochs:  # from here on the thinned records are all there is
            self._feed()
            self._fed = end
        for name in eager:
            if name in self._thinned:
                rows = records.get(name)
                self._thinned[name].append(self._empty(name, epochs) if rows is None else rows)
        self._n = end

    def extend(
        self,
        cost: np.ndarray,
        delta_magnitude: np.ndarray,
        gradient_norm: np.ndarray,
        output_cost: np.ndarray | None = None,
    ) -> None:
        """Append recorded epochs, for example a saved run's, after checking their shapes."""
        n = len(cost)
        records = dict(cost=cost, delta_magnitude=delta_magnitude, gradient_norm=gradient_norm)
        if self._widths["output_cost"]:
            records["output_cost"] = output_cost
        for name, rows in records.items():
            width = self._widths[name]
            if width is not None and np.shape(rows) != (n, width):
                raise ValueError(f"{name} must have shape ({n}, {width}), got {np.shape(rows)}")
        self.append(n, **records)

    def _feed(self) -> None:
        """Bring the thinned records up to date with the rows."""
        end = min(self._n, self.exact_epochs)
        if self._fed < end:
            for name, thinned in self._thinned.items():
                if name in self._rows:
                    thinned.append(self._rows[name][self._fed : end])
            self._fed = end

    def curves(self) -> dict[str, Curve]:
        """Every record over all the epochs, thinned (see the class docstring)."""
        self._feed()
        curves = {name: thinned.curve() for name, thinned in self._thinned.items()}
        if "output_cost" not in curves:
            rows = len(curves["cost"].values)
            curves["output_cost"] = curves["cost"]._replace(values=np.empty((rows, 0)))
        return curves

    @property
    def diverged(self) -> bool:
        return self.diverged_at is not None

    def _exact(self, name: str) -> np.ndarray:
        return self._rows[name][: min(self._n, self.exact_epochs)]

    @property
    def cost(self) -> np.ndarray:
        return self._exact("cost")

    @property
    def test_cost(self) -> np.ndarray:
        return self._exact("test_cost")

    @property
    def accuracy(self) -> np.ndarray:
        return self._exact("accuracy")

    @property
    def test_accuracy(self) -> np.ndarray:
        return self._exact("test_accuracy")

    @property
    def delta_magnitude(self) -> np.ndarray:
        return self._exact("delta_magnitude")

    @property
    def gradient_norm(self) -> np.ndarray:
        return self._exact("gradient_norm")

    @property
    def output_cost(self) -> np.ndarray:
        return self._exact("output_cost")

    def reserve(self, extra: int) -> None:
        """Make room for ``extra`` more rows, doubling so appends stay amortised O(1), up to
        ``exact_epochs`` rows."""
        need = min(self._n + extra, self.exact_epochs)
        size = len(self._rows["cost"])
        if need <= size:
            return
        size = min(max(need, 2 * size), self.exact_epochs)
        for name, old in self._rows.items():
            new = self._empty(name, size)
            new[: self._n] = old[: self._n]
            self._rows[name] = new

    def state(self) -> dict:
        """What ``restore`` needs to rebuild every thinned record exactly (``Thinned.state``),
        with the epochs and where training diverged; the exact rows stay behind."""
        self._feed()
        thinned = {name: record.state() for name, record in self._thinned.items()}
        return dict(epochs=self._n, diverged_at=self.diverged_at, thinned=thinned)

    def restore(self, state: dict) -> None:
        """Take ``state`` (from ``History.state``) as the first epochs of this empty history. A
        record it lacks is a gap. Their rows are gone: ``exact_from`` is the first epoch with
        rows again, and a rewind before it leaves a gap (see ``truncate``). Raises a ValueError
        when a record does not fit this history's layers and outputs."""
        if self._n:
            raise ValueError("only an empty history can be restored")
        epochs = state.get("epochs")
        if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 0:
            raise ValueError(f"a history's epochs must be a whole number ≥ 0, got {brief(epochs)}")
        saved = state.get("thinned") or {}
        unknown = set(saved) - set(self._thinned)
        if unknown:
            name = brief(sorted(unknown)[0])
            raise ValueError(f"a history record {name} does not fit this network")
        restored = {}
        for name in self._thinned:
            width, dtype = self._widths[name], self._dtype(name)
            if name in saved:
                restored[name] = Thinned.from_state(width, dtype, saved[name])
            else:
                restored[name] = Thinned.blank(width, dtype, epochs)
            if len(restored[name]) != epochs:
                covered = len(restored[name])
                raise ValueError(f"the history's {name} covers {covered} epochs, not {epochs}")
        diverged_at = state.get("diverged_at")
        if diverged_at is not None and (
            isinstance(diverged_at, bool)
            or not isinstance(diverged_at, int)
            or not 0 <= diverged_at <= epochs
        ):
            raise ValueError(f"a history's diverged_at must be an epoch from 0 to {epochs} or null")
        self._thinned = restored
        self._n = self._fed = self.exact_from = epochs
        self.diverged_at = diverged_at

    def truncate(self, epochs: int) -> None:
        """Forget every epoch from ``epochs`` on (used when rewinding). Within the exact rows
        the thinned records are rebuilt from them; past them, or where a restored run has no
        rows, see ``thinning.Thinned.cut``."""
        if epochs < self._n:
            exact = epochs <= self.exact_epochs and self.exact_from == 0
            rebuilt = tuple(self._rows) if exact else ()
            for name, thinned in self._thinned.items():
                if name not in rebuilt:
                    thinned.cut(epochs)
            self._thinned.update(self._new_thinned(rebuilt))
            self._fed = 0 if rebuilt else epochs
            self._n = epochs
            self.exact_from = min(self.exact_from, epochs)
        self.diverged_at = None

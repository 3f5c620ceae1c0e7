"""Per-epoch records thinned to a few hundred points that keep their shape and spikes.

``envelope`` thins a whole array at once. ``Thinned`` gives the same result for a record that
grows epoch by epoch, with work proportional to the epochs appended, not to the run's length:
the long-run history keeps one per series, and the live charts read it.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

POINTS = 400  # per curve: one bucket (2 points) per 2-4 pixels, small to send 10×/s
FLOAT32_MAX = float(np.finfo(np.float32).max)


class Curve(NamedTuple):
    """A thinned record: row r stands for epoch r × step; ``epochs`` is how many it covers."""

    values: np.ndarray
    step: float
    epochs: int


def compact(values: np.ndarray) -> np.ndarray:
    """``values`` as float32, half the bytes to send, unless one is too large for float32."""
    with np.errstate(invalid="ignore"):
        fits = not np.any(np.abs(values) > FLOAT32_MAX)
    return values.astype(np.float32 if fits else np.float64)


def bucket_size(n: int, max_points: int = POINTS) -> int:
    """The epochs per bucket for n epochs: 1 up to ``max_points``, then the smallest 2^m that
    makes at most max_points / 2 buckets."""
    if n <= max_points:
        return 1
    return 1 << math.ceil(math.log2(n / (max_points // 2)))


def envelope(y: np.ndarray, max_points: int = POINTS) -> tuple[np.ndarray, float]:
    """y, (n,) or (n, k), on a regular grid of at most ``max_points`` rows (``compact``), and the
    epochs between two rows: row r is drawn at epoch r × step (plotly's x0 = 0, dx = step).

    Up to ``max_points`` epochs are kept as they are (step 1). Beyond that the epochs fall into
    buckets of s = ``bucket_size(n)`` epochs, and each bucket keeps its minimum and maximum in
    the order they came, at its start and its middle. So spikes survive, every value drawn is a
    real one (its epoch is off by under s / 2), and no x array is sent. Buckets change only
    when the run doubles: the curve does not shimmer.
    """
    n = len(y)
    size = bucket_size(n, max_points)
    if size == 1:
        return compact(y), 1.0
    columns = y.reshape(n, -1)
    whole = n // size * size
    summaries = [_summarise(columns[:whole], size)]
    if whole < n:
        summaries.append(_summarise(columns[whole:], n - whole))  # the last, partial bucket
    lo, hi, first_min = (np.concatenate(parts) for parts in zip(*summaries))
    return _pairs(lo, hi, first_min, y.ndim), size / 2


def _summarise(rows: np.ndarray, size: int) -> tuple[np.ndarray, ...]:
    """(minimum, maximum, whether the minimum comes first) of each run of ``size`` rows, per
    column: arrays of (rows / size, columns)."""
    # Column by column, contiguous: numpy's argmin over a middle axis is 30× slower.
    buckets = np.ascontiguousarray(rows.T).reshape(rows.shape[1], -1, size)
    lo, hi = buckets.min(axis=2).T, buckets.max(axis=2).T
    first_min = (buckets.argmin(axis=2) <= buckets.argmax(axis=2)).T
    return lo, hi, first_min


def _merge(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    """The summary of bucket a followed by bucket b, as ``_summarise`` gives it for both at
    once: ties go to the first occurrence, and a NaN (which numpy's min and argmin pick) wins."""
    lo_a, hi_a, first_a = a
    lo_b, hi_b, first_b = b
    min_in_a = np.isnan(lo_a) | ~((lo_b < lo_a) | np.isnan(lo_b))
    max_in_a = np.isnan(hi_a) | ~((hi_b > hi_a) | np.isnan(hi_b))
    first_min = np.where(min_in_a == max_in_a, np.where(min_in_a, first_a, first_b), min_in_a)
    return np.where(min_in_a, lo_a, lo_b), np.where(max_in_a, hi_a, hi_b), first_min


def _pairs(lo: np.ndarray, hi: np.ndarray, first_min: np.ndarray, ndim: int) -> np.ndarray:
    pairs = np.stack([np.where(first_min, lo, hi), np.where(first_min, hi, lo)], axis=1)
    values = compact(pairs.reshape(-1, lo.shape[1]))
    return values[:, 0] if ndim == 1 else values


class Thinned:
    """``envelope`` of a record that grows: ``append`` rows, read ``curve()``.

    It holds the first ``max_points`` rows as they are and, beyond them, one summary per
    bucket (minimum, maximum, which came first). When the run doubles, neighbouring buckets
    merge, so it never holds more than max_points / 2 + 1 summaries. ``curve()`` equals
    ``envelope`` of every row appended, except after ``cut`` (see there).
    """

    def __init__(self, width: int | None, dtype: type = np.float64, max_points: int = POINTS):
        self.ndim = 1 if width is None else 2
        self.max_points = max_points
        self._head = np.empty((max_points, width or 1), dtype=dtype)
        self._n = 0
        self._size = 1  # epochs per bucket; 1 while the rows are in _head as they are
        self._done: tuple[np.ndarray, ...] = _no_buckets(width or 1, dtype)
        self._part: tuple[np.ndarray, ...] | None = None  # the last, incomplete bucket
        self._part_rows = 0

    def __len__(self) -> int:
        return self._n

    def append(self, rows: np.ndarray) -> None:
        """Add rows (k,) or (k, width), one per epoch."""
        rows = np.asarray(rows, dtype=self._head.dtype).reshape(len(rows), self._head.shape[1])
        if not len(rows):
            return
        total = self._n + len(rows)
        if self._size == 1:
            if total <= self.max_points:
                self._head[self._n : total] = rows
                self._n = total
                return
            self._head[self._n :] = rows[: self.max_points - self._n]  # for ``cut``
            rows = np.concatenate([self._head[: self._n], rows])  # buckets start at epoch 0
            self._size = bucket_size(total, self.max_points)
        self._add(rows)
        self._n = total
        while self._size < bucket_size(total, self.max_points):
            self._double()

    def _add(self, rows: np.ndarray) -> None:
        """Summarise ``rows``, which follow the rows so far, into buckets of the current size."""
        size = self._size
        if self._part is not None:
            fill = min(size - self._part_rows, len(rows))
            self._part = _merge(self._part, _summarise(rows[:fill], fill))
            self._part_rows += fill
            rows = rows[fill:]
            if self._part_rows == size:
                self._done = _joined(self._done, self._part)
                self._part, self._part_rows = None, 0
        whole = len(rows) // size * size
        if whole:
            self._done = _joined(self._done, _summarise(rows[:whole], size))
        if whole < len(rows):
            self._part, self._part_rows = (
                _summarise(rows[whole:], len(rows) - whole),
                len(rows) - whole,
            )

    def _double(self) -> None:
        """Merge neighbouring buckets: buckets 2j and 2j + 1 become bucket j."""
        lo, hi, first = self._done
        even = len(lo) // 2 * 2
        if even < len(lo):  # the odd bucket out starts the new, incomplete one
            last = (lo[even:], hi[even:], first[even:])
            self._part = last if self._part is None else _merge(last, self._part)
            self._part_rows += self._size
        left = tuple(x[:even:2] for x in self._done)
        right = tuple(x[1:even:2] for x in self._done)
        self._done = _merge(left, right)
        self._size *= 2

    def cut(self, epochs: int) -> None:
        """Keep the first ``epochs`` epochs. Past the first max_points, the rows of the bucket
        that holds the cut are gone, so that bucket becomes NaN (a gap in the drawn curve), and
        the buckets stay as wide as they were. Rebuild from the rows where they are at hand."""
        if epochs >= self._n:
            return
        if epochs <= self.max_points:  # _head still holds them
            width, dtype = self._head.shape[1], self._head.dtype
            self._n, self._size, self._done = epochs, 1, _no_buckets(width, dtype)
            self._part, self._part_rows = None, 0
            return
        keep = epochs // self._size
        self._done = tuple(x[:keep] for x in self._done)
        self._part, self._part_rows = None, 0
        gap = epochs - keep * self._size
        if gap:
            self._add(np.full((gap, self._head.shape[1]), np.nan, self._head.dtype))
        self._n = epochs

    def state(self) -> dict:
        """Everything ``from_state`` needs to rebuild this record exactly: the epochs, the
        bucket size, the first rows as they came, and each bucket's (minimum, maximum, whether
        the minimum came first), the last one possibly incomplete."""
        done = dict(zip(("lo", "hi", "first_min"), self._done))
        part = None if self._part is None else dict(zip(("lo", "hi", "first_min"), self._part))
        return dict(
            epochs=self._n,
            size=self._size,
            head=self._head[: min(self._n, self.max_points)].copy(),
            done=done,
            part=part,
            part_rows=self._part_rows,
        )

    @classmethod
    def from_state(
        cls, width: int | None, dtype: type, state: dict, max_points: int = POINTS
    ) -> Thinned:
        """The record ``state`` describes (``Thinned.state``), after checking that every part
        fits: a ValueError says which does not."""
        thinned = cls(width, dtype, max_points)
        columns = width or 1
        epochs, size, part_rows = state["epochs"], state["size"], state["part_rows"]
        for name, value in (("epochs", epochs), ("size", size), ("part_rows", part_rows)):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"thinned {name} must be a whole number ≥ 0")
        expected_part = epochs % size if size > 1 else 0
        if size != bucket_size(epochs, max_points) or part_rows != expected_part:
            raise ValueError(f"a thinned record of {epochs} epochs has buckets of {size} epochs")
        head = _shaped(state["head"], (min(epochs, max_points), columns), dtype, "head")
        thinned._head[: len(head)] = head
        whole = epochs // size if size > 1 else 0
        thinned._done = _bucket_arrays(state["done"], whole, columns, dtype)
        if (state["part"] is None) != (part_rows == 0):
            raise ValueError("a thinned record's last bucket does not match its epochs")
        if part_rows:
            thinned._part = _bucket_arrays(state["part"], 1, columns, dtype)
        thinned._n, thinned._size, thinned._part_rows = epochs, size, part_rows
        return thinned

    @classmethod
    def blank(cls, width: int | None, dtype: type, epochs: int, max_points: int = POINTS):
        """A record of ``epochs`` epochs that were never recorded: NaN throughout, a gap."""
        size = bucket_size(epochs, max_points)
        columns = width or 1
        nan = np.full((min(epochs, max_points), columns), np.nan)
        whole = epochs // size if size > 1 else 0
        gap = np.full((whole, columns), np.nan)
        part = None
        if size > 1 and epochs % size:
            part = dict(lo=nan[:1], hi=nan[:1], first_min=np.zeros((1, columns), bool))
        state = dict(
            epochs=epochs,
            size=size,
            head=nan,
            done=dict(lo=gap, hi=gap, first_min=np.zeros((whole, columns), bool)),
            part=part,
            part_rows=epochs % size if size > 1 else 0,
        )
        return cls.from_state(width, dtype, state, max_points)

    def curve(self) -> Curve:
        """The record so far, as ``envelope`` draws it."""
        if self._size == 1:
            values = compact(self._head[: self._n])
            return Curve(values[:, 0] if self.ndim == 1 else values, 1.0, self._n)
        buckets = self._done if self._part is None else _joined(self._done, self._part)
        return Curve(_pairs(*buckets, self.ndim), self._size / 2, self._n)


def _shaped(value: object, shape: tuple[int, ...], dtype: type, name: str) -> np.ndarray:
    try:
        array = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError):
        array = None
    if array is None or array.shape != shape:
        shape_got = "not an array of numbers" if array is None else f"shape {array.shape}"
        raise ValueError(f"a thinned record's {name} must have shape {shape}, got {shape_got}")
    return array


def _bucket_arrays(value: object, buckets: int, width: int, dtype: type) -> tuple[np.ndarray, ...]:
    """(minimum, maximum, whether the minimum came first) of ``buckets`` buckets, checked."""
    if not isinstance(value, dict):
        raise ValueError("a thinned record's buckets must be an object of lo, hi and first_min")
    shape = (buckets, width)
    return (
        _shaped(value.get("lo"), shape, dtype, "lo"),
        _shaped(value.get("hi"), shape, dtype, "hi"),
        _shaped(value.get("first_min"), shape, bool, "first_min"),
    )


def _no_buckets(width: int, dtype: type) -> tuple[np.ndarray, ...]:
    empty = np.empty((0, width), dtype)
    return empty, empty, np.empty((0, width), bool)


def _joined(a: tuple[np.ndarray, ...], b: tuple[np.ndarray, ...]) -> tuple[np.ndarray, ...]:
    return tuple(np.concatenate([x, y]) for x, y in zip(a, b))

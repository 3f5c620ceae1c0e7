import numpy as np
import pytest

from backprop_core import thinning
from backprop_core.thinning import Thinned, envelope


def test_envelope_keeps_short_series_whole_as_float32_one_epoch_apart():
    values, step = thinning.envelope(np.geomspace(1, 1e-3, thinning.POINTS))
    assert step == 1.0 and values.dtype == np.float32
    np.testing.assert_array_equal(values, np.geomspace(1, 1e-3, thinning.POINTS).astype(np.float32))


def test_envelope_caps_long_series_and_keeps_each_buckets_extremes_in_order():
    y = np.random.default_rng(0).random(1_000_003)
    values, step = thinning.envelope(y)
    size = int(2 * step)
    assert len(values) <= thinning.POINTS and size & (size - 1) == 0  # a power of two
    first = y[:size]
    in_order = (
        [first.min(), first.max()]
        if first.argmin() < first.argmax()
        else [
            first.max(),
            first.min(),
        ]
    )
    np.testing.assert_array_equal(values[:2], np.float32(in_order))
    tail = y[len(y) // size * size :]
    assert set(values[-2:]) == {np.float32(tail.min()), np.float32(tail.max())}


def test_envelope_keeps_a_lone_spike_within_half_a_bucket_of_its_epoch():
    y = np.ones(100_000)
    y[54_321] = 50.0
    values, step = thinning.envelope(y)
    (where,) = np.flatnonzero(values == 50.0)
    assert abs(where * step - 54_321) < 2 * step


def test_envelope_buckets_do_not_move_while_the_run_grows_within_a_doubling():
    y = np.random.default_rng(1).random(300_000)
    a, step_a = thinning.envelope(y[:280_000])
    b, step_b = thinning.envelope(y)
    assert step_a == step_b
    np.testing.assert_array_equal(a[:-2], b[: len(a) - 2])  # all but the partial bucket


def test_envelope_of_columns_equals_the_envelope_of_each_column():
    y = np.random.default_rng(2).random((50_000, 3)).astype(np.float32)
    values, step = thinning.envelope(y)
    for j in range(3):
        np.testing.assert_array_equal(values[:, j], thinning.envelope(y[:, j])[0])


def test_compact_keeps_float64_for_values_float32_cannot_hold():
    assert thinning.compact(np.array([1.0, 2.0])).dtype == np.float32
    assert thinning.compact(np.array([1.0, 1e300, np.nan])).dtype == np.float64


def _random_rows(rng: np.random.Generator, k: int, width: int | None) -> np.ndarray:
    rows = rng.standard_normal((k,) if width is None else (k, width))
    if rng.random() < 0.2:
        rows = np.round(rows)  # ties, which go to the first occurrence
    if k and rng.random() < 0.1:
        rows.flat[rng.integers(rows.size)] = rng.choice([np.nan, np.inf, -np.inf])
    return rows


@pytest.mark.parametrize("width", [None, 1, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_thinned_equals_the_envelope_of_everything_appended_after_every_append(width, dtype):
    rng = np.random.default_rng(hash((width, np.dtype(dtype).name)) % 2**32)
    for max_points in (8, 20, thinning.POINTS):
        thinned, rows = Thinned(width, dtype, max_points), []
        for _ in range(25):
            k = int(rng.choice([0, 1, 3, 17, 100, 1000, 5000]))
            new = _random_rows(rng, k, width)
            thinned.append(new)
            rows.append(new.astype(dtype))
            y = np.concatenate(rows)
            values, step = envelope(y, max_points)
            got = thinned.curve()
            assert (got.step, got.epochs, got.values.dtype) == (step, len(y), values.dtype)
            np.testing.assert_array_equal(got.values, values)


def test_thinned_holds_a_few_hundred_summaries_after_millions_of_epochs():
    thinned = Thinned(2, np.float32)
    for _ in range(40):
        thinned.append(np.random.default_rng(0).random((100_000, 2)))
    curve = thinned.curve()
    assert curve.epochs == 4_000_000 and len(curve.values) <= thinning.POINTS
    assert len(thinned._done[0]) <= thinning.POINTS // 2


def test_a_cut_within_the_first_points_gives_the_envelope_of_the_rows_kept():
    y = np.random.default_rng(3).random(2_000)
    thinned = Thinned(None)
    thinned.append(y)
    thinned.cut(300)
    np.testing.assert_array_equal(thinned.curve().values, envelope(y[:300])[0])
    thinned.append(y[300:1200])
    np.testing.assert_array_equal(thinned.curve().values, envelope(y[:1200])[0])


def test_a_cut_past_the_first_points_keeps_whole_buckets_and_leaves_a_gap_for_the_cut_one():
    y = np.random.default_rng(4).random(100_000)
    thinned = Thinned(None)
    thinned.append(y)
    size = int(2 * thinned.curve().step)
    cut = 10 * size + size // 2
    thinned.cut(cut)
    before = envelope(y)[0]
    got = thinned.curve()
    assert got.epochs == cut
    np.testing.assert_array_equal(got.values[:20], before[:20])  # ten whole buckets, as before
    assert np.isnan(got.values[20:]).all()  # the cut bucket's surviving rows are unknown
    thinned.append(np.zeros(size))
    assert np.isnan(thinned.curve().values[20:22]).all() and thinned.curve().values[-1] == 0

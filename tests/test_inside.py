import numpy as np
import pytest

from backprop_core import Network, datasets, diagnostics
from dashboard.teaching import inside


def test_parameter_index_points_at_the_weight_or_bias_it_names():
    net = Network([2, 3, 4, 2], seed=0)
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                assert net.params[inside.parameter_index(net.sizes, l, "weight", i, j)] == W[i, j]
        for j in range(len(b)):
            assert net.params[inside.parameter_index(net.sizes, l, "bias", 0, j)] == b[j]
    with pytest.raises(ValueError, match=r"layer 2 has weights 1…3 × 1…4; got \(4, 1\)"):
        inside.parameter_index(net.sizes, 1, "weight", 3, 0)


def test_the_taylor_prediction_is_the_gradient_times_the_change():
    X, T = datasets.half_adder()
    net = Network([2, 2, 2, 2], seed=0)
    index = inside.parameter_index(net.sizes, 1, "weight", 0, 1)
    w = float(net.params[index])
    cut = inside.taylor_slice(net, X, T, index, w + 0.3)
    slope = net.gradients(X, T).vector[index]
    assert cut.slope == slope and cut.predicted_change == slope * ((w + 0.3) - w)
    trial = net.copy()
    trial.params[index] = w + 0.3
    assert cut.actual_change == trial.cost(X, T) - net.cost(X, T)
    assert cut.values.min() < w < w + 0.3 < cut.values.max()
    tiny = inside.taylor_slice(net, X, T, index, w + 1e-4)
    assert tiny.predicted_change == pytest.approx(tiny.actual_change, rel=1e-3)  # it holds


def test_the_strongest_rows_keep_the_total_and_sum_the_rest_by_sign():
    shares = np.random.default_rng(0).normal(size=100)
    bars, labels = inside.strongest(shares, [f"row {k}" for k in range(100)], keep=10)
    assert len(bars) == 12 and bars.sum() == pytest.approx(shares.sum(), abs=1e-12)
    assert labels[-2].startswith("the other") and "pulling up" in labels[-2]
    assert min(abs(bars[:10])) >= np.sort(abs(shares))[-10]


def test_stability_gives_two_over_the_sharpness():
    X, T = datasets.half_adder()
    net = Network([2, 2, 2, 2], seed=0)
    result = inside.stability(net, X, T)
    assert inside.MIN_ITERATIONS <= result.iterations <= inside.MAX_ITERATIONS
    expected = diagnostics.sharpness(net, X, T, iterations=result.iterations)
    assert result.sharpness == expected and result.limit == 2 / expected
    assert inside.Stability(-1.0, 10).limit == float("inf")


def test_row_labels_show_inputs_and_targets_for_small_sets_only():
    X, T = datasets.half_adder()
    labels = inside.row_labels(X, T, ["row 1", "row 2", "row 3", "row 4"])
    assert labels[3] == "row 4: (1, 1) → (0, 1)"
    assert inside.row_labels(X, T, ["target 0", "target 1"]) == ["target 0", "target 1"]


def test_the_ribbons_bands_keep_each_class_apart_and_the_same_total():
    values = np.random.default_rng(1).random((50, 300))
    classes = np.repeat([0.0, 1.0], 150)
    summed, labels, kinds = inside.bands(values, [f"row {k}" for k in range(300)], classes)
    assert summed.shape == (50, inside.MAX_BANDS) and len(labels) == inside.MAX_BANDS
    np.testing.assert_allclose(summed.sum(axis=1), values.sum(axis=1))
    assert labels[0] == "rows 1–10 (target 0)" and list(kinds[:16]) == [0.0] * 16
    few = values[:, :4]
    assert inside.bands(few, ["a", "b", "c", "d"], None)[0] is few


def test_earlier_contributions_keep_the_same_strongest_rows_and_sum_the_others():
    shares = np.array([0.1, -5.0, 0.2, 3.0, -0.05])
    history = np.arange(15.0).reshape(3, 5)
    columns, names = inside.strongest_columns(history, shares, list("abcde"), keep=2)
    assert names == ["b", "d", "the other rows"]
    np.testing.assert_array_equal(columns[:, :2], history[:, [1, 3]])
    np.testing.assert_array_equal(columns[:, 2], history[:, [0, 2, 4]].sum(axis=1))
    columns, names = inside.strongest_columns(history, shares, list("abcde"))
    assert names == list("abcde") and columns.shape == (3, 5)

import numpy as np
import pytest

from backprop_core import datasets


def test_half_adder_rows_are_in_the_reference_order():
    X, T = datasets.half_adder()
    np.testing.assert_array_equal(X, [[0, 0], [0, 1], [1, 0], [1, 1]])
    np.testing.assert_array_equal(T, [[0, 0], [1, 0], [1, 0], [0, 1]])
    assert X.dtype == T.dtype == np.float64


def test_every_named_dataset_is_a_consistent_truth_table():
    for name in datasets.names():
        data = datasets.get(name)
        assert data.X.shape == (2 ** len(data.input_names), len(data.input_names))
        assert data.T.shape == (len(data.X), len(data.output_names))
        assert set(np.unique(data.T)) <= {0.0, 1.0}


def test_full_adder_adds_three_bits():
    X, T = datasets.load("full_adder")
    np.testing.assert_array_equal(T[:, 0] + 2 * T[:, 1], X.sum(axis=1))


def test_gates_compute_their_logic():
    X, _ = datasets.load("xor")
    a, b = X[:, 0].astype(bool), X[:, 1].astype(bool)
    np.testing.assert_array_equal(datasets.load("xor")[1][:, 0], a ^ b)
    np.testing.assert_array_equal(datasets.load("and")[1][:, 0], a & b)
    np.testing.assert_array_equal(datasets.load("or")[1][:, 0], a | b)


def test_unknown_dataset_names_the_allowed_ones():
    with pytest.raises(ValueError, match="unknown dataset 'mnist'; allowed: half_adder, xor"):
        datasets.get("mnist")

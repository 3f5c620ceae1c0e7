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


def test_truth_table_csv_parses_inputs_then_targets():
    data = datasets.parse_truth_table(datasets.CSV_EXAMPLE)
    X, T = datasets.half_adder()
    np.testing.assert_array_equal(data.X, X)
    np.testing.assert_array_equal(data.T, T)
    assert data.input_names == ("x1", "x2") and data.output_names == ("sum", "carry")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "the file is empty"),
        ("x1,x2,sum\n0,0,0", "header cell 'x1' must be in:NAME"),
        ("out:y,in:x\n1,0", "in: columns first"),
        ("in:x,in:y\n1,0", "in: columns first, then one or more out:"),
        ("in:x,out:y\n1,yes", "row 2: 'yes' is not a number"),
        ("in:x,out:y\n1,0,1", "row 2 has 3 cells; the header has 2"),
        ("in:x,out:y\n1,2", "target 'y' is 2; targets must lie in"),
        ("in:x,out:y\n" + "0,0\n" * 257, "257 rows; at most 256"),
        ("in:x,out:y\n", "no rows of numbers"),
        ("in:x,out:y\n1,inf", "not a finite number"),
    ],
)
def test_truth_table_csv_errors_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        datasets.parse_truth_table(text)

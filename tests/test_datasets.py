import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
        ("in:x,out:y\n1,1e999", "not a finite number"),
        ("in:x,out:y\n1,inf", "'inf' is not a number"),
    ],
)
def test_truth_table_csv_errors_name_the_problem(text, message):
    with pytest.raises(ValueError, match=message):
        datasets.parse_truth_table(text)


@pytest.mark.parametrize(
    "text",
    [
        '"in:x1","in:x2","out:sum","out:carry"\r\n"0","0","0","0"\r\n"1","1","0","1"\r\n',
        "in:x1,in:x2,out:sum,out:carry\r0,0,0,0\r1,1,0,1\r",
        "in:x1;in:x2;out:sum;out:carry\n0;0;0;0\n1;1;0;1\n",
        "in:x1\tin:x2\tout:sum\tout:carry\n0\t0\t0\t0\n1\t1\t0\t1\n",
    ],
    ids=["spreadsheet quotes", "bare CR", "semicolons", "tabs"],
)
def test_everyday_csv_exports_parse_to_the_same_table(text):
    data = datasets.parse_truth_table(text)
    assert data.input_names == ("x1", "x2") and data.output_names == ("sum", "carry")
    np.testing.assert_array_equal(data.X, [[0, 0], [1, 1]])
    np.testing.assert_array_equal(data.T, [[0, 0], [0, 1]])


def test_a_semicolon_export_reads_decimal_commas():
    data = datasets.parse_truth_table("in:x;out:y\n0,5;0,25\n")
    assert data.X[0, 0] == 0.5 and data.T[0, 0] == 0.25


@pytest.mark.parametrize(
    "text, message",
    [
        ("in:a,in:a,out:b\n1,1,0\n", "column name 'a' appears twice"),
        ("in:a,out:a\n1,0\n", "column name 'a' appears twice"),
        ('in:a,out:<span style="font-size:90px">BIG</span>\n1,0\n', "is not allowed"),
        ("in:a,out:" + "b" * 33 + "\n1,0\n", "1 to 32 letters"),
        ("in:a,out:![x](http://h/p.png)\n1,0\n", "is not allowed"),
        ("in:a,out:b\n٣,1\n", "'٣' is not a number"),
        ("in:a,out:b\n1_0,1\n", "'1_0' is not a number"),
        ("in:a,out:b\n\x00,1\n", "is not"),
        ("in:a,out:b\n" + "1," + "9" * 200_000 + "\n", "not readable as CSV"),
        ("x" * 1_000_001, "at most 1,000,000 characters"),
    ],
)
def test_bad_names_and_cells_are_refused_naming_the_column_or_cell(text, message):
    with pytest.raises(ValueError, match=re.escape(message)) as err:
        datasets.parse_truth_table(text)
    assert len(str(err.value)) <= 300


@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=600))
@settings(deadline=1000, max_examples=300)
def test_any_text_parses_or_raises_only_a_short_value_error(text):
    try:
        datasets.parse_truth_table(text)
    except ValueError as err:
        assert len(str(err)) <= 300


CELLS = st.sampled_from(["in:a", "out:b", "in:", "0", "1", "0.5", "-1", '"1"', "x", "", "1e3"])


@given(st.lists(st.lists(CELLS, max_size=5), max_size=8), st.sampled_from([",", ";", "\t"]))
@settings(deadline=1000, max_examples=300)
def test_any_table_of_cells_parses_or_raises_only_a_short_value_error(rows, delimiter):
    text = "\n".join(delimiter.join(row) for row in rows)
    try:
        data = datasets.parse_truth_table(text)
    except ValueError as err:
        assert len(str(err)) <= 300
    else:
        assert data.X.shape[0] == data.T.shape[0] >= 1 and np.all((data.T >= 0) & (data.T <= 1))

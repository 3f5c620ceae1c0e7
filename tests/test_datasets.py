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


@pytest.mark.parametrize("name", list(datasets.PLAYGROUND))
def test_playground_sets_have_their_size_domain_and_are_reproducible_by_seed(name):
    data = datasets.playground(name, noise=0.2, seed=3)
    n = 1200 if data.kind == "regression" else 500
    assert data.X.shape == (n, 2) and data.T.shape == (n, 1)
    assert np.all(np.abs(datasets.playground(name, seed=3).X) <= 6)  # gauss spreads with noise
    same, other = datasets.playground(name, 0.2, 3), datasets.playground(name, 0.2, 4)
    assert np.array_equal(same.X, data.X) and np.array_equal(same.T, data.T)
    assert not np.array_equal(other.X, data.X)


def test_classification_sets_are_balanced_0_1_labels_without_noise():
    for name in ("circle", "gauss", "spiral"):
        T = datasets.playground(name).T
        assert set(np.unique(T)) == {0.0, 1.0} and T.mean() == 0.5
    assert 0.4 < datasets.playground("xor").T.mean() < 0.6


def test_without_noise_each_label_follows_its_definition():
    circle = datasets.playground("circle", seed=1)
    radius = np.hypot(*circle.X.T)
    assert np.array_equal(circle.T[:, 0] == 1, radius < 2.5) and not np.any(
        (radius > 2.5) & (radius < 3.5)
    )
    xor = datasets.playground("xor", seed=1)
    assert np.array_equal(xor.T[:, 0] == 1, xor.X[:, 0] * xor.X[:, 1] >= 0)
    assert np.all(np.abs(xor.X) >= 0.3)  # pushed away from the axes
    plane = datasets.playground("plane", seed=1)
    np.testing.assert_array_equal(plane.T[:, 0], (plane.X[:, 0] + plane.X[:, 1]) / 10)
    bumps = datasets.playground("multi_gauss", seed=1)
    assert bumps.T.min() >= -1 and bumps.T.max() <= 1
    at_centre = datasets._bumps(np.array([-4.0, 0.0]), np.array([2.5, 2.5]))
    np.testing.assert_array_equal(at_centre, [1.0, -1.0])


def test_noise_flips_labels_near_the_boundary_moves_spiral_points_and_widens_gauss():
    flips = lambda name: np.mean(  # noqa: E731
        datasets.playground(name, 0.5, 1).T[:, 0]
        != (np.hypot(*datasets.playground(name, 0.5, 1).X.T) < 2.5)
    )
    assert flips("circle") > 0.01
    np.testing.assert_array_equal(
        datasets.playground("spiral", 0.0, 1).X, datasets.playground("spiral", 0.0, 2).X
    )
    assert not np.array_equal(
        datasets.playground("spiral", 0.3, 1).X, datasets.playground("spiral", 0.0, 1).X
    )
    narrow = datasets.playground("gauss", 0.0, 1).X[:250].var(axis=0)
    wide = datasets.playground("gauss", 0.5, 1).X[:250].var(axis=0)
    assert np.all((0.35 < narrow) & (narrow < 0.65)) and np.all((3 < wide) & (wide < 5))


@pytest.mark.parametrize(
    "args, words",
    [
        (("moons",), "unknown dataset 'moons'; allowed: circle"),
        (("circle", 0.6), "noise must be a number from 0 to 0.5, got 0.6"),
        (("circle", -0.1), "got -0.1"),
        (("circle", "0.1"), "got '0.1'"),
    ],
)
def test_bad_playground_requests_name_the_value_and_range(args, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        datasets.playground(*args)


def test_split_shuffles_by_seed_into_disjoint_training_and_test_sets():
    data = datasets.playground("spiral", seed=0)
    train, test = datasets.split(data, 0.7, seed=5)
    assert len(train.X) == 350 and len(test.X) == 150
    rows = {tuple(r) for r in np.vstack([train.X, test.X])}
    assert rows == {tuple(r) for r in data.X}
    again, _ = datasets.split(data, 0.7, seed=5)
    other, _ = datasets.split(data, 0.7, seed=6)
    assert np.array_equal(again.X, train.X) and not np.array_equal(other.X, train.X)
    assert train.kind == test.kind == "classification"


@pytest.mark.parametrize("share", [0.05, 0.95, 0.55, 1, float("nan"), "0.5", True])
def test_split_takes_a_training_share_of_0_1_to_0_9_in_tenths(share):
    with pytest.raises(ValueError, match="training share must be 0.1, 0.2, … or 0.9"):
        datasets.split(datasets.playground("circle"), share)


def test_a_target_just_above_one_is_reported_to_its_last_digit():
    with pytest.raises(ValueError, match=r"target 'y' is 1\.0000001; targets must lie in \[0, 1\]"):
        datasets.parse_truth_table("in:a,out:y\n0,1.0000001\n")


@pytest.mark.parametrize("cell", ["1e308", "-1e308", "1000001", "-2e6"])
def test_inputs_too_large_to_draw_are_refused_naming_the_value_and_the_range(cell):
    with pytest.raises(ValueError, match="inputs must lie between −1,000,000 and 1,000,000"):
        datasets.parse_truth_table(f"in:a,in:b,out:y\n{cell},0,1\n0,0,0\n")
    assert datasets.parse_truth_table("in:a,out:y\n1000000,1\n-1e6,0\n").X.max() == 1e6

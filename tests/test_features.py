import numpy as np
import pytest

from backprop_core import features


def test_each_feature_column_equals_its_formula_in_the_fixed_order():
    X = np.random.default_rng(0).uniform(-6, 6, (50, 2))
    x1, x2 = X[:, 0], X[:, 1]
    out = features.transform(X, list(reversed(features.FEATURES)))  # order is FEATURES'
    expected = [x1, x2, x1**2, x2**2, x1 * x2, np.sin(x1), np.sin(x2)]
    assert features.FEATURES == ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
    for column, formula in zip(out.T, expected):
        np.testing.assert_array_equal(column, formula)


def test_a_subset_gives_one_column_per_chosen_feature():
    X = np.array([[1.0, 2.0], [3.0, -1.0]])
    np.testing.assert_array_equal(features.transform(X, ["x1x2", "x1"]), [[1.0, 2.0], [3.0, -3.0]])


@pytest.mark.parametrize(
    "names, words",
    [
        ([], "choose at least one feature"),
        (["x3"], "unknown feature 'x3'; allowed: x1, x2"),
        ("x1", "must be a list of names"),
    ],
)
def test_bad_feature_lists_name_what_is_allowed(names, words):
    with pytest.raises(ValueError, match=words):
        features.transform(np.zeros((2, 2)), names)


def test_features_need_two_raw_columns():
    with pytest.raises(ValueError, match=r"\(n, 2\) points"):
        features.transform(np.zeros((2, 3)), ["x1"])


def test_a_network_with_features_predicts_from_raw_points():
    from backprop_core import Network

    net = Network([3, 4, 1], seed=0, features=["x1^2", "x2^2", "x1x2"])
    points = np.random.default_rng(1).uniform(-6, 6, (20, 2))
    expected = net.forward(features.transform(points, net.features)).a[-1]
    assert net.predict(points).tobytes() == expected.tobytes()
    with pytest.raises(ValueError, match="2 input features need 2 inputs"):
        Network([3, 1], features=["x1", "x2"])

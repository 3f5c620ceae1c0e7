import numpy as np
import pytest

from backprop_core import Network, datasets, gradient_check
from dashboard.teaching.bugs import BUGS, buggy_gradients


def test_no_bug_is_the_real_backprop_and_passes_the_check():
    net = Network([2, 2, 2, 2], seed=0)
    X, T = datasets.half_adder()
    chk = gradient_check(net, X, T, gradients=buggy_gradients(net, X, T, "none"))
    assert chk.max_error < 1e-9


@pytest.mark.parametrize("bug", [b for b in BUGS if b != "none"])
def test_every_planted_bug_fails_the_check(bug):
    net = Network([2, 3, 2], seed=0)
    X, T = datasets.half_adder()
    chk = gradient_check(net, X, T, gradients=buggy_gradients(net, X, T, bug))
    assert chk.max_error > 1e-4


def test_planting_a_bug_leaves_the_core_backward_pass_alone():
    net = Network([2, 3, 2], seed=0)
    X, T = datasets.half_adder()
    real = net.gradients(X, T).vector.copy()
    buggy_gradients(net, X, T, "derivative")
    np.testing.assert_array_equal(net.gradients(X, T).vector, real)


def test_unknown_bug_is_refused():
    with pytest.raises(ValueError, match="unknown bug 'typo'; allowed: none"):
        buggy_gradients(Network([2, 2]), *datasets.half_adder(), "typo")

import numpy as np
import pytest

from backprop_core import Network, gradient_check


def test_gradient_check_restores_the_parameters_exactly(reference_net, half_adder):
    before = reference_net.params.copy()
    gradient_check(reference_net, *half_adder)
    assert reference_net.params.tobytes() == before.tobytes()


def test_gradient_check_reports_per_layer_arrays_shaped_like_the_parameters(half_adder):
    net = Network([2, 3, 2], seed=0)
    chk = gradient_check(net, *half_adder)
    assert [d.shape for d in chk.weight_differences] == [(2, 3), (3, 2)]
    assert [d.shape for d in chk.bias_differences] == [(3,), (2,)]
    assert chk.max_relative_error < 1e-6


def test_gradient_check_exposes_a_wrong_gradient(reference_net, half_adder):
    wrong = reference_net.gradients(*half_adder)
    wrong.weights[1][0, 1] += 0.01
    chk = gradient_check(reference_net, *half_adder, gradients=wrong)
    assert chk.max_error == pytest.approx(0.01, rel=1e-4)
    assert np.argmax(np.abs(chk.weight_differences[1])) == 1


@pytest.mark.parametrize("epsilon", [0, -1e-5, 2.0, "small"])
def test_bad_epsilon_raises_a_value_error(reference_net, half_adder, epsilon):
    with pytest.raises(ValueError, match="epsilon must be a number in"):
        gradient_check(reference_net, *half_adder, epsilon=epsilon)

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets, features
from backprop_core.ensemble import Ensemble, train_ensemble


@pytest.mark.parametrize(
    "sizes, options",
    [
        ([2, 2, 2, 2], {}),
        ([2, 3, 2], {"activation": "tanh", "init": "xavier"}),
        (
            [2, 4, 4, 2],
            {
                "activation": "relu",
                "cost": "cross_entropy",
                "output_activation": "sigmoid",
                "init": "he",
            },
        ),
    ],
)
def test_each_network_follows_the_same_trajectory_as_training_it_alone(sizes, options):
    X, T = datasets.half_adder()
    seeds = [0, 7, 123, 99999]
    ensemble, costs, solved = train_ensemble(sizes, seeds, X, T, 0.5, 2000, **options)
    for k, seed in enumerate(seeds):
        net = Network(sizes, seed=seed, **options)
        # numpy's trainer: the stacked ensemble rounds as it does, and seed 7's tanh run is so
        # sensitive near epoch 1,000 that a one-ulp change anywhere moves it by percents
        trainer = Trainer(net, X, T, learning_rate=0.5, compiled=False)
        trainer.step(2000)
        np.testing.assert_allclose(ensemble.params[k], net.params, rtol=0, atol=1e-9)
        np.testing.assert_allclose(costs[:, k], trainer.history.cost, rtol=0, atol=1e-9)
        assert solved[-1, k] == np.all(np.round(ensemble.network(k).predict(X)) == T)


def test_ensemble_starts_exactly_as_network_with_that_seed():
    ensemble = Ensemble([2, 5, 3, 2], seeds=[4, 5, 6])
    for k, seed in enumerate([4, 5, 6]):
        np.testing.assert_array_equal(ensemble.params[k], Network([2, 5, 3, 2], seed=seed).params)
        assert ensemble.weights[1][k].shape == (5, 3)


def test_a_diverging_member_stops_alone_and_keeps_finite_parameters():
    X, T = datasets.half_adder()
    ensemble = Ensemble([2, 2, 2, 2], seeds=[0, 1], activation="identity")
    ensemble.params[1] *= 30.0  # member 1 blows up at this learning rate, member 0 does not
    costs, _ = ensemble.train(X, T, learning_rate=0.05, epochs=300)
    assert ensemble.diverged_at[0] == -1 and ensemble.diverged_at[1] > 0
    assert np.isfinite(ensemble.params).all()
    assert np.isfinite(costs[:, 0]).all()


def test_ensemble_checks_its_inputs():
    with pytest.raises(ValueError, match="at least one seed"):
        Ensemble([2, 2], seeds=[])
    with pytest.raises(ValueError, match="learning rate"):
        Ensemble([2, 2], seeds=[0]).train(*datasets.half_adder(), learning_rate=-1, epochs=1)


def test_mini_batches_and_a_penalty_match_each_member_trained_alone():
    data = datasets.playground("circle", noise=0.1, seed=0)
    X = features.transform(data.X[:60], ["x1", "x2", "x1^2", "x2^2"])
    T = data.T[:60]
    options = dict(activation="tanh", regularization="l2", regularization_rate=0.01)
    ensemble, costs, _ = train_ensemble(
        [4, 3, 1], [5, 6, 7], X, T, 0.1, 20, batch_size=8, seed=3, **options
    )
    for k, seed in enumerate([5, 6, 7]):
        trainer = Trainer(Network([4, 3, 1], seed=seed, **options), X, T, 0.1, 8, seed=3)
        trainer.step(20)
        np.testing.assert_allclose(ensemble.params[k], trainer.network.params, rtol=0, atol=1e-12)
        np.testing.assert_allclose(costs[:, k], trainer.history.cost, rtol=1e-12)

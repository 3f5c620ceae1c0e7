import json

import numpy as np
import pytest

from backprop_core import Network, Trainer
from backprop_core.persistence import network_from_json, network_to_dict, network_to_json


@pytest.mark.parametrize(
    "sizes, options",
    [
        ([2, 2, 2, 2], {}),
        ([3, 5, 2], {"activation": "tanh", "init": "he"}),
        (
            [2, 4, 1],
            {"activation": "relu", "cost": "cross_entropy", "output_activation": "sigmoid"},
        ),
    ],
)
def test_json_round_trip_gives_the_same_predictions_to_the_bit(sizes, options):
    X = np.random.default_rng(0).uniform(0, 1, (16, sizes[0]))
    net = Network(sizes, seed=3, **options)
    Trainer(net, X, np.zeros((16, sizes[-1])), 0.3).step(200)
    loaded, meta = network_from_json(network_to_json(net, epoch=200, dataset="xor"))
    assert loaded.predict(X).tobytes() == net.predict(X).tobytes()
    assert loaded.config() == net.config()
    assert meta["epoch"] == 200 and meta["dataset"] == "xor"


def saved(**changes) -> str:
    data = network_to_dict(Network([2, 2, 1], seed=0), epoch=3)
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    "text, message",
    [
        ("{not json", "not a JSON file"),
        ("[1, 2]", "must be a JSON object"),
        (saved(format="pickle"), "not a Backprop Lab network file"),
        (saved(version=99), "version 99"),
        (saved(sizes=[2, 0, 1]), "layer size 0"),
        (saved(sizes=[2, 3, 1]), r"weights\[0\] must have shape \(2, 3\)"),
        (saved(activation="softmax"), "unknown activation 'softmax'"),
        (saved(weights=[[[1, "2"], [3, 4]], [[1], [2]]]), "finite numbers, found '2'"),
        (saved(weights=[[[1, True], [3, 4]], [[1], [2]]]), "finite numbers, found True"),
        (saved(biases=[[0, 0]]), "biases must be a list of 2 arrays"),
        (saved(epoch=-1), "epoch must be a whole number"),
        (saved(seed="x"), "seed must be a whole number"),
        (saved(sizes=[2, 2000, 2000, 1]), "at most 1,000,000 are allowed"),
        (saved().replace("[[", "[[NaN,", 1), "NaN"),
        (saved().replace("0.", "1e999", 1), "finite numbers"),
    ],
)
def test_loading_rejects_bad_files_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        network_from_json(text)

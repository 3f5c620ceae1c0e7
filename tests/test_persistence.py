import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backprop_core import History, Network, Trainer, datasets
from backprop_core.persistence import (
    MAX_FILE_BYTES,
    MAX_SAVED_EPOCHS,
    network_from_json,
    network_to_dict,
    network_to_json,
)


@pytest.mark.parametrize(
    "sizes, options",
    [
        ([2, 2, 2, 2], {}),
        ([3, 5, 2], {"activation": "tanh", "init": "he"}),
        (
            [2, 4, 1],
            {"activation": "relu", "cost": "cross_entropy", "output_activation": "sigmoid"},
        ),
        ([2, 3, 1], {"regularization": "l2", "regularization_rate": 0.01}),
        ([2, 3, 1], {"regularization": "l1", "regularization_rate": 0.003}),
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
        ("{not json", "not a usable JSON file"),
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
        (saved(weights=[[[0.125, 2], [3, 4]], [[1], [2]]]).replace("0.125", "1e999"), "finite"),
    ],
)
def test_loading_rejects_bad_files_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        network_from_json(text)


def _saved(**changes) -> str:
    data = network_to_dict(Network([2, 2, 2, 2], seed=0), 5)
    data.update(changes)
    return json.dumps(data)


def _with_huge_weight() -> str:
    data = network_to_dict(Network([2, 2, 2, 2], seed=0), 5)
    data["weights"][0][0][0] = 10**4000
    return json.dumps(data)


@pytest.mark.parametrize(
    "text, words",
    [
        ("[" * 100_000 + "]" * 100_000, "nests 100,000 levels deep"),
        ('{"sizes": ' + "[" * 5000 + "]" * 5000 + "}", "nests 5,001 levels deep"),
        (_saved(init=[1]), "init must be a name (text), got [1]"),
        (_saved(activation={"a": 1}), "activation must be a name"),
        (_with_huge_weight(), "weights[0] must hold finite numbers"),
        (_saved(seed=2**70), "seed must be a whole number from 0 to 4294967295"),
        (_saved(seed=-1), "seed must be a whole number from 0 to 4294967295"),
        (_saved(format="x" * 900_000), "not a Backprop Lab network file"),
        (_saved(version=True), "version True"),
        (_saved(sizes="abc"), "layer size 'a'"),
        (_saved(sizes=list(range(1, 10**5))), "parameters; at most 1,000,000"),
        ('{"n": 1' + "0" * 5000 + "}", "not a usable JSON file"),
        (b"\xff\xfe", "not a usable JSON file"),
    ],
    ids=lambda value: value[:30] if isinstance(value, str | bytes) else None,
)
def test_crafted_network_files_raise_a_short_value_error_that_names_the_field(text, words):
    with pytest.raises(ValueError) as err:
        network_from_json(text)
    assert words in str(err.value) and len(str(err.value)) <= 300


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=50),
    lambda inner: st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=25,
)
FIELDS = ["format", "version", "sizes", "activation", "cost", "init", "seed", "epoch"]
FIELDS += ["output_activation", "weights", "biases"]


@given(st.sampled_from(FIELDS), JSON_VALUES)
@settings(deadline=1000, max_examples=300)
def test_any_json_value_in_any_field_loads_or_raises_only_a_short_value_error(field, value):
    try:
        network_from_json(_saved(**{field: value}))
    except ValueError as err:
        assert len(str(err)) <= 300


@given(JSON_VALUES)
@settings(deadline=1000, max_examples=200)
def test_any_json_document_loads_or_raises_only_a_short_value_error(value):
    try:
        network_from_json(json.dumps(value))
    except ValueError as err:
        assert len(str(err)) <= 300


@given(st.text(alphabet='[]{}":,0123456789.eE-tfnul \\x', max_size=400))
@settings(deadline=1000, max_examples=200)
def test_any_text_loads_or_raises_only_a_short_value_error(text):
    try:
        network_from_json(text)
    except ValueError as err:
        assert len(str(err)) <= 300


def _trained(epochs: int, outputs: bool = True) -> Trainer:
    X, T = datasets.half_adder()
    trainer = Trainer(Network([2, 3, 2], "tanh", seed=4), X, T, 0.3, track_outputs=outputs)
    trainer.step(epochs)
    return trainer


@pytest.mark.parametrize("outputs", [True, False])
def test_the_history_travels_with_the_network_to_the_bit(outputs):
    trainer = _trained(300, outputs)
    history = trainer.history
    _, meta = network_from_json(network_to_json(trainer.network, 300, history))
    saved = meta["history"]["rows"]
    assert saved["cost"].tobytes() == history.cost.tobytes()
    for name in ("delta_magnitude", "gradient_norm"):
        np.testing.assert_array_equal(saved[name].astype(np.float32), getattr(history, name))
    if outputs:
        np.testing.assert_array_equal(saved["output_cost"].astype(np.float32), history.output_cost)
    else:
        assert saved["output_cost"].size == 0


def test_a_history_longer_than_the_rows_allow_travels_thinned_and_version_1_files_still_load():
    trainer = _trained(MAX_SAVED_EPOCHS + 1)
    data = network_to_dict(trainer.network, len(trainer.history), trainer.history)
    assert "rows" not in data["history"] and data["version"] == 3
    _, meta = network_from_json(json.dumps(data))
    restored = History(trainer.network.num_layers, 2)
    restored.restore(meta["history"])
    for name, curve in trainer.history.curves().items():
        if name != "row_cost":
            assert restored.curves()[name].values.tobytes() == curve.values.tobytes(), name
    data["version"] = 1
    data.pop("history")
    loaded, meta = network_from_json(json.dumps(data))
    np.testing.assert_array_equal(loaded.params, trainer.network.params)
    assert "history" not in meta


def test_version_2_files_with_their_rows_still_load():
    trainer = _trained(20)
    data = network_to_dict(trainer.network, 20, trainer.history)
    data.update(version=2, history=data["history"]["rows"])
    _, meta = network_from_json(json.dumps(data))
    assert meta["history"]["rows"]["cost"].tobytes() == trainer.history.cost.tobytes()


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda h: h.pop("cost"), "history must be an object with"),
        (lambda h: h["cost"].append(0.1), "history.cost must have shape (20,)"),
        (lambda h: h["delta_magnitude"][0].append(1.0), "history.delta_magnitude must have shape"),
        (lambda h: h["gradient_norm"].__setitem__(0, [None, 1]), "must hold finite numbers"),
        (lambda h: h["gradient_norm"].__setitem__(0, ["Infinity", 1]), "finite numbers"),
    ],
)
def test_a_saved_history_is_checked_like_every_other_field(change, words):
    trainer = _trained(20)
    data = network_to_dict(trainer.network, 20, trainer.history)
    change(data["history"]["rows"])
    with pytest.raises(ValueError) as err:
        network_from_json(json.dumps(data))
    assert words in str(err.value)


def test_features_and_batch_size_travel_with_the_network_and_are_checked():
    options = dict(regularization="l1", regularization_rate=0.01, features=["x1", "x2", "x1x2"])
    net = Network([3, 2, 1], seed=0, **options)
    loaded, meta = network_from_json(network_to_json(net, 0, batch_size=10))
    assert loaded.features == ("x1", "x2", "x1x2") and meta["batch_size"] == 10
    assert loaded.regularizer.name == "l1" and loaded.regularization_rate == 0.01
    points = np.array([[0.5, -2.0], [3.0, 1.0]])
    assert loaded.predict(points).tobytes() == net.predict(points).tobytes()
    for change, words in (
        (dict(features=["x1", "x2", "x9"]), "unknown feature 'x9'"),
        (dict(features=["x1", "x2"]), "2 input features need 2 inputs"),
        (dict(batch_size=0), "batch_size must be a whole number ≥ 1"),
        (dict(batch_size="10"), "got '10'"),
    ):
        data = network_to_dict(net, 0, batch_size=10)
        data.update(change)
        with pytest.raises(ValueError, match=words):
            network_from_json(json.dumps(data))


def _history_of(sizes: list[int], epochs: int, seed: int = 0) -> History:
    """A history of ``epochs`` epochs with every record the app keeps, some of them infinite
    or NaN, written directly (training 10⁶ epochs at the largest size would take hours)."""
    rng = np.random.default_rng(seed)
    layers, outputs = len(sizes) - 1, sizes[-1]
    history = History(layers, outputs if outputs > 1 else 0, row_groups=32)
    done = 0
    while done < epochs:
        n = min(epochs - done, 200_000)
        records = dict(
            cost=rng.uniform(0, 1, n),
            delta_magnitude=rng.uniform(0, 1, (n, layers)),
            gradient_norm=rng.uniform(0, 1, (n, layers)),
            output_cost=rng.uniform(0, 1, (n, outputs)),
            test_cost=rng.uniform(0, 1, n),
            accuracy=rng.uniform(0, 1, n),
            test_accuracy=rng.uniform(0, 1, n),
            row_cost=rng.uniform(0, 1, (n, 32)),
        )
        records["gradient_norm"][n // 2] = np.inf  # an overflowed norm
        records["cost"][n // 3] = np.nan
        history.append(n, **records)
        done += n
    return history


# The largest networks the app makes: 8 hidden layers of 64, with the 7 features of a 2-D set,
# or an uploaded table of up to 64 columns.
CAPS = [[2, 2, 2, 2], [7] + [64] * 8 + [1], [32] + [64] * 8 + [32], [63] + [64] * 8 + [1]]


@pytest.mark.parametrize("sizes", CAPS)
@pytest.mark.parametrize("epochs", [0, 1, 400, 5_000, 5_001, 1_000_001])
def test_every_file_the_app_saves_fits_the_upload_limit_and_loads_back(sizes, epochs):
    net = Network(sizes, "tanh", seed=0)
    history = _history_of(sizes, epochs)
    text = network_to_json(net, epochs, history, dataset="custom", learning_rate=0.5)
    assert len(text.encode()) <= MAX_FILE_BYTES
    loaded, meta = network_from_json(text)
    assert loaded.params.tobytes() == net.params.tobytes() and meta["epoch"] == epochs
    if epochs == 0:
        assert "history" not in meta
        return
    saved = meta["history"]
    assert saved["epochs"] == epochs
    if "rows" in saved:
        assert saved["rows"]["cost"].tobytes() == history.cost.tobytes()
        return
    restored = History(len(sizes) - 1, sizes[-1] if sizes[-1] > 1 else 0)
    restored.restore(saved)
    curves = history.curves()
    for name, curve in restored.curves().items():
        if name in saved["thinned"]:
            assert curve.values.tobytes() == curves[name].values.tobytes(), name
            assert (curve.step, curve.epochs) == (curves[name].step, curves[name].epochs)


def test_an_overflowed_gradient_norm_is_saved_as_text_and_read_back_as_infinity():
    trainer = _trained(10)
    trainer.history._rows["gradient_norm"][3, 0] = np.inf
    text = network_to_json(trainer.network, 10, trainer.history)
    assert "Infinity" not in text and '"inf"' in text
    _, meta = network_from_json(text)
    assert meta["history"]["rows"]["gradient_norm"][3, 0] == np.inf

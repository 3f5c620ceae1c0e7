"""A run through a checkpoint and back: bit for bit, bounded, and refused when corrupt."""

import json

import numpy as np
import pytest

from backprop_core.datasets import Dataset
from dashboard.state.checkpoint import MAX_BYTES, decode, encode, state_of
from dashboard.state.run import Run
from dashboard.state.settings import Settings


def _trained(settings: Settings, epochs: int = 37) -> Run:
    run = Run(settings)
    run.train(epochs, None)
    return run


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings().with_(dataset="spiral", batch=10, hidden=(8, 8))],
    ids=["full batch", "mini-batches cut mid-epoch"],
)
def test_a_resumed_run_trains_on_bit_for_bit_like_the_uninterrupted_one(settings):
    run = _trained(settings)
    if settings.batch:
        run.trainer.step(1, max_seconds=0)  # a deadline cuts the epoch after one slice
        assert run.trainer.partial is not None
    resumed = decode(encode(state_of(run)))
    assert resumed.epoch == run.epoch
    for r in (run, resumed):
        r.train(60, None)
    np.testing.assert_array_equal(resumed.network.params, run.network.params)
    np.testing.assert_array_equal(resumed.history.cost[-60:], run.history.cost[-60:])
    for name in ("cost", "delta_magnitude"):
        np.testing.assert_array_equal(
            resumed.history.curves()[name].values, run.history.curves()[name].values
        )


def test_every_part_of_the_lecture_workflow_comes_back():
    run = _trained(Settings().with_(learning_rate=2.0))
    run.keep()
    run.nudge(3, 0.25)
    run.rewind(run.snapshots.epochs[5])
    resumed = decode(encode(state_of(run)))
    assert resumed.settings == run.settings and resumed.token == run.token
    assert resumed.nudges == run.nudges and resumed.rewound_to == run.rewound_to
    assert [k.label for k in resumed.kept] == [k.label for k in run.kept]
    np.testing.assert_array_equal(resumed.kept[0].cost, run.kept[0].cost)
    assert resumed.snapshots.epochs == run.snapshots.epochs
    np.testing.assert_array_equal(resumed.snapshot().shown.params, run.snapshot().shown.params)


def test_an_uploaded_table_travels_with_its_run():
    run = Run()
    table = Dataset(
        "custom", "my table", np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]]), ("a",), ("y",)
    )
    run.use_dataset(table)
    resumed = decode(encode(state_of(run)))
    assert resumed.settings.dataset == "custom" and resumed.custom_data.title == "my table"
    np.testing.assert_array_equal(resumed.data.X, table.X)


def test_the_largest_network_keeps_few_snapshots_and_its_checkpoint_stays_near_2_mb():
    run = _trained(Settings().with_(dataset="spiral", hidden=(64,) * 8), epochs=40)
    assert len(run.snapshots.epochs) <= run.snapshots.limit < 40
    data = encode(state_of(run))
    assert len(data) <= MAX_BYTES
    assert decode(data).epoch == 40


def test_an_oversized_checkpoint_drops_every_other_snapshot_until_it_fits():
    run = _trained(Settings(), epochs=300)
    state = state_of(run)
    whole = encode(state)
    small = encode(state, max_bytes=len(whole) - 10_000)
    kept = decode(small).snapshots.epochs
    assert len(small) <= len(whole) - 10_000 and kept[0] == 0
    assert kept[-1] == run.snapshots.epochs[-1]
    assert len(kept) < len(run.snapshots.epochs)


def _body(run: Run) -> dict:
    return json.loads(encode(state_of(run)))


@pytest.mark.parametrize(
    ("change", "says"),
    [
        (lambda b: b"\x00garbage", "not readable"),
        (lambda b: b"[1, 2]", "not a Backprop Lab checkpoint"),
        (lambda b: {**b, "version": 99}, "version 99; this server reads version 1"),
        (lambda b: {k: v for k, v in b.items() if k != "trainer"}, "incomplete"),
        (lambda b: {**b, "epoch": b["epoch"] + 1}, "history and epoch disagree"),
        (lambda b: {**b, "settings": {"lr": "lots"}}, "do not read back"),
        (
            lambda b: {**b, "snapshots": [[0, {"__array__": "object", "shape": [1], "data": ""}]]},
            "not one a run holds",
        ),
    ],
)
def test_a_corrupt_or_unknown_checkpoint_is_refused_with_a_reason(change, says):
    changed = change(_body(_trained(Settings(), 5)))
    data = changed if isinstance(changed, bytes) else json.dumps(changed).encode()
    with pytest.raises(ValueError, match=says):
        decode(data)

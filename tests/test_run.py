import re
import time

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from dashboard.reports import history_csv, outputs_table, status
from dashboard.state.settings import Settings
from dashboard.state.snapshot import Activity
from dashboard.state.worker import CHUNK_SECONDS
from tests.labs import LARGEST, lab


def test_training_matches_the_core_trainer_exactly():
    run, worker = lab()
    run.train(500, 10)
    net = Network([2, 2, 2, 2], seed=0)
    Trainer(net, *datasets.half_adder(), 0.5).step(500)
    np.testing.assert_array_equal(run.network.params, net.params)


def test_changing_the_learning_rate_keeps_the_network():
    run, worker = lab()
    run.train(10, 10)
    notice = run.apply(Settings(learning_rate=2.0))
    assert notice is None and run.epoch == 10
    assert run.trainer.learning_rate == 2.0


@pytest.mark.parametrize(
    "change, words",
    [
        ({"hidden": (3, 4, 2)}, "hidden layer sizes 2, 2 → 3, 4, 2"),
        ({"seed": 4}, "seed 0 → 4"),
        ({"activation": "tanh"}, "activation sigmoid → tanh"),
        ({"dataset": "xor"}, "dataset"),
    ],
)
def test_changing_the_architecture_reinitialises_and_says_what_changed(change, words):
    run, worker = lab()
    run.train(10, 10)
    generation = run.generation
    notice = run.apply(Settings(**change))
    assert words in notice  # the page words it "Re-initialised the network: …"
    assert run.epoch == 0 and run.generation == generation + 1


def test_cross_entropy_gets_sigmoid_outputs_whatever_the_hidden_activation():
    run, worker = lab(Settings(activation="relu", cost="cross_entropy"))
    assert run.network.output_activation.name == "sigmoid"
    assert run.network.activation.name == "relu"


def test_train_is_time_boxed():
    run, worker = lab(Settings(hidden=(64, 64, 64)))
    assert run.train(10_000_000, 0.05) < 10_000_000


def test_outputs_table_has_a_row_per_input_and_marks_correct_rows():
    run, worker = lab()
    run.train(20_000, 30)
    table = outputs_table(run.data, run.snapshot().outcome.outputs)
    assert table["x1"] == [0, 0, 1, 1] and table["target carry"] == [0, 0, 0, 1]
    assert table["correct"] == [True] * 4 and run.solved()


def test_snapshots_stay_bounded_over_a_million_epochs():
    from dashboard.state.runs import SCHEDULE

    assert sum(1 for e in SCHEDULE if e <= 1_000_000) <= 500


def test_a_new_network_forgets_why_the_last_one_stopped():
    run, worker = lab()
    run.activity = Activity(stopped="hidden")
    run.use_dataset(datasets.parse_truth_table("in:a,out:y\n0,0\n1,1\n"))
    assert status(run.snapshot()) == "Paused"
    run.activity = Activity(stopped="solved")
    run.reset()
    assert status(run.snapshot()) == "Paused"


@pytest.mark.parametrize(
    "index, value, words",
    [
        (999, 1.0, "the parameter must be from 0 to 17, got 999"),
        (-1, 1.0, "from 0 to 17, got -1"),
        (0, float("nan"), "the new value must be a finite number, got nan"),
        (0, float("inf"), "finite number, got inf"),
        ("0", 1.0, "whole number from 0 to 17"),
    ],
)
def test_a_bad_nudge_is_refused_and_changes_nothing(index, value, words):
    run, worker = lab()
    before = run.network.params.copy()
    with pytest.raises(ValueError, match=re.escape(words)):
        run.nudge(index, value)
    np.testing.assert_array_equal(run.network.params, before)
    assert run.nudges == []


def test_a_training_turn_stays_short_even_when_an_epoch_is_long():
    run, worker = lab(Settings(dataset="multi_gauss", batch=1, **LARGEST))
    turns = []
    for _ in range(5):
        started = time.perf_counter()
        run.train(100, CHUNK_SECONDS)
        turns.append(time.perf_counter() - started)
    assert run.trainer.partial is not None  # it stopped inside an epoch of 972 slices
    assert sorted(turns)[2] < 0.1  # CHUNK_SECONDS plus one full pass, on a busy machine too


def test_a_table_too_small_for_the_batch_size_loads_with_full_batch_and_says_so():
    run, worker = lab(Settings(batch=100, dataset="spiral"))
    note = run.use_dataset(datasets.get("xor"))
    assert run.settings.batch is None and run.settings.dataset == "custom"
    assert "batch size 100 is larger than its 4 training rows" in note


def test_a_refused_table_never_joins_the_dataset_list():
    run, worker = lab()
    wide = datasets.parse_truth_table("in:a,out:y\n" + "0,0\n" * 3)
    wide = wide.__class__(wide.name, wide.title, wide.X, wide.T[:2], wide.input_names, ("y",))
    with pytest.raises(ValueError):
        run.use_dataset(wide)  # X and T do not match
    assert run.custom_data is None and run.settings.dataset == "half_adder"


def test_a_loaded_penalty_rate_the_control_lacks_is_rounded_and_the_notice_says_so():
    net = Network([2, 2, 2, 2], seed=0, regularization="l2", regularization_rate=5.5)
    run, worker = lab()
    notice = run.load(net, {"epoch": 0})
    assert "λ = 5.5 is not one the control offers" in notice and "λ = 3" in notice
    assert run.settings.rate == 3.0 and run.network.regularization_rate == 3.0


def test_the_history_export_of_a_million_epochs_of_eight_layers_stays_small():
    run, worker = lab(Settings(hidden=(4,) * 8))
    rows = 1_000_000
    run.history.append(
        rows,
        cost=np.linspace(1, 0, rows),
        delta_magnitude=np.full((rows, 9), 0.5),
        gradient_norm=np.full((rows, 9), 0.5),
    )
    text = history_csv(run)
    lines = text.splitlines()
    assert len(text) < 15_000_000 and len(lines) == 1 + 100_000
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert lines[-1].split(",")[0] == "999999"

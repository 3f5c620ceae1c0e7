import re
import time

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from backprop_core.features import FEATURES
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER
from dashboard.state.session import STEP_SECONDS, TrainingSession
from dashboard.state.settings import Settings


def test_a_new_session_is_the_reference_network_at_epoch_0():
    session = TrainingSession()
    assert session.network.sizes == [2, 2, 2, 2] and session.epoch == 0
    reference = Network([2, 2, 2, 2], seed=0)
    np.testing.assert_array_equal(session.network.params, reference.params)
    assert not session.running


def test_training_matches_the_core_trainer_exactly():
    session = TrainingSession()
    session.train(500, seconds=10)
    net = Network([2, 2, 2, 2], seed=0)
    Trainer(net, *datasets.half_adder(), 0.5).step(500)
    np.testing.assert_array_equal(session.network.params, net.params)


def test_changing_the_learning_rate_keeps_the_network():
    session = TrainingSession()
    session.train(10, seconds=10)
    notice = session.apply(Settings(learning_rate=2.0))
    assert notice is None and session.epoch == 10
    assert session.trainer.learning_rate == 2.0


@pytest.mark.parametrize(
    "change, words",
    [
        ({"hidden": (3, 4, 2)}, "hidden layers 2, 2 → 3, 4, 2"),
        ({"seed": 4}, "seed 0 → 4"),
        ({"activation": "tanh"}, "activation sigmoid → tanh"),
        ({"dataset": "xor"}, "dataset"),
    ],
)
def test_changing_the_architecture_reinitialises_and_says_what_changed(change, words):
    session = TrainingSession()
    session.train(10, seconds=10)
    generation = session.generation
    notice = session.apply(Settings(**change))
    assert notice.startswith("Re-initialised") and words in notice
    assert session.epoch == 0 and session.generation == generation + 1


def test_cross_entropy_gets_sigmoid_outputs_whatever_the_hidden_activation():
    session = TrainingSession(Settings(activation="relu", cost="cross_entropy"))
    assert session.network.output_activation.name == "sigmoid"
    assert session.network.activation.name == "relu"


def test_reset_goes_back_to_the_same_initialisation_and_stops_the_worker():
    session = TrainingSession()
    before = session.network.params.copy()
    session.start()
    wait_for(lambda: session.epoch > 100)
    session.reset()
    assert session.epoch == 0 and not session.running
    time.sleep(0.1)
    assert session.epoch == 0
    np.testing.assert_array_equal(session.network.params, before)


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)


def test_the_worker_trains_until_paused_and_then_holds_still():
    session = TrainingSession()
    session.start()
    assert session.running and session.status() == "Training"
    wait_for(lambda: session.epoch > 1000)
    session.pause()
    held = session.epoch
    time.sleep(0.1)
    assert session.epoch == held and not session.running and session.status() == "Paused"


def test_a_slow_speed_trains_that_many_epochs_per_refresh():
    session = TrainingSession()
    session.speed = "10"
    session.start()
    time.sleep(1.0)
    session.pause()
    expected = 10 / REFRESH_SECONDS  # epochs per second
    assert 0.5 * expected <= session.epoch <= 1.2 * expected + 10


def test_the_worker_pauses_once_the_browser_has_disconnected_for_a_while(monkeypatch):
    monkeypatch.setattr("dashboard.state.session.DISCONNECT_SECONDS", 0.2)
    session = TrainingSession()
    session.start()
    wait_for(lambda: session.epoch > 10)
    assert session.running
    session.connected = lambda: False
    wait_for(lambda: not session.running)
    assert session.idle_stop == "disconnected"
    assert session.status().startswith("Paused: the browser lost its connection")


def test_a_short_disconnection_does_not_pause_the_worker(monkeypatch):
    monkeypatch.setattr("dashboard.state.session.DISCONNECT_SECONDS", 0.5)
    session = TrainingSession()
    session.start()
    session.connected = lambda: False
    time.sleep(0.2)
    session.connected = lambda: True  # it reconnected in time
    time.sleep(0.6)
    assert session.running and session.idle_stop is None
    session.pause()


def test_slow_redraws_keep_the_worker_training(monkeypatch):
    monkeypatch.setattr("dashboard.state.session.HIDDEN_SECONDS", 3.0)
    session = TrainingSession()
    session.start()
    for _ in range(4):  # a redraw every 0.7 s: slow, but a page is drawing
        time.sleep(0.7)
        session.seen()
    assert session.running and session.idle_stop is None
    session.pause()


def test_a_tab_hidden_for_long_pauses_and_says_so(monkeypatch):
    monkeypatch.setattr("dashboard.state.session.HIDDEN_SECONDS", 0.2)
    session = TrainingSession()
    session.start()
    wait_for(lambda: not session.running)
    assert session.idle_stop == "hidden"
    assert session.status().startswith("Paused (page was hidden): no page drew for")


def test_step_pauses_the_worker_and_adds_exactly_that_many_epochs():
    session = TrainingSession()
    session.start()
    wait_for(lambda: session.epoch > 10)
    session.step(1)
    after = session.epoch
    session.step(100)
    assert session.epoch == after + 100 and not session.running


def test_start_after_divergence_does_nothing():
    session = TrainingSession(Settings(activation="identity", learning_rate=50))
    session.step(100)
    session.start()
    assert not session.running


def test_train_is_time_boxed():
    session = TrainingSession(Settings(hidden=(64, 64, 64)))
    assert session.train(10_000_000, seconds=0.05) < 10_000_000


def test_divergence_stops_the_worker_and_explains():
    session = TrainingSession(Settings(activation="identity", learning_rate=50))
    session.start()
    wait_for(lambda: not session.running)
    assert session.history.diverged
    assert "Lower the learning rate" in session.status()
    assert np.isfinite(session.view().cost)


def test_weight_scale_only_grows_and_stays_a_nice_number():
    session = TrainingSession()
    scales = []
    for _ in range(10):
        session.train(2000, seconds=10)
        scales.append(session.weight_scale)
    assert scales == sorted(scales) and scales[-1] >= np.abs(session.network.params).max()


def test_outputs_table_has_a_row_per_input_and_marks_correct_rows():
    session = TrainingSession()
    session.train(20_000, seconds=30)
    table = session.outputs_table(session.view().outputs)
    assert table["x1"] == [0, 0, 1, 1] and table["target carry"] == [0, 0, 0, 1]
    assert table["correct"] == [True] * 4 and session.view().all_correct


def test_the_snapshot_at_epoch_e_equals_retraining_to_e():
    session = TrainingSession()
    session.step(3000)
    epochs = session.snapshots.epochs
    assert epochs[:5] == [0, 1, 2, 3, 4] and epochs[-1] == 2884 and len(epochs) < 140
    session.rewind(None)
    assert session.snapshots.epochs[-1] == 3000  # rewinding adds the present
    for e in (0, 17, 501, 3000):
        if e not in epochs:
            e = max(x for x in epochs if x <= e)
        reference = Network([2, 2, 2, 2], seed=0)
        Trainer(reference, *datasets.half_adder(), 0.5).step(e)
        assert session.snapshots.at(e).tobytes() == reference.params.tobytes()


def test_snapshots_stay_bounded_over_a_million_epochs():
    from dashboard.state.runs import SCHEDULE

    assert sum(1 for e in SCHEDULE if e <= 1_000_000) <= 500


def test_resume_from_rewind_forgets_later_epochs_and_trains_on():
    session = TrainingSession()
    session.step(200)
    session.rewind(100)
    session.resume_from_rewind()
    assert session.epoch == 100 and max(session.snapshots.epochs) == 100
    session.step(100)
    reference = TrainingSession()
    reference.step(200)
    assert session.network.params.tobytes() == reference.network.params.tobytes()


def test_rewind_to_an_epoch_without_a_snapshot_is_refused():
    session = TrainingSession()
    session.step(50)
    with pytest.raises(ValueError, match="no snapshot at epoch 27"):
        session.rewind(27)


def test_stop_when_solved_pauses_once_every_output_rounds_to_its_target():
    session = TrainingSession()
    session.stop_when_solved = True
    session.start()
    deadline = time.monotonic() + 30
    while session.running and time.monotonic() < deadline:
        session.seen()
        time.sleep(0.05)
    assert not session.running and session.solved_stop and session.view().all_correct
    assert session.status().startswith("Solved: at epoch")


def test_a_new_network_forgets_why_the_last_one_stopped():
    session = TrainingSession()
    session.stop_when_solved = True
    session.solved_stop, session.idle_stop = True, "hidden"
    session.use_dataset(datasets.parse_truth_table("in:a,out:y\n0,0\n1,1\n"))
    assert session.status() == "Paused" and not session.solved_stop
    session.solved_stop = True
    session.reset()
    assert session.status() == "Paused"


def test_a_nudge_changes_one_parameter_and_the_history_records_the_nudged_network():
    session = TrainingSession()
    session.step(20)
    X, T = session.data.X, session.data.T
    nudge = session.nudge(3, 2.5)
    assert (nudge.epoch, nudge.index, nudge.new) == (20, 3, 2.5)
    assert session.network.params[3] == 2.5
    np.testing.assert_array_equal(session.snapshots.at(20), session.network.params)
    nudged_cost = session.network.cost(X, T)
    session.step(5)
    assert session.history.cost[20] == nudged_cost  # epoch 20's cost is the nudged network's


def test_undo_puts_the_parameter_back_until_training_moves_on():
    session = TrainingSession()
    session.step(10)
    before = session.network.params.copy()
    session.nudge(0, -3.0)
    session.undo_nudge()
    np.testing.assert_array_equal(session.network.params, before)
    np.testing.assert_array_equal(session.snapshots.at(10), before)
    session.nudge(0, -3.0)
    session.step(1)
    with pytest.raises(ValueError, match="training has moved on since the nudge at epoch 10"):
        session.undo_nudge()


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
    session = TrainingSession()
    before = session.network.params.copy()
    with pytest.raises(ValueError, match=re.escape(words)):
        session.nudge(index, value)
    np.testing.assert_array_equal(session.network.params, before)
    assert session.nudges == []


def test_a_kept_run_says_it_was_nudged_and_resuming_before_a_nudge_forgets_it():
    session = TrainingSession()
    session.step(30)
    session.nudge(1, 0.0)
    session.step(30)
    assert session.keep().label.endswith("(60 epochs) · 1 nudge")
    session.rewind(26)
    session.resume_from_rewind()
    assert session.nudges == []


LARGEST = dict(hidden=(64,) * 8, features=FEATURES, train=90)


@pytest.mark.parametrize(
    "settings",
    [
        Settings(batch=2, learning_rate=1000, activation="identity"),
        Settings(dataset="spiral", activation="identity", learning_rate=1, batch=10),
    ],
)
def test_a_run_that_blows_up_mid_epoch_leaves_the_session_usable(settings):
    session = TrainingSession(settings)
    session.step(100)
    assert session.history.diverged and np.isfinite(session.network.params).all()
    assert "Training stopped at epoch" in session.status()
    session.start()  # refused quietly after a divergence, as before
    session.step(1)
    snapshot = session.snapshot()
    assert np.isfinite(snapshot.outcome.cost) and snapshot.error is None
    session.reset()
    assert session.epoch == 0 and not session.history.diverged
    session.step(3)
    assert session.epoch >= 1  # it diverges again, in the same way, and nothing raises


def test_an_error_in_the_worker_stops_training_says_so_and_keeps_the_session(monkeypatch):
    session = TrainingSession()

    def broken(*args, **kwargs):
        raise RuntimeError("out of cheese")

    monkeypatch.setattr(session.trainer, "step", broken)
    session.start()
    session._worker.join(timeout=10)
    assert not session.running and "out of cheese" in session.status()
    monkeypatch.undo()
    session.reset()
    session.step(2)
    assert session.epoch == 2 and session.error is None


def test_every_step_takes_turns_from_the_scheduler(monkeypatch):
    turns = []
    real = SCHEDULER.turn

    def counted():
        turns.append(time.perf_counter())
        return real()

    monkeypatch.setattr(SCHEDULER, "turn", counted)
    session = TrainingSession()
    session.step(100)
    assert session.epoch == 100 and turns


def test_a_long_step_goes_on_in_the_worker_and_stops_at_its_target():
    session = TrainingSession(Settings(dataset="multi_gauss", batch=1, **LARGEST))
    started = time.monotonic()
    session.step(100)
    assert time.monotonic() - started < STEP_SECONDS + 1.0  # the page never waits for it all
    assert session.running and session.until == 100
    assert session.status() == "Stepping to epoch 100"
    session.until = session.epoch + 1  # to keep the test short: the worker stops there
    session._worker.join(timeout=60)
    assert not session.running and session.epoch == session.until


def test_a_training_turn_stays_short_even_when_an_epoch_is_long():
    session = TrainingSession(Settings(dataset="multi_gauss", batch=1, **LARGEST))
    turns = []
    for _ in range(5):
        started = time.perf_counter()
        session.train(100)
        turns.append(time.perf_counter() - started)
    assert session.trainer.partial is not None  # it stopped inside an epoch of 972 slices
    assert sorted(turns)[2] < 0.1  # CHUNK_SECONDS plus one full pass, on a busy machine too


def test_a_table_too_small_for_the_batch_size_loads_with_full_batch_and_says_so():
    session = TrainingSession(Settings(batch=100, dataset="spiral"))
    note = session.use_dataset(datasets.get("xor"))
    assert session.settings.batch is None and session.settings.dataset == "custom"
    assert "batch size 100 is larger than its 4 training rows" in note


def test_a_refused_table_never_joins_the_dataset_list():
    session = TrainingSession()
    wide = datasets.parse_truth_table("in:a,out:y\n" + "0,0\n" * 3)
    wide = wide.__class__(wide.name, wide.title, wide.X, wide.T[:2], wide.input_names, ("y",))
    with pytest.raises(ValueError):
        session.use_dataset(wide)  # X and T do not match
    assert session.custom_data is None and session.settings.dataset == "half_adder"


def test_two_kept_runs_with_the_same_settings_get_labels_that_tell_them_apart():
    session = TrainingSession()
    session.step(10)
    first, second = session.keep(), session.keep()
    assert first.label != second.label and second.label.endswith("copy 2")


def test_a_nudge_made_permanent_by_rewinding_to_it_keeps_its_record_and_undo():
    session = TrainingSession()
    session.step(26)
    session.nudge(0, 0.75)
    session.step(10)
    session.rewind(26)
    session.resume_from_rewind()
    assert [n.epoch for n in session.nudges] == [26] and session.network.params[0] == 0.75
    session.undo_nudge()
    assert not session.nudges
    assert "nudge" not in session.keep().label


def test_a_loaded_penalty_rate_the_control_lacks_is_rounded_and_the_notice_says_so():
    net = Network([2, 2, 2, 2], seed=0, regularization="l2", regularization_rate=5.5)
    session = TrainingSession()
    notice = session.load(net, {"epoch": 0})
    assert "λ = 5.5 is not one the control offers" in notice and "λ = 3" in notice
    assert session.settings.rate == 3.0 and session.network.regularization_rate == 3.0


def test_the_history_export_of_a_million_epochs_of_eight_layers_stays_small():
    session = TrainingSession(Settings(hidden=(4,) * 8))
    rows = 1_000_000
    session.history.append(
        rows,
        cost=np.linspace(1, 0, rows),
        delta_magnitude=np.full((rows, 9), 0.5),
        gradient_norm=np.full((rows, 9), 0.5),
    )
    text = session.history_csv()
    lines = text.splitlines()
    assert len(text) < 15_000_000 and len(lines) == 1 + 100_000
    assert [line.split(",")[0] for line in lines[1:4]] == ["0", "1", "2"]
    assert lines[-1].split(",")[0] == "999999"

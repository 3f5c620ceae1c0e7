import time

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets
from dashboard.reports import status
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER
from dashboard.state.settings import Settings
from tests.labs import LARGEST, lab, wait_for


def test_a_new_run_is_the_reference_network_at_epoch_0():
    run, worker = lab()
    assert run.network.sizes == [2, 2, 2, 2] and run.epoch == 0
    reference = Network([2, 2, 2, 2], seed=0)
    np.testing.assert_array_equal(run.network.params, reference.params)
    assert not worker.running


def test_reset_goes_back_to_the_same_initialisation_and_stops_the_worker():
    run, worker = lab()
    before = run.network.params.copy()
    worker.start()
    wait_for(lambda: run.epoch > 100)
    run.reset()
    assert run.epoch == 0 and not worker.running
    time.sleep(0.1)
    assert run.epoch == 0
    np.testing.assert_array_equal(run.network.params, before)


def test_the_worker_trains_until_paused_and_then_holds_still():
    run, worker = lab()
    worker.start()
    assert worker.running and status(run.snapshot()) == "Training"
    wait_for(lambda: run.epoch > 1000)
    worker.pause()
    held = run.epoch
    time.sleep(0.1)
    assert run.epoch == held and not worker.running and status(run.snapshot()) == "Paused"


def test_a_slow_speed_trains_that_many_epochs_per_refresh():
    run, worker = lab()
    run.apply(run.settings.with_(speed="10"))
    worker.start()
    time.sleep(1.0)
    worker.pause()
    expected = 10 / REFRESH_SECONDS  # epochs per second
    assert 0.5 * expected <= run.epoch <= 1.2 * expected + 10


def test_the_worker_pauses_once_the_browser_has_disconnected_for_a_while(monkeypatch):
    monkeypatch.setattr("dashboard.state.worker.DISCONNECT_SECONDS", 0.2)
    run, worker = lab()
    worker.start()
    wait_for(lambda: run.epoch > 10)
    assert worker.running
    worker.connected = lambda: False
    wait_for(lambda: not worker.running)
    assert run.activity.stopped == "disconnected"
    assert status(run.snapshot()).startswith("Paused: the browser lost its connection")


def test_a_short_disconnection_does_not_pause_the_worker(monkeypatch):
    monkeypatch.setattr("dashboard.state.worker.DISCONNECT_SECONDS", 0.5)
    run, worker = lab()
    worker.start()
    worker.connected = lambda: False
    time.sleep(0.2)
    worker.connected = lambda: True  # it reconnected in time
    time.sleep(0.6)
    assert worker.running and run.activity.stopped is None
    worker.pause()


def test_slow_redraws_keep_the_worker_training(monkeypatch):
    monkeypatch.setattr("dashboard.state.worker.HIDDEN_SECONDS", 3.0)
    run, worker = lab()
    worker.start()
    for _ in range(4):  # a redraw every 0.7 s: slow, but a page is drawing
        time.sleep(0.7)
        worker.seen()
    assert worker.running and run.activity.stopped is None
    worker.pause()


def test_a_tab_hidden_for_long_pauses_and_says_so(monkeypatch):
    monkeypatch.setattr("dashboard.state.worker.HIDDEN_SECONDS", 0.2)
    run, worker = lab()
    worker.start()
    wait_for(lambda: not worker.running)
    assert run.activity.stopped == "hidden"
    assert status(run.snapshot()).startswith("Paused (page was hidden): no page drew for")


def test_step_pauses_the_worker_and_adds_exactly_that_many_epochs():
    run, worker = lab()
    worker.start()
    wait_for(lambda: run.epoch > 10)
    worker.step(1)
    after = run.epoch
    worker.step(100)
    assert run.epoch == after + 100 and not worker.running


def test_start_after_divergence_does_nothing():
    run, worker = lab(Settings(activation="identity", learning_rate=50))
    worker.step(100)
    worker.start()
    assert not worker.running


def test_divergence_stops_the_worker_and_explains():
    run, worker = lab(Settings(activation="identity", learning_rate=50))
    worker.start()
    wait_for(lambda: not worker.running)
    assert run.history.diverged
    assert "Lower the learning rate" in status(run.snapshot())
    assert np.isfinite(run.snapshot().outcome.cost)


def test_the_snapshot_at_epoch_e_equals_retraining_to_e():
    run, worker = lab()
    worker.step(3000)
    epochs = run.snapshots.epochs
    assert epochs[:5] == [0, 1, 2, 3, 4] and epochs[-1] == 2884 and len(epochs) < 140
    run.rewind(None)
    assert run.snapshots.epochs[-1] == 3000  # rewinding adds the present
    for e in (0, 17, 501, 3000):
        if e not in epochs:
            e = max(x for x in epochs if x <= e)
        reference = Network([2, 2, 2, 2], seed=0)
        Trainer(reference, *datasets.half_adder(), 0.5).step(e)
        assert run.snapshots.at(e).tobytes() == reference.params.tobytes()


def test_resume_from_rewind_forgets_later_epochs_and_trains_on():
    run, worker = lab()
    worker.step(200)
    run.rewind(100)
    run.resume_from_rewind()
    assert run.epoch == 100 and max(run.snapshots.epochs) == 100
    worker.step(100)
    reference, reference_worker = lab()
    reference_worker.step(200)
    assert run.network.params.tobytes() == reference.network.params.tobytes()


def test_rewind_to_an_epoch_without_a_snapshot_is_refused():
    run, worker = lab()
    worker.step(50)
    with pytest.raises(ValueError, match="no snapshot at epoch 27"):
        run.rewind(27)


def test_stop_when_solved_pauses_once_every_output_rounds_to_its_target():
    run, worker = lab()
    run.apply(run.settings.with_(stop_solved=True))
    worker.start()
    deadline = time.monotonic() + 30
    while worker.running and time.monotonic() < deadline:
        worker.seen()
        time.sleep(0.05)
    assert not worker.running and run.activity.stopped == "solved" and run.solved()
    assert status(run.snapshot()).startswith("Solved: at epoch")


def test_a_nudge_changes_one_parameter_and_the_history_records_the_nudged_network():
    run, worker = lab()
    worker.step(20)
    X, T = run.data.X, run.data.T
    nudge = run.nudge(3, 2.5)
    assert (nudge.epoch, nudge.index, nudge.new) == (20, 3, 2.5)
    assert run.network.params[3] == 2.5
    np.testing.assert_array_equal(run.snapshots.at(20), run.network.params)
    nudged_cost = run.network.cost(X, T)
    worker.step(5)
    # epoch 20's cost is the nudged network's (the compiled loop rounds in its own order)
    assert run.history.cost[20] == pytest.approx(nudged_cost, rel=1e-12)


def test_undo_puts_the_parameter_back_until_training_moves_on():
    run, worker = lab()
    worker.step(10)
    before = run.network.params.copy()
    run.nudge(0, -3.0)
    run.undo_nudge()
    np.testing.assert_array_equal(run.network.params, before)
    np.testing.assert_array_equal(run.snapshots.at(10), before)
    run.nudge(0, -3.0)
    worker.step(1)
    with pytest.raises(ValueError, match="training has moved on since the nudge at epoch 10"):
        run.undo_nudge()


def test_a_kept_run_says_it_was_nudged_and_resuming_before_a_nudge_forgets_it():
    run, worker = lab()
    worker.step(30)
    run.nudge(1, 0.0)
    worker.step(30)
    assert run.keep().label.endswith("(60 epochs) · 1 nudge")
    run.rewind(26)
    run.resume_from_rewind()
    assert run.nudges == []


@pytest.mark.parametrize(
    "settings",
    [
        Settings(batch=2, learning_rate=1000, activation="identity"),
        Settings(dataset="spiral", activation="identity", learning_rate=1, batch=10),
    ],
)
def test_a_run_that_blows_up_mid_epoch_leaves_the_session_usable(settings):
    run, worker = lab(settings)
    worker.step(100)
    assert run.history.diverged and np.isfinite(run.network.params).all()
    assert "Training stopped at epoch" in status(run.snapshot())
    worker.start()  # refused quietly after a divergence, as before
    worker.step(1)
    snapshot = run.snapshot()
    assert np.isfinite(snapshot.outcome.cost) and snapshot.activity.error is None
    run.reset()
    assert run.epoch == 0 and not run.history.diverged
    worker.step(3)
    assert run.epoch >= 1  # it diverges again, in the same way, and nothing raises


def test_an_error_in_the_worker_stops_training_says_so_and_keeps_the_session(monkeypatch):
    run, worker = lab()

    def broken(*args, **kwargs):
        raise RuntimeError("out of cheese")

    monkeypatch.setattr(run.trainer, "step", broken)
    worker.start()
    worker._thread.join(timeout=10)
    assert not worker.running and "out of cheese" in status(run.snapshot())
    monkeypatch.undo()
    run.reset()
    worker.step(2)
    assert run.epoch == 2 and run.activity.error is None


def test_every_step_takes_turns_from_the_scheduler(monkeypatch):
    turns = []
    real = SCHEDULER.turn

    def counted():
        turns.append(time.perf_counter())
        return real()

    monkeypatch.setattr(SCHEDULER, "turn", counted)
    run, worker = lab()
    worker.step(100)
    assert run.epoch == 100 and turns


def test_a_long_step_goes_on_in_the_worker_and_stops_at_its_target(monkeypatch):
    monkeypatch.setattr("dashboard.state.worker.STEP_SECONDS", 0.2)
    run, worker = lab(Settings(dataset="multi_gauss", batch=1, **LARGEST))
    started = time.monotonic()
    worker.step(10)
    assert time.monotonic() - started < 1.0  # the page never waits for it all
    assert worker.running and run.activity.until == 10
    assert status(run.snapshot()) == "Stepping to epoch 10"
    worker._thread.join(timeout=60)
    assert not worker.running and run.epoch == 10


def test_two_kept_runs_with_the_same_settings_get_labels_that_tell_them_apart():
    run, worker = lab()
    worker.step(10)
    first, second = run.keep(), run.keep()
    assert first.label != second.label and second.label.endswith("copy 2")


def test_a_nudge_made_permanent_by_rewinding_to_it_keeps_its_record_and_undo():
    run, worker = lab()
    worker.step(26)
    run.nudge(0, 0.75)
    worker.step(10)
    run.rewind(26)
    run.resume_from_rewind()
    assert [n.epoch for n in run.nudges] == [26] and run.network.params[0] == 0.75
    run.undo_nudge()
    assert not run.nudges
    assert "nudge" not in run.keep().label

"""The writer thread: checkpoints at once on a change while paused, every second while
training, never on the training thread; a failing store is said and retried."""

import threading
import time

import pytest

from dashboard.state import keeper
from dashboard.state.checkpoint import Checkpoint, decode
from dashboard.state.keeper import Keeper
from dashboard.state.run import Run
from dashboard.state.store import SQLiteStore, StoreError
from dashboard.state.worker import Worker


class Recording(SQLiteStore):
    """A store that notes which thread wrote each checkpoint, and can be made to fail."""

    def __init__(self, folder):
        super().__init__(folder)
        self.writers: list[str] = []
        self.failing = False

    def put(self, checkpoint):
        if self.failing:
            raise StoreError("/srv/secret/runs.sqlite3: database or disk is full")
        self.writers.append(threading.current_thread().name)
        super().put(checkpoint)


def _keeper(tmp_path) -> tuple[Keeper, Recording]:
    kept = Keeper()
    kept._store = store = Recording(tmp_path)
    return kept, store


def _until(check, seconds: float = 3.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_a_paused_run_is_checkpointed_at_once_after_a_nudge(tmp_path):
    kept, store = _keeper(tmp_path)
    run = Run()
    worker = Worker(run)
    kept.watch(worker, "session-1")
    assert _until(lambda: store.get(run.token) is not None)
    run.nudge(0, 1.5)
    assert _until(lambda: decode(store.get(run.token).data).nudges == run.nudges, 1.0)
    assert kept.holder(run.token) == (worker, "session-1")


def test_a_training_run_is_checkpointed_every_second_by_the_writer_thread_alone(tmp_path):
    kept, store = _keeper(tmp_path)
    run = Run()
    worker = Worker(run)
    kept.watch(worker, "s")
    worker.start()
    saved = []
    try:
        for _ in range(28):  # 2.8 s
            time.sleep(0.1)
            found = store.get(run.token)
            if found and (not saved or found.saved_at != saved[-1]):
                saved.append(found.saved_at)
    finally:
        worker.pause()
    gaps = [b - a for a, b in zip(saved, saved[1:])]
    assert len(saved) >= 3 and max(gaps) <= keeper.TRAINING_SECONDS + 2 * keeper.POLL_SECONDS
    assert set(store.writers) == {"keeper"}
    assert _until(lambda: store.get(run.token).epoch == run.epoch)  # the pause, at once


def test_a_failing_store_is_said_without_its_path_training_goes_on_and_saving_resumes(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(keeper, "RETRY_SECONDS", 0.3)
    kept, store = _keeper(tmp_path)
    store.failing = True
    run = Run()
    worker = Worker(run)
    kept.watch(worker, "s")
    assert _until(lambda: kept.problem is not None)
    assert "disk is full" in kept.problem and "/srv" not in kept.problem
    worker.step(50)
    assert run.epoch == 50
    store.failing = False
    assert _until(lambda: kept.problem is None and store.get(run.token) is not None)
    assert store.get(run.token).epoch == 50


@pytest.mark.parametrize("token", ["", "short", "x" * 23, "a" * 21 + "!", "../../etc/passwd"])
def test_a_malformed_token_is_no_token(token):
    from dashboard.components.bootstrap import TOKEN

    assert not TOKEN.fullmatch(token)


def test_a_run_resumed_by_another_process_is_left_to_it(tmp_path):
    kept, store = _keeper(tmp_path)
    run = Run()
    kept.watch(Worker(run), "s")
    assert _until(lambda: store.get(run.token) is not None)
    taken = store.get(run.token)
    store.put(Checkpoint(run.token, taken.epoch, time.time(), "0ther000", taken.data))
    run.nudge(0, 2.0)
    assert _until(lambda: kept.holder(run.token) is None)
    assert store.writer(run.token) == "0ther000"

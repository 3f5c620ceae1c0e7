import os
import threading
import time

import pytest

from dashboard.state import scheduler
from dashboard.state.scheduler import Scheduler, refresh_seconds, training_turns


def _run_workers(scheduler: Scheduler, workers: int, seconds: float, chunk: float = 0.002):
    """Each worker takes turns doing ``chunk`` seconds of work; returns the turns each got
    and the most workers ever inside a turn at once."""
    turns, inside, most = [0] * workers, [0], [0]
    lock, stop = threading.Lock(), threading.Event()

    def work(k: int) -> None:
        while not stop.is_set():
            with scheduler.turn():
                with lock:
                    inside[0] += 1
                    most[0] = max(most[0], inside[0])
                time.sleep(chunk)
                with lock:
                    inside[0] -= 1
            turns[k] += 1

    threads = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    return turns, most[0]


@pytest.mark.parametrize("slots", [1, 2])
def test_no_more_workers_train_at_once_than_there_are_slots(slots):
    _, most = _run_workers(Scheduler(slots), workers=8, seconds=0.5)
    assert most == slots


def test_turns_go_round_robin_so_every_worker_gets_an_even_share():
    turns, _ = _run_workers(Scheduler(1), workers=10, seconds=1.0)
    assert min(turns) >= 0.8 * max(turns), turns  # first come, first served: near equal


def test_the_scheduler_counts_the_workers_running():
    scheduler = Scheduler(1)
    with scheduler.worker(), scheduler.worker():
        assert scheduler.training == 2
    assert scheduler.training == 0


def test_a_scheduler_needs_a_slot():
    with pytest.raises(ValueError, match="slots must be at least 1, got 0"):
        Scheduler(0)


@pytest.mark.parametrize(
    "training, seconds",
    [(0, 0.1), (1, 0.1), (2, 0.2), (3, 0.2), (4, 0.3), (6, 0.3), (7, 0.4), (40, 0.4)],
)
def test_redraws_stretch_from_a_tenth_to_under_half_a_second_with_the_sessions_training(
    training, seconds
):
    assert refresh_seconds(training) == seconds


def test_a_thread_that_holds_a_turn_can_ask_again_without_waiting_on_itself():
    scheduler = Scheduler(1)
    done = threading.Event()

    def nested() -> None:
        with scheduler.turn(first=True):
            with scheduler.turn():
                done.set()

    thread = threading.Thread(target=nested)
    thread.start()
    thread.join(timeout=5)
    assert done.is_set() and not thread.is_alive()
    with scheduler.turn():  # and the turn was given back
        pass


def test_a_page_that_asks_first_is_served_before_the_waiting_workers():
    scheduler = Scheduler(1)
    order = []

    def worker(name: str, first: bool = False) -> None:
        with scheduler.turn(first=first):
            order.append(name)

    with scheduler.turn():
        threads = [threading.Thread(target=worker, args=(f"w{k}",)) for k in range(3)]
        for t in threads:
            t.start()
        while scheduler.waiting < 3:
            time.sleep(0.01)
        page = threading.Thread(target=worker, args=("page", True))
        page.start()
        while scheduler.waiting < 4:
            time.sleep(0.01)
    for t in [*threads, page]:
        t.join(timeout=5)
    assert order[0] == "page" and sorted(order[1:]) == ["w0", "w1", "w2"]


def test_a_turn_per_core_once_training_is_compiled_and_one_on_numpy(monkeypatch):
    monkeypatch.delenv("BACKPROP_TURNS", raising=False)
    cores = len(os.sched_getaffinity(0))
    monkeypatch.setattr(scheduler, "loops", lambda: object())
    assert training_turns() == cores
    monkeypatch.setattr(scheduler, "loops", lambda: None)
    assert training_turns() == 1
    monkeypatch.setenv("BACKPROP_TURNS", "3")
    assert training_turns() == 3
    monkeypatch.setenv("BACKPROP_TURNS", "zero")  # not a count: the default again
    assert training_turns() == 1


def test_the_slots_follow_a_function_as_it_changes():
    slots = [1]
    s = Scheduler(lambda: slots[0])
    assert s.slots == 1
    slots[0] = 2
    assert s.slots == 2

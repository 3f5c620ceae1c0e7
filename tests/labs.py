"""A run and its worker for the tests, and waiting for a thread to get somewhere."""

from __future__ import annotations

import time

from backprop_core.features import FEATURES
from dashboard.state.run import Run
from dashboard.state.settings import Settings
from dashboard.state.worker import Worker

LARGEST = dict(hidden=(64,) * 8, features=FEATURES, train=90)  # the largest network allowed


def lab(settings: Settings | None = None) -> tuple[Run, Worker]:
    run = Run(settings)
    return run, Worker(run)


def wait_for(condition, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(0.01)

"""Each browser session's run and worker, made from the link on its first page run, and the
helpers every page uses to share the server: caching, fair budgets and turns for heavy work.
"""

from __future__ import annotations

import functools
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime import Runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

from backprop_core.compiled import warm_up
from dashboard.state.checkpoint import decode, encode, state_of
from dashboard.state.keeper import KEEPER
from dashboard.state.playground import from_playground
from dashboard.state.run import Run, new_token
from dashboard.state.scheduler import SCHEDULER, SERVER_ID, SERVER_ID_PATTERN
from dashboard.state.settings import settings_from_query, widget_values
from dashboard.state.store import age
from dashboard.state.worker import Worker
from dashboard.text import plain

RUN_KEY, WORKER_KEY = "lab_run", "lab_worker"
T = TypeVar("T")
RESTARTED = (
    "The server restarted since this page was last open: its training state was lost, and "
    "your settings came back from the link."
)
NOT_RESUMED = "The saved run could not be resumed"
TOKEN = re.compile(r"[A-Za-z0-9_-]{22}")  # what new_token makes: 128 bits, URL-safe


def restarted(server: str | None) -> bool:
    """Whether a link's ``server=`` names another server process (one that has restarted);
    anything that is not such a name is no evidence of it."""
    named = server is not None and re.fullmatch(SERVER_ID_PATTERN, server) is not None
    return named and server != SERVER_ID


def _start() -> None:
    """This user's run and worker: the run the address's ``run=`` names (in this process,
    or resumed from its checkpoint), else a new one from the link's settings or the defaults."""
    warm_up(background=True)  # the server's first session: training is compiled seconds later
    params = st.query_params.to_dict()
    warnings: list[str] = []
    run = _reopened(params.get("run"), warnings)
    if isinstance(run, Worker):  # the same run, reattached
        _keep(run, run.run, warnings)
        return
    if run is None:
        run, warnings = _new_run(params, warnings)
    _keep(Worker(run, _connection_check()), run, warnings)


def _new_run(params: dict[str, str], warnings: list[str]) -> tuple[Run, list[str]]:
    settings, more = settings_from_query(params)
    warnings += more
    if "playground" in params:  # a playground link's '#' part, URL-encoded
        try:
            settings, notices = from_playground(params["playground"], settings)
            warnings += notices
        except ValueError as err:
            warnings.append(f"URL parameter playground: {err}; ignored")
    try:
        run = Run(settings)
    except ValueError as err:  # a batch size larger than this dataset's training rows
        warnings.append(f"URL parameter batch: {err}; using full batch instead")
        run = Run(settings.with_(batch=None))
    if restarted(params.get("server")) and not any(w.startswith(NOT_RESUMED) for w in warnings):
        warnings.insert(0, RESTARTED)
    return run, warnings


def _session() -> str:
    ctx = get_script_run_ctx()
    return "" if ctx is None else ctx.session_id


def _reopened(token: str | None, warnings: list[str]) -> Worker | Run | None:
    """The live worker of run ``token`` when no other open tab holds it; a copy of it when
    one does; the run resumed from its checkpoint; or None (no such run, or no token)."""
    if token is None or not TOKEN.fullmatch(token):
        return None
    held = KEEPER.holder(token)
    if held is not None:
        worker, owner = held
        if owner == _session() or not _active(owner):
            worker.connected = _connection_check()
            return worker
        fork = decode(encode(state_of(worker.run)))
        fork.token = new_token()
        warnings.append(
            "This run is open in another tab, so this tab has a copy of it, at epoch "
            f"{fork.epoch:,}: what you do here does not change the other tab's run."
        )
        return fork
    saved = KEEPER.load(token)
    if saved is None:
        return None
    try:
        run = decode(saved.data)
        run.token = token  # the address's, whatever the stored body says
    except ValueError as err:
        warnings.append(f"{NOT_RESUMED} ({err}); starting from the link's settings.")
        return None
    stopped = KEEPER.stopped_at(saved)
    when = (
        f"saved {age(stopped - saved.saved_at)} before the server stopped"
        if stopped is not None
        else f"saved {age(time.time() - saved.saved_at)} ago"
    )
    warnings.append(f"Resumed from the checkpoint at epoch {saved.epoch:,}, {when}. Paused.")
    return run


def _active(session: str) -> bool:
    return bool(session) and Runtime.exists() and Runtime.instance().is_active_session(session)


def _keep(worker: Worker, run: Run, warnings: list[str]) -> None:
    KEEPER.watch(worker, _session())
    st.session_state[WORKER_KEY] = worker
    st.session_state[RUN_KEY] = run
    st.session_state["url_warnings"] = warnings


def get_run() -> Run:
    """This user's run. The first run of any page builds it from the URL."""
    if RUN_KEY not in st.session_state:
        _start()
    return st.session_state[RUN_KEY]


def get_worker() -> Worker:
    """The worker that trains this user's run."""
    get_run()
    return st.session_state[WORKER_KEY]


def _connection_check() -> Callable[[], bool]:
    """Whether this browser session is still connected, as Streamlit's runtime knows it."""
    ctx = get_script_run_ctx()
    if ctx is None or not Runtime.exists():
        return lambda: True
    runtime, session_id = Runtime.instance(), ctx.session_id
    return lambda: runtime.is_active_session(session_id)


def show_url_warnings(box: DeltaGenerator) -> None:
    """What was wrong with the link this session started from, once, in ``box``."""
    for warning in st.session_state.pop("url_warnings", []):
        box.warning(plain(warning))


def sync_widgets(run: Run) -> None:
    """Put the run's settings into the controls' keys (widget values die on page switches)."""
    for key, value in widget_values(run.settings).items():
        st.session_state[key] = value


def seed_widgets(run: Run, key: str) -> None:
    """Streamlit forgets a widget's value when a run does not draw it (another page, or the
    other mode): fill the controls from the settings again when ``key`` is gone."""
    if key not in st.session_state:
        sync_widgets(run)


def cached(name: str, key: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, kept in this user's session under ``name`` until ``key`` changes: a rerun
    for another control does not redo a slow computation."""
    held = st.session_state.get(f"_cached_{name}")
    if held is None or held[0] != key:
        held = (key, compute())
        st.session_state[f"_cached_{name}"] = held
    return held[1]


def fair_seconds(seconds: float) -> float:
    """A page's budget for a slow computation: ``seconds`` alone on the server, its share when
    others train (a sampled check then samples less, but still answers in about that time)."""
    return seconds / max(1, SCHEDULER.training)


@contextmanager
def server_turn() -> Iterator[None]:
    """Heavy page work, done in one of the scheduler's turns while others train: it takes its
    share of the server instead of slowing down every training turn it overlaps."""
    if SCHEDULER.training:
        with SCHEDULER.turn():
            yield
    else:
        yield


def charged_to(worker: Worker) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """A decorator for a redrawn part of a page: on a busy server it is drawn between two
    training turns, and its processor time is charged to ``worker`` (``Worker.charge``), so a
    heavy page slows its own student, not the class."""

    def wrap(part: Callable[..., None]) -> Callable[..., None]:
        @functools.wraps(part)
        def charged(*args, **kwargs) -> None:
            started = time.thread_time()
            try:
                if SCHEDULER.training > 1:  # drawn between two training turns, not during one
                    with SCHEDULER.turn(first=True):
                        part(*args, **kwargs)
                else:
                    part(*args, **kwargs)
            finally:
                worker.charge(time.thread_time() - started)

        return charged

    return wrap

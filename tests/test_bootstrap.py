"""A run's identity: its token in the address bar only, reattaching on a reload, resuming
from the run store after a restart, and never another student's run."""

import time

import numpy as np

from backprop_core.datasets import Dataset
from dashboard.components import share
from dashboard.components.bootstrap import RESTARTED, TOKEN
from dashboard.state import keeper
from dashboard.state.checkpoint import Checkpoint, checkpoint, state_of
from dashboard.state.keeper import KEEPER
from dashboard.state.run import Run, new_token
from dashboard.state.store import StoreError
from tests.apptest_helpers import epoch, open_link, run_app, run_of, shown, worker_of


def _warnings(at) -> list[str]:
    return shown(at.warning)


def test_every_run_gets_a_128_bit_token_in_the_address_bar_and_two_students_never_share_one():
    a, b = run_app(), run_app()
    ta, tb = a.query_params["run"], b.query_params["run"]
    assert TOKEN.fullmatch(ta) and TOKEN.fullmatch(tb) and ta != tb
    assert run_of(a) is not run_of(b) and run_of(a).token == ta


def test_the_share_link_its_qr_code_and_its_words_never_hold_the_token(monkeypatch):
    drawn = []
    real = share.qr_png
    monkeypatch.setattr(share, "qr_png", lambda link, **kw: drawn.append(link) or real(link, **kw))
    at = open_link({"share_open": True})
    token = at.query_params["run"]
    words = [c.proto.code_text for c in at.get("code")] + shown(at.caption) + shown(at.markdown)
    assert drawn and all("run=" not in link and token not in link for link in drawn)
    assert not any(token in text for text in words)


def test_reopening_the_address_reattaches_to_the_same_run_with_its_epochs():
    a = run_app()
    worker_of(a).step(30)
    b = open_link(run=a.query_params["run"])
    assert run_of(b) is run_of(a) and epoch(b) == 30 and not _warnings(b)


def test_a_guessed_or_malformed_token_starts_a_new_run_of_its_own():
    a = run_app()
    worker_of(a).step(10)
    for token in (new_token(), "<b>x</b>", a.query_params["run"] + "x"):
        b = open_link(run=token)
        assert run_of(b) is not run_of(a) and epoch(b) == 0
        assert b.query_params["run"] != token and not b.exception


def test_after_a_restart_the_address_resumes_from_the_checkpoint_paused_and_says_so():
    a = run_app()
    worker_of(a).step(40)
    token = a.query_params["run"]
    KEEPER.save_now()
    KEEPER._workers.pop(token)  # as a new server process finds it: only in the store
    b = open_link(run=token, server="0badf00d")
    assert run_of(b) is not run_of(a) and epoch(b) == 40 and not worker_of(b).running
    (said,) = _warnings(b)
    assert said.startswith("Resumed from the checkpoint at epoch 40, saved ") and "Paused" in said
    assert RESTARTED not in said and b.query_params["run"] == token


def test_a_corrupt_checkpoint_is_refused_with_a_notice_and_the_links_settings_apply():
    token = new_token()
    KEEPER.store.put(Checkpoint(token, 5, time.time(), "0badf00d", b"\x00not json"))
    at = open_link(run=token, lr="2")
    assert any(
        "The saved run could not be resumed (the checkpoint is not readable" in w
        for w in _warnings(at)
    )
    assert run_of(at).settings.learning_rate == 2 and epoch(at) == 0


def test_a_store_that_fails_is_said_on_the_status_line_and_training_goes_on(monkeypatch):
    class Failing:
        def __getattr__(self, name):
            def fail(*args):
                raise StoreError("/var/lib/secret/runs.sqlite3: disk I/O error")

            return fail

    monkeypatch.setattr(keeper, "RETRY_SECONDS", 0.3)
    monkeypatch.setattr(KEEPER, "_store", Failing())
    at = run_app()
    deadline = time.monotonic() + 5
    while KEEPER.problem is None and time.monotonic() < deadline:
        time.sleep(0.05)
    worker_of(at).step(20)
    at.run()
    said = " ".join(shown(at.caption))
    assert "Runs are not being saved" in said and "/var/lib" not in said and epoch(at) == 20
    monkeypatch.undo()
    deadline = time.monotonic() + 10
    while KEEPER.problem is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert KEEPER.problem is None  # saving works again


def test_what_a_checkpoint_holds_is_shown_as_text_never_as_markup():
    run = Run()
    marked = "**bold** [x](http://example.org/x.png)"
    X, T = np.array([[0.0], [1.0]]), np.array([[1.0], [0.0]])
    run.use_dataset(Dataset("custom", marked, X, T, ("a",), ("y",)))
    KEEPER.store.put(checkpoint(state_of(run), "0badf00d"))
    at = open_link(run=run.token)
    shown_text = " ".join(c.value for c in at.caption)
    assert "\\*\\*bold\\*\\*" in shown_text and "**bold**" not in shown_text.replace("\\*", "")

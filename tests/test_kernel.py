"""The compiled loops (``backprop_core/kernel.py``, driven by ``compiled.py``) against numpy's
trainer and the textbook reference loop: the same parameters, records, shuffles, deadlines
and divergences, within rounding."""

import itertools
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets, kernel, training
from backprop_core.costs import REQUIRED_OUTPUT

from .reference_training import reference_run
from .test_training import (
    DIVERGING,
    FakeClock,
    assert_a_blow_up_keeps_the_last_finite_parameters,
    assert_deadlines_change_nothing,
)

ROOT = Path(__file__).resolve().parent.parent
ONE_EPOCH = 1e-12  # relative: one epoch's parameters, compiled against numpy
CURVES = 1e-9  # relative: 1,000 epochs' records
FLOAT32 = 2 * float(np.finfo(np.float32).eps)  # the history keeps all but the costs in float32


def tolerance(record: np.ndarray, wanted: float) -> float:
    """``wanted``, or what float32 can tell apart for the records kept in it."""
    return max(wanted, FLOAT32) if record.dtype == np.float32 else wanted

def relative(a: np.ndarray, b: np.ndarray) -> float:
    """max |a − b| over max |b|, NaNs in the same places."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert np.array_equal(np.isnan(a), np.isnan(b))
    a, b = np.nan_to_num(a), np.nan_to_num(b)
    return float(np.abs(a - b).max() / max(np.abs(b).max(), 1e-300)) if a.size else 0.0


def pair(sizes, activation, cost, init, batch, penalty, epochs, rows=30, test=True, lr=0.1):
    """The same run on numpy's trainer and on the compiled loops."""
    rng = np.random.default_rng(len(sizes) + rows)
    X = rng.normal(size=(rows, sizes[0]))
    T = (rng.random((rows, sizes[-1])) > 0.5).astype(float)
    held_out = dict(X_test=X[:7], T_test=T[:7]) if test else {}
    trainers = []
    for on in (False, True):
        net = Network(
            sizes, activation, cost, seed=2, init=init,
            output_activation=REQUIRED_OUTPUT.get(cost),
            regularization=penalty, regularization_rate=0.01 if penalty != "none" else 0.0,
        )  # fmt: skip
        trainer = Trainer(net, X, T, lr, batch, seed=5, track_outputs=True, compiled=on, **held_out)
        trainer.step(epochs)
        trainers.append(trainer)
    assert trainers[0].compiled_blocks is None and trainers[1].compiled_blocks is not None
    return trainers


RECORDS = ("cost", "delta_magnitude", "gradient_norm", "output_cost", "test_cost", "accuracy")


@pytest.mark.parametrize("activation", list(kernel.ACTIVATION_CODES))
@pytest.mark.parametrize("cost", list(kernel.COST_CODES))
def test_one_epoch_equals_numpys_for_every_init_batch_and_penalty(activation, cost):
    for sizes, init, batch, penalty in itertools.product(
        ([3, 2], [3, 4, 3, 2], [2, 6, 1, 5, 2]), ("uniform", "xavier", "he"), (None, 7, 1),
        kernel.PENALTY_CODES,
    ):  # fmt: skip
        numpy_run, kernel_run = pair(sizes, activation, cost, init, batch, penalty, 1)
        assert relative(kernel_run.network.params, numpy_run.network.params) < ONE_EPOCH
        for name in RECORDS:
            got, expected = (getattr(t.history, name) for t in (kernel_run, numpy_run))
            assert relative(got, expected) < tolerance(got, ONE_EPOCH), (sizes, batch, name)


THOUSAND = [(b, p, 0.1) for b in (None, 10, 1) for p in ("none", "l2", "l1")][:-1]


@pytest.mark.parametrize("batch, penalty, lr", THOUSAND + [(1, "l1", 0.03)])
def test_a_thousand_epochs_curves_agree_within_1e_9(batch, penalty, lr):
    numpy_run, kernel_run = pair([3, 5, 4, 2], "tanh", "mse", "xavier", batch, penalty, 1000, lr=lr)
    assert len(kernel_run.history) == 1000
    for name in RECORDS + ("test_accuracy",):
        got, expected = (getattr(t.history, name) for t in (kernel_run, numpy_run))
        assert relative(got, expected) < tolerance(got, CURVES), name
    assert relative(kernel_run.network.params, numpy_run.network.params) < CURVES


def test_where_numpy_differs_from_itself_by_a_one_ulp_start_the_kernel_differs_no_more():
    """L1 with one row a batch at η = 0.1 is chaotic: a 1-ulp change to one starting weight
    moves numpy's own curve by about 10⁻⁴ in 1,000 epochs, so no two roundings agree there."""
    numpy_run, kernel_run = pair([3, 5, 4, 2], "tanh", "mse", "xavier", 1, "l1", 1000)
    net = Network([3, 5, 4, 2], "tanh", seed=2, init="xavier", regularization="l1",
                  regularization_rate=0.01)  # fmt: skip
    net.params[0] = np.nextafter(net.params[0], np.inf)
    nudged = Trainer(net, numpy_run.X, numpy_run.T, 0.1, 1, seed=5, compiled=False)
    nudged.step(1000)
    spread = relative(nudged.history.cost, numpy_run.history.cost)
    assert spread > CURVES
    assert relative(kernel_run.history.cost, numpy_run.history.cost) < 10 * spread


def test_mini_batches_take_the_same_shuffles_from_the_same_generator():
    numpy_run, kernel_run = pair([2, 4, 1], "sigmoid", "mse", "uniform", 4, "none", 25, rows=17)
    states = [t._rng.bit_generator.state for t in (numpy_run, kernel_run)]
    assert states[0] == states[1]
    reference = Network([2, 4, 1], seed=2)
    records = reference_run(reference, numpy_run.X, numpy_run.T, 0.1, 25, 4, 5)
    assert records["rng_state"] == states[1]
    assert relative(kernel_run.network.params, reference.params) < CURVES


def test_the_half_adder_at_the_dashboards_settings_equals_the_reference_loop(half_adder):
    X, T = half_adder
    trainer = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5, track_outputs=True)
    trainer.step(20_000)
    assert trainer.compiled_blocks is not None
    reference = Network([2, 2, 2, 2], seed=0)
    records = reference_run(reference, X, T, 0.5, 20_000)
    assert relative(trainer.network.params, reference.params) < CURVES
    assert relative(trainer.history.cost, records["cost"]) < CURVES
    assert relative(trainer.history.delta_magnitude, records["delta"]) < 1e-6  # float32


@pytest.mark.parametrize("block", [1, 2, 3, 256])
@pytest.mark.parametrize("activation, rate, batch_size", DIVERGING)
def test_a_divergence_stops_at_the_epoch_and_parameters_of_the_reference_loop(
    monkeypatch, block, activation, rate, batch_size
):
    monkeypatch.setattr(training, "BLOCK", block)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(12, 3)), rng.integers(0, 2, size=(12, 2)).astype(float)
    trainer = Trainer(Network([3, 4, 2], activation, seed=1), X, T, rate, batch_size)
    trainer.step(60)
    assert trainer.compiled_blocks is not None
    reference = Network([3, 4, 2], activation, seed=1)
    records = reference_run(reference, X, T, rate, 60, batch_size)
    assert trainer.history.diverged_at == records["diverged_at"] is not None
    assert np.isfinite(trainer.network.params).all()
    assert relative(trainer.network.params, reference.params) < CURVES
    assert relative(trainer.history.cost, records["cost"]) < CURVES


def test_a_mini_batch_blow_up_keeps_the_last_finite_parameters_and_trains_no_more():
    assert assert_a_blow_up_keeps_the_last_finite_parameters().compiled_blocks is not None


@pytest.mark.parametrize("ticks", [1, 2, 3, 5])
@pytest.mark.parametrize("batch_size", [1, 3, None])
def test_deadlines_anywhere_change_nothing_to_the_bit(monkeypatch, ticks, batch_size):
    assert assert_deadlines_change_nothing(monkeypatch, ticks, batch_size).compiled_blocks


def test_an_epoch_cut_short_by_numpy_is_finished_by_the_compiled_loops(monkeypatch):
    """The loops come ready in the middle of a run (the warm-up ends): it goes on as one."""
    X, T = datasets.half_adder()
    runs = []
    for switch in (False, True):
        trainer = Trainer(Network([2, 3, 2], seed=0), X, T, 0.5, batch_size=1, seed=3)
        trainer.compiled = not switch
        with monkeypatch.context() as patch:
            patch.setattr(training.time, "perf_counter", FakeClock())
            trainer.step(5, max_seconds=2)
        assert trainer.partial is not None
        trainer.compiled = True
        trainer.step(20)
        runs.append(trainer)
    assert runs[1].compiled_blocks is not None
    assert relative(runs[1].network.params, runs[0].network.params) < CURVES
    assert relative(runs[1].history.cost, runs[0].history.cost) < CURVES


def test_the_loops_release_the_interpreter_and_cache_their_code_in_an_ignored_folder():
    for loop in (kernel.full_batch, kernel.record, kernel.slices):
        assert loop.targetoptions["nogil"] and loop._cache.__class__.__name__ != "NullCache"
    folder = Path(os.environ["NUMBA_CACHE_DIR"])
    assert folder == ROOT / ".numba" and any(folder.iterdir())
    ignored = subprocess.run(
        ["git", "check-ignore", "-q", str(folder / "x")], cwd=ROOT, check=False
    )
    assert ignored.returncode == 0


def _train_in_a_fresh_process(code: str, **env: str) -> subprocess.CompletedProcess:
    script = (
        "import logging, numpy as np\n"
        "logging.basicConfig(level=logging.WARNING)\n"
        f"{code}\n"
        "from backprop_core import Network, Trainer, compiled, datasets\n"
        "compiled.warm_up()\n"
        "X, T = datasets.half_adder()\n"
        "t = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5)\n"
        "t.step(100)\n"
        "print('compiled' if t.compiled_blocks else 'numpy', repr(compiled.why_not))\n"
    )
    return subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={**os.environ, **env},
    )  # fmt: skip


def test_without_numba_training_falls_back_to_numpy_with_one_warning():
    done = _train_in_a_fresh_process("import sys; sys.modules['numba'] = None")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("numpy 'the compiled loops are unavailable (ModuleNotFoundError")
    assert done.stderr.count("WARNING") == 1 and "Traceback" not in done.stderr


def test_a_failing_compilation_falls_back_to_numpy():
    broken = (
        "import numba\n"
        "def refuse(*args, **kwargs):\n"
        "    raise numba.core.errors.TypingError('cannot compile here')\n"
        "import backprop_core.kernel as k\n"
        "k.full_batch = refuse\n"
    )
    done = _train_in_a_fresh_process(broken)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("numpy 'the compiled loops are unavailable (TypingError")
    assert done.stderr.count("WARNING") == 1


def test_the_environment_can_turn_the_loops_off():
    done = _train_in_a_fresh_process("", BACKPROP_KERNEL="numpy")
    assert done.stdout.strip() == "numpy 'BACKPROP_KERNEL=numpy turns the compiled loops off'"
    assert "WARNING" not in done.stderr


def test_an_update_too_big_for_the_loops_stays_on_numpy():
    X = np.random.default_rng(0).normal(size=(600, 2))
    T = (X[:, :1] > 0).astype(float)
    big = Trainer(Network([2, 64, 64, 1], "tanh", seed=0), X, T, 0.1)
    assert big.update_size() == 600 * (2 * 64 + 64 * 64 + 64) > training.COMPILED_MOST
    big.step(2)
    assert big.compiled_blocks is None
    small = Trainer(Network([2, 64, 64, 1], "tanh", seed=0), X, T, 0.1, batch_size=2)
    small.step(1)
    assert small.update_size() <= training.COMPILED_MOST and small.compiled_blocks is not None


def test_data_in_any_memory_layout_trains_on_the_loops_compiled_at_the_warm_up():
    """A new layout would have numba compile for half a minute in the middle of a lesson."""
    X, T = datasets.half_adder()
    loops = (kernel.full_batch, kernel.record, kernel.slices)
    counts = [len(loop.signatures) for loop in loops]
    for batch in (None, 2):
        trainer = Trainer(
            Network([2, 3, 2], seed=0), np.asfortranarray(X), T[:, ::-1], 0.5, batch,
            X_test=np.asfortranarray(X)[::-1], T_test=T[::-1],
        )  # fmt: skip
        trainer.step(5)
        assert trainer.compiled_blocks is not None and len(trainer.history) == 5
    assert [len(loop.signatures) for loop in loops] == counts

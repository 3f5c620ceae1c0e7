import re
import warnings

import numpy as np
import pytest

from backprop_core import Network, Trainer, datasets, training
from backprop_core.history import History
from backprop_core.thinning import envelope

from .reference_training import reference_run


@pytest.fixture(autouse=True)
def numpy_loops(monkeypatch):
    """Numpy's trainer, which equals the reference loop to the bit (``test_kernel.py`` holds
    the compiled loops to it)."""
    monkeypatch.setattr(training, "loops", lambda: None)


def test_half_adder_at_the_reference_settings_reaches_cost_below_1e_3(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=0)
    trainer = Trainer(net, X, T, learning_rate=0.5)
    trainer.step(20_000)
    assert 0.2 < trainer.history.cost[0] < 0.3
    assert net.cost(X, T) < 1e-3
    assert np.all(np.round(net.predict(X)) == T)


def test_same_seed_gives_the_same_training_to_the_bit(half_adder):
    runs = []
    for _ in range(2):
        net = Network([2, 3, 2], "tanh", seed=42)
        trainer = Trainer(net, *half_adder, learning_rate=0.3)
        trainer.step(500)
        runs.append(
            (net.params.copy(), trainer.history.cost.copy(), trainer.history.delta_magnitude.copy())
        )
    for first, second in zip(*runs):
        assert first.tobytes() == second.tobytes()


def test_history_cost_i_is_the_cost_of_the_parameters_after_i_updates(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=5)
    trainer = Trainer(net, X, T)
    costs = []
    for _ in range(5):
        costs.append(net.cost(X, T))
        trainer.step(1)
    np.testing.assert_array_equal(trainer.history.cost, costs)


def test_one_step_is_w_minus_eta_times_the_gradient(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], seed=1)
    g = net.gradients(X, T)
    expected = net.params - 0.7 * g.vector
    Trainer(net, X, T, learning_rate=0.7).step(1)
    np.testing.assert_array_equal(net.params, expected)


def test_history_records_mean_absolute_delta_and_gradient_norm_per_layer(half_adder):
    X, T = half_adder
    net = Network([2, 3, 2], seed=1)
    g = net.gradients(X, T)
    trainer = Trainer(net, X, T)
    trainer.step(1)
    expected_delta = [np.abs(d).mean() for d in g.deltas]
    expected_norm = [np.sqrt(np.sum(gw**2) + np.sum(gb**2)) for gw, gb in zip(g.weights, g.biases)]
    np.testing.assert_allclose(trainer.history.delta_magnitude[0], expected_delta, rtol=1e-6)
    np.testing.assert_allclose(trainer.history.gradient_norm[0], expected_norm, rtol=1e-6)


def test_steps_continue_and_the_learning_rate_can_change_between_them(half_adder):
    X, T = half_adder
    a, b = Network([2, 2, 2], seed=3), Network([2, 2, 2], seed=3)
    ta, tb = Trainer(a, X, T, 0.5), Trainer(b, X, T, 0.5)
    ta.step(10)
    ta.learning_rate = 2.0
    ta.step(10)
    tb.step(10)
    assert ta.epoch == 20
    np.testing.assert_array_equal(ta.history.cost[:10], tb.history.cost)
    tb.learning_rate = 2.0
    tb.step(10)
    np.testing.assert_array_equal(a.params, b.params)


@pytest.mark.parametrize(
    "lr", [0, -0.5, 1e-7, 1000.5, float("nan"), float("inf"), "fast", None, True]
)
def test_bad_learning_rates_raise_a_value_error_naming_them(half_adder, lr):
    expected = f"learning rate must be a number from 1e-06 to 1000, got {lr!r}"
    with pytest.raises(ValueError, match=re.escape(expected)):
        Trainer(Network([2, 2, 2]), *half_adder, learning_rate=lr)


def test_trainer_rejects_data_that_does_not_fit_the_network(half_adder):
    X, T = half_adder
    with pytest.raises(ValueError, match=r"T must have shape \(n_samples, 3\)"):
        Trainer(Network([2, 3]), X, T)


@pytest.mark.parametrize("epochs", [-1, 2.5, "10"])
def test_bad_epoch_counts_raise_a_value_error(half_adder, epochs):
    trainer = Trainer(Network([2, 2, 2]), *half_adder)
    with pytest.raises(ValueError, match="epochs"):
        trainer.step(epochs)


def test_divergence_stops_cleanly_with_the_last_finite_parameters(half_adder):
    X, T = half_adder
    net = Network([2, 2, 2, 2], activation="identity", seed=0)
    trainer = Trainer(net, X, T, learning_rate=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        done = trainer.step(1000)
        cost_now = net.cost(X, T)
    hist = trainer.history
    assert hist.diverged and hist.diverged_at == done == len(hist.cost)
    assert np.all(np.isfinite(net.params)) and np.isfinite(hist.cost).all()
    assert cost_now == hist.cost[-1]
    assert trainer.step(10) == 0 and len(hist.cost) == done


def test_relu_blowing_up_is_caught_as_divergence(half_adder):
    X, T = half_adder
    net = Network([2, 8, 8, 2], activation="relu", seed=0, init="he")
    trainer = Trainer(net, X, T, learning_rate=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trainer.step(1000)
    assert trainer.history.diverged or np.isfinite(trainer.history.cost).all()
    assert np.all(np.isfinite(net.params))


def test_step_stops_at_max_seconds_without_reserving_the_whole_request(half_adder):
    trainer = Trainer(Network([2, 2, 2]), *half_adder)
    assert 0 < trainer.step(100_000_000, max_seconds=0.05) < 100_000_000
    assert trainer.history._rows["cost"].nbytes < 10e6


def test_history_grows_past_its_first_allocation(half_adder):
    trainer = Trainer(Network([2, 2, 2], seed=0), *half_adder)
    trainer.step(70_000)
    assert len(trainer.history.cost) == 70_000 and np.isfinite(trainer.history.cost).all()


def test_a_million_epoch_history_stays_a_few_tens_of_megabytes():
    history = History(num_layers=3)
    history.reserve(1_000_000)
    rows = history._rows
    assert (
        rows["cost"].nbytes + rows["delta_magnitude"].nbytes + rows["gradient_norm"].nbytes < 40e6
    )
    assert sum(r.nbytes for r in rows.values()) < 50e6  # with the test cost and accuracies


def _capped_twin(half_adder, exact_epochs: int) -> tuple[Trainer, Trainer]:
    """Two trainers alike but for the history's row cap (the first keeps every row)."""
    twins = []
    for cap in (None, exact_epochs):
        trainer = Trainer(Network([2, 3, 2], seed=4), *half_adder, 0.5, track_outputs=True)
        if cap:
            trainer.history = History(2, 2, exact_epochs=cap)
        twins.append(trainer)
    return twins[0], twins[1]


def test_past_its_row_cap_the_history_keeps_counting_and_its_curves_cover_every_epoch(
    half_adder,
):
    full, capped = _capped_twin(half_adder, exact_epochs=700)
    for epochs in (300, 500, 1, 4000, 257):
        full.step(epochs)
        capped.step(epochs)
        assert len(capped.history) == len(full.history) == capped.epoch
        got, want = capped.history.curves(), full.history.curves()
        for name in ("cost", "delta_magnitude", "gradient_norm", "output_cost", "test_cost"):
            np.testing.assert_array_equal(
                got[name].values, envelope(getattr(full.history, name))[0]
            )
            np.testing.assert_array_equal(got[name].values, want[name].values)
    assert len(capped.history.cost) == 700 and len(capped.history._rows["cost"]) == 700
    np.testing.assert_array_equal(capped.history.cost, full.history.cost[:700])


def test_rewinding_within_the_rows_rebuilds_the_curves_exactly_and_past_them_leaves_a_gap(
    half_adder,
):
    full, capped = _capped_twin(half_adder, exact_epochs=3000)
    for trainer in (full, capped):
        trainer.step(6000)
    capped.history.truncate(2500)
    np.testing.assert_array_equal(
        capped.history.curves()["cost"].values, envelope(full.history.cost[:2500])[0]
    )
    full.history.truncate(2500)
    for trainer in (full, capped):
        trainer.step(6000)
    step = int(2 * capped.history.curves()["cost"].step)
    cut = 8000 + step // 2  # halfway into a bucket
    capped.history.truncate(cut)
    curve = capped.history.curves()["cost"]
    whole = cut // step * 2
    np.testing.assert_array_equal(
        curve.values[:whole], envelope(full.history.cost[:cut])[0][:whole]
    )
    assert curve.epochs == cut and np.isnan(curve.values[whole:]).all()


@pytest.mark.parametrize("cost", ["mse", "cross_entropy"])
def test_tracked_output_costs_sum_to_the_cost(half_adder, cost):
    X, T = half_adder
    trainer = Trainer(Network([2, 3, 2], cost=cost, seed=2), X, T, track_outputs=True)
    trainer.step(50)
    history = trainer.history
    assert history.output_cost.shape == (50, 2)
    np.testing.assert_allclose(history.output_cost.sum(axis=1), history.cost, rtol=1e-6)


def test_output_costs_are_not_kept_unless_asked(half_adder):
    trainer = Trainer(Network([2, 3, 2], seed=2), *half_adder)
    trainer.step(5)
    assert trainer.history.output_cost.shape == (5, 0)


def test_a_divergence_in_the_first_epoch_of_a_call_still_rolls_back_to_the_last_finite_one():
    X, T = datasets.half_adder()
    at_once = Trainer(Network([2, 2, 2, 2], "identity", seed=0), X, T, 50.0)
    at_once.step(100)
    one_by_one = Trainer(Network([2, 2, 2, 2], "identity", seed=0), X, T, 50.0)
    while one_by_one.step(1):
        pass
    assert one_by_one.history.diverged_at == at_once.history.diverged_at == 3
    np.testing.assert_array_equal(one_by_one.network.params, at_once.network.params)
    net = one_by_one.network
    assert net.cost_of(net.forward(X), T) == one_by_one.history.cost[-1]


def _reference_full_batch(net: Network, X, T, lr: float, epochs: int) -> list[float]:
    """Textbook full-batch gradient descent, kept here as the yardstick."""
    costs = []
    for _ in range(epochs):
        costs.append(net.cost(X, T))
        net.params -= lr * net.gradients(X, T).vector
    return costs


@pytest.mark.parametrize("batch_size", [None, 4])  # 4 rows: a batch of n is full batch
def test_full_batch_follows_the_textbook_loop_to_the_bit(batch_size):
    X, T = datasets.half_adder()
    trainer = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5, batch_size=batch_size)
    trainer.step(2000)
    reference = Network([2, 2, 2, 2], seed=0)
    costs = _reference_full_batch(reference, X, T, 0.5, 2000)
    assert trainer.network.params.tobytes() == reference.params.tobytes()
    assert trainer.history.cost.tobytes() == np.array(costs).tobytes()


def test_a_mini_batch_epoch_applies_the_full_batch_formula_to_each_shuffled_slice():
    data = datasets.playground("spiral", seed=1)
    X, T = data.X[:23], data.T[:23]
    trainer = Trainer(Network([2, 5, 1], "tanh", seed=2), X, T, 0.1, batch_size=5, seed=9)
    trainer.step(3)
    reference, rng = Network([2, 5, 1], "tanh", seed=2), np.random.default_rng(9)
    for _ in range(3):
        order = rng.permutation(23)
        for start in range(0, 23, 5):  # slices of 5, 5, 5, 5 and a last one of 3
            rows = order[start : start + 5]
            reference.params -= 0.1 * reference.gradients(X[rows], T[rows]).vector
    assert trainer.network.params.tobytes() == reference.params.tobytes()


def test_mini_batch_runs_are_reproducible_and_split_calls_change_nothing():
    data = datasets.playground("circle", seed=0)
    runs = []
    for calls in ([4], [1, 3]):
        trainer = Trainer(Network([2, 4, 1], seed=1), data.X, data.T, 0.3, batch_size=10, seed=4)
        for epochs in calls:
            trainer.step(epochs)
        runs.append(trainer.network.params.copy())
    assert runs[0].tobytes() == runs[1].tobytes()


def test_the_history_records_the_test_cost_and_both_accuracies_per_epoch():
    train, test = datasets.split(datasets.playground("gauss", seed=0), 0.5, seed=0)
    trainer = Trainer(Network([2, 3, 1], seed=0), train.X, train.T, 0.5, 10, 0, test.X, test.T)
    trainer.step(30)
    h = trainer.history
    assert len(h.test_cost) == len(h.accuracy) == len(h.test_accuracy) == 30
    net = Network([2, 3, 1], seed=0)
    assert h.test_cost[0] == net.cost(test.X, test.T)
    assert h.accuracy[0] == pytest.approx(np.mean(np.round(net.predict(train.X)) == train.T))
    assert h.test_accuracy[-1] > 0.9


def test_accuracy_is_recorded_when_asked_or_with_a_test_set_and_binary_targets_only():
    X, T = datasets.half_adder()
    plain = Trainer(Network([2, 2, 2], seed=0), X, T, 0.5)
    plain.step(5)
    assert np.all(np.isnan(plain.history.test_cost)) and np.all(np.isnan(plain.history.accuracy))
    tracked = Trainer(Network([2, 2, 2], seed=0), X, T, 0.5, track_accuracy=True)
    tracked.step(5)
    assert not np.any(np.isnan(tracked.history.accuracy))
    plane = datasets.playground("plane", seed=0)
    regression = Trainer(Network([2, 3, 1], "tanh", seed=0), plane.X, plane.T, 0.01, 50)
    regression.step(2)
    assert np.all(np.isnan(regression.history.accuracy))


@pytest.mark.parametrize("batch_size", [0, 5, -1, 2.5, "4", True])
def test_batch_sizes_outside_1_to_n_raise_naming_the_range(batch_size):
    X, T = datasets.half_adder()
    with pytest.raises(ValueError, match="batch size must be"):
        Trainer(Network([2, 2], seed=0), X, T, 0.5, batch_size=batch_size)


def assert_trained_like_the_reference(trainer: Trainer, reference: Network, records: dict) -> None:
    """Parameters and every history record equal the reference loop's, to the bit."""
    history = trainer.history
    assert trainer.network.params.tobytes() == reference.params.tobytes()
    assert history.diverged_at == records["diverged_at"]
    pairs = [
        (history.cost, records["cost"]),
        (history.delta_magnitude, records["delta"]),
        (history.gradient_norm, records["grad"]),
    ]
    if trainer.track_outputs:
        pairs.append((history.output_cost, records["outputs"].reshape(history.output_cost.shape)))
    if trainer.track_accuracy:
        pairs.append((history.accuracy, records["acc"]))
    if trainer.X_test is not None:
        pairs.append((history.test_cost, records["test"]))
        if trainer.track_accuracy:
            pairs.append((history.test_accuracy, records["test_acc"]))
    for got, expected in pairs:
        assert got.dtype == expected.dtype and got.tobytes() == expected.tobytes()
    if trainer.batch_size is not None:
        assert trainer._rng.bit_generator.state == records["rng_state"]


def test_the_half_adder_over_20000_epochs_matches_the_reference_loop_to_the_bit(half_adder):
    X, T = half_adder
    trainer = Trainer(Network([2, 2, 2, 2], seed=0), X, T, 0.5, track_outputs=True)
    trainer.step(20_000)
    reference = Network([2, 2, 2, 2], seed=0)
    records = reference_run(reference, X, T, 0.5, 20_000)
    assert_trained_like_the_reference(trainer, reference, records)


PAIRS = [
    ("sigmoid", "mse"),
    ("tanh", "mse"),
    ("relu", "mse"),
    ("leaky_relu", "mse"),
    ("identity", "mse"),
    ("sigmoid", "cross_entropy"),
]


@pytest.mark.parametrize("activation, cost", PAIRS)
def test_random_architectures_train_to_the_bit_like_the_reference_loop(activation, cost):
    """Full batch and mini-batches, test sets, L1 and L2, and steps split across calls."""
    rng = np.random.default_rng(sum(map(ord, activation + cost)))
    output = "sigmoid" if cost == "cross_entropy" else None
    for batch_size, regularization, calls in [
        (None, "none", [300]),
        (1, "l1", [100, 1, 199]),
        ("third", "l2", [150, 150]),
    ]:
        sizes = [3, *rng.integers(1, 9, size=rng.integers(1, 4)).tolist(), 2]
        n = int(rng.integers(2, 40))
        X, T = rng.normal(size=(n, 3)), rng.integers(0, 2, size=(n, 2)).astype(float)
        batch = max(1, n // 3) if batch_size == "third" else batch_size
        options = dict(
            output_activation=output, regularization=regularization, regularization_rate=0.01
        )
        net, reference = (Network(sizes, activation, cost, seed=3, **options) for _ in range(2))
        trainer = Trainer(
            net, X, T, 0.3, batch, seed=5, X_test=X[:5], T_test=T[:5], track_outputs=True
        )
        for epochs in calls:
            trainer.step(epochs)
        records = reference_run(reference, X, T, 0.3, 300, batch, 5, X[:5], T[:5])
        assert_trained_like_the_reference(trainer, reference, records)


DIVERGING = [  # (activation, learning rate, batch size): found to diverge at epochs 3 to 12
    ("identity", 1.0, 5),
    ("identity", 1.5, None),
    ("identity", 3.0, None),
    ("leaky_relu", 1.0, 1),
    ("leaky_relu", 3.0, 1),
]


@pytest.mark.parametrize("block", [1, 2, 3, 256])
@pytest.mark.parametrize("activation, rate, batch_size", DIVERGING)
def test_a_divergence_anywhere_in_a_block_rolls_back_like_the_reference_loop(
    monkeypatch, block, activation, rate, batch_size
):
    """Blocks of 1–3 epochs put the diverging epoch first, second or last in its block."""
    monkeypatch.setattr(training, "BLOCK", block)
    rng = np.random.default_rng(0)
    X, T = rng.normal(size=(12, 3)), rng.integers(0, 2, size=(12, 2)).astype(float)
    trainer = Trainer(Network([3, 4, 2], activation, seed=1), X, T, rate, batch_size)
    trainer.step(60)
    reference = Network([3, 4, 2], activation, seed=1)
    records = reference_run(reference, X, T, rate, 60, batch_size)
    assert records["diverged_at"] is not None
    assert_trained_like_the_reference(trainer, reference, records)


def assert_a_blow_up_keeps_the_last_finite_parameters() -> Trainer:
    """The link ?batch=2&lr=1000&activation=identity: NaN arrives in the middle of an epoch."""
    X, T = datasets.half_adder()
    trainer = Trainer(Network([2, 2, 2, 2], "identity", seed=0), X, T, 1000, batch_size=2)
    starts = []
    while not trainer.history.diverged:
        starts.append(trainer.network.params.copy())
        trainer.step(1)
    at = trainer.history.diverged_at
    assert at == len(trainer.history) and at >= len(starts) - 1
    assert np.isfinite(trainer.network.params).all()
    np.testing.assert_array_equal(trainer.network.params, starts[at - 1])  # θ of epoch at − 1
    assert np.isfinite(trainer.history.cost).all()
    assert trainer.step(100) == 0  # and nothing raises from here on
    trainer.network.copy().sync()
    return trainer


def test_a_mini_batch_run_that_blows_up_stops_in_that_epoch_at_the_last_finite_parameters():
    assert_a_blow_up_keeps_the_last_finite_parameters()


class FakeClock:
    """perf_counter for the trainer: each call moves time on by one tick."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def assert_deadlines_change_nothing(monkeypatch, ticks: int, batch_size: int | None) -> Trainer:
    """A call cut after ``ticks`` clock readings stops inside an epoch of mini-batches; the
    next call finishes it. The run equals one uninterrupted call, to the bit."""
    rng = np.random.default_rng(4)
    X, T = rng.normal(size=(10, 3)), rng.integers(0, 2, size=(10, 2)).astype(float)

    def make() -> Trainer:
        net = Network([3, 4, 2], "tanh", seed=2)
        return Trainer(net, X, T, 0.3, batch_size, seed=9, X_test=X[:3], T_test=T[:3])

    whole = make()
    whole.step(40)
    monkeypatch.setattr(training.time, "perf_counter", FakeClock())
    cut = make()
    calls = 0
    while cut.epoch < 40:
        cut.step(40 - cut.epoch, max_seconds=ticks)
        calls += 1
    assert calls > 2 and cut.partial is None
    assert cut.network.params.tobytes() == whole.network.params.tobytes()
    for name in ("cost", "delta_magnitude", "gradient_norm", "test_cost"):
        assert getattr(cut.history, name).tobytes() == getattr(whole.history, name).tobytes()
    return cut


@pytest.mark.parametrize("ticks", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("batch_size", [1, 3, None])
def test_deadlines_anywhere_in_an_epoch_change_nothing_to_the_bit(monkeypatch, ticks, batch_size):
    assert_deadlines_change_nothing(monkeypatch, ticks, batch_size)


def test_an_epoch_cut_short_starts_afresh_when_the_parameters_change_from_outside(monkeypatch):
    X, T = datasets.half_adder()
    trainer = Trainer(Network([2, 3, 2], seed=0), X, T, 0.5, batch_size=1)
    monkeypatch.setattr(training.time, "perf_counter", FakeClock())
    trainer.step(5, max_seconds=2)
    assert trainer.partial is not None
    trainer.network.params[0] += 0.25  # a nudge
    monkeypatch.undo()
    epoch = trainer.epoch
    nudged = trainer.network.params.copy()
    trainer.step(1)
    assert trainer.partial is None and trainer.epoch == epoch + 1
    fresh = Network([2, 3, 2], seed=0)
    fresh.params[...] = nudged
    assert trainer.history.cost[-1] == fresh.cost(X, T)  # the epoch was recorded from the nudge

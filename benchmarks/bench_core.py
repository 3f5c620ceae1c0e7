"""Time per epoch of backprop_core's Trainer, on its compiled loops and on numpy's, against the
same epoch with no history (the numpy floor), a textbook per-sample loop and PyTorch (when it is
installed), side by side in one run; then the playground's home ground, mini-batches of 10 on
the spiral; then how both loops scale.

    python benchmarks/bench_core.py [--quick]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the target says
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

import numpy as np  # noqa: E402

from backprop_core import (  # noqa: E402
    ForwardPass,
    Gradients,
    Network,
    Trainer,
    compiled,
    datasets,
)


def per_sample_epoch(weights, biases, X, T, eta):
    """One epoch the textbook way: column vectors, one sample at a time, gradients summed."""
    nabla_w = [np.zeros_like(W) for W in weights]
    nabla_b = [np.zeros_like(b) for b in biases]
    cost, deltas = 0.0, [0.0] * len(weights)
    for x, t in zip(X, T):
        activation, activations, zs = x.reshape(-1, 1), [x.reshape(-1, 1)], []
        for W, b in zip(weights, biases):
            z = W.T @ activation + b.reshape(-1, 1)
            zs.append(z)
            activation = 1 / (1 + np.exp(-z))
            activations.append(activation)
        cost += 0.5 * float(np.sum((activation - t.reshape(-1, 1)) ** 2))
        delta = (activation - t.reshape(-1, 1)) * activation * (1 - activation)
        for l in range(len(weights) - 1, -1, -1):
            if l < len(weights) - 1:
                s = activations[l + 1]
                delta = (weights[l + 1] @ delta) * s * (1 - s)
            deltas[l] += float(np.abs(delta).mean())
            nabla_w[l] += activations[l] @ delta.T
            nabla_b[l] += delta.ravel()
    n = len(X)
    for W, b, nw, nb in zip(weights, biases, nabla_w, nabla_b):
        W -= eta * nw / n
        b -= eta * nb / n
    return cost / n, deltas


def time_per_sample(sizes, X, T, epochs):
    net = Network(sizes, seed=0)
    weights, biases = [W.copy() for W in net.weights], [b.copy() for b in net.biases]
    start = time.perf_counter()
    for _ in range(epochs):
        per_sample_epoch(weights, biases, X, T, 0.5)
    return (time.perf_counter() - start) / epochs


def time_trainer(sizes, X, T, epochs, track_outputs=False, on=True):
    trainer = Trainer(
        Network(sizes, seed=0), X, T, learning_rate=0.5, track_outputs=track_outputs, compiled=on
    )
    start = time.perf_counter()
    trainer.step(epochs)
    return (time.perf_counter() - start) / epochs


def time_dashboard(sizes, X, T, epochs, on=True):
    """The Trainer as the dashboard runs it: history plus each output's share of the cost, in
    the worker's turns of 20 ms."""
    net = Network(sizes, seed=0)
    trainer = Trainer(net, X, T, learning_rate=0.5, track_outputs=True, compiled=on)
    start, done = time.perf_counter(), 0
    while done < epochs:
        done += trainer.step(epochs - done, max_seconds=0.02)
    return (time.perf_counter() - start) / epochs


def time_dashboard_numpy(sizes, X, T, epochs):
    return time_dashboard(sizes, X, T, epochs, on=False)


def time_floor(sizes, X, T, epochs):
    """The same forward pass, backward pass and update in a bare loop over reused buffers,
    recording nothing: what an epoch costs before any history."""
    net = Network(sizes, seed=0)
    fwd, grads = ForwardPass.empty(sizes, len(X)), Gradients.empty(sizes, len(X))
    step, eta = np.empty_like(net.params), np.array(0.5)
    start = time.perf_counter()
    for _ in range(epochs):
        net.forward(X, out=fwd)
        net.backward(fwd, T, out=grads)
        np.multiply(grads.vector, eta, out=step)
        np.subtract(net.params, step, out=net.params)
    return (time.perf_counter() - start) / epochs


def time_torch(sizes, X, T, epochs):
    import torch

    torch.set_num_threads(1)
    net = Network(sizes, seed=0)
    params = []
    for W, b in zip(net.weights, net.biases):
        params += [torch.tensor(W, requires_grad=True), torch.tensor(b, requires_grad=True)]
    x, t = torch.tensor(X), torch.tensor(T)
    start = time.perf_counter()
    for _ in range(epochs):
        a = x
        for i in range(0, len(params), 2):
            a = torch.sigmoid(a @ params[i] + params[i + 1])
        cost = ((a - t) ** 2).sum() / (2 * len(X))
        for p in params:
            p.grad = None
        cost.backward()
        with torch.no_grad():
            for p in params:
                p -= 0.5 * p.grad
        cost.item()
    return (time.perf_counter() - start) / epochs


DASHBOARD = "trainer, dashboard setting"
NUMPY = "trainer on numpy, dashboard setting"
FLOOR = "numpy floor, no history"
SPEED_UPS = {"textbook per-sample loop": 25.0, "pytorch (cpu, float64, 1 thread)": 7.0}
SPIRAL = {(8, 8): (130, 4.0), (4, 2): (60, 8.0)}  # hidden layers: (µs/epoch, × numpy) targets


def side_by_side(rounds: int, epochs: int) -> None:
    X, T = datasets.half_adder()
    sizes = [2, 2, 2, 2]
    contenders = {
        DASHBOARD: time_dashboard,
        NUMPY: time_dashboard_numpy,
        "trainer, history only": time_trainer,
        "numpy floor, no history": time_floor,
        "textbook per-sample loop": time_per_sample,
    }
    try:
        import torch  # noqa: F401

        contenders["pytorch (cpu, float64, 1 thread)"] = time_torch
    except ImportError:
        print("(PyTorch is not installed: its column is skipped)")
    times = {name: [] for name in contenders}
    for _ in range(rounds):  # interleaved, so machine noise hits every contender alike
        for name, fn in contenders.items():
            slow = name.startswith(("textbook", "pytorch"))
            times[name].append(fn(sizes, X, T, max(epochs // 10, 200) if slow else epochs))
    median = {name: statistics.median(ts) for name, ts in times.items()}
    ours = median[DASHBOARD]
    print(f"\nReference network 2-2-2-2, half adder, float64, one core; median of {rounds} rounds")
    for name, t in median.items():
        print(f"  {name:34s} {t * 1e6:8.1f} µs/epoch   {t / ours:6.2f}× the dashboard setting")
    print("Targets")
    print(f"  {'dashboard setting':44s} {ours * 1e6:6.1f} µs/epoch  (≤ 3)")
    print(f"  {'on numpy ÷ compiled':44s} {median[NUMPY] / ours:6.2f}×")
    floor = median[NUMPY] / median[FLOOR]
    print(f"  {'on numpy ÷ numpy floor':44s} {floor:6.2f}×         (≤ 1.25)")
    for name, goal in SPEED_UPS.items():
        if name in median:
            print(f"  {name + ' ÷ ours':44s} {median[name] / ours:6.2f}×         (≥ {goal:g})")


def time_spiral(hidden, on, epochs):
    """The playground's home ground: spiral, 250 training rows, tanh, batch 10, η = 0.03, in
    the worker's turns of 20 ms."""
    train, _ = datasets.split(datasets.playground("spiral", 0.0, 0), 0.5, 0)
    net = Network([2, *hidden, 1], "tanh", seed=0, init="xavier")
    trainer = Trainer(net, train.X, train.T, 0.03, batch_size=10, seed=0, compiled=on)
    start, done = time.perf_counter(), 0
    while done < epochs:
        done += trainer.step(epochs - done, max_seconds=0.02)
    return (time.perf_counter() - start) / epochs


def spiral(rounds: int, epochs: int) -> None:
    times = {(hidden, on): [] for hidden in SPIRAL for on in (False, True)}
    for _ in range(rounds):
        for hidden, on in times:
            times[hidden, on].append(time_spiral(hidden, on, epochs))
    print(f"\nSpiral, 250 rows, tanh, batch 10, η = 0.03; median of {rounds} rounds")
    for hidden, (goal, ratio) in SPIRAL.items():
        numpy_t, ours = (statistics.median(times[hidden, on]) for on in (False, True))
        name = "-".join(map(str, (2, *hidden, 1)))
        print(
            f"  {name:8s} numpy {numpy_t * 1e6:7.1f} µs/epoch, compiled {ours * 1e6:6.1f} µs "
            f"(≤ {goal}), {numpy_t / ours:5.1f}× (≥ {ratio:g})"
        )


def scaling(epochs: int) -> None:
    rng = np.random.default_rng(0)
    print("\nTrainer µs per epoch as the problem grows, numpy | compiled (sigmoid, 2 in, 2 out)")

    def both(sizes, X, T):
        numpy_t, ours = (time_trainer(sizes, X, T, epochs, on=on) * 1e6 for on in (False, True))
        return f"{numpy_t:9.1f} | {ours:9.1f}   {numpy_t / ours:5.2f}×"

    print("  width of 2 hidden layers (4 samples):")
    X, T = datasets.half_adder()
    for w in (2, 4, 8, 16, 32, 64, 128, 256):
        print(f"    {w:5d}  {both([2, w, w, 2], X, T)}")
    print("  depth, hidden layers of width 8 (4 samples):")
    for d in (1, 2, 4, 6, 8):
        print(f"    {d:5d}  {both([2] + [8] * d + [2], X, T)}")
    print("  samples, hidden [8, 8]:")
    for n in (4, 16, 64, 256, 1024, 4096):
        Xn, Tn = rng.uniform(0, 1, (n, 2)), rng.uniform(0, 1, (n, 2))
        print(f"    {n:5d}  {both([2, 8, 8, 2], Xn, Tn)}")
    print("  8 hidden layers of 64, 600 samples (the largest network on the largest set):")
    Xn, Tn = rng.uniform(0, 1, (600, 2)), rng.uniform(0, 1, (600, 2))
    print(f"           {both([2] + [64] * 8 + [2], Xn, Tn)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer epochs, for a smoke run")
    quick = parser.parse_args().quick
    print(
        f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, numpy {np.__version__}"
    )
    compiled.warm_up()
    if compiled.loops() is None:
        sys.exit(f"No compiled loops to measure: {compiled.why_not}")
    side_by_side(rounds=3 if quick else 7, epochs=2000 if quick else 20_000)
    spiral(rounds=3 if quick else 5, epochs=100 if quick else 1000)
    scaling(epochs=50 if quick else 500)


if __name__ == "__main__":
    main()

"""Mini-batch training on the playground's spiral, beside PyTorch running the same loop (when it
is installed), interleaved in one run: epochs per second and the ratio.

    python benchmarks/bench_minibatch.py [--rounds 5] [--seconds 2]

The case: spiral, 500 points, training share 0.5, features x1 and x2, hidden layers 8, 8 tanh,
a sigmoid output with cross-entropy, batch 10, learning rate 0.03, float64, one thread. Each
epoch both sides record the full training set's cost and the test set's cost, as the Trainer's
history does, then take 25 shuffled mini-batch steps.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one core, as the target says
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from backprop_core import Network, Trainer, datasets, features  # noqa: E402

SIZES, BATCH, LR = [2, 8, 8, 1], 10, 0.03


def data():
    train, test = datasets.split(datasets.playground("spiral", seed=0), 0.5, seed=0)
    names = ["x1", "x2"]
    return features.transform(train.X, names), train.T, features.transform(test.X, names), test.T


def ours(seconds: float) -> float:
    X, T, X_test, T_test = data()
    net = Network(SIZES, "tanh", "cross_entropy", seed=0, output_activation="sigmoid")
    trainer = Trainer(net, X, T, LR, batch_size=BATCH, seed=0, X_test=X_test, T_test=T_test)
    trainer.step(3)  # warm-up
    start = time.perf_counter()
    done = trainer.step(10**8, max_seconds=seconds)
    return done / (time.perf_counter() - start)


def pytorch(seconds: float) -> float:
    import torch

    torch.set_num_threads(1)
    X, T, X_test, T_test = (torch.tensor(a, dtype=torch.float64) for a in data())
    torch.manual_seed(0)
    layers = [torch.nn.Linear(m, n, dtype=torch.float64) for m, n in zip(SIZES, SIZES[1:])]
    params = [p for layer in layers for p in layer.parameters()]
    loss = torch.nn.BCEWithLogitsLoss()

    def logits(x):
        for layer in layers[:-1]:
            x = torch.tanh(layer(x))
        return layers[-1](x)

    def epoch():
        with torch.no_grad():
            float(loss(logits(X), T)), float(loss(logits(X_test), T_test))  # the records
        order = torch.randperm(len(X))
        for start in range(0, len(X), BATCH):
            rows = order[start : start + BATCH]
            for p in params:
                p.grad = None
            loss(logits(X[rows]), T[rows]).backward()
            with torch.no_grad():
                for p in params:
                    p -= LR * p.grad

    for _ in range(3):
        epoch()
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        epoch()
        done += 1
    return done / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=2.0)
    args = parser.parse_args()
    try:
        import torch  # noqa: F401

        contenders = {"backprop_core": ours, "PyTorch": pytorch}
    except ImportError:
        print("PyTorch is not installed: timing backprop_core alone")
        contenders = {"backprop_core": ours}
    results: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):  # interleaved, so both see the same machine
        for name, run in contenders.items():
            results[name].append(run(args.seconds))
    for name, values in results.items():
        spread = ", ".join(f"{v:,.0f}" for v in values)
        print(f"{name}: median {statistics.median(values):,.0f} epochs/s ({spread})")
    if "PyTorch" in results:
        ratio = statistics.median(results["backprop_core"]) / statistics.median(results["PyTorch"])
        print(f"backprop_core / PyTorch: {ratio:.2f}× (target ≥ 3)")
    print("target: ≥ 1,500 epochs/s headless")


if __name__ == "__main__":
    main()

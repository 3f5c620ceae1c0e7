"""Initialisation lottery speed: the stacked ensemble against looping the single-network trainer,
on numpy's loop and on the compiled one (which the lottery could use instead).

python benchmarks/bench_ensemble.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))

from backprop_core import Network, Trainer, compiled, datasets  # noqa: E402
from backprop_core.ensemble import Ensemble  # noqa: E402

SIZES = [2, 2, 2, 2]


def per_network_epoch_ensemble(k: int, epochs: int) -> float:
    ensemble = Ensemble(SIZES, list(range(k)))
    X, T = datasets.half_adder()
    start = time.perf_counter()
    ensemble.train(X, T, 0.5, epochs)
    return (time.perf_counter() - start) / (k * epochs)


def per_network_epoch_loop(k: int, epochs: int, on: bool) -> float:
    X, T = datasets.half_adder()
    start = time.perf_counter()
    for seed in range(k):
        Trainer(Network(SIZES, seed=seed), X, T, 0.5, compiled=on).step(epochs)
    return (time.perf_counter() - start) / (k * epochs)


def main() -> None:
    compiled.warm_up()
    print("2-2-2-2 sigmoid network on the half adder, float64, one core; median of 5 rounds")
    loops, kernels, stacked = [], [], []
    for _ in range(5):  # interleaved rounds
        loops.append(per_network_epoch_loop(20, 2000, on=False))
        kernels.append(per_network_epoch_loop(100, 2000, on=True))
        stacked.append(per_network_epoch_ensemble(1000, 1000))
    loop, kernel = statistics.median(loops), statistics.median(kernels)
    ensemble = statistics.median(stacked)
    print(f"  single-network Trainer on numpy, looped   {loop * 1e6:6.2f} µs per network-epoch")
    print(f"  single-network Trainer compiled, looped   {kernel * 1e6:6.2f} µs per network-epoch")
    print(
        f"  Ensemble, K = 1000                        {ensemble * 1e6:6.2f} µs per network-epoch"
        f"  (target ≤ 0.75 µs), {loop / ensemble:.0f}× numpy's loop, "
        f"{kernel / ensemble:.1f}× the compiled loop"
    )
    start = time.perf_counter()
    Ensemble(SIZES, list(range(200))).train(*datasets.half_adder(), 0.5, 20_000)
    print(
        f"  200 networks × 20,000 epochs        {time.perf_counter() - start:6.2f} s"
        "  (target about 10 s)"
    )


if __name__ == "__main__":
    main()

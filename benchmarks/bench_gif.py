"""The run's GIF: frames, bytes and seconds to draw it, for three runs of growing weight.

    python benchmarks/bench_gif.py [--rounds 3]

Each run trains headless first; then its GIF is drawn from all its rewind snapshots, as the
*Make a GIF of the run* button does, and the median seconds over the rounds are printed.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard import animation  # noqa: E402
from dashboard.state.run import Run  # noqa: E402
from dashboard.state.settings import Settings  # noqa: E402

ALL_FEATURES = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
RUNS = {
    "half adder, 6,000 epochs": (Settings(), 6000),
    "circle 4-2 tanh, 3,000 epochs": (
        Settings(dataset="circle", hidden=(4, 2), activation="tanh", learning_rate=0.03),
        3000,
    ),
    "spiral 8-8-8 tanh, 7 features, 20,000 epochs": (
        Settings(
            dataset="spiral",
            hidden=(8, 8, 8),
            activation="tanh",
            learning_rate=0.03,
            features=ALL_FEATURES,
        ),
        20_000,
    ),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    rounds = parser.parse_args().rounds
    print(f"{'run':46} {'snapshots':>9} {'frames':>6} {'bytes':>10} {'seconds':>8}")
    for name, (settings, epochs) in RUNS.items():
        run = Run(settings)
        run.train(epochs, None)
        snapshot = run.snapshot()
        frames = run.snapshot_params(animation.frame_epochs(snapshot.snapshot_epochs))
        points = snapshot.points[0] if snapshot.points else None
        seconds = []
        for _ in range(rounds):
            started = time.perf_counter()
            movie = animation.run_gif(
                snapshot.network, frames, snapshot.data, snapshot.curves["cost"], name, points
            )
            seconds.append(time.perf_counter() - started)
        print(
            f"{name:46} {len(snapshot.snapshot_epochs):>9} {len(movie.epochs):>6} "
            f"{len(movie.data):>10,} {statistics.median(seconds):>8.2f}"
        )


if __name__ == "__main__":
    main()

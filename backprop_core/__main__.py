"""``python -m backprop_core``: the reference experiment.

Half adder, 2-2-2-2 sigmoid network, learning rate 0.5, 20,000 epochs, seed 0.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import datasets
from .activations import ACTIVATIONS
from .costs import COSTS
from .initialisation import INITIALISERS
from .network import Network
from .training import Trainer
from .validation import brief

REPORT_EVERY = 1000


def parse_hidden(text: str) -> list[int]:
    """'2,2' → [2, 2]; '' → [] (no hidden layer)."""
    parts = [p.strip() for p in text.split(",")] if text.strip() else []
    try:
        return [int(p) for p in parts]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"hidden layers must be comma-separated positive integers like 2,2, got {brief(text)}"
        ) from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m backprop_core",
        description="Train a feed-forward network by backpropagation and full-batch "
        "gradient descent. With no flags: the reference half-adder experiment.",
    )
    parser.add_argument("--dataset", default="half_adder", choices=datasets.names())
    parser.add_argument("--hidden", type=parse_hidden, default=[2, 2], help="e.g. 2,2")
    parser.add_argument("--lr", type=float, default=0.5, help="learning rate η (default 0.5)")
    parser.add_argument("--epochs", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--activation", default="sigmoid", choices=list(ACTIVATIONS))
    parser.add_argument("--cost", default="mse", choices=list(COSTS))
    parser.add_argument("--init", default="uniform", choices=list(INITIALISERS))
    return parser


def run(args: argparse.Namespace, out=None) -> int:
    """Train as ``args`` say, printing the cost every 1000 epochs and the final outputs."""
    out = out or sys.stdout
    data = datasets.get(args.dataset)
    sizes = [data.X.shape[1], *args.hidden, data.T.shape[1]]
    net = Network(sizes, args.activation, args.cost, seed=args.seed, init=args.init)
    trainer = Trainer(net, data.X, data.T, learning_rate=args.lr)
    print(
        f"network {sizes}, {args.activation}, {args.cost}, init {args.init}, "
        f"seed {args.seed}, dataset {args.dataset}, learning rate {args.lr}",
        file=out,
    )
    print(f"initial cost {net.cost(data.X, data.T):.6g}", file=out)
    while trainer.epoch < args.epochs and not trainer.history.diverged:
        trainer.step(min(REPORT_EVERY, args.epochs - trainer.epoch))
        print(f"epoch {trainer.epoch:>8}  cost {net.cost(data.X, data.T):.6g}", file=out)
    if trainer.history.diverged:
        print(
            f"diverged at epoch {trainer.history.diverged_at}: the cost was not finite; "
            "kept the last finite parameters",
            file=out,
        )
    outputs = net.predict(data.X)
    print(
        f"{', '.join(data.input_names)} -> {', '.join(data.output_names)} (target / output)",
        file=out,
    )
    for x, t, y in zip(data.X, data.T, outputs):
        cells = "  ".join(f"{ti:g} / {yi:.4g}" for ti, yi in zip(t, y))
        print(f"{np.array2string(x, precision=0, separator=', ')}  ->  {cells}", file=out)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.epochs < 0:
        parser.error(f"--epochs must be 0 or more, got {args.epochs}")
    try:
        return run(args)
    except ValueError as err:
        parser.error(str(err))


if __name__ == "__main__":
    sys.exit(main())

"""``python -m backprop_core``: the reference experiment.

Half adder, 2-2-2-2 sigmoid network, learning rate 0.5, 20,000 epochs, seed 0.
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from . import datasets, features
from .activations import ACTIVATIONS
from .costs import COSTS
from .initialisation import INITIALISERS
from .network import Network
from .regularization import REGULARIZERS
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
    parser.add_argument("--batch", type=int, default=None, help="mini-batch size (default: all)")
    parser.add_argument("--regularization", default="none", choices=list(REGULARIZERS))
    parser.add_argument("--rate", type=float, default=0.0, help="regularization rate λ")
    two_d = parser.add_argument_group("a 2-D playground dataset instead of a truth table")
    two_d.add_argument("--playground", choices=list(datasets.PLAYGROUND))
    two_d.add_argument("--noise", type=float, default=0.0, help="0 to 0.5")
    two_d.add_argument("--train-share", type=float, default=0.5, help="0.1 to 0.9")
    two_d.add_argument("--data-seed", type=int, default=0)
    two_d.add_argument(
        "--features",
        type=lambda text: text.split(","),
        default=["x1", "x2"],
        help=f"comma-separated, from {','.join(features.FEATURES)}",
    )
    return parser


def load_data(args: argparse.Namespace):
    """(train, test, description): a truth table (no test set) or a playground split."""
    if args.playground is None:
        return datasets.get(args.dataset), None, f"dataset {args.dataset}"
    data = datasets.playground(args.playground, args.noise, args.data_seed)
    train, test = datasets.split(data, args.train_share, args.data_seed)
    names = features.check_features(args.features)
    train, test = (
        datasets.Dataset(
            part.name,
            part.title,
            features.transform(part.X, names),
            part.T,
            names,
            part.output_names,
            part.kind,
        )
        for part in (train, test)
    )
    return train, test, f"{data.title}, features {','.join(names)}, {len(train.X)} training rows"


def run(args: argparse.Namespace, out=None) -> int:
    """Train as ``args`` say, printing the cost every 1000 epochs and the final outputs."""
    out = out or sys.stdout
    data, test, description = load_data(args)
    sizes = [data.X.shape[1], *args.hidden, data.T.shape[1]]
    output = "sigmoid" if args.cost == "cross_entropy" else None
    options = dict(regularization=args.regularization, regularization_rate=args.rate)
    net = Network(sizes, args.activation, args.cost, args.seed, args.init, output, **options)
    held_out = {} if test is None else dict(X_test=test.X, T_test=test.T)
    trainer = Trainer(net, data.X, data.T, args.lr, args.batch, args.seed, **held_out)
    batch = "full batch" if trainer.batch_size is None else f"batch {trainer.batch_size}"
    penalty = "" if not net.regularized else f", {args.regularization} λ={args.rate:g}"
    print(
        f"network {sizes}, {args.activation}, {args.cost}, init {args.init}, "
        f"seed {args.seed}, {description}, learning rate {args.lr}, {batch}{penalty}",
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
    if test is not None:
        h = trainer.history
        summary = f"test cost {net.cost(test.X, test.T):.6g}"
        if data.is_classification:
            summary += f", accuracy {h.accuracy[-1]:.3f}, test accuracy {h.test_accuracy[-1]:.3f}"
        print(summary + " (accuracies of the last epoch's starting parameters)", file=out)
        return 0
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

"""The trainer's reusable buffers: a ``step`` call allocates them once, so an epoch allocates
nothing, and it stages a block of epochs' records before they go into the history."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from .costs import accuracy
from .network import ForwardPass, Gradients, Network


class Trainer(Protocol):
    """What the buffers need of the trainer that owns them."""

    network: Network
    X: np.ndarray
    T: np.ndarray
    X_test: np.ndarray | None
    track_outputs: bool
    track_accuracy: bool
    row_group_matrix: np.ndarray | None


STAGED_OUTPUTS = 1 << 18  # at most this many a^L values (and as many z^L) staged per block
# The columns of a compiled stage's record row; then mean |δ^l| for each layer l, then
# ‖∂C/∂(W^l, b^l)‖² for each.
COST, PENALTY, TEST_COST, TEST_ACCURACY, LAYERS = 0, 1, 2, 3, 4


class Stage:
    """One block of epochs' records in float64, before they go into the history: the cost,
    mean |δ^l|, ‖∂C/∂(W^l, b^l)‖², the test set's cost and accuracy, and a^L and z^L (arrays,
    with a view per epoch).

    For numpy's loop the scalars are Python lists, which take a number faster than an array
    does. With ``layers`` (for the compiled loops, which write a whole row at once) they are
    columns of one array ``rec``, a row per epoch (see ``COST`` …), costs included."""

    def __init__(self, epochs: int, rows: int, outputs: int, layers: int | None = None) -> None:
        self.z_out = np.empty((epochs, rows, outputs))
        self.a_out = np.empty((epochs, rows, outputs))
        self.outputs = list(zip(self.z_out, self.a_out))
        self.rec = None
        if layers is None:
            self.cost = np.empty(epochs)  # filled once per block, from a^L and z^L
            self.penalty = [0.0] * epochs
            self.delta, self.grad_squared = [()] * epochs, [()] * epochs
            self.test_cost, self.test_accuracy = [0.0] * epochs, [0.0] * epochs
            return
        self.rec = rec = np.zeros((epochs, LAYERS + 2 * layers))
        self.cost, self.penalty = rec[:, COST], rec[:, PENALTY]
        self.test_cost, self.test_accuracy = rec[:, TEST_COST], rec[:, TEST_ACCURACY]
        self.delta, self.grad_squared = rec[:, LAYERS : LAYERS + layers], rec[:, LAYERS + layers :]

    def row(self, e: int) -> tuple:
        """A copy of epoch e's staged record, to keep across ``step`` calls: a^L, z^L, λR,
        mean |δ^l|, ‖∂C/∂(W^l, b^l)‖², the test cost and accuracy, and for a compiled stage
        the cost (numpy's works its costs out from a^L and z^L)."""
        row = (
            self.z_out[e].copy(),
            self.a_out[e].copy(),
            float(self.penalty[e]),
            tuple(map(float, self.delta[e])),
            tuple(map(float, self.grad_squared[e])),
            float(self.test_cost[e]),
            float(self.test_accuracy[e]),
        )
        return row if self.rec is None else (*row, float(self.cost[e]))

    def put(self, e: int, row: tuple, network: Network, T: np.ndarray) -> None:
        """Stage a record kept by ``row`` as epoch e; a compiled stage works out the cost
        when ``row`` came from numpy's."""
        z, a, penalty, delta, grad_squared, test_cost, test_accuracy, *cost = row
        self.z_out[e], self.a_out[e] = z, a
        # a checkpoint gives the numbers back as arrays of one
        self.penalty[e], self.test_cost[e], self.test_accuracy[e] = (
            float(np.ravel(v)[0]) for v in (penalty, test_cost, test_accuracy)
        )
        self.delta[e] = tuple(map(float, np.ravel(delta)))
        self.grad_squared[e] = tuple(map(float, np.ravel(grad_squared)))
        if self.rec is not None:
            self.cost[e] = float(np.ravel(cost[0])[0]) if cost else self.cost_of(network, T, e)

    def cost_of(self, network: Network, T: np.ndarray, e: int) -> float:
        """Epoch e's cost C = C₀ + λ·R(W), from its staged a^L and z^L."""
        cost = network.cost_function.value(self.z_out[e], self.a_out[e], T)
        return cost + self.penalty[e] if network.regularized else cost


class Workspace:
    """Every buffer one ``step`` call needs: a forward pass and gradients for the training set,
    the test set and each mini-batch size, the update, the parameters to roll back to, and the
    staged records."""

    def __init__(self, trainer: Trainer, epochs: int, compiled: bool = False) -> None:
        net, n = trainer.network, len(trainer.X)
        self.compiled = compiled
        self.sizes = net.sizes
        self.fwd = ForwardPass.empty(net.sizes, n)
        self.grads = Gradients.empty(net.sizes, n)
        test = trainer.X_test
        self.test = None if test is None else ForwardPass.empty(net.sizes, len(test))
        # previous: θ of the epoch before the current one; start: θ the current one began from
        self.step, self.previous, self.start = (np.empty_like(net.params) for _ in range(3))
        self.abs_delta = np.empty_like(self.grads.delta_vector)
        ends = np.cumsum([0] + [n * k for k in net.sizes[1:]])
        # mean |δ^l| as a dot product with 1/size weights: cheaper than abs().mean() on tiny arrays
        self.mean_abs_delta = [
            (self.abs_delta[s:e], np.full(e - s, 1.0 / (e - s))) for s, e in zip(ends, ends[1:])
        ]
        offsets = net.layer_offsets
        self.layer_grads = [self.grads.vector[p:q] for p, q in zip(offsets, offsets[1:])]
        outputs = net.sizes[-1]
        self.capacity = max(1, STAGED_OUTPUTS // (n * outputs))  # the largest block possible
        block = min(epochs, self.capacity)
        self.stage = Stage(block, n, outputs, net.num_layers if compiled else None)
        self.block = block
        self._batches: dict[int, tuple[ForwardPass, Gradients]] = {}

    def batch(self, rows: int) -> tuple[ForwardPass, Gradients]:
        """The buffers for a mini-batch of ``rows`` rows."""
        if rows not in self._batches:
            self._batches[rows] = (
                ForwardPass.empty(self.sizes, rows),
                Gradients.empty(self.sizes, rows),
            )
        return self._batches[rows]

    def records(self, trainer: Trainer, epochs: int) -> dict[str, np.ndarray]:
        """The first ``epochs`` staged epochs as the history's records, converted in one go."""
        stage, network, T = self.stage, trainer.network, trainer.T
        records = dict(
            cost=stage.cost[:epochs],
            delta_magnitude=np.array(stage.delta[:epochs]),
            gradient_norm=np.sqrt(stage.grad_squared[:epochs]),
        )
        z_out, a_out = stage.z_out[:epochs], stage.a_out[:epochs]
        if trainer.track_outputs:
            records["output_cost"] = network.cost_function.per_output(z_out, a_out, T)
        if trainer.track_accuracy:
            records["accuracy"] = accuracy(a_out, T)
        if trainer.row_group_matrix is not None:
            m = T.shape[1]
            targets = np.broadcast_to(T, z_out.shape).reshape(-1, 1, m)
            # Every (epoch, row) as a batch of one row: the stacked costs give C_x for each.
            per_row = network.cost_function.stacked_values(
                z_out.reshape(-1, 1, m), a_out.reshape(-1, 1, m), targets
            )
            records["row_cost"] = per_row.reshape(epochs, -1) @ trainer.row_group_matrix
        if trainer.X_test is not None:
            records["test_cost"] = np.array(stage.test_cost[:epochs])
            if trainer.track_accuracy:
                records["test_accuracy"] = np.array(stage.test_accuracy[:epochs])
        return records

    def finish_block(self, network: Network, T: np.ndarray, epochs: int) -> int | None:
        """Fill in the staged costs; return the first epoch whose cost plus gradient norms is
        not finite, if any."""
        if epochs == 0:
            return None
        stage = self.stage
        cost = network.cost_function.value(stage.z_out[:epochs], stage.a_out[:epochs], T)
        stage.cost[:epochs] = cost
        if network.regularized:
            stage.cost[:epochs] += stage.penalty[:epochs]
        total = stage.cost[:epochs].copy()
        for norms in np.sqrt(self.stage.grad_squared[:epochs]).T:
            total += norms
        bad = np.flatnonzero(~np.isfinite(total))
        return int(bad[0]) if len(bad) else None

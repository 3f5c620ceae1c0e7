"""K networks of one architecture trained in lockstep on stacked (K, n_in, n_out) arrays.

Network k starts exactly as ``Network(sizes, seed=seeds[k])`` and follows the trajectory
that ``Trainer`` would give it alone (with the same batch size, data seed and regularisation);
the batched matmul just does all K at once. Input features are the caller's, as for Trainer:
pass ``features.transform(X, names)``.
"""

from __future__ import annotations

import time

import numpy as np

from .network import Network, layer_views
from .training import check_batch_size, validate_learning_rate


class Ensemble:
    """Stacked parameters: ``params`` is (K, P), laid out per row like ``Network.params``."""

    def __init__(
        self,
        sizes: list[int],
        seeds: list[int],
        activation: str = "sigmoid",
        cost: str = "mse",
        init: str = "uniform",
        output_activation: str | None = None,
        regularization: str = "none",
        regularization_rate: float = 0.0,
    ) -> None:
        if len(seeds) < 1:
            raise ValueError("an ensemble needs at least one seed")
        options = dict(
            init=init,
            output_activation=output_activation,
            regularization=regularization,
            regularization_rate=regularization_rate,
        )
        networks = [Network(sizes, activation, cost, seed=int(s), **options) for s in seeds]
        self.template = networks[0]
        self.seeds = np.array(seeds)
        self.params = np.stack([net.params for net in networks])
        self.weights, self.biases = layer_views(self.params, self.template.sizes)
        self.epoch = 0
        self.diverged_at = np.full(len(seeds), -1)
        self._rng: np.random.Generator | None = None  # the data order, drawn on first train
        self._previous = self.params.copy()  # each network's θ at the start of the last epoch
        self._partial: tuple | None = None  # an epoch of mini-batches a deadline cut short

    @property
    def size(self) -> int:
        return len(self.seeds)

    def forward(self, X: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """z^l = a^{l-1} W^l + b^l and a^l = σ(z^l) for all K networks: (K, n, n_l) each."""
        z, a_one, a_out = self._forward(X)
        return z, [X] + [a[..., :-1] for a in a_one[1:]] + [a_out]

    def _forward(self, X: np.ndarray) -> tuple[list, list, np.ndarray]:
        """The forward pass as z^l = [a^{l-1}, 1] [W^l; b^l]: the flat layout stores b^l right
        after W^l, so [W^l; b^l] is one (n_{l-1} + 1, n_l) block and one batched matmul gives
        z^l. Returns z^l, each [a^{l-1}, 1] (the first shared by all K) and a^L."""
        acts = self.template.layer_activations
        a_one = [np.hstack([X, np.ones((len(X), 1))])]
        z = []
        for block, act in zip(self._blocks(self.params), acts[:-1]):
            z.append(np.matmul(a_one[-1], block))
            a_one.append(np.empty(z[-1].shape[:2] + (z[-1].shape[2] + 1,)))
            a_one[-1][..., -1] = 1.0
            # σ on the contiguous z, then one strided copy: σ's several passes over a strided
            # view cost 7× more
            a_one[-1][..., :-1] = act.function(z[-1])
        z.append(np.matmul(a_one[-1], self._blocks(self.params)[-1]))
        return z, a_one, acts[-1].function(z[-1])

    def _blocks(self, rows: np.ndarray) -> list[np.ndarray]:
        """Views of (K, P) rows as each layer's (K, n_{l-1} + 1, n_l) block [W^l; b^l]."""
        offsets = self.template.layer_offsets
        return [
            rows[:, s:e].reshape(len(rows), m + 1, n)
            for s, e, m, n in zip(
                offsets, offsets[1:], self.template.sizes, self.template.sizes[1:]
            )
        ]

    def backward(self, z, a_one, a_out, T: np.ndarray, grads: np.ndarray) -> None:
        """The backprop recursion for every network at once, written into ``grads`` (K, P):
        δ^l = (δ^{l+1} (W^{l+1})ᵀ) ⊙ σ'(z^l), and [∂C/∂W^l; ∂C/∂b^l] = [a^{l-1}, 1]ᵀ δ^l / n,
        one batched matmul per layer."""
        net = self.template
        delta = net.cost_function.output_delta(z[-1], a_out, T, net.output_activation)
        grad_blocks = self._blocks(grads)
        for l in range(net.num_layers - 1, -1, -1):
            np.matmul(a_one[l].swapaxes(-1, -2), delta, out=grad_blocks[l])
            if l > 0:
                delta = np.matmul(delta, self.weights[l].transpose(0, 2, 1))
                delta *= net.activation.derivative(z[l - 1], a_one[l][..., :-1])
        grads *= 1.0 / T.shape[0]
        if net.regularized:
            for W, g in zip(self.weights, layer_views(grads, net.sizes)[0]):
                g += net.regularization_rate * net.regularizer.gradient(W)

    def costs(self, z, a_out, T: np.ndarray) -> np.ndarray:
        """C = C₀ + λ·R(W) of each network, (K,)."""
        net = self.template
        cost = net.cost_function.stacked_values(z[-1], a_out, T)
        if net.regularized:
            cost = cost + net.regularization_rate * net.regularizer.penalty(self.weights)
        return cost

    def train(
        self,
        X: np.ndarray,
        T: np.ndarray,
        learning_rate: float,
        epochs: int,
        batch_size: int | None = None,
        seed: int = 0,
        max_seconds: float | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Run ``epochs`` epochs of W ← W − η ∂C/∂W for every network: full batch, or one
        update per slice of ``batch_size`` rows of an order shuffled each epoch from
        ``default_rng(seed)``, the same order for all K, as ``Trainer`` would draw it.

        Returns the cost (e, K) of the parameters each of the e epochs run starts from, and
        whether each network rounded every output right (e, K). Past ``max_seconds`` it stops
        early, even inside an epoch of mini-batches, which the next call finishes. A network
        whose cost turns non-finite goes back to its last finite parameters and stops there.
        """
        X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
        self.template.check_data(X, T)
        eta = validate_learning_rate(learning_rate)
        batch = check_batch_size(batch_size, len(X))
        if self._rng is None:
            self._rng = np.random.default_rng(seed)
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        costs = np.empty((epochs, self.size))
        solved = np.empty((epochs, self.size), dtype=bool)
        grads, step = np.empty_like(self.params), np.empty_like(self.params)
        alive = (self.diverged_at < 0).astype(float)[:, None]
        done = 0
        with np.errstate(over="ignore", invalid="ignore", divide="ignore", under="ignore"):
            while done < epochs:
                if done and deadline is not None and time.perf_counter() > deadline:
                    break
                partial, self._partial = self._partial, None
                if partial is None:
                    z, a_one, a_out = self._forward(X)
                    cost, right = self.costs(z, a_out, T), np.all(np.round(a_out) == T, axis=(1, 2))
                    self.backward(z, a_one, a_out, T, grads)
                    self._stop_diverged(cost, grads, alive)
                    np.copyto(self._previous, self.params)
                    if batch is None:
                        self._update(grads, eta, step, alive)
                        costs[done], solved[done] = cost, right
                        self.epoch, done = self.epoch + 1, done + 1
                        continue
                    order, first = self._rng.permutation(len(X)), 0
                else:
                    cost, right, order, first = partial
                for start in range(first, len(order), batch):
                    rows = order[start : start + batch]
                    self.backward(*self._forward(X[rows]), T[rows], grads)
                    self._update(grads, eta, step, alive)
                    more = start + batch < len(order)
                    if more and deadline is not None and time.perf_counter() > deadline:
                        self._partial = (cost, right, order, start + batch)
                        return costs[:done], solved[:done]
                costs[done], solved[done] = cost, right
                self.epoch, done = self.epoch + 1, done + 1
        return costs[:done], solved[:done]

    def _update(self, grads, eta, step, alive) -> None:
        np.multiply(grads, eta, out=step)
        step *= alive  # a diverged network stays where it stopped
        self.params -= step

    def _stop_diverged(self, cost, grads, alive) -> None:
        bad = (~np.isfinite(cost) | ~np.isfinite(grads).all(axis=1)) & (alive[:, 0] > 0)
        if bad.any():
            if self.epoch > 0:
                self.params[bad] = self._previous[bad]
            alive[bad] = 0.0
            self.diverged_at[bad] = self.epoch
            grads[bad] = 0.0

    def network(self, k: int) -> Network:
        """Network k as a stand-alone ``Network`` with its current parameters."""
        net = self.template.copy()
        net.seed = int(self.seeds[k])
        net.params[...] = self.params[k]
        return net


def train_ensemble(
    sizes: list[int],
    seeds: list[int],
    X: np.ndarray,
    T: np.ndarray,
    learning_rate: float,
    epochs: int,
    batch_size: int | None = None,
    seed: int = 0,
    **network_options,
) -> tuple[Ensemble, np.ndarray, np.ndarray]:
    """Build the ensemble for ``seeds`` and train it; returns (ensemble, costs, solved).
    ``seed`` draws the mini-batch order, as ``Trainer``'s does."""
    ensemble = Ensemble(sizes, seeds, **network_options)
    costs, solved = ensemble.train(X, T, learning_rate, epochs, batch_size, seed)
    return ensemble, costs, solved

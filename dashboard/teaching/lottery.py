"""The initialisation lottery: K seeds of one architecture trained at once, summarised per epoch."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from backprop_core.datasets import Dataset
from backprop_core.ensemble import Ensemble
from backprop_core.network import num_parameters
from backprop_core.validation import brief
from dashboard.state.settings import Settings

MAX_NETWORKS = 2000
MAX_EPOCHS = 100_000
PLATEAU_WIDTH = 0.02  # "stuck": a cost within 2 % of the best constant predictor's
STUCK_EPOCHS = 1000  # this long on the plateau counts as stuck
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


MEMORY_BYTES = 128 * 2**20  # one lottery's parameters and buffers: a class's fit any server
GROUP_BYTES = 32 * 2**20  # the forward and backward pass of the networks trained together
GROUP_SECONDS = 0.01  # a group's epoch takes about this long, so every turn stays short
EPOCHS_PER_CALL = 4096  # bounds the cost arrays one training call returns
PER_NETWORK_ARRAYS = 5  # parameters, gradients, step, previous, and the start's copy


def network_bytes(sizes: list[int]) -> int:
    """The memory one network of the lottery holds: its parameters and their buffers."""
    return num_parameters(sizes) * 8 * PER_NETWORK_ARRAYS


def pass_bytes(sizes: list[int], rows: int) -> int:
    """The memory of one network's forward and backward pass over ``rows`` rows (z, a, δ and
    their temporaries)."""
    return rows * (sum(sizes) + len(sizes)) * 8 * 4


def most_networks(sizes: list[int]) -> int:
    """How many networks of ``sizes`` fit MEMORY_BYTES, at most MAX_NETWORKS."""
    return max(1, min(MAX_NETWORKS, MEMORY_BYTES // network_bytes(sizes)))


def check_lottery(count: object, epochs: object, most: int = MAX_NETWORKS) -> tuple[int, int]:
    """K from 1 to ``most`` (at most 2000) and epochs from 1 to 100,000, or a ValueError
    naming the bad one and what is allowed."""
    for name, value, top in (("number of networks", count, most), ("epochs", epochs, MAX_EPOCHS)):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            why = ""
            if name == "number of networks" and top < MAX_NETWORKS:
                why = f" (what fits the lottery's {MEMORY_BYTES // 2**20} MB for this network)"
            raise ValueError(
                f"{name} must be a whole number from 1 to {top:,}{why}, got {brief(value)}"
            )
    return count, epochs  # type: ignore[return-value]


def constant_cost(T: np.ndarray, cost: str) -> float:
    """The cost of the best constant output, each output its target's mean p_j: where a
    network that has not yet told its inputs apart sits. For MSE, ½ Σ_j Var(t_j); for
    cross-entropy, Σ_j −[p_j ln p_j + (1 − p_j) ln(1 − p_j)]."""
    p = T.mean(axis=0)
    if cost == "mse":
        return float(0.5 * ((T - p) ** 2).mean(axis=0).sum())
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    return float(np.nan_to_num(terms).sum())  # 0 ln 0 = 0


def plateau_band(T: np.ndarray, cost: str) -> tuple[float, float]:
    """The costs within 2 % of the best constant predictor's."""
    level = constant_cost(T, cost)
    return level * (1 - PLATEAU_WIDTH), level * (1 + PLATEAU_WIDTH)


@dataclass(frozen=True)
class Plan:
    """How a lottery trains: ``group`` networks at a time, and about how long an epoch of all
    of them takes, from timing one epoch of one group."""

    group: int
    seconds_per_epoch: float

    def seconds(self, epochs: int) -> float:
        return self.seconds_per_epoch * epochs


def plan(settings: Settings, data: Dataset, count: int) -> Plan:
    """The largest group that trains an epoch in about GROUP_SECONDS (and fits GROUP_BYTES),
    found by timing an epoch of 1, 2, 4, … networks, and the seconds an epoch of all
    ``count`` networks then takes. A few hundredths of a second for any network."""
    sizes, s = settings.layer_sizes(data), settings
    fits = max(1, GROUP_BYTES // pass_bytes(sizes, len(data.X)))

    def one_epoch(networks: int) -> float:
        """An epoch's time for ``networks`` networks at once, after one to warm up."""
        ensemble = Ensemble(sizes, list(range(networks)), **s.network_options())
        ensemble.train(data.X, data.T, s.learning_rate, 1, **s.trainer_options())
        started = time.perf_counter()
        ensemble.train(data.X, data.T, s.learning_rate, 1, **s.trainer_options())
        return max(time.perf_counter() - started, 1e-6)

    group, seconds = 1, one_epoch(1)
    while group < min(count, fits) and seconds < GROUP_SECONDS / 2:
        bigger = min(2 * group, count, fits)
        elapsed = one_epoch(bigger)
        if elapsed > GROUP_SECONDS:
            break
        group, seconds = bigger, elapsed
    return Plan(group, seconds * -(-count // group))


class LotteryRun:
    """K networks with seeds first_seed … first_seed + K − 1, trained in groups (``Plan``), a
    little at a time: every per-epoch summary covers all K once every group has run it."""

    def __init__(
        self,
        settings: Settings,
        data: Dataset,
        count: int,
        epochs: int,
        first_seed: int = 0,
        group: int | None = None,
    ) -> None:
        """``data`` is the training set as the network sees it (the session's ``data``);
        ``group`` is how many networks train together (all of them when not given)."""
        count, epochs = check_lottery(count, epochs, most_networks(settings.layer_sizes(data)))
        self.settings = settings
        self.data = data
        self.plateau = plateau_band(self.data.T, settings.cost)
        self.seeds = np.arange(first_seed, first_seed + count)
        group = count if group is None else max(1, min(group, count))
        self._slices = [slice(k, min(k + group, count)) for k in range(0, count, group)]
        self._groups: list[Ensemble | None] = [None] * len(self._slices)
        self._pending: list[list[tuple[np.ndarray, np.ndarray]]] = [[] for _ in self._slices]
        self._ahead = np.zeros(len(self._slices), dtype=int)  # each group's epochs so far
        self.epoch = 0  # epochs every group has run, and summarised
        self.total_epochs = epochs
        self._quantiles = np.empty((epochs, len(QUANTILES)))
        self._solved_share = np.empty(epochs)
        self._plateau_share = np.empty(epochs)
        self.plateau_epochs = np.zeros(count, dtype=int)
        self.final_cost = np.full(count, np.nan)
        self.solved = np.zeros(count, dtype=bool)

    @property
    def quantiles(self) -> np.ndarray:
        """Per epoch so far: the 10, 25, 50, 75 and 90 % quantiles of the K costs."""
        return self._quantiles[: self.epoch]

    @property
    def solved_share(self) -> np.ndarray:
        return self._solved_share[: self.epoch]

    @property
    def plateau_share(self) -> np.ndarray:
        return self._plateau_share[: self.epoch]

    @property
    def finished(self) -> bool:
        return self.epoch >= self.total_epochs

    def _group(self, g: int) -> Ensemble:
        if self._groups[g] is None:
            seeds = self.seeds[self._slices[g]].tolist()
            self._groups[g] = Ensemble(
                self.settings.layer_sizes(self.data), seeds, **self.settings.network_options()
            )
        return self._groups[g]

    def advance(self, epochs: int | None = None, max_seconds: float | None = None) -> int:
        """Train up to ``epochs`` more epochs (not past the total), the group furthest behind
        first, until ``max_seconds`` have passed; returns how many epochs every group has
        newly run."""
        top = self.total_epochs if epochs is None else min(self.total_epochs, self.epoch + epochs)
        deadline = None if max_seconds is None else time.perf_counter() + max_seconds
        before, s = self.epoch, self.settings
        while True:
            g = int(self._ahead.argmin())
            left = None if deadline is None else deadline - time.perf_counter()
            if self._ahead[g] >= top or (left is not None and left <= 0):
                break
            want = min(top - self._ahead[g], EPOCHS_PER_CALL)
            X, T, options = self.data.X, self.data.T, s.trainer_options()
            costs, solved = self._group(g).train(
                X, T, s.learning_rate, int(want), **options, max_seconds=left
            )
            self._pending[g].append((costs, solved))
            self._ahead[g] += len(costs)
            self._summarise()
        return self.epoch - before

    def _summarise(self) -> None:
        """Fold the epochs every group has run into the per-epoch summaries."""
        ready = int(self._ahead.min()) - self.epoch
        if ready <= 0:
            return
        parts = [self._take(g, ready) for g in range(len(self._slices))]
        costs = np.hstack([c for c, _ in parts])
        solved = np.hstack([r for _, r in parts])
        rows = slice(self.epoch, self.epoch + ready)
        finite = np.where(np.isfinite(costs), costs, np.inf)
        self._quantiles[rows] = np.quantile(finite, QUANTILES, axis=1).T
        self._solved_share[rows] = solved.mean(axis=1)
        on_plateau = (costs >= self.plateau[0]) & (costs <= self.plateau[1])
        self._plateau_share[rows] = on_plateau.mean(axis=1)
        self.plateau_epochs += on_plateau.sum(axis=0)
        self.final_cost, self.solved = costs[-1], solved[-1]
        self.epoch += ready

    def _take(self, g: int, epochs: int) -> tuple[np.ndarray, np.ndarray]:
        """The next ``epochs`` rows of group g's pending costs and solved flags."""
        pending = self._pending[g]
        costs = np.vstack([c for c, _ in pending])
        solved = np.vstack([r for _, r in pending])
        rest = (costs[epochs:], solved[epochs:])
        self._pending[g] = [rest] if len(rest[0]) else []
        return costs[:epochs], solved[:epochs]

    def ranked_seeds(self) -> list[tuple[int, float]]:
        """(seed, final cost) from the luckiest to the unluckiest."""
        order = np.argsort(np.where(np.isfinite(self.final_cost), self.final_cost, np.inf))
        return [(int(self.seeds[k]), float(self.final_cost[k])) for k in order]

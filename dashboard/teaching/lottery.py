"""The initialisation lottery: K seeds of one architecture trained at once, summarised per epoch."""

from __future__ import annotations

import time

import numpy as np

from backprop_core.datasets import Dataset
from backprop_core.ensemble import Ensemble
from backprop_core.validation import brief
from dashboard.state.settings import Settings

MAX_NETWORKS = 2000
MAX_EPOCHS = 100_000
PLATEAU_WIDTH = 0.02  # "stuck": a cost within 2 % of the best constant predictor's
STUCK_EPOCHS = 1000  # this long on the plateau counts as stuck
QUANTILES = (0.1, 0.25, 0.5, 0.75, 0.9)


def check_lottery(count: object, epochs: object) -> tuple[int, int]:
    """K from 1 to 2000 and epochs from 1 to 100,000, or a ValueError naming the bad one."""
    for name, value, top in (
        ("number of networks", count, MAX_NETWORKS),
        ("epochs", epochs, MAX_EPOCHS),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= top:
            raise ValueError(f"{name} must be a whole number from 1 to {top:,}, got {brief(value)}")
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


class LotteryRun:
    """K networks with seeds first_seed … first_seed + K − 1, trained in chunks."""

    def __init__(
        self, settings: Settings, data: Dataset, count: int, epochs: int, first_seed: int = 0
    ) -> None:
        """``data`` is the training set as the network sees it (the session's ``data``)."""
        count, epochs = check_lottery(count, epochs)
        self.settings = settings
        self.data = data
        self.plateau = plateau_band(self.data.T, settings.cost)
        seeds = list(range(first_seed, first_seed + count))
        self.ensemble = Ensemble(
            settings.layer_sizes(self.data), seeds, **settings.network_options()
        )
        self.total_epochs = epochs
        self._quantiles = np.empty((epochs, len(QUANTILES)))
        self._solved_share = np.empty(epochs)
        self._plateau_share = np.empty(epochs)
        self.plateau_epochs = np.zeros(count, dtype=int)
        self.final_cost = np.full(count, np.nan)
        self.solved = np.zeros(count, dtype=bool)

    @property
    def seeds(self) -> np.ndarray:
        return self.ensemble.seeds

    @property
    def epoch(self) -> int:
        return self.ensemble.epoch

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

    def advance(self, epochs: int) -> int:
        """Train up to ``epochs`` more epochs (not past the total); returns how many ran."""
        epochs = min(epochs, self.total_epochs - self.epoch)
        if epochs <= 0:
            return 0
        start = self.epoch
        s = self.settings
        costs, solved = self.ensemble.train(
            self.data.X, self.data.T, s.learning_rate, epochs, s.batch, s.data_seed
        )
        rows = slice(start, start + epochs)
        finite = np.where(np.isfinite(costs), costs, np.inf)
        self._quantiles[rows] = np.quantile(finite, QUANTILES, axis=1).T
        self._solved_share[rows] = solved.mean(axis=1)
        on_plateau = (costs >= self.plateau[0]) & (costs <= self.plateau[1])
        self._plateau_share[rows] = on_plateau.mean(axis=1)
        self.plateau_epochs += on_plateau.sum(axis=0)
        self.final_cost, self.solved = costs[-1], solved[-1]
        return epochs

    def ranked_seeds(self) -> list[tuple[int, float]]:
        """(seed, final cost) from the luckiest to the unluckiest."""
        order = np.argsort(np.where(np.isfinite(self.final_cost), self.final_cost, np.inf))
        return [(int(self.seeds[k]), float(self.final_cost[k])) for k in order]


def estimate_seconds(settings: Settings, data: Dataset, count: int, epochs: int) -> float:
    """Time a short run of at most 100 networks and scale it up to ``count`` × ``epochs``."""
    probe_count = min(count, 100)
    start = time.perf_counter()
    probe = LotteryRun(settings, data, probe_count, epochs)
    probe.advance(2)  # warm-up
    built = time.perf_counter()
    probe.advance(10)
    per_epoch = (time.perf_counter() - built) / 10
    return ((built - start) + per_epoch * epochs) * count / probe_count

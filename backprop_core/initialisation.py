"""Weight initialisations, keyed by name. Each draws W^l then b^l, layer by layer, from one rng."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import brief

Initialiser = Callable[[np.random.Generator, int, int], tuple[np.ndarray, np.ndarray]]


def uniform(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """W, b ~ U[−1, 1] (the reference derivation's choice)."""
    W = rng.uniform(-1.0, 1.0, size=(n_in, n_out))
    b = rng.uniform(-1.0, 1.0, size=n_out)
    return W, b


def xavier(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """W ~ U[−r, r] with r = √(6 / (n_in + n_out)) (Glorot & Bengio 2010); b = 0."""
    r = np.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-r, r, size=(n_in, n_out)), np.zeros(n_out)


def he(rng: np.random.Generator, n_in: int, n_out: int) -> tuple[np.ndarray, np.ndarray]:
    """W ~ N(0, 2 / n_in) (He et al. 2015); b = 0."""
    return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out)), np.zeros(n_out)


INITIALISERS: dict[str, Initialiser] = {"uniform": uniform, "xavier": xavier, "he": he}


def initialise(
    sizes: list[int], init: str, seed: int | None
) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Draw every W^l and b^l for layer sizes [n_0, …, n_L] from ``default_rng(seed)``."""
    if not isinstance(init, str) or init not in INITIALISERS:
        raise ValueError(f"unknown init {brief(init)}; allowed: {', '.join(INITIALISERS)}")
    rng = np.random.default_rng(seed)
    draw = INITIALISERS[init]
    pairs = [draw(rng, n_in, n_out) for n_in, n_out in zip(sizes[:-1], sizes[1:])]
    return [W for W, _ in pairs], [b for _, b in pairs]

"""Input features: a fixed, named preprocessing of 2-D points (x1, x2), as in the playground."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .validation import brief

# name → the column it adds, computed from the raw (x1, x2) columns
_MAPS: dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    "x1": lambda x1, x2: x1,
    "x2": lambda x1, x2: x2,
    "x1^2": lambda x1, x2: x1 * x1,
    "x2^2": lambda x1, x2: x2 * x2,
    "x1x2": lambda x1, x2: x1 * x2,
    "sin_x1": lambda x1, x2: np.sin(x1),
    "sin_x2": lambda x1, x2: np.sin(x2),
}
FEATURES = tuple(_MAPS)


def check_features(names: object) -> tuple[str, ...]:
    """A non-empty list of known feature names, returned in FEATURES order."""
    if isinstance(names, str) or not isinstance(names, list | tuple):
        raise ValueError(f"features must be a list of names from {', '.join(FEATURES)}")
    unknown = [n for n in names if n not in _MAPS]
    if unknown:
        raise ValueError(f"unknown feature {brief(unknown[0])}; allowed: {', '.join(FEATURES)}")
    if not names:
        raise ValueError(f"choose at least one feature from {', '.join(FEATURES)}")
    return tuple(n for n in FEATURES if n in names)


def transform(X: np.ndarray, names: list[str] | tuple[str, ...]) -> np.ndarray:
    """(n, 2) raw points (x1, x2) → (n, len(names)) feature columns, in FEATURES order:
    x1, x2, x1², x2², x1·x2, sin x1, sin x2."""
    names = check_features(names)
    X = np.asarray(X, dtype=float)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"features are computed from (n, 2) points (x1, x2), got {X.shape}")
    x1, x2 = X[:, 0], X[:, 1]
    return np.column_stack([_MAPS[n](x1, x2) for n in names])

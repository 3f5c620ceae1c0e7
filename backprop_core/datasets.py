"""Small truth-table datasets: inputs X (n, d) and targets T (n, m) as float arrays."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import numpy as np


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    X: np.ndarray
    T: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]


def _bits(n: int) -> np.ndarray:
    return np.array(list(product([0.0, 1.0], repeat=n)))


def half_adder() -> tuple[np.ndarray, np.ndarray]:
    """Two bits → (sum, carry) = (x1 XOR x2, x1 AND x2)."""
    X = _bits(2)
    return X, np.column_stack([X[:, 0] != X[:, 1], X[:, 0] * X[:, 1]]).astype(float)


def xor() -> tuple[np.ndarray, np.ndarray]:
    """Two bits → x1 XOR x2."""
    X = _bits(2)
    return X, (X[:, :1] != X[:, 1:]).astype(float)


def and_gate() -> tuple[np.ndarray, np.ndarray]:
    """Two bits → x1 AND x2."""
    X = _bits(2)
    return X, X[:, :1] * X[:, 1:]


def or_gate() -> tuple[np.ndarray, np.ndarray]:
    """Two bits → x1 OR x2."""
    X = _bits(2)
    return X, np.maximum(X[:, :1], X[:, 1:])


def full_adder() -> tuple[np.ndarray, np.ndarray]:
    """Three bits (x1, x2, carry-in) → (sum, carry-out)."""
    X = _bits(3)
    total = X.sum(axis=1)
    return X, np.column_stack([total % 2, total >= 2]).astype(float)


_REGISTRY = {
    "half_adder": ("Half adder", half_adder, ("x1", "x2"), ("sum", "carry")),
    "xor": ("XOR", xor, ("x1", "x2"), ("xor",)),
    "and": ("AND", and_gate, ("x1", "x2"), ("and",)),
    "or": ("OR", or_gate, ("x1", "x2"), ("or",)),
    "full_adder": ("Full adder", full_adder, ("x1", "x2", "carry_in"), ("sum", "carry")),
}


def names() -> list[str]:
    """The built-in dataset names, half adder first."""
    return list(_REGISTRY)


def get(name: str) -> Dataset:
    """The dataset called ``name`` with its column labels."""
    if name not in _REGISTRY:
        raise ValueError(f"unknown dataset {name!r}; allowed: {', '.join(_REGISTRY)}")
    title, make, inputs, outputs = _REGISTRY[name]
    X, T = make()
    return Dataset(name, title, X, T, inputs, outputs)


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, T) of the dataset called ``name``."""
    data = get(name)
    return data.X, data.T

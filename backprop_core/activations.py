"""Activation functions σ and their derivatives σ', in a lookup table keyed by name.

Each derivative takes both ``z`` and ``a = σ(z)`` because the forward pass already
holds both, so σ'(z) never recomputes σ.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import numpy as np

from .validation import brief

LEAKY_SLOPE = 0.01


class Activation(NamedTuple):
    name: str
    function: Callable[[np.ndarray], np.ndarray]
    derivative: Callable[[np.ndarray, np.ndarray], np.ndarray]


def sigmoid(z: np.ndarray) -> np.ndarray:
    """σ(z) = 1 / (1 + e^{-z}), evaluated as (1 + tanh(z/2)) / 2, which never overflows."""
    a = np.multiply(z, 0.5)
    np.tanh(a, out=a)
    a += 1.0
    a *= 0.5
    return a


def sigmoid_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """σ'(z) = σ(z) (1 − σ(z)) = a (1 − a)."""
    return a * (1.0 - a)


def tanh(z: np.ndarray) -> np.ndarray:
    """tanh(z)."""
    return np.tanh(z)


def tanh_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """tanh'(z) = 1 − tanh²(z) = 1 − a²."""
    return 1.0 - a * a


def relu(z: np.ndarray) -> np.ndarray:
    """relu(z) = max(0, z)."""
    return np.maximum(z, 0.0)


def relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """relu'(z) = 1 if z > 0 else 0 (0 at the kink)."""
    return (z > 0).astype(z.dtype)


def leaky_relu(z: np.ndarray) -> np.ndarray:
    """leaky_relu(z) = z if z > 0 else 0.01 z."""
    return np.where(z > 0, z, LEAKY_SLOPE * z)


def leaky_relu_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """leaky_relu'(z) = 1 if z > 0 else 0.01."""
    return np.where(z > 0, 1.0, LEAKY_SLOPE)


def identity(z: np.ndarray) -> np.ndarray:
    """identity(z) = z."""
    return z.copy()


def identity_prime(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    """identity'(z) = 1."""
    return np.ones_like(z)


ACTIVATIONS: dict[str, Activation] = {
    act.name: act
    for act in (
        Activation("sigmoid", sigmoid, sigmoid_prime),
        Activation("tanh", tanh, tanh_prime),
        Activation("relu", relu, relu_prime),
        Activation("leaky_relu", leaky_relu, leaky_relu_prime),
        Activation("identity", identity, identity_prime),
    )
}


def get_activation(name: str) -> Activation:
    """Look an activation up by name; a ValueError names the allowed ones."""
    try:
        return ACTIVATIONS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"unknown activation {brief(name)}; allowed: {', '.join(ACTIVATIONS)}"
        ) from None

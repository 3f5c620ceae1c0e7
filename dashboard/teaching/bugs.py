"""Deliberately wrong backward passes for the gradient-check page.

They run on the network's forward pass but never touch backprop_core's own backward code,
so the class can see what a failing gradient check looks like.
"""

from __future__ import annotations

import numpy as np

from backprop_core import Gradients, Network
from backprop_core.validation import brief

BUGS = {
    "none": "No bug: backprop_core's own backward pass",
    "derivative": "σ'(z) taken as σ(z): forgot the (1 − σ) factor",
    "no_average": "Forgot to divide the gradients by n (summed, not averaged)",
    "no_derivative": "Left σ'(z^l) out of the hidden-layer recursion",
}


def buggy_gradients(network: Network, X: np.ndarray, T: np.ndarray, bug: str) -> Gradients:
    """The gradients a backward pass with ``bug`` would return ('none' is the real one)."""
    if bug not in BUGS:
        raise ValueError(f"unknown bug {brief(bug)}; allowed: {', '.join(BUGS)}")
    if bug == "none":
        return network.gradients(X, T)
    fwd = network.forward(X)
    z, a = fwd.z, fwd.a
    L, n = network.num_layers, len(X)
    hidden, output = network.activation, network.output_activation
    if bug == "derivative":
        hidden, output = (
            act._replace(derivative=lambda z, a, out=None: a) for act in (hidden, output)
        )
    if bug == "no_derivative":
        hidden = hidden._replace(derivative=lambda z, a, out=None: np.ones_like(z))
    delta = [None] * L
    delta[-1] = network.cost_function.output_delta(z[-1], a[-1], T, output)
    for l in range(L - 2, -1, -1):
        delta[l] = (delta[l + 1] @ network.weights[l + 1].T) * hidden.derivative(z[l], a[l + 1])
    scale = 1.0 if bug == "no_average" else 1.0 / n
    grads = Gradients.empty(network.sizes)
    for l in range(L):
        grads.weights[l][...] = a[l].T @ delta[l] * scale
        grads.biases[l][...] = delta[l].sum(axis=0) * scale
    grads.deltas = delta
    return grads

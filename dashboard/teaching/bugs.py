"""Deliberately wrong backward passes for the gradient-check page.

They run on the network's forward pass but never touch backprop_core's own backward code,
so the class can see what a failing gradient check looks like.
"""

from __future__ import annotations

import numpy as np

from backprop_core import Gradients, Network, gradient_check
from backprop_core.validation import brief

BUGS = {
    "none": "No bug: the real backward pass",
    "derivative": "σ'(z) taken as σ(z): forgot the (1 − σ) factor",
    "no_average": "Forgot to divide the gradients by n (summed, not averaged)",
    "no_derivative": "Left σ′(zˡ) out of the hidden-layer recursion",
}


def buggy_gradients(
    network: Network, X: np.ndarray, T: np.ndarray, bug: str, layer: int | None = None
) -> Gradients:
    """The gradients a backward pass with ``bug`` would return ('none' is the real one); the
    bug is in every layer, or only in ``layer`` (0-based, as ``weights[layer]``). A wrong δ
    spoils the layers below it too: the deltas carry it back."""
    if bug not in BUGS:
        raise ValueError(f"unknown bug {brief(bug)}; allowed: {', '.join(BUGS)}")
    if bug == "none":
        return network.gradients(X, T)
    L, n = network.num_layers, len(X)
    if layer is not None and not 0 <= layer < L:
        raise ValueError(f"layer must be from 0 to {L - 1}, got {layer}")
    fwd = network.forward(X)
    z, a = fwd.z, fwd.a

    def buggy(l: int) -> bool:
        return layer is None or layer == l

    acts = list(network.layer_activations)
    for l, act in enumerate(acts):
        if bug == "derivative" and buggy(l):
            acts[l] = act._replace(derivative=lambda z, a, out=None: a)
        if bug == "no_derivative" and buggy(l) and l < L - 1:
            acts[l] = act._replace(derivative=lambda z, a, out=None: np.ones_like(z))
    delta = [None] * L
    delta[-1] = network.cost_function.output_delta(z[-1], a[-1], T, acts[-1])
    for l in range(L - 2, -1, -1):
        delta[l] = (delta[l + 1] @ network.weights[l + 1].T) * acts[l].derivative(z[l], a[l + 1])
    grads = Gradients.empty(network.sizes)
    for l in range(L):
        scale = 1.0 if bug == "no_average" and buggy(l) else 1.0 / n
        grads.weights[l][...] = a[l].T @ delta[l] * scale
        grads.biases[l][...] = delta[l].sum(axis=0) * scale
    grads.deltas = delta
    return grads


def mystery_bug(network: Network, seed: int) -> tuple[str, int]:
    """A bug and the one layer (0-based) it is planted in, drawn with ``seed``. Leaving σ′
    out needs a hidden layer; with cross-entropy the output's σ′ cancels, so its derivative
    bug would change nothing there."""
    L = network.num_layers
    choices = [("no_average", l) for l in range(L)]
    choices += [("derivative", l) for l in range(L - 1)]
    if network.cost_function.name != "cross_entropy":
        choices.append(("derivative", L - 1))
    choices += [("no_derivative", l) for l in range(L - 1)]
    return choices[np.random.default_rng(seed).integers(len(choices))]


def layer_errors(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    gradients: Gradients,
    per_layer: int = 32,
    seed: int = 0,
) -> np.ndarray:
    """A gradient check per layer on at most ``per_layer`` of each layer's weights and biases
    (``gradient_check``'s sample): each layer's largest relative error. Quick for any network."""
    check = gradient_check(network, X, T, gradients=gradients, per_layer=per_layer, seed=seed)
    return check.layer_relative_errors

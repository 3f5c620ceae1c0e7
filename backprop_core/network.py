"""A fully connected feed-forward network with row-vector batches.

Layer sizes [n_0, …, n_L]; W^l has shape (n_{l-1}, n_l) and b^l shape (n_l,), so a
batch X of shape (n, n_0) flows forward as z^l = a^{l-1} W^l + b^l, a^l = σ(z^l).
Python lists are 0-based: ``weights[l]`` is W^{l+1} in the maths.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .activations import get_activation
from .costs import REQUIRED_OUTPUT, get_cost
from .features import check_features, transform
from .initialisation import initialise
from .regularization import check_rate, get_regularizer
from .validation import brief

MAX_SIZE = 1_000_000


@dataclass
class ForwardPass:
    """What the forward pass keeps for the backward pass: z^1…z^L and a^0…a^L."""

    z: list[np.ndarray]
    a: list[np.ndarray]

    @classmethod
    def empty(cls, sizes: list[int], rows: int) -> ForwardPass:
        """Buffers for a batch of ``rows``, to pass as ``Network.forward(X, out=...)``."""
        z = [np.empty((rows, n)) for n in sizes[1:]]
        return cls(z, [np.empty((rows, sizes[0]))] + [np.empty_like(z_l) for z_l in z])


@dataclass
class Gradients:
    """∂C/∂W^l, ∂C/∂b^l (averaged over the batch) and the per-sample deltas δ^l.

    ``vector`` holds all the gradients in the layout of ``Network.params``;
    ``weights`` and ``biases`` are views into it. Made with ``rows``, it also holds buffers
    that ``Network.backward`` fills instead of allocating: the deltas, as views of one vector
    ``delta_vector``, and σ'(z^l) in ``slopes``.
    """

    vector: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]
    deltas: list[np.ndarray]
    delta_vector: np.ndarray | None = None
    slopes: list[np.ndarray] | None = None

    @classmethod
    def empty(cls, sizes: list[int], rows: int | None = None) -> Gradients:
        vector = np.empty(num_parameters(sizes))
        weights, biases = layer_views(vector, sizes)
        if rows is None:
            return cls(vector, weights, biases, [])
        ends = np.cumsum([0] + [rows * n for n in sizes[1:]])
        delta_vector = np.empty(ends[-1])
        deltas = [delta_vector[s:e].reshape(rows, n) for s, e, n in zip(ends, ends[1:], sizes[1:])]
        return cls(
            vector, weights, biases, deltas, delta_vector, [np.empty_like(d) for d in deltas]
        )


def validate_sizes(sizes: object) -> list[int]:
    """Return ``sizes`` as a list of ints, or raise a ValueError saying what is allowed."""
    try:
        sizes = list(sizes)  # type: ignore[call-overload]
    except TypeError:
        raise ValueError(
            f"layer sizes must be a list of positive integers, got {brief(sizes)}"
        ) from None
    if len(sizes) < 2:
        raise ValueError(
            f"layer sizes need at least two entries (inputs and outputs), got {brief(sizes)}"
        )
    for n in sizes:
        if isinstance(n, bool) or not isinstance(n, numbers.Integral) or not 1 <= n <= MAX_SIZE:
            raise ValueError(
                f"layer size {brief(n)} in {brief(sizes)} is not allowed; "
                f"each must be an integer from 1 to {MAX_SIZE}"
            )
    return [int(n) for n in sizes]


def num_parameters(sizes: list[int]) -> int:
    """Σ_l (n_{l-1} n_l + n_l): every weight and bias."""
    return sum(m * n + n for m, n in zip(sizes, sizes[1:]))


def _same_memory(array: object, view: np.ndarray) -> bool:
    """Whether ``array`` is ``view``: the same bytes of ``params`` in the same layout."""
    return (
        isinstance(array, np.ndarray)
        and array.shape == view.shape
        and array.strides == view.strides
        and array.ctypes.data == view.ctypes.data
    )


def layer_views(params: np.ndarray, sizes: list[int]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Split parameters laid out W^1, b^1, W^2, b^2, … along the last axis into per-layer views.

    A flat (P,) vector gives W^l (n_{l-1}, n_l); stacked (K, P) rows give (K, n_{l-1}, n_l).
    """
    lead = params.shape[:-1]
    weights, biases, start = [], [], 0
    for m, n in zip(sizes, sizes[1:]):
        weights.append(params[..., start : start + m * n].reshape(*lead, m, n))
        biases.append(params[..., start + m * n : start + m * n + n])
        start += m * n + n
    return weights, biases


class Network:
    """A feed-forward network trained by backpropagation.

    ``activation`` is used in every layer unless ``output_activation`` names another
    one for the last layer. ``cost="cross_entropy"`` needs sigmoid outputs.
    ``weights[l]`` and ``biases[l]`` are views into one flat vector ``params`` so that an
    update is a single vector operation; write them in place.
    """

    def __init__(
        self,
        sizes: list[int],
        activation: str = "sigmoid",
        cost: str = "mse",
        seed: int | None = None,
        init: str = "uniform",
        output_activation: str | None = None,
        regularization: str = "none",
        regularization_rate: float = 0.0,
        features: list[str] | tuple[str, ...] | None = None,
    ) -> None:
        self.sizes = validate_sizes(sizes)
        self.activation = get_activation(activation)
        self.output_activation = get_activation(output_activation or activation)
        self.cost_function = get_cost(cost)
        required = REQUIRED_OUTPUT.get(cost)
        if required and self.output_activation.name != required:
            raise ValueError(
                f"cost {brief(cost)} needs {brief(required)} outputs, "
                f"got output activation {brief(self.output_activation.name)}"
            )
        self.features = None if features is None else check_features(features)
        if self.features is not None and len(self.features) != self.sizes[0]:
            raise ValueError(
                f"{len(self.features)} input features need {len(self.features)} inputs, "
                f"got sizes {brief(self.sizes)}"
            )
        self.regularizer = get_regularizer(regularization)
        self.regularization_rate = check_rate(regularization_rate)
        self.seed = seed
        self.init = init
        self.layer_activations = [self.activation] * (len(self.sizes) - 2) + [
            self.output_activation
        ]
        self.params = np.empty(num_parameters(self.sizes))
        self.weights, self.biases = layer_views(self.params, self.sizes)
        weights, biases = initialise(self.sizes, init, seed)
        self.set_parameters(weights, biases)

    def set_parameters(self, weights: list[np.ndarray], biases: list[np.ndarray]) -> None:
        """Copy W^l and b^l into the network after checking every shape and value."""
        checked = []
        for kind, new, old in (("weights", weights, self.weights), ("biases", biases, self.biases)):
            if len(new) != len(old):
                raise ValueError(f"expected {len(old)} {kind} arrays, got {len(new)}")
            for l, (n, o) in enumerate(zip(new, old)):
                n = np.asarray(n, dtype=float)
                if n.shape != o.shape or not np.all(np.isfinite(n)):
                    raise ValueError(
                        f"{kind}[{l}] must be finite with shape {o.shape}, got shape {n.shape}"
                    )
                checked.append((o, n))
        for o, n in checked:
            o[...] = n

    def sync(self) -> None:
        """Fold arrays assigned into ``weights``/``biases`` back into the flat ``params``.

        The lists normally hold views of ``params``; writing in place needs no sync.
        """
        views = layer_views(self.params, self.sizes)
        current = (list(self.weights), list(self.biases))
        if all(_same_memory(c, v) for c, v in zip(current[0] + current[1], views[0] + views[1])):
            return
        self.weights[:], self.biases[:] = views
        try:
            self.set_parameters(*current)
        except ValueError:
            self.weights[:], self.biases[:] = current
            raise

    @property
    def layer_offsets(self) -> list[int]:
        """Where each layer's block [W^l, b^l] starts in ``params``, plus the end."""
        return list(np.cumsum([0] + [m * n + n for m, n in zip(self.sizes, self.sizes[1:])]))

    @property
    def num_layers(self) -> int:
        """L, the number of weight layers."""
        return len(self.weights)

    def check_data(self, X: np.ndarray, T: np.ndarray | None = None) -> None:
        """Raise a ValueError unless X is (n, n_0) and T is (n, n_L), finite, n ≥ 1."""
        for name, arr, width in (("X", X, self.sizes[0]), ("T", T, self.sizes[-1])):
            if arr is None:
                continue
            shape = getattr(arr, "shape", None)
            if shape is None or len(shape) != 2 or shape[1] != width or shape[0] < 1:
                raise ValueError(
                    f"{name} must have shape (n_samples, {width}) to match the network "
                    f"{self.sizes}, got shape {shape}"
                )
            if not np.all(np.isfinite(arr)):
                raise ValueError(f"{name} contains values that are not finite numbers")
        if T is not None and X.shape[0] != T.shape[0]:
            raise ValueError(f"X has {X.shape[0]} rows but T has {T.shape[0]}; they must match")

    def forward(self, X: np.ndarray, out: ForwardPass | None = None) -> ForwardPass:
        """z^l = a^{l-1} W^l + b^l and a^l = σ(z^l), with a^0 = X.

        Writes into ``out`` (from ``ForwardPass.empty``) when given: the trainer reuses one.
        """
        fwd = out if out is not None else ForwardPass.empty(self.sizes, len(X))
        fwd.a[0] = X
        for l, (W, b, act) in enumerate(zip(self.weights, self.biases, self.layer_activations)):
            z = fwd.a[l].dot(W, out=fwd.z[l])  # the method skips np.dot's dispatch: 0.2 µs a call
            z += b
            act.function(z, out=fwd.a[l + 1])
        return fwd

    def backward(self, fwd: ForwardPass, T: np.ndarray, out: Gradients | None = None) -> Gradients:
        """δ^L = ∂C_x/∂a^L ⊙ σ'(z^L);  δ^l = (δ^{l+1} (W^{l+1})ᵀ) ⊙ σ'(z^l);
        ∂C/∂W^l = (a^{l-1})ᵀ δ^l / n;  ∂C/∂b^l = Σ_x δ^l / n.

        Writes into ``out`` when given, and into its delta buffers when it has them for this
        many rows (the trainer reuses one).
        """
        z, a = fwd.z, fwd.a
        L = self.num_layers
        grads = out if out is not None else Gradients.empty(self.sizes)
        if grads.slopes is not None and grads.deltas[0].shape[0] == T.shape[0]:
            delta, slope = grads.deltas, grads.slopes
        else:
            delta, slope = [None] * L, [None] * L
        delta[-1] = self.cost_function.output_delta(
            z[-1], a[-1], T, self.output_activation, delta[-1], slope[-1]
        )
        for l in range(L - 2, -1, -1):
            delta[l] = delta[l + 1].dot(self.weights[l + 1].T, out=delta[l])
            delta[l] *= self.activation.derivative(z[l], a[l + 1], out=slope[l])
        for l in range(L):
            a[l].T.dot(delta[l], out=grads.weights[l])
            np.add.reduce(delta[l], axis=0, out=grads.biases[l])
        grads.vector *= 1.0 / T.shape[0]
        if self.regularized:
            for W, g in zip(self.weights, grads.weights):
                g += self.regularization_rate * self.regularizer.gradient(W)
        if delta is not grads.deltas:
            grads.deltas = delta
        return grads

    @property
    def regularized(self) -> bool:
        """Whether C carries a penalty term λ·R(W) (none, or λ = 0, leaves C₀ untouched)."""
        return self.regularizer.name != "none" and self.regularization_rate > 0

    def cost_of(self, fwd: ForwardPass, T: np.ndarray) -> float:
        """C = C₀ + λ·R(W), evaluated on a forward pass that has already been run."""
        cost = self.cost_function.value(fwd.z[-1], fwd.a[-1], T)
        if self.regularized:
            cost += self.penalty()
        return cost

    def penalty(self) -> float:
        """λ·R(W), the regularisation term of the cost (0 without one)."""
        if not self.regularized:
            return 0.0
        return self.regularization_rate * float(self.regularizer.penalty(self.weights))

    def predict(self, X: np.ndarray) -> np.ndarray:
        """a^L for a batch X of shape (n, n_0); with input ``features``, X holds the raw 2-D
        points (x1, x2) and the feature map is applied first."""
        X = np.asarray(X, dtype=float)
        if self.features is not None:
            X = transform(X, self.features)
        self.check_data(X)
        return self.forward(X).a[-1]

    def cost(self, X: np.ndarray, T: np.ndarray) -> float:
        """C(X, T) with the network's cost function."""
        X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
        self.check_data(X, T)
        return self.cost_of(self.forward(X), T)

    def gradients(self, X: np.ndarray, T: np.ndarray) -> Gradients:
        """∂C/∂W^l, ∂C/∂b^l and δ^l for the batch (X, T) by backpropagation."""
        X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
        self.check_data(X, T)
        return self.backward(self.forward(X), T)

    def copy(self) -> Network:
        """An independent copy with the same configuration and parameters."""
        self.sync()
        clone = object.__new__(Network)
        clone.__dict__.update(self.__dict__)
        clone.sizes = list(self.sizes)
        clone.params = self.params.copy()
        clone.weights, clone.biases = layer_views(clone.params, clone.sizes)
        return clone

    def config(self) -> dict:
        """The settings that rebuild this network's architecture."""
        return {
            "sizes": list(self.sizes),
            "activation": self.activation.name,
            "output_activation": self.output_activation.name,
            "cost": self.cost_function.name,
            "init": self.init,
            "seed": self.seed,
            "features": None if self.features is None else list(self.features),
            "regularization": self.regularizer.name,
            "regularization_rate": self.regularization_rate,
        }

"""Why training stalls: the gradient taken apart into the numbers backprop already has.

Layers are 0-based, as in ``weights[l]``: ``weights[l]`` maps a^l (a^0 = X) to z^{l+1}, and
``deltas[l]`` is δ^{l+1}, one row per training row. C is the mean of the rows' costs C_x plus
the penalty λ·R(W) when the network has one; the per-row quantities here are the data part.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .gradient_check import perturbed_costs, sample_indices
from .network import Network, layer_views
from .validation import brief


def _checked(network: Network, X: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    X, T = np.asarray(X, dtype=float), np.asarray(T, dtype=float)
    network.check_data(X, T)
    return X, T


def _layer(network: Network, l: object) -> int:
    if isinstance(l, bool) or not isinstance(l, (int, np.integer)):
        raise ValueError(
            f"layer must be a whole number from 0 to {network.num_layers - 1}, got {brief(l)}"
        )
    if not 0 <= l < network.num_layers:
        raise ValueError(f"layer must be from 0 to {network.num_layers - 1}, got {l}")
    return int(l)


def _index(name: str, value: object, size: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= value < size:
        raise ValueError(f"{name} must be a whole number from 0 to {size - 1}, got {brief(value)}")
    return int(value)


def row_costs(network: Network, X: np.ndarray, T: np.ndarray) -> np.ndarray:
    """C_x for each row x: ½‖a^L_x − t_x‖² (mse) or −Σ_j [t ln a + (1 − t) ln(1 − a)]
    (cross-entropy). Their mean is the cost C (plus λ·R(W) with a penalty)."""
    X, T = _checked(network, X, T)
    fwd = network.forward(X)
    z, a = fwd.z[-1], fwd.a[-1]
    # Each row as a batch of one: the costs' stacked form gives one C per batch.
    return network.cost_function.stacked_values(z[:, None, :], a[:, None, :], T[:, None, :])


def row_contributions(
    network: Network, X: np.ndarray, T: np.ndarray, l: int, i: int, j: int
) -> np.ndarray:
    """Each row's share a^{l}_{x,i} δ^{l+1}_{x,j} / n of ∂C/∂weights[l][i, j]; they sum to the
    data part of it (``Network.gradients``, less λ·∂R/∂w with a penalty)."""
    X, T = _checked(network, X, T)
    l = _layer(network, l)
    i = _index("i (the weight's row)", i, network.sizes[l])
    j = _index("j (the weight's column)", j, network.sizes[l + 1])
    fwd = network.forward(X)
    grads = network.backward(fwd, T)
    return fwd.a[l][:, i] * grads.deltas[l][:, j] / len(X)


def delta_terms(
    network: Network, X: np.ndarray, T: np.ndarray, row: int, l: int, j: int
) -> tuple[np.ndarray, float]:
    """How δ^{l+1}_j of training row ``row`` is built: ``deltas[l][row, j] == terms.sum() *
    sigma_prime``.

    For a hidden layer, terms[k] = weights[l+1][j, k] · δ^{l+2}_k, one per neuron k of the next
    layer, and sigma_prime = σ'(z^{l+1}_j). For the output layer, terms is the one number
    ∂C_x/∂a^L_j = a − t and sigma_prime is σ'(z^L_j) (mse); with cross-entropy, σ' cancels,
    so the term is a − t and sigma_prime is 1."""
    X, T = _checked(network, X, T)
    l = _layer(network, l)
    row = _index("row", row, len(X))
    j = _index("j (the neuron)", j, network.sizes[l + 1])
    fwd = network.forward(X)
    grads = network.backward(fwd, T)
    z, a = fwd.z[l][row, j : j + 1], fwd.a[l + 1][row, j : j + 1]
    if l == network.num_layers - 1:
        term = a - T[row, j : j + 1]
        if network.cost_function.name == "cross_entropy":
            return term, 1.0
        return term, float(network.output_activation.derivative(z, a)[0])
    terms = network.weights[l + 1][j] * grads.deltas[l + 1][row]
    return terms, float(network.activation.derivative(z, a)[0])


def learning_rate_probe(
    network: Network, X: np.ndarray, T: np.ndarray, etas: np.ndarray
) -> np.ndarray:
    """C(θ − η ∇C) for each η in ``etas``: the cost after one full-batch gradient step of that
    size from the current parameters θ. The network is left as it was."""
    X, T = _checked(network, X, T)
    etas = np.asarray(etas, dtype=float)
    if etas.ndim != 1 or not np.all(np.isfinite(etas)) or np.any(etas < 0):
        raise ValueError("etas must be a 1-D array of finite numbers ≥ 0")
    trial = network.copy()
    gradient = network.gradients(X, T).vector.copy()
    costs = np.empty(len(etas))
    with np.errstate(over="ignore", invalid="ignore"):
        for k, eta in enumerate(etas):
            np.subtract(network.params, eta * gradient, out=trial.params)
            costs[k] = trial.cost(X, T)
    return costs


def hessian_vector_product(
    network: Network, X: np.ndarray, T: np.ndarray, v: np.ndarray, epsilon: float = 1e-5
) -> np.ndarray:
    """Hv ≈ (∇C(θ + εv) − ∇C(θ − εv)) / 2ε, from two backprop gradients (v of unit norm; the
    error is O(ε²))."""
    trial = network.copy()
    trial.params[...] = network.params + epsilon * v
    plus = trial.backward(trial.forward(X), T).vector.copy()
    trial.params[...] = network.params - epsilon * v
    minus = trial.backward(trial.forward(X), T).vector
    return (plus - minus) / (2 * epsilon)


def _power_iteration(
    product, size: int, iterations: int, rng: np.random.Generator, shift: float = 0.0
) -> float:
    """The eigenvalue of largest magnitude of (H − shift·I), by power iteration from a random
    unit vector, stopped early once it settles to 1e-12."""
    v = rng.standard_normal(size)
    v /= np.linalg.norm(v)
    value = 0.0
    for _ in range(iterations):
        w = product(v) - shift * v
        new_value = float(v.dot(w))  # the Rayleigh quotient vᵀ(H − shift·I)v
        norm = np.linalg.norm(w)
        if norm == 0:
            return 0.0
        v = w / norm
        if abs(new_value - value) <= 1e-12 * max(abs(new_value), 1e-30):
            return new_value
        value = new_value
    return value


def sharpness(
    network: Network, X: np.ndarray, T: np.ndarray, iterations: int = 100, seed: int = 0
) -> float:
    """λ_max, the largest eigenvalue of the Hessian of C at θ, by power iteration on
    Hessian-vector products (``hessian_vector_product``). Plain gradient descent with
    η > 2/λ_max is unstable along that eigenvector.

    Power iteration finds the eigenvalue of largest magnitude; when that one is negative, a
    second run on H − λ·I finds the largest."""
    X, T = _checked(network, X, T)
    if isinstance(iterations, bool) or not isinstance(iterations, int) or iterations < 1:
        raise ValueError(f"iterations must be a whole number ≥ 1, got {brief(iterations)}")
    rng = np.random.default_rng(seed)

    def product(v: np.ndarray) -> np.ndarray:
        return hessian_vector_product(network, X, T, v)

    size = len(network.params)
    largest = _power_iteration(product, size, iterations, rng)
    if largest >= 0:
        return largest
    return largest + _power_iteration(product, size, iterations, rng, shift=largest)


def delta_ratios(network: Network, X: np.ndarray, T: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where a delta shrinks on its way back, per hidden layer l (0-based, as ``deltas[l]``):
    ‖δ^l‖ / ‖δ^{l+1}‖ = weight part × σ′ part, with the weight part
    ‖δ^{l+1} W^{l+1}ᵀ‖ / ‖δ^{l+1}‖ and the σ′ part ‖δ^l‖ / ‖δ^{l+1} W^{l+1}ᵀ‖ (Frobenius norms
    over rows and neurons; here δ^{l+1} is ``deltas[l+1]`` and W^{l+1} is ``weights[l+1]``).
    Returns (weight parts, σ′ parts), one entry per hidden layer."""
    X, T = _checked(network, X, T)
    deltas = network.backward(network.forward(X), T).deltas
    weight_part, sigma_part = [], []
    with np.errstate(divide="ignore", invalid="ignore"):
        for l in range(network.num_layers - 1):
            back = deltas[l + 1] @ network.weights[l + 1].T
            after, passed = np.linalg.norm(deltas[l + 1]), np.linalg.norm(back)
            weight_part.append(passed / after)
            sigma_part.append(np.linalg.norm(deltas[l]) / passed)
    return np.array(weight_part), np.array(sigma_part)


SWEEP_EPSILONS = np.array([float(f"1e-{k}") for k in range(1, 13)])  # exactly as typed
SWEEPS = ("central float64", "forward float64", "central float32", "forward float32")


def _cost32(network: Network, params: np.ndarray, X: np.ndarray, T: np.ndarray) -> np.float32:
    """C with the parameters, the data and every step of the forward pass in float32."""
    weights, biases = layer_views(params, network.sizes)
    a = X.astype(np.float32)
    for W, b, act in zip(weights, biases, network.layer_activations):
        z = (a @ W + b).astype(np.float32)
        a = act.function(z).astype(np.float32)
    cost = np.float32(network.cost_function.value(z, a, T.astype(np.float32)))
    return np.float32(cost + np.float32(network.penalty()))


def epsilon_sweep(
    network: Network,
    X: np.ndarray,
    T: np.ndarray,
    epsilons: np.ndarray = SWEEP_EPSILONS,
    per_layer: int | None = None,
    seed: int = 0,
) -> dict[str, np.ndarray]:
    """The gradient check's max |numeric − backprop| for each ε, four ways (``SWEEPS``):
    central (C(θ+ε) − C(θ−ε)) / 2ε or forward (C(θ+ε) − C(θ)) / ε differences, with the cost in
    float64 or in float32. Truncation error falls with ε (as ε² central, ε forward) while
    round-off grows as (machine ε)/ε: the error is a V. Over every parameter, or at most
    ``per_layer`` of each layer's (``gradient_check.sample_indices``); "central float64" is
    ``gradient_check(network, X, T, ε, per_layer=per_layer).max_error``."""
    X, T = _checked(network, X, T)
    epsilons = np.asarray(epsilons, dtype=float)
    if epsilons.ndim != 1 or not np.all((epsilons > 0) & (epsilons < 1)):
        raise ValueError("epsilons must be a 1-D array of numbers in (0, 1)")
    exact = network.gradients(X, T).vector
    indices = sample_indices(network.sizes, per_layer, seed)
    trial = network.copy()
    theta32 = network.params.astype(np.float32)

    def cost64() -> float:
        return trial.cost_of(trial.forward(X), T)

    def cost32() -> float:
        return float(_cost32(network, theta32, X, T))

    base64_cost, base32_cost = cost64(), cost32()
    errors = {name: np.empty(len(epsilons)) for name in SWEEPS}
    g = exact[indices]
    with np.errstate(over="ignore", invalid="ignore"):
        for e, eps in enumerate(epsilons):
            plus, minus = perturbed_costs(cost64, trial.params, indices, eps)
            # float32 code steps by the float32 ε and divides by the ε it meant.
            plus32, minus32 = perturbed_costs(cost32, theta32, indices, np.float32(eps))
            estimates = {
                "central float64": (plus - minus) / (2 * eps),
                "forward float64": (plus - base64_cost) / eps,
                "central float32": (plus32 - minus32) / (2 * eps),
                "forward float32": (plus32 - base32_cost) / eps,
            }
            for name, estimate in estimates.items():
                errors[name][e] = np.abs(g - estimate).max()
    return errors


MAX_ROWS_RECORDED = 256  # training rows recorded one by one; more are grouped


def row_groups(T: np.ndarray, max_rows: int = MAX_ROWS_RECORDED) -> tuple[np.ndarray, list[str]]:
    """How to record the rows' costs (``Trainer(row_groups=...)``): (group of each row, the
    groups' names). Up to ``max_rows`` rows, each row alone; beyond, one group per distinct
    target (the classes) when there are at most 10, otherwise the deciles of the first
    target."""
    T = np.asarray(T, dtype=float)
    n = len(T)
    if n <= max_rows:
        return np.arange(n), [f"row {x + 1}" for x in range(n)]
    classes, groups = np.unique(T, axis=0, return_inverse=True)
    if len(classes) <= 10:
        names = [f"target {', '.join(f'{v:g}' for v in c)}" for c in classes]
        return groups.ravel(), names
    edges = np.quantile(T[:, 0], np.linspace(0, 1, 11)[1:-1])
    groups = np.searchsorted(edges, T[:, 0], side="right")
    used, groups = np.unique(groups, return_inverse=True)
    return groups, [f"target decile {d + 1}" for d in used]


@dataclass(frozen=True)
class PathTerms:
    """∂C_x/∂w as a sum over the paths from w's neuron to the outputs (``path_terms``)."""

    paths: np.ndarray  # (n_paths, depth): the neuron in each layer after w's, w's own first
    products: np.ndarray  # (n_paths,): each path's product of local derivatives
    total: int  # how many paths there are; more than len(products) when sampled

    @property
    def sampled(self) -> bool:
        """Whether ``paths`` is a uniform sample of the paths (their sum is then no gradient)."""
        return len(self.products) < self.total


def path_terms(
    network: Network,
    x: np.ndarray,
    t: np.ndarray,
    l: int,
    i: int | None,
    j: int,
    limit: int = 100_000,
    seed: int = 0,
) -> PathTerms:
    """The chain rule for w = weights[l][i, j] (for biases[l][j] with ``i`` None, a^l_i = 1)
    on the single row (x, t), one term per path j = n_{l+1} → n_{l+2} → … → n_L:

        ∂C_x/∂w = Σ_paths a^l_i · Π_m σ′(z^m_{n_m}) w^{m+1}_{n_m n_{m+1}} · δ^L_{n_L}

    with δ^L = ∂C_x/∂a^L ⊙ σ′(z^L) (cross-entropy's σ′ cancelled). Every path when there are
    at most ``limit``, otherwise ``limit`` drawn uniformly with ``seed``. A penalty's part of
    the gradient is not a path: it is left out."""
    X, T = _checked(network, np.atleast_2d(x), np.atleast_2d(t))
    if len(X) != 1:
        raise ValueError(f"path_terms takes one training row, got {len(X)}")
    l = _layer(network, l)
    sizes = network.sizes
    j = _index("j", j, sizes[l + 1])
    if i is not None:
        i = _index("i", i, sizes[l])
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        raise ValueError(f"limit must be a whole number of at least 1, got {brief(limit)}")
    fwd = network.forward(X)
    widths = sizes[l + 2 :]
    total = math.prod(widths)
    if not widths:  # an output neuron's weight: one path, of w alone
        rest = np.empty((1, 0), dtype=np.int64)
    elif total <= limit:
        rest = np.indices(widths, dtype=np.int64).reshape(len(widths), -1).T
    else:
        rng = np.random.default_rng(seed)
        rest = np.column_stack([rng.integers(0, n, limit) for n in widths])
    paths = np.column_stack([np.full(len(rest), j), rest]).astype(np.int64)
    products = np.full(len(paths), 1.0 if i is None else float(fwd.a[l][0, i]))
    for m in range(paths.shape[1] - 1):
        k = l + m  # z[k] holds z of the layer of paths[:, m]
        slope = network.activation.derivative(fwd.z[k], fwd.a[k + 1])[0]
        products *= slope[paths[:, m]] * network.weights[k + 1][paths[:, m], paths[:, m + 1]]
    z, a = fwd.z[-1], fwd.a[-1]
    delta = network.cost_function.output_delta(z, a, T, network.output_activation)[0]
    products *= delta[paths[:, -1]]
    return PathTerms(paths, products, total)


def operation_counts(sizes: list[int]) -> dict[str, int]:
    """Multiplications for every weight's ∂C_x/∂w on one row, three ways:

    - ``path_terms``: how many path products the chain rule sums, Σ_l m_l n_l Π_{k>l+1} n_k,
      and ``path_multiplications``, two per layer a path crosses;
    - ``backprop_multiplications``: the forward pass (Σ m n), the deltas
      (Σ n_l n_{l+1} + Σ n_l for σ′) and the gradients aᵀδ (Σ m n);
    - ``forward_mode_passes``: one pass per parameter, ``forward_mode_multiplications`` each
      pass a forward pass with its tangent (2 Σ m n)."""
    sizes = [int(n) for n in sizes]
    pairs = list(zip(sizes[:-1], sizes[1:]))
    dense = sum(m * n for m, n in pairs)
    terms = sum(m * n * math.prod(sizes[l + 2 :]) for l, (m, n) in enumerate(pairs))
    multiplications = sum(
        m * n * math.prod(sizes[l + 2 :]) * 2 * (len(sizes) - 1 - l)
        for l, (m, n) in enumerate(pairs)
    )
    backprop = dense + sum(m * n for m, n in pairs[1:]) + sum(sizes[1:]) + dense
    parameters = sum(m * n + n for m, n in pairs)
    return {
        "path_terms": terms,
        "path_multiplications": multiplications,
        "backprop_multiplications": backprop,
        "forward_mode_passes": parameters,
        "forward_mode_multiplications": parameters * 2 * dense,
    }

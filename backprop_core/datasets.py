"""Small truth-table datasets: inputs X (n, d) and targets T (n, m) as float arrays."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from itertools import product

import numpy as np

from .validation import brief


@dataclass(frozen=True)
class Dataset:
    name: str
    title: str
    X: np.ndarray
    T: np.ndarray
    input_names: tuple[str, ...]
    output_names: tuple[str, ...]
    kind: str = "classification"  # targets 0/1 for a sigmoid output; or "regression"

    @property
    def is_classification(self) -> bool:
        return self.kind == "classification"


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
        raise ValueError(f"unknown dataset {brief(name)}; allowed: {', '.join(_REGISTRY)}")
    title, make, inputs, outputs = _REGISTRY[name]
    X, T = make()
    return Dataset(name, title, X, T, inputs, outputs)


# The well-known neural-network playground's 2-D sets, on the domain [−6, 6]².
CLASSIFICATION_POINTS = 500
REGRESSION_POINTS = 1200
MAX_NOISE = 0.5
PLAYGROUND = {
    "circle": "Circle",
    "xor": "XOR (points)",
    "gauss": "Two Gaussians",
    "spiral": "Spiral",
    "plane": "Plane (regression)",
    "multi_gauss": "Multiple Gaussians (regression)",
}
_GAUSS_BUMPS = np.array(  # (centre x, centre y, sign) of the six bumps
    [[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]]
)


def playground(name: str, noise: float = 0.0, seed: int = 0) -> Dataset:
    """One of the playground's six 2-D datasets, drawn from ``default_rng(seed)``.

    Classification (500 points, half of each label; label 1 or 0):
    - circle: label 1 inside radius 2.5 (radius drawn in [0, 2.5]), 0 in the ring 3.5–5;
    - xor: x, y uniform in ±5, pushed 0.3 away from the axes; label 1 where x·y ≥ 0;
    - gauss: Gaussians at (2, 2) (label 1) and (−2, −2), variance 0.5 + 7·noise (0.5 to 4),
      not clipped: with much noise a few points fall outside the domain;
    - spiral: two arms of 1.75 turns, radius up to 5 (the second turned by π).
    Regression (1,200 points, x and y uniform in ±6; an identity output):
    - plane: target (x + y) / 10;
    - multi_gauss: the largest in size of six signed bumps s·max(0, 1 − d/2), d the
      distance to the bump's centre.
    Noise runs from 0 to 0.5. In circle, xor and the regression sets it moves the point the
    label is computed from by up to noise × (the set's scale), so labels near the boundary flip;
    in spiral it moves the points by up to noise; in gauss it widens the variance.
    """
    if name not in PLAYGROUND:
        raise ValueError(f"unknown dataset {brief(name)}; allowed: {', '.join(PLAYGROUND)}")
    if isinstance(noise, bool) or not isinstance(noise, int | float) or not 0 <= noise <= MAX_NOISE:
        raise ValueError(f"noise must be a number from 0 to {MAX_NOISE}, got {brief(noise)}")
    rng = np.random.default_rng(seed)
    kind = "regression" if name in ("plane", "multi_gauss") else "classification"
    X, t = _GENERATORS[name](rng, float(noise))
    title = f"{PLAYGROUND[name]}, noise {noise:.0%}"
    return Dataset(name, title, X, t[:, None].astype(float), ("x1", "x2"), ("y",), kind)


def _halves(rng, n: int, make) -> tuple[np.ndarray, np.ndarray]:
    """n/2 points of each label from make(rng, count, label) -> (points, labels)."""
    first, first_t = make(rng, n // 2, 1)
    second, second_t = make(rng, n - n // 2, 0)
    return np.vstack([first, second]), np.concatenate([first_t, second_t])


def _circle(rng, noise: float) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0

    def ring(rng, count, label):
        low, high = (0.0, radius * 0.5) if label else (radius * 0.7, radius)
        r = rng.uniform(low, high, count)
        angle = rng.uniform(0, 2 * np.pi, count)
        points = np.column_stack([r * np.sin(angle), r * np.cos(angle)])
        moved = points + rng.uniform(-radius, radius, (count, 2)) * noise
        return points, (np.hypot(moved[:, 0], moved[:, 1]) < radius * 0.5).astype(float)

    return _halves(rng, CLASSIFICATION_POINTS, ring)


def _xor(rng, noise: float) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform(-5, 5, (CLASSIFICATION_POINTS, 2))
    points += np.where(points > 0, 0.3, -0.3)  # padding away from the axes
    moved = points + rng.uniform(-5, 5, points.shape) * noise
    return points, (moved[:, 0] * moved[:, 1] >= 0).astype(float)


def _gauss(rng, noise: float) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + (4 - 0.5) * noise / MAX_NOISE

    def blob(rng, count, label):
        centre = 2.0 if label else -2.0
        return rng.normal(centre, np.sqrt(variance), (count, 2)), np.full(count, float(label))

    return _halves(rng, CLASSIFICATION_POINTS, blob)


def _spiral(rng, noise: float) -> tuple[np.ndarray, np.ndarray]:
    def arm(rng, count, label):
        i = np.arange(count) / count
        r, t = i * 5, 1.75 * i * 2 * np.pi + (0 if label else np.pi)
        points = np.column_stack([r * np.sin(t), r * np.cos(t)])
        return points + rng.uniform(-1, 1, (count, 2)) * noise, np.full(count, float(label))

    return _halves(rng, CLASSIFICATION_POINTS, arm)


def _regression(rng, noise: float, label) -> tuple[np.ndarray, np.ndarray]:
    points = rng.uniform(-6, 6, (REGRESSION_POINTS, 2))
    moved = points + rng.uniform(-6, 6, points.shape) * noise
    return points, label(moved[:, 0], moved[:, 1])


def _bumps(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    heights = [s * np.clip(1 - np.hypot(x - cx, y - cy) / 2, 0, 1) for cx, cy, s in _GAUSS_BUMPS]
    heights = np.stack(heights)
    return heights[np.abs(heights).argmax(axis=0), np.arange(len(x))]


_GENERATORS = {
    "circle": _circle,
    "xor": _xor,
    "gauss": _gauss,
    "spiral": _spiral,
    "plane": lambda rng, noise: _regression(rng, noise, lambda x, y: (x + y) / 10),
    "multi_gauss": lambda rng, noise: _regression(rng, noise, _bumps),
}


def split(dataset: Dataset, train_share: float, seed: int = 0) -> tuple[Dataset, Dataset]:
    """(train, test): the rows shuffled by ``default_rng(seed)``, the first round(share × n) for
    training. The share runs from 0.1 to 0.9 in steps of 0.1."""
    ok = isinstance(train_share, int | float) and not isinstance(train_share, bool)
    if (
        not ok
        or not 0.1 <= train_share <= 0.9
        or abs(train_share * 10 - round(train_share * 10)) > 1e-9
    ):
        raise ValueError(f"the training share must be 0.1, 0.2, … or 0.9, got {brief(train_share)}")
    order = np.random.default_rng(seed).permutation(len(dataset.X))
    cut = round(train_share * len(order))
    parts = []
    for rows, part in ((order[:cut], "training"), (order[cut:], "test")):
        parts.append(
            Dataset(
                dataset.name,
                f"{dataset.title} ({part})",
                dataset.X[rows],
                dataset.T[rows],
                dataset.input_names,
                dataset.output_names,
                dataset.kind,
            )
        )
    return parts[0], parts[1]


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, T) of the dataset called ``name``."""
    data = get(name)
    return data.X, data.T


MAX_ROWS = 256
MAX_COLUMNS = 64
MAX_CSV_CHARACTERS = 1_000_000
MAX_NAME = 32
MAX_INPUT = 1e6  # larger inputs overflow the decision surface's grid and saturate every unit
DELIMITERS = ",;\t"
CSV_EXAMPLE = "in:x1,in:x2,out:sum,out:carry\n0,0,0,0\n0,1,1,0\n1,0,1,0\n1,1,0,1\n"
_NAME = re.compile(rf"[A-Za-z0-9 _.-]{{1,{MAX_NAME}}}")


def parse_truth_table(text: str, name: str = "uploaded") -> Dataset:
    """A truth table from CSV text: a header of ``in:NAME`` columns then ``out:NAME`` columns,
    then one row of numbers per sample; targets must lie in [0, 1], inputs within ±10⁶.

    Read with Python's csv module: quoted cells, any line ending (bare CR too), and ``,``,
    ``;`` or tab between cells. With ``;`` a decimal comma is read as a point (0,5 is 0.5),
    as European spreadsheets export it. Any bad input raises a ValueError, and nothing else.
    """
    if not isinstance(text, str) or len(text) > MAX_CSV_CHARACTERS:
        raise ValueError(f"the file must be CSV text of at most {MAX_CSV_CHARACTERS:,} characters")
    try:
        delimiter = csv.Sniffer().sniff(text[:4096], delimiters=DELIMITERS).delimiter
    except csv.Error:
        delimiter = ","
    try:
        lines = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as err:
        raise ValueError(f"the file is not readable as CSV: {err}") from None
    lines = [[cell.strip() for cell in row] for row in lines if any(c.strip() for c in row)]
    if not lines:
        raise ValueError(f"the file is empty; expected a header like {CSV_EXAMPLE.splitlines()[0]}")
    header = lines[0]
    inputs, outputs = _split_header(header)
    rows = lines[1:]
    if not rows:
        raise ValueError("the file has a header but no rows of numbers")
    if len(rows) > MAX_ROWS:
        raise ValueError(f"the file has {len(rows)} rows; at most {MAX_ROWS} are allowed")
    decimal_comma = delimiter == ";"
    table = np.array(
        [_parse_row(row, r + 2, len(header), decimal_comma) for r, row in enumerate(rows)]
    )
    X, T = table[:, : len(inputs)], table[:, len(inputs) :]
    outside = (T < 0) | (T > 1)
    if outside.any():
        r, c = np.argwhere(outside)[0]
        raise ValueError(
            f"row {r + 2}: target {brief(outputs[c])} is {_exactly(T[r, c])}; targets must lie "
            "in [0, 1]"
        )
    huge = np.abs(X) > MAX_INPUT
    if huge.any():
        r, c = np.argwhere(huge)[0]
        raise ValueError(
            f"row {r + 2}: input {brief(inputs[c])} is {float(X[r, c]):g}; inputs must lie "
            f"between −{MAX_INPUT:,.0f} and {MAX_INPUT:,.0f}"
        )
    return Dataset(name, f"Uploaded table ({len(rows)} rows)", X, T, inputs, outputs)


def _exactly(value: float) -> str:
    """A number as short as it can be written without becoming another: 2, 0.5, 1.0000001."""
    short = f"{value:g}"
    return short if float(short) == value else repr(float(value))


def _split_header(header: list[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    if len(header) > MAX_COLUMNS:
        raise ValueError(f"the header has {len(header)} columns; at most {MAX_COLUMNS} allowed")
    kinds = []
    for cell in header:
        kind, _, label = cell.partition(":")
        label = label.strip()
        if kind.strip().lower() not in ("in", "out") or not label:
            raise ValueError(
                f"header cell {brief(cell)} must be in:NAME (an input) or out:NAME (a target), "
                f"e.g. {CSV_EXAMPLE.splitlines()[0]}"
            )
        if not _NAME.fullmatch(label):
            raise ValueError(
                f"column name {brief(label)} is not allowed: a name has 1 to {MAX_NAME} "
                "letters, digits, spaces, _, - or ."
            )
        if label in (seen for _, seen in kinds):
            raise ValueError(f"column name {brief(label)} appears twice; every name must be unique")
        kinds.append((kind.strip().lower(), label))
    n_in = sum(kind == "in" for kind, _ in kinds)
    if n_in == 0 or n_in == len(kinds) or any(k == "in" for k, _ in kinds[n_in:]):
        raise ValueError("the header needs one or more in: columns first, then one or more out:")
    labels = tuple(label for _, label in kinds)
    return labels[:n_in], labels[n_in:]


def _parse_row(cells: list[str], line: int, width: int, decimal_comma: bool) -> list[float]:
    if len(cells) != width:
        raise ValueError(f"row {line} has {len(cells)} cells; the header has {width}")
    values = []
    for cell in cells:
        text = cell.replace(",", ".") if decimal_comma else cell
        if not _NUMBER.fullmatch(text):
            raise ValueError(f"row {line}: {brief(cell)} is not a number")
        value = float(text)
        if not np.isfinite(value):
            raise ValueError(f"row {line}: {brief(cell)} is not a finite number")
        values.append(value)
    return values


# ASCII only: float() would also take "٣" or "1_000".
_NUMBER = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?")

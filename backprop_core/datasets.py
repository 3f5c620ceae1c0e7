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


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(X, T) of the dataset called ``name``."""
    data = get(name)
    return data.X, data.T


MAX_ROWS = 256
MAX_COLUMNS = 64
MAX_CSV_CHARACTERS = 1_000_000
MAX_NAME = 32
DELIMITERS = ",;\t"
CSV_EXAMPLE = "in:x1,in:x2,out:sum,out:carry\n0,0,0,0\n0,1,1,0\n1,0,1,0\n1,1,0,1\n"
_NAME = re.compile(rf"[A-Za-z0-9 _.-]{{1,{MAX_NAME}}}")


def parse_truth_table(text: str, name: str = "uploaded") -> Dataset:
    """A truth table from CSV text: a header of ``in:NAME`` columns then ``out:NAME`` columns,
    then one row of numbers per sample; targets must lie in [0, 1].

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
            f"row {r + 2}: target {brief(outputs[c])} is {T[r, c]:g}; targets must lie in [0, 1]"
        )
    return Dataset(name, f"Uploaded table ({len(rows)} rows)", X, T, inputs, outputs)


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

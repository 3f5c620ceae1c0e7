"""Small pictures of the 2-D point sets, so that one can be picked by its look."""

from __future__ import annotations

import functools

import numpy as np

from backprop_core import datasets

THUMBNAIL_POINTS = 200
SIZE = 64  # pixels per side
COLOURS = ("#2166ac", "#e08214")  # label 0 and 1, as on the decision surface


@functools.cache  # the same 6 pictures for every user: they depend on nothing but the name
def dataset_thumbnail(name: str) -> str:
    """An SVG of about 200 of the set's points without noise, coloured by label (regression
    targets in [−1, 1] split at 0), on a square that holds them all."""
    data = datasets.playground(name, noise=0.0, seed=0)
    rows = np.random.default_rng(0).permutation(len(data.X))[:THUMBNAIL_POINTS]
    X, t = data.X[rows], data.T[rows, 0]
    middle = 0.5 if data.is_classification else 0.0
    limit = float(np.abs(X).max()) or 1.0
    pixels = (X / limit * 0.45 + 0.5) * SIZE
    circles = "".join(
        f'<circle cx="{x:.1f}" cy="{SIZE - y:.1f}" r="1.8" fill="{COLOURS[int(label >= middle)]}"/>'
        for (x, y), label in zip(pixels, t)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{SIZE}" height="{SIZE}" '
        f'viewBox="0 0 {SIZE} {SIZE}"><rect width="{SIZE}" height="{SIZE}" fill="#f7f7f7"/>'
        f"{circles}</svg>"
    )

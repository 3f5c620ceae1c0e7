"""A run as an animated GIF for slides, drawn with Pillow from its rewind snapshots: one frame
per snapshot with the cost curve up to its epoch and, for a 2-D set, the decision surface, in
the page's colours. At most ``MAX_FRAMES`` frames and ``MAX_BYTES`` bytes."""

from __future__ import annotations

import io
import math
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from backprop_core import Network
from backprop_core.datasets import Dataset
from backprop_core.thinning import Curve
from dashboard.figures.live import LAYER_COLOURS, SURFACE_COLOURS
from dashboard.figures.surface import POINT_COLOURS, SURFACE_RESOLUTION, square_grid, surface_limit

MAX_FRAMES = 256
MAX_BYTES = 2_000_000
FRAME_MS, LAST_FRAME_MS = 80, 2500  # 256 frames play in about 20 s, then the end holds
CURVE_SIZE, SURFACE_SIDE, TITLE_HEIGHT = (600, 420), 380, 44
INK, GRID, BACKGROUND = (29, 31, 39), (221, 223, 228), (255, 255, 255)
CURVE, MARKER = LAYER_COLOURS[0], (213, 94, 0)
STEPS = 32  # shades of each colour scale in the shared palette


@dataclass(frozen=True)
class Movie:
    """The GIF's bytes and which snapshots it shows."""

    data: bytes
    epochs: tuple[int, ...]


def frame_epochs(epochs: Sequence[int], most: int = MAX_FRAMES) -> list[int]:
    """At most ``most`` of ``epochs``, evenly spread over their order, the first and the last
    kept. The snapshots are log-spaced, so the frames are too."""
    if len(epochs) <= most:
        return list(epochs)
    chosen = np.unique(np.round(np.linspace(0, len(epochs) - 1, most)).astype(int))
    return [epochs[i] for i in chosen]


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


def scale_colours(scale: list, values: np.ndarray) -> np.ndarray:
    """RGB (..., 3) uint8 of ``values`` in [0, 1] on a plotly colour scale [[stop, "#rrggbb"]]."""
    stops = np.array([s for s, _ in scale])
    rgb = np.array([_rgb(c) for _, c in scale], dtype=float)
    v = np.clip(np.nan_to_num(values, nan=0.5), 0, 1)
    channels = [np.interp(v, stops, rgb[:, k]) for k in range(3)]
    return np.stack(channels, axis=-1).round().astype(np.uint8)


def _palette() -> Image.Image:
    """One palette for every frame, so a colour never shifts between frames."""
    shades = np.linspace(0, 1, STEPS)
    colours = [BACKGROUND, INK, GRID, _rgb(CURVE), MARKER]
    colours += [tuple(c) for c in scale_colours(SURFACE_COLOURS, shades)]
    colours += [tuple(c) for c in scale_colours(POINT_COLOURS, shades)]
    flat = [channel for colour in colours for channel in colour]
    image = Image.new("P", (1, 1))
    image.putpalette(flat + flat[:3] * (256 - len(colours)))
    return image


PALETTE = _palette()


class _Axes:
    """Data to pixels inside ``box`` (left, top, right, bottom), each axis linear or log10."""

    def __init__(self, box, x_range, y_range, log_x: bool) -> None:
        self.box, self.log_x = box, log_x
        self.x_range = tuple(math.log10(v) for v in x_range) if log_x else x_range
        self.y_range = tuple(math.log10(v) for v in y_range)

    def __call__(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        left, top, right, bottom = self.box
        u = np.log10(np.maximum(x, 1)) if self.log_x else x  # epoch 0 sits on the axis
        (x0, x1), (y0, y1) = self.x_range, self.y_range
        px = left + (u - x0) / ((x1 - x0) or 1) * (right - left)
        py = bottom - (np.log10(y) - y0) / ((y1 - y0) or 1) * (bottom - top)
        return np.column_stack([px, py])


def _epoch_label(epoch: float) -> str:
    for size, suffix in ((1e6, "M"), (1e3, "k")):
        if epoch >= size:
            return f"{epoch / size:g}{suffix}"
    return f"{epoch:g}"


def _x_ticks(last: int, log_x: bool) -> list[float]:
    if log_x:
        return [10.0**k for k in range(0, int(math.log10(last)) + 1)]
    step = 10 ** math.floor(math.log10(last))
    step = step / 2 if last / step < 3 else step
    return list(np.arange(0, last + 1, step))


class CostPanel:
    """The cost curve up to a frame's epoch, on axes fixed for the whole run."""

    def __init__(self, cost: Curve, frames: dict[int, float], log_x: bool, font, small) -> None:
        values = np.asarray(cost.values, dtype=float)
        epochs = np.arange(len(values)) * cost.step
        # The thinned curve's rows are `step` epochs apart; the frames' own costs fill in the
        # first epochs, which a log axis spreads wide.
        epochs = np.concatenate([epochs, list(frames)])
        values = np.concatenate([values, list(frames.values())])
        last = max(frames)
        keep = np.isfinite(values) & (values > 0) & (epochs <= last)
        if log_x:
            keep &= epochs >= 1
        order = np.argsort(epochs[keep], kind="stable")
        self.epochs, self.values = epochs[keep][order], values[keep][order]
        low = self.values.min() if len(self.values) else 1e-3
        high = self.values.max() if len(self.values) else 1.0
        self.y_ticks = [
            10.0**k for k in range(math.floor(math.log10(low)), 1 + math.ceil(math.log10(high)))
        ]
        if len(self.y_ticks) < 2:
            self.y_ticks.append(self.y_ticks[-1] * 10)
        width, height = CURVE_SIZE
        self.axes = _Axes(
            (78, TITLE_HEIGHT + 10, width - 20, height - 46),
            (1, max(last, 10)) if log_x else (0, max(last, 1)),
            (self.y_ticks[0], self.y_ticks[-1]),
            log_x,
        )
        self.x_ticks = _x_ticks(max(last, 10 if log_x else 1), log_x)
        self.font, self.small = font, small

    def draw(self, image: Image.Image, epoch: int, cost: float) -> None:
        pen = ImageDraw.Draw(image)
        left, top, right, bottom = self.axes.box
        for tick in self.y_ticks:
            y = self.axes(np.array([self.x_ticks[-1]]), np.array([tick]))[0, 1]
            pen.line([(left, y), (right, y)], fill=GRID, width=1)
            pen.text((left - 8, y), f"{tick:g}", fill=INK, font=self.small, anchor="rm")
        for tick in self.x_ticks:
            x = self.axes(np.array([tick]), np.array([self.y_ticks[0]]))[0, 0]
            pen.line([(x, top), (x, bottom)], fill=GRID, width=1)
            pen.text((x, bottom + 8), _epoch_label(tick), fill=INK, font=self.small, anchor="mt")
        pen.text((left - 60, (top + bottom) / 2), "C", fill=INK, font=self.font, anchor="mm")
        pen.text(((left + right) / 2, bottom + 28), "epoch", fill=INK, font=self.small, anchor="mt")
        shown = self.epochs <= epoch
        if shown.sum() >= 2:
            line = self.axes(self.epochs[shown], self.values[shown])
            pen.line([tuple(p) for p in line], fill=CURVE, width=3, joint="curve")
        if (epoch >= 1 or not self.axes.log_x) and math.isfinite(cost) and cost > 0:
            low, high = self.y_ticks[0], self.y_ticks[-1]
            x, y = self.axes(np.array([epoch]), np.array([min(max(cost, low), high)]))[0]
            pen.ellipse([x - 5, y - 5, x + 5, y + 5], fill=MARKER)


class SurfacePanel:
    """A 2-D set's decision surface and its training points, as on the page."""

    def __init__(self, train: Dataset, discretize: bool) -> None:
        limit = surface_limit(train.X)
        self.grid, _ = square_grid(-limit, limit, SURFACE_RESOLUTION)
        self.classify, self.discretize = train.is_classification, discretize
        to_pixels = lambda v: (v + limit) / (2 * limit) * (SURFACE_SIDE - 1)  # noqa: E731
        self.points = np.column_stack(
            [to_pixels(train.X[:, 0]), SURFACE_SIDE - 1 - to_pixels(train.X[:, 1])]
        )
        labels = train.T[:, 0] if self.classify else (train.T[:, 0] + 1) / 2
        self.point_colours = [tuple(c) for c in scale_colours(POINT_COLOURS, labels)]

    def draw(self, image: Image.Image, network: Network, at: tuple[int, int]) -> None:
        out = network.predict(self.grid)[:, 0].reshape(SURFACE_RESOLUTION, SURFACE_RESOLUTION)
        middle = 0.5 if self.classify else 0.0
        if self.discretize:
            out = np.where(out >= middle, 1.0, 0.0 if self.classify else -1.0)
        shade = out if self.classify else (out + 1) / 2
        tile = Image.fromarray(scale_colours(SURFACE_COLOURS, shade[::-1]))  # row 0 is x2's top
        resample = Image.Resampling.NEAREST if self.discretize else Image.Resampling.BILINEAR
        image.paste(tile.resize((SURFACE_SIDE, SURFACE_SIDE), resample), at)
        pen = ImageDraw.Draw(image)
        for (x, y), colour in zip(self.points + at, self.point_colours):
            pen.ellipse([x - 3.5, y - 3.5, x + 3.5, y + 3.5], fill=colour, outline=INK)


def run_gif(
    network: Network,
    frames: Sequence[tuple[int, np.ndarray]],
    data: Dataset,
    cost: Curve,
    title: str,
    points: Dataset | None = None,
    log_x: bool = True,
    discretize: bool = False,
    progress: Callable[[float], None] | None = None,
    turn: Callable[[], AbstractContextManager] = nullcontext,
) -> Movie:
    """The GIF of ``frames``, (epoch, parameters) pairs in order. Each frame shows the title,
    the epoch and C on the training rows ``data``; the ``cost`` curve up to that epoch; and,
    with ``points`` (a 2-D set's training points), the output a^L over the input square.
    Fewer frames when the GIF would pass ``MAX_BYTES``. ``progress`` hears the share done;
    each frame is drawn inside a ``turn()``, so a busy server gives others theirs between."""
    if len(frames) < 2:
        raise ValueError(f"a GIF needs at least 2 snapshots, got {len(frames)}: train first")
    font, small = ImageFont.load_default(size=22), ImageFont.load_default(size=17)
    net = network.copy()
    costs = {}
    for epoch, params in frames:
        net.params[...] = params
        costs[epoch] = net.cost(data.X, data.T)
    panel = CostPanel(cost, costs, log_x, font, small)
    surface = None if points is None else SurfacePanel(points, discretize)
    width = CURVE_SIZE[0] + (SURFACE_SIDE + 30 if surface else 0)
    drawn = []
    for i, (epoch, params) in enumerate(frames):
        with turn():
            image = Image.new("RGB", (width, CURVE_SIZE[1]), BACKGROUND)
            net.params[...] = params
            panel.draw(image, epoch, costs[epoch])
            if surface:
                surface.draw(image, net, (CURVE_SIZE[0] + 10, TITLE_HEIGHT + 6))
            said = f"{title} · epoch {epoch:,} · C = {costs[epoch]:.4g}"
            ImageDraw.Draw(image).text((20, 12), said, fill=INK, font=font)
            drawn.append(image.quantize(palette=PALETTE, dither=Image.Dither.NONE))
        if progress:
            progress(0.8 * (i + 1) / len(frames))
    kept = list(range(len(drawn)))
    while True:
        gif = _encode([drawn[i] for i in kept])
        if len(gif) <= MAX_BYTES or len(kept) <= 2:
            break
        kept = kept[::2] + ([] if len(kept) % 2 else [kept[-1]])  # the last frame stays
    if progress:
        progress(1.0)
    return Movie(gif, tuple(frames[i][0] for i in kept))


def _encode(images: list[Image.Image]) -> bytes:
    buffer = io.BytesIO()
    durations = [FRAME_MS] * (len(images) - 1) + [LAST_FRAME_MS]
    images[0].save(
        buffer, "GIF", save_all=True, append_images=images[1:], duration=durations, loop=0
    )
    return buffer.getvalue()

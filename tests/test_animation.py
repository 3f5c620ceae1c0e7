"""The run's GIF: one frame per snapshot, bounded in frames and bytes, in the page's colours."""

import io

import numpy as np
import pytest
from PIL import Image

from dashboard import animation
from dashboard.figures.live import SURFACE_COLOURS
from dashboard.state.run import Run
from dashboard.state.settings import Settings


def trained(settings: Settings, epochs: int) -> Run:
    run = Run(settings)
    run.train(epochs, None)
    return run


def gif_of(run: Run, most: int = animation.MAX_FRAMES, **options) -> animation.Movie:
    snapshot = run.snapshot()
    frames = run.snapshot_params(animation.frame_epochs(snapshot.snapshot_epochs, most))
    points = snapshot.points[0] if snapshot.points else None
    return animation.run_gif(
        snapshot.network, frames, snapshot.data, snapshot.curves["cost"], "t", points, **options
    )


def frames_of(data: bytes) -> list[Image.Image]:
    image = Image.open(io.BytesIO(data))
    out = []
    for i in range(image.n_frames):
        image.seek(i)
        out.append(image.convert("RGB"))
    return out


def test_frame_epochs_keeps_the_first_and_last_and_at_most_the_cap():
    epochs = list(range(0, 10_000, 7))
    chosen = animation.frame_epochs(epochs, 256)
    assert len(chosen) <= 256 and chosen[0] == 0 and chosen[-1] == epochs[-1]
    assert chosen == sorted(set(chosen))
    assert animation.frame_epochs([0, 5, 9], 256) == [0, 5, 9]


def test_the_half_adder_gif_has_one_frame_per_snapshot_and_ends_on_the_last():
    run = trained(Settings(), 3000)
    movie = gif_of(run)
    epochs = run.snapshot().snapshot_epochs
    assert movie.epochs == tuple(epochs)
    assert len(frames_of(movie.data)) == len(epochs)
    assert len(movie.data) <= animation.MAX_BYTES


def test_a_long_spiral_run_stays_under_the_frame_and_byte_caps():
    features = ("x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2")
    settings = Settings().with_(
        dataset="spiral", hidden=(8, 8), activation="tanh", learning_rate=0.03, features=features
    )
    movie = gif_of(trained(settings, 6000))
    assert 2 <= len(movie.epochs) <= animation.MAX_FRAMES
    assert len(movie.data) <= animation.MAX_BYTES
    assert len(frames_of(movie.data)) == len(movie.epochs)


def test_frames_are_dropped_but_the_last_kept_when_the_bytes_run_over(monkeypatch):
    run = trained(Settings().with_(dataset="circle", hidden=(4,), learning_rate=0.3), 2000)
    whole = gif_of(run)
    monkeypatch.setattr(animation, "MAX_BYTES", len(whole.data) // 3)
    smaller = gif_of(run)
    assert len(smaller.data) <= len(whole.data) // 3
    assert len(smaller.epochs) < len(whole.epochs)
    assert smaller.epochs[-1] == whole.epochs[-1] and smaller.epochs[0] == 0


def test_the_surface_is_drawn_in_the_pages_colours():
    run = trained(Settings().with_(dataset="circle", hidden=(4,), learning_rate=0.3), 500)
    last = np.asarray(frames_of(gif_of(run, discretize=True).data)[-1]).reshape(-1, 3)
    colours = {tuple(c) for c in last}
    for _, hex_colour in (SURFACE_COLOURS[0], SURFACE_COLOURS[-1]):
        assert tuple(int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)) in colours


def test_a_run_without_snapshots_is_refused_with_a_message():
    run = Run(Settings())
    snapshot = run.snapshot()
    frames = run.snapshot_params(list(snapshot.snapshot_epochs))
    with pytest.raises(ValueError, match="at least 2 snapshots, got 1"):
        animation.run_gif(snapshot.network, frames, snapshot.data, snapshot.curves["cost"], "t")


def test_progress_reaches_one_and_never_goes_back():
    heard = []
    gif_of(trained(Settings(), 500), progress=heard.append)
    assert heard[-1] == 1.0 and heard == sorted(heard)

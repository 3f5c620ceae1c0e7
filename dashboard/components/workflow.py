"""The lecture workflow's controls: uploads, save and load, a GIF, kept runs, rewind."""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial

import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from backprop_core import datasets
from backprop_core.history import EXACT_EPOCHS
from backprop_core.persistence import network_from_json
from backprop_core.validation import brief
from dashboard import animation
from dashboard.components.bootstrap import server_turn, sync_widgets
from dashboard.reports import CSV_EXACT, CSV_ROWS, history_csv, run_name
from dashboard.state.run import Run
from dashboard.state.snapshot import RunSnapshot
from dashboard.state.worker import Worker
from dashboard.text import count, plain


def _take_upload(key: str, apply: Callable[[UploadedFile], str]) -> None:
    """Hand the file in ``key`` to ``apply``; show its notice, or its error beside the uploader."""
    upload = st.session_state.get(key)
    if upload is None:
        return
    try:
        notice = apply(upload)
    except ValueError as err:  # UnicodeDecodeError is one too
        st.session_state[f"{key}_error"] = f"{brief(upload.name)}: {err}"
        st.session_state.pop("notice", None)  # an older "Loaded …" would contradict it
        return
    st.session_state.pop(f"{key}_error", None)
    st.session_state["notice"] = notice


def _use_truth_table(run: Run, upload: UploadedFile) -> str:
    data = datasets.parse_truth_table(upload.getvalue().decode("utf-8-sig"), upload.name)
    note = run.use_dataset(data)
    sync_widgets(run)
    shape = ", ".join(
        [
            count(len(data.X), "row"),
            count(len(data.input_names), "input"),
            count(len(data.output_names), "target"),
        ]
    )
    return f"Training on {brief(upload.name)}: {shape}." + (f" {note}" if note else "")


def _load_network(run: Run, upload: UploadedFile) -> str:
    message = run.load(*network_from_json(upload.getvalue()))
    sync_widgets(run)
    return message


UPLOADS = ("dataset_upload", "network_upload")


def files_box(worker: Worker) -> None:
    """Upload a dataset, save and load a network, export the history and a GIF. The box is
    drawn only once opened: its uploaders and download buttons would slow every first load."""
    run = worker.run
    box = st.sidebar.expander(
        "Upload, save and load", icon=":material/save:", key="files_open", on_change="rerun"
    )
    if not box.open:
        for key in UPLOADS:
            st.session_state.pop(f"{key}_error", None)  # shown beside its uploader only
        return
    _uploader(
        box,
        "dataset_upload",
        "Upload a truth table (CSV) to train on",
        "csv",
        partial(_use_truth_table, run),
        help="A header of in:NAME columns then out:NAME columns, then rows of numbers; targets "
        "in [0, 1]; at most 256 rows. Example:\n\n" + datasets.CSV_EXAMPLE.replace("\n", "  \n"),
    )
    snapshot = run.snapshot()  # drawn once, while training goes on
    _downloads(run, snapshot, box)
    _gif(worker, snapshot, box)
    _uploader(box, "network_upload", "Load a network (JSON)", "json", partial(_load_network, run))


def _uploader(
    box: DeltaGenerator,
    key: str,
    label: str,
    file_type: str,
    apply: Callable[[UploadedFile], str],
    help: str | None = None,
) -> None:
    """A file uploader that hands each new file to ``apply``, with its last error beneath."""
    box.file_uploader(
        label, type=file_type, key=key, on_change=_take_upload, args=(key, apply), help=help
    )
    if f"{key}_error" in st.session_state:
        box.error(plain(st.session_state[f"{key}_error"]))


def _downloads(run: Run, snapshot: RunSnapshot, box: DeltaGenerator) -> None:
    name = run_name(snapshot, epoch=False)
    box.download_button(
        "Download the network (JSON)",
        run.saved_file,
        f"network_{name}.json",
        "application/json",
        key="save_network",
        on_click="ignore",
    )
    box.download_button(
        "Download the history (CSV)",
        partial(history_csv, run),
        f"history_{name}.csv",
        "text/csv",
        key="save_history",
        on_click="ignore",
        help=f"One line per epoch for up to {CSV_ROWS:,} epochs; a longer run lists its first "
        f"{CSV_EXACT:,} epochs and then evenly spaced ones. Only the first {EXACT_EPOCHS:,} "
        "epochs are kept row by row.",
    )


def _gif(worker: Worker, snapshot: RunSnapshot, box: DeltaGenerator) -> None:
    """A button that draws the run's GIF with a progress bar, then offers it for download."""
    made = st.session_state.get("gif")
    if box.button(
        "Make a GIF of the run",
        key="make_gif",
        icon=":material/movie:",
        help=f"One frame per rewind snapshot (at most {animation.MAX_FRAMES}, "
        f"{animation.MAX_BYTES / 1e6:g} MB): the cost curve so far and, for a 2-D set, the "
        "decision surface. For slides.",
    ):
        made = _make_gif(worker, snapshot, box)
    if made is None or made["generation"] != snapshot.generation:
        return
    if "error" in made:
        if snapshot.epoch == 0:
            box.info(plain(made["error"]))
        return
    movie = made["movie"]
    box.download_button(
        f"Download the GIF to epoch {movie.epochs[-1]:,} ({len(movie.epochs)} frames, "
        f"{len(movie.data) / 1e6:.2g} MB)",
        movie.data,
        made["name"],
        "image/gif",
        key="save_gif",
        on_click="ignore",
    )


def _make_gif(worker: Worker, snapshot: RunSnapshot, box: DeltaGenerator) -> dict:
    epochs = list(snapshot.snapshot_epochs)
    made = {"generation": snapshot.generation}
    if snapshot.epoch == 0:
        made["error"] = "This run has no snapshots yet: train it, then make its GIF."
        st.session_state["gif"] = made
        return made
    bar = box.progress(0.0, text="Drawing the GIF…")
    frames = worker.run.snapshot_params(animation.frame_epochs(epochs, animation.MAX_FRAMES - 1))
    if frames[-1][0] != snapshot.shown_epoch:  # the network as it stands ends the GIF
        frames.append((snapshot.shown_epoch, snapshot.network.params.copy()))
    started = time.thread_time()
    try:
        movie = animation.run_gif(
            snapshot.network,
            frames,
            snapshot.data,
            snapshot.curves["cost"],
            snapshot.data.title,
            points=snapshot.points[0] if snapshot.points else None,
            log_x=snapshot.settings.log_axis,
            discretize=snapshot.settings.discretize,
            progress=lambda done: bar.progress(done, text="Drawing the GIF…"),
            turn=server_turn,
        )
    finally:
        worker.charge(time.thread_time() - started)
    bar.progress(1.0, text="GIF drawn: download it below.")  # stays until the next rerun
    name = f"run_{run_name(snapshot, epoch=False)}-epoch{movie.epochs[-1]}.gif"
    made.update(movie=movie, name=name)
    st.session_state["gif"] = made
    return made


def _keep(run: Run) -> None:
    try:
        kept = run.keep()
        st.session_state["notice"] = f"Kept {kept.label} for comparison."
    except ValueError as err:
        st.session_state["notice"] = str(err)


def compare_runs(run: Run) -> None:
    """Keep this run's curves, and remove kept ones; the charts overlay them."""
    cols = st.columns([1, 3])
    cols[0].button(
        "Keep this run",
        key="keep_run",
        icon=":material/bookmark_add:",
        on_click=_keep,
        args=(run,),
        width="stretch",
        help="Store this run's curves to overlay on the charts (up to 10).",
    )
    kept = run.snapshot().kept
    if kept:
        labels = [k.label for k in kept]
        cols[1].multiselect(
            "Remove kept runs",
            labels,
            key="remove_runs",
            on_change=_remove,
            args=(run,),
            placeholder=f"{count(len(labels), 'kept run')} overlaid: pick to remove",
        )


def _remove(run: Run) -> None:
    run.forget_kept(set(st.session_state.get("remove_runs", [])))
    st.session_state["remove_runs"] = []


def rewind(run: Run) -> int | None:
    """A toggle and slider over the snapshots, in one container so the charts below never
    move; returns the epoch shown, or None when live."""
    with st.container():
        return _rewind(run)


def _rewind(run: Run) -> int | None:
    if not st.toggle(
        "Rewind",
        key="rewind_on",
        help="Scrub back through snapshots of the parameters (training pauses).",
    ):
        if run.rewound_to is not None:
            run.rewind(None)
        return None
    snapshot = run.snapshot()
    epochs = list(snapshot.snapshot_epochs)
    if snapshot.snapshot_limit is not None:
        st.caption(
            plain(
                f"This network is large, so rewind keeps at most {snapshot.snapshot_limit} "
                "snapshots (every other one goes when they are full): the run's checkpoint "
                "stays near 2 MB."
            )
        )
    if st.session_state.get("rewind_epoch") not in epochs:
        st.session_state["rewind_epoch"] = epochs[-1]
    epoch = st.select_slider("Show the network at epoch", epochs, key="rewind_epoch")
    if epoch != run.rewound_to:
        run.rewind(epoch)
    st.button(
        "Resume training from here",
        key="rewind_resume",
        icon=":material/history:",
        on_click=_resume,
        args=(run,),
        help="Forget every epoch after this one and continue from this snapshot.",
    )
    return epoch


def _resume(run: Run) -> None:
    run.resume_from_rewind()
    st.session_state["rewind_on"] = False
    st.session_state["notice"] = f"Back at epoch {run.epoch:,}; later epochs forgotten."

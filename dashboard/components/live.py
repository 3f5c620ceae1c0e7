"""The live page's redrawn parts, each from one ``RunSnapshot``: the numbers, the cost and δ
curves, the decision surface of a 2-D set, and the parameters with the outputs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

import streamlit as st

from dashboard.components import nudge
from dashboard.components.chrome import HELP, show_outputs_table
from dashboard.components.plotly_chart import chart
from dashboard.figures import live as figures
from dashboard.figures import surface
from dashboard.reports import outputs_table, run_name, status
from dashboard.state.keeper import KEEPER
from dashboard.state.run import Run
from dashboard.state.scheduler import REFRESH_SECONDS, SCHEDULER
from dashboard.state.snapshot import RunSnapshot
from dashboard.teaching.inside import parameter_at, parameter_name
from dashboard.text import metric_number, plain, plotly_text

HEATMAPS_PER_ROW = 3  # wide enough to read beside the sidebar at 1280 px
SURFACES_NOTE = (
    "Each output over the input square: blue where it says 0, orange where it says 1, white "
    "at the boundary, where the rounded output flips. The dots are the four training inputs "
    "at the corners, in their target's colour."
)
MAX_OUTPUT_SURFACES = 3  # side by side; a wider table shows its first three outputs
SURFACE_HEIGHT = 330


@dataclass(frozen=True)
class Look:
    """How the live parts are drawn on this page run."""

    height: int
    font_size: int
    lecture: bool
    shown_epoch: int | None  # the rewound epoch, or None when live
    timer: float | None  # the redraw interval while training


def numbers(snapshot: RunSnapshot, look: Look) -> None:
    """The epoch, the cost and how many rows are right (or the test numbers), and the status."""
    view, tested = snapshot.outcome, snapshot.test_data is not None
    classify = tested and snapshot.data.is_classification  # accuracies need a test set
    said = status(snapshot)
    # With a test set the status leaves the row for a caption: six metrics do not fit 1280 px.
    cols = iter(st.columns(4 + classify))
    if look.shown_epoch is None:
        next(cols).metric("Epoch", f"{snapshot.shown_epoch:,}", help=HELP["epoch"])
    else:
        next(cols).metric("Epoch (rewound)", f"{look.shown_epoch:,}", help=HELP["epoch"])
    next(cols).metric("Cost", metric_number(view.cost), help=HELP["cost"])
    if tested:
        next(cols).metric("Test cost", metric_number(view.test_cost), help=HELP["test_cost"])
    else:
        next(cols).metric("Status", "Diverged" if snapshot.diverged else said.split(":")[0])
        next(cols).metric(
            "Outputs", f"{view.rows_correct}/{len(view.outputs)} right", help=HELP["outputs"]
        )
    if classify:
        share = view.rows_correct / len(view.outputs)
        next(cols).metric("Accuracy", f"{share:.0%}", help=HELP["accuracy"])
        test_share = view.test_rows_correct / view.test_rows
        next(cols).metric("Test accuracy", f"{test_share:.0%}", help=HELP["accuracy"])
    lines = [said] if ":" in said else [f"Status: {said}"] if tested else []
    if look.timer and look.timer > REFRESH_SECONDS:
        lines.append(
            f"Redrawing every {look.timer:g} s instead of {REFRESH_SECONDS:g} s: "
            f"{SCHEDULER.training} sessions are training on this server."
        )
    if KEEPER.problem:
        lines.append(KEEPER.problem)
    if snapshot.diverged:
        st.error(plain(said))
    elif lines:
        st.caption(plain(" · ".join(lines)))


def cost_chart(snapshot: RunSnapshot, look: Look) -> None:
    """The cost per epoch, with the test cost, the accuracies and each output's share."""
    s, curves = snapshot.settings, snapshot.curves
    tested = snapshot.test_data is not None
    classify = tested and snapshot.data.is_classification
    per_output = curves["output_cost"]
    outputs = (per_output, snapshot.data.output_names) if per_output.values.shape[1] > 1 else None
    fig = figures.cost_figure(
        curves["cost"],
        snapshot.generation,
        look.shown_epoch,
        snapshot.kept,
        look.height,
        outputs,
        s.log_axis,
        look.font_size,
        curves["test_cost"] if tested else None,
        (curves["accuracy"], curves["test_accuracy"]) if classify else None,
    )
    chart(fig, key="cost_chart", run=run_name(snapshot))
    if not look.lecture and snapshot.points is None:
        st.caption(plain(HELP["plateau"]))


def delta_chart(snapshot: RunSnapshot, look: Look) -> None:
    """Mean |δˡ| per layer per epoch."""
    fig = figures.delta_figure(
        snapshot.curves["delta_magnitude"],
        snapshot.generation,
        snapshot.kept,
        look.height,
        snapshot.settings.log_axis,
        look.font_size,
    )
    chart(fig, key="delta_chart", run=run_name(snapshot))
    if not look.lecture:
        st.caption(plain(HELP["delta"]))


def decision_surface(snapshot: RunSnapshot, look: Look, beside: bool) -> None:
    """A 2-D set's output over the input square, with its points; ``beside`` another chart
    (lecture mode), the caption goes below it, not beside."""
    s = snapshot.settings
    train, test = snapshot.points
    fig = surface.decision_surface_figure(
        snapshot.shown,
        train,
        test if s.show_test else None,
        s.discretize,
        snapshot.generation,
        look.height if beside else look.height + 50,
        look.font_size,
    )
    if beside:
        chart(fig, key="decision_surface", run=run_name(snapshot))
        return
    left, right = st.columns([3, 2], vertical_alignment="center")
    with left:
        chart(fig, key="decision_surface", run=run_name(snapshot))
    right.caption(plain(HELP["surface" if train.is_classification else "surface_regression"]))


def weight_scale(snapshot: RunSnapshot) -> float:
    """The heatmaps' colour range for this run: it grows at once and shrinks only slowly (see
    ``figures.colour_limit``), so the colours do not flicker."""
    top = float(abs(snapshot.shown.params).max())
    held = st.session_state.get("_weight_scale")
    if held is None or held[0] != snapshot.generation:
        scale = figures.nice_limit(top)
    else:
        scale = figures.colour_limit(held[1], top)
    st.session_state["_weight_scale"] = (snapshot.generation, scale)
    return scale


def pick_weight(l: int, click: dict) -> None:
    """A click on a cell of W^l (trace 0) or b^l (trace 1)."""
    i, j = (int(v) for v in click["index"])
    nudge.pick_parameter(l, "weight" if click["trace"] == 0 else "bias", i, j)


def edit_in_place(run: Run, snapshot: RunSnapshot) -> None:
    """The picked parameter's nudge, with the tangent's check and Undo, while training is
    paused on the live network."""
    index = nudge.picked_index(snapshot.network.sizes)
    if index is None:
        return
    name = parameter_name(*parameter_at(snapshot.network.sizes, index))
    if snapshot.running:
        st.info(plain(f"Picked {name}: see it on Inside the gradient, or pause to edit it here."))
        return
    if snapshot.rewound_to is not None:
        st.info(plain(f"Picked {name}: go back to the live network to edit it here."))
        return
    with st.container(border=True, key="edit_box"):
        head = st.columns([5, 1], vertical_alignment="center")
        head[0].subheader(f"Edit {name} in place")
        head[1].button("Done", key="edit_done", on_click=st.session_state.pop, args=(nudge.PICKED,))
        st.caption(plain(f"Inside the gradient shows the rows' tug-of-war over {name}."))
        nudge.nudge_panel(run, snapshot, index, "edit")


def parameters(run: Run, snapshot: RunSnapshot) -> None:
    """The weights and biases as heatmaps, and for a truth table its outputs against the
    targets, and each output over the input square when it has two inputs."""
    network, rev, data = snapshot.shown, snapshot.generation, snapshot.data
    table = snapshot.points is None
    figs = figures.weight_figures(network, weight_scale(snapshot), rev)
    surfaces = []
    if network.sizes[0] == 2 and table:  # a truth table's four corners
        surfaces = [
            surface.decision_surface_figure(
                network,
                data,
                revision=rev,
                height=SURFACE_HEIGHT,
                output=j,
                square=surface.table_square(data.X),
                title=f"Output {plotly_text(name)}",
                resolution=surface.TABLE_RESOLUTION,
            )
            for j, name in enumerate(data.output_names[:MAX_OUTPUT_SURFACES])
        ]
    st.header("Weights and biases")
    st.caption(
        plain(
            HELP["row_vectors"] + " Click a cell to study it on Inside the gradient, and, while "
            "paused, to edit it here."
        )
    )
    per_row = min(len(figs), HEATMAPS_PER_ROW)
    for start in range(0, len(figs), per_row):
        for l, col in enumerate(st.columns(per_row), start):
            if l < len(figs):
                with col:
                    chart(
                        figs[l],
                        key=f"weights_{l}",
                        run=run_name(snapshot),
                        on_click=partial(pick_weight, l),
                    )
    edit_in_place(run, snapshot)
    if table:  # a 2-D set's hundreds of points are on its decision surface instead
        st.header("Outputs against targets")
        show_outputs_table(outputs_table(data, snapshot.outcome.outputs))
    if surfaces:
        st.caption(SURFACES_NOTE)
        for j, (col, fig) in enumerate(zip(st.columns(max(len(surfaces), 2)), surfaces)):
            with col:
                chart(fig, key=f"output_surface_{j}", run=run_name(snapshot))

"""One parameter picked by a click (a heatmap cell, a graph edge) or by the pickers, and nudged
by hand with the tangent's check and Undo: on the Live page while paused, and on Inside the
gradient."""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from dashboard.components.bootstrap import server_turn
from dashboard.components.plotly_chart import chart
from dashboard.figures import gradient as figures
from dashboard.state.run import Run
from dashboard.state.snapshot import RunSnapshot
from dashboard.teaching.inside import parameter_at, parameter_index, parameter_name, taylor_slice
from dashboard.text import metric_number, plain

PICKED = "picked"  # in st.session_state: the (layer, kind, i, j) last clicked
RERUN = "_nudged"  # in st.session_state: a nudge changed what every part of the page shows


def pick_parameter(l: int, kind: str, i: int, j: int) -> None:
    """Pick weights[l][i, j] (or biases[l][j]) for the tug-of-war and the nudge on Inside the
    gradient, and for the edit in place on the Live page."""
    state = st.session_state
    state.update(ig_layer=l, ig_nudge_layer=l, ig_nudge_to=j, ig_kind=kind)
    if kind == "weight":
        state.update(ig_from=i, ig_to=j, ig_nudge_from=i)
    state[PICKED] = (l, kind, i, j)


def picked_index(sizes: list[int]) -> int | None:
    """Where the picked parameter is in ``params``, or None (none picked, or not in this
    network any more)."""
    picked = st.session_state.get(PICKED)
    try:
        return None if picked is None else parameter_index(sizes, *picked)
    except (ValueError, IndexError):
        return None


def picked_note(sizes: list[int], where: str) -> None:
    """What the last click picked, if it is in this network, and ``where`` it is studied."""
    index = picked_index(sizes)
    if index is not None:
        st.info(plain(f"Picked {parameter_name(*parameter_at(sizes, index))}: {where}"))


def _what(sizes: list[int], index: int) -> str:
    l, kind, i, j = parameter_at(sizes, index)
    return f"the {kind} {parameter_name(l, kind, i, j)}"


def nudge_panel(run: Run, snapshot: RunSnapshot, index: int, prefix: str) -> None:
    """A new value for parameter ``index``, C along it with its tangent, the predicted
    ΔC ≈ ∂C/∂w · Δw against the actual ΔC, and Apply and Undo. Widget keys start ``prefix``."""
    ctx = get_script_run_ctx()
    if st.session_state.pop(RERUN, False) and ctx is not None and ctx.fragment_ids_this_run:
        st.rerun()  # the numbers and curves outside this fragment show the nudged network too
    network, X, T = snapshot.network, snapshot.data.X, snapshot.data.T
    current = float(network.params[index])
    value = float(
        st.number_input(
            "New value", value=current, step=0.1, format="%.4f", key=f"{prefix}_value_{index}"
        )
    )
    with server_turn():
        cut = taylor_slice(network, X, T, index, value)
    fig = figures.taylor_figure(
        cut.values, cut.costs, cut.w, cut.cost, cut.slope, cut.w_new, cut.cost_new
    )
    chart(fig, key=f"{prefix}_taylor")
    cols = st.columns(3)
    cols[0].metric("Predicted ΔC (∂C/∂w · Δw)", metric_number(cut.predicted_change + 0.0))
    cols[1].metric("Actual ΔC", metric_number(cut.actual_change + 0.0))  # + 0.0: never "-0"
    cols[2].metric("∂C/∂w", metric_number(cut.slope + 0.0))
    st.caption(
        "For a small nudge the tangent's prediction and the actual change agree: that is what "
        "the gradient means. For a large one the curve bends away from the tangent, which is "
        "why a step too large can raise the cost."
    )
    sizes = network.sizes
    notice = f"{prefix}_notice"

    def apply() -> None:
        try:
            n = run.nudge(index, value)
            st.session_state[notice] = (
                "info",
                f"Set {_what(sizes, index)} from {n.old:.4g} to {n.new:.4g}.",
            )
            st.session_state[RERUN] = True
        except ValueError as err:  # nothing changed
            st.session_state[notice] = ("error", str(err))

    def undo() -> None:
        try:
            n = run.undo_nudge()
            st.session_state[notice] = ("info", f"Put {_what(sizes, n.index)} back to {n.old:.4g}.")
            st.session_state[RERUN] = True
        except ValueError as err:
            st.session_state[notice] = ("error", str(err))

    cols = st.columns(2)
    cols[0].button(
        "Apply to the live network",
        key=f"{prefix}_apply",
        on_click=apply,
        disabled=value == current,
        help="Training is paused; it goes on from the nudged network.",
    )
    cols[1].button(
        "Undo the last nudge", key=f"{prefix}_undo", on_click=undo, disabled=not snapshot.nudges
    )
    if notice in st.session_state:
        kind, text = st.session_state.pop(notice)
        (st.error if kind == "error" else st.info)(plain(text))

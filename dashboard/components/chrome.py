"""What every page shares on screen: styles, help texts, the page list and header, and tables."""

from __future__ import annotations

import functools
import html

import streamlit as st
from threadpoolctl import threadpool_limits

from dashboard.components.bootstrap import get_run, get_worker
from dashboard.components.plotly_chart import name_charts
from dashboard.reports import run_name
from dashboard.state.checks import option_name
from dashboard.state.run import Run
from dashboard.state.snapshot import RunSnapshot
from dashboard.text import plain

INVALID_FIELD = "border-color: #c62828 !important; background-color: #fdecea !important;"
# A fixed scrollbar: a redrawn chart must not shift the page, which would make every other
# chart resize and redraw too. Wide uploaded tables scroll. Captions dark enough for a hall.
# The share link starts below its copy button; the QR code's modules stay sharp when scaled.
_COMMON_CSS = """
[data-testid="stMain"] { overflow-y: scroll; }
.st-key-share_open [data-testid="stCode"] pre { padding-top: 2.6rem; font-size: 0.8rem; }
.st-key-share_qr img, .st-key-share_qr_large img { image-rendering: pixelated; }
.bp-table { max-height: 420px; overflow: auto; }
.bp-table table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
.bp-table th, .bp-table td { padding: 0.25rem 0.75rem; text-align: right; }
.bp-table td { border-top: 1px solid #dddfe4; }
.bp-table th { position: sticky; top: 0; background: #fff; }
.bp-table .bp-yes { color: #1a6e2e; } .bp-table .bp-no { color: #b3261e; }
[data-testid="stCaptionContainer"] { opacity: 1 !important; }
[data-testid="stMain"] h2 { font-size: 1.6rem; }
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] p {
  color: #3d4150 !important;
}
"""
CSS = (
    "<style>"
    + _COMMON_CSS
    + """[data-testid="stMetricValue"] { font-size: 2.2rem; }
[data-testid="stMetricLabel"] p { font-size: 1.1rem; }
</style>"""
)
# Lecture mode fits a 1280×720 projector: less padding, a smaller title, big numbers. With the
# sidebar open the buttons lose their icons, so that their words still fit.
LECTURE_CSS = (
    "<style>"
    + _COMMON_CSS
    + """html { font-size: 20px; }
[data-testid="stMainBlockContainer"] { padding: 0.8rem 2rem 1rem 2rem; max-width: none; }
[data-testid="stHeader"] { background: transparent; }
[data-testid="stMetricValue"] { font-size: 2.2rem; }
.st-key-lecture_title p { font-size: 1.3rem; margin: 0 0 0 2.2rem; }
[data-testid="stHeading"] h1 { font-size: 1.7rem; padding: 0 0 0 2.2rem; }
[data-testid="stBaseButton-primary"], [data-testid="stBaseButton-secondary"] { padding: 0 0.4rem; }
[data-testid="stMain"] { container-type: inline-size; }
@container (max-width: 1100px) {
  [data-testid="stMain"] [data-testid^="stBaseButton"] span:has(> [data-testid="stIconMaterial"]) {
    display: none;
  }
  [data-testid="stMain"] [data-testid^="stBaseButton"] p, .st-key-stop_when_solved p {
    font-size: 0.85rem;
  }
}
</style>"""
)
# One line of help beside the first appearance of each idea.
HELP = {
    "test_cost": "The cost on the test points, which training never sees.",
    "accuracy": "The share of points whose rounded output equals their label.",
    "surface": (
        "The network's output over the input square, computed for a 50×50 grid: blue where "
        "it says 0, orange where it says 1, white at the boundary. The dots are the training "
        "points, coloured by label; with Show test data, the test points are ringed in black."
    ),
    "surface_regression": (
        "The network's output over the input square, computed for a 50×50 grid: blue where "
        "it says −1, orange where it says 1, white at 0. The dots are the training points, "
        "coloured by their target on the same scale; with Show test data, the test points are "
        "ringed in black."
    ),
    "regenerate": "New points from the next data seed: a new network on new data.",
    "epoch": "How many full-batch updates the network has had: one epoch uses every row once.",
    "cost": "The cost C of the parameters shown, over all training rows.",
    "outputs": "Training rows whose every output, rounded to 0 or 1, equals its target.",
    "plateau": (
        "The plateau: for hundreds of epochs the half adder sits near C ≈ 0.21, where every "
        "output is about the mean of its targets, before the hidden units split the inputs."
    ),
    "delta": (
        "δˡ = ∂C/∂zˡ, the error signal of layer l: δᴸ at the output, then back layer by layer, "
        "δˡ = (δˡ⁺¹ Wˡ⁺¹ᵀ) ⊙ σ′(zˡ). Lines that fall apart are vanishing gradients."
    ),
    "row_vectors": (
        "Each row of the data is a row vector, so a layer computes zˡ = aˡ⁻¹ Wˡ + bˡ: row i of "
        "Wˡ holds the weights out of neuron i. Books that write z = W a + b use the transpose."
    ),
}
PAGES = [
    ("app.py", "Live training", ":material/monitoring:"),
    ("pages/1_Gradient_check.py", "Gradient check", ":material/rule:"),
    ("pages/2_Backward_pass.py", "Backward pass, step by step", ":material/replay:"),
    ("pages/3_Network_and_surfaces.py", "Network and surfaces", ":material/hub:"),
    ("pages/4_Initialisation_lottery.py", "Initialisation lottery", ":material/casino:"),
    ("pages/5_Inside_the_gradient.py", "Inside the gradient", ":material/troubleshoot:"),
    ("pages/6_Chain_rule.py", "The chain rule, step by step", ":material/link:"),
]


@functools.cache
def _one_thread_per_matrix() -> None:
    """Tiny matrices: BLAS thread pools only add overhead, and the server is shared by all."""
    threadpool_limits(1)


def lecture_mode() -> bool:
    return bool(get_run().settings.lecture)


def setup_page(title: str) -> None:
    """Page config, styles and the sidebar's page links (with readable names)."""
    _one_thread_per_matrix()
    lecture = lecture_mode()  # first, so that a shared link's lecture=1 applies to this run
    st.set_page_config(
        page_title=f"{title} · Backprop Lab",
        page_icon="🧠",
        layout="wide",
        initial_sidebar_state="collapsed" if lecture else "auto",
    )
    st.html(LECTURE_CSS if lecture else CSS)
    for path, label, icon in PAGES:
        st.sidebar.page_link(path, label=label, icon=icon)
    st.sidebar.divider()


def teaching_page(tab_title: str, heading: str) -> Run:
    """The header of a teaching page: training pauses while the network is inspected, the
    heading, and a line saying which network is shown. Returns the run."""
    setup_page(tab_title)
    worker = get_worker()
    if st.query_params.get("run") != worker.run.token:  # a reload of this page finds the run
        st.query_params["run"] = worker.run.token
    if worker.running:
        worker.pause()
        st.toast("Training paused while you inspect the network.")
    st.title(heading)
    snapshot = worker.run.snapshot()
    st.caption(plain(describe(snapshot)))
    name_charts(run_name(snapshot))
    return worker.run


def describe(snapshot: RunSnapshot) -> str:
    s = snapshot.settings
    return (
        f"{snapshot.data.title}, network {'-'.join(map(str, snapshot.network.sizes))}, "
        f"{option_name(s.activation)}, {option_name(s.cost)}, η = {s.learning_rate:g}, "
        f"seed {s.seed}, epoch {snapshot.epoch:,}. Change it on the Live training page."
    )


YES, NO = "✓ yes", "✗ no"  # a sign and a word, not a colour alone


def html_table(table: dict[str, list], label: str) -> str:
    """An HTML table with a column per key, every name and value escaped; True and False show
    as a tick and a cross. It sits in a scroll region that the keyboard can reach."""

    def cell(value: object) -> str:
        if isinstance(value, bool):
            css = "bp-yes" if value else "bp-no"
            return f'<td class="{css}">{YES if value else NO}</td>'
        if isinstance(value, float):
            return f"<td>{value:g}</td>" if value.is_integer() else f"<td>{value:.4f}</td>"
        return f"<td>{html.escape(str(value))}</td>"

    head = "".join(f'<th scope="col">{html.escape(name)}</th>' for name in table)
    rows = "".join(f"<tr>{''.join(map(cell, row))}</tr>" for row in zip(*table.values()))
    return (
        f'<div class="bp-table" role="region" tabindex="0" aria-label="{html.escape(label)}">'
        f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table></div>"
    )


def show_outputs_table(table: dict[str, list]) -> None:
    """The outputs table as HTML, which loads far faster in the browser than a data grid.
    Long or wide uploaded tables scroll inside it."""
    st.html(html_table(table, "Outputs against targets"))

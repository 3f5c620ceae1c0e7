"""One training row through the network, one click at a time, with the real numbers."""

import streamlit as st

from dashboard.components.ui import teaching_page
from dashboard.teaching.stepper import build_steps
from dashboard.text import plain

session = teaching_page("Backward pass", "The backward pass, step by step")

data = session.data
rows = list(range(len(data.X)))
row = st.selectbox(
    "Training row",
    rows,
    index=len(rows) - 1,
    key="bp_row",
    format_func=lambda r: (
        f"input ({', '.join(f'{v:.3g}' for v in data.X[r])}) → "
        f"target ({', '.join(f'{v:.3g}' for v in data.T[r])})"
    ),
)
with session.lock:
    steps = build_steps(session.network, data.X[row], data.T[row], session.settings.learning_rate)
index = min(st.session_state.get("bp_index", 0), len(steps) - 1)


def go(to: int) -> None:
    st.session_state["bp_index"] = max(0, min(to, len(steps) - 1))


def apply_epoch() -> None:
    session.step(1)
    st.session_state["bp_index"] = 0
    st.session_state["bp_applied"] = session.epoch


nav = st.columns(4)
nav[0].button("Restart", key="bp_restart", on_click=go, args=(0,), width="stretch")
nav[1].button(
    "Previous", key="bp_prev", on_click=go, args=(index - 1,), width="stretch", disabled=index == 0
)
nav[2].button(
    "Next",
    key="bp_next",
    on_click=go,
    args=(index + 1,),
    width="stretch",
    type="primary",
    disabled=index == len(steps) - 1,
)
nav[3].button(
    "Apply one epoch",
    key="bp_apply",
    on_click=apply_epoch,
    width="stretch",
    help="One full-batch update of the shared network, as Step does on the main page.",
)
if "bp_applied" in st.session_state:
    st.success(
        f"Applied one full-batch epoch: the shared network is now at epoch "
        f"{st.session_state.pop('bp_applied'):,}."
    )

step = steps[index]
st.progress(
    (index + 1) / len(steps), text=f"Step {index + 1:,} of {len(steps):,}: {plain(step.title)}"
)
st.markdown("**The equation**")
st.latex(step.equation)
st.markdown("**With this row's numbers** (operands blue, result red)")
st.latex(step.numbers)
if index == len(steps) - 1:
    st.info(
        "That is backprop for one row. Training averages these gradients over all rows: "
        "press **Apply one epoch** to take that full-batch step on the shared network."
    )
# The expander's padding leaves less width: its equations are set a little smaller.
st.html("<style>.st-key-bp_so_far .katex { font-size: 1.05em; }</style>")
with st.expander("Every step so far", key="bp_so_far"):
    for done in steps[: index + 1]:
        st.markdown(f"**{plain(done.title)}**")
        st.latex(done.numbers)

"""One training row through the network, one click at a time, with the real numbers; a quiz
that asks for each delta and gradient first, and a mystery bug to find with the gradient check."""

import streamlit as st

from backprop_core.gradient_check import PASS_RELATIVE, affordable_per_layer
from dashboard.components.bootstrap import cached, fair_seconds, get_worker, server_turn
from dashboard.components.chrome import lecture_mode, teaching_page
from dashboard.components.keys import keys
from dashboard.teaching.bugs import BUGS, buggy_gradients, layer_errors, mystery_bug
from dashboard.teaching.stepper import MAX_SHOWN, SIGNS, build_steps, is_cut, question
from dashboard.text import plain, scientific, sup

MYSTERY_PER_LAYER = 32  # parameters checked per layer, fewer when the network is large
POWERS = list(range(-8, 3))  # the quiz's choices for the power of ten

run = teaching_page("Backward pass", "The backward pass, step by step")

snapshot = run.snapshot()
data = snapshot.data
rows = list(range(len(data.X)))
# Lecture mode, full width: one row of controls, so that each step's equation and numbers stay
# on a projector's screen. Beside the sidebar the buttons need a row of their own to be read.
if lecture_mode():
    *buttons, quiz_box = st.columns([3.2, 1, 1, 1, 1.5, 1.3], vertical_alignment="bottom")
    picker = buttons.pop(0)
else:
    picker, quiz_box = st.columns([4, 1.3], vertical_alignment="bottom")
    buttons = st.columns([1, 1, 1, 1.6, 1.4])[:4]
row = picker.selectbox(
    "Training row",
    rows,
    index=len(rows) - 1,
    key="bp_row",
    format_func=lambda r: (
        f"input ({', '.join(f'{v:.3g}' for v in data.X[r])}) → "
        f"target ({', '.join(f'{v:.3g}' for v in data.T[r])})"
    ),
)
steps = build_steps(snapshot.network, data.X[row], data.T[row], snapshot.settings.learning_rate)
index = min(st.session_state.get("bp_index", 0), len(steps) - 1)


def go(to: int) -> None:
    st.session_state["bp_index"] = max(0, min(to, len(steps) - 1))


def apply_epoch() -> None:
    worker = get_worker()
    worker.step(1)
    st.session_state["bp_index"] = 0
    st.session_state["bp_applied"] = None if worker.running else run.epoch


buttons[0].button("Restart", key="bp_restart", on_click=go, args=(0,), width="stretch")
buttons[1].button(
    "Back", key="bp_prev", on_click=go, args=(index - 1,), width="stretch", disabled=index == 0
)
buttons[2].button(
    "Next",
    key="bp_next",
    on_click=go,
    args=(index + 1,),
    width="stretch",
    type="primary",
    disabled=index == len(steps) - 1,
)
buttons[3].button(
    "Apply one epoch",
    key="bp_apply",
    on_click=apply_epoch,
    width="stretch",
    help="One epoch of training for the shared network, as Step 1 does on the main page.",
)
keys(
    {
        "step": ("the next step", lambda: go(index + 1)),
        "back": ("the step before", lambda: go(index - 1)),
    }
)
quiz = quiz_box.toggle(
    "Quiz",
    key="bp_quiz",
    help="Predict the sign, and if you like the power of ten, of each step's first delta or "
    "gradient before it is shown.",
)
if "bp_applied" in st.session_state:
    applied = st.session_state.pop("bp_applied")
    batch = snapshot.settings.batch
    kind = "full-batch epoch" if batch is None else f"epoch of mini-batches of {batch}"
    st.success(
        plain(
            f"Applied one {kind}: the shared network is now at epoch {applied:,}."
            if applied is not None
            else f"Applying one {kind}: it is still training on the Live training page."
        )
    )
step = steps[index]
st.progress(
    (index + 1) / len(steps), text=f"Step {index + 1:,} of {len(steps):,}: {plain(step.title)}"
)
st.latex(step.equation)
asked = question(step) if quiz else None
answers = st.session_state.setdefault("bp_answers", {})
answer_key = (snapshot.generation, snapshot.epoch, row, index)
pending = asked is not None and answer_key not in answers


def check_answer() -> None:
    power = st.session_state["bp_power"]
    right = asked.grade(st.session_state["bp_sign"], None if power == "skip" else power)
    answers[answer_key] = right
    score = st.session_state.setdefault("bp_score", [0, 0, 0, 0])
    score[0] += right[0]
    score[1] += 1
    if right[1] is not None:
        score[2] += right[1]
        score[3] += 1


if pending:
    st.markdown(f"**Predict {plain(asked.name)}** before it is shown:")
    cols = st.columns(3)
    cols[0].radio("Its sign", SIGNS, key="bp_sign", horizontal=True)
    cols[1].selectbox(
        "Its power of ten (optional)",
        ["skip", *POWERS],
        key="bp_power",
        format_func=lambda k: "don't say" if k == "skip" else f"10{sup(k)} to 10{sup(k + 1)}",
    )
    cols[2].button("Check", key="bp_check", on_click=check_answer, type="primary")
else:
    if asked is not None:
        sign_right, power_right = answers[answer_key]
        verdict = (
            f"{asked.name} = {asked.value:.4g}: {asked.sign}, "
            f"between 10{sup(asked.magnitude)} and 10{sup(asked.magnitude + 1)}. "
            + ("Sign right" if sign_right else "Sign wrong")
            + ("" if power_right is None else ", power right" if power_right else ", power wrong")
            + "."
        )
        (st.success if sign_right and power_right is not False else st.error)(plain(verdict))
    st.caption("With this row's numbers: operands blue, result red.")
    st.latex(step.numbers)
if quiz and "bp_score" in st.session_state:
    right, total, powers_right, powers = st.session_state["bp_score"]
    st.caption(
        plain(
            f"Quiz score: {right} of {total} signs"
            + (f", {powers_right} of {powers} powers of ten" if powers else "")
            + ". Every answer is checked against the stepper's own numbers."
        )
    )
if index == len(steps) - 1:
    st.info(
        "That is backprop for one row. Training averages these gradients over all rows: "
        "press **Apply one epoch** to take that full-batch step on the shared network."
    )
# The expander's padding leaves less width: its equations are set a little smaller.
st.html("<style>.st-key-bp_so_far .katex { font-size: 1.05em; }</style>")
if any(is_cut(v) for step in steps for v in step.values.values()):
    st.caption(
        plain(
            f"Matrices larger than {MAX_SHOWN} × {MAX_SHOWN} show their first "
            f"{MAX_SHOWN - 2} and last rows and columns; the dots stand for the rest."
        )
    )
with st.expander("Every step so far", key="bp_so_far"):
    for done in steps[: index if pending else index + 1]:  # a pending question stays hidden
        st.markdown(f"**{plain(done.title)}**")
        st.latex(done.numbers)

st.header("Mystery bug")
st.caption(
    "Plant one of the gradient check's bugs in a single layer of a copy of this network's "
    "backward pass, without being told which, then find the layer from the per-layer check."
)


def plant() -> None:
    st.session_state["bp_mystery_seed"] = st.session_state.get("bp_mystery_seed", -1) + 1
    st.session_state.pop("bp_verdict", None)


st.button("Plant a mystery bug", key="bp_plant", on_click=plant)
if "bp_mystery_seed" in st.session_state:
    network, X, T = snapshot.network, data.X, data.T
    bug, layer = mystery_bug(network, st.session_state["bp_mystery_seed"])
    affordable = affordable_per_layer(network, X, T, fair_seconds(1.0))
    per_layer = min(MYSTERY_PER_LAYER, affordable or MYSTERY_PER_LAYER)

    def check_layers():
        with server_turn():
            gradients = buggy_gradients(network, X, T, bug, layer)
            return layer_errors(network, X, T, gradients, per_layer)

    key = (snapshot.key, st.session_state["bp_mystery_seed"])
    errors = cached("bp_mystery", key, check_layers)
    cols = st.columns(len(errors))
    for l, (col, error) in enumerate(zip(cols, errors)):
        col.metric(
            f"Layer {l + 1}",
            scientific(error, 2),
            "fails" if error > PASS_RELATIVE else "passes",
            delta_color="inverse" if error > PASS_RELATIVE else "off",
        )
    st.caption(
        plain(
            "Each layer's largest relative error between the buggy gradient and central "
            f"differences (ε = 10⁻⁵, up to {per_layer} of its weights and biases); above "
            f"{scientific(PASS_RELATIVE, 1)} it fails."
        )
    )
    guess = st.selectbox(
        "Which layer has the bug?",
        range(len(errors)),
        key="bp_guess",
        format_func=lambda k: f"layer {k + 1}",
    )

    def judge() -> None:
        st.session_state["bp_verdict"] = st.session_state["bp_guess"] == layer

    st.button("Check my answer", key="bp_judge", on_click=judge)
    if "bp_verdict" in st.session_state:
        if st.session_state["bp_verdict"]:
            st.success(
                plain(
                    f"Right: layer {layer + 1}. The bug was: {BUGS[bug]}. A wrong delta "
                    "spoils every layer below it too, because their deltas are built from it: "
                    "the faulty layer is the highest one that fails."
                )
            )
        else:
            st.error(
                plain(
                    f"Not layer {guess + 1}. Hint: a wrong delta is carried back to every "
                    "layer below it, so look for the highest layer that fails."
                )
            )

"""Keys for driving a lecture from a keyboard or a clicker.

One listener on the document per tab (``keys.js``) turns a key press into a trigger that
runs the page's action before its next run; never while the focus is in a text field, a
select box or a slider, which take those keys themselves. F shows the chart under the pointer
full screen, and ? lists the keys, both in the browser alone.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import streamlit as st

KEYS_KEY, DONE_KEY = "lab_keys", "_keys_done"  # in st.session_state
# Every key an action can have, in the order the key list shows them.
KEY_NAMES = {
    "train": "Space",
    "step": "→",
    "step_100": "Shift + →",
    "back": "←",
    "reset": "R",
}
ALWAYS = [
    ("F", "show the chart under the pointer full screen (Esc leaves)"),
    ("?", "show or hide this list"),
]
CSS = """
#bp-keys-help { position: fixed; z-index: 1000100; top: 50%; left: 50%;
  transform: translate(-50%, -50%); background: #fff; color: #1d1f27; padding: 1rem 1.5rem;
  border: 2px solid #1d1f27; border-radius: 0.5rem; box-shadow: 0 0.5rem 2rem #0005;
  font-size: 1.1rem; min-width: 22rem; }
#bp-keys-help h2 { font-size: 1.4rem; margin: 0 0 0.6rem 0; padding: 0; }
#bp-keys-help dl { display: grid; grid-template-columns: auto 1fr; gap: 0.3rem 1.2rem;
  margin: 0 0 0.8rem 0; }
#bp-keys-help dt { font-weight: 700; font-family: monospace; }
#bp-keys-help dd { margin: 0; }
#bp-keys-help button { font-size: 1rem; padding: 0.2rem 1rem; }
#bp-keys-note { position: fixed; z-index: 1000100; bottom: 1.5rem; left: 50%;
  transform: translateX(-50%); background: #1d1f27; color: #fff; padding: 0.5rem 1rem;
  border-radius: 0.4rem; font-size: 1rem; }
.bp-plot:fullscreen { background: #fff; }
"""
_component = st.components.v2.component(
    "backprop_lab_keys",
    js=Path(__file__).with_suffix(".js").read_text(),
    css=CSS,
    isolate_styles=False,  # the listener, the key list and full screen act on the page
)


def keys(actions: dict[str, tuple[str, Callable[[], None]]], hint: bool = True) -> None:
    """Listen for the page's keys: ``actions`` maps an action of ``KEY_NAMES`` to what it
    does, as shown in the key list, and the callback that does it. F and ? work on every page.
    With ``hint``, the sidebar says that ? lists the keys."""
    unknown = set(actions) - set(KEY_NAMES)
    if unknown:
        raise ValueError(f"no key for the actions {sorted(unknown)}; known: {list(KEY_NAMES)}")
    names = [name for name in KEY_NAMES if name in actions]
    help_lines = [(KEY_NAMES[name], actions[name][0]) for name in names] + ALWAYS
    if hint:
        st.sidebar.caption("Keys: press ? to list them.")
    with st.sidebar:
        _component(
            key=KEYS_KEY,
            data={"actions": names, "help": help_lines},
            height=0,
            **{f"on_{name}_change": _once(name, actions[name][1]) for name in names},
        )


def _once(name: str, action: Callable[[], None]) -> Callable[[], None]:
    """``action``, run once per key press: Streamlit replays a trigger into the next run when
    a fragment's run cuts in, and Space must not pause and then train again."""

    def run() -> None:
        press = st.session_state[KEYS_KEY].get(name)
        done = st.session_state.setdefault(DONE_KEY, {})
        if press is not None and done.get(name) != press:
            done[name] = press
            action()

    return run

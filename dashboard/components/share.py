"""Links in and out: the address bar as a shareable link, the share box with a QR code the room
can scan, and a field that opens a TensorFlow Playground link as one of ours."""

from __future__ import annotations

import io
import ipaddress
import os
import socket
from urllib.parse import urlencode, urlsplit, urlunsplit

import segno
import streamlit as st

from backprop_core.validation import brief
from dashboard.components.bootstrap import sync_widgets
from dashboard.state.checks import CUSTOM_DATASET
from dashboard.state.playground import from_playground
from dashboard.state.run import Run
from dashboard.state.scheduler import SERVER_ID
from dashboard.state.settings import PANEL, Settings, settings_to_query
from dashboard.text import plain

PUBLIC_URL_VARIABLE = "BACKPROP_PUBLIC_URL"
QR_SCALE = 8  # pixels per module: crisp when the page shrinks it


def sync_url(run: Run) -> dict[str, str]:
    """Write the configuration into the URL, so the address bar is always a shareable link;
    returns the part that is shared, without the run's token."""
    query = settings_to_query(run.settings)
    # Not shared: the run's token (a reload reattaches to it) and the server (a restart).
    address = {**query, "server": SERVER_ID, "run": run.token}
    if st.query_params.to_dict() != address:
        st.query_params.from_dict(address)
    return query


def _loopback(host: str | None) -> bool:
    if host is None or host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def lan_address() -> str | None:
    """This machine's address on its network: the one a UDP socket to a private address would
    send from (connecting a UDP socket sends nothing), or the host name's; None when offline."""
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("10.254.254.254", 9))
            address = probe.getsockname()[0]
    except OSError:
        try:
            address = socket.gethostbyname(socket.gethostname())
        except OSError:
            return None
    return None if _loopback(address) else address


def room_base(opened: str, public: str | None, lan: str | None) -> tuple[str, str | None]:
    """The address the room can open, and a note on how it was chosen: ``public`` (the
    ``BACKPROP_PUBLIC_URL`` override) when it is an http(s) address; else the page's own
    address ``opened``, with the machine's LAN address ``lan`` in place of a loopback host."""
    note = None
    if public:
        parts = urlsplit(public.strip())
        if parts.scheme in ("http", "https") and parts.hostname:
            path = parts.path if parts.path.endswith("/") else parts.path + "/"
            return urlunsplit((parts.scheme, parts.netloc, path, "", "")), None
        note = f"{PUBLIC_URL_VARIABLE} {brief(public)} is not an http(s) address; ignored. "
    parts = urlsplit(opened)
    base = urlunsplit((parts.scheme, parts.netloc, parts.path or "/", "", ""))
    if not _loopback(parts.hostname):
        return base, note
    if lan is None:
        return base, (note or "") + (
            f"This page was opened as {parts.hostname}, and this machine has no network "
            f"address: the link opens on this machine only. Set {PUBLIC_URL_VARIABLE} to the "
            "address the room uses."
        )
    port = f":{parts.port}" if parts.port else ""
    base = urlunsplit((parts.scheme, f"{lan}{port}", parts.path or "/", "", ""))
    return base, (note or "") + (
        f"This page was opened as {parts.hostname}, which other machines cannot reach: the "
        f"link uses this machine's network address, {lan}."
    )


def qr_png(link: str, scale: int = QR_SCALE) -> bytes:
    """A QR code of ``link`` as PNG, with the standard quiet zone of 4 modules."""
    buffer = io.BytesIO()
    segno.make(link, error="m").save(buffer, kind="png", scale=scale, border=4, dark="#1d1f27")
    return buffer.getvalue()


@st.dialog("Scan to open this setup", width="large")
def _large_qr(link: str) -> None:
    st.container(key="share_qr_large", horizontal_alignment="center").image(
        qr_png(link), width=480, alt="QR code of the link below"
    )
    st.caption(plain(link))


def share_link(run: Run, query: dict[str, str]) -> None:
    """The share box: the link the room can open, its QR code, and what a link cannot carry."""
    # Drawn only while open: the code box pulls in a large script that the first load can skip.
    box = st.sidebar.expander(
        "Share this setup", icon=":material/link:", key="share_open", on_change="rerun"
    )
    if not box.open:
        return
    opened = st.context.url or "http://localhost:8501/"
    base, note = room_base(opened, os.environ.get(PUBLIC_URL_VARIABLE), lan_address())
    link = f"{base}?{urlencode(query)}"
    box.caption(
        "Scan the code or open the link for these settings; the same seed gives the same "
        "curves. Copy it with the button above it."
    )
    if note:
        box.caption(plain(note))
    box.code(link, language=None, wrap_lines=True)
    box.container(key="share_qr").image(
        qr_png(link), width="stretch", alt="QR code of the link above"
    )
    if box.button("Show the code large", key="share_qr_open", icon=":material/qr_code_2:"):
        _large_qr(link)
    if run.settings.dataset == CUSTOM_DATASET:
        box.info(
            "This run trains on an uploaded table, which cannot travel in a link: the link "
            "opens these settings on the default dataset. Send the CSV file along."
        )


def _open_playground(run: Run) -> None:
    text = st.session_state.get("playground_link", "")
    if not text.strip():
        st.session_state.pop("playground_error", None)
        return
    panel = Settings(**{f: getattr(run.settings, f) for f in PANEL})
    try:
        settings, notices = from_playground(text, panel)
    except ValueError as err:
        st.session_state["playground_error"] = str(err)
        return
    st.session_state.pop("playground_error", None)
    run.apply(settings)
    sync_widgets(run)
    st.session_state["url_warnings"] = notices
    st.session_state["notice"] = (
        "Opened the playground link: the address bar and the share box now hold it as a link "
        "of this lab."
    )
    st.session_state["playground_link"] = ""


def playground_box(run: Run) -> None:
    """A field that takes a whole TensorFlow Playground link."""
    box = st.sidebar.expander(
        "Open a playground link", icon=":material/input:", key="playground_open"
    )
    box.text_input(
        "TensorFlow Playground link",
        key="playground_link",
        placeholder="https://playground.tensorflow.org/#activation=tanh&…",
        on_change=_open_playground,
        args=(run,),
        help="Paste a link from playground.tensorflow.org: its dataset, network, activation, "
        "learning rate, batch size, regularization, noise, split, features and display "
        "switches carry over. Also as ?playground=… (its part after the #, URL-encoded).",
    )
    if "playground_error" in st.session_state:
        box.error(plain(st.session_state["playground_error"]))

"""Links in and out: the address the room can open, its QR code, and playground links."""

import io

import segno
from PIL import Image

from dashboard.components.share import qr_png, room_base
from tests.apptest_helpers import errors, new_app, open_link, run_of, shown

LAN = "192.168.1.20"


def test_a_page_opened_on_localhost_is_shared_by_the_machines_lan_address():
    for host in ("localhost", "127.0.0.1", "[::1]"):
        base, note = room_base(f"http://{host}:8501/?lr=1", None, LAN)
        assert base == f"http://{LAN}:8501/"
        assert "other machines cannot reach" in note and LAN in note


def test_a_page_opened_by_its_network_name_keeps_it():
    assert room_base("https://lab.example.edu/sub/?x=1", None, LAN) == (
        "https://lab.example.edu/sub/",
        None,
    )


def test_the_public_url_overrides_both_and_gains_a_trailing_slash():
    base, note = room_base("http://localhost:8501/", "https://lab.example.edu/backprop", LAN)
    assert (base, note) == ("https://lab.example.edu/backprop/", None)


def test_a_public_url_that_is_no_http_address_is_named_and_ignored():
    base, note = room_base("http://localhost:8501/", "ftp://lab", LAN)
    assert base == f"http://{LAN}:8501/"
    assert note.startswith("BACKPROP_PUBLIC_URL 'ftp://lab' is not an http(s) address; ignored")


def test_without_a_lan_address_the_note_says_the_link_works_here_only():
    base, note = room_base("http://localhost:8501/", None, None)
    assert base == "http://localhost:8501/" and "on this machine only" in note


def test_the_qr_code_is_a_png_of_the_link_with_a_quiet_zone():
    link = f"http://{LAN}:8501/?dataset=half_adder&hidden=2%2C2&lr=0.5"
    image = Image.open(io.BytesIO(qr_png(link, scale=1))).convert("L")
    modules = segno.make(link, error="m").symbol_size(scale=1, border=4)
    assert image.size == modules
    pixels = image.load()
    assert pixels[0, 0] == 255 and pixels[4, 4] < 128  # white border, dark finder corner


def _images(node) -> list:
    found = [node] if getattr(node, "type", None) == "image" else []
    for child in getattr(node, "children", {}).values():
        found += _images(child)
    return found


def open_share_box(**params):
    return open_link({"share_open": True}, **params)


def test_the_share_box_shows_the_link_with_the_log_choice_and_its_qr_code():
    at = open_share_box(log="1")
    (code,) = at.get("code")
    assert "log=1" in code.proto.code_text and "server=" not in code.proto.code_text
    (box,) = [e for e in at.get("expander") if e.label == "Share this setup"]
    assert len(_images(box)) == 1, "no QR code drawn"


def test_the_share_box_says_an_uploaded_table_cannot_travel():
    at = open_share_box()
    at.session_state["files_open"] = True
    at.run().file_uploader(key="dataset_upload").upload("t.csv", b"in:a,out:y\n0,1\n1,0\n").run()
    assert any("cannot travel in a link" in text for text in shown(at.info))


def test_a_playground_link_in_our_url_opens_as_our_own_link():
    at = open_link(playground="activation=relu&networkShape=3&dataset=xor&cosX=true")
    assert not at.exception
    settings = run_of(at).settings
    assert (settings.activation, settings.hidden, settings.dataset) == ("relu", (3,), "xor")
    assert "playground" not in at.query_params and at.query_params["activation"] == "relu"
    assert any("cosX has no counterpart" in text for text in shown(at.warning))


def test_a_playground_link_pasted_into_the_field_replaces_the_setup():
    at = new_app().run()
    at.text_input(key="playground_link").input(
        "https://playground.tensorflow.org/#learningRate=0.3&batchSize=5&dataset=gauss&x=maybe"
    ).run()
    settings = run_of(at).settings
    assert (settings.learning_rate, settings.batch, settings.dataset) == (0.3, 5, "gauss")
    assert at.query_params["lr"] == "0.3" and at.text_input(key="playground_link").value == ""
    assert any("'maybe' is not true or false" in text for text in shown(at.warning))


def test_a_pasted_text_that_is_no_playground_link_is_refused_under_the_field():
    at = new_app().run()
    before = run_of(at).settings
    at.text_input(key="playground_link").input("<b>hello</b>").run()
    assert run_of(at).settings == before
    assert any("'<b>hello</b>' is not a playground link" in text for text in errors(at))

"""The lecture workflow under AppTest: URL state, uploads, save/load, kept runs, rewind, lecture."""

import json
import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from backprop_core import Network, Trainer, datasets
from backprop_core.persistence import network_to_dict, network_to_json
from dashboard.components.bootstrap import RESTARTED
from dashboard.reports import history_csv
from dashboard.state.scheduler import SERVER_ID
from dashboard.state.settings import Settings
from tests.apptest_helpers import (
    array,
    charts,
    epoch,
    errors,
    heatmap_shapes,
    open_link,
    run_of,
    shown,
)


def test_a_shared_link_restores_exactly_that_configuration():
    at = open_link(
        dataset="xor",
        hidden="3,4",
        lr="0.25",
        activation="tanh",
        cost="mse",
        init="xavier",
        seed="7",
    )
    assert not at.exception and not at.warning
    assert at.selectbox(key="dataset").value == "xor"
    assert at.text_input(key="hidden_layers").value == "3, 4"
    assert at.number_input(key="learning_rate").value == 0.25
    assert at.selectbox(key="activation").value == "tanh"
    assert at.selectbox(key="init").value == "xavier"
    assert at.number_input(key="seed").value == 7
    assert heatmap_shapes(at) == [(2, 3), (3, 4), (4, 1)]
    expected = Network([2, 3, 4, 1], "tanh", seed=7, init="xavier").params
    np.testing.assert_array_equal(run_of(at).network.params, expected)


def test_the_same_link_gives_the_same_curves():
    costs = []
    for _ in range(2):
        at = open_link(hidden="3", lr="2", seed="11")
        at.button(key="step_100").click().run()
        costs.append(run_of(at).history.cost.copy())
    assert costs[0].tobytes() == costs[1].tobytes()


def test_the_url_follows_the_controls():
    at = open_link()
    at.text_input(key="hidden_layers").input("3, 4").run()
    at.number_input(key="learning_rate").set_value(1.5).run()
    assert at.query_params["hidden"] == "3,4" and at.query_params["lr"] == "1.5"


@pytest.mark.parametrize(
    "params, words",
    [
        ({"hidden": "2,x"}, "'x' in '2,x' is not a whole number"),
        ({"lr": "nan"}, "learning rate must be a number from 1e-06 to 1000"),
        ({"hidden": "100000"}, "100000 in '100000' is out of range"),
        ({"seed": "-1"}, "seed must be a whole number"),
        ({"activation": "x" * 10_000}, "10,000 characters long"),
        ({"dataset": "mnist"}, "unknown dataset 'mnist'"),
        ({"speed": "fast"}, "speed must be one of paced, 1, 10, 100, 1000, max, got 'fast'"),
    ],
)
def test_malformed_link_parameters_fall_back_to_defaults_with_a_warning(params, words):
    at = open_link(**params)
    assert not at.exception
    assert any(words in w and ("default" in w or "max" in w) for w in shown(at.warning))
    run = run_of(at)
    assert run.network.sizes == [2, 2, 2, 2] and run.settings.learning_rate == 0.5


def test_lecture_mode_keeps_the_buttons_the_dataset_the_learning_rate_and_the_speed():
    at = open_link(lecture="1", hidden="3")
    assert not at.exception
    keys = {b.key for b in at.button}
    assert keys == {"train", "pause", "step", "step_100", "reset"}
    assert at.selectbox(key="dataset").value == "half_adder"
    assert at.selectbox(key="epochs_per_refresh").value == "paced"  # lecture mode's default
    at.number_input(key="learning_rate").set_value(2.0).run()
    assert run_of(at).settings.learning_rate == 2.0
    assert not [w for w in at.sidebar.text_input]  # the settings panel is hidden
    assert run_of(at).settings.stops_when_solved  # on by default in lecture mode
    assert heatmap_shapes(at) == [(2, 3), (3, 2)]
    at.toggle(key="lecture_toggle").set_value(False).run()
    assert at.text_input(key="hidden_layers").value == "3"


def upload(at: AppTest, key: str, name: str, content: str) -> AppTest:
    at.session_state["files_open"] = True
    return at.run().file_uploader(key=key).upload(name, content.encode()).run()


def test_the_files_box_draws_its_uploaders_and_downloads_only_once_opened():
    at = open_link()
    assert not at.get("file_uploader") and not at.get("download_button")
    at.session_state["files_open"] = True
    at.run()
    assert {u.key for u in at.get("file_uploader")} == {"dataset_upload", "network_upload"}
    labels = {d.proto.label for d in at.get("download_button")}
    assert labels == {"Download the network (JSON)", "Download the history (CSV)"}


def test_closing_the_files_box_forgets_an_upload_error():
    at = open_link()
    upload(at, "network_upload", "evil.json", '{"format": "pickle"}')
    assert errors(at)
    at.session_state["files_open"] = False
    assert not errors(at.run())
    at.session_state["files_open"] = True
    assert not errors(at.run())


def test_an_uploaded_truth_table_becomes_the_training_set():
    at = open_link()
    upload(at, "dataset_upload", "gates.csv", "in:a,in:b,in:c,out:all\n0,0,0,0\n1,1,1,1\n1,0,1,0\n")
    assert not at.exception and not errors(at)
    run = run_of(at)
    assert run.network.sizes == [3, 2, 2, 1] and len(run.data.X) == 3
    assert at.selectbox(key="dataset").value == "custom"
    assert "dataset" not in at.query_params  # an upload cannot travel in a link


@pytest.mark.parametrize(
    "content, words",
    [
        ("in:a,out:b\n0,2\n", "targets must lie in [0, 1]"),
        ("", "the file is empty"),
        ("a,b\n0,1\n", "must be in:NAME"),
        ("in:a,out:b\n0,x\n", "'x' is not a number"),
        ("in:a,out:b\n" + "0,1\n" * 300, "at most 256"),
    ],
)
def test_a_bad_truth_table_shows_an_error_and_keeps_the_network(content, words):
    at = open_link()
    upload(at, "dataset_upload", "bad.csv", content)
    assert not at.exception
    assert any(words in e for e in errors(at))
    assert run_of(at).network.sizes == [2, 2, 2, 2]


def test_a_saved_network_loads_back_and_predicts_the_same_to_the_bit():
    X, T = datasets.half_adder()
    net = Network([2, 3, 2], "tanh", seed=5)
    Trainer(net, X, T, 0.3).step(500)
    at = open_link()
    upload(at, "network_upload", "net.json", network_to_json(net, 500, dataset="half_adder"))
    assert not at.exception and not errors(at)
    run = run_of(at)
    assert run.network.predict(X).tobytes() == net.predict(X).tobytes()
    assert at.text_input(key="hidden_layers").value == "3"
    assert at.selectbox(key="activation").value == "tanh"
    assert any("trained for 500 epochs" in i for i in shown(at.info))


def test_a_bad_network_file_is_refused_and_the_network_kept():
    at = open_link()
    upload(at, "network_upload", "evil.json", '{"format": "pickle"}')
    assert any("not a Backprop Lab network file" in e for e in errors(at))
    assert run_of(at).network.sizes == [2, 2, 2, 2]


def test_history_csv_has_a_line_per_epoch():
    at = open_link()
    at.button(key="step_100").click().run()
    text = history_csv(run_of(at))
    lines = text.splitlines()
    assert lines[0] == "epoch,cost,delta_1,delta_2,delta_3" and len(lines) == 101
    assert lines[1].startswith("0,0.26")


def test_kept_runs_overlay_the_cost_and_delta_charts_with_their_settings():
    at = open_link(seed="3")
    at.button(key="step_100").click().run()
    at.button(key="keep_run").click().run()
    at.number_input(key="learning_rate").set_value(2.0).run()
    at.button(key="reset").click().run()
    at.button(key="step_100").click().run()
    at.button(key="keep_run").click().run()
    cost_chart = next(
        c for c in charts(at) if c["layout"]["title"]["text"].startswith("Cost C per e")
    )
    names = [trace["name"] for trace in cost_chart["data"]]
    assert names[:3] == ["this run", "output sum", "output carry"]  # the per-output curves
    kept = names[3:]
    assert kept == ["kept 1: lr=0.5, seed 3", "kept 2: lr=2, seed 3"]
    hovers = [trace["hovertemplate"] for trace in cost_chart["data"][3:]]
    assert "lr=0.5 · 2, 2 · sigmoid · seed 3 (100 epochs)" in hovers[0]
    delta_chart = next(c for c in charts(at) if "δ" in c["layout"]["title"]["text"])
    assert len(delta_chart["data"]) == 3 + 2 * 3
    labels = [run.label for run in run_of(at).kept]
    at.multiselect(key="remove_runs").set_value([labels[0]]).run()
    assert len(run_of(at).kept) == 1


def test_at_most_ten_runs_are_kept():
    at = open_link()
    at.button(key="step").click().run()
    for _ in range(11):
        at.button(key="keep_run").click().run()
    assert len(run_of(at).kept) == 10
    assert any("10 runs are kept already" in i for i in shown(at.info))


def test_rewind_shows_a_snapshot_and_resume_continues_from_it():
    at = open_link()
    at.button(key="step_100").click().run()
    at.toggle(key="rewind_on").set_value(True).run()
    at.select_slider(key="rewind_epoch").set_value(20).run()
    run = run_of(at)
    assert run.rewound_to == 20 and run.epoch == 100
    cost_chart = charts(at)[0]
    assert cost_chart["layout"]["shapes"][0]["x0"] == 20
    reference = Network([2, 2, 2, 2], seed=0)
    Trainer(reference, *datasets.half_adder(), 0.5).step(20)
    shown = heatmap_weights(at)
    np.testing.assert_array_equal(shown[0], reference.weights[0].astype(np.float32))
    at.button(key="rewind_resume").click().run()
    assert run.epoch == 20 and run.rewound_to is None
    np.testing.assert_array_equal(run.network.params, reference.params)


def heatmap_weights(at: AppTest) -> list[np.ndarray]:
    return [
        array(fig["data"][0]["z"])
        for fig in charts(at)
        if fig["data"] and fig["data"][0].get("name", "").startswith("W")
    ]


def test_the_share_box_draws_the_link_only_once_opened():
    at = open_link(hidden="3", seed="4")
    assert not at.code  # a first visit skips the code box and its script
    at.session_state["share_open"] = True
    link = at.run().code[0].value
    assert "hidden=3&" in link and "seed=4" in link
    assert "server=" not in link  # the address bar's server name is not for sharing


def test_a_page_drawn_by_an_earlier_server_says_the_server_restarted():
    at = open_link(hidden="3", seed="4", server="0123abcd")
    assert RESTARTED in shown(at.warning)
    assert run_of(at).settings.hidden == (3,)  # the link's settings
    assert at.query_params["server"] == SERVER_ID


@pytest.mark.parametrize(
    "params",
    [{}, {"hidden": "3"}, {"server": SERVER_ID}, {"server": ""}, {"server": "x"}]
    + [{"server": "0123ABCD"}, {"server": "0123abcd0"}, {"server": "<b>0123abcd</b>"}],
)
def test_a_first_visit_or_a_page_from_this_server_shows_no_restart_notice(params):
    at = open_link(**params)
    assert RESTARTED not in shown(at.warning)
    assert at.query_params["server"] == SERVER_ID


PIXEL = "![pix](http://host/track.png)"
PHISH = ":red[**Log in:**] [here](http://host/phish)"


def test_link_payloads_are_shown_as_literal_text_and_fall_back_to_defaults():
    at = open_link(hidden=PIXEL, speed=PHISH, seed="٣", lr="٠.٥")
    assert not at.exception
    raw = [w.value for w in at.warning]
    assert len(raw) == 4
    assert not any("![" in w or "](" in w or ":red[" in w for w in raw)  # every mark escaped
    seen = " ".join(shown(at.warning))
    assert PIXEL in seen and PHISH[:30] in seen and "…" in seen
    run = run_of(at)
    assert run.settings == Settings() and run.settings.pace == "max"


def _saved_json(**changes) -> str:
    data = network_to_dict(Network([2, 3, 2], "tanh", seed=5), 7, dataset="half_adder")
    data.update(changes)
    return json.dumps(data)


@pytest.mark.parametrize(
    "content, words",
    [
        ("[" * 100_000 + "]" * 100_000, "nests 100,000 levels deep"),
        ('{"sizes": ' + "[" * 5000 + "]" * 5000 + "}", "nests 5,001 levels deep"),
        (_saved_json(init=[1]), "init must be a name"),
        (_saved_json(weights=[[[10**4000, 0, 0], [0, 0, 0]], [[0, 0]] * 3]), "finite numbers"),
        (_saved_json(seed=2**70), "seed must be a whole number from 0 to 4294967295"),
        (_saved_json(format="x" * 900_000), "not a Backprop Lab network file"),
        (_saved_json(version=True), "version True"),
    ],
    ids=["brackets", "deep sizes", "init list", "huge int", "huge seed", "huge format", "true"],
)
def test_crafted_network_files_show_a_short_error_and_keep_the_state(content, words):
    at = open_link()
    at.button(key="step_100").click().run()
    before = run_of(at).network.params.copy()
    upload(at, "network_upload", "crafted.json", content)
    assert not at.exception
    (message,) = errors(at)
    assert words in message and len(message) <= 320
    run = run_of(at)
    assert run.epoch == 100 and np.array_equal(run.network.params, before)
    at.run()  # and later runs stay clean: no seed or other error left behind
    assert not at.exception and errors(at) == [message]


@pytest.mark.parametrize(
    "content, words",
    [
        ("in:a,in:a,out:b\n0,0,0\n", "column name 'a' appears twice"),
        ('in:a,out:<span style="font-size:90px">BIG</span>\n0,1\n', "is not allowed"),
        (f"in:a,out:{PIXEL}\n0,1\n", "is not allowed"),
    ],
)
def test_csv_column_names_must_be_plain_unique_labels(content, words):
    at = open_link()
    upload(at, "dataset_upload", f"{PIXEL}.csv", content)
    assert not at.exception
    (message,) = errors(at)
    assert words in message and "![pix](http://host/trac" in message  # the file name, as text
    assert "![" not in at.error[0].value
    assert run_of(at).network.sizes == [2, 2, 2, 2]


def test_a_link_hides_the_lecture_controls_it_names():
    at = open_link(lecture="1", hide="dataset,speed,step_100")
    assert not at.exception and not at.warning
    assert {b.key for b in at.button} == {"train", "pause", "step", "reset"}
    assert not at.get("selectbox") and at.number_input(key="learning_rate")
    assert at.query_params["hide"] == "dataset,speed,step_100"


@pytest.mark.parametrize(
    "params, words",
    [
        ({"lecture": "maybe"}, "lecture must be 1 or 0, got 'maybe'"),
        ({"stop_solved": "yes"}, "stop_solved must be 1 or 0, got 'yes'"),
        ({"hide": "dataset,![x](http://h/p.png)"}, "controls to hide must be among dataset"),
    ],
)
def test_bad_lecture_parameters_warn_and_fall_back(params, words):
    at = open_link(**params)
    assert not at.exception
    assert any(words in w for w in shown(at.warning))
    assert {"keep_run", "step_100"} <= {b.key for b in at.button}  # normal mode, all shown


def test_a_saved_network_brings_back_its_epoch_and_history():
    X, T = datasets.half_adder()
    trainer = Trainer(Network([2, 3, 2], "tanh", seed=5), X, T, 0.3, track_outputs=True)
    trainer.step(500)
    at = open_link()
    upload(at, "network_upload", "net.json", network_to_json(trainer.network, 500, trainer.history))
    assert not at.exception and not errors(at)
    run = run_of(at)
    assert run.epoch == 500 and epoch(at) == 500
    assert run.history.cost.tobytes() == trainer.history.cost.tobytes()
    assert any("with its history; training continues from epoch 500" in i for i in shown(at.info))
    at.button(key="step").click().run()
    assert epoch(at) == 501 and run.snapshots.epochs[0] == 500


def test_a_failed_upload_clears_the_last_loaded_notice():
    at = open_link()
    upload(at, "network_upload", "net.json", network_to_json(Network([2, 3, 2], seed=1), 7))
    assert any("Loaded a 2-3-2 network" in i for i in shown(at.info))
    at.file_uploader(key="network_upload").upload("bad.json", b"{oops").run()
    assert errors(at) and not at.info


def test_stop_when_solved_follows_lecture_mode_unless_the_link_says_otherwise():
    assert run_of(open_link(lecture="1")).settings.stops_when_solved
    at = open_link(lecture="1", stop_solved="0")
    assert not run_of(at).settings.stops_when_solved
    assert at.query_params["stop_solved"] == "0"
    assert run_of(open_link(stop_solved="1")).settings.stops_when_solved
    assert "stop_solved" not in open_link().query_params


def test_a_mini_batch_link_that_blows_up_keeps_every_button_and_says_why():
    at = open_link(batch="2", lr="1000", activation="identity")
    at.button(key="step_100").click().run()
    assert not at.exception
    assert {"train", "pause", "step", "step_100", "reset"} <= {b.key for b in at.button}
    assert any("Training stopped at epoch" in e for e in errors(at))
    at.button(key="train").click().run()
    at.button(key="step").click().run()
    at.button(key="reset").click().run()
    assert not at.exception and run_of(at).epoch == 0


def test_an_empty_batch_in_a_link_means_full_batch_without_a_warning():
    at = open_link(batch="")
    assert not at.warning and run_of(at).settings.batch is None


def test_a_link_of_hundreds_of_digits_is_echoed_in_at_most_about_forty_characters():
    for value in ["1" * 199, ",".join(["1"] * 99), "9" * 199 + "x"]:
        at = open_link(hidden=value)
        (warning,) = shown(at.warning)
        longest = max(len(run) for run in re.findall(r"[0-9,]+", warning))
        assert longest <= 40 and len(warning) < 260, warning


def test_a_table_with_huge_inputs_is_refused_at_upload_with_the_value_and_the_range():
    at = open_link()
    upload(at, "dataset_upload", "huge.csv", "in:a,in:b,out:y\n1e308,-1e308,1\n0,0,0\n1,0,1\n")
    assert not at.exception
    (message,) = errors(at)
    assert "input 'a' is 1e+308; inputs must lie between −1,000,000 and 1,000,000" in message
    assert run_of(at).custom_data is None


def test_a_valid_table_loads_whatever_the_current_batch_size():
    at = open_link(dataset="spiral", batch="100")
    upload(at, "dataset_upload", "xor.csv", "in:a,in:b,out:y\n0,0,0\n0,1,1\n1,0,1\n1,1,0\n")
    assert not at.exception and not errors(at)
    run = run_of(at)
    assert run.settings.dataset == "custom" and run.settings.batch is None
    assert any("uses the full batch" in i for i in shown(at.info))


def test_a_saved_network_loads_whatever_the_current_batch_size():
    at = open_link(dataset="spiral", batch="100")
    text = network_to_json(Network([2, 3, 2], seed=1), 0, dataset="half_adder")
    upload(at, "network_upload", "net.json", text)
    assert not at.exception and not errors(at)
    assert run_of(at).network.sizes == [2, 3, 2]


def test_removing_one_of_two_identical_kept_runs_keeps_the_other():
    at = open_link()
    at.button(key="step_100").click().run()
    at.button(key="keep_run").click().run()
    at.button(key="keep_run").click().run()
    run = run_of(at)
    first, second = (kept.label for kept in run.kept)
    at.multiselect(key="remove_runs").select(second).run()
    assert [kept.label for kept in run.kept] == [first]


def test_every_file_the_page_saves_uploads_back_through_the_page():
    at = open_link(dataset="multi_gauss", hidden=",".join(["64"] * 8), train="90")
    at.session_state["files_open"] = True
    at.run()
    run = run_of(at)
    run.history.append(
        6000,
        cost=np.linspace(1, 0, 6000),
        delta_magnitude=np.ones((6000, 9)),
        gradient_norm=np.full((6000, 9), np.inf),
    )
    text = run.saved_file()
    assert len(text.encode()) <= 1_000_000
    upload(at, "network_upload", "saved.json", text)
    assert not at.exception and not errors(at)
    assert run_of(at).epoch == 6000


def test_the_gif_button_says_so_before_training_and_offers_the_gif_after():
    at = open_link()
    at.session_state["files_open"] = True
    at.run().button(key="make_gif").click().run()
    assert any("no snapshots yet" in text for text in shown(at.info))
    assert not [d for d in at.get("download_button") if "GIF" in d.proto.label]
    run_of(at).train(2000, None)
    at.button(key="make_gif").click().run()
    assert not at.exception and not any("no snapshots" in t for t in shown(at.info))
    (gif,) = [d for d in at.get("download_button") if "GIF" in d.proto.label]
    label = r"Download the GIF to epoch 2,000 \(\d+ frames, [\d.]+ MB\)"
    assert re.fullmatch(label, gif.proto.label)
    made = at.session_state["gif"]
    assert made["name"] == "run_half-adder-2-2-2-2-sigmoid-lr0.5-seed0-epoch2000.gif"
    assert made["movie"].data[:6] == b"GIF89a" and made["movie"].epochs[-1] == 2000

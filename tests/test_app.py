import math
import re
import tomllib
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest

from backprop_core import diagnostics
from dashboard.components.chrome import YES
from dashboard.state.scheduler import SCHEDULER
from dashboard.text import metric_number
from tests.apptest_helpers import (
    array,
    charts,
    epoch,
    errors,
    heatmap_shapes,
    metric,
    number,
    open_link,
    run_app,
    run_of,
    shown,
    worker_of,
)

ROOT = Path(__file__).resolve().parent.parent


def cost(at) -> float:
    return number(metric(at, "Cost"))


def test_first_run_shows_the_reference_network_paused_at_epoch_0():
    at = run_app()
    assert not at.exception
    assert epoch(at) == 0 and 0.2 < cost(at) < 0.3
    assert at.text_input(key="hidden_layers").value == "2, 2"
    assert at.number_input(key="learning_rate").value == 0.5
    assert at.selectbox(key="activation").value == "sigmoid"
    assert heatmap_shapes(at) == [(2, 2), (2, 2), (2, 2)]


def test_train_advances_the_epoch_and_lowers_the_cost_over_refreshes():
    at = run_app()
    start = cost(at)
    at.button(key="train").click().run()
    seen = [epoch(at)]
    for _ in range(3):
        at.run()
        seen.append(epoch(at))
    assert not at.exception
    assert seen == sorted(seen) and seen[0] > 0 and seen[-1] > seen[0]
    assert cost(at) < start


def test_pause_holds_the_epoch_still():
    at = run_app()
    at.button(key="train").click().run()
    at.button(key="pause").click().run()
    held = epoch(at)
    at.run().run()
    assert epoch(at) == held and metric(at, "Status") == "Paused"


def test_step_advances_by_exactly_one_and_step_100_by_a_hundred():
    at = run_app()
    at.button(key="step").click().run()
    assert epoch(at) == 1
    at.button(key="step_100").click().run()
    assert epoch(at) == 101


def test_reset_goes_back_to_epoch_0_with_the_same_start():
    at = run_app()
    first_cost = cost(at)
    at.button(key="step_100").click().run()
    at.button(key="reset").click().run()
    assert epoch(at) == 0 and cost(at) == first_cost


def test_hidden_layers_3_4_2_give_four_heatmaps_of_the_right_shapes():
    at = run_app()
    at.text_input(key="hidden_layers").input("3, 4, 2").run()
    assert not at.exception
    assert heatmap_shapes(at) == [(2, 3), (3, 4), (4, 2), (2, 2)]
    assert any("Re-initialised" in i and "3, 4, 2" in i for i in shown(at.info))


def test_changing_the_learning_rate_takes_effect_without_a_reset():
    at = run_app()
    at.button(key="step_100").click().run()
    at.number_input(key="learning_rate").set_value(2.0).run()
    assert epoch(at) == 100 and not at.info
    at.button(key="step").click().run()
    assert epoch(at) == 101 and "learning rate 2" in shown(at.caption)[0]


@pytest.mark.parametrize(
    "text", ["2, x", "0", "-1", "", "1e9", "2,,2", "  3 ;4", "65", "1,1,1,1,1,1,1,1,1"]
)
def test_bad_hidden_layers_show_an_error_and_keep_the_previous_network(text):
    at = run_app()
    at.text_input(key="hidden_layers").input("3, 4, 2").run()
    at.button(key="step_100").click().run()
    at.text_input(key="hidden_layers").input(text).run()
    assert not at.exception
    message = " ".join(errors(at))
    assert "hidden layers must be up to 8" in message and "from 1 to 64" in message
    assert "Keeping the last good network" in message
    assert heatmap_shapes(at) == [(2, 3), (3, 4), (4, 2), (2, 2)] and epoch(at) == 100


@pytest.mark.parametrize("lr", [0.0, -1.0, 1e-7, math.inf, math.nan])
def test_bad_learning_rates_show_an_error_and_keep_the_network(lr):
    at = run_app()
    at.button(key="step_100").click().run()
    at.number_input(key="learning_rate").set_value(lr).run()
    assert not at.exception
    assert any("learning rate must be a number from 1e-06 to 1000" in e for e in errors(at))
    at.button(key="step").click().run()
    assert epoch(at) == 101 and "learning rate 0.5" in shown(at.caption)[0]


def test_a_refused_learning_rate_leaves_the_last_good_value_in_the_field_and_says_why():
    at = run_app()
    at.number_input(key="learning_rate").set_value(2.0).run()
    at.number_input(key="learning_rate").set_value(0.0).run()  # what letters typed there send
    assert at.number_input(key="learning_rate").value == 2.0
    (message,) = errors(at)
    assert message == (
        "learning rate must be a number from 1e-06 to 1000, got 0.0; the field is back at 2."
    )
    at.number_input(key="learning_rate").set_value(3.0).run()
    assert not errors(at) and run_of(at).settings.learning_rate == 3.0


def test_a_batch_larger_than_the_data_is_refused_under_its_field_naming_both_numbers():
    at = open_link(dataset="circle", train="20")
    at.text_input(key="batch").input("800").run()
    assert not at.main.error and at.text_input(key="batch").value == "800"
    (message,) = shown(at.sidebar.error)
    assert message.startswith("batch size 800 is larger than the 100 training rows")
    assert run_of(at).settings.batch is None


def test_the_stability_note_speaks_of_the_learning_rate_just_typed():
    at = run_app()
    at.number_input(key="learning_rate").set_value(30.0).run()  # 2/λ_max is 23 here
    note = next(c for c in shown(at.caption) if c.startswith("2/λ"))
    assert "η = 30 is above it" in note


def test_none_means_no_hidden_layer():
    at = run_app()
    at.text_input(key="hidden_layers").input("none").run()
    assert heatmap_shapes(at) == [(2, 2)] and not errors(at)


def test_divergence_stops_training_and_says_why():
    at = run_app()
    at.selectbox(key="activation").set_value("identity").run()
    at.number_input(key="learning_rate").set_value(50.0).run()
    at.button(key="train").click().run()
    at.run()
    assert not at.exception
    assert metric(at, "Status") == "Diverged"
    assert any("Lower the learning rate" in e for e in errors(at))


def test_the_speed_control_sets_the_epochs_per_refresh_and_the_link():
    at = run_app()
    at.selectbox(key="epochs_per_refresh").set_value("10").run()
    assert run_of(at).settings.speed == "10"
    assert at.query_params["speed"] == "10"


def outputs_rows(at) -> list[str]:
    table = next(h.proto.body for h in at.get("html") if 'class="bp-table"' in h.proto.body)
    return re.findall(r"<tr>(.*?)</tr>", table)[1:]


def test_the_outputs_table_has_a_row_per_input_and_says_which_are_correct():
    at = run_app()
    assert len(outputs_rows(at)) == 4
    worker_of(at).step(20_000)
    at.run()
    assert all(row.endswith(f'<td class="bp-yes">{YES}</td>') for row in outputs_rows(at))


def test_the_config_phones_nowhere_and_turns_the_module_rescans_off():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["browser"]["gatherUsageStats"] is False
    assert config["server"]["fileWatcherType"] == "none"
    assert config["runner"]["postScriptGC"] is False


def test_the_config_never_shows_a_user_a_traceback_or_a_server_path():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["client"]["showErrorDetails"] == "none"


def test_the_config_serves_the_static_folder_that_holds_plotly_js():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["enableStaticServing"] is True


def test_a_new_architecture_while_training_says_that_training_paused():
    at = run_app()
    at.button(key="train").click().run()
    at.text_input(key="hidden_layers").input("3").run()
    assert any("Training paused: press Train to go on" in i for i in shown(at.info))
    assert not worker_of(at).running


def test_the_log_scale_epoch_axis_switch_changes_both_curves():
    at = run_app()
    at.button(key="step_100").click().run()
    at.toggle(key="log_epochs").set_value(True).run()
    curves = [c for c in charts(at) if c["layout"]["yaxis"].get("type") == "log"]
    assert len(curves) == 2 and all(c["layout"]["xaxis"]["type"] == "log" for c in curves)


def test_a_bad_value_shows_its_message_right_under_its_own_field():
    at = run_app()
    at.text_input(key="hidden_layers").input("2,,2").run()
    order = [getattr(e, "key", None) or e.type for e in at.sidebar]
    field = order.index("hidden_layers")
    assert order[field + 1] == "alert" or "error" in str(order[field + 1])
    assert order.index("activation") > field + 1


def test_a_divergence_shows_the_epoch_and_cost_of_the_parameters_kept():
    at = run_app()
    at.selectbox(key="activation").set_value("identity").run()
    at.number_input(key="learning_rate").set_value(50.0).run()
    at.button(key="step_100").click().run()
    run = run_of(at)
    assert epoch(at) == run.history.diverged_at - 1
    assert metric(at, "Cost") == metric_number(run.history.cost[-1])
    assert any(f"parameters of epoch {epoch(at)}" in e for e in errors(at))


def test_a_two_input_truth_table_shows_each_output_with_its_four_corners():
    at = run_app()
    surfaces = [f for f in charts(at) if f["layout"]["title"]["text"].startswith("Output ")]
    assert [f["layout"]["title"]["text"] for f in surfaces] == ["Output sum", "Output carry"]
    for j, fig in enumerate(surfaces):
        corners = fig["data"][1]
        assert len(array(corners["x"])) == 4
        np.testing.assert_array_equal(
            array(corners["marker"]["color"]), [[0, 1, 1, 0], [0, 0, 0, 1]][j]
        )
        assert fig["layout"]["xaxis"]["range"] == [-0.25, 1.25]


def test_a_busy_server_stretches_the_redraws_and_the_page_says_so():
    with ExitStack() as others:  # nine other sessions training on this server
        for _ in range(9):
            others.enter_context(SCHEDULER.worker())
        at = run_app()
        at.button(key="train").click().run()
        captions = shown(at.caption)
        at.button(key="pause").click().run()
    expected = "Redrawing every 0.4 s instead of 0.1 s: 10 sessions are training on this server."
    assert any(expected in c for c in captions), captions


def test_alone_on_the_server_the_page_redraws_ten_times_a_second_without_a_note():
    at = run_app()
    at.button(key="train").click().run()
    captions = shown(at.caption)
    at.button(key="pause").click().run()
    assert not any("Redrawing every" in c for c in captions)


def test_beside_the_learning_rate_a_paused_page_gives_the_stable_step_limit():
    at = run_app()
    run = run_of(at)
    X, T = run.data.X, run.data.T
    limit = 2 / diagnostics.sharpness(run.network, X, T, iterations=100)
    note = next(c for c in shown(at.sidebar.caption) if c.startswith("2/λₘₐₓ"))
    assert note.startswith(f"2/λₘₐₓ = {limit:.3g} at these parameters; η = 0.5 is below it.")

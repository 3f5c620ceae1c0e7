"""The 2-D point sets in the dashboard: their link parameters, controls, metrics, cost chart
and decision surface."""

import numpy as np
import pytest

from backprop_core import Network, datasets
from dashboard.figures import surface as figures
from dashboard.figures.thumbnails import COLOURS, dataset_thumbnail
from dashboard.state.checks import (
    REGULARIZATION_RATES,
    parse_batch,
)
from dashboard.state.run import Run
from dashboard.state.settings import (
    Settings,
    settings_from_query,
    settings_to_query,
)
from tests.apptest_helpers import (
    array,
    charts,
    errors,
    metric,
    open_link,
    run_of,
    shown,
)

SPIRAL = dict(dataset="spiral", hidden="8,8", activation="tanh", cost="cross_entropy")


def test_a_link_restores_every_playground_setting_and_round_trips():
    params = dict(
        dataset="spiral",
        noise="20",
        train="70",
        data_seed="4",
        features="x1,x2,sin_x1",
        batch="10",
        reg="l2",
        rate="0.003",
        show_test="1",
        discretize="1",
    )
    settings, warnings = settings_from_query(params)
    assert warnings == []
    assert settings == Settings(
        dataset="spiral",
        noise=20,
        train=70,
        data_seed=4,
        features=("x1", "x2", "sin_x1"),
        batch=10,
        regularization="l2",
        rate=0.003,
        show_test=True,
        discretize=True,
    )
    again, _ = settings_from_query(settings_to_query(settings))
    assert again == settings


@pytest.mark.parametrize(
    "key, value, message",
    [
        ("noise", "51", "noise must be a whole percentage from 0 to 50, got '51'"),
        ("noise", "2.5", "noise must be a whole percentage from 0 to 50, got '2.5'"),
        ("train", "75", "training share must be a whole percentage from 10 to 90 in steps of 10"),
        ("train", "abc", "training share must be a whole percentage"),
        ("batch", "0", "batch size must be 'full' or a whole number from 1 to 1000, got '0'"),
        ("batch", "1e9", "batch size must be 'full' or a whole number from 1 to 1000"),
        ("reg", "l3", "unknown regularization 'l3'; allowed: none, l1, l2"),
        ("rate", "0.05", "regularization rate must be one of 0, 0.001, 0.003, 0.01"),
        ("rate", "nan", "regularization rate must be one of"),
        ("features", "x1,x3", "unknown feature 'x3'"),
        ("features", ",", "choose at least one feature"),
        ("data_seed", "-1", "seed must be a whole number from 0 to 4294967295, got -1"),
        ("show_test", "yes", "show_test must be 1 or 0, got 'yes'"),
        ("discretize", "2", "discretize must be 1 or 0, got '2'"),
        ("dataset", "moons", "unknown dataset 'moons'"),
    ],
)
def test_a_bad_playground_link_value_warns_naming_it_and_falls_back(key, value, message):
    settings, warnings = settings_from_query({"dataset": "circle", key: value})
    assert len(warnings) == 1 and message in warnings[0], warnings
    assert "using the default instead" in warnings[0]
    field = {"reg": "regularization", "train": "train"}.get(key, key)
    if field in Settings.__dataclass_fields__ and key != "dataset":
        assert getattr(settings, field) == getattr(Settings(), field)


def test_an_oversized_playground_link_value_is_refused_by_its_length():
    _, warnings = settings_from_query({"features": "x1," * 100})
    assert warnings and "characters long" in warnings[0]


def test_full_batch_is_the_default_and_spelled_full():
    assert Settings().batch is None and parse_batch("full") is None and parse_batch("25") == 25


def test_the_xor_truth_table_is_xor_table_in_links_and_xor_is_the_point_set():
    table, _ = settings_from_query({"dataset": "xor_table"})
    points, _ = settings_from_query({"dataset": "xor"})
    assert len(table.load_data()[0].X) == 4 and table.load_data()[1] is None
    train, test = points.load_data()
    assert train.X.shape[1] == 2 and len(train.X) + len(test.X) > 100


def test_a_spiral_link_trains_on_the_split_with_test_cost_and_accuracies():
    at = open_link(**SPIRAL, batch="10", lr="0.03", show_test="1")
    at.button(key="step_100").click().run()
    assert not at.exception and not errors(at)
    for label in ("Test cost", "Accuracy", "Test accuracy"):
        assert metric(at, label)
    cost_chart = next(f for f in charts(at) if f["layout"]["title"]["text"].startswith("Cost"))
    names = [t["name"] for t in cost_chart["data"]]
    assert names[:2] == ["training", "test"] and "accuracy" in names and "test accuracy" in names
    assert cost_chart["layout"]["yaxis2"]["tickformat"] == ".0%"
    surface = next(f for f in charts(at) if f["layout"]["title"]["text"].startswith("Output over"))
    assert array(surface["data"][0]["z"]).shape == (50, 50)
    assert [t["name"] for t in surface["data"][1:]] == ["training points", "test points"]


def test_a_batch_larger_than_the_training_rows_in_a_link_falls_back_to_full_batch():
    at = open_link(dataset="half_adder", batch="10")
    assert not at.exception
    assert any("batch size must be from 1 to 4" in w for w in shown(at.warning))


def test_the_data_controls_appear_for_point_sets_and_a_noise_change_rebuilds():
    at = open_link(dataset="circle")
    assert at.slider(key="noise").value == 0
    at.slider(key="noise").set_value(30).run()
    assert not at.exception
    assert any("noise 0 % → 30 %" in text for text in shown(at.info))


def test_a_bad_batch_size_typed_in_is_named_under_the_field_and_the_network_is_kept():
    at = open_link(dataset="circle")
    at.text_input(key="batch").input("0").run()
    assert any("batch size must be 'full' or a whole number" in e for e in errors(at))
    assert run_of(at).settings.batch is None


def test_the_regularization_rate_applies_at_once_without_a_new_network():
    at = open_link(dataset="circle")
    at.button(key="step_100").click().run()
    at.selectbox(key="regularization").set_value("l2").run()
    at.select_slider(key="regularization_rate").set_value(0.1).run()
    run = run_of(at)
    assert run.epoch == 100 and run.network.regularization_rate == 0.1
    assert run.network.regularizer.name == "l2"


def test_regenerate_draws_new_points_from_the_next_data_seed():
    at = open_link(dataset="gauss")
    before = run_of(at).data.X.copy()
    at.button(key="regenerate").click().run()
    run = run_of(at)
    assert run.settings.data_seed == 1 and not np.array_equal(run.data.X, before)


def test_the_rate_control_offers_the_playground_values():
    assert {0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10} <= set(REGULARIZATION_RATES)


@pytest.mark.parametrize("discretize", [False, True])
def test_the_decision_surface_is_the_network_output_on_a_grid(discretize):
    train, test = datasets.split(datasets.playground("xor", seed=2), 0.5, seed=2)
    net = Network([2, 4, 1], "tanh", "cross_entropy", seed=1, output_activation="sigmoid")
    fig = figures.decision_surface_figure(net, train, test, discretize)
    z = np.asarray(fig.data[0].z, dtype=float)
    limit = figures.surface_limit(np.vstack([train.X, test.X]))
    axis = np.linspace(-limit, limit, 50)
    expected = net.predict(np.column_stack([np.tile(axis, 50), np.repeat(axis, 50)]))[:, 0]
    expected = expected.reshape(50, 50)
    if discretize:
        expected = np.where(expected >= 0.5, 1.0, 0.0)
        assert set(np.unique(z)) <= {0.0, 1.0}
    np.testing.assert_allclose(z, expected, rtol=1e-6)
    assert fig.data[2].marker.line.color == "#000000"  # test points ringed in black


@pytest.mark.parametrize(
    "page",
    [
        "pages/1_Gradient_check.py",
        "pages/2_Backward_pass.py",
        "pages/3_Network_and_surfaces.py",
        "pages/4_Initialisation_lottery.py",
    ],
)
def test_every_teaching_page_follows_a_2d_point_set(page):
    at = open_link(dataset="circle", hidden="3", batch="25", features="x1^2,x2^2")
    at.switch_page(page).run()
    assert not at.exception and not errors(at)


def test_the_gradient_check_says_it_runs_on_one_mini_batch():
    at = open_link(dataset="circle", hidden="3", batch="25")
    at.switch_page("pages/1_Gradient_check.py").run()
    assert any("on one mini-batch: the first 25 training rows" in c for c in shown(at.success))
    assert any(m.label == "Max absolute error" for m in at.metric)


def test_the_neuron_surfaces_of_a_point_set_cover_its_square_through_the_features():
    at = open_link(dataset="circle", hidden="3", features="x1^2,x2^2")
    at.switch_page("pages/3_Network_and_surfaces.py").run()
    surfaces = next(f for f in charts(at) if f["layout"]["title"]["text"].startswith("Each"))
    first = surfaces["data"][0]
    assert first["x0"] == pytest.approx(-5.0) and first["y0"] == pytest.approx(-5.0)


@pytest.mark.parametrize("name", list(datasets.PLAYGROUND))
def test_each_point_set_has_a_200_point_picture_in_both_colours(name):
    svg = dataset_thumbnail(name)
    assert svg.startswith("<svg") and svg.count("<circle") == 200
    assert all(colour in svg for colour in COLOURS)


def test_a_picture_button_picks_its_dataset():
    at = open_link()
    at.button(key="pick_spiral").click().run()
    assert not at.exception
    assert run_of(at).settings.dataset == "spiral"
    assert at.slider(key="noise").value == 0  # the Data controls are there


@pytest.mark.parametrize("name", ["plane", "multi_gauss"])
def test_a_regression_set_trains_with_a_test_cost_and_no_accuracy(name):
    at = open_link(dataset=name, hidden="4", activation="tanh", show_test="1", discretize="1")
    at.button(key="step_100").click().run()
    assert not at.exception and not errors(at)
    labels = [m.label for m in at.metric]
    assert "Test cost" in labels and "Accuracy" not in labels


def test_a_batch_larger_than_the_points_typed_in_names_the_limit_and_keeps_the_network():
    at = open_link(dataset="circle", train="50")
    at.text_input(key="batch").input("500").run()
    assert any(
        e.startswith("batch size 500 is larger than the 250 training rows") for e in errors(at)
    )
    assert run_of(at).settings.batch is None


def test_a_regression_sets_caption_reads_its_minus_one_to_one_scale():
    at = open_link(dataset="plane")
    caption = next(c for c in shown(at.caption) if c.startswith("The network's output"))
    assert "blue where it says −1, orange where it says 1, white at 0" in caption


def test_lecture_mode_shows_a_point_set_with_its_surface():
    at = open_link(**SPIRAL, lecture="1")
    at.button(key="step_100").click().run()
    assert not at.exception and not errors(at)
    assert any(f["layout"]["title"]["text"].startswith("Output over") for f in charts(at))


def test_each_neuron_of_a_point_set_network_is_drawn_as_its_picture_in_the_graph():
    at = open_link(dataset="circle", hidden="4,3", features="x1,x2,x1^2")
    at.switch_page("pages/3_Network_and_surfaces.py").run()
    assert not at.exception and not errors(at)
    graph = next(f for f in charts(at) if f["layout"]["title"]["text"].startswith("The network"))
    images = graph["layout"]["images"]
    assert len(images) == 3 + 4 + 3 + 1
    assert all(i["source"].startswith("data:image/png;base64,") for i in images)


def test_the_large_neuron_picture_is_the_neurons_value_on_the_square():
    from dashboard.figures.teaching import neuron_figure

    net = Network([3, 4, 1], "tanh", seed=0, features=["x1", "x2", "x1^2"])
    fig = neuron_figure(net, 5.0, 2, 0)
    axis = np.linspace(-5.0, 5.0, 50)
    expected = net.predict(np.column_stack([np.tile(axis, 50), np.repeat(axis, 50)]))[:, 0]
    np.testing.assert_allclose(
        np.asarray(fig.data[0].z, float), expected.reshape(50, 50), rtol=1e-6
    )


def test_loading_a_saved_point_set_network_takes_its_features_and_penalty():
    from backprop_core.persistence import network_from_json, network_to_json

    trained = Run(
        Settings(dataset="circle", features=("x1^2", "x2^2"), regularization="l2", rate=0.01)
    )
    trained.train(50, None)
    text = network_to_json(trained.network, epoch=50, dataset="circle")
    run = Run(Settings(dataset="circle"))
    message = run.load(*network_from_json(text))
    assert "Loaded a 2-2-2-1 network trained for 50 epochs" in message
    assert run.settings.features == ("x1^2", "x2^2")
    assert (run.settings.regularization, run.settings.rate) == ("l2", 0.01)
    np.testing.assert_array_equal(run.network.params, trained.network.params)

"""Every teaching page under AppTest: opened directly, and after training on the main page."""

import numpy as np
import pytest

from backprop_core import Network, diagnostics, gradient_check
from dashboard.teaching import inside
from tests.apptest_helpers import (
    array,
    charts,
    errors,
    lab_of,
    metric,
    number,
    open_link,
    run_app,
    run_of,
    shown,
    worker_of,
)

PAGES = [
    "pages/1_Gradient_check.py",
    "pages/2_Backward_pass.py",
    "pages/3_Network_and_surfaces.py",
    "pages/4_Initialisation_lottery.py",
    "pages/5_Inside_the_gradient.py",
    "pages/6_Chain_rule.py",
]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_when_opened_first(page):
    at = run_app(page)
    assert not at.exception
    assert "lab_run" in at.session_state
    assert run_of(at).network.sizes == [2, 2, 2, 2]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_on_the_network_trained_on_the_main_page(page):
    main = run_app()
    main.text_input(key="hidden_layers").input("3, 2").run()
    main.button(key="step_100").click().run()
    run = run_of(main)
    at = run_app(page, **lab_of(main))
    assert not at.exception
    assert run.network.sizes == [2, 3, 2, 2] and run.epoch >= 100


def test_gradient_check_page_passes_and_fails_with_a_planted_bug():
    at = run_app(PAGES[0])
    assert at.success and "Pass" in at.success[0].value
    assert len(charts(at)) == 3 + 1  # a chart per layer, and the ε sweep
    at.selectbox(key="gc_bug").set_value("derivative").run()
    assert not at.success and "Fail" in errors(at)[0]
    run = run_of(at)
    X, T = run.data.X, run.data.T
    assert gradient_check(run.network, X, T).max_error < 1e-9  # the real core is untouched


def test_backward_pass_page_steps_through_and_applies_one_epoch():
    at = run_app(PAGES[1])
    assert "Step 1 of 15" in at.get("progress")[0].proto.text
    at.button(key="bp_next").click().run()
    assert "Step 2 of 15" in at.get("progress")[0].proto.text
    at.button(key="bp_apply").click().run()
    assert run_of(at).epoch == 1
    assert "epoch 1" in shown(at.success)[0]


def test_network_page_shows_graph_surfaces_and_saturation():
    at = run_app(PAGES[2])
    titles = [fig["layout"]["title"]["text"] for fig in charts(at)]
    assert any("network" in t for t in titles) and any("Saturated" in t for t in titles)
    surfaces = next(fig for fig in charts(at) if "input square" in fig["layout"]["title"]["text"])
    assert len(surfaces["data"]) == 2 + 2 + 2  # every hidden and output neuron


def test_lottery_page_runs_k_networks_and_loads_a_seed_into_the_main_page():
    at = run_app(PAGES[3])
    at.number_input(key="lot_k").set_value(20)
    at.number_input(key="lot_epochs").set_value(3000)
    at.button(key="lot_run").click().run()
    run = at.session_state["lottery"]
    for _ in range(100):  # each run trains one chunk, as the page's timer would
        if run.finished:
            break
        at.run()
    assert not at.exception and not errors(at)
    assert run.finished and len(run.seeds) == 20 and len(run.quantiles) == 3000
    assert len(charts(at)) == 3
    lucky = run.ranked_seeds()[0][0]
    at.selectbox(key="lot_pick").set_value(lucky)
    at.button(key="lot_load").click().run()
    run = run_of(at)
    assert run.settings.seed == lucky and run.epoch == 0
    np.testing.assert_array_equal(run.network.params, Network([2, 2, 2, 2], seed=lucky).params)
    assert at.session_state["seed"] == lucky  # the main page's seed control follows


def test_back_on_the_lottery_its_fields_say_what_the_results_came_from():
    at = run_app(PAGES[3])
    at.number_input(key="lot_k").set_value(12)
    at.number_input(key="lot_epochs").set_value(400)
    at.number_input(key="lot_seed0").set_value(10)
    at.button(key="lot_run").click().run()
    for _ in range(50):
        if at.session_state["lottery"].finished:
            break
        at.run()
    at.switch_page("app.py").run()
    at.switch_page(PAGES[3]).run()
    assert not at.exception
    fields = [at.number_input(key=k).value for k in ("lot_k", "lot_epochs", "lot_seed0")]
    assert fields == [12, 400, 10]
    labels = [m.label for m in at.metric]
    assert labels[1:] == [
        "Solved at the end",
        "On the plateau at the end",
        "Sat 1,000+ epochs on it",
    ]


def test_lottery_asks_before_a_run_that_would_take_minutes():
    at = run_app(PAGES[3])
    at.number_input(key="lot_k").set_value(2000)
    at.number_input(key="lot_epochs").set_value(100_000)
    at.button(key="lot_run").click().run()
    assert "minutes" in at.warning[0].value
    assert "lottery" not in at.session_state
    at.button(key="lot_cancel").click().run()
    assert not at.warning and "lottery" not in at.session_state


def _inside(**session):
    main = run_app()
    main.button(key="step_100").click().run()
    return main, run_app(PAGES[4], **lab_of(main))


def test_inside_the_gradient_draws_its_charts_from_the_live_networks_numbers():
    main, at = _inside()
    run = run_of(main)
    figs = charts(at)
    titles = [f["layout"]["title"]["text"] for f in figs]
    assert titles[:2] == ["Each row's share of the cost", "Each row's pull on ∂C/∂w for W¹[1, 1]"]
    X, T = run.data.X, run.data.T
    tug = figs[1]["data"]
    want = diagnostics.row_contributions(run.network, X, T, 0, 0, 0)
    assert [t["x"][0] for t in tug[:-1]] == pytest.approx(want.tolist(), abs=0)
    assert tug[-1]["x"][0] == pytest.approx(run.network.gradients(X, T).weights[0][0, 0])
    limit = 2 / diagnostics.sharpness(run.network, X, T, iterations=100)
    assert number(at.metric[1].value) == pytest.approx(limit, rel=1e-3)


def test_the_waterfall_follows_the_chosen_neuron_and_row():
    main, at = _inside()
    run = run_of(main)
    at.selectbox(key="ig_neuron").set_value(1)
    at.selectbox(key="ig_row").set_value(3).run()
    X, T = run.data.X, run.data.T
    terms, sigma_prime = diagnostics.delta_terms(run.network, X, T, 3, 0, 1)
    waterfall = next(f for f in charts(at) if f["data"][0]["type"] == "waterfall")["data"][0]
    assert waterfall["y"][:2] == pytest.approx(terms.tolist(), abs=0)
    assert waterfall["y"][-1] == pytest.approx(run.network.gradients(X, T).deltas[0][3, 1])


def test_a_nudge_applies_to_the_live_network_shows_both_changes_and_undoes():
    main, at = _inside()
    run = run_of(main)
    index = 0  # W1[1, 1]
    old = float(run.network.params[index])
    at.number_input(key=f"ig_value_{index}").set_value(old + 0.01).run()
    predicted, actual = (number(at.metric[k].value) for k in (2, 3))
    assert predicted == pytest.approx(actual, rel=0.05)  # a small nudge: the tangent holds
    at.button(key="ig_apply").click().run()
    assert run.network.params[index] == pytest.approx(old + 0.01)
    assert len(run.nudges) == 1 and "Set the weight W¹[1, 1] from" in shown(at.info)[-1]
    at.button(key="ig_undo").click().run()
    assert run.network.params[index] == old and not run.nudges


def test_the_gradient_check_page_sweeps_epsilon_and_its_1e_5_point_is_the_check_itself():
    at = run_app(PAGES[0])
    title = "The gradient check's error against ε"
    sweep = next(f for f in charts(at) if f["layout"]["title"]["text"] == title)
    assert [t["name"] for t in sweep["data"]] == list(diagnostics.SWEEPS)
    central = array(sweep["data"][0]["y"])
    assert len(central) == 12 and central.argmin() in (3, 4, 5)  # the V's bottom: 1e-4 … 1e-6
    assert central[4] == pytest.approx(number(metric(at, "Max absolute error")), rel=1e-2)
    assert "Over all 18 parameters." in shown(at.main.caption)[-1]


def test_the_quiz_hides_a_delta_until_predicted_and_scores_from_the_steppers_numbers():
    at = run_app(PAGES[1])
    at.toggle(key="bp_quiz").set_value(True).run()
    for _ in range(6):  # past the forward pass, to the output delta
        at.button(key="bp_next").click().run()
    assert "output delta" in at.get("progress")[0].proto.text
    shown_before = len(at.latex)
    run = run_of(at)
    X, T = run.data.X, run.data.T
    delta = run.network.gradients(X[3:4], T[3:4]).deltas[-1][0, 0]
    sign = "positive" if delta > 0 else "negative"
    at.radio(key="bp_sign").set_value(sign)
    at.selectbox(key="bp_power").set_value(int(np.floor(np.log10(abs(delta)))))
    at.button(key="bp_check").click().run()
    assert len(at.latex) == shown_before + 2  # the numbers, and the step in "so far"
    assert "Sign right, power right." in shown(at.success)[-1]
    assert any("Quiz score: 1 of 1 signs, 1 of 1 powers of ten" in c for c in shown(at.caption))


def test_a_mystery_bug_is_found_by_its_highest_failing_layer():
    at = run_app(PAGES[1])
    at.button(key="bp_plant").click().run()
    run = run_of(at)
    from dashboard.teaching.bugs import mystery_bug

    _, layer = mystery_bug(run.network, 0)
    fails = [m.label for m in at.metric if m.delta == "fails"]
    assert fails and fails[-1] == f"Layer {layer + 1}"  # the highest failing layer
    wrong = (layer + 1) % run.network.num_layers
    at.selectbox(key="bp_guess").set_value(wrong)
    at.button(key="bp_judge").click().run()
    assert f"Not layer {wrong + 1}" in errors(at)[-1]
    at.selectbox(key="bp_guess").set_value(layer)
    at.button(key="bp_judge").click().run()
    assert shown(at.success)[-1].startswith(f"Right: layer {layer + 1}.")


def test_undo_after_training_moved_on_says_why_inline_and_changes_nothing():
    main, at = _inside()
    run, worker = run_of(main), worker_of(main)
    at.number_input(key="ig_value_0").set_value(float(run.network.params[0]) + 0.5).run()
    at.button(key="ig_apply").click().run()
    worker.step(3)
    before = run.network.params.copy()
    at.button(key="ig_undo").click().run()
    assert "training has moved on since the nudge at epoch 100" in errors(at)[-1]
    np.testing.assert_array_equal(run.network.params, before)


def test_inside_the_gradient_groups_hundreds_of_rows_by_class_on_a_2d_set():
    main = run_app()
    main.selectbox(key="dataset").set_value("spiral").run()
    run, worker = run_of(main), worker_of(main)
    worker.step(20)
    at = run_app(PAGES[4], **lab_of(main))
    assert not at.exception
    ribbon = charts(at)[0]
    assert len(run.data.X) > 100 and len(ribbon["data"]) == inside.MAX_BANDS
    legend = [t["name"] for t in ribbon["data"] if t.get("showlegend")]
    assert legend == ["rows with target 0", "rows with target 1"]
    top = sum(array(t["y"]).astype(float) for t in ribbon["data"])
    cost = run.history.curves()["cost"].values
    np.testing.assert_allclose(top[: len(cost)], cost, rtol=1e-4)  # the bands add up to C


LARGEST_HIDDEN = ",".join(["64"] * 8)
TWO_D = ["circle", "xor", "gauss", "spiral", "plane", "multi_gauss"]
TABLES = ["half_adder", "xor_table", "and", "or", "full_adder"]


@pytest.mark.parametrize("dataset", TWO_D + TABLES)
def test_every_page_at_the_largest_network_runs_without_an_exception(dataset):
    """A student's worst case on every dataset: 8 layers of 64 (every feature of a 2-D set),
    trained an epoch, then each page opened and its buttons pressed."""
    link = {"dataset": dataset, "hidden": LARGEST_HIDDEN}
    if dataset in TWO_D:
        link.update(features="x1,x2,x1^2,x2^2,x1x2,sin_x1,sin_x2", train="90")
    main = open_link(**link)
    main.button(key="step").click().run()
    assert not main.exception
    run, worker = run_of(main), worker_of(main)
    assert run.network.sizes[1:-1] == [64] * 8 and run.epoch == 1
    for page in PAGES:
        at = run_app(page, **lab_of(main))
        assert not at.exception, page
        if page == PAGES[1]:
            at.button(key="bp_next").click().run()
            at.button(key="bp_plant").click().run()
            assert sum(len(latex.value) for latex in at.latex) < 60_000  # bounded matrices
        if page == PAGES[3]:
            at.number_input(key="lot_k").set_value(3)
            at.number_input(key="lot_epochs").set_value(2)
            at.button(key="lot_run").click().run()
            at.run()
        assert not at.exception, page
        worker.pause()

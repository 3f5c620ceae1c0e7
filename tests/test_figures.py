import json

import numpy as np
import plotly.graph_objects as go

from backprop_core import Network, thinning
from dashboard.figures import live as figures
from dashboard.state.runs import keep_run
from dashboard.state.settings import Settings


def test_cost_figure_is_a_log_scale_line_titled_cost_on_a_regular_grid_of_few_points():
    cost = np.geomspace(0.25, 1e-4, 1_000_000)
    fig = figures.cost_figure(cost, revision=3)
    assert isinstance(fig, go.Figure)
    assert "Cost" in fig.layout.title.text and fig.layout.yaxis.type == "log"
    (trace,) = fig.data
    assert len(trace.y) <= thinning.POINTS and trace.x is None and trace.x0 == 0
    assert trace.dx * len(trace.y) >= len(cost) - trace.dx
    assert trace.y[-1] == np.float32(cost[-1]) and fig.layout.uirevision == "3"


def test_cost_figure_without_epochs_says_so():
    fig = figures.cost_figure(np.array([]))
    assert "press Train" in fig.layout.annotations[0].text


def test_delta_figure_has_one_log_line_per_layer():
    deltas = np.abs(np.random.default_rng(1).normal(size=(thinning.POINTS, 4))).astype(np.float32)
    fig = figures.delta_figure(deltas)
    assert "δ" in fig.layout.title.text and fig.layout.yaxis.type == "log"
    assert len(fig.data) == 4
    np.testing.assert_array_equal(fig.data[2].y, deltas[:, 2])


def test_weight_figures_give_one_heatmap_of_W_per_layer_plus_its_bias_row():
    net = Network([2, 3, 4, 2, 2], seed=0)
    figs = figures.weight_figures(net, scale=2.0)
    assert len(figs) == 4
    for fig, W, b in zip(figs, net.weights, net.biases):
        w_map, b_map = fig.data
        assert w_map.type == b_map.type == "heatmap"
        np.testing.assert_array_equal(w_map.z, W.astype(np.float32))  # half the bytes to send
        np.testing.assert_array_equal(b_map.z, b[None, :].astype(np.float32))
        assert (w_map.zmin, w_map.zmax, w_map.zmid) == (-2.0, 2.0, 0)
        assert w_map.texttemplate  # small matrices print their values


def test_big_weight_matrices_do_not_print_cell_values():
    net = Network([64, 64, 2], seed=0)
    assert figures.weight_figures(net, 1.0)[0].data[0].texttemplate is None


def test_weight_axes_say_from_neuron_i_to_neuron_j():
    fig = figures.weight_figures(Network([2, 2], seed=0), 1.0)[0]
    layout = fig.layout
    titles = [layout[a].title.text for a in layout if a.startswith(("xaxis", "yaxis"))]
    assert "from neuron i" in titles and any("to neuron j" in (t or "") for t in titles)


def test_nice_limit_rounds_up_to_the_next_nice_step():
    values = (0.05, 0.3, 1.0, 1.3, 2.5, 6.3, 7, 11, float("nan"))
    assert [figures.nice_limit(v) for v in values] == [0.1, 0.3, 1, 1.5, 3, 8, 8, 15, 0.1]


def test_the_colour_range_follows_the_weights_down_but_does_not_flicker_at_a_step():
    limit = figures.colour_limit(1.0, 6.3)
    assert limit == 8  # grows at once, to the next step, not to 10
    assert figures.colour_limit(limit, 8.01) == 10
    assert figures.colour_limit(10, 7.99) == 10  # back under the step: no flicker
    assert figures.colour_limit(10, 6.3) == 8  # a fifth below it: the range shrinks
    assert figures.colour_limit(8, 0.4) == 0.4


def test_nice_limit_of_huge_weights_is_a_float_json_can_hold():
    limit = figures.nice_limit(3e30)
    assert isinstance(limit, float) and limit == 3e30


def test_cost_figure_adds_a_dotted_line_per_output_that_sum_to_the_cost():
    per_output = np.array([[0.1, 0.05], [0.08, 0.02]])
    fig = figures.cost_figure(per_output.sum(axis=1), outputs=(per_output, ("sum", "carry")))
    assert [t.name for t in fig.data] == ["this run", "output sum", "output carry"]
    assert fig.data[1].line.dash == "dot"
    np.testing.assert_array_equal(fig.data[2].y, per_output[:, 1].astype(np.float32))


def test_live_charts_have_fixed_margins_and_no_tick_label_overflow_checks():
    net = Network([2, 3, 2], seed=0)
    live = [
        figures.cost_figure(np.geomspace(0.25, 1e-3, 500)),
        figures.delta_figure(np.ones((500, 2))),
        *figures.weight_figures(net, 1.0),
    ]
    for fig in live:
        axes = [fig.layout[name] for name in ("xaxis", "yaxis")]
        assert all(a.automargin is False and a.ticklabeloverflow == "allow" for a in axes)
        assert fig.layout.margin.l >= 80 and fig.layout.margin.t >= 50


def test_log_scale_curves_label_decades_and_leave_the_minor_ticks_unlabelled():
    fig = figures.cost_figure(np.geomspace(10, 1e-6, 500), log_x=True)
    assert fig.layout.yaxis.type == "log" and fig.layout.yaxis.minor.dtick == "D1"
    assert list(fig.layout.yaxis.tickvals) == [10.0**k for k in range(-6, 2)]
    assert list(fig.layout.xaxis.tickvals) == [1.0, 10.0, 100.0]  # 500 epochs
    flat = figures.delta_figure(np.full((9, 3), 0.3))
    assert "0.3" in flat.layout.yaxis.ticktext  # a flat line still has a label


def test_before_training_the_log_axes_show_no_invented_range():
    fig = figures.cost_figure(np.empty(0), log_x=True)
    assert fig.layout.yaxis.showticklabels is False and fig.layout.xaxis.showticklabels is False


def test_only_the_last_heatmap_carries_the_shared_colour_bar():
    figs = figures.weight_figures(Network([2, 3, 4, 2], seed=0), 2.0)
    assert [fig.data[0].showscale for fig in figs] == [False, False, True]
    assert all(fig.data[1].showscale is False for fig in figs)


def _every_builder() -> list[go.Figure]:
    from backprop_core import datasets, features, gradient_check
    from dashboard.figures import lottery as lf
    from dashboard.figures import surface as sf
    from dashboard.figures import teaching as tf

    X, T = np.array([[0.0, 0], [0, 1], [1, 0], [1, 1]]), np.array([[0.0], [1], [1], [0]])
    net = Network([2, 3, 1], seed=0)
    cost, delta = np.geomspace(1, 1e-3, 5000), np.ones((5000, 2))
    kept = [keep_run(Settings(), figures.curve(cost), figures.curve(delta))]
    quantiles = np.tile(np.geomspace(0.25, 1e-3, 3000)[:, None], (1, 5))
    circle = datasets.playground("circle", 0.1)
    points = Network([3, 4, 1], "tanh", seed=0, features=["x1", "x2", "x1^2"])
    return [
        figures.cost_figure(np.geomspace(1, 1e-3, 5000), 1, 40, kept, 380),
        figures.delta_figure(np.ones((5000, 2), np.float32), 1, kept),
        *figures.weight_figures(net, 2.0),
        tf.gradient_check_figure(gradient_check(net, X, T), 1),
        tf.network_graph_figure(net, net.gradients(X, T), True),
        tf.surfaces_figure(net, names=("xor",)),
        tf.saturation_figure(tf.saturation(net, X)),
        lf.lottery_cost_figure(quantiles, (0.2, 0.22)),
        lf.lottery_share_figure(np.linspace(0, 1, 3000), np.linspace(1, 0, 3000)),
        lf.lottery_histogram_figure(np.geomspace(1, 1e-3, 50)),
        figures.cost_figure(
            np.geomspace(1, 1e-3, 500),
            1,
            test_cost=np.linspace(1, 0.5, 500),
            accuracy=(np.linspace(0.5, 1, 500), np.linspace(0.5, 0.9, 500)),
        ),
        sf.decision_surface_figure(points, *datasets.split(circle, 0.5), discretize=True),
        tf.surfaces_figure(points, limit=5.0),
        tf.network_graph_figure(
            points,
            points.gradients(features.transform(circle.X, points.features), circle.T),
            pictures=tf.neuron_pictures(points, 5.0),
        ),
        tf.neuron_figure(points, 5.0, 1, 2),
        *_gradient_figures(net, X, T),
    ]


def _gradient_figures(net, X, T) -> list[go.Figure]:
    from backprop_core import Trainer, diagnostics
    from dashboard.figures import gradient as gf

    trainer = Trainer(net.copy(), X, T, row_groups=np.arange(4))
    trainer.step(600)
    shares = diagnostics.row_contributions(net, X, T, 0, 1, 2)
    names = [f"row {k}" for k in range(4)]
    terms, sigma_prime = diagnostics.delta_terms(net, X, T, 2, 0, 1)
    etas = np.logspace(-3, 3, 13)
    sweep = diagnostics.epsilon_sweep(net, X, T)
    return [
        gf.row_cost_figure(trainer.history.curves()["row_cost"], names, 300),
        gf.contributions_figure(shares, names, "tug"),
        gf.contributions_history_figure([1, 2, 3], np.ones((3, 4)), names),
        gf.delta_waterfall_figure(terms, sigma_prime, ["w1·δ1"]),
        gf.delta_ratio_figure(*diagnostics.delta_ratios(Network([2, 3, 3, 1]), X, T)),
        gf.probe_figure(etas, diagnostics.learning_rate_probe(net, X, T, etas), 0.2, 0.5, 3.0),
        gf.taylor_figure(np.linspace(-1, 1, 5), np.ones(5), 0.0, 1.0, 0.1, 0.5, 1.1),
        gf.epsilon_sweep_figure(diagnostics.SWEEP_EPSILONS, sweep),
    ]


def test_every_figure_passes_plotlys_validation_unchanged():
    for fig in _every_builder():
        validated = go.Figure(fig.to_plotly_json())  # raises on any invalid property
        assert json.loads(validated.to_json()) == json.loads(fig.to_json())

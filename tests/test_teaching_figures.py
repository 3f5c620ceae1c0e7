import re

import numpy as np
import plotly.graph_objects as go

from backprop_core import Network, datasets, gradient_check
from dashboard.figures import lottery as lf
from dashboard.figures import teaching as tf
from dashboard.figures.ticks import power_text


def half_adder_network(**options) -> tuple[Network, np.ndarray, np.ndarray]:
    X, T = datasets.half_adder()
    return Network([2, 3, 2], seed=1, **options), X, T


def test_gradient_check_figure_shows_W_with_its_bias_row_and_the_difference():
    net, X, T = half_adder_network()
    check = gradient_check(net, X, T)
    fig = tf.gradient_check_figure(check, layer=2)
    backprop, numeric, difference = (np.asarray(t.z) for t in fig.data)
    assert backprop.shape == numeric.shape == (4, 2)  # 3 weights rows + the bias row
    f32 = np.float32  # sent as float32: half the bytes, and 7 digits are plenty to read
    np.testing.assert_array_equal(backprop[:3], check.backprop_weights[1].astype(f32))
    np.testing.assert_array_equal(backprop[3], check.backprop_biases[1].astype(f32))
    exact = np.vstack([check.weight_differences[1], check.bias_differences[1][None, :]])
    np.testing.assert_array_equal(difference, exact.astype(f32))


def test_gradient_check_cells_print_tiny_gradients_in_powers_of_ten_like_their_colour_bars():
    net, X, T = half_adder_network()
    fig = tf.gradient_check_figure(gradient_check(net, X, T), layer=1)
    backprop, _, difference = fig.data
    assert backprop.texttemplate == difference.texttemplate == "%{text}"
    z = np.asarray(backprop.z, dtype=float)
    assert backprop.text[0][0] == power_text(float(z[0, 0]), 3)  # 2.04×10⁻⁶, not 0.0000
    cells = {t for row in difference.text for t in row} | set(difference.colorbar.ticktext)
    assert not any(re.search(r"\de[-+]?\d", t) for t in cells)  # no e-notation
    assert any("×10<sup>−" in t for t in cells)


def test_network_graph_bins_the_edges_of_wide_layers_into_a_few_traces():
    net = Network([64, 64, 2], seed=0)
    X = np.random.default_rng(0).random((4, 64))
    T = np.zeros((4, 2))
    fig = tf.network_graph_figure(net, net.gradients(X, T))
    edge_traces = [t for t in fig.data if t.mode == "lines"]
    hover = next(t for t in fig.data if t.mode == "markers" and t.text is not None)
    assert len(edge_traces) <= 2 * tf.WIDTH_BINS
    assert len(hover.text) == 64 * 64 + 64 * 2  # one hover point per weight


def test_output_surfaces_have_one_named_panel_per_output_on_sigmoid_range():
    net, _, _ = half_adder_network()
    fig = tf.surfaces_figure(net, resolution=11, outputs_only=True, names=("sum", "carry"))
    assert isinstance(fig, go.Figure) and len(fig.data) == 2
    assert all(np.asarray(t.z).shape == (11, 11) for t in fig.data)
    assert "output sum" in fig.data[0].hovertemplate
    assert (fig.layout.coloraxis.cmin, fig.layout.coloraxis.cmax) == (0.0, 1.0)


def test_surfaces_show_at_most_eight_neurons_per_layer():
    net = Network([2, 20, 1], seed=0)
    fig = tf.surfaces_figure(net, resolution=5)
    assert len(fig.data) == tf.MAX_SURFACE_NEURONS + 1


def test_saturation_is_the_share_of_units_with_a_tiny_derivative():
    net, X, _ = half_adder_network()
    assert np.all(tf.saturation(net, X) < 0.5)
    net.params[...] = 50.0  # every z is huge: σ'(z) ≈ 0 everywhere
    np.testing.assert_array_equal(tf.saturation(net, X), [1.0, 1.0])
    assert list(tf.saturation_figure(np.array([1.0, 0.25])).data[0].text) == ["100%", "25%"]


def test_lottery_histogram_counts_diverged_networks_in_its_title():
    final = np.array([1e-4, 2e-3, np.nan, np.inf, 0.21])
    fig = lf.lottery_histogram_figure(final)
    assert "5 networks (2 diverged)" in fig.layout.title.text
    assert len(fig.data[0].x) == 3


def test_lottery_cost_figure_shades_the_plateau_band():
    quantiles = np.tile(np.geomspace(0.25, 1e-3, 100)[:, None], (1, 5))
    fig = lf.lottery_cost_figure(quantiles, (0.20, 0.22))
    (band,) = fig.layout.shapes
    assert (band.y0, band.y1) == (0.20, 0.22) and fig.layout.yaxis.type == "log"


def test_the_lottery_chart_labels_the_plateau_it_is_given():
    fig = lf.lottery_cost_figure(np.full((10, 5), 0.5), (0.49, 0.51))
    assert fig.layout.annotations[0].text == "plateau C ≈ 0.5"

"""The network as a graph, each neuron's output over the input square, and saturation."""

import streamlit as st

from dashboard.components import chart
from dashboard.components.chrome import teaching_page
from dashboard.components.keys import keys
from dashboard.components.nudge import pick_parameter, picked_note
from dashboard.figures.surface import surface_limit
from dashboard.figures.teaching import (
    MAX_PICTURES,
    network_graph_figure,
    neuron_figure,
    neuron_pictures,
    saturation,
    saturation_figure,
    surfaces_figure,
)
from dashboard.text import layer_name, plain

snapshot = teaching_page("Network and surfaces", "Network and surfaces").snapshot()
keys({})  # F and ?

by_gradient = st.toggle("Colour edges by ∂C/∂w instead of the weight", key="ns_by_gradient")
network, X, T = snapshot.network, snapshot.data.X, snapshot.data.T
# The 2-D sets' neurons are drawn as their output over the points' square, as in the playground.
limit = None if snapshot.points is None else surface_limit(snapshot.points[0].X)
pictures = None
if limit is not None and sum(network.sizes) <= MAX_PICTURES:
    pictures = neuron_pictures(network, limit)
graph = network_graph_figure(network, network.gradients(X, T), by_gradient, pictures)


def pick(click: dict) -> None:
    """A click on a neuron picks it in the picker below, as the picker does; a click on an edge
    picks its weight for Inside the gradient and the Live page."""
    picked = [int(v) for v in click.get("customdata") or ()]
    if len(picked) == 3:
        pick_parameter(picked[0], "weight", picked[1], picked[2])
    elif len(picked) == 2 and pictures is not None:
        st.session_state["ns_neuron"] = tuple(picked)


chart(graph, key="ns_graph", on_click=pick)
st.caption(
    "Click an edge to study its weight on Inside the gradient, or to edit it on the Live page "
    "while paused."
)
picked_note(network.sizes, "Inside the gradient now shows its tug-of-war and nudges it.")
if pictures is not None:
    st.caption(
        "Each neuron is drawn as its value over the square of the points: blue where it is "
        "lowest, orange where it is highest. Click one, or pick it here, to see it large."
    )
    neurons = [(l, j) for l, n in enumerate(network.sizes) for j in range(n)]
    l, j = st.selectbox(
        "Neuron",
        neurons,
        index=len(neurons) - 1,
        key="ns_neuron",
        format_func=lambda n: f"{layer_name(n[0], len(network.sizes))}, neuron {n[1] + 1}",
    )
    chart(neuron_figure(network, limit, l, j), key="ns_neuron_large")

st.header("What each neuron computes")
if snapshot.points is not None:
    st.caption("Over the square that holds the points, through the input features.")
    limit = surface_limit(snapshot.points[0].X)
    chart(surfaces_figure(network, limit=limit), key="ns_surfaces")
elif X.shape[1] == 2:
    st.caption("For the half adder the sum output should take XOR's shape and the carry AND's.")
    chart(surfaces_figure(network), key="ns_surfaces")
else:
    title = snapshot.data.title
    st.info(plain(f"Surfaces need a dataset with 2 inputs; {title} has {X.shape[1]}."))

st.header("Saturation")
st.caption("A unit whose σ′(z) is tiny passes almost no delta back: this is how gradients vanish.")
chart(saturation_figure(saturation(network, X)), key="ns_saturation")

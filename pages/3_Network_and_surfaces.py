"""The network as a graph, each neuron's output over the input square, and saturation."""

import streamlit as st

from dashboard.components import chart
from dashboard.components.ui import teaching_page
from dashboard.figures import live as figures
from dashboard.figures.teaching import (
    network_graph_figure,
    saturation,
    saturation_figure,
    surfaces_figure,
)
from dashboard.text import plain

session = teaching_page("Network and surfaces", "Inside the network")

by_gradient = st.toggle("Colour edges by ∂C/∂w instead of the weight", key="ns_by_gradient")
with session.lock:
    network, X, T = session.network.copy(), session.data.X, session.data.T
chart(network_graph_figure(network, network.gradients(X, T), by_gradient), key="ns_graph")

st.subheader("What each neuron computes")
if session.points is not None:
    st.caption("Over the square that holds the points, through the input features.")
    limit = figures.surface_limit(session.points[0].X)
    chart(surfaces_figure(network, limit=limit), key="ns_surfaces")
elif X.shape[1] == 2:
    st.caption("For the half adder the sum output should take XOR's shape and the carry AND's.")
    chart(surfaces_figure(network), key="ns_surfaces")
else:
    st.info(plain(f"Surfaces need a dataset with 2 inputs; {session.data.title} has {X.shape[1]}."))

st.subheader("Saturation")
st.caption("A unit whose σ′(z) is tiny passes almost no delta back: this is how gradients vanish.")
chart(saturation_figure(saturation(network, X)), key="ns_saturation")

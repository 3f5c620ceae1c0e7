"""The floor for bench_app's page loads: a Streamlit page with one small plotly chart."""

import plotly.graph_objects as go
import streamlit as st

st.set_page_config(layout="wide")
st.plotly_chart(go.Figure(go.Scatter(x=[0, 1, 2], y=[1, 3, 2])), key="only_chart")

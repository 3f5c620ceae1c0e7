"""Streamlit components of our own: what Streamlit's built-in elements cannot do."""

from dashboard.components.plotly_chart import chart

__all__ = ["chart"]

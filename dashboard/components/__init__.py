"""Streamlit components of our own: what Streamlit's built-in elements cannot do."""

from .plotly_chart import chart

__all__ = ["chart"]

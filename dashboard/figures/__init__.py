"""Figure builders: plain functions that return plotly Figures, with no Streamlit."""

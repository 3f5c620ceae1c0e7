"""The dashboard between the engine and the pages: state/ (settings and the training
session), figures/ (plotly Figure builders), teaching/ (the teaching pages' logic) and
components/ (Streamlit glue and our chart component)."""

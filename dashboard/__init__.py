"""The dashboard between the engine and the pages: state/ (the settings schema, the run, its
worker and snapshots), figures/ (plotly Figure builders), teaching/ (the teaching pages'
logic), components/ (Streamlit glue and our chart component) and reports.py (the words and
files a page gives about a run)."""

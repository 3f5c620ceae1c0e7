"""The per-user state, without Streamlit: the settings schema, the run and its worker, the
snapshot pages read, and the scheduler every run shares."""

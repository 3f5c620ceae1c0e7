"""The per-user state: settings and their validation, the training session, kept runs."""

"""The dashboard's helpers: settings parsing, the training session, figure builders, UI glue."""

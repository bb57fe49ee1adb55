"""Demo data for trying mingbai out (`mingbai demo`); never imported by the running service."""

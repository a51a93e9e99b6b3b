"""povtrack.output."""

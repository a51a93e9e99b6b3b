"""povtrack.actions."""

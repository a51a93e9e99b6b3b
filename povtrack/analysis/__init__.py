"""povtrack.analysis."""

"""povtrack.analysis.quality."""

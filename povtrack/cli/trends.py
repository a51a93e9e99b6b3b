"""Commands: trends (being written)."""

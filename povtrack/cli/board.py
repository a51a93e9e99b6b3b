"""Commands: board (being written)."""

"""povtrack.storage.sqlite."""

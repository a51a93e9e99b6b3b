"""povtrack.storage.json."""

"""povtrack.output.screen."""

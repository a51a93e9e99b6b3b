"""The command line: parse, call, print. ``app`` is the Typer app, ``main`` the entry point."""

from povtrack.cli import entries, plans  # noqa: F401  (importing them registers the commands)
from povtrack.cli.app import app, main

__all__ = ["app", "main"]

"""The command line: parse, call, print. ``app`` is the Typer app, ``main`` the entry point."""

# Importing the command modules registers their commands, in this order in --help.
from povtrack.cli import plans  # noqa: F401

# isort: split
from povtrack.cli import entries  # noqa: F401

# isort: split
from povtrack.cli import board, check, coverage, report, trends  # noqa: F401

# isort: split
from povtrack.cli import history  # noqa: F401

# isort: split
from povtrack.cli import db  # noqa: F401
from povtrack.cli.app import app, main

__all__ = ["app", "main"]

"""The command line: parse, call, print. ``app`` is the Typer app, ``main`` the entry point.

One module per command or command group, named after it (``import_`` for ``import``); ``app``
holds the root app, the global options and the helpers every command shares, ``confirm`` the
words of a confirmation, ``output`` the choice between a table, JSON and a file. Importing the
command modules registers their commands, in this order in ``--help``.
"""

from povtrack.cli import init  # noqa: F401

# isort: split
from povtrack.cli import plan  # noqa: F401

# isort: split
from povtrack.cli import areas  # noqa: F401

# isort: split
from povtrack.cli import demo  # noqa: F401

# isort: split
from povtrack.cli import target  # noqa: F401

# isort: split
from povtrack.cli import record  # noqa: F401

# isort: split
from povtrack.cli import import_  # noqa: F401

# isort: split
from povtrack.cli import log  # noqa: F401

# isort: split
from povtrack.cli import status  # noqa: F401

# isort: split
from povtrack.cli import board  # noqa: F401

# isort: split
from povtrack.cli import check  # noqa: F401

# isort: split
from povtrack.cli import missing  # noqa: F401

# isort: split
from povtrack.cli import completeness  # noqa: F401

# isort: split
from povtrack.cli import explain  # noqa: F401

# isort: split
from povtrack.cli import report  # noqa: F401

# isort: split
from povtrack.cli import template  # noqa: F401

# isort: split
from povtrack.cli import trend  # noqa: F401

# isort: split
from povtrack.cli import diff  # noqa: F401

# isort: split
from povtrack.cli import correct  # noqa: F401

# isort: split
from povtrack.cli import undo  # noqa: F401

# isort: split
from povtrack.cli import db  # noqa: F401

# isort: split
from povtrack.cli import db_user  # noqa: F401

# isort: split
from povtrack.cli import inbox  # noqa: F401
from povtrack.cli.app import app, main

__all__ = ["app", "main"]

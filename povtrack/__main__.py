"""Entry point for ``python -m povtrack``."""

from povtrack.cli import main

main()

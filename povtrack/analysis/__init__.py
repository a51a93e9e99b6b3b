"""The arithmetic of progress: status rows, pace and forecast, the board, trends and diffs,
who reported what, how a number was made, and the quality checks.

Pure: no I/O, no Rich; imports only the core (docs/development.md, "The layers"). Every decision
is exact (``povtrack.exact``). The rules, for users: docs/rules.md.
"""

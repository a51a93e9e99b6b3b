"""The views of the analysis rows: JSON shapes (``shapes``), the file formats (``notation``,
``files``, ``html``, ``xlsx``), the weekly report (``report``) and the Rich tables (``screen``).

Imports ``analysis`` and the core only (docs/development.md, "The layers"). Every view of a
command is made from the same rows, so what is exported is what was shown. For users:
docs/commands.md.
"""

"""A table as data: typed columns and plain rows, the one form every export is made from.

A command computes its rows once (``analysis.status``, ``analysis.board`` ...), turns them into a
``Sheet`` here, and ``output.files`` writes the sheet as CSV, Markdown, HTML or XLSX; ``--json``
prints the same row dicts. So what is exported is what was shown.

Column kinds say how a value is written, not what it means:
- ``text``: a string (names, notes, ids);
- ``integer`` / ``number``: a count or amount in the column's ``unit`` (None: blank, never 0);
- ``share``: a fraction, 0.5 is 50 % (progress, expected pace);
- ``date``: an ISO date string;
- ``status``: one of analysis.measure.STATUSES (coloured in HTML and XLSX, labelled per language).
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("text", "integer", "number", "share", "date", "status")


@dataclass(frozen=True)
class Column:
    key: str  # the row dict's key, and the JSON field name
    label: str  # Simplified Chinese
    label_en: str
    kind: str = "text"
    unit: str = ""
    # For a column whose rows are in different units (a status table's targets): the row field
    # that holds each row's unit code, so the views can round a figure to its unit.
    unit_from: str = ""
    # For a text cell that stands for a status (a board cell "滞后 42/60%"): the row field that
    # holds the status code, so the views colour the cell as a ``status`` cell.
    status_from: str = ""
    # A pace that must be kept (needed per week) is rounded up where it is shown rounded:
    # 0.4 villages a week reads 1, never 0.
    round_up: bool = False

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"column {self.key}: unknown kind {self.kind}")

    def heading(self, lang: str) -> str:
        return self.label if lang == "zh" else self.label_en


@dataclass
class Sheet:
    key: str  # a short id: the XLSX sheet name, the CSV file's stem
    title: str
    title_en: str
    columns: list[Column]
    rows: list[dict[str, Any]] = field(default_factory=list)
    total: dict[str, Any] | None = None  # the 合计 row, when the table has one
    notes: list[str] = field(default_factory=list)  # as-of date, plan, data digest ...
    # How the sheet prints: ``one_page`` asks the views to fit it on one A4 landscape page (the
    # board); ``legend`` lines explain its cells and are printed with it, never in its rows.
    one_page: bool = False
    legend: list[str] = field(default_factory=list)

    def heading(self, lang: str) -> str:
        return self.title if lang == "zh" else self.title_en

    def values(self, row: dict[str, Any]) -> list[Any]:
        return [row.get(c.key) for c in self.columns]

    def units(self, row: dict[str, Any]) -> list[str]:
        """Each cell's unit code ("" where the column has none): the column's own, or the
        row's where the column names a ``unit_from`` field."""
        return [str(row.get(c.unit_from) or "") if c.unit_from else c.unit for c in self.columns]

"""What a county template workbook (``povtrack template``) carries inside it, so that its import
needs nothing typed: the hidden sheet that holds the stamp, the stamp's fields, and the check
of the locked cells.

``output.template`` writes a stamp; ``returns.template`` reads it back. Both go through this
module, so the two sides cannot drift apart: the digest is made from the stamp's fields and from
every non-blank cell of the return sheet other than the input and note cells, each cell as
``cell_key`` writes it. ``cell_key`` gives a value written by openpyxl and the same value as Excel
or LibreOffice saves it back the same text (a date and a date cell at midnight, 9000 and 9000.0,
a float and its 15-digit form as Excel keeps it). The digest guards against accidents (an edited
id, a pasted row), not against anyone who means to forge: no password, no secret. Standard
library only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import date, datetime, time
from typing import Any

STAMP_SHEET = "povtrack-template"  # the hidden sheet's name; its presence marks a template
FORMAT = "povtrack-template-1"
# The stamp's fields, in the order they are written (column A the key, column B the value).
FIELDS = (
    "format",
    "plan",
    "plan_sha256",
    "area",
    "week",
    "sheet",
    "first_row",
    "last_row",
    "indicator_column",
    "input_column",
    "note_column",
    "indicators",  # the indicator ids of the rows, in order, comma-separated
)
DIGEST = "digest"


def cell_key(value: Any) -> str | None:
    """A cell's value as the digest sees it; None for a blank cell (it is left out)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int | float):
        return format(float(value), ".15g")  # Excel keeps 15 significant digits
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def digest(stamp: dict[str, str], cells: Iterable[tuple[int, int, Any]]) -> str:
    """The check of a template: its stamp (every field but the digest) and its locked cells,
    given as (row, column, value); blank cells are left out, the order does not matter."""
    h = hashlib.sha256()
    for key in FIELDS:
        h.update(f"{key}={stamp.get(key, '')}\n".encode())
    keyed = sorted((r, c, k) for r, c, v in cells if (k := cell_key(v)) is not None)
    for r, c, k in keyed:
        h.update(f"{r},{c}={k}\n".encode())
    return h.hexdigest()


def is_input(stamp: dict[str, str], row: int, column: int) -> bool:
    """Whether (row, column) is an input or note cell of the stamp's rows (a cell the clerk
    fills in, left out of the digest)."""
    first, last = int(stamp["first_row"]), int(stamp["last_row"])
    inputs = (int(stamp["input_column"]), int(stamp["note_column"]))
    return first <= row <= last and column in inputs

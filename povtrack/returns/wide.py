"""A row of the wide layout: one row per area (or per date), the indicators across.

The header (``povtrack.returns.headers``) names each indicator column by the indicator's id
or name; the row gives the area and the date in columns of their own, or the title gives them
for the whole return. Each non-empty cell under an indicator is one value, read by the same
grammar as a long row's value cell; an empty cell is not reported (never zero). The row's
area, date and note are read once, for all its values: a bad area is one problem, not one per
value. A row with nothing under any indicator reports nothing. For users: docs/returns.md,
"The wide layout".
"""

from __future__ import annotations

import functools
from typing import Any

from povtrack.model import Indicator
from povtrack.returns.cells import blank, value_cell
from povtrack.returns.headers import Header
from povtrack.returns.rows import Batch, RowCells, Taken, keep


def take_row(
    rf: Taken,
    line: int,
    values: tuple[Any, ...] | list[Any],
    header: Header,
    batch: Batch,
    unsaved: set[tuple[int, int]],
) -> list[str]:
    """Check one wide row; its good values are added to ``rf.rows``. Returns its problems."""
    batch.tick(1)
    present = [
        (col, values[col.number - 1] if col.number <= len(values) else None)
        for col in header.indicators
    ]
    present = [(col, v) for col, v in present if not blank(v) or (line, col.number) in unsaved]
    if not present:
        return []
    row = RowCells(header.cells(values), f"{rf.name}:{line}", line, unsaved)
    common = row.common(batch.names, batch.names.plan)
    read = []
    for col, value in present:
        ind = col.indicator
        assert ind is not None  # header.indicators are the columns that have one
        number = row.read("value", functools.partial(_value, ind=ind), (col.number, value))
        if number is not None:
            read.append((col.number, ind.id, number))
    if row.errs or None in (common.get("date"), common["area"]):
        return row.errs
    problems: list[str] = []
    for number, indicator, value in read:
        problems += keep(rf, common | {"indicator": indicator, "value": value}, number, batch)
    return problems


def _value(value: Any, ind: Indicator) -> float:
    return value_cell(value, ind)

"""The reads of a SQLite database that ``sqlite.backend`` serves, as functions of a connection
(the backend caches what they return): every entry as ``Entry``, every record for ``db
migrate``, the ledger's columns, and how ``storage.window`` asks a layout-2 file (which also
finds the ids of the entries that do not count).

Each is one query in id order; the ledger's columns are read without making an ``Entry`` per
row, so a command that needs every series reads four columns once.
"""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from povtrack.model import Entry
from povtrack.storage.sqlite.file import ALLOCATION_COLUMNS, ENTRY_COLUMNS

if TYPE_CHECKING:
    from povtrack.storage.window import Dialect

# Per (indicator, area), the ISO dates and values of the entries that count, in id order
# (``ledger.Ledger.from_series``); and the newest of those dates.
Series = tuple[list[tuple[str, str, list[str], list[Any]]], date | None]
ALLOCATION_KEYS = ("indicator", "area", "value", "due", "note", "source", "recorded_at", "by")


def entry(row: tuple[Any, ...], day: date) -> Entry:
    """A row of ``entries`` (``ENTRY_COLUMNS``) as an Entry, its date already parsed."""
    i, ind, area, _, v, n, s, r, b, bt, c, why = row
    return Entry(i, ind, area, day, v, n, s, r, b, bt, c, why or "")


def entries(
    conn: sqlite3.Connection,
    entry_id: int | None = None,
    indicators: tuple[str, ...] | None = None,
    area: str | None = None,
) -> list[Entry]:
    """Every entry in id order (or the one with ``entry_id``, or those of ``indicators``, in
    ``area`` if given)."""
    sql = f"SELECT {ENTRY_COLUMNS} FROM entries"
    if entry_id is not None:
        cursor = conn.execute(sql + " WHERE id = ?", (entry_id,))
    elif indicators is not None:
        marks = ", ".join("?" * len(indicators))
        where = f" WHERE indicator IN ({marks})" + ("" if area is None else " AND area = ?")
        params = indicators if area is None else (*indicators, area)
        cursor = conn.execute(sql + where + " ORDER BY id", params)
    else:
        cursor = conn.execute(sql + " ORDER BY id")
    return entries_of(cursor)


def entries_of(found: Iterable[tuple[Any, ...]]) -> list[Entry]:
    """Rows of ``ENTRY_COLUMNS`` as entries. A value or date the CHECK constraints should
    have refused raises ``window.BadRow``."""
    from povtrack.storage.window import BadRow

    days: dict[str, date] = {}
    out: list[Entry] = []
    for i, ind, area, d, v, n, s, r, b, bt, c, why in found:
        day = days.get(d)
        if day is None:
            try:
                day = days[d] = date.fromisoformat(d)
            except (TypeError, ValueError):
                raise BadRow(i, d, v) from None
        if type(v) not in (int, float) or not v >= 0:
            raise BadRow(i, d, v)
        out.append(Entry(i, ind, area, day, v, n, s, r, b, bt, c, why or ""))
    return out


def records(conn: sqlite3.Connection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every entry and every allocation as plain records (``storage.base.Records``), in order."""
    out = []
    for i, ind, area, d, v, n, s, r, b, bt, c, why in conn.execute(
        f"SELECT {ENTRY_COLUMNS} FROM entries ORDER BY id"
    ):
        rec = {"id": i, "indicator": ind, "area": area, "date": d, "value": v, "note": n}
        rec |= {"source": s, "recorded_at": r, "by": b, "batch": bt}
        if c is not None:
            rec |= {"corrects": c, "reason": why or ""}
        out.append(rec)
    sql = f"SELECT {ALLOCATION_COLUMNS} FROM allocations ORDER BY seq"
    allocations = [dict(zip(ALLOCATION_KEYS, row, strict=True)) for row in conn.execute(sql)]
    return out, allocations


def series(conn: sqlite3.Connection, skip: set[int]) -> Series:
    """The ledger's columns of the entries not in ``skip``, and their newest date."""
    groups: dict[tuple[str, str], tuple[list[str], list[Any]]] = {}
    sql = "SELECT indicator, area, date, value, id FROM entries ORDER BY id"
    for ind, area, d, v, i in conn.execute(sql):
        if skip and i in skip:
            continue
        group = groups.get((ind, area))
        if group is None:
            group = groups[(ind, area)] = ([], [])
        group[0].append(d)
        group[1].append(v)
    out = [(ind, area, texts, values) for (ind, area), (texts, values) in groups.items()]
    newest = max((max(texts) for texts, _ in groups.values()), default=None)
    return out, date.fromisoformat(newest) if newest else None


@functools.cache  # one per process: it never changes
def dialect() -> Dialect:
    """How ``storage.window`` asks a layout-2 file (``sqlite.file``)."""
    from povtrack.storage import tail, window
    from povtrack.storage.sqlite import series

    return window.Dialect(
        entries="entries",
        batches="batches",
        series="SELECT indicator, area, newest FROM series",
        mark="?",
        lowest="''",
        materialized="MATERIALIZED" if sqlite3.sqlite_version_info >= (3, 35) else "",
        day=date.isoformat,
        text=str,
        sums=series.SUMS,
        exact_total=series.total,
        totals=series.TOTALS,
        sum_columns=3,
        tail=tail.columns,
        columns=", ".join(f"e.{c.strip()}" for c in ENTRY_COLUMNS.split(",")),
        entry=_entry,
    )


def _entry(row: tuple[Any, ...]) -> Entry:
    """A row of ``ENTRY_COLUMNS`` as an Entry (its date parsed; ``window.BadRow`` if it is not
    a sound one)."""
    return entries_of([row])[0]

"""The tail of a series, kept in its ``series`` row on SQLite (layout 2) and PostgreSQL: the
date, value and id of its last ``KEEP`` rows in the order of the history (date, then id),
newest first, as columns ``last1_date, last1_value, last1_id, …``. A trigger works them out
again from the entries on every insert into the series, so a status of the newest week reads
one row per series instead of walking the entries (``storage.window``).

The tail is the series' last rows, every one, whether it counts or not: which entries count
is decided where the tail is read (``window``), as for any other rows read. ``KEEP`` is as
many dates as ``status`` asks of a series (the value at the as-of date and the recent pace,
``analysis.pace``); changing it changes the layout.

SQL only, the same on both engines (window functions: SQLite 3.25 or later).
"""

from __future__ import annotations

from typing import Any

KEEP = 5  # dates kept per series: the recent pace looks at the last RECENT_WEEKS + 1
PARTS = ("date", "value", "id")
COLUMNS = [f"last{n}_{part}" for n in range(1, KEEP + 1) for part in PARTS]


def _pivot() -> str:
    """The select list that turns rows numbered ``n`` (1 = newest) into the tail columns."""
    return ", ".join(
        f"max(CASE WHEN n = {n} THEN {part} END) AS last{n}_{part}"
        for n in range(1, KEEP + 1)
        for part in PARTS
    )


def of_one(entries: str, indicator: str, area: str) -> str:
    """A query of one row, the tail columns of the series (``indicator``, ``area``: SQL
    expressions), walking its last ``KEEP`` rows by the series index."""
    return (
        f"SELECT {_pivot()} FROM (SELECT date, value, id, "
        "row_number() OVER (ORDER BY date DESC, id DESC) AS n FROM "
        f"(SELECT date, value, id FROM {entries} WHERE indicator = {indicator} "
        f"AND area = {area} ORDER BY date DESC, id DESC LIMIT {KEEP}) t) u"
    )


def of_all(entries: str) -> str:
    """A query of every series' tail: indicator, area, then the tail columns (one pass over
    every entry: for filling the ``series`` table at once and for ``db verify``)."""
    return (
        f"SELECT indicator, area, {_pivot()} FROM (SELECT indicator, area, date, value, id, "
        "row_number() OVER (PARTITION BY indicator, area ORDER BY date DESC, id DESC) AS n "
        f"FROM {entries}) t WHERE n <= {KEEP} GROUP BY indicator, area"
    )


def assign(entries: str, indicator: str, area: str) -> str:
    """``SET`` clause of an UPDATE of a ``series`` row: its tail worked out again."""
    return f"({', '.join(COLUMNS)}) = ({of_one(entries, indicator, area)})"


Columns = tuple[tuple[str, ...], tuple[Any, ...], tuple[int, ...]]  # dates, values, ids

# in a row of the tail columns, newest first: each part's columns, oldest first
_AT = [slice(3 * (KEEP - 1) + k, None if k == 0 else k - 1, -3) for k in range(3)]


def columns(last: tuple[Any, ...]) -> Columns:
    """The tail's rows, oldest first, from its columns as read (dates as ISO text)."""
    days, values, ids = (last[at] for at in _AT)
    if days[0] is None:  # fewer rows than a tail
        n = days.count(None)
        days, values, ids = days[n:], values[n:], ids[n:]
    return days, values, ids


def packed(part: str) -> str:
    """SQL of one part of the tail as one text, oldest first, separated by spaces (a
    PostgreSQL row of three texts reads faster than one of fifteen typed columns)."""
    return (
        "concat_ws(' ', "
        + ", ".join(f"last{n}_{part}::text" for n in range(KEEP, 0, -1))
        + f") AS tail_{part}"
    )

"""Layout 2 of a povtrack SQLite file (``sqlite.file``): what reads by the engine walk
(``storage.window``). An index on each series by date, one on batch, and the ``series``
table: one row per (indicator, area) with an entry, kept by a trigger on every insert into
``entries`` with the series' running figures over all its rows: how many, how many repeat a
date already reported, the newest date, and the sum of the values, exactly (whole numbers as
an integer, decimals of up to six places as an integer count of millionths, and a count of
any other value, which the reader then adds itself), and its tail: the date, value and id of
its last rows (``storage.tail``), what ``status`` of the newest week reads of it.

The running figures are derived data: the trigger keeps them as every row is written, and
``db verify`` works them out again from the entries and compares (``series_problems``).
"""

from __future__ import annotations

import sqlite3
from fractions import Fraction
from typing import Any

from povtrack.exact import Exact, exact
from povtrack.i18n import tr
from povtrack.storage import tail

SERIES_V1 = "CREATE INDEX entries_series ON entries (indicator, area);"

_MILLIONTHS = "CAST(round({v} * 1000000) AS INTEGER)"
# a decimal of at most six places: the float nearest k / 10^6 for a whole k (|k| < 2^51, so
# the float product rounds back to k exactly); the test is IEEE arithmetic, no printing
_SIX_PLACES = "typeof({v}) = 'real' AND abs({v}) < 1e9 AND " + _MILLIONTHS + " / 1000000.0 = {v}"
_ODD = "typeof({v}) = 'real' AND NOT (" + _SIX_PLACES + ")"


def parts(v: str) -> tuple[str, str, str]:
    """SQL of the three exact parts of a value ``v``: whole number, millionths, odd (1/0)."""
    return (
        f"(CASE WHEN typeof({v}) = 'integer' THEN {v} ELSE 0 END)",
        f"(CASE WHEN {_SIX_PLACES.format(v=v)} THEN {_MILLIONTHS.format(v=v)} ELSE 0 END)",
        f"(CASE WHEN {_ODD.format(v=v)} THEN 1 ELSE 0 END)",
    )


SUMS = ", ".join(f"sum({part})" for part in parts("e.value"))
_NEW = parts("NEW.value")
_SUMMED = ", ".join(f"sum({part})" for part in parts("value"))
_TAIL = ", ".join(tail.COLUMNS)
FIGURES = f"n_rows, repeats, whole, millionths, odd, newest, {_TAIL}"
TOTALS = (
    f"SELECT indicator, area, newest, n_rows, repeats, whole, millionths, odd, {_TAIL} FROM series"
)
# the tail's columns: a date as text, the value as written (no type: an int stays an int)
_TAIL_DDL = "".join(
    f"    last{n}_date TEXT,\n    last{n}_value,\n    last{n}_id INTEGER,\n"
    for n in range(1, tail.KEEP + 1)
)

SERIES_V2 = f"""
CREATE INDEX entries_day ON entries (indicator, area, date, id, value);
CREATE INDEX entries_batch ON entries (batch);
CREATE INDEX batches_undo ON batches (seq) WHERE kind = 'undo';
CREATE TABLE series (
    indicator TEXT NOT NULL,
    area TEXT NOT NULL,
    n_rows INTEGER NOT NULL DEFAULT 0,
    repeats INTEGER NOT NULL DEFAULT 0,
    whole INTEGER NOT NULL DEFAULT 0,
    millionths INTEGER NOT NULL DEFAULT 0,
    odd INTEGER NOT NULL DEFAULT 0,
    newest TEXT NOT NULL DEFAULT '',
{_TAIL_DDL}    PRIMARY KEY (indicator, area)
) WITHOUT ROWID;
CREATE TRIGGER entries_series_seen AFTER INSERT ON entries
BEGIN
    INSERT OR IGNORE INTO series (indicator, area) VALUES (NEW.indicator, NEW.area);
    UPDATE series SET
        n_rows = n_rows + 1,
        repeats = repeats + EXISTS (SELECT 1 FROM entries x WHERE x.indicator = NEW.indicator
            AND x.area = NEW.area AND x.date = NEW.date AND x.id <> NEW.id),
        whole = whole + {_NEW[0]},
        millionths = millionths + {_NEW[1]},
        odd = odd + {_NEW[2]},
        newest = max(newest, NEW.date),
        {tail.assign("entries", "NEW.indicator", "NEW.area")}
    WHERE indicator = NEW.indicator AND area = NEW.area;
END;
CREATE TRIGGER series_no_delete BEFORE DELETE ON series
BEGIN SELECT RAISE(ABORT, 'povtrack: series are never removed'); END;
"""

# the running figures as the entries give them, per series (``file.upgrade``, ``series_problems``)
WORKED_OUT = (
    "SELECT f.*, " + ", ".join(f"t.{c}" for c in tail.COLUMNS) + " FROM (SELECT indicator, "
    f"area, count(*), count(*) - count(DISTINCT date), {_SUMMED}, max(date) FROM entries "
    f"GROUP BY indicator, area) f JOIN ({tail.of_all('entries')}) t "
    "ON t.indicator = f.indicator AND t.area = f.area"
)


def total(columns: tuple[Any, ...]) -> tuple[Exact, bool]:
    """The three sum columns as one exact sum, and whether every value is in it."""
    whole, millionths, odd = columns
    if type(whole) is not int or type(millionths) is not int:  # beyond 2^63: summed elsewhere
        return 0, False
    if not millionths:  # whole numbers only: the usual case, no fraction made
        return whole, odd == 0
    return exact(whole + Fraction(millionths, 1_000_000)), odd == 0


def series_problems(conn: sqlite3.Connection) -> list[str]:
    """Each series whose running figures are not what its entries give (``db verify``)."""
    kept = {
        (r[0], r[1]): r[2:] for r in conn.execute(f"SELECT indicator, area, {FIGURES} FROM series")
    }
    problems = []
    for row in conn.execute(WORKED_OUT):
        key, figures = (row[0], row[1]), tuple(row[2:])
        if kept.pop(key, None) != figures:
            problems.append(
                tr(
                    f"series：{key[0]} {key[1]} 的汇总与其记录不符",
                    f"series: the running figures of {key[0]} {key[1]} differ from its entries",
                )
            )
    problems += [
        tr(
            f"series：{ind} {area} 没有记录",
            f"series: {ind} {area} has no entries",
        )
        for ind, area in kept
    ]
    return problems

"""What ``status``, ``board``, ``diff`` and ``report`` read of a database on an engine
(SQLite, PostgreSQL): for each series (indicator, area), the entries of its last few dates up
to the as-of date and, for an increment, the exact sum of what counts before them, as a
``Ledger.window``. A series with nothing after the as-of date is read from its ``series`` row
alone (its running figures and its tail, ``storage.tail``); another is walked by its index up
to the as-of date. Either way the cost follows the number of series and the few rows each
needs, not the length of the history. Also here: what ``missing`` and ``completeness`` read
(``read_between``), a write's series (``read_series``) and a report's digest rows
(``counting_rows``).

Which entries count is decided as everywhere else (``povtrack.ledger``): the backend passes
``skip``, the ids that rules 1 and 2 leave out (undone batches, superseded entries), and rule 3
is applied here to the rows read, per date the last one recorded. The dates kept per series
(``KEEP``) are enough for every question ``status`` asks: the value at the as-of date and, for
the recent pace, the values on the scope's last ``RECENT_WEEKS + 1`` reported dates (each of
those is among the last ``KEEP`` dates of some series of the scope, and the value of any other
series on it is then among its own last ``KEEP``). ``Ledger`` refuses a question outside a
window rather than answer it wrongly.

Sums of increments are exact: PostgreSQL sums NUMERIC as decimals; on SQLite whole numbers add
as integers and a decimal of at most six places as an integer count of millionths (the decimal
it was written as, which is what ``povtrack.exact`` makes of it); any other value is read and
added in Python, as is a series with a date reported twice or an entry that does not count
before its window.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from itertools import repeat
from operator import le, lt
from typing import Any

from povtrack.exact import Exact, exact
from povtrack.ledger import Ledger
from povtrack.model import Entry
from povtrack.storage import tail

KEEP = tail.KEEP  # dates read per series: as many as a series' tail has
SLACK = 0  # rows read beyond KEEP (a series with too few that count is read again whole)
CHUNK = 500  # ids per query when the rows of entries that do not count are read
NEWEST = date(9999, 12, 31)  # "no as-of date": the window of everything recorded
_NUMBERS = {int, float}

Rows = Callable[[str, tuple[Any, ...]], list[tuple[Any, ...]]]
Stream = Callable[[str, tuple[Any, ...]], Iterable[tuple[Any, ...]]]  # rows a few at a time
Key = tuple[str, str]
Row = tuple[str, Any, int]  # a row read: its date (ISO text), value and id
Columns = tail.Columns  # rows as columns: dates (ISO text), values, ids
Figures = tuple[str, int, tuple[Any, ...]]  # a series' newest date, repeats, sum columns


@dataclass(frozen=True)
class Dialect:
    """How one engine spells the window's queries."""

    entries: str  # the entries table
    batches: str  # the batches table
    series: str  # a query of every (indicator, area) with entries, and its newest date
    mark: str  # the parameter placeholder
    lowest: str  # a date below every date (SQL literal)
    materialized: str  # "MATERIALIZED" where the engine knows it
    day: Callable[[date], Any]  # a date as a query parameter
    text: Callable[[Any], str]  # a date read back as ISO text
    sums: str  # the exact-sum columns over e.value (see ``exact_total``)
    exact_total: Callable[[tuple[Any, ...]], tuple[Exact, bool]]  # columns -> sum, all added?
    totals: str  # per series: indicator, area, newest date, rows, repeats, the sum columns,
    # the tail columns (``storage.tail``); its dates as ISO text
    sum_columns: int  # how many sum columns
    tail: Callable[[tuple[Any, ...]], Columns]  # the tail's rows from what follows the sums
    columns: str  # an entry's columns, of the table as ``e``
    entry: Callable[[tuple[Any, ...]], Entry]  # those columns as an Entry


def _cut(d: Dialect, reach: int = KEEP + SLACK) -> str:
    """Per series, the date from which on its rows are read: the date of the row ``reach``
    from the end at the as-of date (NULL when it has fewer rows)."""
    m = d.mark
    return (
        f"(SELECT x.date FROM {d.entries} x WHERE x.indicator = q.indicator "
        f"AND x.area = q.area AND x.date <= {m} ORDER BY x.date DESC, x.id DESC "
        f"LIMIT 1 OFFSET {reach - 1})"
    )


def _series(d: Dialect, where: str = "") -> str:
    """``WITH s``: every series and its cut, worked out once each (materialised: a planner
    that folded it into the join would work out a cut for every row the join reads)."""
    return (
        f"WITH s AS {d.materialized} (SELECT q.indicator, q.area, {_cut(d)} AS cut "
        f"FROM ({d.series}) q {where}) "
    )


def read(rows: Rows, d: Dialect, as_of: date, skip: set[int], increments: Iterable[str]) -> Ledger:
    """The window of the history at ``as_of`` (``NEWEST``: of everything). A series with
    nothing after ``as_of`` is read from its tail (``storage.tail``: its last rows, in its
    ``series`` row); the others by a walk of their rows up to ``as_of``."""
    m, day = d.mark, d.day(as_of)
    text, until = d.text, d.text(day)
    figures: dict[Key, Figures] = {}
    found: dict[Key, Columns] = {}
    cuts: dict[Key, str] = {}  # per series read short, its first date read
    later = False
    sums = 5 + d.sum_columns
    for row in rows(d.totals, ()):
        key, newest, n_rows = (row[0], row[1]), row[2], row[3]  # dates as ISO text
        figures[key] = (newest, row[4], row[5:sums])
        if newest > until:
            later = True
            continue
        days, values, ids = d.tail(row[sums:])
        found[key] = (days, values, ids)
        if n_rows > len(days):
            cuts[key] = days[0]
    if later:  # series with rows after the as-of date: their rows up to it, by the index
        sql = (
            f"{_series(d, f'WHERE q.newest > {m}')}SELECT s.indicator, s.area, s.cut, e.date, "
            f"e.value, e.id FROM s JOIN {d.entries} e ON e.indicator = s.indicator "
            f"AND e.area = s.area AND e.date <= {m} AND e.date >= coalesce(s.cut, {d.lowest})"
        )
        walked: dict[Key, list[Row]] = {}
        for ind, area, cut, when, value, entry_id in rows(sql, (day, day, day)):
            group = walked.get((ind, area))
            if group is None:
                group = walked[(ind, area)] = []
                if cut is not None:
                    cuts[(ind, area)] = text(cut)
            group.append((text(when), value, entry_id))
        found.update((key, columns(group)) for key, group in walked.items())
    _sound_columns(found.values())
    kept: dict[Key, tuple[list[str], list[Any]]] = {}
    moved: set[Key] = set()  # series whose cut is not the first read's
    for key, cols in found.items():
        texts, counting = counted(cols, skip)
        reach = KEEP + SLACK
        while key in cuts and len(texts) < KEEP:
            moved.add(key)  # rows near the end that do not count
            reach *= 4  # read further back, until enough count or the series is read whole
            cut = rows(
                f"SELECT q.indicator, q.area, {_cut(d, reach)} FROM (SELECT {m} AS "
                f"indicator, {m} AS area) q",
                (day, *key),  # the cut's date comes first in the text
            )[0][2]
            if cut is None:
                del cuts[key]
            else:
                cuts[key] = text(cut)
            sql = (
                f"SELECT e.date, e.value, e.id FROM {d.entries} e WHERE e.indicator = {m} "
                f"AND e.area = {m} AND e.date <= {m}"
                + ("" if cut is None else f" AND e.date >= {m}")
            )
            low = rows(sql, (*key, day) if cut is None else (*key, day, cut))
            cols = found[key] = columns([(text(w), v, i) for w, v, i in low])
            _sound_columns([cols])
            texts, counting = counted(cols, skip)
        kept[key] = (texts, counting)
    wanted = set(increments)
    bases = {k: c for k, c in cuts.items() if k[0] in wanted}
    totals = _bases(rows, d, day, bases, skip, found, moved, figures) if bases else {}
    series = [(ind, area, texts, values) for (ind, area), (texts, values) in kept.items()]
    return Ledger.window(series, {k: totals.get(k, 0) for k in cuts})


def read_between(rows: Rows, d: Dialect, start: date, end: date, skip: set[int]) -> list[Entry]:
    """What ``missing`` and ``completeness`` read of the entries that count: those dated from
    ``start`` to ``end``, and of each series the newest one before ``start`` (when it last
    reported, and that it had reported: all that coverage asks of the time before), in id
    order."""
    m = d.mark
    series = f"WITH s AS {d.materialized} (SELECT q.indicator, q.area FROM ({d.series}) q) "
    join = (
        f"SELECT {d.columns} FROM s JOIN {d.entries} e "
        "ON e.indicator = s.indicator AND e.area = s.area"
    )
    inside = rows(f"{series}{join} AND e.date >= {m} AND e.date <= {m}", (d.day(start), d.day(end)))
    kept = _counting([d.entry(r) for r in inside], skip)
    sql = (
        f"{series}{join} AND e.date = (SELECT max(x.date) FROM {d.entries} x "
        f"WHERE x.indicator = s.indicator AND x.area = s.area AND x.date < {m})"
    )
    found = [d.entry(r) for r in rows(sql, (d.day(start),))]
    before = _counting(found, skip)
    have = {(e.indicator, e.area) for e in before}
    for key in sorted({(e.indicator, e.area) for e in found} - have):  # none counts that day
        sql = (
            f"SELECT {d.columns} FROM {d.entries} e WHERE e.indicator = {m} AND e.area = {m} "
            f"AND e.date < {m}"
        )
        older = _counting([d.entry(r) for r in rows(sql, (*key, d.day(start)))], skip)
        if older:
            before.append(max(older, key=lambda e: (e.date, e.id)))
    return sorted({e.id: e for e in kept + before}.values(), key=lambda e: e.id)


def counting_rows(
    rows: Rows, stream: Stream, d: Dialect, until: date, skip: set[int]
) -> Iterator[tuple[int, str, str, str, Any]]:
    """Every entry that counts dated up to ``until`` as (id, indicator, area, ISO date,
    value), in id order: what a report's digest is made of (every entry, by definition). One
    pass in id order, streamed (never every row in memory at once): the entries rules 1 and 2
    leave out are ``skip``, and those rule 3 leaves out (an earlier report of a date reported
    again) are found first among the few dates reported more than once."""
    drop = skip | _replaced(rows, d, until, skip)
    sql = f"SELECT e.id, e.indicator, e.area, e.date, e.value FROM {d.entries} e "
    text, days = d.text, set[str]()
    for entry_id, ind, area, when, value in stream(
        sql + f"WHERE e.date <= {d.mark} ORDER BY e.id", (d.day(until),)
    ):
        if entry_id in drop:
            continue
        day = when if type(when) is str else text(when)
        if type(value) not in _NUMBERS or not value >= 0 or day not in days:
            _sound(day, value, entry_id, days)
        yield entry_id, ind, area, day, value


def _replaced(rows: Rows, d: Dialect, until: date, skip: set[int]) -> set[int]:
    """Ids of the entries rule 3 leaves out up to ``until``: of each date reported more than
    once, every report that counts but the last recorded."""
    m = d.mark
    repeated = (
        f"SELECT indicator, area, date FROM {d.entries} WHERE date <= {m} "
        "GROUP BY indicator, area, date HAVING count(*) > 1"
    )
    sql = (
        f"SELECT e.id, e.indicator, e.area, e.date FROM {d.entries} e JOIN ({repeated}) g "
        "ON e.indicator = g.indicator AND e.area = g.area AND e.date = g.date ORDER BY e.id"
    )
    last: dict[tuple[str, str, Any], int] = {}
    out: set[int] = set()
    for entry_id, ind, area, when in rows(sql, (d.day(until),)):
        if entry_id in skip:
            continue
        had = last.get((ind, area, when))
        if had is not None:
            out.add(had)  # in id order: a later report of the date replaces it
        last[(ind, area, when)] = entry_id
    return out


def _counting(found: list[Entry], skip: set[int]) -> list[Entry]:
    """The entries among ``found`` that count, given every entry of their dates: rules 1 and 2
    by ``skip``, rule 3 (the last recorded of a date)."""
    last: dict[tuple[str, str, date], Entry] = {}
    for e in found:
        if e.id in skip:
            continue
        key = (e.indicator, e.area, e.date)
        had = last.get(key)
        if had is None or e.id > had.id:
            last[key] = e
    return list(last.values())


def undone(rows: Rows, d: Dialect) -> dict[str, str]:
    """The undone batches (``ledger.undone_batches``), from the undo batches alone: only an
    undo's standing decides, and the undos are few however long the history."""
    from povtrack.ledger import undone_batches

    sql = f"SELECT id, kind, reverts FROM {d.batches} WHERE kind = 'undo' ORDER BY seq"
    return undone_batches([{"id": i, "kind": k, "reverts": r} for i, k, r in rows(sql, ())])


def not_counting(rows: Rows, d: Dialect, undone: Iterable[str]) -> set[int]:
    """Ids of the entries in an ``undone`` batch or superseded by a correction in force:
    rules 1 and 2 of ``povtrack.ledger`` (the newest correction in force wins, corrections
    chain), from the undone batches' entries and the few corrections (indexes on both)."""
    m = d.mark
    skip: set[int] = set()
    batches = sorted(undone)
    for n in range(0, len(batches), CHUNK):
        part = tuple(batches[n : n + CHUNK])
        sql = f"SELECT id FROM {d.entries} WHERE batch IN ({', '.join([m] * len(part))})"
        skip.update(i for (i,) in rows(sql, part))
    # in id order, sorted here: the partial index of corrections has no order by id
    sql = f"SELECT id, corrects FROM {d.entries} WHERE corrects IS NOT NULL"
    for entry_id, target in sorted(rows(sql, ())):
        if entry_id not in skip and target not in skip:
            skip.add(target)
    return skip


def read_series(rows: Rows, d: Dialect, keys: Iterable[Key], skip: set[int]) -> Ledger:
    """The whole ledger of a few series (what a write needs of the series it adds to)."""
    m = d.mark
    sql = (
        f"SELECT e.date, e.value, e.id FROM {d.entries} e WHERE e.indicator = {m} AND e.area = {m}"
    )
    series = []
    days: set[str] = set()
    for key in sorted(set(keys)):
        group = [_sound(d.text(w), v, i, days) for w, v, i in rows(sql, key)]
        texts, values = counted(columns(group), skip)
        series.append((*key, texts, values))
    return Ledger.from_series(series)


class BadRow(Exception):
    """An entry read whose value or date is not sound: a file changed by another program
    (the engine's constraints refuse one written through it). The backend says which."""

    def __init__(self, entry_id: int, day: Any, value: Any) -> None:
        super().__init__(entry_id, day, value)
        self.entry_id, self.day, self.value = entry_id, day, value


def _sound_columns(found: Iterable[Columns]) -> None:
    """``_sound`` for many rows at once: the values' types and signs together, each distinct
    date once; the first unsound row raises ``BadRow``."""
    found = list(found)
    values = [v for _, vs, _ in found for v in vs]
    if not set(map(type, values)) <= _NUMBERS or not all(map(le, repeat(0), values)):
        days: set[str] = set()
        for cols in found:
            for when, value, entry_id in zip(*cols, strict=True):
                _sound(when, value, entry_id, days)
    for when in {w for ws, _, _ in found for w in ws}:
        try:
            sound = len(when) == 10 and date.fromisoformat(when) is not None
        except (TypeError, ValueError):
            sound = False
        if not sound:
            for cols in found:
                for day, value, entry_id in zip(*cols, strict=True):
                    if day == when:
                        raise BadRow(entry_id, when, value)


def columns(group: list[Row]) -> Columns:
    """Rows as their three columns (dates, values, ids)."""
    if not group:
        return (), (), ()
    days, values, ids = zip(*group, strict=True)
    return days, values, ids


def _sound(text: str, value: Any, entry_id: int, days: set[str]) -> tuple[str, Any, int]:
    """A row as read, once its value is a number ≥ 0 and its date a date (each distinct date
    parsed once, into ``days``)."""
    if type(value) not in (int, float) or not value >= 0:
        raise BadRow(entry_id, text, value)
    if text not in days:
        try:
            date.fromisoformat(text)
        except ValueError:
            raise BadRow(entry_id, text, value) from None
        if len(text) != 10:
            raise BadRow(entry_id, text, value)
        days.add(text)
    return text, value, entry_id


def counted(cols: Columns, skip: set[int]) -> tuple[list[str], list[Any]]:
    """The dates and values that count among one series' rows: rule 3 over the rows not in
    ``skip`` (per date, the last recorded), in date order."""
    days, values, ids = cols
    if all(map(lt, days, days[1:])) and (not skip or skip.isdisjoint(ids)):
        return list(days), list(values)  # the usual case: one row per date, all counting
    last: dict[str, tuple[int, Any]] = {}
    for when, value, entry_id in zip(days, values, ids, strict=True):
        if entry_id in skip:
            continue
        had = last.get(when)
        if had is None or entry_id > had[0]:
            last[when] = (entry_id, value)
    texts = sorted(last)
    return texts, [last[t][1] for t in texts]


def _bases(
    rows: Rows,
    d: Dialect,
    day: Any,
    cuts: dict[Key, str],
    skip: set[int],
    found: dict[Key, Columns],
    moved: set[Key],
    figures: dict[Key, Figures],
) -> dict[Key, Exact]:
    """Per increment series cut short, the exact sum of what counts before its cut. A series
    whose rows there all count (one row per date, none in ``skip``) is summed by the engine;
    the few others are read and summed here by the rules.

    The engine's sum: when nothing of the series is dated after the as-of date (the usual
    status, of the newest week), its running totals in the ``series`` table (``figures``)
    less the rows read from the cut on, which costs nothing per row of history; else a sum
    of the rows before the cut."""
    m = d.mark
    totals: dict[Key, Exact] = {}
    dirty: set[Key] = set()
    as_of = d.text(day)
    later: set[Key] = set()
    for key in cuts:
        newest, repeats, sums = figures[key]
        dates, values, _ = found[key]
        if newest > as_of:
            later.add(key)
            continue
        total, whole = d.exact_total(sums)
        recent = sum(values) if all(type(v) is int for v in values) else sum(map(exact, values), 0)
        totals[key] = total - recent
        if repeats != len(dates) - len(set(dates)) or not whole:
            dirty.add(key)  # a date reported twice before the cut, or a value summed here
    if later:
        inds = sorted({ind for ind, _ in later})
        where = f"WHERE q.indicator IN ({', '.join([m] * len(inds))})"
        sql = (
            f"{_series(d, where)}SELECT s.indicator, s.area, count(*), "
            f"count(DISTINCT e.date), {d.sums} FROM s JOIN {d.entries} e "
            "ON e.indicator = s.indicator AND e.area = s.area AND e.date < s.cut "
            "GROUP BY s.indicator, s.area"
        )
        for ind, area, n, distinct, *parts in rows(sql, (day, *inds)):
            if (ind, area) in later and (ind, area) not in moved:
                total, whole = d.exact_total(tuple(parts))
                totals[(ind, area)] = total
                if n != distinct or not whole:
                    dirty.add((ind, area))
    dirty |= later & moved  # cut further back than the query's cut: read here
    ids = sorted(skip)
    for n in range(0, len(ids), CHUNK):
        part = tuple(ids[n : n + CHUNK])
        sql = (
            f"SELECT e.indicator, e.area, e.date FROM {d.entries} e "
            f"WHERE e.id IN ({', '.join([m] * len(part))})"
        )
        for ind, area, when in rows(sql, part):
            cut = cuts.get((ind, area))
            if cut is not None and d.text(when) < cut:
                dirty.add((ind, area))
    days: set[str] = set()
    for key in sorted(dirty):
        sql = (
            f"SELECT e.date, e.value, e.id FROM {d.entries} e WHERE e.indicator = {m} "
            f"AND e.area = {m} AND e.date < {m}"
        )
        before = d.day(date.fromisoformat(cuts[key]))
        group = [_sound(d.text(w), v, i, days) for w, v, i in rows(sql, (*key, before))]
        totals[key] = sum(map(exact, counted(columns(group), skip)[1]), 0)
    return totals

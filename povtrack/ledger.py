"""Which entries count: the history of records, corrections, undos and repeated reports, read.

Pure: no I/O. Nothing is ever removed from the database; every read works out from the whole
history what counts, by one rule, which ``status`` (``Ledger`` below), ``log``, ``log
--all``, ``explain`` and ``correct`` all follow:

1. an entry whose batch was undone (by an undo still in force) does not count: ``undone by bN``;
2. an entry corrected by a correction that itself counts by rule 1 (the newest such
   correction wins; corrections chain) does not count: ``superseded by #N``;
3. of the entries left for one area, indicator and date, the one recorded last counts; every
   other one is ``replaced by #N``, N being the one that counts. Only an entry that counts by
   rules 1 and 2 replaces another: an undone or superseded later report replaces nothing.

``EntryTable.not_counting`` and ``storage.window.not_counting`` apply rules 1 and 2 from the
stored columns; ``Ledger`` and ``EntryTable.replaced`` apply rule 3 the same way. For users:
docs/rules.md, "Reporting".
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from itertools import accumulate
from operator import lt
from typing import Any

from povtrack.exact import Exact, exact
from povtrack.model import Entry, Indicator

COUNTS = "counts"
# The states' words, exactly as JSON and the exports give them (N: an entry id, bN a batch).
SUPERSEDED = "superseded by #"
UNDONE = "undone by "
REPLACED = "replaced by #"
# ... and as a person reads them in Chinese: 已被#2更正, 已被b3撤销, 已被#7替换.
_VERBS_ZH = (("superseded by ", "更正"), ("undone by ", "撤销"), ("replaced by ", "替换"))


def state_words(state: str, lang: str) -> str:
    """An entry's state (``entry_states``) in ``lang``: in English the state itself, in
    Chinese 计入 or 已被#2更正 (JSON and the exports keep the English words)."""
    if lang != "zh":
        return state
    if state == COUNTS:
        return "计入"
    for head, verb in _VERBS_ZH:
        if state.startswith(head):
            return f"已被{state[len(head) :]}{verb}"
    return state


def undone_batches(batches: list[dict[str, Any]]) -> dict[str, str]:
    """Batch id -> the undo batch that reverted it, counting only undos still in force (an
    undo can itself be undone, which puts its batch back)."""
    reverts = {
        b["id"]: b["reverts"] for b in batches if b.get("kind") == "undo" and b.get("reverts")
    }
    reverted_by: dict[str, list[str]] = defaultdict(list)
    for undo, target in reverts.items():
        reverted_by[target].append(undo)
    # An undo only ever names an earlier batch (the checks on open refuse a loop), so going
    # from the newest batch to the oldest, every undo of a batch is settled before the batch:
    # one pass, no recursion, however long a chain of undos of undos.
    live: dict[str, bool] = {}
    for b in reversed(batches):
        live[b["id"]] = not any(live.get(u, True) for u in reverted_by.get(b["id"], ()))
    return {target: undo for undo, target in reverts.items() if live.get(undo, True)}


def files_in_force(batches: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """sha256 -> the import batch in force that took that file (an undone file may be
    imported again)."""
    undone = undone_batches(batches)
    return {f["sha256"]: b for b in batches if b["id"] not in undone for f in b.get("files", [])}


def replacements(entries: Iterable[Entry]) -> dict[int, int]:
    """Rule 3 over entries that count by rules 1 and 2: the id of every entry that a later
    one for the same area, indicator and date replaces -> the id of the one that counts."""
    newest: dict[tuple[str, str, date], int] = {}
    ordered = sorted(entries, key=lambda e: e.id)
    for e in ordered:
        newest[(e.indicator, e.area, e.date)] = e.id
    out: dict[int, int] = {}
    for e in ordered:
        last = newest[(e.indicator, e.area, e.date)]
        if last != e.id:
            out[e.id] = last
    return out


def entry_states(entries: list[Entry], batches: list[dict[str, Any]]) -> dict[int, str]:
    """Every entry's standing: ``counts``, ``undone by bN``, ``superseded by #N`` or
    ``replaced by #N`` (the module's rules). Nothing is ever removed: this is how the history
    is read."""
    undone = undone_batches(batches)
    states: dict[int, str] = {}
    for e in entries:
        states[e.id] = f"{UNDONE}{undone[e.batch]}" if e.batch in undone else COUNTS
    # the newest correction in force wins; a correction of a correction chains
    for e in sorted(entries, key=lambda e: e.id):
        target = e.corrects
        if target is not None and states[e.id] == COUNTS and states.get(target) == COUNTS:
            states[target] = f"{SUPERSEDED}{e.id}"
    left = [e for e in entries if states[e.id] == COUNTS]
    for old, new in replacements(left).items():
        states[old] = f"{REPLACED}{new}"
    return states


def effective_entries(entries: list[Entry], batches: list[dict[str, Any]]) -> list[Entry]:
    """The entries that count (``counts``), in the order given."""
    states = entry_states(entries, batches)
    return [e for e in entries if states[e.id] == COUNTS]


def counting_or_replaced(entries: list[Entry], batches: list[dict[str, Any]]) -> list[Entry]:
    """The entries that count and those a later report for the same date replaced (rule 3
    only): what ``explain`` shows and names."""
    states = entry_states(entries, batches)
    return [e for e in entries if states[e.id] == COUNTS or states[e.id].startswith(REPLACED)]


def counting_entry(entries: list[Entry], states: dict[int, str], of: Entry) -> Entry | None:
    """The entry that counts for ``of``'s area, indicator and date (``of`` itself when it
    counts), or None when none does (all of them undone)."""
    key = (of.indicator, of.area, of.date)
    return next(
        (e for e in entries if states[e.id] == COUNTS and (e.indicator, e.area, e.date) == key),
        None,
    )


class Ledger:
    """Entries indexed by (indicator, area): for each date the last recorded value counts."""

    def __init__(self, entries: list[Entry]) -> None:
        latest: dict[tuple[str, str, date], Entry] = {}
        for e in sorted(entries, key=lambda e: e.id):
            latest[(e.indicator, e.area, e.date)] = e
        series: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
        for (ind, area, day), e in sorted(latest.items(), key=lambda kv: kv[0][2]):
            series[(ind, area)].append((day, e.value))
        self._dates = {k: [d for d, _ in v] for k, v in series.items()}
        self._values = {k: [x for _, x in v] for k, v in series.items()}
        self._sums: dict[tuple[str, str], list[Exact]] = {}  # increments' running sums, exact
        # A window of the history (``Ledger.window``): per series cut short, the sum of the
        # increments before its first kept date, and that date (nothing before it is known)
        self._base: dict[tuple[str, str], Exact] = {}
        self._first: dict[tuple[str, str], date] = {}

    @classmethod
    def from_series(cls, series: Iterable[tuple[str, str, list[str], list[float]]]) -> Ledger:
        """The same ledger from columns: per (indicator, area), the ISO dates and values of
        the entries that count, in id order (so the last one for a date is the one that
        counts). Each distinct date is made once for the whole ledger."""
        ledger = cls([])
        days: dict[str, date] = {}
        for indicator, area, dates, values in series:
            if not dates:
                continue
            if all(map(lt, dates, dates[1:])):  # the usual case: one per date, in order
                texts, kept = dates, list(values)
            else:
                latest = dict(zip(dates, values, strict=True))
                texts = sorted(latest)  # ISO dates sort as text
                kept = [latest[t] for t in texts]
            try:
                made = list(map(days.__getitem__, texts))
            except KeyError:
                days.update((t, date.fromisoformat(t)) for t in texts if t not in days)
                made = list(map(days.__getitem__, texts))
            ledger._dates[(indicator, area)] = made
            ledger._values[(indicator, area)] = kept
        return ledger

    @classmethod
    def window(
        cls,
        series: Iterable[tuple[str, str, list[str], list[float]]],
        bases: dict[tuple[str, str], Exact],
    ) -> Ledger:
        """The end of the history, as a database engine reads it for ``status``: per series
        the values that count on its last few dates up to the as-of date (``from_series``),
        and for each series in ``bases`` (cut short) the exact sum of its increments before
        the first of those dates (0 for a running total). Nothing before a cut series' first
        date is known: asking for it is a bug (LookupError), never a wrong figure."""
        ledger = cls.from_series(series)
        for key, base in bases.items():
            dates = ledger._dates.get(key)
            if dates:
                ledger._base[key] = base
                ledger._first[key] = dates[0]
        return ledger

    def newest(self) -> date | None:
        """The newest date with a value that counts, of any series."""
        return max((dates[-1] for dates in self._dates.values() if dates), default=None)

    def dates(self, indicator: str, area: str) -> list[date]:
        """The dates with a value for this indicator and area, oldest first."""
        return self._dates.get((indicator, area), [])

    def values(self, indicator: str, area: str) -> list[float]:
        """The values that count, one per date of ``dates``, in the same order."""
        return self._values.get((indicator, area), [])

    def value_on(self, indicator: str, area: str, day: date) -> float | None:
        """The value that counts for exactly this date, if any."""
        key = (indicator, area)
        n = bisect_right(self._dates.get(key, []), day)
        if n and self._dates[key][n - 1] == day:
            return self._values[key][n - 1]
        return None

    def area_actual(self, ind: Indicator, area: str, as_of: date) -> Exact | None:
        """The area's own value as of a date, exactly: latest running total, or sum of
        increments."""
        key = (ind.id, area)
        dates = self._dates.get(key)
        if dates is None:
            return None
        n = bisect_right(dates, as_of)
        first = self._first.get(key)
        if first is not None and as_of < first:
            raise LookupError(f"{key} is known from {first} on, not on {as_of}")
        if n == 0:
            return None
        if ind.reporting == "increment":
            sums = self._sums.get(key)
            if sums is None:
                base = self._base.get(key, 0)
                sums = list(accumulate(map(exact, self._values[key]), initial=base))[1:]
                self._sums[key] = sums
            return sums[n - 1]
        value = self._values[key][n - 1]
        return value if type(value) is int else exact(value)

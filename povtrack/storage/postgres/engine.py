"""The reads of a PostgreSQL database that the server does (``storage.window``), for
``postgres.backend.PgBackend``: each series' last dates for ``status`` and ``board``, the
weeks ``missing`` and ``completeness`` look at, the series a write adds to, the entries of a
few indicators, and which entries do not count. Each asks for what it needs, by the indexes;
none reads every entry."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import TYPE_CHECKING, Any

from povtrack.model import Entry, Plan
from povtrack.storage import window
from povtrack.storage.postgres.rows import dialect, entry_of
from povtrack.storage.postgres.schema import ENTRY_COLUMNS, NAME

if TYPE_CHECKING:
    from povtrack.ledger import Ledger


class EngineReads:
    """Mixed into ``PgBackend``, whose caches and ``_rows`` these use."""

    plan: Plan
    _all: list[Entry] | None
    _effective: list[Entry] | None
    _skip: set[int] | None
    _windows: dict[date, Ledger]

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PgBackend's

    def batches(self) -> list[dict[str, Any]]:
        raise NotImplementedError  # PgBackend's

    def entries(self) -> list[Entry]:
        raise NotImplementedError  # PgBackend's

    def series_entries(self, indicators: Iterable[str]) -> list[Entry]:
        """Every entry of these indicators, in all states, in id order."""
        wanted = sorted(set(indicators))
        if self._all is not None:
            return [e for e in self._all if e.indicator in wanted]
        sql = f"SELECT {ENTRY_COLUMNS} FROM {NAME}.entries WHERE indicator = ANY(%s) ORDER BY id"
        return [entry_of(row) for row in self._rows(sql, (wanted,))]

    def ledger_at(self, as_of: date) -> Ledger:
        """What ``status`` needs at ``as_of``: each series' last dates, read by the server
        (``storage.window``)."""
        newest = self._windows.get(window.NEWEST)
        if newest is not None and as_of >= (newest.newest() or as_of):
            return newest  # nothing counts after the newest date: the same window
        if as_of not in self._windows:
            skip = self._not_counting()
            increments = [i.id for i in self.plan.indicators if i.reporting == "increment"]
            self._windows[as_of] = window.read(self._rows, dialect(), as_of, skip, increments)
        return self._windows[as_of]

    def entries_between(self, start: date, end: date) -> list[Entry]:
        """Enough of the entries that count for ``missing`` and ``completeness``
        (``window.read_between``)."""
        if self._effective is not None:
            return self.entries()
        skip = self._not_counting()
        return window.read_between(self._rows, dialect(), start, end, skip)

    def series_ledger(self, keys: Iterable[tuple[str, str]]) -> Ledger:
        """The whole ledger of the series ``keys`` (what a write needs of them)."""
        return window.read_series(self._rows, dialect(), keys, self._not_counting())

    def _not_counting(self) -> set[int]:
        if self._skip is None:
            undone = window.undone(self._rows, dialect())
            self._skip = window.not_counting(self._rows, dialect(), undone)
        return self._skip

    def latest_date(self) -> date:
        """The newest date of an entry that counts (else the plan's start)."""
        if self._effective is not None:
            return max((e.date for e in self._effective), default=self.plan.start)
        return self.ledger_at(window.NEWEST).newest() or self.plan.start

"""The reads of a layout-2 SQLite file that the engine does (``storage.window``), for
``sqlite.backend.SqliteBackend``: each series' last dates for ``status`` and ``board``, the
weeks ``missing`` and ``completeness`` look at, the series a write adds to, the entries of a
few indicators, and which entries do not count. Each asks for what it needs, by the indexes;
none reads every entry. A row the CHECK constraints should have refused is a corrupt database
(exit 4) wherever it is read. A layout-1 file is read whole, as before."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from povtrack.errors import DatabaseError
from povtrack.i18n import tr
from povtrack.model import Entry, Plan
from povtrack.storage import window
from povtrack.storage.sqlite import reads
from povtrack.storage.sqlite.opening import hinted

if TYPE_CHECKING:
    from povtrack.ledger import Ledger


class EngineReads:
    """Mixed into ``SqliteBackend``, whose connection, caches and layout these use."""

    path: Path
    plan: Plan
    _layout: int
    _all: list[Entry] | None
    _effective: list[Entry] | None
    _skip: set[int] | None
    _windows: dict[date, Ledger]

    def _reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SqliteBackend's

    def ledger(self) -> Ledger:
        raise NotImplementedError  # SqliteBackend's

    def entries(self) -> list[Entry]:
        raise NotImplementedError  # SqliteBackend's

    def series_entries(self, indicators: Iterable[str]) -> list[Entry]:
        """Every entry of these indicators, in all states, in id order (what ``trend`` and
        ``explain`` read: a correction is always of its own indicator)."""
        wanted = tuple(sorted(set(indicators)))
        if self._all is not None:
            return [e for e in self._all if e.indicator in wanted]
        with self._reading() as conn, self._sound():
            return reads.entries(conn, indicators=wanted)

    def ledger_at(self, as_of: date) -> Ledger:
        """What ``status`` needs at ``as_of``: on a layout-2 file each series' last dates,
        read by the engine (``storage.window``); on a layout-1 file the whole ledger."""
        if self._layout < 2:
            return self.ledger()
        newest = self._windows.get(window.NEWEST)
        if newest is not None and as_of >= (newest.newest() or as_of):
            return newest  # nothing counts after the newest date: the same window
        if as_of not in self._windows:
            skip = self._not_counting()
            increments = [i.id for i in self.plan.indicators if i.reporting == "increment"]
            with self._reading() as conn, self._sound():
                rows = rows_of(conn)
                self._windows[as_of] = window.read(rows, reads.dialect(), as_of, skip, increments)
        return self._windows[as_of]

    @contextlib.contextmanager
    def _sound(self) -> Iterator[None]:
        """A row the engine's constraints should have refused, as a corrupt database."""
        try:
            yield
        except window.BadRow as bad:
            from povtrack.storage.sqlite.checks import bad_entry

            what = bad_entry(bad.entry_id, bad.day, bad.value)
            raise hinted(
                self.path,
                DatabaseError(
                    tr(
                        f"{self.path}：数据库已损坏：{what}",
                        f"{self.path}: corrupt database: {what}",
                    )
                ),
            ) from None

    def entries_between(self, start: date, end: date) -> list[Entry]:
        """Enough of the entries that count for ``missing`` and ``completeness`` from
        ``start`` to ``end`` (``window.read_between``); every one on a layout-1 file."""
        if self._layout < 2 or self._effective is not None:
            return self.entries()
        skip = self._not_counting()
        with self._reading() as conn, self._sound():
            return window.read_between(rows_of(conn), reads.dialect(), start, end, skip)

    def series_ledger(self, keys: Iterable[tuple[str, str]]) -> Ledger:
        """The whole ledger of the series ``keys`` (what a write needs of the series it
        adds to)."""
        if self._layout < 2:
            return self.ledger()
        skip = self._not_counting()
        with self._reading() as conn, self._sound():
            return window.read_series(rows_of(conn), reads.dialect(), keys, skip)

    def _not_counting(self) -> set[int]:
        if self._skip is None:
            with self._reading() as conn:
                rows = rows_of(conn)
                undone = window.undone(rows, reads.dialect())
                self._skip = window.not_counting(rows, reads.dialect(), undone)
        return self._skip


def rows_of(conn: sqlite3.Connection) -> window.Rows:
    return lambda sql, params: conn.execute(sql, params).fetchall()

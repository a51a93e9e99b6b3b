"""The reads a database engine does for its backend (``storage.window``), one mixin for SQLite
(layout 2) and PostgreSQL: each series' last dates for ``status`` and ``board``, the weeks
``missing`` and ``completeness`` look at, the series a write adds to, and which entries do not
count. Each asks for what it needs, by the indexes; none reads every entry. A backend says how
its engine is asked (``_engine``, ``_dialect``) and whether it can be (``_by_engine``: a
layout-1 SQLite file cannot, and is read whole, as before).
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING

from povtrack.storage import window
from povtrack.storage.base import digestible

if TYPE_CHECKING:
    from povtrack.ledger import Ledger
    from povtrack.model import Digestible, Entry, Plan


class EngineReads:
    """Mixed into ``SqliteBackend`` and ``PgBackend``, whose caches these fill."""

    plan: Plan
    _all: list[Entry] | None  # every entry, once a command has read them
    _effective: list[Entry] | None
    _skip: set[int] | None
    _windows: dict[date, Ledger]  # ledger_at's, by as-of date

    # -- the backend's ------------------------------------------------------------------

    def _engine(self) -> contextlib.AbstractContextManager[window.Rows]:
        """The engine's rows for one read (its errors as povtrack's)."""
        raise NotImplementedError

    def _dialect(self) -> window.Dialect:
        raise NotImplementedError

    def _streaming(self) -> contextlib.AbstractContextManager[window.Stream]:
        """The engine's rows for one read of many, a few at a time (its errors as
        povtrack's)."""
        raise NotImplementedError

    def _by_engine(self) -> bool:
        return True

    def ledger(self) -> Ledger:
        raise NotImplementedError

    def entries(self) -> list[Entry]:
        raise NotImplementedError

    # -- the reads ----------------------------------------------------------------------

    def ledger_at(self, as_of: date) -> Ledger:
        """What ``status`` needs at ``as_of``: each series' last dates (``window.read``);
        the whole ledger where the engine cannot be asked."""
        if not self._by_engine():
            return self.ledger()
        newest = self._windows.get(window.NEWEST)
        if newest is not None and as_of >= (newest.newest() or as_of):
            return newest  # nothing counts after the newest date: the same window
        if as_of not in self._windows:
            skip = self._not_counting()
            increments = [i.id for i in self.plan.indicators if i.reporting == "increment"]
            with self._engine() as rows:
                self._windows[as_of] = window.read(rows, self._dialect(), as_of, skip, increments)
        return self._windows[as_of]

    def entries_between(self, start: date, end: date) -> list[Entry]:
        """Enough of the entries that count for ``missing`` and ``completeness`` from
        ``start`` to ``end`` (``window.read_between``); every one when they are read already
        or the engine cannot be asked."""
        if not self._by_engine() or self._effective is not None:
            return self.entries()
        skip = self._not_counting()
        with self._engine() as rows:
            return window.read_between(rows, self._dialect(), start, end, skip)

    def series_ledger(self, keys: Iterable[tuple[str, str]]) -> Ledger:
        """The whole ledger of the series ``keys`` (what a write needs of the series it adds
        to)."""
        if not self._by_engine():
            return self.ledger()
        skip = self._not_counting()
        with self._engine() as rows:
            return window.read_series(rows, self._dialect(), keys, skip)

    def batch_size(self, batch_id: str) -> int:
        """How many entries the batch added (by the index on batch)."""
        if self._all is not None:
            return sum(1 for e in self._all if e.batch == batch_id)
        d = self._dialect()
        with self._engine() as rows:
            sql = f"SELECT count(*) FROM {d.entries} WHERE batch = {d.mark}"
            return int(rows(sql, (batch_id,))[0][0])

    def counting_rows(self, until: date) -> Iterator[Digestible]:
        """Every entry that counts dated up to ``until``, in id order, as a report's digest
        takes it (``window.counting_rows``: streamed), from the entries when they are read
        already. Consume it at once: it reads while it is iterated."""
        if not self._by_engine() or self._effective is not None:
            yield from digestible(self.entries(), until)
            return
        skip = self._not_counting()
        with self._engine() as rows, self._streaming() as stream:
            yield from window.counting_rows(rows, stream, self._dialect(), until, skip)

    def _not_counting(self) -> set[int]:
        """Ids of the entries rules 1 and 2 leave out (``window.not_counting``)."""
        if self._skip is None:
            with self._engine() as rows:
                undone = window.undone(rows, self._dialect())
                self._skip = window.not_counting(rows, self._dialect(), undone)
        return self._skip

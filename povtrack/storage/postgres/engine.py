"""The reads a PostgreSQL server does for ``postgres.backend.PgBackend``: how
``storage.engine.EngineReads`` asks it, the entries of a few indicators, and the newest date
that counts. Each asks for what it needs, by the indexes; none reads every entry."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TYPE_CHECKING, Any

from povtrack.model import Entry
from povtrack.storage import window
from povtrack.storage.engine import EngineReads
from povtrack.storage.postgres.connection import errors
from povtrack.storage.postgres.rows import dialect, entry_of
from povtrack.storage.postgres.schema import ENTRY_COLUMNS, NAME

if TYPE_CHECKING:
    import psycopg

    from povtrack.storage.pgurl import PgUrl


class PgReads(EngineReads):
    """Mixed into ``PgBackend``, whose caches and ``_rows`` these use."""

    _all: list[Entry] | None
    url: PgUrl

    def _require(self) -> psycopg.Connection[Any]:
        raise NotImplementedError  # PgBackend's

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError  # PgBackend's

    def series_entries(self, indicators: Iterable[str], area: str | None = None) -> list[Entry]:
        """Every entry of these indicators (in ``area``, if given), in all states, in id
        order."""
        wanted = sorted(set(indicators))
        if self._all is not None:
            return [e for e in self._all if e.indicator in wanted and area in (None, e.area)]
        sql = f"SELECT {ENTRY_COLUMNS} FROM {NAME}.entries WHERE indicator = ANY(%s)"
        if area is not None:
            return [
                entry_of(r) for r in self._rows(f"{sql} AND area = %s ORDER BY id", (wanted, area))
            ]
        return [entry_of(row) for row in self._rows(f"{sql} ORDER BY id", (wanted,))]

    def _engine(self) -> contextlib.AbstractContextManager[window.Rows]:
        return contextlib.nullcontext(self._rows)  # its errors translated by _rows

    def _dialect(self) -> window.Dialect:
        return dialect()

    @contextlib.contextmanager
    def _streaming(self) -> Iterator[window.Stream]:
        def stream(sql: str, params: tuple[Any, ...]) -> Iterator[tuple[Any, ...]]:
            # a cursor on the server, in the reader's transaction: rows come 20,000 at a time
            with errors(self.url), self._require().cursor(name="povtrack_rows") as cur:
                cur.itersize = 20_000
                cur.execute(sql.encode(), params)
                yield from cur

        yield stream

    def latest_date(self) -> date:
        """The newest date of an entry that counts (else the plan's start)."""
        if self._effective is not None:
            return max((e.date for e in self._effective), default=self.plan.start)
        return self.ledger_at(window.NEWEST).newest() or self.plan.start

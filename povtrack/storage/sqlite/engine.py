"""The reads SQLite does for ``sqlite.backend.SqliteBackend``: how ``storage.engine.EngineReads``
asks a layout-2 file (a layout-1 file is read whole, as before), and the entries of a few
indicators. A row the CHECK constraints should have refused is a corrupt database (exit 4)
wherever it is read."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from povtrack.errors import DatabaseError
from povtrack.i18n import tr
from povtrack.model import Entry
from povtrack.storage import window
from povtrack.storage.engine import EngineReads
from povtrack.storage.sqlite import reads
from povtrack.storage.sqlite.opening import hinted

if TYPE_CHECKING:
    pass


class SqliteReads(EngineReads):
    """Mixed into ``SqliteBackend``, whose connection, caches and layout these use."""

    path: Path
    _layout: int
    _all: list[Entry] | None

    def _reading(self) -> contextlib.AbstractContextManager[sqlite3.Connection]:
        raise NotImplementedError  # SqliteBackend's

    def series_entries(self, indicators: Iterable[str], area: str | None = None) -> list[Entry]:
        """Every entry of these indicators (in ``area``, if given), in all states, in id order
        (what ``trend`` and ``explain`` read, and ``correct`` of its series: a correction is
        always of its own indicator and area)."""
        wanted = tuple(sorted(set(indicators)))
        if self._all is not None:
            return [e for e in self._all if e.indicator in wanted and area in (None, e.area)]
        with self._reading() as conn, self._sound():
            return reads.entries(conn, indicators=wanted, area=area)

    def _by_engine(self) -> bool:
        return self._layout >= 2

    @contextlib.contextmanager
    def _streaming(self) -> Iterator[window.Stream]:
        with self._reading() as conn, self._sound():
            yield conn.execute  # a cursor fetches its rows a batch at a time

    @contextlib.contextmanager
    def _engine(self) -> Iterator[window.Rows]:
        with self._reading() as conn, self._sound():
            yield rows_of(conn)

    def _dialect(self) -> window.Dialect:
        return reads.dialect()

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


def rows_of(conn: sqlite3.Connection) -> window.Rows:
    return lambda sql, params: conn.execute(sql, params).fetchall()

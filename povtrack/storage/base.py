"""What every storage backend offers (``Backend``) and the plain records a whole database moves
as (``Records``), the same for the JSON file, SQLite and PostgreSQL: what ``povtrack db
migrate`` carries from one backend to another without losing an entry, a correction or a batch.

Each backend (JSON, SQLite, PostgreSQL) is one class with the methods of ``Backend`` and one
branch in ``povtrack.storage.Database``. See docs/storage.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from povtrack.ledger import Ledger
    from povtrack.model import Allocation, Digestible, Entry, Plan
    from povtrack.storage.pgurl import PgUrl


class AlreadyImported(Exception):
    """Raised by a backend's ``add_batch`` when its engine's own constraint finds a file of
    the batch imported already (another writer committed it since this one read): the batch
    and everything since the last commit are gone; the import is read again and says
    "already imported" as a repeated import does."""


def digestible(entries: Iterable[Entry], until: date) -> Iterator[Digestible]:
    """Entries that count, those dated up to ``until``, in id order, as a report's digest
    takes them (``Backend.counting_rows`` where every entry is read already)."""
    kept = sorted((e for e in entries if e.date <= until), key=lambda e: e.id)
    return ((e.id, e.indicator, e.area, e.date.isoformat(), e.value) for e in kept)


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass
class Records:
    """A whole database as plain records, whatever the backend.

    ``meta``: schema, generation, plan_text, plan_sha256, created_at, demo, written_by,
    committed_at (and anything else a backend keeps there).
    ``entries``: one dict per entry ever recorded, in id order: id (int), indicator, area,
    date (ISO text), value, note, source, recorded_at, by, batch, and for a correction
    corrects (int) and reason. (Fields a hand edit added to an entry are kept by the JSON
    backend, which passes them on here; the SQLite backend has no column for them.)
    ``batches``: one dict per batch in order: id ("b1"...), kind, by, at, files (list of
    dicts with sha256), and reverts/reason for an undo, as recorded.
    ``allocations``: one dict per allocation in order: indicator, area, value, due (ISO or
    None), note, source, recorded_at, by.
    """

    meta: dict[str, Any]
    entries: list[dict[str, Any]] = field(default_factory=list)
    batches: list[dict[str, Any]] = field(default_factory=list)
    allocations: list[dict[str, Any]] = field(default_factory=list)


class Backend(Protocol):
    """An open database. Read methods return model objects; writes happen on ``commit``."""

    plan: Plan
    meta: dict[str, Any]
    warnings: list[str]
    migrated_from: int | None

    @property
    def path(self) -> Path | PgUrl: ...  # a file, or a PostgreSQL database (shown masked)
    @property
    def generation(self) -> int: ...

    def commit(self) -> None: ...
    def entries(self) -> list[Entry]: ...
    def all_entries(self) -> list[Entry]: ...
    def series_entries(  # every entry of those indicators (in ``area``), in all states
        self, indicators: Iterable[str], area: str | None = None
    ) -> list[Entry]: ...
    def batch_size(self, batch_id: str) -> int: ...  # how many entries the batch added
    def counting_rows(self, until: date) -> Iterable[Digestible]: ...  # a report's digest
    def entry(self, entry_id: int) -> Entry | None: ...
    def ledger(self) -> Ledger: ...
    def ledger_at(self, as_of: date) -> Ledger: ...  # enough for status at as_of (a window)
    def series_ledger(self, keys: Iterable[tuple[str, str]]) -> Ledger: ...  # those series
    def entries_between(self, start: date, end: date) -> list[Entry]: ...  # for coverage
    def latest_date(self) -> date: ...
    def allocations(self) -> list[Allocation]: ...
    def batches(self) -> list[dict[str, Any]]: ...
    def add_batch(
        self, kind: str, by: str, files: Iterable[dict[str, Any]] = (), **extra: str
    ) -> str: ...
    def add_entries(self, rows: list[dict[str, Any]], *, by: str, batch: str) -> list[int]: ...
    def add_allocation(self, alloc: Allocation, *, by: str, source: str) -> None: ...
    def records(self) -> Records: ...
    def close(self) -> None: ...


def entry_docs(
    rows: list[dict[str, Any]], *, first: int, by: str, batch: str
) -> list[dict[str, Any]]:
    """New entries as the records both backends store: ids from ``first`` on, one time stamp
    for the batch, and a correction's ``corrects`` and ``reason`` when it is one."""
    at = now_stamp()
    return [
        {
            "id": first + n,
            "indicator": r["indicator"],
            "area": r["area"],
            "date": r["date"].isoformat(),
            "value": r["value"],
            "note": r.get("note", ""),
            "source": r["source"],
            "recorded_at": at,
            "by": by,
            "batch": batch,
        }
        | ({"corrects": r["corrects"], "reason": r["reason"]} if "corrects" in r else {})
        for n, r in enumerate(rows)
    ]

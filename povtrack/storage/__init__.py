"""Which storage backend a database path means, and what every backend must offer.

Commands only ever say ``Store.open(path)``, ``Store.writing(path, ...)`` or
``Store.creating(path, ...)``; the path picks the backend:

* ``tracker.json`` (or any other name): one TinyDB JSON file (``store_json``), the default,
  crash-safe by atomic replacement, with a backup of every generation;
* ``tracker.sqlite`` / ``.sqlite3``, or ``sqlite:///PATH``: SQLite from the standard library
  (``store_sqlite``), for a million entries and more on one machine. A SQLite file under
  another name is known by its first bytes;
* ``postgresql://...``: not built; ``Backend`` below is what it would implement.

``Records`` is a whole database as plain records, the same for every backend: what
``povtrack db migrate`` moves from one backend to another without losing an entry, a correction
or a batch.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from povtrack.errors import UsageError

if TYPE_CHECKING:
    from povtrack.analysis.status import Ledger
    from povtrack.model import Allocation, Entry, Plan

SQLITE_SUFFIXES = (".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database
SQLITE_URL = "sqlite://"


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

    path: Path
    plan: Plan
    meta: dict[str, Any]
    warnings: list[str]
    migrated_from: int | None

    @property
    def generation(self) -> int: ...

    def commit(self) -> None: ...
    def entries(self) -> list[Entry]: ...
    def all_entries(self) -> list[Entry]: ...
    def entry(self, entry_id: int) -> Entry | None: ...
    def ledger(self) -> Ledger: ...
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


def db_location(text: str) -> Path:
    """The database path a ``--db`` value names: a path, or a SQLite URL written as
    SQLAlchemy does (``sqlite:///relative.sqlite``, ``sqlite:////absolute.sqlite``)."""
    if text.startswith(SQLITE_URL):
        rest = text[len(SQLITE_URL) :]
        if not rest.startswith("/") or len(rest) < 2:
            raise UsageError(f"{text}: write a SQLite URL as sqlite:///PATH (three slashes)")
        path = Path(rest[1:])  # as SQLAlchemy: sqlite:///rel.sqlite, sqlite:////abs.sqlite
        if path.suffix.lower() not in SQLITE_SUFFIXES:
            raise UsageError(
                f"{text}: name the SQLite file with one of {', '.join(SQLITE_SUFFIXES)}"
            )
        return path
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise UsageError(
            f"{text}: no '{scheme}' backend in this povtrack; use a .json file (TinyDB), "
            "a .sqlite file or sqlite:///PATH (see 'Storage backends' in the README)"
        )
    return Path(text)


def backend_of(path: Path) -> str:
    """``"sqlite"`` or ``"json"``: a ``.sqlite``/``.sqlite3`` name is SQLite (whose store says
    so if the file is not); any other name is SQLite when the file's first bytes say it is
    (a ``tracker.db`` from another tool's habits), else the JSON file."""
    if path.suffix.lower() in SQLITE_SUFFIXES:
        return "sqlite"
    try:
        if path.is_file():  # never open a FIFO: it would block
            with open(path, "rb") as f:
                if f.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC:
                    return "sqlite"
    except OSError:  # unreadable: the JSON store says what is wrong
        pass
    return "json"


def _impl(path: Path) -> Any:
    if backend_of(path) == "sqlite":
        from povtrack.storage.sqlite.backend import SqliteStore

        return SqliteStore
    from povtrack.storage.json.backend import JsonStore

    return JsonStore


class Store:
    """Opens a database with the backend its path names (see the module docstring)."""

    @staticmethod
    def open(path: Path) -> Backend:
        """For reading: no lock."""
        return _impl(path).open(path)

    @staticmethod
    @contextlib.contextmanager
    def writing(path: Path, *, lock_timeout: float) -> Iterator[Backend]:
        """Hold the writer's lock, read fresh, let the caller change it and ``commit``."""
        with _impl(path).writing(path, lock_timeout=lock_timeout) as store:
            yield store

    @staticmethod
    @contextlib.contextmanager
    def creating(
        path: Path,
        plan_text: str,
        *,
        force: bool = False,
        demo: bool = False,
        lock_timeout: float = 5.0,
        records: Records | None = None,
    ) -> Iterator[tuple[Backend, Path | None]]:
        """A new database (``records``: filled with them, as by ``db migrate``); with
        ``force`` an existing one is first moved aside."""
        with _impl(path).creating(
            path, plan_text, force=force, demo=demo, lock_timeout=lock_timeout, records=records
        ) as pair:
            yield pair

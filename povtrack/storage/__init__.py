"""Which storage backend a database path means, and the one door to it: ``Database``.

Commands only ever say ``Database.open(path)``, ``Database.writing(path, ...)`` or
``Database.creating(path, ...)``; the path picks the backend:

* ``tracker.json`` (or any other name): one TinyDB JSON file (``storage.json``), the default,
  crash-safe by atomic replacement, with a backup of every generation;
* ``tracker.sqlite`` / ``.sqlite3``, or ``sqlite:///PATH``: SQLite from the standard library
  (``storage.sqlite``), for a million entries and more on one machine. A SQLite file under
  another name is known by its first bytes;
* ``postgresql://...`` (or ``postgres://``): a PostgreSQL database (``storage.postgres``),
  named by a ``storage.pgurl.PgUrl``; psycopg is imported only when one is opened. Commands that
  work on a database file only (``demo``, ``inbox``) take a ``Path`` (``db_location``); the
  backups of a server's database are files of the client's (``storage.postgres.backup``).

Each opens a ``storage.base.Backend``; ``storage.base.Records`` is a whole database as plain
records, what ``povtrack db migrate`` moves between backends. For users: docs/storage.md.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl, is_pg_url

if TYPE_CHECKING:
    from povtrack.storage.base import Backend, Records
    from povtrack.storage.json.backend import JsonBackend
    from povtrack.storage.postgres.backend import PgBackend
    from povtrack.storage.sqlite.backend import SqliteBackend

Target = Path | PgUrl  # a database: a file, or a PostgreSQL database on a server

SQLITE_SUFFIXES = (".sqlite", ".sqlite3")
SQLITE_MAGIC = b"SQLite format 3\x00"  # the first 16 bytes of every SQLite database
SQLITE_URL = "sqlite://"


def default_location() -> Path:
    """The database when neither --db nor POVTRACK_DB names one: in the user's data folder."""
    from platformdirs import user_data_dir

    return Path(user_data_dir("povtrack", appauthor=False)) / "povtrack.json"


def db_target(text: str) -> Target:
    """The database a ``--db`` value names: a ``postgresql://`` URL, else a file
    (``db_location``)."""
    if is_pg_url(text):
        return PgUrl(text)
    return db_location(text)


def db_location(text: str) -> Path:
    """The database path a ``--db`` value names: a path, or a SQLite URL written as
    SQLAlchemy does (``sqlite:///relative.sqlite``, ``sqlite:////absolute.sqlite``). A
    PostgreSQL URL is refused: the caller works on files (see ``db_target``)."""
    if is_pg_url(text):
        raise UsageError(
            tr(
                f"{PgUrl(text)}：此命令只适用于数据库文件（.json、.sqlite），"
                "PostgreSQL 数据库尚不支持",
                f"{PgUrl(text)}: this command works on a database file (.json, .sqlite); "
                "it is not available for a PostgreSQL database yet",
            )
        )
    if text.startswith(SQLITE_URL):
        rest = text[len(SQLITE_URL) :]
        if not rest.startswith("/") or len(rest) < 2:
            raise UsageError(
                tr(
                    f"{text}：SQLite 地址应写成 sqlite:///PATH（三个斜杠）",
                    f"{text}: write a SQLite URL as sqlite:///PATH (three slashes)",
                )
            )
        path = Path(rest[1:])  # as SQLAlchemy: sqlite:///rel.sqlite, sqlite:////abs.sqlite
        if path.suffix.lower() not in SQLITE_SUFFIXES:
            suffixes = ", ".join(SQLITE_SUFFIXES)
            raise UsageError(
                tr(
                    f"{text}：SQLite 文件名应以 {suffixes} 之一结尾",
                    f"{text}: name the SQLite file with one of {suffixes}",
                )
            )
        return path
    if "://" in text:
        scheme = text.split("://", 1)[0]
        raise UsageError(
            tr(
                f"{text}：本 povtrack 没有“{scheme}”存储方式；请使用 .json 文件（TinyDB）、"
                ".sqlite 文件或 sqlite:///PATH（见 docs/storage.md 的 'Storage backends'）",
                f"{text}: no '{scheme}' backend in this povtrack; use a .json file (TinyDB), "
                "a .sqlite file or sqlite:///PATH (see 'Storage backends' in docs/storage.md)",
            )
        )
    return Path(text)


def backend_of(path: Target) -> str:
    """``"postgresql"`` for a URL; for a file ``"sqlite"`` or ``"json"``: a ``.sqlite`` or
    ``.sqlite3`` name is SQLite (whose store says so if the file is not); any other name is
    SQLite when the file's first bytes say it is (a ``tracker.db`` from another tool's habits),
    else the JSON file."""
    if isinstance(path, PgUrl):
        return "postgresql"
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


def _pg() -> type[PgBackend]:
    from povtrack.storage.postgres.backend import PgBackend  # imports psycopg

    return PgBackend


def _impl(path: Path) -> type[JsonBackend] | type[SqliteBackend]:
    if backend_of(path) == "sqlite":
        from povtrack.storage.sqlite.backend import SqliteBackend

        return SqliteBackend
    from povtrack.storage.json.backend import JsonBackend

    return JsonBackend


class Database:
    """Opens a database with the backend its path names (see the module docstring)."""

    @staticmethod
    def open(path: Target) -> Backend:
        """For reading: no lock."""
        if isinstance(path, PgUrl):
            return _pg().open(path)
        return _impl(path).open(path)

    @staticmethod
    @contextlib.contextmanager
    def writing(path: Target, *, lock_timeout: float, shared: bool = False) -> Iterator[Backend]:
        """Hold the writer's lock, read fresh, let the caller change it and ``commit``.
        ``shared``: the command only adds entries, and on a server may do so alongside others
        that only add (a file has one writer at a time whatever it does)."""
        if isinstance(path, PgUrl):
            with _pg().writing(path, lock_timeout=lock_timeout, shared=shared) as pg_store:
                yield pg_store
            return
        with _impl(path).writing(path, lock_timeout=lock_timeout) as store:
            yield store

    @staticmethod
    @contextlib.contextmanager
    def creating(
        path: Target,
        plan_text: str,
        *,
        force: bool = False,
        demo: bool = False,
        lock_timeout: float = 5.0,
        records: Records | None = None,
    ) -> Iterator[tuple[Backend, Path | None]]:  # (the store, where an old file was moved)
        """A new database (``records``: filled with them, as by ``db migrate``); with
        ``force`` an existing one is first moved aside."""
        if isinstance(path, PgUrl):
            with _pg().creating(
                path, plan_text, force=force, demo=demo, lock_timeout=lock_timeout, records=records
            ) as pg_pair:
                yield pg_pair
            return
        with _impl(path).creating(
            path, plan_text, force=force, demo=demo, lock_timeout=lock_timeout, records=records
        ) as pair:
            yield pair

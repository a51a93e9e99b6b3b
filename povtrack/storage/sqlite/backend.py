"""The SQLite backend (``storage.base.Backend``): one SQLite file (standard library
``sqlite3``) for a million entries and more on one machine. The only module that writes a
povtrack SQLite file; its layout is in ``sqlite.file``, its checks in ``sqlite.checks``. For
users: docs/storage.md.

Durability: the file is in WAL mode and every writing connection uses ``synchronous=FULL``. A
commit appends the changed pages to ``NAME-wal``, the last frame marked as the commit with a
running checksum, and fsyncs the WAL before COMMIT returns; pages reach the main file only by
a checkpoint of committed frames. A process killed (or a power cut) before that fsync leaves
frames that recovery on the next open ignores: the database is as before the command; after
it, as after. Never half a commit, never a corrupt file (on a disk that honours fsync, as for
the JSON backend). WAL rather than a rollback journal because readers then keep one consistent
snapshot for the whole command without delaying a writer's commit or being refused during
one, and a commit is one sequential append and one fsync. The cost: ``NAME-wal`` and
``NAME-shm`` beside the file while it is in use (removed when the last connection closes), a
local disk (shared memory; the lock needs one anyway), and a copy made by hand while povtrack
runs may miss the WAL: use ``povtrack db backup``.

Locking: a writer first takes the same lock as the JSON backend (``safefile.DbLock`` on
``NAME.lock``: exit 5 naming the holder), then ``BEGIN IMMEDIATE`` with a busy timeout of
--lock-timeout, which also keeps out other SQLite programs. Every change of a command is made
in that one transaction; ``commit`` ends it, leaving ``writing`` without a commit rolls back.
There are no per-commit backups (each commit is a transaction; see ``sqlite.maintenance``).

A new database (``creating``) is built in a private temp file beside the target and put in
place with ``os.replace`` on commit, so a crash leaves the old database or none, never half.
"""

from __future__ import annotations

import atexit
import contextlib
import sqlite3
import weakref
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from povtrack import __version__
from povtrack.errors import DatabaseError, UsageError, WriteError
from povtrack.i18n import tr
from povtrack.model import Allocation, Entry, Plan
from povtrack.planfile import parse_plan
from povtrack.planstore import portable_meta
from povtrack.storage import safefile, window
from povtrack.storage.backups import check_file
from povtrack.storage.base import Records, entry_docs, now_stamp
from povtrack.storage.sqlite import reads
from povtrack.storage.sqlite.checks import Checked, check
from povtrack.storage.sqlite.engine import SqliteReads
from povtrack.storage.sqlite.file import (
    APPEND_ONLY,
    BATCH_COLUMNS,
    INSERT_ALLOCATION,
    INSERT_BATCH,
    INSERT_ENTRY,
    SCHEMA,
    allocation_row,
    batch_doc,
    batch_row,
    check_writable,
    connect,
    create_schema,
    discard,
    entry_row,
    fsync,
    install,
    new_meta,
    signals_held,
    sql_errors,
    sweep,
    temp_file,
    upgrade,
    write_meta,
)
from povtrack.storage.sqlite.opening import Guard, hinted, open_checked, open_reader

if TYPE_CHECKING:
    from povtrack.ledger import Ledger

_OPEN: weakref.WeakSet[SqliteBackend] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """A reader's store is never closed by the command that opened it: close it at exit, so
    the last connection to go checkpoints the WAL and removes it and the -shm file."""
    for store in list(_OPEN):
        store.close()


class SqliteBackend(SqliteReads):
    """An open SQLite database: reads return model objects; writes go into the transaction
    that ``commit`` ends."""

    def __init__(
        self,
        path: Path,
        conn: sqlite3.Connection,
        checked: Checked,
        *,
        lock: safefile.DbLock | None = None,
    ) -> None:
        self.path = path
        self.plan: Plan = checked.plan
        self.meta: dict[str, Any] = checked.meta
        self.warnings: list[str] = []
        self.migrated_from: int | None = None
        self._conn: sqlite3.Connection | None = conn
        self._lock = lock
        self._timeout = safefile.DEFAULT_LOCK_TIMEOUT if lock is None else lock.timeout
        self._counts = dict(checked.counts)
        self._dirty = False
        self._temp: Path | None = None  # creating: the new file, until commit puts it in place
        self._moved: Path | None = None  # creating with force: where the old file goes
        self._check_new = False  # creating from records: check them before they are used
        self._next_id: int | None = None
        self._all: list[Entry] | None = None
        self._effective: list[Entry] | None = None
        self._skip: set[int] | None = None  # ids of the entries that do not count
        self._series: reads.Series | None = None
        self._batches: list[dict[str, Any]] | None = None
        self._allocations: list[Allocation] | None = None
        self._guard: Guard | None = None  # read without locks: confirm after each read
        self._layout = checked.schema  # 1: read as before (every entry); 2: by the engine
        self._windows: dict[date, Ledger] = {}  # ledger_at's, by as-of date
        _OPEN.add(self)

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    # -- opening and creating ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> SqliteBackend:
        """For reading: no lock; one read transaction, so the command sees one snapshot."""
        return cls._open(path, "BEGIN", query_only=True)

    @classmethod
    def _open(
        cls,
        path: Path,
        begin: str,
        *,
        query_only: bool = False,
        lock: safefile.DbLock | None = None,
    ) -> SqliteBackend:
        conn, checked, guard = open_checked(path, begin, query_only=query_only, lock=lock)
        store = cls(path, conn, checked, lock=lock)
        store._guard = guard
        return store

    @classmethod
    @contextlib.contextmanager
    def writing(cls, path: Path, *, lock_timeout: float) -> Iterator[SqliteBackend]:
        """Hold the lock, begin the write transaction, read fresh; the caller commits."""
        check_file(path)  # before the lock, so a wrong path creates no lock file
        try:
            check_writable(path)  # a folder no one may write to: not even the lock's note
        except WriteError:
            cls.open(path).close()  # but a bad database says so first, as on JSON
            raise
        with safefile.DbLock(path, lock_timeout) as lock:
            swept = sweep(path)
            store = cls._open(path, "BEGIN IMMEDIATE", lock=lock)
            try:
                check_writable(path)
                if store._layout < SCHEMA:  # kept only if the command commits
                    with sql_errors(path, writing=True):
                        upgrade(store._require())
                    store._layout, store.migrated_from = SCHEMA, 1
                store.warnings += swept
                safefile.crash_point("after_read")
                yield store
            finally:
                store.close()

    @classmethod
    @contextlib.contextmanager
    def creating(
        cls,
        path: Path,
        plan_text: str,
        *,
        force: bool = False,
        demo: bool = False,
        lock_timeout: float = safefile.DEFAULT_LOCK_TIMEOUT,
        records: Records | None = None,
    ) -> Iterator[tuple[SqliteBackend, Path | None]]:
        """A new database, built in a temp file and put in place by ``commit``; with
        ``force`` an existing one is moved aside then. ``demo`` marks a disposable demo
        database, which a later demo may replace. ``records``: the new database holds exactly
        these (``db migrate``), meta such as created_at and generation included."""
        check_file(path, may_be_missing=True)
        try:
            safefile.make_dirs(path.parent)  # owner-only, whatever the umask
        except OSError as exc:
            raise WriteError(
                tr(
                    f"{path.parent}：无法创建文件夹：{exc.strerror}",
                    f"{path.parent}: cannot create directory: {exc.strerror}",
                )
            ) from None
        with safefile.DbLock(path, lock_timeout) as lock:
            swept = sweep(path)
            moved = safefile.make_room(path, force=force, demo=demo, is_demo=is_demo)
            plan = parse_plan(plan_text, tr(f"{path}（方案）", f"{path} (plan)"))
            meta = new_meta(plan_text, demo=demo, records=records)
            if moved is None:  # count on from the backups (and a replaced demo)
                meta["generation"] = max(meta["generation"], highest_generation(path))
            temp = temp_file(path)
            try:
                conn = connect(temp, timeout=lock_timeout, create=True)
            except BaseException:
                discard(temp)
                raise
            counts = {t: 0 for t in APPEND_ONLY}
            store = cls(path, conn, Checked(meta, plan, counts, SCHEMA), lock=lock)
            store._temp, store._moved, store._dirty = temp, moved, True
            store.warnings += swept
            try:
                with sql_errors(path, writing=True):
                    conn.execute("BEGIN IMMEDIATE")
                    create_schema(conn)
                    if records is not None:
                        store._fill(records)
                yield store, moved
            finally:
                store.close()
                if store._temp is not None:  # never committed: the old database stays
                    discard(store._temp)

    def _fill(self, records: Records) -> None:
        conn = self._require()
        conn.executemany(INSERT_ENTRY, (entry_row(e) for e in records.entries))
        conn.executemany(INSERT_BATCH, (batch_row(b, n) for n, b in enumerate(records.batches, 1)))
        conn.executemany(INSERT_ALLOCATION, (allocation_row(a) for a in records.allocations))
        self._counts = {
            "entries": len(records.entries),
            "batches": len(records.batches),
            "allocations": len(records.allocations),
        }
        self._check_new = True

    # -- committing --------------------------------------------------------------------

    def commit(self) -> None:
        """End the transaction: every change of this command at once (nothing when nothing
        changed). The generation goes up by one; meta says who wrote and the counts."""
        if not self._dirty:
            return
        if self._lock is None:
            raise RuntimeError("commit() outside SqliteBackend.writing()")
        conn = self._require()
        before = dict(self.meta)
        self.meta["generation"] = self.generation + 1
        self.meta["schema"] = self._layout
        self.meta["written_by"] = f"povtrack {__version__}"
        self.meta |= {f"{t}_count": n for t, n in self._counts.items()}
        self.meta["committed_at"] = now_stamp()
        try:
            with sql_errors(self.path, writing=True):
                write_meta(conn, self.meta)
                if self._temp is not None:
                    self._install(conn)
                else:
                    safefile.crash_point("sqlite_before_commit")
                    with signals_held():
                        conn.execute("COMMIT")
                        safefile.COMMITTED.append(str(self.path))
                    safefile.crash_point("sqlite_after_commit")
        except BaseException:
            self.meta.clear()
            self.meta.update(before)
            raise
        self._dirty = False
        with sql_errors(self.path, writing=True):
            self._require().execute("BEGIN IMMEDIATE")  # still ours: further changes may follow

    def _install(self, conn: sqlite3.Connection) -> None:
        """Put a new database in place: committed and closed in its temp file, fsynced, the
        old file (if any) kept aside, then ``os.replace``; a crash leaves old or new."""
        temp = self._temp
        assert temp is not None
        if self._check_new:
            _, problems = check(conn, temp)
            if problems:
                raise UsageError(
                    tr(
                        f"{self.path}：无法复制记录：{problems[0]}",
                        f"{self.path}: cannot copy the records: {problems[0]}",
                    )
                )
        conn.execute("COMMIT")
        conn.execute("PRAGMA journal_mode = WAL")  # kept in the file from now on
        conn.close()
        self._conn = None
        fsync(temp)
        safefile.crash_point("sqlite_before_install")
        install(temp, self.path, self._moved)
        self._temp = None
        safefile.crash_point("sqlite_after_install")
        self._conn = connect(self.path, timeout=self._timeout)

    def __del__(self) -> None:
        with contextlib.suppress(Exception):  # also at interpreter exit, half torn down
            self.close()

    def close(self) -> None:
        """Roll back what was not committed and let the connection go (reads reopen)."""
        conn, self._conn, self._lock = self._conn, None, None
        if conn is not None:
            with contextlib.suppress(sqlite3.Error):
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
            conn.close()

    def _require(self) -> sqlite3.Connection:
        if self._conn is None:
            if self._temp is not None or self._dirty:
                raise RuntimeError("the database was closed before its changes were committed")
            self._conn, self._guard = open_reader(self.path, timeout=self._timeout)
        return self._conn

    @contextlib.contextmanager
    def _reading(self) -> Iterator[sqlite3.Connection]:
        """A read on the open connection: sqlite3's errors as povtrack's, and a file read
        without locks confirmed unchanged after it (``opening.Guard``)."""
        try:
            with sql_errors(self.path):
                yield self._require()
        except DatabaseError:
            if self._guard is not None:
                self._guard.confirm()
            raise
        if self._guard is not None:
            self._guard.confirm()

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._reading() as conn:
            return conn.execute(sql, params).fetchall()

    # -- reading -----------------------------------------------------------------------

    def all_entries(self) -> list[Entry]:
        """Every entry ever recorded, undone and superseded ones included, in id order."""
        if self._all is None:
            with self._reading() as conn, self._sound():
                self._all = reads.entries(conn)
        return list(self._all)

    def entries(self) -> list[Entry]:
        """The entries that count: not undone, not superseded by a correction, not replaced
        by a later report for the same date (``povtrack.ledger``)."""
        if self._effective is None:
            from povtrack.ledger import effective_entries

            self._effective = effective_entries(self.all_entries(), self.batches())
        return list(self._effective)

    def entry(self, entry_id: int) -> Entry | None:
        if self._all is not None:
            return next((e for e in self._all if e.id == entry_id), None)
        with self._reading() as conn, self._sound():
            found = reads.entries(conn, entry_id)
        return found[0] if found else None

    def ledger(self) -> Ledger:
        """The ledger of the entries that count, from the columns it needs (no Entry made)."""
        from povtrack.ledger import Ledger

        return Ledger.from_series(self._columns()[0])

    def latest_date(self) -> date:
        """The newest date of an entry that counts (else the plan's start); from the entries
        when a command has read them already, else from the engine or the columns."""
        if self._series is None and self._effective is not None:
            return max((e.date for e in self._effective), default=self.plan.start)
        if self._layout >= 2 and self._series is None:
            return self.ledger_at(window.NEWEST).newest() or self.plan.start
        return self._columns()[1] or self.plan.start

    def _columns(self) -> reads.Series:
        """The ledger's columns and the newest date: one pass, shared by ledger and
        latest_date."""
        if self._series is None:
            skip = self._not_counting()
            with self._reading() as conn:
                self._series = reads.series(conn, skip)
        return self._series

    def allocations(self) -> list[Allocation]:
        """Allocations in the order they were recorded (the newest last)."""
        if self._allocations is None:
            sql = "SELECT indicator, area, value, due, note FROM allocations ORDER BY seq"
            self._allocations = [
                Allocation(ind, area, v, date.fromisoformat(due) if due else None, note)
                for ind, area, v, due, note in self._rows(sql)
            ]
        return list(self._allocations)

    def batches(self) -> list[dict[str, Any]]:
        if self._batches is None:
            rows = self._rows(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY seq")
            try:
                self._batches = [batch_doc(row) for row in rows]
            except DatabaseError as exc:
                bad = DatabaseError(
                    tr(f"{self.path}：数据库已损坏：{exc}", f"{self.path}: corrupt database: {exc}")
                )
                raise hinted(self.path, bad) from None
        return [dict(b) for b in self._batches]

    def records(self) -> Records:
        """Every record of the database, as plain records (``db migrate``)."""
        with self._reading() as conn:
            entries, allocations = reads.records(conn)
        return Records(portable_meta(self.meta), entries, self.batches(), allocations)

    # -- writing (in the transaction until commit) -------------------------------------

    def add_batch(
        self, kind: str, by: str, files: Iterable[dict[str, Any]] = (), **extra: str
    ) -> str:
        """A batch: an import, a command, a correction, or an undo (``reverts=``, ``reason=``)."""
        n = self._counts["batches"] + 1
        # asked of the index, not of every batch: taken only in a database whose batch ids
        # were not b1, b2, ...
        while self._rows("SELECT 1 FROM batches WHERE id = ?", (f"b{n}",)):
            n += 1
        batch_id = f"b{n}"
        doc = {"id": batch_id, "kind": kind, "by": by, "at": now_stamp(), "files": list(files)}
        doc |= extra
        self._write(INSERT_BATCH, [batch_row(doc)])
        self._counts["batches"] += 1
        if self._batches is not None:
            self._batches.append(doc)
        self._effective = self._skip = self._series = None
        self._windows = {}
        return batch_id

    def add_entries(self, rows: list[dict[str, Any]], *, by: str, batch: str) -> list[int]:
        if self._next_id is None:
            self._next_id = self._rows("SELECT coalesce(max(id), 0) + 1 FROM entries")[0][0]
        first = self._next_id
        docs = entry_docs(rows, first=first, by=by, batch=batch)
        self._write(INSERT_ENTRY, (entry_row(d) for d in docs))
        new = [reads.entry(entry_row(d), r["date"]) for d, r in zip(docs, rows, strict=True)]
        self._next_id += len(new)
        self._counts["entries"] += len(new)
        if self._all is not None:
            self._all += new
        self._effective = self._skip = self._series = None
        self._windows = {}
        return [e.id for e in new]

    def add_allocation(self, alloc: Allocation, *, by: str, source: str) -> None:
        due = alloc.due.isoformat() if alloc.due else None
        row = (alloc.indicator, alloc.area, alloc.value, due, alloc.note, source, now_stamp(), by)
        self._write(INSERT_ALLOCATION, [row])
        self._counts["allocations"] += 1
        if self._allocations is not None:
            self._allocations.append(alloc)

    def _write(self, sql: str, params: Iterable[tuple[Any, ...]]) -> None:
        if self._lock is None:
            raise RuntimeError("changes outside SqliteBackend.writing()")
        with sql_errors(self.path, writing=True):
            self._require().executemany(sql, params)
        self._dirty = True


# ---------------------------------------------------------------------------- helpers


def is_demo(path: Path) -> bool:
    try:
        store = SqliteBackend.open(path)
    except DatabaseError:
        return False
    try:
        return bool(store.meta.get("demo"))
    finally:
        store.close()


def highest_generation(path: Path) -> int:
    """The highest generation the database at ``path`` (a demo being replaced) or any of its
    backups reached: a new database counts on from there and overwrites no backup's name."""
    from povtrack.storage.sqlite.maintenance import highest_generation

    return highest_generation(path)

"""The PostgreSQL backend (``storage.base.Backend``): a povtrack database as the ``povtrack``
schema (``postgres.schema``) of a PostgreSQL database named by a ``postgresql://`` URL. The
only module that writes one.

Transactions: a reader sees one snapshot for the whole command (``REPEATABLE READ READ
ONLY``). A writer takes the database's writer lock (``connection.take_writer_lock``: exit 5
after --lock-timeout) before it reads, so it reads fresh and no other povtrack writes between
its read and its commit; each ``commit`` is one transaction with every change of the command
and the new meta (generation, counts); leaving ``writing`` without a commit rolls back, and a
client killed mid-write leaves nothing, as the server rolls its transaction back. The server
decides that a file is imported once (``schema.imported_after``): a batch whose file another
writer committed meanwhile is rolled back and the import read again (``AlreadyImported``).
``creating`` makes the schema and fills it in one transaction too, so a database is
povtrack's whole or not at all; it refuses a database that already has a ``povtrack`` schema
(exit 2): nothing on a server is ever moved aside or replaced.

The author of what it writes is the server's ``session_user`` (``schema``: a trigger sets it);
the name a command was given (``--by``) is stored as ``on_behalf_of``. What a login may write is
the server's decision (row-level security, ``postgres.users``); a refusal exits 7 with one line
saying what this login may do (``users.may_do``).

Reads: ``status``, ``board`` and the writes ask the server for the series they need
(``storage.window``: the newest dates of each series, running sums kept by a trigger), never
for every entry; ``entries()`` and ``all_entries()`` remain for the commands that show them.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import weakref
from collections.abc import Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from povtrack import __version__
from povtrack.errors import NotPermittedError, UsageError
from povtrack.i18n import tr
from povtrack.model import Allocation, Entry, Plan
from povtrack.planfile import parse_plan
from povtrack.planstore import portable_meta, stored_plan
from povtrack.storage import safefile
from povtrack.storage.base import AlreadyImported, Records, entry_docs, now_stamp
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres import schema as pgschema
from povtrack.storage.postgres.connection import connect, errors, take_writer_lock
from povtrack.storage.postgres.engine import PgReads
from povtrack.storage.postgres.files import fill_files, insert_files
from povtrack.storage.postgres.offices import refusal, whoami
from povtrack.storage.postgres.rows import (
    allocation_params,
    entry_of,
    entry_params,
    read_meta,
)
from povtrack.storage.postgres.schema import (
    ALLOCATION_COLUMNS,
    APPEND_ONLY,
    BATCH_COLUMNS,
    ENTRY_COLUMNS,
    INSERT_ALLOCATION,
    INSERT_BATCH,
    INSERT_ENTRY,
    NAME,
    SCHEMA,
)
from povtrack.storage.sqlite.file import batch_doc, batch_row, new_meta

if TYPE_CHECKING:
    import psycopg

    from povtrack.ledger import Ledger

_OPEN: weakref.WeakSet[PgBackend] = weakref.WeakSet()


@atexit.register
def _close_all() -> None:
    """A reader's store is never closed by the command that opened it: close its connection
    at exit rather than leave the server to notice a vanished client."""
    for store in list(_OPEN):
        store.close()


_ALLOCATION_KEYS = ("indicator", "area", "value", "due", "note", "source", "recorded_at", "by")


class PgBackend(PgReads):
    """An open PostgreSQL database: reads return model objects; writes go into the
    transaction that ``commit`` ends."""

    def __init__(
        self,
        url: PgUrl,
        conn: psycopg.Connection[Any],
        meta: dict[str, Any],
        *,
        writer: bool,
        timeout: float,
    ) -> None:
        self.url = url
        self.plan: Plan = stored_plan(meta, tr(f"{url}（方案）", f"{url} (plan)"))
        self.meta = meta
        self.warnings: list[str] = []
        self.migrated_from: int | None = None
        self._conn: psycopg.Connection[Any] | None = conn
        self._writer = writer
        self._timeout = timeout
        self._dirty = False
        self._counts = {t: 0 for t in APPEND_ONLY}
        self._all: list[Entry] | None = None
        self._effective: list[Entry] | None = None
        self._batches: list[dict[str, Any]] | None = None
        self._allocations: list[Allocation] | None = None
        self._skip: set[int] | None = None  # ids of the entries that do not count
        self._windows: dict[date, Ledger] = {}  # ledger_at's, by as-of date
        self.login = ""  # the server's session_user: the author of what this store writes
        self.role: str | None = None  # its office (users table); None: the administrator
        self.area: str | None = None  # a county office's area
        # the meta as the server has it: a commit writes only the keys that changed, as a
        # county office may write the bookkeeping keys only (schema.BOOKKEEPING)
        self._saved = dict(meta)
        _OPEN.add(self)

    @property
    def path(self) -> PgUrl:
        return self.url

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    # -- opening and creating ----------------------------------------------------------

    @classmethod
    def open(cls, url: PgUrl) -> PgBackend:
        """For reading: no lock; one snapshot for the command."""
        from povtrack.storage.safefile import DEFAULT_LOCK_TIMEOUT

        conn = connect(url, timeout=DEFAULT_LOCK_TIMEOUT)
        try:
            with errors(url):
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            return cls._opened(url, conn, writer=False, timeout=DEFAULT_LOCK_TIMEOUT)
        except BaseException:
            conn.close()
            raise

    @classmethod
    def _opened(
        cls, url: PgUrl, conn: psycopg.Connection[Any], *, writer: bool, timeout: float
    ) -> PgBackend:
        meta = read_meta(conn, url)
        store = cls(url, conn, meta, writer=writer, timeout=timeout)
        with errors(url):
            store.login, store.role, store.area = whoami(conn)
        store._count()
        return store

    def _count(self) -> None:
        """The records per table, as the last commit wrote them in the meta (counted only
        when it has none): an open reads no table whole."""
        with errors(self.url):
            for table in APPEND_ONLY:
                kept = self.meta.get(f"{table}_count")
                if isinstance(kept, int) and not isinstance(kept, bool):
                    self._counts[table] = kept
                    continue
                row = self._require().execute(f"SELECT count(*) FROM {NAME}.{table}").fetchone()
                self._counts[table] = int(row[0]) if row else 0

    @classmethod
    @contextlib.contextmanager
    def writing(
        cls, url: PgUrl, *, lock_timeout: float, shared: bool = False
    ) -> Iterator[PgBackend]:
        """Take the writer lock (``shared``: a writer that only adds, alongside others that
        only add), begin the transaction, read fresh; the caller commits."""
        conn = connect(url, timeout=lock_timeout)
        try:
            take_writer_lock(conn, url, lock_timeout, shared=shared)
            with errors(url, writing=True):
                conn.execute("BEGIN")
            store = cls._opened(url, conn, writer=True, timeout=lock_timeout)
        except BaseException:
            conn.close()
            raise
        try:
            yield store
        finally:
            store.close()

    @classmethod
    @contextlib.contextmanager
    def creating(
        cls,
        url: PgUrl,
        plan_text: str,
        *,
        force: bool = False,
        demo: bool = False,
        lock_timeout: float = 5.0,
        records: Records | None = None,
    ) -> Iterator[tuple[PgBackend, Path | None]]:
        """povtrack's schema in a database that has none, filled with ``records`` when given
        (``db migrate``); one transaction, committed by ``commit``. ``force`` cannot help: a
        database on a server is never moved aside (drop its ``povtrack`` schema by hand)."""
        plan = parse_plan(plan_text, tr(f"{url}（方案）", f"{url} (plan)"))
        conn = connect(url, timeout=lock_timeout)
        try:
            take_writer_lock(conn, url, lock_timeout)
            with errors(url, writing=True):
                conn.execute("BEGIN")
                found = conn.execute("SELECT to_regnamespace(%s) IS NOT NULL", (NAME,))
                row = found.fetchone()
            if row and row[0]:
                raise UsageError(
                    tr(
                        f"{url}：此数据库已有 povtrack 数据（{NAME} 模式）；povtrack 绝不覆盖或"
                        "移走服务器上的数据库（请另选数据库）",
                        f"{url}: this database already holds povtrack data (the {NAME} schema); "
                        "povtrack never overwrites or moves aside a database on a server "
                        "(choose another database)",
                    )
                )
            meta = new_meta(plan_text, demo=demo, records=records)
            meta["schema"] = SCHEMA
            store = cls(url, conn, meta, writer=True, timeout=lock_timeout)
            store.plan = plan
            store._saved = {}
            store._dirty = True
            with errors(url, writing=True):
                for statement in [*pgschema.DDL, *pgschema.RLS_DDL]:
                    conn.execute(statement)
                store.login = whoami(conn)[0]
                with conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {NAME}.areas (id, parent) VALUES (%s, %s)",
                        [(a.id, a.parent) for a in plan.areas],
                    )
                if records is not None:
                    store._fill(records)
                for statement in pgschema.AUTHOR_DDL:  # after the fill: see schema
                    conn.execute(statement)
        except BaseException:
            with contextlib.suppress(Exception):
                conn.close()
            raise
        try:
            yield store, None
        finally:
            store.close()

    def _fill(self, records: Records) -> None:
        from povtrack.storage.postgres import bulk

        conn = self._require()
        bulk.fill(conn, records)  # COPY: the owner's fill of a schema made in this transaction
        fill_files(conn, records.batches)
        self._counts = {
            "entries": len(records.entries),
            "batches": len(records.batches),
            "allocations": len(records.allocations),
        }

    # -- committing --------------------------------------------------------------------

    def commit(self) -> None:
        """End the transaction: every change of this command at once (nothing when nothing
        changed). The generation goes up by one; meta says who wrote and the counts."""
        if not self._dirty:
            return
        if not self._writer:
            raise RuntimeError("commit() outside PgBackend.writing()")
        conn = self._require()
        before = dict(self.meta)
        self.meta["generation"] = self.generation + 1
        self.meta["written_by"] = f"povtrack {__version__}"
        self.meta |= {f"{t}_count": n for t, n in self._counts.items()}
        self.meta["committed_at"] = now_stamp()
        # the generation and the counts go up on the server by this command's own steps, so
        # writers committing one after the other each add theirs (in one order: no deadlock)
        steps = {
            k: self.meta[k] - before[k]
            for k in sorted(("generation", *(f"{t}_count" for t in APPEND_ONLY)))
            if isinstance(self._saved.get(k), int) and isinstance(before.get(k), int)
        }
        try:
            with errors(self.url, writing=True):
                for key, step in steps.items():
                    found = conn.execute(
                        f"UPDATE {NAME}.meta SET value = (value::bigint + %s)::text "
                        "WHERE key = %s RETURNING value",
                        (step, key),
                    ).fetchall()
                    if found:
                        self.meta[key] = int(found[0][0])
                with conn.cursor() as cur:
                    cur.executemany(
                        f"INSERT INTO {NAME}.meta (key, value) VALUES (%s, %s) "
                        "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                        [
                            (k, json.dumps(v, ensure_ascii=False))
                            for k, v in self.meta.items()
                            if k not in steps and (k not in self._saved or self._saved[k] != v)
                        ],
                    )
                safefile.crash_point("pg_before_commit")  # a client killed: nothing lands
                conn.execute("COMMIT")
        except BaseException:
            self.meta.clear()
            self.meta.update(before)
            raise
        self._dirty = False
        self._saved = dict(self.meta)
        with errors(self.url, writing=True):
            conn.execute("BEGIN")  # the writer lock is still ours: further changes may follow

    def close(self) -> None:
        """Roll back what was not committed and let the connection (and its lock) go."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()  # an open transaction is rolled back by the server

    def __del__(self) -> None:
        with contextlib.suppress(Exception):
            self.close()

    def _require(self) -> psycopg.Connection[Any]:
        if self._conn is None:
            raise RuntimeError("the PostgreSQL database was closed")
        return self._conn

    def _rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with errors(self.url):
            return self._require().execute(sql, params).fetchall()

    # -- reading -----------------------------------------------------------------------

    def all_entries(self) -> list[Entry]:
        """Every entry ever recorded, undone and superseded ones included, in id order."""
        if self._all is None:
            rows = self._rows(f"SELECT {ENTRY_COLUMNS} FROM {NAME}.entries ORDER BY id")
            self._all = [entry_of(row) for row in rows]
        return list(self._all)

    def entries(self) -> list[Entry]:
        """The entries that count (``povtrack.ledger``)."""
        if self._effective is None:
            from povtrack.ledger import effective_entries

            self._effective = effective_entries(self.all_entries(), self.batches())
        return list(self._effective)

    def entry(self, entry_id: int) -> Entry | None:
        if self._all is not None:
            return next((e for e in self._all if e.id == entry_id), None)
        sql = f"SELECT {ENTRY_COLUMNS} FROM {NAME}.entries WHERE id = %s"
        rows = self._rows(sql, (entry_id,)) if -(2**63) <= entry_id < 2**63 else []
        return entry_of(rows[0]) if rows else None

    def ledger(self) -> Ledger:
        from povtrack.ledger import Ledger

        return Ledger(self.entries())

    def allocations(self) -> list[Allocation]:
        """Allocations in the order they were recorded (the newest last)."""
        if self._allocations is None:
            sql = f"SELECT indicator, area, value, due, note FROM {NAME}.allocations ORDER BY seq"
            self._allocations = [Allocation(*row) for row in self._rows(sql)]
        return list(self._allocations)

    def batches(self) -> list[dict[str, Any]]:
        if self._batches is None:
            rows = self._rows(f"SELECT {BATCH_COLUMNS} FROM {NAME}.batches ORDER BY seq")
            self._batches = [batch_doc(row) for row in rows]
        return [dict(b) for b in self._batches]

    def records(self) -> Records:
        """Every record of the database, as plain records (``db migrate``)."""
        entries = []
        for row in self._rows(f"SELECT {ENTRY_COLUMNS} FROM {NAME}.entries ORDER BY id"):
            i, ind, area, d, v, n, s, r, b, bt, c, why, _behalf = row
            rec = {"id": i, "indicator": ind, "area": area, "date": d.isoformat(), "value": v}
            rec |= {"note": n, "source": s, "recorded_at": r, "by": b, "batch": bt}
            if c is not None:
                rec |= {"corrects": c, "reason": why or ""}
            entries.append(rec)
        sql = f"SELECT {ALLOCATION_COLUMNS} FROM {NAME}.allocations ORDER BY seq"
        allocations = []
        for row in self._rows(sql):
            rec = dict(zip(_ALLOCATION_KEYS, row, strict=True))
            rec["due"] = rec["due"].isoformat() if rec["due"] is not None else None
            allocations.append(rec)
        return Records(portable_meta(self.meta), entries, self.batches(), allocations)

    # -- writing (in the transaction until commit) -------------------------------------

    def add_batch(
        self, kind: str, by: str, files: Iterable[dict[str, Any]] = (), **extra: str
    ) -> str:
        """A batch: an import, a command, a correction, or an undo (``reverts=``, ``reason=``)."""
        batch_id = ""
        while not batch_id or self._rows(  # a number no writer else draws (and not taken)
            f"SELECT 1 FROM {NAME}.batches WHERE id = %s", (batch_id,)
        ):
            batch_id = f"b{self._next_ids('batches', 1)[0]}"
        doc: dict[str, Any] = {"id": batch_id, "kind": kind, "by": self.login}
        doc |= {"at": now_stamp(), "files": list(files)}
        if by != self.login:  # kept among the batch's extra fields
            doc["on_behalf_of"] = by
        doc |= extra
        if doc["files"]:
            self.batches()  # read before this one is written: insert_files weighs them
        self._write(INSERT_BATCH, [batch_row(doc)[1:]])
        if doc["files"]:
            self._add_files(doc)
        self._counts["batches"] += 1
        if self._batches is not None:
            self._batches.append(doc)
        self._effective = self._skip = None
        self._windows = {}
        return batch_id

    def _add_files(self, doc: dict[str, Any]) -> None:
        """The batch's files, under the server's unique key (``postgres.files``)."""
        try:
            inserted = insert_files(self._require(), self.url, self.batches(), doc)
        except NotPermittedError:
            raise refusal(self.url, self.login, self.role, self.area, self.plan) from None
        if not inserted:
            self._start_over()
            raise AlreadyImported(doc["id"])

    def _next_ids(self, what: str, n: int) -> list[int]:
        """``n`` entry or batch numbers drawn from the server's sequences (``schema``)."""
        found = self._rows(f"SELECT * FROM {NAME}.next_ids(%s, %s)", (what, n))
        return [int(i) for (i,) in found]

    def _start_over(self) -> None:
        """Roll back what this command wrote since its last commit and read afresh (READ
        COMMITTED: what other writers committed meanwhile is seen), keeping the connection."""
        conn = self._require()
        with errors(self.url, writing=True):
            conn.execute("ROLLBACK")
            conn.execute("BEGIN")
            self.meta = read_meta(conn, self.url)
        self._count()
        self._saved = dict(self.meta)
        self._dirty = False
        self._all = self._effective = self._batches = self._allocations = self._skip = None
        self._windows = {}

    def add_entries(self, rows: list[dict[str, Any]], *, by: str, batch: str) -> list[int]:
        docs = entry_docs(rows, first=0, by=self.login, batch=batch)
        for d, entry_id in zip(docs, self._next_ids("entries", len(docs)), strict=True):
            d["id"], d["on_behalf_of"] = entry_id, by
        # inserted in series order (ids kept in the given order): writers adding at once take
        # the series' rows (``schema.series_seen``) in one order, so none waits on another
        # that waits on it
        ordered = sorted(docs, key=lambda d: (d["indicator"], d["area"], d["date"]))
        self._write(INSERT_ENTRY, [entry_params(d) for d in ordered])
        new = [
            Entry(
                d["id"], d["indicator"], d["area"], r["date"], d["value"], d["note"],
                d["source"], d["recorded_at"], d["by"], d["batch"], d.get("corrects"),
                d.get("reason", ""), by,
            )
            for d, r in zip(docs, rows, strict=True)
        ]  # fmt: skip
        self._counts["entries"] += len(new)
        if self._all is not None:
            self._all += new
        self._effective = self._skip = None
        self._windows = {}
        return [e.id for e in new]

    def add_allocation(self, alloc: Allocation, *, by: str, source: str) -> None:
        due = alloc.due.isoformat() if alloc.due else None
        rec = {"indicator": alloc.indicator, "area": alloc.area, "value": alloc.value}
        rec |= {"due": due, "note": alloc.note, "source": source, "recorded_at": now_stamp()}
        self._write(INSERT_ALLOCATION, [allocation_params(rec | {"by": self.login})])
        self._counts["allocations"] += 1
        if self._allocations is not None:
            self._allocations.append(alloc)

    def _write(self, sql: str, params: list[tuple[Any, ...]]) -> None:
        if not self._writer:
            raise RuntimeError("changes outside PgBackend.writing()")
        try:
            with errors(self.url, writing=True), self._require().cursor() as cur:
                cur.executemany(sql, params)
        except NotPermittedError:
            raise refusal(self.url, self.login, self.role, self.area, self.plan) from None
        self._dirty = True

"""The JSON backend: one TinyDB file holding the plan, the entries, allocations and batches.

The only module that imports tinydb. Entries are kept column by column, a document per series
(``entrytable``); batches, allocations and meta are TinyDB tables of one document per record.
A command reads the file once, checks all of it (shape, schema, plan, every record) and
refuses a bad file rather than half-using it. A command that writes takes the lock first
(``JsonBackend.writing``), changes everything in memory and commits once: the old file is kept
as a backup and the new one replaces it atomically (``safefile``). Entries and allocations are
appended, never updated or removed.

What a file must be before it is used, and the schema history, are in ``storage.json.file``.
For users: docs/storage.md.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from tinydb import TinyDB
from tinydb.storages import Storage

from povtrack import __version__
from povtrack.errors import BusyError, DatabaseError, WriteError
from povtrack.i18n import tr
from povtrack.model import Allocation, Digestible, Entry, Plan
from povtrack.planfile import parse_plan
from povtrack.planstore import digest as plan_digest
from povtrack.storage import safefile
from povtrack.storage.backups import check_file
from povtrack.storage.base import Records, digestible, entry_docs, now_stamp
from povtrack.storage.json.entrytable import AuditError, EntryTable, series_from_records
from povtrack.storage.json.file import (
    BACKUP_PATTERN,
    SCHEMA_VERSION,
    Loaded,
    corrupt,
    encode,
    load,
    load_checked,
    read_bytes,
    with_backup_hint,
)

if TYPE_CHECKING:
    from povtrack.ledger import Ledger

_T = TypeVar("_T")

__all__ = ["SCHEMA_VERSION", "JsonBackend"]


def keep_backups() -> int:
    try:
        return max(int(os.environ.get("POVTRACK_BACKUPS", "")), 1)
    except ValueError:
        return safefile.DEFAULT_BACKUPS


class _MemoryStorage(Storage):
    """TinyDB works on the dict in memory; ``JsonBackend.commit`` writes it out once."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True


# ---------------------------------------------------------------------------- the store


class JsonBackend:
    """An open JSON database (``storage.base.Backend``): reads return model objects; writes happen
    in memory and reach the file on ``commit``."""

    def __init__(self, path: Path, loaded: Loaded, *, lock: safefile.DbLock | None = None) -> None:
        self.path = path
        self.plan: Plan = loaded.plan
        self.migrated_from = loaded.migrated_from
        self._table = loaded.entries
        self._allocations = loaded.allocations
        self._storage = _MemoryStorage(loaded.data)
        self._db = TinyDB(storage=lambda: self._storage)
        self.meta: dict[str, Any] = loaded.data["meta"]["1"]
        self._lock = lock
        self._signature = _signature(path)
        self._fresh = False  # a new database: nothing to back up
        self._skip: set[int] | None = None  # ids of entries that do not count, once known
        self.warnings: list[str] = []

    @property
    def generation(self) -> int:
        return int(self.meta.get("generation", 0))

    # -- opening and creating ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> JsonBackend:
        """For reading: no lock (every file a reader can see is a whole one)."""
        try:
            return cls(path, load(read_bytes(path), str(path)))
        except DatabaseError as exc:
            raise with_backup_hint(path, exc) from None

    @classmethod
    @contextlib.contextmanager
    def writing(cls, path: Path, *, lock_timeout: float) -> Iterator[JsonBackend]:
        """Hold the lock, read the file fresh, and let the caller change it and commit."""
        check_file(path)  # before the lock, so a wrong path creates no lock file
        with safefile.DbLock(path, lock_timeout) as lock:
            swept = safefile.sweep_temps(path)
            store = cls.open(path)
            store._check_audits()  # nothing is ever written on top of a bad file
            _check_writable(path)
            store._lock = lock
            store.warnings += swept
            safefile.crash_point("after_read")
            if os.stat(path).st_nlink > 1:
                store.warnings.append(
                    tr(
                        f"{path} 还有其他硬链接；这次写入后它们仍是旧内容",
                        f"{path} has other hard links; they keep the old content after this write",
                    )
                )
            yield store

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
    ) -> Iterator[tuple[JsonBackend, Path | None]]:
        """A new database; with ``force`` an existing one is first moved aside.

        ``demo`` marks a disposable demo database, which a later demo may replace.
        ``records``: the new database holds exactly these (``db migrate``)."""
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
            swept = safefile.sweep_temps(path)
            moved = safefile.make_room(path, force=force, demo=demo, is_demo=_is_demo)
            meta = {
                "schema": SCHEMA_VERSION,
                "generation": 0,
                "plan_text": plan_text,
                "plan_sha256": plan_digest(plan_text),
                "created_at": now_stamp(),
                "demo": demo,
            }
            data: dict[str, Any] = {"meta": {"1": meta}, "series": {}}
            plan = _parse_new_plan(plan_text, path)
            if records is None:
                loaded = Loaded(data, plan, EntryTable(data["series"]), [])
            else:  # another database's records: checked as a file of them would be
                _fill(data, records)
                loaded = _checked(data, path)
            store = cls(path, loaded, lock=lock)
            store._storage.dirty = True
            store._fresh = True
            store.warnings += swept
            if moved is not None:
                # The old file keeps a second name first; the commit then replaces the first
                # name, so a crash in between still leaves a database at the path. Its backups
                # go with the second name at once: the new database never sees them.
                _link_aside(path, moved)
                try:
                    safefile.move_backups(path, moved)
                except WriteError:
                    _finish_aside(path, moved, committed=False)
                    raise
            else:  # a replaced demo leaves its backups: count on from them, overwrite none
                store.meta["generation"] = max(store.generation, _generation_floor(path))
            store._signature = _signature(path)
            try:
                yield store, moved
            finally:
                if moved is not None:
                    _finish_aside(path, moved, committed=not store._storage.dirty)

    def commit(self) -> None:
        """Write every change of this command at once; the replaced file becomes a backup."""
        if not self._storage.dirty:
            return  # nothing changed: an older schema stays as it is until a real write
        if self._lock is None:
            raise RuntimeError("commit() outside JsonBackend.writing()")
        if _signature(self.path) != self._signature:
            raise BusyError(
                tr(
                    f"{self.path}：本命令运行期间数据库被改动（有程序未加 povtrack 的锁就写入？）；"
                    "未写入任何内容，请重新运行命令",
                    f"{self.path}: the database changed while this command ran (written without "
                    "povtrack's lock?); nothing written, run the command again",
                )
            )
        old_generation = self.generation
        self.meta["generation"] = old_generation + 1
        self.meta["written_by"] = f"povtrack {__version__}"
        self._table.flush()
        self.meta["entries_count"] = self._table.count
        for table in ("allocations", "batches"):
            self.meta[f"{table}_count"] = len(self._storage.data.get(table, {}))
        self.meta["committed_at"] = now_stamp()
        payload = encode(self._storage.data)
        backups = safefile.backups_dir(self.path)
        backup = None
        if not self._fresh:
            if self.migrated_from is not None:
                name = f"pre-migrate-schema{self.migrated_from}-{safefile.stamp()}.json"
                try:
                    safefile.keep_copy(safefile.real_path(self.path), backups / name)
                except OSError as exc:
                    why = exc.strerror or exc
                    raise WriteError(
                        tr(
                            f"{backups / name}：升级格式前无法保留副本（{why}）；数据库未改动",
                            f"{backups / name}: cannot keep a copy before migrating "
                            f"({why}); database unchanged",
                        )
                    ) from None
            backup = backups / f"gen-{old_generation:06d}.json"
        try:
            safefile.atomic_write(self.path, payload, backup=backup)
        except WriteError:
            self.meta["generation"] = old_generation
            raise
        self._storage.dirty = False
        self._fresh = False
        self.migrated_from = None
        self._signature = _signature(self.path)
        if backup is not None:
            with contextlib.suppress(OSError):
                os.chmod(backup, safefile.PRIVATE_FILE)  # now no longer the live file's inode
            safefile.prune(backups, BACKUP_PATTERN, keep_backups())

    # -- reading -----------------------------------------------------------------------

    def _not_counting(self) -> set[int]:
        if self._skip is None:
            from povtrack.ledger import undone_batches

            self._skip = self._table.not_counting(set(undone_batches(self.batches())))
        return self._skip

    def _check_audits(self) -> None:
        problems = self._table.check_audits()
        if problems:
            raise with_backup_hint(self.path, corrupt(str(self.path), problems))

    def _audited(self, read: Callable[[], _T]) -> _T:
        """A read that needs the audit detail, which is checked as it is decoded."""
        try:
            return read()
        except AuditError as exc:
            raise with_backup_hint(self.path, corrupt(str(self.path), [str(exc)])) from None

    def entries(self) -> list[Entry]:
        """The entries that count: not undone, not superseded by a correction, not replaced
        by a later report for the same date (``povtrack.ledger``)."""
        skip = self._not_counting()
        return self._audited(lambda: self._table.entries(skip | self._table.replaced(skip)))

    def all_entries(self) -> list[Entry]:
        """Every entry ever recorded, undone and superseded ones included."""
        return self._audited(self._table.entries)

    def series_entries(self, indicators: Iterable[str], area: str | None = None) -> list[Entry]:
        """Every entry of these indicators (in ``area``, if given), in all states, in id
        order."""
        wanted = set(indicators)
        return [e for e in self.all_entries() if e.indicator in wanted and area in (None, e.area)]

    def counting_rows(self, until: date) -> Iterator[Digestible]:
        """Every entry that counts dated up to ``until``, in id order, as a report's digest
        takes it."""
        return digestible(self.entries(), until)

    def batch_size(self, batch_id: str) -> int:
        """How many entries the batch added."""
        return sum(1 for e in self.all_entries() if e.batch == batch_id)

    def entry(self, entry_id: int) -> Entry | None:
        return self._audited(lambda: self._table.find(entry_id))

    def ledger(self) -> Ledger:
        """The ledger of the entries that count, straight from the columns."""
        from povtrack.ledger import Ledger

        return Ledger.from_series(self._table.series_values(self._not_counting()))

    def ledger_at(self, as_of: date) -> Ledger:
        """The whole ledger: the file is read whole anyway."""
        return self.ledger()

    def entries_between(self, start: date, end: date) -> list[Entry]:
        """Every entry that counts: the file is read whole anyway."""
        return self.entries()

    def series_ledger(self, keys: Iterable[tuple[str, str]]) -> Ledger:
        """The whole ledger: the file is read whole anyway."""
        return self.ledger()

    def latest_date(self) -> date:
        """The newest date of an entry that counts (the plan's start when there is none)."""
        return self._table.latest_date(self._not_counting()) or self.plan.start

    def close(self) -> None:
        """Nothing to close: the file was read whole and is written whole on commit."""

    def records(self) -> Records:
        """Every record of the database, as plain records (``db migrate``)."""
        return Records(
            meta=dict(self.meta),
            entries=self._audited(self._table.records),
            batches=self.batches(),
            allocations=[dict(d) for d in self._db.table("allocations").all()],
        )

    def allocations(self) -> list[Allocation]:
        """Allocations in the order they were recorded (the newest last)."""
        return list(self._allocations)

    def batches(self) -> list[dict[str, Any]]:
        return [dict(doc) for doc in self._db.table("batches").all()]

    # -- writing (in memory until commit) ----------------------------------------------

    def add_batch(
        self, kind: str, by: str, files: Iterable[dict[str, Any]] = (), **extra: str
    ) -> str:
        """A batch: an import, a command, a correction, or an undo (``reverts=``, ``reason=``)."""
        table = self._db.table("batches")
        batch_id = f"b{len(table) + 1}"
        doc = {"id": batch_id, "kind": kind, "by": by, "at": now_stamp(), "files": list(files)}
        table.insert(doc | extra)
        self._skip = None
        return batch_id

    def add_entries(self, rows: list[dict[str, Any]], *, by: str, batch: str) -> list[int]:
        first = self._table.last_id + 1
        self._table.extend(entry_docs(rows, first=first, by=by, batch=batch))
        self._storage.dirty = True
        self._skip = None
        return list(range(first, first + len(rows)))

    def add_allocation(self, alloc: Allocation, *, by: str, source: str) -> None:
        self._db.table("allocations").insert(
            {
                "indicator": alloc.indicator,
                "area": alloc.area,
                "value": alloc.value,
                "due": alloc.due.isoformat() if alloc.due else None,
                "note": alloc.note,
                "source": source,
                "recorded_at": now_stamp(),
                "by": by,
            }
        )
        self._allocations.append(alloc)


# ---------------------------------------------------------------------------- helpers


# What describes the file itself, so is never copied from another database's records.
_OWN_META = frozenset(
    {"schema", "plan_text", "plan_sha256", "written_by", "committed_at"}
    | {f"{t}_count" for t in ("entries", "allocations", "batches")}
)


def _fill(data: dict[str, Any], records: Records) -> None:
    """A new database's tables from plain records; meta keeps what they say of their past."""
    data["meta"]["1"] |= {k: v for k, v in records.meta.items() if k not in _OWN_META}
    data["series"] = series_from_records(records.entries)
    for table, docs in (("batches", records.batches), ("allocations", records.allocations)):
        if docs:
            data[table] = {str(n): dict(doc) for n, doc in enumerate(docs, 1)}


def _checked(data: dict[str, Any], path: Path) -> Loaded:
    """A new database filled from records, read back as every later command will read it: a
    record this backend refuses stops the copy before anything is written."""
    try:
        return load_checked(encode(data), str(path))
    except DatabaseError as exc:
        what = exc.message.replace(tr("数据库已损坏：", "corrupt database: "), "", 1)
        raise DatabaseError(
            tr(
                f"{what}：源数据库中有本存储方式不接受的记录；未写入任何内容"
                "（请对源数据库运行 'povtrack db verify'）",
                f"{what}: a record of the source this "
                "backend refuses; nothing written (see 'povtrack db verify' on the source)",
            )
        ) from None


def _signature(path: Path) -> tuple[int, int, int] | None:
    """Which file is there now: a writer that skipped the lock changes this."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


def _check_writable(path: Path) -> None:
    target = safefile.real_path(path)
    if not os.access(target, os.W_OK):
        raise WriteError(
            tr(
                f"{path}：数据库文件是只读的；未写入任何内容",
                f"{path}: the database file is read-only; nothing written",
            )
        )
    if not os.access(target.parent, os.W_OK):
        raise WriteError(
            tr(
                f"{target.parent}：无法在数据库所在文件夹中写入；未写入任何内容",
                f"{target.parent}: cannot write in the database's directory; nothing written",
            )
        )


def _parse_new_plan(plan_text: str, path: Path) -> Plan:
    return parse_plan(plan_text, tr(f"{path}（方案）", f"{path} (plan)"))


def _link_aside(path: Path, moved: Path) -> None:
    try:
        safefile.keep_copy(safefile.real_path(path), moved, link=True, private=False)
    except OSError as exc:
        raise WriteError(
            tr(
                f"{path}：无法把旧数据库移到一旁保留：{exc}",
                f"{path}: cannot keep the old database aside: {exc}",
            )
        ) from None


def _finish_aside(path: Path, moved: Path, *, committed: bool) -> None:
    """After init --force: if the new database was never written, the old one simply stays
    where it was, with its backups back beside it."""
    if committed:
        return
    with contextlib.suppress(OSError):
        safefile.move_backups(moved, path)
        moved.unlink()


def _generation_floor(path: Path) -> int:
    """One past the newest ``gen-N.json`` in the backups folder (0 when there is none)."""
    names = (p.name for p in safefile.backups_dir(path).glob(BACKUP_PATTERN))
    numbers = [int(n[4:-5]) for n in names if n[4:-5].isdigit()]
    return max(numbers) + 1 if numbers else 0


def _is_demo(path: Path) -> bool:
    """A disposable demo database, which a later demo may replace."""
    try:
        return bool(load(read_bytes(path), str(path)).data["meta"]["1"].get("demo"))
    except DatabaseError:
        return False

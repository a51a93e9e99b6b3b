"""The database: one TinyDB file holding the plan, the entries, allocations and batches.

The only module that imports tinydb. Each command reads the file once and, if it changes
anything, writes it once, atomically (temp file in the same directory, fsync, os.replace).
Entries and allocations are appended, never updated or removed.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.storages import Storage

from povtrack.errors import DatabaseError, UsageError, WriteError
from povtrack.model import Allocation, Entry, Plan
from povtrack.planfile import parse_plan

SCHEMA_VERSION = 1


def now_stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


class _OneWriteStorage(Storage):
    """Keeps the whole database in memory; ``flush`` writes it once, atomically."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data
        self.dirty = False

    def read(self) -> dict[str, Any]:
        return self.data

    def write(self, data: dict[str, Any]) -> None:
        self.data = data
        self.dirty = True

    def flush(self) -> None:
        if self.dirty:
            atomic_write(self.path, json.dumps(self.data, ensure_ascii=False).encode("utf-8"))
            self.dirty = False


def atomic_write(path: Path, payload: bytes) -> None:
    target = path.resolve()  # write through a symlink to its target
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = 0o600
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
        dir_fd = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise WriteError(f"{path}: write failed, database unchanged: {exc.strerror}") from None


def _read_json(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise DatabaseError(
            f"{path}: no database here; create one with 'povtrack init' (or set --db)"
        ) from None
    except IsADirectoryError:
        raise DatabaseError(f"{path}: is a directory, not a database file") from None
    except OSError as exc:
        raise DatabaseError(f"{path}: cannot read the database: {exc.strerror}") from None
    if not raw.strip():
        raise DatabaseError(f"{path}: the database file is empty (not a povtrack database)")
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise DatabaseError(f"{path}: corrupt database: not UTF-8 at byte {exc.start}") from None
    except json.JSONDecodeError as exc:
        raise DatabaseError(
            f"{path}: corrupt database: {exc.msg} at byte {exc.pos} "
            f"(line {exc.lineno}, column {exc.colno})"
        ) from None
    if not isinstance(data, dict) or "meta" not in data:
        raise DatabaseError(f"{path}: not a povtrack database (no meta table)")
    return data


class Store:
    """An open database. Read methods return model objects; writes happen on ``commit``."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self._storage = _OneWriteStorage(path, data)
        self._db = TinyDB(storage=lambda: self._storage)  # type: ignore[arg-type,return-value]
        meta = self._db.table("meta").get(doc_id=1)
        if not meta:
            raise DatabaseError(f"{path}: not a povtrack database (meta record missing)")
        schema = meta.get("schema")
        if not isinstance(schema, int) or schema > SCHEMA_VERSION:
            raise DatabaseError(
                f"{path}: written by a newer povtrack (schema {schema}; this version reads "
                f"{SCHEMA_VERSION}); upgrade povtrack"
            )
        self.meta = meta
        try:
            self.plan: Plan = parse_plan(meta["plan_text"], f"{path} (stored plan)")
        except (KeyError, UsageError) as exc:
            raise DatabaseError(
                f"{path}: corrupt database: stored plan unreadable: {exc}"
            ) from None

    # -- opening and creating ----------------------------------------------------------

    @classmethod
    def open(cls, path: Path) -> Store:
        return cls(path, _read_json(path))

    @classmethod
    def create(
        cls, path: Path, plan_text: str, *, force: bool = False, demo: bool = False
    ) -> tuple[Store, Path | None]:
        """Create a new database; with ``force`` an existing one is first moved aside.

        ``demo`` marks a disposable demo database, which a later demo may replace in place."""
        moved: Path | None = None
        if demo and path.exists():
            if not cls.open(path).meta.get("demo"):
                raise UsageError(f"{path}: not a demo database; the demo will not replace it")
        elif path.exists() or path.is_symlink():
            if not force:
                raise UsageError(
                    f"{path}: a database already exists; use --force to move it aside "
                    "and start a new one"
                )
            stamp = f"{path.name}.{datetime.now():%Y%m%dT%H%M%S}"
            moved, n = path.with_name(f"{stamp}.bak"), 1
            while moved.exists():  # two --force in the same second
                moved, n = path.with_name(f"{stamp}-{n}.bak"), n + 1
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise WriteError(f"{path.parent}: cannot create directory: {exc.strerror}") from None
        meta = {
            "schema": SCHEMA_VERSION,
            "plan_text": plan_text,
            "plan_sha256": hashlib.sha256(plan_text.encode("utf-8")).hexdigest(),
            "created_at": now_stamp(),
            "demo": demo,
        }
        store = cls(path, {"meta": {"1": meta}})
        store._storage.dirty = True
        if moved is not None:
            try:
                os.replace(path, moved)
            except OSError as exc:
                raise WriteError(f"{path}: cannot move the old database aside: {exc}") from None
        return store, moved

    def commit(self) -> None:
        self._storage.flush()

    # -- reading -----------------------------------------------------------------------

    def entries(self) -> list[Entry]:
        return [_entry(doc.doc_id, doc) for doc in self._db.table("entries").all()]

    def allocations(self) -> list[Allocation]:
        """Allocations in the order they were recorded (the newest last)."""
        out = []
        for doc in self._db.table("allocations").all():
            due = date.fromisoformat(doc["due"]) if doc.get("due") else None
            out.append(Allocation(doc["indicator"], doc["area"], doc["value"], due, doc["note"]))
        return out

    def batch_for_file(self, sha256: str) -> dict[str, Any] | None:
        for doc in self._db.table("batches").all():
            if any(f.get("sha256") == sha256 for f in doc.get("files", [])):
                return dict(doc)
        return None

    # -- writing (in memory until commit) ----------------------------------------------

    def add_batch(self, kind: str, by: str, files: Iterable[dict[str, Any]] = ()) -> str:
        table = self._db.table("batches")
        batch_id = f"b{len(table) + 1}"
        table.insert(
            {"id": batch_id, "kind": kind, "by": by, "at": now_stamp(), "files": list(files)}
        )
        return batch_id

    def add_entries(self, rows: list[dict[str, Any]], *, by: str, batch: str) -> list[int]:
        at = now_stamp()
        docs = [
            {
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
            for r in rows
        ]
        return list(self._db.table("entries").insert_multiple(docs))

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


def _entry(doc_id: int, doc: dict[str, Any]) -> Entry:
    return Entry(
        id=doc_id,
        indicator=doc["indicator"],
        area=doc["area"],
        date=date.fromisoformat(doc["date"]),
        value=doc["value"],
        note=doc.get("note", ""),
        source=doc.get("source", ""),
        recorded_at=doc.get("recorded_at", ""),
        by=doc.get("by", ""),
        batch=doc.get("batch", ""),
    )

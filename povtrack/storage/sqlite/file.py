"""A povtrack SQLite file: its layout, how it is opened, its rows as records, the files beside
it, and sqlite3's errors as povtrack's exit codes.

The SQLite counterpart of ``json.file`` and ``safefile``: ``sqlite.backend`` builds the backend
on it and ``sqlite.maintenance`` verifies, backs up and restores with it; what a sound file is,
is checked by ``sqlite.checks``. Nothing here knows the plan or makes model objects.

Layout (``PRAGMA application_id`` marks the file as povtrack's, ``PRAGMA user_version`` is the
layout's version):

* ``meta(key, value)``: one row per meta field, the value as JSON text;
* ``entries``: one row per entry ever recorded, ``id`` its id; ``value`` is declared without a
  type, so it has no affinity and 5 stays an integer, 5.0 a float (CHECK: a number ≥ 0);
  ``corrects``/``reason`` are NULL on an entry that is not a correction; an index on
  (indicator, area, date, id, value), which every read of a series walks, and one on batch;
* ``series(indicator, area)``: every series with an entry, kept by a trigger on ``entries``, so
  a read finds the series without walking the entries (``storage.window``);
* ``batches``: one row per batch in order (``seq``); ``files`` JSON text; ``by``, ``at``,
  ``files``, ``reverts`` and ``reason`` NULL when the batch has no such field; any other field
  kept in ``extra`` (a JSON object), so a batch reads back exactly as it was recorded;
* ``allocations``: one row per allocation in order (``seq``).

Entries, batches, allocations and series are append-only: triggers RAISE on UPDATE and
DELETE.
The file is in WAL mode (set once, kept in the file); every connection that writes uses
``synchronous=FULL`` (see ``sqlite.backend`` for why).

Layout history (``SCHEMA``; docs/storage.md, "Schema history and migration"):
  1  povtrack 0.4.0: the first SQLite layout
  2  povtrack 0.6.0: the ``series`` table and the indexes for reads by the engine; a layout-1
     file is read as before and brought to layout 2 by the first command that writes to it
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import tempfile
import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from povtrack.errors import BusyError, DatabaseError, PovtrackError, UsageError, WriteError
from povtrack.i18n import tr
from povtrack.planstore import KEY as PLAN_DOC
from povtrack.planstore import digest as plan_digest
from povtrack.planstore import plan_doc
from povtrack.storage import safefile
from povtrack.storage.sqlite.series import FIGURES, SERIES_V1, SERIES_V2, WORKED_OUT

SCHEMA = 2
APPLICATION_ID = 0x70765452  # "pvTR"
SIDE_FILES = ("-wal", "-shm", "-journal")
APPEND_ONLY = ("entries", "allocations", "batches")
LARGEST = "1.7976931348623157e308"  # the largest finite double: Inf is not a number

ENTRY_COLUMNS = (
    'id, indicator, area, date, value, note, source, recorded_at, "by", batch, corrects, reason'
)
BATCH_COLUMNS = 'id, kind, "by", at, files, reverts, reason, extra'
ALLOCATION_COLUMNS = 'indicator, area, value, due, note, source, recorded_at, "by"'

NUMBER = f"typeof({{c}}) IN ('integer', 'real') AND {{c}} >= 0 AND {{c}} <= {LARGEST}"
DAY = "typeof({c}) = 'text' AND date({c}, '+0 days') IS {c}"
DDL = f"""
CREATE TABLE meta (key TEXT PRIMARY KEY NOT NULL, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL,
    area TEXT NOT NULL,
    date TEXT NOT NULL CHECK ({DAY.format(c="date")}),
    value NOT NULL CHECK ({NUMBER.format(c="value")}),
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL DEFAULT '',
    "by" TEXT NOT NULL DEFAULT '',
    batch TEXT NOT NULL DEFAULT '',
    corrects INTEGER,
    reason TEXT
);
{{SERIES_INDEX}}
CREATE INDEX entries_corrections ON entries (corrects) WHERE corrects IS NOT NULL;
CREATE TABLE batches (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    "by" TEXT,
    at TEXT,
    files TEXT,
    reverts TEXT,
    reason TEXT,
    extra TEXT NOT NULL DEFAULT '{{}}'
);
CREATE TABLE allocations (
    seq INTEGER PRIMARY KEY,
    indicator TEXT NOT NULL,
    area TEXT NOT NULL,
    value NOT NULL CHECK ({NUMBER.format(c="value")}),
    due TEXT CHECK (due IS NULL OR {DAY.format(c="due")}),
    note TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL DEFAULT '',
    "by" TEXT NOT NULL DEFAULT ''
);
""" + "".join(
    f"CREATE TRIGGER {t}_no_{op.lower()} BEFORE {op} ON {t} "
    f"BEGIN SELECT RAISE(ABORT, 'povtrack: {t} are append-only, never changed or removed'); END;\n"
    for t in APPEND_ONLY
    for op in ("UPDATE", "DELETE")
)
INSERT_ENTRY = f"INSERT INTO entries ({ENTRY_COLUMNS}) VALUES ({', '.join('?' * 12)})"
INSERT_BATCH = f"INSERT INTO batches (seq, {BATCH_COLUMNS}) VALUES ({', '.join('?' * 9)})"
INSERT_ALLOCATION = f"INSERT INTO allocations ({ALLOCATION_COLUMNS}) VALUES ({', '.join('?' * 8)})"
# What a new database takes from the meta of the records it is made from (``db migrate``):
# all but what describes the file itself.
OWN_META = (
    "schema",
    "plan_text",
    "plan_doc",
    "plan_sha256",
    "written_by",
    "committed_at",
    *(f"{t}_count" for t in APPEND_ONLY),
)


# ---------------------------------------------------------------------------- connections


def connect(
    path: Path, *, timeout: float = 5.0, create: bool = False, reader: bool = False
) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are begun explicitly). ``create``: the
    file may be new (only ever a private temp file); otherwise a missing file is an error,
    never a new empty database. ``reader``: nothing is read yet (a file that cannot be read as
    usual shows at the first read, ``sqlite.opening``)."""
    target = safefile.real_path(path)
    uri = f"file:{urllib.parse.quote(str(target))}?mode={'rwc' if create else 'rw'}"
    with sql_errors(path):
        conn = sqlite3.connect(
            uri, uri=True, isolation_level=None, timeout=max(timeout, 0.0), check_same_thread=False
        )
        if not reader:
            conn.execute("PRAGMA synchronous = FULL")
    return conn


def create_schema(conn: sqlite3.Connection, version: int = SCHEMA) -> None:
    """The tables of a new database (call it inside the transaction that fills them), in
    the layout ``version`` (the current one; 1 only to know a layout-1 file's schema)."""
    script = DDL.replace("{SERIES_INDEX}", SERIES_V1 if version == 1 else "")
    for statement in statements(script + ("" if version == 1 else SERIES_V2)):
        conn.execute(statement)
    conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    conn.execute(f"PRAGMA user_version = {version}")


def upgrade(conn: sqlite3.Connection) -> None:
    """A layout-1 file brought to layout 2, inside the writer's transaction: the new indexes
    made and the series table filled from the entries (one walk of them, once)."""
    conn.execute("DROP INDEX entries_series")
    for statement in statements(SERIES_V2):
        conn.execute(statement)
    conn.execute(f"INSERT INTO series (indicator, area, {FIGURES}) {WORKED_OUT}")
    conn.execute(f"PRAGMA user_version = {SCHEMA}")


def statements(script: str) -> Iterator[str]:
    buffer = ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            yield buffer.strip()
            buffer = ""


def new_meta(plan_text: str, *, demo: bool, records: Any = None) -> dict[str, Any]:
    """The meta of a new database (from ``records``, a ``storage.base.Records``: what it says of
    the data's past, such as created_at and generation)."""
    meta: dict[str, Any] = {
        "schema": SCHEMA,
        "generation": 0,
        "plan_text": plan_text,
        "plan_sha256": plan_digest(plan_text),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "demo": demo,
    }
    doc = plan_doc(plan_text)  # an open then parses no TOML (``planstore``)
    if doc is not None:
        meta[PLAN_DOC] = doc
    if records is not None:
        meta |= {k: v for k, v in records.meta.items() if k not in OWN_META}
    return meta


def write_meta(conn: sqlite3.Connection, meta: dict[str, Any]) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
        [(k, json.dumps(v, ensure_ascii=False)) for k, v in meta.items()],
    )


def side_files(path: Path) -> list[Path]:
    """The WAL, shared-memory and journal files SQLite keeps beside a database."""
    target = safefile.real_path(path)
    return [target.with_name(target.name + s) for s in SIDE_FILES]


@contextlib.contextmanager
def sql_errors(path: Path, *, writing: bool = False) -> Iterator[None]:
    """sqlite3's errors as povtrack's: a message naming the file and the right exit code."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translate(path, exc, writing=writing) from None
    except UnicodeEncodeError as exc:  # a lone surrogate (a hand edit of a JSON file) in text
        bad = exc.object[max(exc.start - 20, 0) : exc.end + 20]
        unchanged = _nothing_written() if writing else ""
        raise UsageError(
            tr(
                f"{path}：有 SQLite 无法保存的文本（{bad!r} 附近有孤立的代理字符）；请先在源数据中"
                "修正该记录" + unchanged,
                f"{path}: text SQLite cannot store (a lone surrogate near {bad!r}); fix that "
                "record in the source first" + unchanged,
            )
        ) from None


def _nothing_written() -> str:
    return tr("；未写入任何内容", "; nothing written")


def translate(path: Path, exc: sqlite3.Error, *, writing: bool = False) -> PovtrackError:
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    unchanged = _nothing_written() if writing else ""
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")):
        return BusyError(
            tr(
                f"{path}：数据库正忙：另一个程序持有它的 SQLite 锁（{text}）{unchanged}",
                f"{path}: database busy: another program holds SQLite's lock on it "
                f"({text}){unchanged}",
            )
        )
    if name.startswith(("SQLITE_NOTADB", "SQLITE_CORRUPT")):
        hint = tr("（不是完好的 SQLite 文件）", " (not a sound SQLite file)")
        if name.startswith("SQLITE_NOTADB") and _starts_like_json(path):
            hint = tr(
                "（它看起来是 JSON 数据库：以 .sqlite 或 .sqlite3 结尾的名称表示 SQLite；"
                "请改名为 .json）",
                " (it looks like a JSON database: a .sqlite or .sqlite3 name means SQLite; "
                "rename it .json)",
            )
        return DatabaseError(
            tr(f"{path}：数据库已损坏：{text}{hint}", f"{path}: corrupt database: {text}{hint}")
        )
    if writing and name.startswith(
        ("SQLITE_FULL", "SQLITE_IOERR", "SQLITE_READONLY", "SQLITE_PERM", "SQLITE_CANTOPEN")
    ):
        return WriteError(
            tr(
                f"{path}：写入失败（{text}）；数据库未改动",
                f"{path}: write failed ({text}); database unchanged",
            )
        )
    if name.startswith(("SQLITE_CANTOPEN", "SQLITE_IOERR", "SQLITE_PERM")):
        return DatabaseError(
            tr(f"{path}：无法读取数据库：{text}", f"{path}: cannot read the database: {text}")
        )
    if isinstance(exc, sqlite3.IntegrityError):
        return UsageError(
            tr(
                f"{path}：数据库拒绝了一条记录（{text}）{unchanged}",
                f"{path}: the database refused a record ({text}){unchanged}",
            )
        )
    return DatabaseError(
        tr(f"{path}：无法使用数据库：{text}", f"{path}: cannot use the database: {text}")
    )


def _starts_like_json(path: Path) -> bool:
    """Only once SQLite has refused the file: no connection of ours holds a lock on it."""
    try:
        with open(safefile.real_path(path), "rb") as f:
            return f.read(64).lstrip().startswith(b"{")
    except OSError:
        return False


# ---------------------------------------------------------------------------- rows


def batch_doc(row: tuple[Any, ...]) -> dict[str, Any]:
    """A batch row as the record it was (``Records.batches``)."""
    batch_id, kind, by, at, files, reverts, reason, extra = row
    doc: dict[str, Any] = {"id": batch_id, "kind": kind}
    try:
        if by is not None:
            doc["by"] = by
        if at is not None:
            doc["at"] = at
        if files is not None:
            doc["files"] = json.loads(files)
            if not isinstance(doc["files"], list) or not all(
                isinstance(f, dict) and isinstance(f.get("sha256"), str) for f in doc["files"]
            ):
                raise ValueError
        if reverts is not None:
            doc["reverts"] = reverts
        if reason is not None:
            doc["reason"] = reason
        more = json.loads(extra)
        if not isinstance(more, dict):
            raise ValueError
    except (TypeError, ValueError):
        raise DatabaseError(
            tr(
                f"批次 {batch_id}：files 应为 JSON 文件列表（每个带 sha256），extra 应为 JSON 对象",
                f"batch {batch_id}: files must be a JSON list of files with a sha256, extra a "
                "JSON object",
            )
        ) from None
    return doc | more


def batch_row(doc: dict[str, Any], seq: int | None = None) -> tuple[Any, ...]:
    """A batch record as a row of ``batches`` (seq first; NULL for a field it does not have)."""
    known = ("id", "kind", "by", "at", "files", "reverts", "reason")
    extra = {k: v for k, v in doc.items() if k not in known}
    files = doc.get("files")
    return (
        seq,
        doc["id"],
        doc["kind"],
        doc.get("by"),
        doc.get("at"),
        None if files is None else json.dumps(files, ensure_ascii=False),
        doc.get("reverts"),
        doc.get("reason"),
        json.dumps(extra, ensure_ascii=False),
    )


def entry_row(rec: dict[str, Any]) -> tuple[Any, ...]:
    """An entry record (``Records.entries``) as a row of ``entries``."""
    corrects = rec.get("corrects")
    return (
        rec["id"],
        rec["indicator"],
        rec["area"],
        rec["date"],
        rec["value"],
        rec.get("note", ""),
        rec.get("source", ""),
        rec.get("recorded_at", ""),
        rec.get("by", ""),
        rec.get("batch", ""),
        corrects,
        None if corrects is None else rec.get("reason", ""),
    )


def allocation_row(rec: dict[str, Any]) -> tuple[Any, ...]:
    """An allocation record (``Records.allocations``) as a row of ``allocations``."""
    text = ("note", "source", "recorded_at", "by")
    return (
        rec["indicator"],
        rec["area"],
        rec["value"],
        rec.get("due"),
        *(rec.get(k, "") for k in text),
    )


# ---------------------------------------------------------------------------- files


@contextlib.contextmanager
def signals_held() -> Iterator[None]:
    """Ctrl-C or SIGTERM during a commit waits until it is done, so "interrupted" tells the
    truth about whether it was written."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def sweep(path: Path) -> list[str]:
    """Temp files of killed creators (with their journals); call it holding the lock."""
    return safefile.sweep_temps(path, tails=("", "-journal", "-wal", "-shm"))


def temp_file(path: Path) -> Path:
    target = safefile.real_path(path)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    except OSError as exc:
        raise WriteError(
            tr(
                f"{target.parent}：无法写入（{exc.strerror}）；未写入任何内容",
                f"{target.parent}: cannot write ({exc.strerror}); nothing written",
            )
        ) from None
    os.close(fd)  # mkstemp makes it 0600: the new database is private
    return Path(name)


def discard(temp: Path) -> None:
    for p in (temp, *(temp.with_name(temp.name + s) for s in ("-journal", "-wal", "-shm"))):
        with contextlib.suppress(OSError):
            p.unlink()


def fsync(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # a directory on a filesystem without directory fsync
    finally:
        os.close(fd)


def check_writable(path: Path) -> None:
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


def set_aside(path: Path, moved: Path) -> None:
    """init --force: the old file (and its WAL, if a checkpoint could not empty it) keeps a
    second name before the new one takes the first."""
    with contextlib.suppress(sqlite3.Error, DatabaseError):
        conn = connect(path, timeout=0)
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            conn.close()
    target = safefile.real_path(path)
    safefile.keep_copy(target, moved, link=True, private=False)
    wal = target.with_name(target.name + "-wal")
    if wal.exists() and wal.stat().st_size:
        safefile.keep_copy(wal, moved.with_name(moved.name + "-wal"), link=True, private=False)


def install(temp: Path, path: Path, moved: Path | None) -> None:
    """Put a new database (committed, closed and fsynced in ``temp``) at ``path``: the old
    file first keeps a second name (``moved``, init --force) and its backups go with it, then
    ``os.replace``; a crash leaves the old database or the new one, and the new one never
    finds the old one's backups as its own."""
    target = safefile.real_path(path)
    with signals_held():
        try:
            if moved is not None:
                set_aside(path, moved)
                safefile.move_backups(path, moved)
            for side in side_files(path):
                side.unlink(missing_ok=True)  # never replay an old WAL onto the new file
            os.replace(temp, target)
        except (OSError, WriteError) as exc:
            if moved is not None:  # the old file stays where it was, with its backups
                with contextlib.suppress(OSError, WriteError):
                    safefile.move_backups(moved, path)
                discard(moved)
            if isinstance(exc, WriteError):
                raise
            where, why = exc.filename or path, exc.strerror or exc
            raise WriteError(
                tr(
                    f"{where}：写入失败（{why}）；数据库未改动",
                    f"{where}: write failed ({why}); database unchanged",
                )
            ) from None
        safefile.COMMITTED.append(str(path))
        fsync(target.parent)

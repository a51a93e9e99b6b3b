"""Backups of a PostgreSQL database (``db backup``, ``db backups`` and ``db restore`` on a
``postgresql://`` URL): files on the client machine, restored into a new database only.

A backup is a povtrack JSON database file (``storage.json``, its schema 4) holding the whole
database as ``storage.base.Records``, read in one snapshot: every entry with its id, author and
``on_behalf_of``, every correction, batch and allocation, and the meta. So povtrack alone can
read it (``povtrack --db BACKUP status``), check it (``db verify``) and restore it. Its meta
adds ``pg_backup``: where, when and by whom it was taken, the database's offices (login, kind,
area), and the SHA-256 of everything else in the file (``_digest``).

Invariants:

* a backup is written once, under a name no file has (``backups.unused``), atomically and
  private (0600; a folder povtrack makes is 0700); a folder that is a link, a file or another
  user's is refused (exit 6), and only this user's regular files in it are listed;
* a backup is trusted only when its digest matches and the JSON backend's checks pass on every
  record (``json.file.load_checked``): a damaged or edited file is refused (exit 4) before any
  connection to a server. The digest finds damage and edits, not forgery (anyone can compute
  a SHA-256);
* ``restore`` writes a new database only: ``PgBackend.creating`` refuses one that holds
  povtrack's schema (exit 2). Schema, records, offices and grants are one transaction; nothing
  is ever updated or deleted anywhere, least of all in the database the backup came from.

A backup belongs to the database whose ``created_at``, plan and name on its server it carries
(``_identity``): ``db backups`` lists only those, and a copy made by ``db restore`` (another
name) starts a list of its own. For users: docs/storage.md, "PostgreSQL: backups".
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from povtrack.errors import DatabaseError, UsageError, WriteError
from povtrack.i18n import tr
from povtrack.planstore import digest as plan_digest
from povtrack.storage import safefile
from povtrack.storage.backups import backup_files, unused
from povtrack.storage.base import Records, now_stamp
from povtrack.storage.json.backend import JsonBackend
from povtrack.storage.json.entrytable import series_from_records
from povtrack.storage.json.file import SCHEMA_VERSION, Loaded, encode, load_checked
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.backend import PgBackend
from povtrack.storage.postgres.connection import errors
from povtrack.storage.postgres.schema import NAME, ROLES
from povtrack.storage.postgres.users import User, enrol, is_login

KEY = "pg_backup"  # the meta field that makes a JSON database a backup of a server's
FORMAT = 1  # the version of that field; a newer one is refused
FOLDER = "postgresql-backups"  # under the user's data folder, unless --folder says otherwise


def default_folder() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("povtrack", appauthor=False)) / FOLDER


@dataclass
class Taken:
    """What ``backup_now`` wrote."""

    path: Path
    generation: int
    entries: int
    batches: int
    allocations: int
    offices: int


@dataclass
class PgRestored:
    """What ``restore`` made: the new database, and which offices got their grants back."""

    backup: Path
    target: PgUrl
    generation: int  # the new database's
    backup_generation: int
    entries: int
    batches: int
    allocations: int
    granted: list[User] = field(default_factory=list)
    missing: list[User] = field(default_factory=list)  # no such login on the target's server


# ---------------------------------------------------------------------------- taking one


def backup_now(url: PgUrl, folder: Path) -> Taken:
    """The whole database, in one snapshot, as a new file in ``folder``. Any login that may
    read the database may back it up."""
    records, offices, name, login = _read(url)
    data = _database_file(records, offices, url, name, login)
    payload = encode(data)
    try:  # what is written must read back: a record the JSON file refuses stops it here
        load_checked(payload, str(url))
    except DatabaseError as exc:
        raise DatabaseError(
            tr(
                f"{exc.message}：数据库中有 JSON 文件不接受的记录；未写入备份"
                "（请运行 'povtrack db verify'）",
                f"{exc.message}: a record the JSON file refuses; no backup written "
                "(see 'povtrack db verify')",
            )
        ) from None
    _make_folder(folder)
    generation = int(records.meta.get("generation", 0))
    stem = f"{_safe(name)}-manual-{safefile.stamp()}"
    dest = unused(folder, stem, f"-gen-{generation:06d}")
    safefile.atomic_write(dest, payload, record=False)
    return Taken(
        dest,
        generation,
        entries=len(records.entries),
        batches=len(records.batches),
        allocations=len(records.allocations),
        offices=len(offices),
    )


def _read(url: PgUrl) -> tuple[Records, list[User], str, str]:
    """Records (entries with ``on_behalf_of``), offices, the database's name and this login,
    all from the one snapshot a reader sees."""
    store = PgBackend.open(url)
    try:
        records = store.records()
        conn = store._require()
        with errors(url):
            behalf = dict(
                conn.execute(
                    f"SELECT id, on_behalf_of FROM {NAME}.entries WHERE on_behalf_of IS NOT NULL"
                ).fetchall()
            )
            offices = [
                User(*row)
                for row in conn.execute(
                    f"SELECT login, role, area FROM {NAME}.offices WHERE role IS NOT NULL "
                    "ORDER BY login"
                ).fetchall()
            ]
            row = conn.execute("SELECT current_database(), session_user").fetchone()
    finally:
        store.close()
    assert row is not None
    for rec in records.entries:
        if rec["id"] in behalf:
            rec.setdefault("on_behalf_of", behalf[rec["id"]])
    return records, offices, str(row[0]), str(row[1])


def _database_file(
    records: Records, offices: list[User], url: PgUrl, name: str, login: str
) -> dict[str, Any]:
    """The records as a JSON database (what ``JsonBackend.creating`` would write), its meta
    carrying ``pg_backup`` with the digest of the rest."""
    plan_text = records.meta["plan_text"]
    meta = dict(records.meta)
    meta |= {
        "schema": SCHEMA_VERSION,
        "plan_sha256": plan_digest(plan_text),
        "entries_count": len(records.entries),
        "batches_count": len(records.batches),
        "allocations_count": len(records.allocations),
        KEY: {
            "format": FORMAT,
            "database": str(url),  # masked: a backup never holds a password
            "name": name,
            "login": login,
            "taken_at": now_stamp(),
            "server_schema": records.meta.get("schema"),
            "offices": [u.as_json() for u in offices],
        },
    }
    data: dict[str, Any] = {"meta": {"1": meta}, "series": series_from_records(records.entries)}
    for table, docs in (("batches", records.batches), ("allocations", records.allocations)):
        if docs:
            data[table] = {str(n): dict(doc) for n, doc in enumerate(docs, 1)}
    meta[KEY]["sha256"] = _digest(json.loads(encode(data)))  # as a reader will parse it
    return data


def _digest(data: dict[str, Any]) -> str:
    """SHA-256 of the parsed file with ``pg_backup.sha256`` left out, keys sorted: the same
    whatever the file's spacing, different for any changed value."""
    meta = data["meta"]["1"]
    info = {k: v for k, v in meta[KEY].items() if k != "sha256"}
    body = data | {"meta": data["meta"] | {"1": meta | {KEY: info}}}
    text = json.dumps(body, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def _safe(name: str) -> str:
    """A database's name as part of a file name."""
    return re.sub(r"[^\w-]+", "_", name) or "_"


def _make_folder(folder: Path) -> None:
    try:
        safefile.make_dirs(folder)  # owner-only, whatever the umask
    except OSError as exc:
        raise WriteError(
            tr(
                f"{folder}：无法创建备份文件夹：{exc.strerror}；未写入任何内容",
                f"{folder}: cannot create the backups folder: {exc.strerror}; nothing written",
            )
        ) from None
    safefile.backups_folder(folder)  # a link, a file or another user's folder: refused


# ---------------------------------------------------------------------------- reading one


@dataclass
class _Checked:
    data: dict[str, Any]
    loaded: Loaded

    @property
    def meta(self) -> dict[str, Any]:
        return self.data["meta"]["1"]  # type: ignore[no-any-return]

    @property
    def info(self) -> dict[str, Any]:
        return self.meta[KEY]  # type: ignore[no-any-return]


def _parse(raw: bytes, where: str) -> dict[str, Any]:
    """The file parsed, if it is a backup of a PostgreSQL database at all."""
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError):  # not UTF-8, not JSON
        data = None
    meta = data.get("meta") if isinstance(data, dict) else None
    meta = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(meta, dict) or not isinstance(meta.get(KEY), dict):
        raise DatabaseError(
            tr(
                f"{where}：不是 'povtrack db backup' 所做的 PostgreSQL 数据库备份"
                "（数据库文件请用 'povtrack db migrate'）",
                f"{where}: not a backup of a PostgreSQL database made by 'povtrack db backup' "
                "(move a database file with 'povtrack db migrate')",
            )
        )
    assert isinstance(data, dict)
    return data


def _checked(raw: bytes, where: str) -> _Checked:
    """A backup to trust: the digest matches and every record passes the JSON file's checks."""
    data = _parse(raw, where)
    info = data["meta"]["1"][KEY]
    if not isinstance(info.get("format"), int) or info["format"] > FORMAT:
        raise DatabaseError(
            tr(
                f"{where}：备份格式 {info.get('format')!r} 无法识别（更新版本的 povtrack 所做？）",
                f"{where}: backup format {info.get('format')!r} not understood "
                "(made by a newer povtrack?)",
            )
        )
    if info.get("sha256") != _digest(data):
        raise DatabaseError(
            tr(
                f"{where}：备份写入后被改动过（SHA-256 不符），不予使用；未写入任何内容",
                f"{where}: changed since 'povtrack db backup' wrote it (its SHA-256 does not "
                "match); not used, nothing written",
            )
        )
    return _Checked(data, load_checked(raw, where))


def _identity(meta: dict[str, Any], name: Any) -> tuple[Any, str | None, Any]:
    """Which database a meta belongs to: its created_at (to the second), its plan, and the
    database's name on its server (two databases made in the same second differ by it)."""
    text = meta.get("plan_text")
    plan = plan_digest(text) if isinstance(text, str) else None
    return meta.get("created_at"), plan, name


def _read_file(path: Path) -> bytes:
    if not path.is_file():  # never a folder, a pipe or a device
        raise UsageError(tr(f"{path}：没有这个备份文件", f"{path}: no such backup file"))
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(
            tr(
                f"{path}：无法读取备份：{exc.strerror}",
                f"{path}: cannot read the backup: {exc.strerror}",
            )
        ) from None


def describe_backups(url: PgUrl, folder: Path) -> list[dict[str, Any]]:
    """The backups of this database in ``folder``, newest first, with what each holds or why
    it is unusable (the rows of ``db backups --json``, as for a database file, plus where and
    when each was taken). A file that is no backup is left out, unless its name says it is
    one of this database's."""
    store = PgBackend.open(url)
    try:
        with errors(url):
            row = store._require().execute("SELECT current_database()").fetchone()
    finally:
        store.close()
    name = str(row[0]) if row else ""
    mine, prefix = _identity(store.meta, name), f"{_safe(name)}-"
    rows: list[dict[str, Any]] = []
    for candidate in backup_files(folder):
        row_of: dict[str, Any] = {"name": candidate.name, "path": str(candidate)}
        try:
            raw = _read_file(candidate)
            parsed = _parse(raw, str(candidate))
        except (DatabaseError, UsageError) as exc:
            if candidate.name.startswith(prefix):
                rows.append(row_of | {"ok": False, "problem": exc.message})
            continue
        meta = parsed["meta"]["1"]
        if _identity(meta, meta[KEY].get("name")) != mine:
            continue  # another database's
        try:
            checked = _checked(raw, str(candidate))
        except DatabaseError as exc:
            rows.append(row_of | {"ok": False, "problem": exc.message})
            continue
        meta, info = checked.meta, checked.info
        rows.append(
            row_of
            | {
                "ok": True,
                "generation": meta.get("generation", 0),
                "committed_at": meta.get("committed_at") or meta.get("created_at"),
                "entries": checked.loaded.entries.count,
                "database": info.get("database"),
                "taken_at": info.get("taken_at"),
            }
        )
    return rows


def find_backup(url: PgUrl | None, folder: Path, name: str | None) -> Path:
    """A backup named by path or by file name in ``folder``; else (``url``'s backups) by
    generation number, or the newest good one."""
    if name is not None:
        given = Path(name)
        if given.is_file():
            return given
        for candidate in backup_files(folder):
            if candidate.name == name:
                return candidate
    if url is None:
        raise UsageError(
            tr(
                f"请指明备份：文件，或它在 {folder} 中的名称（见 'povtrack db backups'）",
                f"name the backup: a file, or its name in {folder} (see 'povtrack db backups')",
            )
        )
    rows = describe_backups(url, folder)
    good = [r for r in rows if r["ok"]]
    if name is None and good:
        return Path(good[0]["path"])
    if name is None:
        raise UsageError(
            tr(
                f"{folder} 中没有 {url} 的完好备份（用 'povtrack db backup' 备份）",
                f"no good backup of {url} in {folder} (make one with 'povtrack db backup')",
            )
        )
    for r in good:
        if name.isdigit() and r["generation"] == int(name):
            return Path(r["path"])
    known = ", ".join(r["name"] for r in rows[:5]) or tr("无", "none")
    raise UsageError(
        tr(
            f"{url} 没有名为“{name}”的备份（最新的：{known}；见 'povtrack db backups'）",
            f"no backup '{name}' of {url} (newest: {known}; see 'povtrack db backups')",
        )
    )


# ---------------------------------------------------------------------------- restoring


def restore(backup: Path, target: PgUrl, *, lock_timeout: float) -> PgRestored:
    """A new database at ``target`` (one without povtrack's schema) holding the backup's
    records, with the backup's offices made offices again where their logins exist on that
    server; one transaction. The backup is checked whole before anything is sent."""
    where = str(backup)
    checked = _checked(_read_file(backup), where)
    offices = _offices(checked.info.get("offices"), where)
    records = JsonBackend(backup, checked.loaded).records()
    records.meta.pop(KEY, None)
    generation = int(records.meta.get("generation", 0))
    records.meta["restored_from"] = f"{backup.name} (generation {generation})"
    done = PgRestored(
        backup,
        target,
        generation=0,
        backup_generation=generation,
        entries=len(records.entries),
        batches=len(records.batches),
        allocations=len(records.allocations),
    )
    plan_text = records.meta["plan_text"]
    with PgBackend.creating(target, plan_text, lock_timeout=lock_timeout, records=records) as (
        store,
        _,
    ):
        conn = store._require()
        with errors(target, writing=True):
            for user in offices:
                if is_login(conn, user.login):
                    enrol(conn, user)
                    done.granted.append(user)
                else:
                    done.missing.append(user)
        store.commit()
        done.generation = store.generation
    return done


def _offices(found: Any, where: str) -> list[User]:
    """The offices a backup recorded, each (login, kind, area) as ``db user list`` shows it."""

    def sound(o: Any) -> bool:
        return (
            isinstance(o, dict)
            and isinstance(o.get("login"), str)
            and o.get("role") in ROLES
            and (o.get("area") is None or isinstance(o.get("area"), str))
            and (o.get("role") == "county") == (o.get("area") is not None)
        )

    if not isinstance(found, list) or not all(sound(o) for o in found):
        raise DatabaseError(
            tr(
                f"{where}：备份中的办公账号列表无法读取；未写入任何内容",
                f"{where}: the backup's list of offices cannot be read; nothing written",
            )
        )
    return [User(o["login"], o["role"], o.get("area")) for o in found]

"""A database file read and checked: bytes -> ``Loaded`` (or a refusal that says why).

No TinyDB here: this is what a file must be before anything trusts it: a regular file, UTF-8,
JSON of the right shape (``checks``), a schema this povtrack knows (older ones migrated in
memory), a plan that parses and sound records. Every refusal is a DatabaseError naming the file;
``with_backup_hint`` adds the newest good backup to it (``newest_good_backup``: finding a good
one means loading it).

Schema history (``SCHEMA_VERSION``; a fixture of each is kept in tests/fixtures/; for users:
docs/storage.md, "Schema history and migration"):
  1  povtrack 0.1.0 as first released (meta without a generation counter)
  2  povtrack 0.2.0: meta.generation counts commits (backups are named after it) and
     meta.<table>_count records how many records each append-only table had
  3  povtrack 0.3.0: corrections (entries.corrects, .reason) and undo (batches.reverts): a
     povtrack that does not know them would count undone and superseded entries
  4  povtrack 0.4.0: entries stored column by column, one document per (indicator, area) in
     a ``series`` table (``entrytable``), instead of one document per entry in ``entries``;
     the same fields, read without an object per entry. Older files are converted in memory
     and written as schema 4 by the first real write (after a ``pre-migrate-*`` copy).
"""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from povtrack import __version__
from povtrack.errors import DatabaseError, UsageError
from povtrack.i18n import tr
from povtrack.model import Allocation, Entry, Plan
from povtrack.planfile import parse_plan
from povtrack.storage import backups
from povtrack.storage.backups import check_file, list_backups, unreadable
from povtrack.storage.json import checks as integrity
from povtrack.storage.json import seriescheck
from povtrack.storage.json.entrytable import EntryTable, entry_record, series_from_records

SCHEMA_VERSION = 4
BACKUP_PATTERN = "gen-*.json"


@dataclass
class Loaded:
    """A database file read and checked: what the JSON backend is built from."""

    data: dict[str, Any]
    plan: Plan
    entries: EntryTable
    allocations: list[Allocation]
    migrated_from: int | None = None


def read_bytes(path: Path) -> bytes:
    check_file(path)
    try:
        return path.read_bytes()
    except OSError as exc:  # gone or unreadable since check_file looked
        raise unreadable(path, exc) from None


def load(raw: bytes, where: str) -> Loaded:
    """Parse and check a database's bytes; every refusal is a DatabaseError naming ``where``."""
    if not raw or raw.isspace():  # (not raw.strip(): that copies the whole file)
        raise DatabaseError(
            tr(
                f"{where}：数据库文件是空的（{len(raw)} 字节）；不会把它当作新数据库",
                f"{where}: the database file is empty ({len(raw)} bytes); "
                "refusing to treat it as a new database",
            )
        )
    try:
        data = _parse(raw)
    except orjson.JSONDecodeError:
        data = _parse_slowly(raw, where)
    problems = integrity.check_shape(data)
    if problems:
        raise corrupt(where, problems)
    meta = data["meta"]["1"]
    schema = meta["schema"]
    if schema > SCHEMA_VERSION:
        by = meta.get("written_by", "?")
        raise DatabaseError(
            tr(
                f"{where}：由更新版本的 povtrack 写入（{by}，格式版本 {schema}）；本程序是 "
                f"povtrack {__version__}（格式版本 {SCHEMA_VERSION}）：请升级 povtrack；"
                "数据库未改动",
                f"{where}: written by a newer povtrack ({by}, schema "
                f"{schema}); this is povtrack {__version__} (schema {SCHEMA_VERSION}): upgrade "
                "povtrack; the database was not changed",
            )
        )
    try:
        plan = parse_plan(meta["plan_text"], tr(f"{where}（保存的方案）", f"{where} (stored plan)"))
    except UsageError as exc:
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：保存的方案无法读取：{exc}",
                f"{where}: corrupt database: stored plan unreadable: {exc}",
            )
        ) from None
    old_entries, problems = seriescheck.load_entries(data, plan)  # schema 1-3 only
    if schema >= 4 and data.get("entries"):
        problems.append(
            tr(
                "/entries：格式版本 4 把记录保存在 /series 中，而不是每条一项",
                "/entries: schema 4 keeps entries in /series, not one per record",
            )
        )
    if schema < 4 and "series" in data:
        problems.append(
            tr(
                f"/series：格式版本 {schema} 的文件没有 series 表（格式版本号被改过吗？）；"
                f"其中的记录不会按格式版本 {schema} 读取",
                f"/series: a schema {schema} file has no series table (was the schema number "
                "edited?); the entries it holds are not read as schema " + str(schema),
            )
        )
    problems += seriescheck.check_series(data, plan)
    allocations, bad_alloc = integrity.load_allocations(data, plan)
    problems += bad_alloc + integrity.check_batches(data)
    problems += integrity.check_counts(data) + integrity.check_loops(data)
    if problems:
        raise corrupt(where, problems)
    migrated = _migrate(data, old_entries) if schema < SCHEMA_VERSION else None
    return Loaded(data, plan, EntryTable(data.setdefault("series", {})), allocations, migrated)


def encode(data: dict[str, Any]) -> bytes:
    """A database's bytes: compact UTF-8 JSON (orjson: far faster than the standard library on a
    big file)."""
    try:
        return orjson.dumps(data)
    except TypeError:  # text orjson will not write (a lone surrogate from a hand edit): as
        return json.dumps(data, separators=(",", ":")).encode("ascii")  # \\u escapes


def _parse(raw: bytes) -> Any:
    """Parse with orjson (far faster than the standard library on a big file) and the cyclic
    garbage collector off: parsing makes no cycles, and a big file's lists would otherwise set
    off collections that find nothing."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return orjson.loads(raw)
    finally:
        if enabled:
            gc.enable()


def _parse_slowly(raw: bytes, where: str) -> Any:
    """A file orjson refuses, read as the standard library does: its messages say where the
    file is broken, and what it accepts beyond orjson (NaN, huge numbers) is then refused
    by the record checks with the JSON path of the bad value."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：不是 UTF-8（第{exc.start}字节为 0x{raw[exc.start]:02x}）；"
                "是否被编辑器另存为 ANSI/GBK？",
                f"{where}: corrupt database: not UTF-8 (byte 0x{raw[exc.start]:02x} at byte "
                f"{exc.start}); was it saved as ANSI/GBK by an editor?",
            )
        ) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        byte = len(text[: exc.pos].encode("utf-8"))
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：第{byte}字节（第{exc.lineno}行第{exc.colno}列）处"
                f"{exc.msg}",
                f"{where}: corrupt database: {exc.msg} at byte {byte} "
                f"(line {exc.lineno}, column {exc.colno})",
            )
        ) from None
    except RecursionError:
        raise DatabaseError(
            tr(f"{where}：数据库已损坏：嵌套太深", f"{where}: corrupt database: nested too deeply")
        ) from None


def load_checked(raw: bytes, where: str) -> Loaded:
    """``load``, and every series' audit detail decoded and checked too (which readers that
    do not show single entries skip): for writers, backups and ``db verify``."""
    loaded = load(raw, where)
    problems = loaded.entries.check_audits()
    if problems:
        raise corrupt(where, problems)
    return loaded


def corrupt(where: str, problems: list[str]) -> DatabaseError:
    n = len(problems) - 1
    more = tr(
        f"（另有{n}处；见 'povtrack db verify'）", f" (and {n} more; see 'povtrack db verify')"
    )
    more = more if n > 0 else ""
    return DatabaseError(
        tr(
            f"{where}：数据库已损坏：{problems[0]}{more}",
            f"{where}: corrupt database: {problems[0]}{more}",
        )
    )


def _migrate(data: dict[str, Any], entries: list[Entry]) -> int:
    """Bring an older schema up to date, in memory (the checked ``entries`` of the old
    ``entries`` table). Returns the schema it came from."""
    meta = data["meta"]["1"]
    old: int = meta["schema"]  # an int: load checked it
    if old < 1:
        raise DatabaseError(
            tr(
                f"格式版本 {old} 比任何已发布的 povtrack 都旧",
                f"schema {old} is older than any povtrack release",
            )
        )
    if old == 1:  # 1 -> 2: commits are counted from here on
        meta.setdefault("generation", 0)
    # 2 -> 3: nothing to change; the new fields are only ever added
    if old <= 3:  # 3 -> 4: one document per entry becomes columns per series
        docs = data.get("entries", {})  # the records as they were, fields we do not know too
        data["series"] = series_from_records(
            [dict(docs[str(e.id)]) | entry_record(e) for e in entries]
        )
        data.pop("entries", None)
    meta["schema"] = SCHEMA_VERSION
    return old


def newest_good_backup(path: Path) -> tuple[Path, int] | None:
    """The newest backup that opens cleanly, and its generation."""
    for candidate in list_backups(path):
        try:
            loaded = load_checked(candidate.read_bytes(), str(candidate))
        except (DatabaseError, OSError):
            continue
        return candidate, loaded.data["meta"]["1"].get("generation", 0)
    return None


def with_backup_hint(path: Path, exc: DatabaseError) -> DatabaseError:
    """Point a refusal at the newest good backup, so recovery is one command away."""
    return backups.with_backup_hint(path, exc, newest=newest_good_backup)


def backup_hint(path: Path) -> str:
    """The newest good backup, or that there is none: the line after ``db verify``'s list."""
    return backups.backup_hint(path, newest=newest_good_backup)

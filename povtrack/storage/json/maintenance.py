"""Looking after the database file: verify it, back it up by hand, restore a backup.

Backups live in ``<db>.backups/``: ``gen-NNNNNN.json`` (the file each commit replaced, the last
POVTRACK_BACKUPS kept), ``manual-*.json`` (``db backup``), ``pre-migrate-*.json`` and
``before-restore-*.json`` (never pruned). A restore is a commit of its own: it runs under the
lock, keeps the current file first (even a corrupt one), and gives the restored data the next
generation, so generations only ever go up and no backup is overwritten. For users: docs/storage.md.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from povtrack.errors import DatabaseError, UsageError, WriteError
from povtrack.i18n import tr
from povtrack.storage import safefile
from povtrack.storage.backups import (
    Restored,
    Verdict,
    check_file,
    list_backups,
    pick_backup,
    unused,
)
from povtrack.storage.json import checks as integrity
from povtrack.storage.json import seriescheck
from povtrack.storage.json.file import (
    SCHEMA_VERSION,
    backup_hint,
    encode,
    load,
    load_checked,
    newest_good_backup,
    read_bytes,
    with_backup_hint,
)


def verify(path: Path) -> Verdict:
    """Every problem with the file, not just the first: structure, schema, references."""
    verdict = Verdict(str(path), backups=len(list_backups(path)))
    raw = read_bytes(path)
    try:
        loaded = load(raw, str(path))
    except DatabaseError as exc:
        records = _record_problems(_parsed_or_none(raw), path)
        hinted = with_backup_hint(path, exc).message
        if records:  # each bad record on its own line, then where to recover from
            verdict.problems += [f"{path}: {p}" for p in records]
            verdict.problems.append(f"{path}: {backup_hint(path)}")
        else:
            verdict.problems.append(hinted)
        return verdict
    data = loaded.data
    meta = data["meta"]["1"]
    verdict.schema = loaded.migrated_from or meta["schema"]
    verdict.generation = meta.get("generation", 0)
    verdict.entries = loaded.entries.count
    verdict.allocations = len(loaded.allocations)
    verdict.batches = len(data.get("batches", {}))
    audits = loaded.entries.check_audits()
    if audits:  # a file every write refuses: said as the refusals that open say it
        verdict.problems += [f"{path}: {p}" for p in audits]
        verdict.problems.append(f"{path}: {backup_hint(path)}")
    verdict.problems += integrity.check_references(data)
    return verdict


def _parsed_or_none(raw: bytes) -> Any:
    try:
        return json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError):
        return None


def _record_problems(data: Any, path: Path) -> list[str]:
    """Every bad record, where ``load`` names only the first (empty if the file is worse)."""
    from povtrack.planfile import parse_plan

    if not isinstance(data, dict) or integrity.check_shape(data):
        return []
    meta = data["meta"]["1"]
    if meta["schema"] > SCHEMA_VERSION:
        return []
    try:
        plan = parse_plan(meta["plan_text"], str(path))
    except UsageError:
        return []
    problems = seriescheck.load_entries(data, plan)[1] + seriescheck.check_series(data, plan)
    problems += integrity.load_allocations(data, plan)[1]
    problems += integrity.check_batches(data) + integrity.check_counts(data)
    problems += integrity.check_loops(data)
    return problems + integrity.check_references(data)


def backup_now(path: Path, *, lock_timeout: float) -> Path:
    """A copy of the database as it is now, kept until removed by hand."""
    with safefile.DbLock(path, lock_timeout):
        try:
            loaded = load_checked(read_bytes(path), str(path))
        except DatabaseError as exc:
            raise with_backup_hint(path, exc) from None
        generation = loaded.data["meta"]["1"].get("generation", 0)
        dest = unused(
            safefile.backups_dir(path), f"manual-{safefile.stamp()}", f"-gen-{generation:06d}"
        )
        _copy(safefile.real_path(path), dest)
        return dest


def _copy(source: Path, dest: Path) -> None:
    try:
        safefile.keep_copy(source, dest)
    except OSError as exc:
        why = exc.strerror or exc
        raise WriteError(
            tr(
                f"{dest}：无法写入副本（{why}）；数据库未改动",
                f"{dest}: cannot write the copy ({why}); database unchanged",
            )
        ) from None


def find_backup(path: Path, name: str | None) -> Path:
    """A backup named by path, file name, or generation number; else the newest good one."""
    return pick_backup(
        path,
        name,
        list_backups(path),
        newest_good_backup,
        lambda backup, generation: backup == f"gen-{generation:06d}.json",
    )


def restore(path: Path, backup: Path, *, lock_timeout: float) -> Restored:
    """Put a backup back in place, atomically, after keeping the current file."""
    check_file(path, may_be_missing=True)
    with safefile.DbLock(path, lock_timeout):
        safefile.sweep_temps(path)
        try:
            raw = backup.read_bytes()
        except OSError as exc:
            raise UsageError(
                tr(
                    f"{backup}：无法读取备份：{exc.strerror}",
                    f"{backup}: cannot read the backup: {exc.strerror}",
                )
            ) from None
        loaded = load_checked(raw, str(backup))  # a bad backup is refused before anything changes
        newest = _highest_generation(path)
        data = loaded.data
        meta = data["meta"]["1"]
        restored_from = meta.get("generation", 0)
        meta["generation"] = newest + 1
        meta["schema"] = SCHEMA_VERSION
        meta["restored_from"] = f"{backup.name} (generation {restored_from})"
        kept = None
        target = safefile.real_path(path)
        if target.exists():
            kept = unused(safefile.backups_dir(path), f"before-restore-{safefile.stamp()}")
            _copy(target, kept)
        payload = encode(data)
        safefile.atomic_write(path, payload)
        return Restored(backup, kept, newest + 1)


def _highest_generation(path: Path) -> int:
    """The highest generation the database or any backup has reached, even when the database
    itself is too broken to say: ``gen-N.json`` is the file that generation N+1 replaced."""
    highest = 0
    for candidate in [path, *list_backups(path)]:
        found = re.fullmatch(r"gen-(\d+)\.json", candidate.name)
        if found:
            highest = max(highest, int(found.group(1)) + 1)
        try:
            meta = json.loads(candidate.read_bytes())["meta"]["1"]
            highest = max(highest, int(meta.get("generation", 0)))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            continue
    return highest


def describe_backups(path: Path) -> list[dict[str, Any]]:
    """Each backup, newest first, with what it holds (or why it is unusable)."""
    out = []
    for candidate in list_backups(path):
        row: dict[str, Any] = {"name": candidate.name, "path": str(candidate)}
        try:
            loaded = load_checked(candidate.read_bytes(), str(candidate))
            meta = loaded.data["meta"]["1"]
            row |= {
                "ok": True,
                "generation": meta.get("generation", 0),
                "committed_at": meta.get("committed_at") or meta.get("created_at"),
                "entries": loaded.entries.count,
            }
        except (DatabaseError, OSError) as exc:
            row |= {"ok": False, "problem": str(exc)}
        out.append(row)
    return out

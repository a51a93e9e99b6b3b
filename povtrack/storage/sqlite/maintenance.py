"""Looking after a SQLite database: verify it, back it up by hand, list and restore backups.

The SQLite counterpart of ``json.maintenance``, with the same results (``Verdict``, ``Restored``)
and output. Backups live in ``NAME.backups/`` as whole SQLite files, each made with SQLite's
online backup API (one consistent snapshot, the WAL included) and switched to a rollback
journal so that it is one self-contained private (0600) file:

* ``manual-STAMP-gen-NNNNNN.sqlite``: ``db backup``;
* ``before-restore-STAMP.sqlite``: the file a restore replaced (even a corrupt one).

None is ever pruned. There are no per-commit ``gen-NNNNNN`` backups as the JSON backend keeps:
each commit is one SQLite transaction, which a crash cannot leave half done, and copying a
million-entry file on every command would cost more than the command. Schedule ``db backup``
(cron) instead.

A restore is a commit of its own: it runs under the lock, keeps the current file first, and gives
the restored data the generation after the highest one seen, so generations only ever go up. A sound
live database receives the backup through the backup API, in one transaction that a crash cannot
leave half done (and readers keep their open snapshot); a corrupt one is replaced with
``os.replace`` after its WAL is removed (never replayed onto the restored file). For users:
docs/storage.md.
"""

from __future__ import annotations

import contextlib
import os
import re
import sqlite3
from pathlib import Path
from typing import Any

from povtrack.errors import DatabaseError, WriteError
from povtrack.i18n import tr
from povtrack.storage import safefile
from povtrack.storage.backups import Restored, Verdict, check_file, pick_backup, unused
from povtrack.storage.sqlite.checks import (
    SchemaChanged,
    check,
    read_meta,
    reference_problems,
    refuse_empty,
)
from povtrack.storage.sqlite.file import (
    SCHEMA,
    connect,
    fsync,
    side_files,
    sql_errors,
    sweep,
    temp_file,
    write_meta,
)
from povtrack.storage.sqlite.opening import (
    SUFFIX,
    backup_hint,
    checked_file,
    list_backups,
    newest_good_backup,
    open_reader,
    with_backup_hint,
)

# ---------------------------------------------------------------------------- reading files


def _meta_or_none(path: Path) -> dict[str, Any] | None:
    """A file's meta, without checking the rest (None when it cannot be read)."""
    try:
        conn = connect(path, timeout=0)
    except DatabaseError:
        return None
    try:
        conn.execute("PRAGMA query_only = 1")
        return read_meta(conn, str(path))
    except (sqlite3.Error, DatabaseError):
        return None
    finally:
        conn.close()


def highest_generation(path: Path) -> int:
    """The highest generation the database or any backup has reached (0 when none)."""
    highest = 0
    for candidate in [path, *list_backups(path)]:
        found = re.search(r"gen-(\d+)\.sqlite$", candidate.name)
        if found:
            highest = max(highest, int(found.group(1)))
        meta = _meta_or_none(candidate) if candidate.is_file() else None
        generation = (meta or {}).get("generation")
        if isinstance(generation, int):
            highest = max(highest, generation)
    return highest


# ---------------------------------------------------------------------------- verify


def verify(path: Path) -> Verdict:
    """Every problem with the file, not just the first: SQLite's own integrity check, the
    schema, the layout, the plan, every record and what it refers to."""
    verdict = Verdict(str(path), backups=len(list_backups(path)))
    check_file(path)
    try:
        refuse_empty(path)
        conn, guard = open_reader(path, timeout=safefile.DEFAULT_LOCK_TIMEOUT)
    except DatabaseError as exc:
        verdict.problems.append(with_backup_hint(path, exc).message)
        return verdict
    try:
        try:
            with sql_errors(path):
                sound = [row[0] for row in conn.execute("PRAGMA integrity_check")]
            checked, problems = check(conn, path, every=True)
            with sql_errors(path):
                problems += reference_problems(conn)
        except SchemaChanged as exc:  # povtrack's tables themselves: nothing more to read
            checked, problems = None, exc.problems
        except DatabaseError as exc:
            if guard is not None:
                guard.confirm()
            verdict.problems.append(with_backup_hint(path, exc).message)
            return verdict
        if guard is not None:
            guard.confirm()
    finally:
        conn.close()
    problems = [
        tr(f"SQLite 完整性检查：{line}", f"SQLite integrity check: {line}")
        for line in sound
        if line != "ok"
    ] + problems
    if checked is not None:
        verdict.schema = checked.schema
        verdict.generation = checked.meta.get("generation", 0)
        verdict.entries = checked.counts["entries"]
        verdict.allocations = checked.counts["allocations"]
        verdict.batches = checked.counts["batches"]
    if problems:
        hint = backup_hint(path)
        verdict.problems += [f"{path}: {p}" for p in problems] + [f"{path}: {hint}"]
    return verdict


# ---------------------------------------------------------------------------- backup


def _snapshot(source: Path, part: Path, *, timeout: float) -> int:
    """``part`` becomes a private, self-contained, fsynced copy of the database at ``source``
    (one consistent snapshot); returns the copy's generation. The caller gives it its name."""
    try:
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW  # never through a link
        os.close(os.open(part, flags, safefile.PRIVATE_FILE))
        src = connect(source, timeout=timeout)
        try:
            dst = connect(part, create=True)
            try:
                with sql_errors(source):
                    src.backup(dst)
                with sql_errors(part, writing=True):
                    dst.execute("PRAGMA journal_mode = DELETE")  # one file, no WAL beside it
                    generation = read_meta(dst, str(part)).get("generation", 0)
            finally:
                dst.close()
        finally:
            src.close()
        fsync(part)
    except OSError as exc:
        why = exc.strerror or exc
        raise WriteError(
            tr(f"{part}：无法写入副本（{why}）", f"{part}: cannot write a copy ({why})")
        ) from None
    return int(generation)


def _keep_snapshot(source: Path, folder: Path, stem: str, *, timeout: float) -> Path:
    """A snapshot of ``source`` as ``folder/stem-gen-NNNNNN.sqlite``, whole or not at all."""
    safefile.backups_folder(folder, owners=(os.stat(source).st_uid,))  # never a planted one
    part = folder / f".{stem}.{os.getpid()}.part"
    with contextlib.suppress(FileNotFoundError):
        part.unlink()  # a leftover, or a link planted at its name
    try:
        generation = _snapshot(source, part, timeout=timeout)
        dest = _unused(folder, stem, f"-gen-{generation:06d}")
        os.replace(part, dest)
    except OSError as exc:
        raise WriteError(
            tr(
                f"{folder / stem}：无法保留副本（{exc.strerror}）",
                f"{folder / stem}: cannot keep the copy ({exc.strerror})",
            )
        ) from None
    finally:
        for leftover in (part, part.with_name(part.name + "-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
    fsync(folder)
    return dest


def backup_now(path: Path, *, lock_timeout: float) -> Path:
    """A copy of the database as it is now, kept until removed by hand."""
    with safefile.DbLock(path, lock_timeout):
        try:
            checked_file(path)
        except DatabaseError as exc:
            raise with_backup_hint(path, exc) from None
        folder = safefile.backups_dir(path)
        return _keep_snapshot(path, folder, f"manual-{safefile.stamp()}", timeout=lock_timeout)


def _unused(folder: Path, stem: str, tail: str = "") -> Path:
    return unused(folder, stem, tail, SUFFIX)


def describe_backups(path: Path) -> list[dict[str, Any]]:
    """Each backup, newest first, with what it holds (or why it is unusable)."""
    out = []
    for candidate in list_backups(path):
        row: dict[str, Any] = {"name": candidate.name, "path": str(candidate)}
        try:
            checked = checked_file(candidate)
            meta = checked.meta
            row |= {
                "ok": True,
                "generation": meta.get("generation", 0),
                "committed_at": meta.get("committed_at") or meta.get("created_at"),
                "entries": checked.counts["entries"],
            }
        except (DatabaseError, OSError) as exc:
            row |= {"ok": False, "problem": str(exc)}
        out.append(row)
    return out


# ---------------------------------------------------------------------------- restore


def find_backup(path: Path, name: str | None) -> Path:
    """A backup named by path, file name, or generation number; else the newest good one."""
    return pick_backup(
        path,
        name,
        list_backups(path),
        newest_good_backup,
        lambda backup, generation: backup.endswith(f"gen-{generation:06d}{SUFFIX}"),
    )


def restore(path: Path, backup: Path, *, lock_timeout: float) -> Restored:
    """Put a backup back in place after keeping the current file (see the module docstring)."""
    check_file(path, may_be_missing=True)
    with safefile.DbLock(path, lock_timeout):
        sweep(path)
        restored_from = checked_file(backup).meta.get("generation", 0)  # refused before any change
        newest = highest_generation(path)
        target = safefile.real_path(path)
        live_sound = False
        kept = None
        if target.exists():
            with contextlib.suppress(DatabaseError, OSError):
                checked_file(path)
                live_sound = True
            folder, stem = safefile.backups_dir(path), f"before-restore-{safefile.stamp()}"
            if live_sound:
                kept = _keep_snapshot(path, folder, stem, timeout=lock_timeout)
            else:
                kept = _unused(folder, stem)
                _keep_raw(target, kept)
        temp = temp_file(path)
        try:
            _snapshot(backup, temp, timeout=lock_timeout)
            _renumber(temp, newest + 1, f"{backup.name} (generation {restored_from})")
            if not (live_sound and _copy_into(temp, path, timeout=lock_timeout)):
                _replace(temp, path)
        finally:
            for leftover in (temp, temp.with_name(temp.name + "-journal")):
                with contextlib.suppress(OSError):
                    leftover.unlink()
        safefile.COMMITTED.append(str(path))
        return Restored(backup, kept, newest + 1)


def _keep_raw(target: Path, kept: Path) -> None:
    try:
        safefile.keep_copy(target, kept)
    except OSError as exc:
        why = exc.strerror or exc
        raise WriteError(
            tr(
                f"{kept}：无法写入副本（{why}）；数据库未改动",
                f"{kept}: cannot write the copy ({why}); database unchanged",
            )
        ) from None


def _renumber(temp: Path, generation: int, restored_from: str) -> None:
    conn = connect(temp)
    try:
        with sql_errors(temp, writing=True):
            conn.execute("BEGIN IMMEDIATE")
            meta = read_meta(conn, str(temp))
            meta |= {"generation": generation, "schema": SCHEMA, "restored_from": restored_from}
            write_meta(conn, meta)
            conn.execute("COMMIT")
            conn.execute("PRAGMA journal_mode = WAL")
    finally:
        conn.close()
    fsync(temp)


def _copy_into(temp: Path, path: Path, *, timeout: float) -> bool:
    """The restored data into the sound live database, as one transaction of its own."""
    try:
        src = connect(temp)
        try:
            dst = connect(path, timeout=timeout)
            try:
                src.backup(dst)
            finally:
                dst.close()
        finally:
            src.close()
    except (sqlite3.Error, DatabaseError):
        return False  # e.g. a page size the live WAL file cannot take: replace the file
    return True


def _replace(temp: Path, path: Path) -> None:
    target = safefile.real_path(path)
    try:
        for side in side_files(path):
            side.unlink(missing_ok=True)  # a corrupt file's WAL must not meet the restored one
        os.replace(temp, target)
    except OSError as exc:
        why = exc.strerror or exc
        raise WriteError(
            tr(
                f"{path}：写入失败（{why}）；未恢复任何内容",
                f"{path}: write failed ({why}); nothing restored",
            )
        ) from None
    fsync(target.parent)

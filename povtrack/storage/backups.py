"""What the file backends share about their files and backups: a database path must name a
regular file; the backups in ``NAME.backups/`` that may be trusted (only what povtrack itself could
have made), a backup chosen by name or generation, a name no backup has yet, and the refusal that
points at the newest good backup. Each backend brings its own search for the newest good backup
(``newest``): finding one means opening it, which only the backend can. For users: docs/storage.md,
"Files beside the database".
"""

from __future__ import annotations

import os
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from povtrack.errors import DatabaseError, UsageError
from povtrack.i18n import tr
from povtrack.storage import safefile

Newest = Callable[[Path], tuple[Path, int] | None]


class NoDatabaseFile(DatabaseError):
    """No database at the path, or a folder there: nothing to recover, so no backup hint."""


def check_file(path: Path, *, may_be_missing: bool = False) -> None:
    """A database path must name a regular file (or nothing yet, for ``init``): never a
    folder, and never a FIFO or device, which would block or never end when read."""
    if not path.name or path.name in (".", ".."):
        raise NoDatabaseFile(
            tr(
                f"“{path}”是文件夹，不是数据库文件（请检查 --db）",
                f"'{path}' is a directory, not a database file (check --db)",
            )
        )
    try:
        st = os.stat(path)
    except FileNotFoundError as exc:
        if may_be_missing:
            return
        raise unreadable(path, exc) from None
    except OSError as exc:
        raise unreadable(path, exc) from None
    if stat.S_ISDIR(st.st_mode):
        raise NoDatabaseFile(
            tr(f"{path}：是文件夹，不是数据库文件", f"{path}: is a directory, not a database file")
        )
    if not stat.S_ISREG(st.st_mode):
        raise DatabaseError(
            tr(
                f"{path}：不是普通文件（是管道还是设备？）",
                f"{path}: is not a regular file (a pipe or a device?)",
            )
        )


def list_backups(path: Path, suffix: str = ".json") -> list[Path]:
    """Backups of the database at ``path`` (files ``*suffix``, not hidden), newest first.

    Only what povtrack itself could have made: regular files (never a link, whatever it
    points at), owned by the database's owner or this user, in a real folder of theirs. Anything
    else someone put there is no backup, and is never offered or trusted as one."""
    try:
        owners: tuple[int, ...] = (os.stat(safefile.real_path(path)).st_uid,)
    except OSError:
        owners = ()
    return backup_files(safefile.backups_dir(path), owners, suffix)


def backup_files(
    directory: Path, owners: tuple[int, ...] = (), suffix: str = ".json"
) -> list[Path]:
    """The files ``*suffix`` in ``directory`` that may be backups, newest first: regular files
    (never a link), not hidden, owned by this user or one of ``owners``, in a real folder of
    theirs (else none at all). ``list_backups`` for a database file; the folder of PostgreSQL
    backups (``postgres.backup``) is read the same way."""
    if safefile.folder_problem(directory, owners) is not None:
        return []
    found = []
    for p in directory.glob(f"*{suffix}"):
        try:
            st = os.lstat(p)
        except OSError:
            continue
        ours = st.st_uid in (os.geteuid(), *owners)
        if stat.S_ISREG(st.st_mode) and ours and not p.name.startswith("."):
            found.append((st.st_mtime_ns, p.name, p))
    return [p for _, _, p in sorted(found, reverse=True)]


def with_backup_hint(
    path: Path,
    exc: DatabaseError,
    *,
    newest: Newest,
    advice: str = "",
) -> DatabaseError:
    """Point a refusal at the newest good backup, so recovery is one command away.
    ``newest``: the backend's own search; ``advice``: what to say when there is none."""
    if isinstance(exc, NoDatabaseFile):
        return exc
    hint = backup_hint(path, newest=newest, advice=advice)
    return DatabaseError(
        tr(f"{exc.message}；{hint}", f"{exc.message}; {hint}"), details=exc.details
    )


def backup_hint(path: Path, *, newest: Newest, advice: str = "") -> str:
    """Where to recover from: the newest good backup, or that there is none (and ``advice``)."""
    good = newest(path)
    if good:
        return tr(
            f"最新的完好备份：{good[0]}（第{good[1]}版）；可用 'povtrack db restore' 恢复",
            f"newest good backup: {good[0]} (generation {good[1]}); "
            "restore it with 'povtrack db restore'",
        )
    folder = safefile.backups_dir(path)
    return tr(f"{folder} 中没有完好的备份{advice}", f"no good backup in {folder}{advice}")


@dataclass
class Verdict:
    """What ``db verify`` found."""

    path: str
    problems: list[str] = field(default_factory=list)
    schema: int | None = None
    generation: int | None = None
    entries: int = 0
    allocations: int = 0
    batches: int = 0
    backups: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "database": self.path,
            "ok": not self.problems,
            "problems": self.problems,
            "schema": self.schema,
            "generation": self.generation,
            "entries": self.entries,
            "allocations": self.allocations,
            "batches": self.batches,
            "backups": self.backups,
        }


def unused(folder: Path, stem: str, tail: str = "", suffix: str = ".json") -> Path:
    """``folder/stem[-n]tail.json`` (or ``suffix``) that does not exist yet: a backup is never
    overwritten."""
    dest, n = folder / f"{stem}{tail}{suffix}", 1
    while dest.exists():
        dest, n = folder / f"{stem}-{n}{tail}{suffix}", n + 1
    return dest


@dataclass
class Restored:
    backup: Path
    kept: Path | None
    generation: int


def pick_backup(
    path: Path,
    name: str | None,
    backups: list[Path],
    newest: Newest,
    is_generation: Callable[[str, int], bool],
) -> Path:
    """``find_backup`` of either backend: ``backups`` newest first, ``newest`` the backend's
    search for the newest good one, ``is_generation(file name, N)`` whether that file is the
    backup of generation N."""
    if name is None:
        found = newest(path)
        if found is None:
            folder = safefile.backups_dir(path)
            raise UsageError(
                tr(f"{folder} 中没有 {path} 的完好备份", f"no good backup of {path} in {folder}")
            )
        return found[0]
    given = Path(name)
    if given.is_file():
        return given
    for candidate in backups:
        if candidate.name == name or (name.isdigit() and is_generation(candidate.name, int(name))):
            return candidate
    known = ", ".join(b.name for b in backups[:5]) or tr("无", "none")
    raise UsageError(
        tr(
            f"{path} 没有名为“{name}”的备份（最新的：{known}；见 'povtrack db backups'）",
            f"no backup '{name}' of {path} (newest: {known}; see 'povtrack db backups')",
        )
    )


def unreadable(path: Path, exc: OSError) -> DatabaseError:
    if isinstance(exc, FileNotFoundError):
        return NoDatabaseFile(
            tr(
                f"{path}：这里没有数据库；请用 'povtrack init' 新建（或设置 --db）",
                f"{path}: no database here; create one with 'povtrack init' (or set --db)",
            )
        )
    return DatabaseError(
        tr(
            f"{path}：无法读取数据库：{exc.strerror}",
            f"{path}: cannot read the database: {exc.strerror}",
        )
    )

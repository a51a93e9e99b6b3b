"""What belongs to a database beside its file (lock, owner note, backups, SQLite side files,
temp files), so that nothing povtrack writes for another purpose ever lands on one of them. For
users: docs/storage.md, "Files beside the database"."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from povtrack.i18n import tr
from povtrack.storage import safefile

SQLITE_SIDES = ("-wal", "-shm", "-journal")


def database_itself(db: Path) -> str:
    """How a message names the database file itself (``belongs_to`` starts so for it)."""
    return tr(f"数据库 {db}", f"the database {db}")


def _own_names(db: Path) -> dict[Path, str]:
    """The database's own files by their real paths, each with what it is."""
    real = safefile.real_path(db)
    lock = safefile.lock_path(db)
    names = {
        real: database_itself(db),
        lock: tr("数据库的锁文件", "the database's lock file"),
        lock.with_name(lock.name + ".owner"): tr(
            "数据库锁的持有者说明", "the database's lock owner note"
        ),
    }
    for side in SQLITE_SIDES:
        names[real.with_name(real.name + side)] = tr(
            "数据库的 SQLite 附属文件", "a SQLite side file of the database"
        )
    return names


def belongs_to(db: Path, target: Path) -> str | None:
    """What of the database at ``db`` the path ``target`` is (after following links, and by
    its identity: a hard link counts), as words for a message; None when it is none of them."""
    real = safefile.real_path(db)
    there = Path(os.path.realpath(target))
    names = _own_names(db)
    if there in names:
        return names[there]
    backups = safefile.backups_dir(db)
    if there == backups:
        return _backups_folder()
    if backups in there.parents:
        return _in_backups_folder()
    temp = there.name.startswith(f".{real.name}.") and ".tmp" in there.name
    if there.parent == real.parent and temp:
        return tr("数据库的临时文件", "a temp file of the database")
    return _same_inode(db, target, names, backups)


def _same_inode(db: Path, target: Path, names: dict[Path, str], backups: Path) -> str | None:
    """The database's files under another name: a hard link, a bind mount."""
    try:
        st = os.stat(target)
    except OSError:
        return None  # nothing there yet: the names above were all there was to compare
    ident = (st.st_dev, st.st_ino)
    for path, what in names.items():
        try:
            other = os.stat(path)
        except OSError:
            continue
        if (other.st_dev, other.st_ino) == ident:
            return tr(f"{what}（另一个名称，即硬链接）", f"{what} under another name (a hard link)")
    try:
        folder = os.lstat(backups)
    except OSError:
        return None
    if (folder.st_dev, folder.st_ino) == ident:
        return _backups_folder()
    if not stat.S_ISDIR(folder.st_mode) or not stat.S_ISREG(st.st_mode):
        return None
    try:
        with os.scandir(backups) as found:
            for item in found:
                kept = item.stat(follow_symlinks=False)
                if (kept.st_dev, kept.st_ino) == ident:
                    return _in_backups_folder()
    except OSError:
        return None
    return None


def _backups_folder() -> str:
    return tr("数据库的备份文件夹", "the database's backups folder")


def _in_backups_folder() -> str:
    return tr("数据库备份文件夹中的文件", "a file in the database's backups folder")

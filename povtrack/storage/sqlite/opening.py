"""How a povtrack SQLite file is opened: checked (``sqlite.checks``) before anything trusts it,
and for reading also in a folder the user cannot write to.

A reader opens it as usual: SQLite's locks, and the ``-wal`` and ``-shm`` files beside the
database made as needed (a file in WAL mode cannot be read without them). In a folder this
user cannot write to they cannot be made, and there are two cases:

* they are there already (a povtrack of another user has the database open, or was killed):
  SQLite reads the log through the existing ``-shm`` file, which it may open read-only, and
  the usual open works;
* they are not: the database file alone is the whole database, provided no ``-wal`` file holds
  changes. Then it is opened ``immutable``: read without locks or side files. That is only right
  while no one writes it, so a ``Guard`` notes the file (device, inode, size, time of last change)
  before the first read and ``confirm`` compares after every read: a writer that changed it
  meanwhile (its checkpoint writes into the file) makes the command stop with exit 5 rather than use
  what it read. A ``-wal`` file with changes in it but no ``-shm`` cannot be read at all this way,
  and is refused with exit 4, naming it, rather than read without the changes it holds.

For users: docs/storage.md, "SQLite in a folder you cannot write to".
"""

from __future__ import annotations

import os
import sqlite3
import urllib.parse
from pathlib import Path

from povtrack.errors import BusyError, DatabaseError
from povtrack.i18n import tr
from povtrack.storage import backups, safefile
from povtrack.storage.backups import check_file
from povtrack.storage.sqlite.checks import Checked, check, refuse_empty
from povtrack.storage.sqlite.file import connect, sql_errors, translate

SUFFIX = ".sqlite"  # a backup's name ends so (the database itself may be .sqlite3)


class Guard:
    """The database file as an unlocked read found it; ``confirm`` after each read."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._file = safefile.real_path(path)
        self._seen = self._state()

    def _state(self) -> tuple[int, ...] | None:
        try:
            st = os.stat(self._file)
        except OSError:
            return None
        return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)

    def confirm(self) -> None:
        if self._state() != self._seen:
            raise BusyError(
                tr(
                    f"{self.path}：povtrack 在不加锁读取数据库时（其文件夹不可写），"
                    "另一个程序改动了数据库；请重新运行命令",
                    f"{self.path}: another program changed the database while povtrack read it "
                    "without locks (its folder cannot be written); run the command again",
                )
            )


def open_checked(
    path: Path, begin: str, *, query_only: bool, lock: safefile.DbLock | None
) -> tuple[sqlite3.Connection, Checked, Guard | None]:
    """The database opened (``query_only``: for reading; else ``begin`` starts the writer's
    transaction) and checked as on every open; a refusal is a DatabaseError pointing at the
    newest good backup."""
    check_file(path)
    timeout = lock.timeout if lock else safefile.DEFAULT_LOCK_TIMEOUT
    guard = None
    try:
        refuse_empty(path)
        if query_only:
            conn, guard = open_reader(path, timeout=timeout)
        else:
            conn = connect(path, timeout=timeout)
    except DatabaseError as exc:
        raise hinted(path, exc) from None
    try:
        if not query_only:
            with sql_errors(path, writing=lock is not None):
                conn.execute(begin)
        try:
            checked, problems = check(conn, path)
        except DatabaseError as exc:
            if guard is not None:
                guard.confirm()  # a file changed while being read is not corrupt
            raise hinted(path, exc) from None
        if guard is not None:
            guard.confirm()
        if problems:
            n = len(problems) - 1
            more = tr(f"（另有{n}处）", f" (and {n} more)") if n > 0 else ""
            raise hinted(
                path,
                DatabaseError(
                    tr(
                        f"{path}：数据库已损坏：{problems[0]}{more}",
                        f"{path}: corrupt database: {problems[0]}{more}",
                    )
                ),
            )
    except BaseException:
        conn.close()
        raise
    return conn, checked, guard


def hinted(path: Path, exc: DatabaseError) -> DatabaseError:
    return with_backup_hint(path, exc)


def open_reader(path: Path, *, timeout: float) -> tuple[sqlite3.Connection, Guard | None]:
    """A connection that only reads, its read transaction begun by a first read (one
    snapshot for the whole command), and the ``Guard`` to confirm after each read when it
    reads without locks (None when it has SQLite's)."""
    conn = connect(path, timeout=timeout, reader=True)
    try:
        conn.execute("PRAGMA query_only = 1")
        conn.execute("PRAGMA synchronous = FULL")  # the last to close checkpoints the log
        conn.execute("BEGIN")
        conn.execute("PRAGMA schema_version").fetchone()  # opens the log, if there is one
        return conn, None
    except sqlite3.Error as exc:
        conn.close()
        folder = safefile.real_path(path).parent
        name = getattr(exc, "sqlite_errorname", "") or ""
        sides = ("SQLITE_READONLY", "SQLITE_CANTOPEN", "SQLITE_IOERR_DELETE")  # -wal, -journal
        if not name.startswith(sides) or os.access(folder, os.W_OK):
            raise translate(path, exc) from None
    guard = Guard(path)  # before the log is looked at and anything is read
    return _unlocked(path), guard


def _unlocked(path: Path) -> sqlite3.Connection:
    target = safefile.real_path(path)
    folder = tr(
        f"在 {target.parent} 中进行（该文件夹不可写）；请由能写入该文件夹的用户打开一次",
        f"in {target.parent} (not writable); open it once as a user who can write there",
    )
    if _holds(path, target, "-wal"):
        raise DatabaseError(
            tr(
                f"{path}：无法读取数据库：{target.name}-wal 中有尚未写入数据库文件的改动，读取它们"
                f"需要建立 {target.name}-shm，而这只能" + folder,
                f"{path}: cannot read the database: {target.name}-wal holds changes not yet in the "
                f"database file, and reading them needs {target.name}-shm, which cannot be made "
                + folder,
            )
        )
    if _holds(path, target, "-journal"):  # a file in rollback mode, a writer stopped midway
        raise DatabaseError(
            tr(
                f"{path}：无法读取数据库：{target.name}-journal 中有一次中途停止的改动，回滚它只能"
                + folder,
                f"{path}: cannot read the database: {target.name}-journal holds a change that was "
                "stopped midway, and it can only be rolled back " + folder,
            )
        )
    uri = f"file:{urllib.parse.quote(str(target))}?mode=ro&immutable=1"
    with sql_errors(path):
        conn = sqlite3.connect(uri, uri=True, isolation_level=None, check_same_thread=False)
        conn.execute("PRAGMA query_only = 1")
        conn.execute("BEGIN")
    return conn


def _holds(path: Path, target: Path, tail: str) -> bool:
    """Whether the side file ``tail`` of the database holds anything."""
    side = target.with_name(target.name + tail)
    try:
        return side.stat().st_size > 0
    except FileNotFoundError:
        return False
    except OSError as exc:
        raise DatabaseError(
            tr(
                f"{path}：无法读取数据库：{side}：{exc.strerror}",
                f"{path}: cannot read the database: {side}: {exc.strerror}",
            )
        ) from None


def checked_file(path: Path) -> Checked:
    """A database or backup file checked as on open (refused with DatabaseError)."""
    check_file(path)
    refuse_empty(path)
    conn, guard = open_reader(path, timeout=safefile.DEFAULT_LOCK_TIMEOUT)
    try:
        checked, problems = check(conn, path)
        if guard is not None:
            guard.confirm()
        if problems:
            raise DatabaseError(
                tr(
                    f"{path}：数据库已损坏：{problems[0]}",
                    f"{path}: corrupt database: {problems[0]}",
                )
            )
        return checked
    finally:
        conn.close()


def list_backups(path: Path) -> list[Path]:
    """Backups of the database at ``path``, newest first."""
    return backups.list_backups(path, SUFFIX)


def newest_good_backup(path: Path) -> tuple[Path, int] | None:
    for candidate in list_backups(path):
        try:
            return candidate, checked_file(candidate).meta.get("generation", 0)
        except (DatabaseError, OSError):
            continue
    return None


def with_backup_hint(path: Path, exc: DatabaseError) -> DatabaseError:
    """Point a refusal at the newest good backup, so recovery is one command away."""
    return backups.with_backup_hint(path, exc, newest=newest_good_backup, advice=_advice())


def backup_hint(path: Path) -> str:
    """The newest good backup, or that there is none: the line after ``db verify``'s list."""
    return backups.backup_hint(path, newest=newest_good_backup, advice=_advice())


def _advice() -> str:
    return tr("（可用 'povtrack db backup' 备份）", " (make them with 'povtrack db backup')")

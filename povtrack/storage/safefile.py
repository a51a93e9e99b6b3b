"""Files that survive crashes and second writers: the lock, the atomic write, the backups.

Nothing here knows what a database holds; both backends build on it:

- ``DbLock``: an exclusive lock on ``<real path>.lock`` (filelock: flock on Unix, so a lock held
  by a killed process is released by the kernel), with a side file naming the holder;
- ``atomic_write``: temp file beside the target, fsync, ``os.replace``, fsync the directory; the
  file's mode kept, a symlinked path written through to its target;
- backups: the file being replaced is hard-linked (or copied) into ``<name>.backups/`` first and
  the oldest beyond the limit are pruned only after the commit;
- ``crash_point``: the test hook ``POVTRACK_TEST_CRASH_AT=<point>`` kills the process there.

For users: docs/storage.md, "Every command that writes".
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from povtrack.errors import BusyError, UsageError, WriteError
from povtrack.i18n import tr

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
DEFAULT_LOCK_TIMEOUT = 5.0
DEFAULT_BACKUPS = 10
CREATE_NEW = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
COMMITTED: list[str] = []  # files replaced by this process, for the "interrupted" message
CRASH_POINTS = (
    "after_lock",
    "after_read",
    "mid_tmp_write",
    "after_tmp_fsync",
    "after_backup_link",
    "after_replace",
    "before_dir_fsync",
)


def crash_point(name: str) -> None:
    """Die here, as a power cut or ``kill -9`` would, when a test asks for it; or wait here
    (``POVTRACK_TEST_PAUSE_AT``), so that a test can send a signal at exactly this moment."""
    if os.environ.get("POVTRACK_TEST_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)
    if os.environ.get("POVTRACK_TEST_PAUSE_AT") == name:
        import time

        time.sleep(60)  # a signal ends the wait (its handler raises), as it would the write


def real_path(path: Path) -> Path:
    """The file a path names, through symlinks; every writer derives its lock from this."""
    return Path(os.path.realpath(path))


def lock_path(path: Path) -> Path:
    target = real_path(path)
    return target.with_name(target.name + ".lock")


def backups_dir(path: Path) -> Path:
    target = real_path(path)
    return target.with_name(target.name + ".backups")


# ---------------------------------------------------------------------------- the lock


class DbLock:
    """One writer at a time. Readers never take it: they only ever see whole files."""

    def __init__(self, path: Path, timeout: float = DEFAULT_LOCK_TIMEOUT) -> None:
        self.path = path
        self.timeout = timeout
        self.file = lock_path(path)
        self.owner = self.file.with_name(self.file.name + ".owner")
        self._lock: object | None = None

    def acquire(self) -> None:
        import socket  # only writers need these (readers never lock)

        from filelock import FileLock, Timeout

        if not self.file.parent.is_dir():
            return  # nothing to lock yet; the caller reports the missing directory
        _clear_the_way(self.file, tr("povtrack 的锁文件", "povtrack's lock file"))
        lock = FileLock(
            str(self.file),
            timeout=max(self.timeout, 0.0),
            mode=PRIVATE_FILE,
            fallback_to_soft=False,
            thread_local=False,
        )
        try:
            lock.acquire()
        except Timeout:
            holder = self._holder()
            raise BusyError(
                tr(
                    f"{self.path}：数据库正忙：{holder}；已等待 {self.timeout:g} 秒"
                    "（请稍后再试，或加大 --lock-timeout）",
                    f"{self.path}: database busy: {holder}; waited {self.timeout:g} s "
                    "(try again, or raise --lock-timeout)",
                )
            ) from None
        except (OSError, NotImplementedError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise WriteError(
                tr(
                    f"{self.file}：无法取得数据库锁（{why}）；此文件系统可能不支持加锁，"
                    "因此未写入任何内容",
                    f"{self.file}: cannot take the database lock ({why}); locking may not work on "
                    "this filesystem, so nothing was written",
                )
            ) from None
        self._lock = lock
        crash_point("after_lock")
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "since": datetime.now().astimezone().isoformat(timespec="seconds"),
            "command": " ".join(["povtrack", *sys.argv[1:]]),
        }
        with contextlib.suppress(OSError):  # who holds it is a courtesy, not a requirement
            # A new file every time, never opened through whatever was planted at its name.
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.owner)
            fd = os.open(self.owner, CREATE_NEW, PRIVATE_FILE)
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(json.dumps(info))

    def release(self) -> None:
        if self._lock is not None:
            lock, self._lock = self._lock, None
            # A failing release must not turn a committed command into a failure: the kernel
            # drops the flock when this process ends in any case.
            with contextlib.suppress(OSError):
                lock.release()  # type: ignore[attr-defined]

    def _holder(self) -> str:
        unknown = tr(f"另一个进程持有 {self.file}", f"another process holds {self.file}")
        try:
            info = json.loads(read_small(self.owner))
            pid, host = int(info["pid"]), str(info["host"])
            since, command = str(info["since"]), str(info.get("command", "?"))
        except (OSError, ValueError, KeyError, TypeError):
            return unknown
        import socket

        if host == socket.gethostname() and not _alive(pid):
            return unknown  # the note is from an earlier holder that has ended
        return tr(
            f"自 {since} 起被 {host} 上的进程 {pid} 锁定（{command}）",
            f"locked by pid {pid} on {host} since {since} ({command})",
        )

    def __enter__(self) -> DbLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def read_small(path: Path, limit: int = 4096) -> bytes:
    """The first ``limit`` bytes of a regular file, never through a link and never blocking
    on a FIFO planted at its name (OSError otherwise)."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        return os.read(fd, limit)
    finally:
        os.close(fd)


def _kind(mode: int) -> str:
    """What is at a name instead of a regular file, as words for a message."""
    kinds = {
        stat.S_IFDIR: tr("文件夹", "a folder"),
        stat.S_IFIFO: tr("命名管道（FIFO）", "a FIFO"),
        stat.S_IFSOCK: tr("套接字", "a socket"),
    }
    return kinds.get(stat.S_IFMT(mode), tr("设备", "a device"))


def _clear_the_way(path: Path, what: str) -> None:
    """Before the lock file is opened: a symbolic link at its name (which the lock never
    follows) is removed; anything else that is not a regular file is refused."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        return
    except OSError as exc:
        raise WriteError(
            tr(
                f"{path}：无法查看{what}：{exc.strerror}",
                f"{path}: cannot look at {what}: {exc.strerror}",
            )
        ) from None
    if stat.S_ISLNK(st.st_mode):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)  # the link only; what it points at is never touched
        return
    if not stat.S_ISREG(st.st_mode):
        kind = _kind(st.st_mode)
        raise WriteError(
            tr(
                f"{path}：{what}的位置上是{kind}；请移走它（未写入任何内容）",
                f"{path}: {kind} where {what} belongs; remove it (nothing was written)",
            )
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # exists, owned by someone else
    return True


# ---------------------------------------------------------------------------- writing


@contextlib.contextmanager
def _signals_held() -> Iterator[None]:
    """Ctrl-C or SIGTERM inside the block waits until it is done (the rename and the directory
    fsync; the temp file's creation and its name)."""
    import signal

    held = {signal.SIGINT, signal.SIGTERM}
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def atomic_write(
    path: Path,
    payload: bytes,
    *,
    new_mode: int = PRIVATE_FILE,
    backup: Path | None = None,
    record: bool = True,
) -> None:
    """Replace ``path`` with ``payload`` so that any reader, and any crash, sees the old file or
    the new one. With ``backup``, the old file is first linked (or copied) there. ``record``:
    this is the database (named in an "interrupted" message), not a report file."""
    target = real_path(path)
    try:
        mode = target.stat().st_mode & 0o777
    except FileNotFoundError:
        mode = new_mode
    except OSError as exc:
        raise WriteError(
            tr(
                f"{path}：无法写入：{exc.strerror}；数据库未改动",
                f"{path}: cannot write: {exc.strerror}; database unchanged",
            )
        ) from None
    import tempfile  # deferred: a reader never writes

    tmp = ""
    try:
        # held: a signal inside mkstemp, after it made the file but before it returned the
        # name, would leave the temp file behind with nobody knowing its name
        with _signals_held():
            fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        with os.fdopen(fd, "wb") as f:
            half = len(payload) // 2
            f.write(payload[:half])
            crash_point("mid_tmp_write")
            f.write(payload[half:])
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, mode)
        crash_point("after_tmp_fsync")
        if backup is not None and target.exists():
            keep_copy(target, backup, link=True)
            crash_point("after_backup_link")
        with _signals_held():
            os.replace(tmp, target)
            tmp = ""
            if record:
                COMMITTED.append(str(path))
            crash_point("after_replace")
            crash_point("before_dir_fsync")
            _fsync_dir(target.parent)
    except OSError as exc:
        why = exc.strerror or str(exc)
        where = exc.filename or path
        if record:
            unchanged = tr("数据库未改动", "database unchanged")
        else:
            unchanged = tr("未写入任何内容", "nothing written")
        raise WriteError(
            tr(
                f"{where}：写入失败（{why}）；{unchanged}",
                f"{where}: write failed ({why}); {unchanged}",
            )
        ) from None
    finally:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _fsync_dir(directory: Path) -> None:
    try:
        dir_fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # some systems cannot open a directory; the rename is still atomic
    try:
        os.fsync(dir_fd)
    except OSError:
        pass  # e.g. EINVAL on filesystems without directory fsync
    finally:
        os.close(dir_fd)


def keep_copy(source: Path, dest: Path, *, link: bool = False, private: bool = True) -> None:
    """``dest`` becomes a private copy of ``source``, whole or not at all.

    ``link``: a hard link instead, when the filesystem allows and ``source`` has no other link;
    only for a file that is about to be replaced (the commit's own backup), since a link changes
    with its source and shares its mode until then. ``private``: ``dest`` is a backup, in the
    database's own backups folder (made if need be, refused if something else is there)."""
    if private:
        backups_folder(dest.parent, owners=(os.stat(source).st_uid,))
    with contextlib.suppress(FileNotFoundError):
        dest.unlink()
    if link and os.stat(source).st_nlink == 1:
        try:
            os.link(source, dest)
            return
        except OSError:
            pass  # e.g. a filesystem without hard links: copy instead
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    with contextlib.suppress(FileNotFoundError):
        part.unlink()  # a leftover (or a planted link): never written through
    mode = PRIVATE_FILE if private else os.stat(source).st_mode & 0o777
    try:
        import shutil

        out = os.open(part, CREATE_NEW, PRIVATE_FILE)
        with os.fdopen(out, "wb") as f, open(source, "rb") as src:
            shutil.copyfileobj(src, f, 1 << 20)
            os.fchmod(f.fileno(), mode)
        os.replace(part, dest)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


def backups_folder(folder: Path, owners: tuple[int, ...] = ()) -> None:
    """The database's backups folder, made owner-only if missing; a link, a file or another
    user's folder at its name is refused (WriteError): backups are never written through what
    someone else put there."""
    try:
        os.mkdir(folder, PRIVATE_DIR)
    except FileExistsError:
        pass
    except OSError as exc:
        raise WriteError(
            tr(
                f"{folder}：无法创建备份文件夹：{exc.strerror}；数据库未改动",
                f"{folder}: cannot create the backups folder: {exc.strerror}; database unchanged",
            )
        ) from None
    problem = folder_problem(folder, owners)
    if problem is not None:
        raise WriteError(
            tr(
                f"{folder}：数据库备份文件夹的位置上是{problem}；请移走它（未写入任何内容）",
                f"{folder}: {problem} where the database's backups folder belongs; remove it "
                "(nothing was written)",
            )
        )


def folder_problem(folder: Path, owners: tuple[int, ...] = ()) -> str | None:
    """Why ``folder`` is not a real folder of this user (or of ``owners``); None when it is."""
    try:
        st = os.lstat(folder)
    except OSError as exc:
        return tr(f"无法查看的东西（{exc.strerror}）", f"cannot be looked at ({exc.strerror})")
    if stat.S_ISLNK(st.st_mode):
        return tr("符号链接", "a symbolic link")
    if not stat.S_ISDIR(st.st_mode):
        return tr("文件", "a file")
    if st.st_uid not in (os.geteuid(), *owners):
        return tr(
            f"其他用户的文件夹（uid {st.st_uid}）", f"a folder of another user (uid {st.st_uid})"
        )
    return None


def make_dirs(folder: Path) -> None:
    """``folder`` and any missing parents, each new one owner-only (0700) whatever the umask;
    folders that exist keep their mode."""
    missing: list[Path] = []
    here = folder
    while not here.exists() and here != here.parent:
        missing.append(here)
        here = here.parent
    for new in reversed(missing):
        try:
            os.mkdir(new, PRIVATE_DIR)
        except FileExistsError:
            continue  # made meanwhile by someone else: theirs, left as it is
        os.chmod(new, PRIVATE_DIR)  # a umask that takes the owner's own bits away


def sweep_temps(path: Path, tails: tuple[str, ...] = ("",)) -> list[str]:
    """Remove temp files left by killed writers (call it holding the lock: none is live);
    ``tails``: also the files named after a temp file (a SQLite temp file's journals)."""
    target = real_path(path)
    problems = []
    for tail in tails:
        for stale in target.parent.glob(f".{target.name}.*.tmp{tail}"):
            try:
                stale.unlink()
            except OSError as exc:
                problems.append(
                    tr(
                        f"{stale}：无法删除残留的临时文件：{exc.strerror}",
                        f"{stale}: could not remove a stale temp file: {exc.strerror}",
                    )
                )
    return problems


def prune(directory: Path, pattern: str, keep: int) -> None:
    """Keep the newest ``keep`` files matching ``pattern`` (names sort oldest first)."""
    files = sorted(directory.glob(pattern))
    for old in files[: max(len(files) - keep, 0)]:
        with contextlib.suppress(OSError):
            old.unlink()


def stamp() -> str:
    return time.strftime("%Y%m%dT%H%M%S")


def make_room(
    path: Path, *, force: bool, demo: bool, is_demo: Callable[[Path], bool]
) -> Path | None:
    """Check that a new database may go at ``path``; the old file's new name, if any."""
    if demo and path.exists():
        if not is_demo(path):
            raise UsageError(
                tr(
                    f"{path}：不是演示数据库；演示不会替换它",
                    f"{path}: not a demo database; the demo will not replace it",
                )
            )
        return None
    if not (path.exists() or path.is_symlink()):
        return None
    if not force:
        raise UsageError(
            tr(
                f"{path}：数据库已存在；如要把它移到一旁并新建，请加 --force",
                f"{path}: a database already exists; "
                "use --force to move it aside and start a new one",
            )
        )
    stamp = f"{path.name}.{datetime.now():%Y%m%dT%H%M%S}"
    moved, n = path.with_name(f"{stamp}.bak"), 1
    while _taken(moved) or _taken(backups_dir(moved)):  # two --force in the same second
        moved, n = path.with_name(f"{stamp}-{n}.bak"), n + 1
    return moved


def move_backups(old: Path, new: Path) -> None:
    """init --force: the backups folder of the database at ``old`` becomes ``new``'s (a rename,
    never a merge; WriteError when it cannot be done, before anything else changed)."""
    folder = backups_dir(old)
    if not (folder.exists() or folder.is_symlink()):
        return
    try:
        os.rename(folder, backups_dir(new))
    except OSError as exc:
        raise WriteError(
            tr(
                f"{folder}：无法把旧数据库的备份移到一旁（{exc.strerror}）；未做任何改动",
                f"{folder}: cannot move the old database's backups aside ({exc.strerror}); "
                "nothing changed",
            )
        ) from None


def _taken(path: Path) -> bool:
    return path.exists() or path.is_symlink()

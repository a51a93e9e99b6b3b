"""Files that survive crashes and second writers: the lock, the atomic write, the backups.

Nothing here knows what a database holds. ``store.py`` builds on it:

- ``DbLock``: an exclusive lock on ``<real path>.lock`` (filelock: flock on Unix, so a lock held
  by a killed process is released by the kernel), with a side file naming the holder;
- ``atomic_write``: temp file beside the target, fsync, ``os.replace``, fsync the directory; the
  file's mode kept, a symlinked path written through to its target;
- backups: the file being replaced is hard-linked (or copied) into ``<name>.backups/`` first and
  the oldest beyond the limit are pruned only after the commit;
- ``crash_point``: the test hook ``POVTRACK_TEST_CRASH_AT=<point>`` kills the process there.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path

from povtrack.errors import BusyError, UsageError, WriteError

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
DEFAULT_LOCK_TIMEOUT = 5.0
DEFAULT_BACKUPS = 10
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
    """Die here, as a power cut or ``kill -9`` would, when a test asks for it."""
    if os.environ.get("POVTRACK_TEST_CRASH_AT") == name:
        import signal

        os.kill(os.getpid(), signal.SIGKILL)


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
            raise BusyError(
                f"{self.path}: database busy: {self._holder()}; waited {self.timeout:g} s "
                "(try again, or raise --lock-timeout)"
            ) from None
        except (OSError, NotImplementedError) as exc:
            why = getattr(exc, "strerror", None) or str(exc)
            raise WriteError(
                f"{self.file}: cannot take the database lock ({why}); locking may not work on "
                "this filesystem, so nothing was written"
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
            fd = os.open(self.owner, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE)
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
        unknown = f"another process holds {self.file}"
        try:
            info = json.loads(self.owner.read_text(encoding="utf-8"))
            pid, host = int(info["pid"]), str(info["host"])
            since, command = str(info["since"]), str(info.get("command", "?"))
        except (OSError, ValueError, KeyError, TypeError):
            return unknown
        import socket

        if host == socket.gethostname() and not _alive(pid):
            return unknown  # the note is from an earlier holder that has ended
        return f"locked by pid {pid} on {host} since {since} ({command})"

    def __enter__(self) -> DbLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


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
    """Ctrl-C or SIGTERM between the rename and the directory fsync waits until both are done."""
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
        raise WriteError(f"{path}: cannot write: {exc.strerror}; database unchanged") from None
    import tempfile  # deferred: a reader never writes

    tmp = ""
    try:
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
        unchanged = "database unchanged" if record else "nothing written"
        raise WriteError(f"{where}: write failed ({why}); {unchanged}") from None
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
    with its source and shares its mode until then."""
    if private:
        dest.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        dest.unlink()
    if link and os.stat(source).st_nlink == 1:
        try:
            os.link(source, dest)
            return
        except OSError:
            pass  # e.g. a filesystem without hard links: copy instead
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        import shutil

        shutil.copyfile(source, part)
        os.chmod(part, PRIVATE_FILE if private else os.stat(source).st_mode & 0o777)
        os.replace(part, dest)
    finally:
        with contextlib.suppress(OSError):
            part.unlink()


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
                problems.append(f"{stale}: could not remove a stale temp file: {exc.strerror}")
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
            raise UsageError(f"{path}: not a demo database; the demo will not replace it")
        return None
    if not (path.exists() or path.is_symlink()):
        return None
    if not force:
        raise UsageError(
            f"{path}: a database already exists; use --force to move it aside and start a new one"
        )
    stamp = f"{path.name}.{datetime.now():%Y%m%dT%H%M%S}"
    moved, n = path.with_name(f"{stamp}.bak"), 1
    while moved.exists():  # two --force in the same second
        moved, n = path.with_name(f"{stamp}-{n}.bak"), n + 1
    return moved

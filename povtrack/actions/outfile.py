"""Where an export or a report may be written (``-o``): a regular file (replaced whole, or not
at all), or a terminal or pipe written in place; never the database or anything beside it that
belongs to it, and never a replaced folder, socket or device. For users: docs/commands.md,
"Exports"."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from povtrack.errors import UsageError, WriteError
from povtrack.i18n import tr
from povtrack.storage import safefile
from povtrack.storage.sidefiles import belongs_to


def _kind(mode: int) -> str:
    """What is at an output path that is no file, terminal or pipe, as words for a message."""
    if stat.S_ISSOCK(mode):
        return tr("套接字", "a socket")
    if stat.S_ISBLK(mode):
        return tr("块设备", "a block device")
    return tr("特殊文件", "a special file")


def check_target(path: Path, db: Path | None) -> bool:
    """Refuse (UsageError) an output path that must not be written; True when it is a
    character device or a FIFO (a terminal, ``/dev/stdout`` in a pipe), to be written in
    place, False for a regular file or a new name. ``db``: None for a database on a server."""
    what = None if db is None else belongs_to(db, path)
    if what is not None:
        raise UsageError(
            tr(
                f"{path}：这是{what}；-o 绝不写到这里（请另选文件）",
                f"{path}: that is {what}; -o never writes there (choose another file)",
            )
        )
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False  # a new name (or one the write itself will report)
    if stat.S_ISREG(mode):
        return False
    if stat.S_ISCHR(mode) or stat.S_ISFIFO(mode):
        return True
    if stat.S_ISDIR(mode):
        raise UsageError(
            tr(
                f"{path}：是文件夹；-o 写入的是文件、终端或管道（请给出文件名）",
                f"{path}: is a folder; -o writes a file, a terminal or a pipe (give a file name)",
            )
        )
    kind = _kind(mode)
    raise UsageError(
        tr(
            f"{path}：是{kind}，不是普通文件；-o 只写入文件、终端或管道，绝不替换其他东西",
            f"{path}: is {kind}, not a regular file; -o writes a file, a terminal or a pipe, and "
            "never replaces anything else",
        )
    )


def write_output(path: Path, data: bytes, db: Path | None) -> None:
    """``data`` at ``path``: a regular file appears whole or not at all (a half-written
    workbook will not open); a terminal or a pipe gets the bytes in place."""
    if check_target(path, db):
        _write_in_place(path, data)
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(
            tr(
                f"{path.parent}：无法创建文件夹：{exc.strerror}",
                f"{path.parent}: cannot create the folder: {exc.strerror}",
            )
        ) from None
    check_target(path, db)  # the folders just made hold nothing of the database's
    safefile.atomic_write(path, data, new_mode=0o644, record=False)


def _write_in_place(path: Path, data: bytes) -> None:
    """Open (never create, never truncate) and write: what is opened is checked again, so a
    name swapped in between is not written either."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_NOCTTY | os.O_CLOEXEC)
    except OSError as exc:
        raise WriteError(
            tr(
                f"{path}：无法写入：{exc.strerror}；未写入任何内容",
                f"{path}: cannot write: {exc.strerror}; nothing written",
            )
        ) from None
    try:
        mode = os.fstat(fd).st_mode
        if not (stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
            raise UsageError(
                tr(
                    f"{path}：打开期间被改动；未写入任何内容",
                    f"{path}: changed while it was opened; nothing written",
                )
            )
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    except OSError as exc:
        why = exc.strerror or exc
        raise WriteError(
            tr(f"{path}：写入失败（{why}）", f"{path}: write failed ({why})")
        ) from None
    finally:
        os.close(fd)

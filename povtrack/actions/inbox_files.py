"""The inbox's folders, names and moves, all through open folder descriptors and never through
a link: nothing an office plants in the shared folder can redirect a read or a write.

The inbox's own folders (``done/``, ``rejected/``, the private ``.povtrack-work-*`` folder a run
takes each return into before reading it) are made with ``mkdir`` and opened with
``O_NOFOLLOW | O_DIRECTORY``, and must belong to the user running povtrack; reason notes are created
exclusively (``O_CREAT | O_EXCL | O_NOFOLLOW``); a move never replaces a name. For users:
docs/returns.md, "The shared inbox".
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

from povtrack.errors import WriteError
from povtrack.i18n import tr
from povtrack.textsafe import escape, first_control

DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_NOCTTY | os.O_CLOEXEC
NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC
NOTE = ".reason.txt"
RETURN_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")  # what the inbox reads
WORK_PREFIX = ".povtrack-work-"
_ROOM = len(NOTE) + len("-999")  # a note's tail and a later file's "-2" ... "-999"


class Folder:
    """An open folder: a descriptor for the work, a path for messages."""

    def __init__(self, fd: int, path: Path) -> None:
        self.fd = fd
        self.path = path

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)

    def lstat(self, name: str) -> os.stat_result | None:
        try:
            return os.stat(name, dir_fd=self.fd, follow_symlinks=False)
        except FileNotFoundError:
            return None

    def free_name(self, name: str, *, note: bool = False) -> str:
        """``name``, or ``stem-2.ext``, ``stem-3.ext``...: the first not taken (with its reason
        note, when ``note``), so that nothing is ever replaced."""
        stem, suffix = os.path.splitext(name)
        candidate, n = name, 2
        while self.lstat(candidate) is not None or (note and self.lstat(candidate + NOTE)):
            candidate, n = f"{stem}-{n}{suffix}", n + 1
        return candidate


def open_inbox(path: Path) -> Folder:
    """The inbox itself, as the command line names it (a link there is the operator's)."""
    return Folder(os.open(path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC), path)


def own_folder(parent: Folder, name: str, mode: int = 0o755) -> Folder | str:
    """``parent/name`` as a folder of this user, made if missing; else what is there instead."""
    try:
        os.mkdir(name, mode, dir_fd=parent.fd)
    except FileExistsError:
        pass
    except OSError as exc:
        return tr(f"无法创建（{exc.strerror}）", f"cannot be created ({exc.strerror})")
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=parent.fd)
    except OSError as exc:
        st = parent.lstat(name)
        if st is not None and stat.S_ISLNK(st.st_mode):
            return tr("符号链接", "a symbolic link")
        if st is not None and not stat.S_ISDIR(st.st_mode):
            return tr("文件", "a file") if stat.S_ISREG(st.st_mode) else kind_of(st)
        return tr(f"无法打开（{exc.strerror}）", f"cannot be opened ({exc.strerror})")
    owner = os.fstat(fd).st_uid
    if owner != os.geteuid():
        os.close(fd)
        return tr(f"其他用户的文件夹（uid {owner}）", f"a folder of another user (uid {owner})")
    return Folder(fd, parent.path / name)


def work_folder(inbox: Folder) -> Folder:
    """A new private folder (0700) inside the inbox, under a name nobody could have guessed
    and planted, for the returns this run takes out of the shared folder."""
    for _ in range(100):
        name = WORK_PREFIX + secrets.token_hex(6)
        try:
            os.mkdir(name, 0o700, dir_fd=inbox.fd)
        except FileExistsError:
            continue
        except OSError as exc:
            raise WriteError(
                tr(
                    f"{inbox.path}：无法在收件箱中写入（{exc.strerror}）；未取走任何文件",
                    f"{inbox.path}: cannot write in the inbox ({exc.strerror}); nothing was taken",
                )
            ) from None
        made = own_folder(inbox, name, 0o700)
        if isinstance(made, Folder):
            return made
        raise WriteError(
            tr(
                f"{inbox.path / name}：{made}；未取走任何文件",
                f"{inbox.path / name}: {made}; nothing was taken",
            )
        )
    raise WriteError(
        tr(
            f"{inbox.path}：无法在收件箱中建立私用文件夹",
            f"{inbox.path}: cannot make a private folder in the inbox",
        )
    )


def leftover_work(inbox: Folder) -> list[Folder]:
    """Private folders an earlier run left (it was killed, or could not move a return back):
    only folders of this user that nobody else can enter."""
    found = []
    with os.scandir(inbox.fd) as entries:
        names = sorted(e.name for e in entries if e.name.startswith(WORK_PREFIX))
    for name in names:
        folder = own_folder_if_private(inbox, name)
        if folder is not None:
            found.append(folder)
    return found


def own_folder_if_private(inbox: Folder, name: str) -> Folder | None:
    try:
        fd = os.open(name, DIR_FLAGS, dir_fd=inbox.fd)
    except OSError:
        return None
    st = os.fstat(fd)
    if st.st_uid != os.geteuid() or st.st_mode & 0o077:
        os.close(fd)
        return None
    return Folder(fd, inbox.path / name)


def kind_of(st: os.stat_result) -> str:
    """What a name in the inbox is, when it is no regular file, as words for a message."""
    kinds = {
        stat.S_IFLNK: tr("符号链接", "a symbolic link"),
        stat.S_IFIFO: tr("命名管道", "a named pipe"),
        stat.S_IFSOCK: tr("套接字", "a socket"),
        stat.S_IFDIR: tr("文件夹", "a folder"),
    }
    return kinds.get(stat.S_IFMT(st.st_mode), tr("设备", "a device"))


def name_problem(name: str, shown: str, limit: int) -> str | None:
    """Why a file name cannot be taken as it is: a control character, or too long to be moved
    beside others of its name and noted (``shown``: the name as messages print it)."""
    found = first_control(name)
    if found is not None:
        position, ch = found
        return tr(
            f"{shown}：文件名第{position}个字符是控制字符（U+{ord(ch):04X}）；请改名（未读取）",
            f"{shown}: the file name has a control character (U+{ord(ch):04X} at position "
            f"{position}); rename it (nothing was read)",
        )
    size = len(os.fsencode(name))
    if size > limit:
        return tr(
            f"{shown}：文件名太长，无法移动和附注（{size} 字节；最多 {limit}）；请改短（未读取）",
            f"{shown}: the file name is too long to be moved and noted ({size} bytes; at most "
            f"{limit}); give it a shorter name (nothing was read)",
        )
    return None


def unreadable(name: str, st: os.stat_result, shown: str, limit: int) -> str | None:
    """Why a file in the inbox is refused without being read (None: it may be read): a name
    that cannot be taken as it is, anything but a regular file with one name, or no return."""
    problem = name_problem(name, escape(shown), limit)
    if problem is not None:
        return problem
    if not stat.S_ISREG(st.st_mode):
        return tr(
            f"{shown}：是{kind_of(st)}，不是普通文件；收件箱只接收普通文件，从不跟随链接（未读取）",
            f"{shown}: {kind_of(st)}, not a regular file; the inbox takes only regular "
            "files and never follows a link (nothing was read)",
        )
    if st.st_nlink > 1:
        return tr(
            f"{shown}：有 {st.st_nlink} 个名称（是指向别处文件的硬链接）；"
            "收件箱只接收只有一个名称的文件（未读取）",
            f"{shown}: has {st.st_nlink} names (a hard link to a file elsewhere); the "
            "inbox takes only files with one name (nothing was read)",
        )
    if os.path.splitext(name)[1].lower() not in RETURN_SUFFIXES:
        kinds = ", ".join(RETURN_SUFFIXES)
        return tr(
            f"{shown}：不是报表文件（povtrack 接收 {kinds}）",
            f"{shown}: not a return file (povtrack takes {kinds})",
        )
    return None


def name_limit(inbox: Folder) -> int:
    """The longest file name the inbox takes as it is (room left for "-2" and the note)."""
    try:
        most = os.fpathconf(inbox.fd, "PC_NAME_MAX")
    except (OSError, ValueError):
        most = 255
    return most - _ROOM


def safe_name(name: str, limit: int) -> str:
    """A name to keep a refused file under: control characters as ``_``, cut to ``limit``
    bytes (its extension kept)."""
    clean = "".join("_" if first_control(ch) else ch for ch in name)
    if len(os.fsencode(clean)) <= limit:
        return clean
    stem, suffix = os.path.splitext(clean)
    if len(os.fsencode(suffix)) > 16:
        stem, suffix = clean, ""
    room = limit - len(os.fsencode(suffix))
    while len(os.fsencode(stem)) > room:
        stem = stem[:-1]
    return stem + suffix


def move(src: Folder, name: str, dst: Folder, new: str) -> None:
    """``src/name`` becomes ``dst/new`` (a name ``free_name`` found): the entry itself moves,
    whatever it is; nothing is opened."""
    os.rename(name, new, src_dir_fd=src.fd, dst_dir_fd=dst.fd)


def put_back(src: Folder, name: str, inbox: Folder) -> bool:
    """A taken return back into the shared folder, under its name, never over a file that
    arrived meanwhile; False when it had to stay where it is (the next run finds it)."""
    try:
        os.link(name, name, src_dir_fd=src.fd, dst_dir_fd=inbox.fd, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError:  # no hard links here, or not ours to link: move it if the name is free
        if inbox.lstat(name) is not None:
            return False
        try:
            move(src, name, inbox, name)
        except OSError:
            return False
        return True
    with contextlib.suppress(OSError):
        os.unlink(name, dir_fd=src.fd)
    return True


def write_new(folder: Folder, name: str, data: bytes, mode: int = 0o644) -> None:
    """A new file (a reason note, the exact copy of what was imported), created exclusively
    and never through a link."""
    fd = os.open(name, NEW_FILE, mode, dir_fd=folder.fd)
    with os.fdopen(fd, "wb") as f:
        f.write(data)


def note_text(reasons: list[str]) -> bytes:
    return "".join(f"{escape(line, keep_tab=True)}\n" for line in reasons).encode("utf-8")


def read_all(fd: int) -> bytes:
    chunks = []
    while chunk := os.read(fd, 1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def read_again(fd: int) -> bytes:
    """The file behind ``fd`` from its start, as it is now."""
    chunks, offset = [], 0
    while chunk := os.pread(fd, 1 << 20, offset):
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def identity(st: os.stat_result) -> tuple[int, int, int, int]:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)


def remove_if_empty(inbox: Folder, folder: Folder) -> None:
    folder.close()
    with contextlib.suppress(OSError):
        os.rmdir(folder.path.name, dir_fd=inbox.fd)

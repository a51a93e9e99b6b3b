"""Issue 11, item 4: `-o` never lands on what it must not.

Every command that writes a file (`status`, `log`, `board`, `trend`, `diff`, `missing`,
`completeness`, `check`, `report`) refuses, with exit 2 and nothing changed, a path that is the
database (by name, through a symbolic link, or as a hard link), its lock file or lock owner
note, its backups folder or anything in it, or (SQLite) its -wal/-shm side files. A character
device or a FIFO is written in place, never replaced; a folder, a socket or a block device is
refused. The device nodes and FIFOs are made here, in tmp_path; the machine's /dev is never a
target.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

RELOCATED = "housing.relocated_people"

# (command line without -o, the format the file gets)
COMMANDS = {
    "status": ["status", "--format", "json"],
    "log": ["log", "--format", "csv"],
    "board": ["board", "--format", "md"],
    "trend": ["trend", RELOCATED, "--format", "csv"],
    "diff": ["diff", "--format", "json"],
    "missing": ["missing", "--format", "json"],
    "completeness": ["completeness", "--format", "json"],
    "check": ["check", "--format", "json"],
    "report": ["report", "--format", "md"],
}


@pytest.fixture
def recorded(run, initialised) -> None:
    """A database with one commit after init, so its backups folder holds a backup."""
    result = run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10")
    assert result.exit_code == 0, result.stderr


def snapshot(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Every name under the folder with its type and (for files) its bytes."""
    out: dict[str, tuple[int, bytes | None]] = {}
    for p in sorted(folder.rglob("*")):
        st = os.lstat(p)
        body = p.read_bytes() if stat.S_ISREG(st.st_mode) else None
        out[str(p.relative_to(folder))] = (stat.S_IFMT(st.st_mode), body)
    return out


def refused(result, target: Path, what: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert result.stdout == ""
    assert result.stderr == (
        f"error: {target}: that is {what}; -o never writes there (choose another file)\n"
    )


# ---------------------------------------------------------------------------- the database


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_the_database_itself_is_refused_by_every_command(
    run, recorded, db_path: Path, tmp_path: Path, command: str
) -> None:
    before = snapshot(tmp_path)
    result = run(*COMMANDS[command], "-o", str(db_path))
    refused(result, db_path, f"the database {db_path}")
    assert snapshot(tmp_path) == before
    assert run("db", "verify").exit_code == 0


def test_a_relative_name_in_the_database_folder(
    run, recorded, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The issue's own example: `status -o tracker.json` run beside the database."""
    monkeypatch.chdir(tmp_path)
    before = snapshot(tmp_path)
    result = run("status", "-o", "db.json", "--format", "json")
    refused(result, Path("db.json"), f"the database {db_path}")
    assert snapshot(tmp_path) == before


def test_a_symlink_to_the_database(run, recorded, db_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "report.json"
    link.symlink_to(db_path)
    before = snapshot(tmp_path)
    refused(run("status", "-o", str(link)), link, f"the database {db_path}")
    assert snapshot(tmp_path) == before


def test_a_hard_link_to_the_database(run, recorded, db_path: Path, tmp_path: Path) -> None:
    other = tmp_path / "elsewhere"
    other.mkdir()
    hard = other / "report.json"
    os.link(db_path, hard)
    before = snapshot(tmp_path)
    result = run("status", "-o", str(hard))
    refused(result, hard, f"the database {db_path} under another name (a hard link)")
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("db.json.lock", "the database's lock file"),
        ("db.json.lock.owner", "the database's lock owner note"),
        ("db.json.backups", "the database's backups folder"),
        ("db.json.backups/gen-000001.json", "a file in the database's backups folder"),
        ("db.json.backups/new.json", "a file in the database's backups folder"),
        ("db.json.backups/sub/new.csv", "a file in the database's backups folder"),
    ],
)
def test_the_side_files_of_the_database(
    run, recorded, db_path: Path, tmp_path: Path, name: str, what: str
) -> None:
    assert (tmp_path / "db.json.backups" / "gen-000001.json").is_file()
    target = tmp_path / name
    before = snapshot(tmp_path)
    refused(run("log", "--format", "csv", "-o", str(target)), target, what)
    assert snapshot(tmp_path) == before  # nothing replaced, no folder created


def test_a_symlink_into_the_backups_folder(run, recorded, db_path: Path, tmp_path: Path) -> None:
    link = tmp_path / "weekly.md"
    link.symlink_to(tmp_path / "db.json.backups" / "gen-000001.json")
    before = snapshot(tmp_path)
    result = run("report", "--format", "md", "-o", str(link))
    refused(result, link, "a file in the database's backups folder")
    assert snapshot(tmp_path) == before


def test_another_db_option_is_protected_too(run, tmp_path: Path) -> None:
    """The database named by --db after the command, not only POVTRACK_DB."""
    other = tmp_path / "other.json"
    assert run("init", "--db", str(other)).exit_code == 0
    before = other.read_bytes()
    result = run("status", "--db", str(other), "-o", str(other), "--format", "json")
    refused(result, other, f"the database {other}")
    assert other.read_bytes() == before


@pytest.mark.parametrize("side", ["-wal", "-shm", "-journal"])
def test_sqlite_side_files(run, tmp_path: Path, side: str) -> None:
    db = tmp_path / "t.sqlite"
    assert run("--db", str(db), "init").exit_code == 0
    target = tmp_path / f"t.sqlite{side}"
    before = snapshot(tmp_path)
    result = run("--db", str(db), "status", "--format", "json", "-o", str(target))
    refused(result, target, "a SQLite side file of the database")
    assert snapshot(tmp_path) == before


def test_an_ordinary_file_beside_the_database_is_still_written(
    run, recorded, tmp_path: Path
) -> None:
    """What is refused is the database's own: a report next to it is fine."""
    target = tmp_path / "db.json.csv"
    result = run("log", "-o", str(target))
    assert result.exit_code == 0, result.stderr
    assert target.read_text("utf-8-sig").splitlines()[0].startswith("Id,Date,")


# ---------------------------------------------------------------------------- special files


@pytest.fixture
def short_dir() -> Iterator[Path]:
    """A folder with a short path (a socket's path is limited to about 100 bytes)."""
    with tempfile.TemporaryDirectory(prefix="pt-") as name:
        yield Path(name)


def test_a_character_device_is_written_in_place(run, recorded, tmp_path: Path) -> None:
    node = tmp_path / "null"
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the numbers of /dev/null
    ino = os.lstat(node).st_ino
    result = run("status", "--format", "csv", "-o", str(node))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.startswith(f"wrote {node} (csv, ")
    st = os.lstat(node)
    assert stat.S_ISCHR(st.st_mode) and st.st_ino == ino
    assert st.st_rdev == os.makedev(1, 3)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".null")) == []


@pytest.mark.parametrize("command", ["status", "report", "check"])
def test_a_fifo_is_written_in_place(run, recorded, tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    result = run(*COMMANDS[command], "-o", str(fifo))
    t.join(10)
    assert not t.is_alive()
    assert result.exit_code == 0, result.stderr
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert len(got) == 1
    if command == "status":
        assert got[0] == run(*COMMANDS[command]).stdout.encode("utf-8")
    elif command == "check":  # clean: nothing on stdout, the empty findings in the file
        assert json.loads(got[0])["findings"] == []
    else:
        assert got[0].decode("utf-8").startswith("# Weekly poverty-alleviation report")


def test_a_symlink_to_a_fifo_is_written_through(run, recorded, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.json"
    link.symlink_to(fifo)
    got: list[bytes] = []

    def reader() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    t = threading.Thread(target=reader, daemon=True)
    t.start()
    result = run("status", "--format", "json", "-o", str(link))
    t.join(10)
    assert result.exit_code == 0, result.stderr
    assert link.is_symlink() and stat.S_ISFIFO(os.stat(link).st_mode)
    assert got and got[0].startswith(b"{")


def test_a_folder_is_refused(run, recorded, tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    before = snapshot(tmp_path)
    result = run("status", "--format", "json", "-o", str(folder))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {folder}: is a folder; -o writes a file, a terminal or a pipe (give a file name)\n"
    )
    assert snapshot(tmp_path) == before


def test_a_socket_is_refused(run, recorded, short_dir: Path) -> None:
    path = short_dir / "s"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(path))
        result = run("status", "--format", "json", "-o", str(path))
    finally:
        sock.close()
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {path}: is a socket, not a regular file; -o writes a file, a terminal or a "
        "pipe, and never replaces anything else\n"
    )
    assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_block_device_is_refused(run, recorded, tmp_path: Path) -> None:
    node = tmp_path / "disk"
    os.mknod(node, stat.S_IFBLK | 0o600, os.makedev(7, 200))  # a loop device number
    result = run("report", "--format", "html", "-o", str(node))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {node}: is a block device, not a regular file; -o writes a file, a terminal "
        "or a pipe, and never replaces anything else\n"
    )
    st = os.lstat(node)
    assert stat.S_ISBLK(st.st_mode) and st.st_rdev == os.makedev(7, 200)


def test_check_refuses_before_it_knows_whether_there_are_findings(
    run, initialised, db_path: Path
) -> None:
    """A clean `check -o` writes its file without a word; onto the database it must not."""
    before = db_path.read_bytes()
    result = run("check", "--format", "json", "-o", str(db_path))
    refused(result, db_path, f"the database {db_path}")
    assert db_path.read_bytes() == before

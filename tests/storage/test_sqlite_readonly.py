"""A database in a folder the user cannot write to (issue 11, item 8): status, log and db
verify read it on both backends (a SQLite file cannot get its -wal and -shm files there, so it
is read without them when it has nothing in a write-ahead log); a write is exit 6 naming the
folder, and nothing in the folder changes.

The commands run as a user that file permissions apply to (``tests.helpers.unprivileged``: CI runs
as root, which ignores them); each test first shows that this user cannot write the folder.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from povtrack.errors import BusyError
from tests.helpers.db import RELOCATED, lines
from tests.helpers.unprivileged import can_write, pov_as_user, shared_folder

shared = shared_folder  # the fixture, found by pytest under this name

RECORD = ["record", RELOCATED, "5400", "--area", "yanggao", "--date", "2018-07-15"]
READS = (["status", "--json"], ["log", "--all", "--json"], ["db", "verify"])


def _state(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder below ``folder``, with its bytes (None for a folder)."""
    return {
        str(p.relative_to(folder)): None if p.is_dir() else p.read_bytes()
        for p in sorted(folder.rglob("*"))
    }


def made(run, shared: Path, suffix: str) -> tuple[Path, Path, Path]:
    """A database with two entries in ``shared/data``, its files open to every user (the
    file itself writable by all, so only the folder stops a write), and a home folder."""
    folder = shared / "data"
    folder.mkdir(mode=0o755)
    db = folder / f"t.{suffix}"
    assert run("--db", str(db), "init").exit_code == 0
    for value, day in (("5200", "2018-07-01"), ("5300", "2018-07-08")):
        done = run("--db", str(db), "record", RELOCATED, value, "--area", "yanggao", "--date", day)
        assert done.exit_code == 0, done.stderr
    for path in folder.iterdir():
        os.chmod(path, 0o755 if path.is_dir() else 0o666)
    home = shared / "home"
    home.mkdir(mode=0o777)
    os.chmod(home, 0o777)
    return db, folder, home


@pytest.mark.parametrize("suffix", ["json", "sqlite"])
def test_a_database_in_a_read_only_folder_is_read(run, shared: Path, suffix: str) -> None:
    db, folder, home = made(run, shared, suffix)
    expected = [run("--db", str(db), *args) for args in READS]  # as the owner, first
    os.chmod(folder, 0o555)
    assert not can_write(folder)
    before = _state(folder)
    for args, owner in zip(READS, expected, strict=True):
        result = pov_as_user(db, *args, home=home)
        assert result.returncode == 0, (args, result.stderr)
        assert (result.stdout, result.stderr) == (owner.stdout, owner.stderr), args
    assert _state(folder) == before
    write = pov_as_user(db, *RECORD, home=home)
    assert write.returncode == 6, write.stderr
    assert write.stdout == ""
    assert db.read_bytes() == before[db.name]


def test_a_write_to_sqlite_in_a_read_only_folder_is_exit_6_naming_it(run, shared: Path) -> None:
    db, folder, home = made(run, shared, "sqlite")
    os.chmod(folder, 0o555)
    assert not can_write(folder)
    before = _state(folder)
    write = pov_as_user(db, *RECORD, home=home)
    assert write.returncode == 6, write.stderr
    assert write.stdout == ""
    assert lines(write.stderr) == [
        f"error: {folder}: cannot write in the database's directory; nothing written"
    ]
    assert _state(folder) == before


def _leave_a_wal(db: Path) -> None:
    """A committed entry (id 3) left in the write-ahead log, as a writer killed before the
    last checkpoint leaves it: the -wal and -shm files stay beside the database."""
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA wal_autocheckpoint = 0')\n"
        'c.execute("INSERT INTO entries (id, indicator, area, date, value, batch) VALUES '
        f"(3, '{RELOCATED}', 'yanggao', '2018-07-15', 5400, 'b2')\")\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)


def test_a_write_ahead_log_in_a_read_only_folder_is_read_with_it(run, shared: Path) -> None:
    db, folder, home = made(run, shared, "sqlite")
    _leave_a_wal(db)
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    assert wal.stat().st_size > 0 and shm.exists()
    for path in (db, wal, shm):
        os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    assert not can_write(folder)
    result = pov_as_user(db, "log", "--all", "--json", home=home)
    assert result.returncode == 0, result.stderr
    assert '"id": 3,' in result.stdout  # the entry that is only in the -wal file


def test_a_write_ahead_log_that_cannot_be_read_is_refused(run, shared: Path) -> None:
    """Without its -shm file (and no way to make one), the log cannot be read; reading the
    database file alone would silently miss what it holds."""
    db, folder, home = made(run, shared, "sqlite")
    _leave_a_wal(db)
    wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
    shm.unlink()
    os.chmod(wal, 0o444)
    os.chmod(db, 0o444)
    os.chmod(folder, 0o555)
    assert not can_write(folder)
    before = _state(folder)
    for args in (["log", "--all", "--json"], ["db", "verify"]):
        result = pov_as_user(db, *args, home=home)
        assert result.returncode == 4, (args, result.stderr)
        assert result.stdout == ""
        assert lines(result.stderr) == [
            f"error: {db}: cannot read the database: {wal.name} holds changes not yet in the "
            f"database file, and reading them needs {shm.name}, which cannot be made in "
            f"{folder} (not writable); open it once as a user who can write there; "
            f"no good backup in {db}.backups (make them with 'povtrack db backup')"
        ]
    assert _state(folder) == before


def test_a_rollback_journal_in_a_read_only_folder_is_refused(run, shared: Path) -> None:
    """A file switched to a rollback journal by hand (a backup copied into place), with a
    writer killed midway: its -journal must be rolled back before the file can be read, and
    that cannot be done here, so it is refused rather than read half written."""
    db, folder, home = made(run, shared, "sqlite")
    conn = sqlite3.connect(db, isolation_level=None)
    assert conn.execute("PRAGMA journal_mode = DELETE").fetchone() == ("delete",)
    conn.close()
    code = (
        "import os, sqlite3, sys\n"
        "c = sqlite3.connect(sys.argv[1], isolation_level=None)\n"
        "c.execute('PRAGMA cache_size = 2')\n"  # pages reach the file before the commit
        "c.execute('BEGIN')\n"
        "for i in range(3, 3000):\n"
        '    c.execute("INSERT INTO entries (id, indicator, area, date, value, batch) VALUES '
        f"(?, '{RELOCATED}', 'yanggao', '2018-07-15', 5, 'b2')\", (i,))\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(db)], check=True)
    journal = Path(f"{db}-journal")
    assert journal.stat().st_size > 0
    for path in (db, journal):
        os.chmod(path, 0o444)
    os.chmod(folder, 0o555)
    assert not can_write(folder)
    before = _state(folder)
    for args in (["status", "--json"], ["db", "verify"]):
        result = pov_as_user(db, *args, home=home)
        assert result.returncode == 4, (args, result.stderr)
        assert result.stdout == ""
        assert lines(result.stderr) == [
            f"error: {db}: cannot read the database: {journal.name} holds a change that was "
            f"stopped midway, and it can only be rolled back in {folder} (not writable); open "
            f"it once as a user who can write there; no good backup in {db}.backups (make "
            "them with 'povtrack db backup')"
        ]
    assert _state(folder) == before
    os.chmod(folder, 0o755)
    os.chmod(db, 0o644)
    os.chmod(journal, 0o644)
    owner = run("--db", str(db), "log", "--all", "--json")  # the owner rolls it back
    assert owner.exit_code == 0, owner.stderr
    assert sorted(e["id"] for e in json.loads(owner.stdout)["entries"]) == [1, 2]


def test_a_file_changed_during_an_unlocked_read_is_exit_5(run, tmp_path: Path) -> None:
    """A database read without its -wal and -shm files is read without locks: a writer that
    changes the file meanwhile is noticed, and the read is given up, never half trusted."""
    from povtrack.storage.sqlite.opening import Guard

    db = tmp_path / "t.sqlite"
    assert run("--db", str(db), "init").exit_code == 0
    guard = Guard(db)
    guard.confirm()  # nothing changed yet
    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute(
        "INSERT INTO entries (id, indicator, area, date, value, batch) "
        f"VALUES (1, '{RELOCATED}', 'yanggao', '2018-07-15', 5400, 'b1')"
    )
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the change reaches the database file
    conn.close()
    with pytest.raises(BusyError) as raised:
        guard.confirm()
    assert raised.value.message == (
        f"{db}: another program changed the database while povtrack read it without locks "
        "(its folder cannot be written); run the command again"
    )

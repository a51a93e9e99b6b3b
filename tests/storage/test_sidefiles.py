"""Issue 11, items 5 and 9: the files beside the database are never followed or trusted blindly.

A symbolic link planted at ``NAME.lock.owner`` or ``NAME.lock`` never redirects a write; a link,
a non-regular file or another user's file in ``NAME.backups/`` is never taken for a backup by
`db restore` or `db backups`; `db migrate --to` refuses the source's own side files and folders;
`init --force` never hands the old database's backups to the new one, even when killed half
way; and the folder `init` creates is owner-only whatever the umask.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from povtrack.storage import safefile
from tests.helpers.faults import pov

RELOCATED = "housing.relocated_people"


def record(run, value: int, week: str = "2018-W10") -> None:
    result = run("record", RELOCATED, str(value), "--area", "yanggao", "--week", week)
    assert result.exit_code == 0, result.stderr


def values(run, *db: str) -> list[int]:
    result = run(*db, "log", "--json")
    assert result.exit_code == 0, result.stderr
    return sorted(e["value"] for e in json.loads(result.stdout)["entries"])


def mode(path: Path) -> int:
    return stat.S_IMODE(os.lstat(path).st_mode)


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file a planted link points at; it must never change."""
    v = tmp_path / "victim.txt"
    v.write_text("private\n", "utf-8")
    v.chmod(0o600)
    return v


# ---------------------------------------------------------------------------- lock and note


def test_a_link_planted_at_the_owner_note_redirects_no_write(
    run, initialised, db_path: Path, victim: Path
) -> None:
    note = db_path.with_name("db.json.lock.owner")
    note.unlink()
    note.symlink_to(victim)
    record(run, 5)
    assert victim.read_text("utf-8") == "private\n"
    assert not note.is_symlink() and note.is_file()
    assert mode(note) == 0o600
    assert json.loads(note.read_text("utf-8"))["command"].split()[0] == "povtrack"


def test_a_link_to_the_database_at_the_owner_note_leaves_it_whole(
    run, initialised, db_path: Path
) -> None:
    note = db_path.with_name("db.json.lock.owner")
    note.unlink()
    note.symlink_to(db_path)
    record(run, 5)
    record(run, 6, "2018-W11")
    assert values(run) == [5, 6]
    assert run("db", "verify").exit_code == 0


def test_a_link_planted_at_the_lock_file_is_not_followed(
    run, initialised, db_path: Path, victim: Path
) -> None:
    lock = db_path.with_name("db.json.lock")
    lock.unlink()
    lock.symlink_to(victim)
    record(run, 5)
    assert victim.read_text("utf-8") == "private\n"
    assert not lock.is_symlink() and lock.is_file()
    assert values(run) == [5]


def test_a_folder_at_the_lock_file_is_one_line_exit_6(run, initialised, db_path: Path) -> None:
    lock = db_path.with_name("db.json.lock")
    lock.unlink()
    lock.mkdir()
    before = db_path.read_bytes()
    result = run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10")
    assert result.exit_code == 6
    assert result.stderr == (
        f"error: {lock}: a folder where povtrack's lock file belongs; remove it (nothing was "
        "written)\n"
    )
    assert db_path.read_bytes() == before


def test_the_busy_message_never_reads_through_a_planted_link(
    initialised, db_path: Path, tmp_path: Path
) -> None:
    """A link at the owner note pointing at a FIFO would block the reader for ever."""
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    note = db_path.with_name("db.json.lock.owner")
    note.unlink()
    note.symlink_to(fifo)
    lock = db_path.with_name("db.json.lock")
    fd = os.open(lock, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        proc = pov(db_path, "record", RELOCATED, "5", "--area", "yanggao", "--lock-timeout", "0.2")
    finally:
        os.close(fd)
    assert proc.returncode == 5, proc.stderr
    assert f"another process holds {lock}" in proc.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)


# ---------------------------------------------------------------------------- backups


def forged(tmp_path: Path, run, value: int) -> Path:
    """A whole, valid database with other data: what an attacker would plant as a backup."""
    other = tmp_path / "forge" / "forged.json"
    assert run("init", "--db", str(other)).exit_code == 0
    result = run(
        "record", RELOCATED, str(value), "--area", "yanggao", "--week", "2018-W12", "--db",
        str(other),
    )  # fmt: skip
    assert result.exit_code == 0
    return other


@pytest.mark.parametrize("kind", ["symlink", "other-owner"])
def test_a_planted_backup_is_never_trusted(
    run, initialised, db_path: Path, tmp_path: Path, kind: str
) -> None:
    record(run, 5)
    record(run, 6, "2018-W11")
    fake = forged(tmp_path, run, 999)
    planted = tmp_path / "db.json.backups" / "manual-29991231T000000-gen-000099.json"
    if kind == "symlink":
        planted.symlink_to(fake)
    else:
        shutil.copyfile(fake, planted)
        os.chown(planted, 65534, 65534)  # nobody's file, not the database owner's
    listed = json.loads(run("db", "backups", "--json").stdout)["backups"]
    assert planted.name not in [b["name"] for b in listed]
    assert [b["name"] for b in listed] == ["gen-000002.json", "gen-000001.json"]
    result = run("db", "restore")
    assert result.exit_code == 0, result.stderr
    assert f"from {tmp_path / 'db.json.backups' / 'gen-000002.json'}" in result.stderr
    assert values(run) == [5]
    named = run("db", "restore", planted.name)
    assert named.exit_code == 2
    assert f"no backup '{planted.name}'" in named.stderr


def test_a_planted_link_is_no_good_backup_when_the_database_breaks(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    fake = forged(tmp_path, run, 999)
    folder = tmp_path / "db.json.backups"
    folder.mkdir(mode=0o700)
    (folder / "gen-000050.json").symlink_to(fake)
    db_path.write_bytes(b"{")
    result = run("status")
    assert result.exit_code == 4
    assert "no good backup in" in result.stderr
    assert "gen-000050" not in result.stderr


def test_a_linked_backups_folder_is_neither_written_nor_trusted(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copyfile(forged(tmp_path, run, 999), elsewhere / "gen-000007.json")
    folder = tmp_path / "db.json.backups"
    folder.symlink_to(elsewhere)
    assert json.loads(run("db", "backups", "--json").stdout)["backups"] == []
    before = db_path.read_bytes()
    result = run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10")
    assert result.exit_code == 6
    assert result.stderr == (
        f"error: {folder}: a symbolic link where the database's backups folder belongs; "
        "remove it (nothing was written)\n"
    )
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in elsewhere.iterdir()) == ["gen-000007.json"]


def test_keep_copy_never_writes_through_a_planted_part_file(tmp_path: Path, victim: Path) -> None:
    source = tmp_path / "source.json"
    source.write_bytes(b"the data")
    dest = tmp_path / "kept" / "manual.json"
    dest.parent.mkdir(mode=0o700)
    part = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    part.symlink_to(victim)
    safefile.keep_copy(source, dest)
    assert victim.read_text("utf-8") == "private\n"
    assert dest.read_bytes() == b"the data" and mode(dest) == 0o600


# ---------------------------------------------------------------------------- migrate


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("db.json.backups", "the database's backups folder"),
        ("db.json.backups/x.json", "a file in the database's backups folder"),
        ("db.json.lock", "the database's lock file"),
        ("db.json.lock.owner", "the database's lock owner note"),
        ("db.json-wal", "a SQLite side file of the database"),
        (".db.json.abc.tmp", "a temp file of the database"),
    ],
)
def test_migrate_refuses_the_side_files_of_its_source(
    run, initialised, db_path: Path, tmp_path: Path, name: str, what: str
) -> None:
    target = tmp_path / name
    names_before = sorted(str(p) for p in tmp_path.rglob("*"))
    result = run("db", "migrate", "--to", str(target))
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {target}: that is {what}; 'db migrate' writes a new database, never onto "
        "the source's own files (name a new file)\n"
    )
    assert sorted(str(p) for p in tmp_path.rglob("*")) == names_before
    record(run, 5)  # and every later write still works
    record(run, 6, "2018-W11")
    assert values(run) == [5, 6]


def test_migrate_refuses_the_wal_of_a_sqlite_source(run, tmp_path: Path) -> None:
    source = tmp_path / "t.sqlite"
    assert run("--db", str(source), "init").exit_code == 0
    target = tmp_path / "t.sqlite-wal"
    result = run("--db", str(source), "db", "migrate", "--to", str(target))
    assert result.exit_code == 2
    assert "a SQLite side file of the database" in result.stderr
    assert not target.exists()


# ---------------------------------------------------------------------------- init --force


def old_backups(db: Path) -> list[str]:
    folder = db.with_name(db.name + ".backups")
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("name", ["db.json", "db.sqlite"])
def test_init_force_leaves_the_old_backups_with_the_old_file(
    run, tmp_path: Path, name: str
) -> None:
    db = tmp_path / name
    opt = ("--db", str(db))
    assert run(*opt, "init").exit_code == 0
    for week, value in (("2018-W10", 5), ("2018-W11", 6)):
        result = run(*opt, "record", RELOCATED, str(value), "--area", "yanggao", "--week", week)
        assert result.exit_code == 0, result.stderr
    assert run(*opt, "db", "backup").exit_code == 0
    before = old_backups(db)
    assert before
    result = run(*opt, "init", "--force")
    assert result.exit_code == 0, result.stderr
    [moved] = [p for p in tmp_path.iterdir() if p.name.endswith(".bak")]
    assert old_backups(moved) == before
    assert json.loads(run(*opt, "db", "backups", "--json").stdout)["backups"] == []
    assert run(*opt, "db", "restore").exit_code == 2  # nothing of the old one to restore
    assert values(run, *opt) == []


def test_init_force_killed_after_the_new_file_is_in_place(initialised, db_path: Path) -> None:
    """A kill between the new file's rename and the end of init: the old backups never end up
    as the new database's (its restore would put the old data back)."""
    for week, value in (("2018-W10", 5), ("2018-W11", 6)):
        proc = pov(db_path, "record", RELOCATED, str(value), "--area", "yanggao", "--week", week)
        assert proc.returncode == 0, proc.stderr
    before = old_backups(db_path)
    assert before == ["gen-000001.json", "gen-000002.json"]
    proc = pov(db_path, "init", "--force", env={"POVTRACK_TEST_CRASH_AT": "after_replace"})
    assert proc.returncode == -9
    listed = pov(db_path, "db", "backups", "--json")
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)["backups"] == []
    [moved] = [p for p in db_path.parent.iterdir() if p.name.endswith(".bak")]
    assert old_backups(moved) == before
    log = pov(db_path, "log", "--json")
    assert json.loads(log.stdout)["entries"] == []  # the new, empty database


# ---------------------------------------------------------------------------- umask


@pytest.mark.parametrize("name", ["db.json", "db.sqlite"])
def test_init_under_umask_000_makes_owner_only_folders(tmp_path: Path, name: str) -> None:
    db = tmp_path / "new" / "deeper" / name
    proc = pov(tmp_path / "unused.json", "--db", str(db), "init", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "deeper") == 0o700
    assert mode(db) == 0o600
    assert mode(db.with_name(name + ".lock")) == 0o600
    assert mode(db.with_name(name + ".lock.owner")) == 0o600
    proc = pov(db, "record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10", umask=0)
    assert proc.returncode == 0, proc.stderr
    proc = pov(db, "db", "backup", umask=0)
    assert proc.returncode == 0, proc.stderr
    backups = db.with_name(name + ".backups")
    assert mode(backups) == 0o700
    assert {mode(p) for p in backups.iterdir()} == {0o600}


def test_an_existing_folder_keeps_its_mode(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    shared.chmod(0o775)
    proc = pov(tmp_path / "unused.json", "--db", str(shared / "db.json"), "init", umask=0)
    assert proc.returncode == 0, proc.stderr
    assert mode(shared) == 0o775


@pytest.mark.parametrize("name", ["db.json", "db.sqlite"])
def test_db_backup_never_writes_into_a_linked_backups_folder(
    run, tmp_path: Path, name: str
) -> None:
    db = tmp_path / name
    assert run("--db", str(db), "init").exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    folder = tmp_path / f"{name}.backups"
    folder.symlink_to(elsewhere)
    result = run("--db", str(db), "db", "backup")
    assert result.exit_code == 6
    assert result.stderr == (
        f"error: {folder}: a symbolic link where the database's backups folder belongs; "
        "remove it (nothing was written)\n"
    )
    assert list(elsewhere.iterdir()) == []

"""Storage and I/O faults: a full disk, a failing fsync, the order of a commit, file modes,
symlinks, $TMPDIR, stale temp files, and database paths that are wrong.

A failed write exits 6 and leaves the database byte for byte as it was, with no temp file left;
a commit is fsync(temp) → one os.replace → fsync(folder); modes are kept (new files private).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import faults as helpers_faults
from tests.helpers.db import add_entry_doc, entry_docs
from tests.helpers.faults import (
    RELOCATED,
    TEST_INDICATORS,
    backups,
    clone_base,
    entry_rows,
    finish,
    folder_state,
    lines,
    load_json,
    meta,
    no_crash_text,
    pov,
    snap,
    spawn,
    stray_temps,
    write_returns,
)

RECORD = ["record", RELOCATED, "4100", "--area", "guangling", "--week", "2018-W33"]
RECORD_ROW = (RELOCATED, "guangling", "2018-08-19", 4100)

as_root = pytest.mark.skipif(
    os.geteuid() == 0, reason="root ignores file permissions; CI runs as root"
)


# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def one_error(text: str) -> str:
    no_crash_text(text)
    [line] = lines(text)
    assert line.startswith("error: "), line
    return line


# ---------------------------------------------------------------------------- C1: disk full


@pytest.mark.parametrize("command", ["record", "import"])
def test_disk_full_is_exit_6_and_the_database_unchanged(db: Path, tmp_path: Path, command):
    returns = write_returns(tmp_path / "in" / "w.csv", 1000, indicators=TEST_INDICATORS)
    args = RECORD if command == "record" else ["import", str(returns.path)]
    before = folder_state(tmp_path)
    limit = db.stat().st_size + 64  # the old file fits; the new one does not

    proc = pov(db, *args, fsize_limit=limit)

    assert proc.returncode == 6, proc.stderr
    line = one_error(proc.stderr)
    assert "write failed (File too large)" in line
    assert line.endswith("database unchanged")
    assert folder_state(tmp_path) == before  # db, backups: byte for byte; no temp file
    assert stray_temps(db) == []

    proc = pov(db, *args)  # with room, the same command goes through
    assert proc.returncode == 0, proc.stderr


def test_disk_full_while_init_creates_no_database(tmp_path: Path):
    db = tmp_path / "db.json"
    proc = pov(db, "init", fsize_limit=4096)  # the bundled plan alone is bigger
    assert proc.returncode == 6, proc.stderr
    line = one_error(proc.stderr)
    assert "write failed (File too large)" in line
    assert not db.exists()
    assert stray_temps(db) == []
    assert pov(db, "init").returncode == 0


# ---------------------------------------------------------------------------- C3: fsync fails


class Spy:
    """Records fsync (by the path of the descriptor) and replace/rename calls, in order."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, fail_fsync: bool = False) -> None:
        self.events: list[tuple[str, ...]] = []
        real_fsync, real_replace, real_rename = os.fsync, os.replace, os.rename

        def fsync(fd: Any) -> None:
            number = fd if isinstance(fd, int) else fd.fileno()
            self.events.append(("fsync", os.readlink(f"/proc/self/fd/{number}")))
            if fail_fsync:
                raise OSError(errno.EIO, "Input/output error")
            real_fsync(fd)

        def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            self.events.append(("replace", os.fspath(src), os.fspath(dst)))
            real_replace(src, dst, *args, **kwargs)

        def rename(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
            self.events.append(("rename", os.fspath(src), os.fspath(dst)))
            real_rename(src, dst, *args, **kwargs)

        monkeypatch.setattr(os, "fsync", fsync)
        monkeypatch.setattr(os, "replace", replace)
        monkeypatch.setattr(os, "rename", rename)

    def moves_onto(self, target: Path) -> list[tuple[int, str]]:
        return [
            (i, e[1])
            for i, e in enumerate(self.events)
            if e[0] in ("replace", "rename") and os.path.realpath(e[2]) == str(target)
        ]


WRITES = {
    "record": RECORD,
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9100", "--area", "hunyuan"],
}


def _args(name: str, tmp_path: Path) -> list[str]:
    csv = write_returns(tmp_path / "in" / "w.csv", 1000, indicators=TEST_INDICATORS).path
    return [str(csv) if a == "{csv}" else a for a in WRITES[name]]


@pytest.mark.parametrize("name", list(WRITES))
def test_fsync_failure_is_exit_6_and_nothing_replaced(
    run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
):
    args = _args(name, tmp_path)
    before = folder_state(tmp_path)
    with monkeypatch.context() as m:
        spy = Spy(m, fail_fsync=True)
        result = run(*args)

    assert result.exit_code == 6, result.stderr
    line = one_error(result.stderr)
    assert "write failed (Input/output error)" in line
    assert line.endswith("database unchanged")
    assert [e for e in spy.events if e[0] != "fsync"] == []  # os.replace never called
    assert folder_state(tmp_path) == before
    assert stray_temps(db) == []


# ---------------------------------------------------------------------------- A10: commit order


@pytest.mark.parametrize("name", list(WRITES))
def test_commit_order_fsync_temp_then_one_replace_then_fsync_folder(
    run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str
):
    args = _args(name, tmp_path)
    with monkeypatch.context() as m:
        spy = Spy(m)
        result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert_commit_order(spy, db)


def test_commit_order_of_init(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    db = tmp_path / "db.json"
    with monkeypatch.context() as m:
        spy = Spy(m)
        result = run("init")
    assert result.exit_code == 0, result.stderr
    assert_commit_order(spy, db)


def assert_commit_order(spy: Spy, db: Path) -> None:
    target = Path(os.path.realpath(db))
    [(at, tmp)] = spy.moves_onto(target)  # exactly one replace of the database per command
    assert Path(tmp).parent == target.parent
    assert Path(tmp).name.startswith(f".{target.name}.") and tmp.endswith(".tmp")
    synced_before = [e[1] for e in spy.events[:at] if e[0] == "fsync"]
    synced_after = [e[1] for e in spy.events[at + 1 :] if e[0] == "fsync"]
    assert tmp in synced_before, spy.events  # the data is on disk before the rename
    assert str(target.parent) in synced_after, spy.events  # and the rename after it


# ---------------------------------------------------------------------------- C6: modes


@pytest.mark.parametrize("shared", [0o664, 0o644, 0o640, 0o600])
def test_an_existing_database_keeps_its_mode(run, db: Path, shared: int):
    os.chmod(db, shared)
    inode = db.stat().st_ino
    result = run(*RECORD)
    assert result.exit_code == 0, result.stderr
    assert db.stat().st_ino != inode  # really a new file, put in place by a rename
    assert mode(db) == shared
    assert entry_rows(load_json(db))[RECORD_ROW] == 1


def test_a_new_database_its_lock_and_backups_are_private(tmp_path: Path):
    """Even with umask 000, which would leave naively created files world-writable."""
    db = tmp_path / "db.json"
    assert pov(db, "init", umask=0).returncode == 0
    for k in range(2):
        args = ["record", RELOCATED, str(k), "--area", "yanggao", "--week", "2018-W10"]
        proc = pov(db, *args, umask=0)
        assert proc.returncode == 0, proc.stderr
    assert mode(db) == 0o600
    assert mode(tmp_path / "db.json.lock") == 0o600
    assert mode(tmp_path / "db.json.lock.owner") == 0o600
    folder = tmp_path / "db.json.backups"
    assert mode(folder) == 0o700
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["gen-000001.json", "gen-000002.json"]
    assert {mode(folder / n) for n in names} == {0o600}


@as_root
def test_a_read_only_database_is_exit_6(db: Path, tmp_path: Path):
    os.chmod(db, 0o444)
    before = folder_state(tmp_path)
    proc = pov(db, *RECORD)
    assert proc.returncode == 6, proc.stderr
    line = one_error(proc.stderr)
    assert str(db) in line
    assert "read-only" in line
    assert folder_state(tmp_path) == before


@as_root
def test_a_read_only_folder_is_exit_6(db: Path, tmp_path: Path):
    assert pov(db, *RECORD).returncode == 0  # lock file and backups folder exist
    before = folder_state(tmp_path)
    os.chmod(tmp_path, 0o555)
    try:
        proc = pov(db, *RECORD)
    finally:
        os.chmod(tmp_path, 0o755)
    assert proc.returncode == 6, proc.stderr
    line = one_error(proc.stderr)
    assert str(tmp_path) in line
    assert folder_state(tmp_path) == before


# ---------------------------------------------------------------------------- C7/C8: links


def test_a_symlinked_database_is_written_through(tmp_path: Path, base_db: Path):
    target = clone_base(base_db, tmp_path / "real")
    os.chmod(target, 0o640)
    link = tmp_path / "link" / "povtrack.json"
    link.parent.mkdir()
    link.symlink_to(target)
    before = snap(target)

    proc = pov(link, *RECORD)

    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink()
    assert os.readlink(link) == str(target)
    assert entry_rows(load_json(target)) == entry_rows(before.data) + Counter([RECORD_ROW])
    assert mode(target) == 0o640
    generation = meta(before.data)["generation"]
    assert backups(target)[f"gen-{generation:06d}.json"] == before.raw
    assert sorted(p.name for p in link.parent.iterdir()) == ["home", "povtrack.json"]


def test_a_hard_linked_database_warns_and_the_other_name_keeps_the_old_file(db: Path):
    alias = db.with_name("alias.json")
    os.link(db, alias)
    before = db.read_bytes()
    proc = pov(db, *RECORD)
    assert proc.returncode == 0, proc.stderr
    assert any(ln.startswith("warning: ") and "hard link" in ln for ln in lines(proc.stderr))
    assert alias.read_bytes() == before
    assert entry_rows(load_json(db))[RECORD_ROW] == 1


# ---------------------------------------------------------------------------- C9: TMPDIR


def _other_filesystem(tmp_path: Path) -> Path:
    """A folder on another filesystem than tmp_path if there is one (/dev/shm), else beside."""
    shm = Path("/dev/shm")
    if shm.is_dir() and os.access(shm, os.W_OK) and shm.stat().st_dev != tmp_path.stat().st_dev:
        import tempfile

        return Path(tempfile.mkdtemp(dir=shm, prefix="povtrack-test-"))
    other = tmp_path.parent / f"{tmp_path.name}-tmpdir"
    other.mkdir()
    return other


def test_tmpdir_is_ignored_the_temp_file_goes_beside_the_database(db: Path, tmp_path: Path):
    other = _other_filesystem(tmp_path)
    try:
        env = {"TMPDIR": str(other), "TMP": str(other), "TEMP": str(other)}
        killed = pov(db, *RECORD, env=env | {"POVTRACK_TEST_CRASH_AT": "after_tmp_fsync"})
        assert killed.returncode == -9, killed.stderr
        [tmp] = stray_temps(db)  # where the killed writer had put its temp file
        assert tmp.parent == db.parent
        assert list(other.iterdir()) == []

        proc = pov(db, *RECORD, env=env)  # no EXDEV: the rename stays in one folder
        assert proc.returncode == 0, proc.stderr
        assert list(other.iterdir()) == []
        assert stray_temps(db) == []
    finally:
        import shutil

        shutil.rmtree(other, ignore_errors=True)


# ---------------------------------------------------------------------------- C14: stale temps


def test_a_stale_temp_file_is_never_read_and_is_swept_by_the_next_write(
    run, db: Path, tmp_path: Path
):
    before = snap(db)
    decoy = before.data
    template = entry_docs(decoy)[1]
    add_entry_doc(
        decoy,
        template
        | {"id": 99999, "indicator": RELOCATED, "area": "lingqiu", "date": "2018-05-06"}
        | {"value": 123456},
    )
    decoy["meta"]["1"]["entries_count"] += 1
    stale = tmp_path / ".db.json.123.tmp"
    stale.write_text(json.dumps(decoy), encoding="utf-8")
    half = tmp_path / ".db.json.k3j_x1.tmp"
    half.write_bytes(before.raw[: len(before.raw) // 2])
    unrelated = [tmp_path / ".other.json.5.tmp", tmp_path / "db.json.tmp"]
    for path in unrelated:
        path.write_text("not povtrack's temp file", encoding="utf-8")

    shown = json.loads(run("log", "--json").stdout)["entries"]
    assert 123456 not in [e["value"] for e in shown]
    assert len(shown) == len(entry_docs(before.data))

    proc = pov(db, *RECORD)
    assert proc.returncode == 0, proc.stderr
    assert not stale.exists() and not half.exists()
    assert all(p.exists() for p in unrelated)  # only this database's temp files are swept
    assert entry_rows(load_json(db)) == entry_rows(json.loads(before.raw)) + Counter([RECORD_ROW])


# ---------------------------------------------------------------------------- C10/C11: paths


WRITE_COMMANDS = {
    "record": RECORD,
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9100", "--area", "hunyuan"],
}


@pytest.mark.parametrize("name", list(WRITE_COMMANDS))
def test_a_missing_database_is_exit_4_and_nothing_created(tmp_path: Path, name: str):
    csv = write_returns(tmp_path / "in" / "w.csv", 10, indicators=TEST_INDICATORS).path
    db = tmp_path / "dbb.json"  # a typo
    args = [str(csv) if a == "{csv}" else a for a in WRITE_COMMANDS[name]]
    pov_env_home = tmp_path / "home"
    pov_env_home.mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())

    proc = pov(db, *args)

    assert proc.returncode == 4, proc.stderr
    line = one_error(proc.stderr)
    assert line == (f"error: {db}: no database here; create one with 'povtrack init' (or set --db)")
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # not even a lock file


@pytest.mark.parametrize("name", list(WRITE_COMMANDS))
def test_a_database_path_that_is_a_folder_is_exit_4(tmp_path: Path, name: str):
    csv = write_returns(tmp_path / "in" / "w.csv", 10, indicators=TEST_INDICATORS).path
    db = tmp_path / "db.json"
    db.mkdir()
    args = [str(csv) if a == "{csv}" else a for a in WRITE_COMMANDS[name]]
    (tmp_path / "home").mkdir()
    before = sorted(p.name for p in tmp_path.iterdir())

    proc = pov(db, *args)

    assert proc.returncode == 4, proc.stderr
    line = one_error(proc.stderr)
    assert line == f"error: {db}: is a directory, not a database file"
    assert list(db.iterdir()) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == before


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(
            ["init"],
            id="init",
        ),
        pytest.param(
            ["init", "--force"],
            id="init-force",
        ),
        pytest.param(
            ["init", "--force", "--db", "."],
            id="init-force-dot",
        ),
    ],
)
def test_init_on_a_folder_is_exit_4_and_leaves_it_alone(tmp_path: Path, args: list[str]):
    db = tmp_path / "db.json"
    db.mkdir()
    (db / "keep.txt").write_text("a user's file", encoding="utf-8")
    folder = db if "." not in args else tmp_path
    (tmp_path / "home").mkdir()
    around = sorted(p.name for p in folder.parent.iterdir())

    proc = pov(db, *args)

    assert proc.returncode == 4, proc.stderr
    line = one_error(proc.stderr)
    assert "is a directory, not a database file" in line
    assert (db / "keep.txt").read_text(encoding="utf-8") == "a user's file"
    assert sorted(p.name for p in folder.parent.iterdir()) == around  # no lock, nothing moved


def test_an_inbox_in_the_database_folder_never_moves_the_database(db: Path, tmp_path: Path):
    returns = write_returns(tmp_path / "w23.csv", 30, indicators=TEST_INDICATORS)
    assert pov(db, *RECORD).returncode == 0  # the lock and its holder note exist now
    before = snap(db)
    side = sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("db.json"))

    proc = pov(db, "inbox", str(tmp_path), "--settle", "0")

    no_crash_text(proc.stderr)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("db.json")) == side
    assert not (tmp_path / "rejected" / "db.json").exists()
    if proc.returncode == 0:  # the database and its side files were skipped
        added = returns.counter
        assert entry_rows(load_json(db)) == entry_rows(before.data) + added
    else:  # or the inbox was refused as a whole
        assert proc.returncode == 2, proc.stderr
        assert db.read_bytes() == before.raw
    assert pov(db, "status", "--json").returncode == 0


def test_a_special_file_at_the_database_path_is_exit_4(tmp_path: Path):
    db = tmp_path / "db.json"
    os.mkfifo(db)
    procs = [spawn(db, "status", "--json"), spawn(db, *RECORD)]
    deadline = time.monotonic() + 4
    while time.monotonic() < deadline and any(p.poll() is None for p in procs):
        time.sleep(0.05)
    hung = [p for p in procs if p.poll() is None]
    for p in hung:
        p.kill()
    results = [finish(p) for p in procs]
    assert not hung, "povtrack blocked reading a FIFO"
    for rc, out, err in results:
        assert (rc, out) == (4, ""), err
        line = one_error(err)
        assert str(db) in line
    assert stat.S_ISFIFO(os.lstat(db).st_mode)  # left as it was

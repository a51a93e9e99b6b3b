"""The guards around a commit (storage/safefile.py, and the backends' checks before it), with
faults injected in-process by monkeypatch: another writer between this command's read and its
commit (catalogue B7, B8), a file system without flock (B9), a stale temp file that cannot be
removed (A9), and a file or folder that cannot be written (C4, C5). Every refusal leaves the
database byte for byte as it was; the crash and I/O faults in real subprocesses are in
tests/faults/.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.faults import lines, stray_temps
from tests.helpers.refusals import log_entries, record_args, refused, succeeded

# ----------------------------------------------------- a writer without the lock (catalogue B7, B8)


def _rewrite_in_place(db: Path) -> None:
    data = json.loads(db.read_bytes())
    data["other_writer"] = {"1": {"note": "written without the lock"}}
    db.write_bytes(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def _replace_file(db: Path) -> None:
    data = json.loads(db.read_bytes())
    data["other_writer"] = {"1": {"note": "written without the lock"}}
    fresh = db.with_name("other.json")
    fresh.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    os.replace(fresh, db)


@pytest.mark.parametrize("how", [_rewrite_in_place, _replace_file], ids=["in-place", "replace"])
def test_a_writer_without_the_lock_is_detected(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch, how
):
    import povtrack.actions.writes

    real = povtrack.actions.writes.record_value
    theirs: list[bytes] = []

    def record_then_interfere(store: Any, *args: Any, **kwargs: Any) -> Any:
        entry = real(store, *args, **kwargs)
        how(db_path)  # between this command's read and its commit
        theirs.append(db_path.read_bytes())
        return entry

    monkeypatch.setattr(povtrack.actions.writes, "record_value", record_then_interfere)
    [line] = refused(run(*record_args()), 5)
    assert "changed while this command ran" in line
    assert "nothing written" in line
    assert db_path.read_bytes() == theirs[0]  # the other writer's bytes are kept
    assert stray_temps(db_path) == []
    monkeypatch.setattr(povtrack.actions.writes, "record_value", real)
    succeeded(run("db", "verify"))


# -------------------------------------------------------------------------- no flock (catalogue B9)


def test_no_flock_refuses_a_write_and_readers_still_work(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    calls: list[int] = []

    def no_flock(fd: Any, operation: int) -> None:
        calls.append(operation)
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    before = db_path.read_bytes()
    monkeypatch.setattr(fcntl, "flock", no_flock)
    [line] = refused(run(*record_args()), 6)
    assert calls, "the lock was never attempted"
    assert "cannot take the database lock" in line
    assert "locking may not work on this filesystem" in line
    assert db_path.read_bytes() == before
    result = run("status", "--json")  # readers take no lock
    succeeded(result)
    assert "rows" in json.loads(result.stdout)


# -------------------------------------------------- a stale temp file that cannot go (catalogue A9)


def test_stale_temp_file_that_cannot_be_removed_warns_and_the_write_goes_on(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    stale = db_path.with_name(f".{db_path.name}.123.tmp")
    stale.write_bytes(b'{"meta": {"1": {"sch')  # what a killed writer leaves
    real_unlink = Path.unlink

    def unlink(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name.endswith(".tmp") and self == stale:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = run(*record_args(value="5200"))  # 5 would also warn of a 万 slip (5 of 63,824)
    succeeded(result)
    warnings = [ln for ln in lines(result.stderr) if ln.startswith("warning: ")]
    assert len(warnings) == 1, result.stderr
    assert str(stale) in warnings[0]
    assert "could not remove a stale temp file" in warnings[0]
    assert stale.exists()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    succeeded(run("db", "verify"))
    [entry] = log_entries(run)
    assert (entry["area"], entry["value"]) == ("yanggao", 5200)


# -------------------------------------------------- an unwritable file or folder (catalogue C4, C5)


def _deny_access(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and os.path.realpath(path) == os.path.realpath(denied):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_read_only_database_file_is_refused_up_front(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    before = db_path.read_bytes()
    _deny_access(monkeypatch, db_path)
    [line] = refused(run(*record_args()), 6)
    assert line == f"error: {db_path}: the database file is read-only; nothing written"
    assert db_path.read_bytes() == before
    assert stray_temps(db_path) == []


def test_unwritable_database_folder_is_refused_up_front(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    before = db_path.read_bytes()
    _deny_access(monkeypatch, db_path.parent)
    [line] = refused(run(*record_args()), 6)
    folder = os.path.realpath(db_path.parent)
    assert line == f"error: {folder}: cannot write in the database's directory; nothing written"
    assert db_path.read_bytes() == before


def test_temp_file_that_cannot_be_created_names_the_folder(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = os.path.realpath(db_path.parent)

    def mkstemp(suffix: Any = None, prefix: Any = None, dir: Any = None, text: bool = False):
        # what mkstemp raises in a folder it may not write in: the would-be temp file's path
        raise PermissionError(
            errno.EACCES, os.strerror(errno.EACCES), os.path.join(dir, f"{prefix}x1y2z3{suffix}")
        )

    before = db_path.read_bytes()
    backups_before = sorted(p.name for p in db_path.with_name("db.json.backups").glob("*"))
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    [line] = refused(run(*record_args()), 6)
    assert line.startswith(f"error: {folder}/"), line
    assert "Permission denied" in line
    assert line.endswith("database unchanged")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.with_name("db.json.backups").glob("*")) == (
        backups_before
    )

"""Catalogue rows about storage and faults (A, B, C, D, K): see tests/CATALOGUE.md.

Reliability catalogue items not covered elsewhere (IDs from reliability.md): empty and
header-only returns (E-2), quoted line breaks (E-6), title rows (E-9), bad headers (E-3), bad
paths (E-1), rates and long text (G7, G9), invisible and wide spaces in names (F9, G8), a
writer without the lock (B7/B8), no flock (B9), a stale temp file that cannot go (A9), a
failure part-way through an import (A6), an unwritable file or folder (C4/C5), a restore
while the lock is held (D18) and parser usage errors (K5).

All in-process (the ``run`` fixture); faults are injected with monkeypatch. Every refusal
leaves the database byte for byte as it was.
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

from tests.helpers.faults import hold_lock, lines, stray_temps, write_returns
from tests.helpers.refusals import (
    RELOCATED,
    log_entries,
    record_args,
    refused,
    succeeded,
)

# ---------------------------------------------------------------------------- B7 / B8


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


# ---------------------------------------------------------------------------- B9


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


# ---------------------------------------------------------------------------- A9


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


# ---------------------------------------------------------------------------- A6


def test_exception_half_way_through_an_import_writes_nothing(
    run, initialised, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import povtrack.returns.reader

    returns = write_returns(tmp_path / "in" / "w.csv", 100)
    real = povtrack.returns.reader._take_row
    calls = [0]

    def take_row(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 50:
            raise RuntimeError("row handler failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(povtrack.returns.reader, "_take_row", take_row)
    before = db_path.read_bytes()
    result = run("import", str(returns.path))
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("internal error: RuntimeError: row handler failed"), line
    assert calls[0] == 50
    assert db_path.read_bytes() == before
    assert stray_temps(db_path) == []


# ---------------------------------------------------------------------------- C4 / C5


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


# ---------------------------------------------------------------------------- D18


def test_restore_while_the_lock_is_held_is_busy(run, initialised, db_path: Path):
    succeeded(run(*record_args()))  # one write: a backup to restore
    backups = db_path.with_name(db_path.name + ".backups")
    listing = {p.name: p.read_bytes() for p in sorted(backups.iterdir())}
    assert any(name.startswith("gen-") for name in listing), listing
    before = db_path.read_bytes()
    with hold_lock(db_path):
        err = refused(run("db", "restore", "--lock-timeout", "1"), 5)
    [line] = err
    assert "database busy" in line
    assert f"pid {os.getpid()}" in line  # who holds it
    assert db_path.read_bytes() == before
    assert {p.name: p.read_bytes() for p in sorted(backups.iterdir())} == listing
    assert stray_temps(db_path) == []


# ---------------------------------------------------------------------------- K5


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["record", "--nope"], "--nope", id="unknown-option"),
        pytest.param(
            ["record", RELOCATED, "--area", "yanggao"],
            "Missing argument 'value'",
            id="missing-argument",
        ),
        pytest.param(["record"], "Missing argument 'indicator'", id="no-arguments"),
    ],
)
def test_usage_error_opens_no_database_and_takes_no_lock(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.setenv("POVTRACK_DB", str(fresh / "db.json"))
    [line] = refused(run(*args), 2)
    assert fragment in line
    assert list(fresh.iterdir()) == []  # no database, no lock file, no owner note

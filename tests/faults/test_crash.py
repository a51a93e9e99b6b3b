"""Crashes and interruptions: SIGKILL at every commit point and at random moments, SIGTERM and
Ctrl-C mid-import. Every test runs povtrack in a real subprocess.

The promise under test (docs/storage.md, "Every command that writes"): killed at any moment,
the database is either exactly as before the command or exactly as after it; the next run opens
it, sweeps the killed writer's temp files, and a re-import of the same file never counts a row
twice.
Expected states are computed here from the CSV and the file's own JSON, not by povtrack.
"""

from __future__ import annotations

import os
import random
import signal
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import faults as helpers_faults
from tests.helpers.faults import (
    AFTER_COMMIT,
    BEFORE_COMMIT,
    CRASH_POINTS,
    RELOCATED,
    TEST_INDICATORS,
    Snap,
    backups,
    batch_hashes,
    clone_base,
    entry_rows,
    finish,
    hold_lock,
    lines,
    load_json,
    meta,
    no_crash_text,
    pov,
    snap,
    spawn,
    stray_temps,
    wait_for_holder,
    wait_until_waiting_for_lock,
    write_returns,
)

KILLED = -signal.SIGKILL


# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


def assert_committed(db: Path, before: Snap, added: Counter, sha: str | None = None) -> None:
    """The file is the state after one commit that added exactly ``added``."""
    after = load_json(db)
    assert entry_rows(after) == entry_rows(before.data) + added
    assert meta(after)["generation"] == meta(before.data)["generation"] + 1
    if sha is not None:
        assert batch_hashes(after)[sha] == 1


def assert_old_backups_kept(db: Path, old: dict[str, bytes]) -> None:
    now = backups(db)
    for name, raw in old.items():
        assert now.get(name) == raw, f"backup {name} lost or changed"


# ---------------------------------------------------------------------------- A1: crash points


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_at_each_commit_point_of_an_import(run, db: Path, tmp_path: Path, point: str):
    returns = write_returns(tmp_path / "w.csv", 400, indicators=TEST_INDICATORS[:2])
    before, old_backups = snap(db), backups(db)

    proc = pov(db, "import", returns.path, env={"POVTRACK_TEST_CRASH_AT": point})
    assert proc.returncode == KILLED, proc.stderr

    if point in BEFORE_COMMIT:
        assert db.read_bytes() == before.raw
    else:
        assert_committed(db, before, returns.counter, returns.sha256)
    assert_old_backups_kept(db, old_backups)
    if point in ("after_backup_link", *AFTER_COMMIT):  # the replaced file, kept as a backup
        generation = meta(before.data)["generation"]
        assert backups(db)[f"gen-{generation:06d}.json"] == before.raw
    assert run("db", "verify").exit_code == 0  # the next run opens it

    again = pov(db, "import", returns.path)
    assert again.returncode == 0, again.stderr
    no_crash_text(again.stderr)
    if point in AFTER_COMMIT:
        assert "already imported" in again.stderr
        assert "nothing new to import" in again.stderr
    else:
        assert f"imported {len(returns.rows)} entries" in again.stderr
    assert_committed(db, before, returns.counter, returns.sha256)  # never a duplicate
    assert stray_temps(db) == []  # the killed writer's temp file was swept


RECORD_W30 = ["record", RELOCATED, "6100", "--area", "tianzhen", "--week", "2018-W30"]


@pytest.mark.parametrize("point", CRASH_POINTS)
def test_sigkill_at_each_commit_point_of_a_record(run, db: Path, point: str):
    before = snap(db)
    proc = pov(db, *RECORD_W30, env={"POVTRACK_TEST_CRASH_AT": point})
    assert proc.returncode == KILLED, proc.stderr
    added = Counter({(RELOCATED, "tianzhen", "2018-07-29", 6100): 1})
    if point in BEFORE_COMMIT:
        assert db.read_bytes() == before.raw
    else:
        assert_committed(db, before, added)
    assert run("db", "verify").exit_code == 0

    nxt = pov(db, "record", RELOCATED, "10", "--area", "lingqiu", "--week", "2018-W31")
    assert nxt.returncode == 0, nxt.stderr
    assert stray_temps(db) == []
    expected = entry_rows(before.data) + Counter({(RELOCATED, "lingqiu", "2018-08-05", 10): 1})
    if point in AFTER_COMMIT:
        expected += added
    assert entry_rows(load_json(db)) == expected


@pytest.mark.parametrize(
    "point", [p for p in CRASH_POINTS if p not in ("after_read", "after_backup_link")]
)
def test_sigkill_while_init_creates_the_database(tmp_path: Path, point: str):
    """A new database has no old file to read or keep (init passes neither of those points):
    killed before the rename there is no database (never a partial one); after it, a whole
    one."""
    db = tmp_path / "db.json"
    proc = pov(db, "init", env={"POVTRACK_TEST_CRASH_AT": point})
    assert proc.returncode == KILLED, proc.stderr
    if point in AFTER_COMMIT:
        assert meta(load_json(db))["generation"] == 1
        assert pov(db, "status", "--json").returncode == 0
    else:
        assert not db.exists()
        missing = pov(db, "status", "--json")
        assert missing.returncode == 4, missing.stderr
        assert "no database here" in missing.stderr
        again = pov(db, "init")
        assert again.returncode == 0, again.stderr
    rec = pov(db, "record", RELOCATED, "1", "--area", "yanggao", "--week", "2018-W10")
    assert rec.returncode == 0, rec.stderr
    assert stray_temps(db) == []


@pytest.mark.parametrize("writer", ["init", "db-restore"])
def test_every_writer_sweeps_a_killed_writers_temp_file(base_db: Path, tmp_path: Path, writer):
    if writer == "init":
        db = tmp_path / "db.json"
        killed = pov(db, "init", env={"POVTRACK_TEST_CRASH_AT": "after_tmp_fsync"})
    else:
        db = clone_base(base_db, tmp_path)
        killed = pov(db, *RECORD_W30, env={"POVTRACK_TEST_CRASH_AT": "after_tmp_fsync"})
    assert killed.returncode == KILLED
    assert len(stray_temps(db)) == 1
    proc = pov(db, *(["init"] if writer == "init" else ["db", "restore"]))
    assert proc.returncode == 0, proc.stderr
    assert stray_temps(db) == []


@pytest.mark.parametrize(
    "point",
    [
        "after_lock",
        "mid_tmp_write",
        "after_tmp_fsync",
        *AFTER_COMMIT,
    ],
)
def test_sigkill_during_init_force_leaves_the_old_or_the_new_database(db: Path, point: str):
    """--force moves the old database aside; killed part-way, the path still holds a whole
    database: the old one (before the rename of the new one) or the new one."""
    before = snap(db)
    proc = pov(db, "init", "--force", env={"POVTRACK_TEST_CRASH_AT": point})
    assert proc.returncode == KILLED, proc.stderr
    if point in AFTER_COMMIT:
        data = load_json(db)
        assert meta(data)["generation"] == 1 and entry_rows(data) == Counter()
        [aside] = db.parent.glob("db.json.*.bak")
        assert aside.read_bytes() == before.raw
    else:
        assert db.read_bytes() == before.raw
    assert pov(db, "status", "--json").returncode == 0


# ---------------------------------------------------------------------------- A2: random kills


@pytest.mark.slow
def test_random_sigkill_during_a_large_import(base_db: Path, tmp_path: Path):
    """20 kills at random moments while a 24k-row import holds the lock; every time the
    file is the old one byte for byte or the new one entry for entry, and the next run opens
    it. Every fourth round the import is run again to the end: each row lands exactly once."""
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    db = clone_base(base_db, tmp_path / "work")
    base = snap(db)
    returns = write_returns(tmp_path / "big.csv", 24_000, indicators=TEST_INDICATORS, by="date")
    expected = entry_rows(base.data) + returns.counter

    # How long the import holds the lock here: kills are spread over that window.
    proc = spawn(db, "import", returns.path)
    assert wait_for_holder(db, proc)
    t0 = time.monotonic()
    rc, _, err = finish(proc)
    window = time.monotonic() - t0
    assert rc == 0, err

    outcomes = Counter()
    for round_ in range(20):
        db.write_bytes(base.raw)  # stray temp files of earlier rounds stay for the next run
        proc = spawn(db, "import", returns.path)
        holding = wait_for_holder(db, proc)
        delay = rng.uniform(0, window * 1.1)
        if holding:
            time.sleep(delay)
        proc.kill()
        rc, _, err = finish(proc)
        where = f"seed {seed}, round {round_}, delay {delay:.3f}, rc {rc}"
        assert rc in (0, KILLED), f"{where}: {err}"
        raw = db.read_bytes()
        if raw == base.raw:
            outcomes["before"] += 1
        else:
            after = load_json(db)  # never a partial file
            assert entry_rows(after) == expected, where
            assert meta(after)["generation"] == meta(base.data)["generation"] + 1, where
            assert batch_hashes(after)[returns.sha256] == 1, where
            outcomes["after"] += 1
        check = pov(db, "db", "verify")
        assert check.returncode == 0, f"{where}: {check.stderr}"
        if round_ % 4 == 3:
            again = pov(db, "import", returns.path)
            assert again.returncode == 0, f"{where}: {again.stderr}"
            assert entry_rows(load_json(db)) == expected, where
            assert stray_temps(db) == [], where
    print(f"random kills (seed {seed}): {dict(outcomes)}")


# ---------------------------------------------------------------------------- A4/A5: signals


def wait_for_temp_file(db: Path, proc) -> None:
    """Spin until the writer's temp file exists (it is writing the new database)."""
    deadline = time.monotonic() + 60
    while not stray_temps(db):
        assert proc.poll() is None, "the import ended before it was seen writing"
        assert time.monotonic() < deadline
        time.sleep(0.0005)


@pytest.mark.parametrize("moment", ["reading", "writing"])
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_while_the_import_holds_the_lock(
    db: Path, tmp_path: Path, sig: int, code: int, moment: str
):
    """Sent while the import reads and checks (just after it took the lock), or while it
    writes the temp file: exit 128+N, the temp file removed, the lock released, and the file
    as before or (if the signal came during the rename, which defers it) as after."""
    returns = write_returns(tmp_path / "big.csv", 40_000, indicators=TEST_INDICATORS, by="date")
    before = snap(db)
    # writing: the import waits half way through its temp file (a test hook of safefile), so
    # the signal comes while it writes however fast the machine is
    pause = {"POVTRACK_TEST_PAUSE_AT": "mid_tmp_write"} if moment == "writing" else None
    proc = spawn(db, "import", returns.path, env=pause)
    assert wait_for_holder(db, proc), "the import ended before it took the lock"
    if moment == "reading":
        time.sleep(0.05)
    else:
        wait_for_temp_file(db, proc)
    proc.send_signal(sig)
    rc, out, err = finish(proc)

    assert rc == code, err
    no_crash_text(err)
    assert out == ""
    nothing = "interrupted (nothing written)"
    written = f"interrupted (after writing {db})"
    assert [ln for ln in lines(err) if ln.startswith("interrupted")] in ([nothing], [written])
    if nothing in err:
        assert db.read_bytes() == before.raw
    else:
        assert_committed(db, before, returns.counter, returns.sha256)
    assert stray_temps(db) == []  # the handler's finally removed the temp file

    t0 = time.monotonic()
    args = ["record", RELOCATED, "3", "--area", "zuoyun", "--week", "2018-W12"]
    nxt = pov(db, *args, "--lock-timeout", "1")
    assert nxt.returncode == 0, nxt.stderr  # the lock was released
    assert time.monotonic() - t0 < 3


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_signal_while_waiting_for_the_lock(db: Path, tmp_path: Path, sig: int, code: int):
    returns = write_returns(tmp_path / "w.csv", 50, indicators=TEST_INDICATORS[:1])
    before = snap(db)
    with hold_lock(db):
        proc = spawn(db, "import", returns.path, "--lock-timeout", "60")
        wait_until_waiting_for_lock(proc)
        t0 = time.monotonic()
        proc.send_signal(sig)
        rc, out, err = finish(proc, timeout=30)
        elapsed = time.monotonic() - t0
    assert rc == code, err
    assert elapsed < 5, "the signal did not interrupt the wait for the lock"
    assert lines(err) == ["interrupted (nothing written)"]
    assert out == ""
    assert db.read_bytes() == before.raw
    assert stray_temps(db) == []

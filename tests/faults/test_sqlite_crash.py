"""A SQLite database killed in the middle of a write is the old one or the new one, never
corrupt: SIGKILL at the commit points of store_sqlite (POVTRACK_TEST_CRASH_AT), a commit torn
off the end of the WAL, a killed ``init --force``, and kills at random moments of an import.

Real subprocesses (``pov`` of tests/helpers/faults.py); the state is read with the standard
library's sqlite3.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import time
from pathlib import Path

import pytest

from tests.helpers.faults import (
    TEST_INDICATORS,
    finish,
    no_crash_text,
    pov,
    spawn,
    wait_for_holder,
    write_returns,
)

KILLED = -signal.SIGKILL


def count(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    finally:
        conn.close()


def generation(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
    finally:
        conn.close()


def verified(db: Path) -> None:
    result = pov(db, "db", "verify")
    assert result.returncode == 0, result.stderr
    no_crash_text(result.stderr)


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "crash.sqlite"
    result = pov(path, "init")
    assert result.returncode == 0, result.stderr
    result = pov(path, "record", "housing.relocated_people", "5200", "--area", "yanggao",
                 "--date", "2018-06-10")  # fmt: skip
    assert result.returncode == 0, result.stderr
    return path


@pytest.fixture
def returns(tmp_path: Path):
    return write_returns(tmp_path / "big.csv", 5000, indicators=TEST_INDICATORS, by="date")


def test_killed_before_the_commit_the_import_never_happened(db: Path, returns) -> None:
    crash = pov(db, "import", returns.path, env={"POVTRACK_TEST_CRASH_AT": "sqlite_before_commit"})
    assert crash.returncode == KILLED, crash.stderr
    assert count(db) == 1 and generation(db) == 2
    verified(db)
    again = pov(db, "import", returns.path)
    assert again.returncode == 0, again.stderr
    assert count(db) == 1 + 5000 and generation(db) == 3


def test_killed_after_the_commit_the_import_is_whole(db: Path, returns) -> None:
    crash = pov(db, "import", returns.path, env={"POVTRACK_TEST_CRASH_AT": "sqlite_after_commit"})
    assert crash.returncode == KILLED, crash.stderr
    assert count(db) == 1 + 5000 and generation(db) == 3
    verified(db)
    again = pov(db, "import", returns.path)  # the same file: already imported
    assert again.returncode == 0, again.stderr
    assert "already imported" in again.stderr
    assert count(db) == 1 + 5000


@pytest.mark.parametrize("torn", [1, 100, 4000])
def test_a_commit_torn_off_the_end_of_the_wal_is_dropped_whole(
    db: Path, returns, torn: int
) -> None:
    """The process dies after COMMIT, before any checkpoint; then the end of the WAL is lost,
    as a disk that wrote only part of it would leave it."""
    crash = pov(db, "import", returns.path, env={"POVTRACK_TEST_CRASH_AT": "sqlite_after_commit"})
    assert crash.returncode == KILLED, crash.stderr
    wal = db.with_name(db.name + "-wal")
    size = wal.stat().st_size
    assert size > torn
    with open(wal, "r+b") as f:
        f.truncate(size - torn)
    assert count(db) == 1 and generation(db) == 2  # the commit frame is gone: the old state
    verified(db)


@pytest.mark.parametrize("point", ["sqlite_before_install", "sqlite_after_install"])
def test_a_killed_init_force_leaves_the_old_or_the_new_database(db: Path, point: str) -> None:
    crash = pov(db, "init", "--force", env={"POVTRACK_TEST_CRASH_AT": point})
    assert crash.returncode == KILLED, crash.stderr
    assert count(db) == (1 if point == "sqlite_before_install" else 0)
    verified(db)
    after = pov(db, "record", "housing.relocated_people", "5300", "--area", "yanggao",
                "--date", "2018-06-17")  # fmt: skip
    assert after.returncode == 0, after.stderr
    assert not list(db.parent.glob(f".{db.name}.*.tmp*"))  # the killed writer's temp: swept


@pytest.mark.slow
def test_random_kills_during_an_import(db: Path, tmp_path: Path) -> None:
    seed = int.from_bytes(os.urandom(4), "big")
    rng = random.Random(seed)
    returns = write_returns(tmp_path / "huge.csv", 20_000, indicators=TEST_INDICATORS, by="date")
    base = db.read_bytes()  # closed by the fixture's last command: the whole database
    proc = spawn(db, "import", returns.path)
    assert wait_for_holder(db, proc)
    t0 = time.monotonic()
    rc, _, err = finish(proc)
    window = time.monotonic() - t0
    assert rc == 0, err
    seen = set()
    for round_ in range(8):
        for side in ("-wal", "-shm"):  # the killed round's: they belong to that file only
            db.with_name(db.name + side).unlink(missing_ok=True)
        db.write_bytes(base)
        proc = spawn(db, "import", returns.path)
        delay = rng.uniform(0, window * 1.1)
        if wait_for_holder(db, proc):
            time.sleep(delay)
        proc.kill()
        rc, _, err = finish(proc)
        where = f"seed {seed}, round {round_}, delay {delay:.3f}, rc {rc}"
        assert rc in (0, KILLED), f"{where}: {err}"
        added = count(db) - 1
        assert added in (0, 20_000), where
        seen.add(added)
        verified(db)
    print(f"random kills (seed {seed}): added {sorted(seen)}")


@pytest.mark.parametrize(("sig", "code"), [(signal.SIGTERM, 143), (signal.SIGINT, 130)])
def test_a_signal_during_an_import_rolls_back_or_commits_whole(
    db: Path, tmp_path: Path, sig: int, code: int
) -> None:
    returns = write_returns(tmp_path / "big.csv", 20_000, indicators=TEST_INDICATORS, by="date")
    proc = spawn(db, "import", returns.path)
    assert wait_for_holder(db, proc)
    time.sleep(0.3)
    proc.send_signal(sig)
    rc, _, err = finish(proc)
    no_crash_text(err)
    if rc == 0:  # it finished first
        assert count(db) == 1 + 20_000
        return
    assert rc == code, err
    [line] = [ln for ln in err.splitlines() if ln.startswith("interrupted")]
    assert count(db) == (1 + 20_000 if "after writing" in line else 1), line
    verified(db)


def test_a_reader_during_a_write_sees_the_old_or_the_new_database(db: Path, tmp_path: Path):
    """WAL: a reader is neither blocked by a writer (no exit 5) nor shown half its work."""
    returns = write_returns(tmp_path / "big.csv", 20_000, indicators=TEST_INDICATORS, by="date")
    proc = spawn(db, "import", returns.path)
    assert wait_for_holder(db, proc)
    seen = set()
    while proc.poll() is None or not seen:
        shown = pov(db, "log", "--all", "--json")
        assert shown.returncode == 0, shown.stderr
        seen.add(len(json.loads(shown.stdout)["entries"]))
    rc, _, err = finish(proc)
    assert rc == 0, err
    assert seen <= {1, 1 + 20_000}, seen

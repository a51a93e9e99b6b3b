"""Several writers at once, and a writer that finds the lock taken. Real subprocesses.

One writer at a time (a flock on ``<real path>.lock``): concurrent imports are serialised and
each reads the file fresh, so every row lands exactly once; a file imported twice at once is
counted once; a writer that cannot get the lock within ``--lock-timeout`` exits 5, names the
holder and writes nothing. Readers take no lock and only ever see whole files.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers import faults as helpers_faults
from tests.helpers.db import entry_docs
from tests.helpers.faults import (
    RELOCATED,
    TEST_INDICATORS,
    batch_hashes,
    entry_rows,
    finish,
    folder_state,
    hold_lock,
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

# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


def read_while_running(db: Path, procs: list[subprocess.Popen[str]]) -> list[int]:
    """Read the file over and over until every process has ended; each read must be a whole
    JSON document. Returns the generations seen, in order."""
    seen = []
    while any(p.poll() is None for p in procs):
        seen.append(meta(json.loads(db.read_bytes()))["generation"])
        time.sleep(0.01)
    return seen


# ---------------------------------------------------------------------------- B1/B2


def test_five_processes_importing_different_files_at_once(db: Path, tmp_path: Path):
    before = snap(db)
    files = [
        write_returns(
            tmp_path / f"office{k}.csv", 1500, indicators=TEST_INDICATORS, by="date", skip=k * 1500
        )
        for k in range(5)
    ]
    expected = entry_rows(before.data) + sum((f.counter for f in files), Counter())
    assert sum(expected.values()) == len(entry_docs(before.data)) + 7500  # keys are disjoint

    procs = [spawn(db, "import", f.path, "--lock-timeout", "60") for f in files]
    generations = read_while_running(db, procs)
    results = [finish(p) for p in procs]

    for rc, _, err in results:
        assert rc == 0, err
        no_crash_text(err)
        assert "imported 1500 entries from 1 file(s)" in err
    after = load_json(db)
    assert entry_rows(after) == expected  # every row exactly once
    assert meta(after)["generation"] == meta(before.data)["generation"] + 5
    hashes = batch_hashes(after)
    assert all(hashes[f.sha256] == 1 for f in files)
    batch_ids = [b["id"] for b in after["batches"].values()]
    assert len(batch_ids) == len(set(batch_ids)) == len(before.data["batches"]) + 5
    assert generations == sorted(generations)  # readers never saw a generation go back
    assert stray_temps(db) == []


# ---------------------------------------------------------------------------- B3


@pytest.mark.parametrize("second", ["same-path", "copy"])
def test_the_same_file_imported_by_two_processes_at_once(db: Path, tmp_path: Path, second):
    before = snap(db)
    returns = write_returns(tmp_path / "w23.csv", 2000, indicators=TEST_INDICATORS)
    other = returns.path
    if second == "copy":  # the same content under another name: known by its hash
        other = tmp_path / "w23 (2).csv"
        shutil.copyfile(returns.path, other)
    procs = [spawn(db, "import", path, "--lock-timeout", "60") for path in (returns.path, other)]
    results = [finish(p) for p in procs]

    assert [rc for rc, _, _ in results] == [0, 0], results
    errs = [err for _, _, err in results]
    applied = [e for e in errs if f"imported {len(returns.rows)} entries" in e]
    noop = [e for e in errs if "already imported" in e and "nothing new to import" in e]
    assert len(applied) == 1, errs
    assert len(noop) == 1, errs
    after = load_json(db)
    assert entry_rows(after) == entry_rows(before.data) + returns.counter  # counted once
    assert batch_hashes(after)[returns.sha256] == 1
    assert meta(after)["generation"] == meta(before.data)["generation"] + 1  # no-op: no commit


# ---------------------------------------------------------------------------- B4

RECORD = ["record", RELOCATED, "1", "--area", "lingqiu", "--week", "2018-W30"]


BUSY_COMMANDS = {
    "record": (RECORD, 1),
    "import-global-option": (["--lock-timeout", "1", "import", "{csv}"], 1),
    "import-after": (["import", "{csv}", "--lock-timeout", "2"], 2),
    "target-set": (["target", "set", RELOCATED, "77", "--area", "zuoyun"], 1),
    "init-force": (["init", "--force"], 1),
    "no-wait": (
        [
            "record",
            RELOCATED,
            "1",
            "--area",
            "lingqiu",
            "--week",
            "2018-W30",
            "--lock-timeout",
            "0",
        ],
        0,
    ),
}


@pytest.mark.parametrize("name", list(BUSY_COMMANDS))
def test_a_held_lock_is_exit_5_after_the_timeout(db: Path, tmp_path: Path, name: str):
    args, timeout = BUSY_COMMANDS[name]
    csv = write_returns(tmp_path / "w.csv", 20, indicators=TEST_INDICATORS[:1]).path
    args = [str(csv) if a == "{csv}" else a for a in args]
    env = {"POVTRACK_LOCK_TIMEOUT": "1"} if "--lock-timeout" not in args else None
    before = folder_state(tmp_path)
    with hold_lock(db):
        t0 = time.monotonic()
        proc = pov(db, *args, env=env)
        elapsed = time.monotonic() - t0
    assert proc.returncode == 5, proc.stderr
    assert timeout <= elapsed <= timeout + 3, elapsed
    no_crash_text(proc.stderr)
    assert proc.stdout == ""
    [line] = lines(proc.stderr)
    assert line.startswith(f"error: {db}: database busy: ")
    assert f"locked by pid {os.getpid()} on {socket.gethostname()} since " in line
    assert "(pytest holding the lock)" in line
    assert f"waited {timeout} s" in line
    assert folder_state(tmp_path) == before  # nothing written, moved or created

    proc = pov(db, *args, env=env)  # the lock is free again
    assert proc.returncode == 0, proc.stderr


def test_a_lock_note_from_a_dead_process_is_not_named(db: Path):
    """The holder side file outlives its writer; a busy message must not blame a dead pid."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    note = {"pid": dead.pid, "host": socket.gethostname(), "since": "2018-06-10T08:00:00+08:00"}
    before = db.read_bytes()
    with hold_lock(db, note=note):
        proc = pov(db, "--lock-timeout", "0", *RECORD)
    assert proc.returncode == 5, proc.stderr
    [line] = lines(proc.stderr)
    assert "database busy" in line
    assert f"pid {dead.pid}" not in line
    assert f"{db}.lock" in line
    assert db.read_bytes() == before


def test_every_path_to_the_file_shares_one_lock(db: Path, tmp_path: Path):
    """A symlink and a relative path to the same database take the same lock (realpath)."""
    link = tmp_path / "elsewhere" / "link.json"
    link.parent.mkdir()
    link.symlink_to(db)
    before = db.read_bytes()
    with hold_lock(db):
        for path in (str(link), "db.json"):  # relative: povtrack runs in tmp_path
            proc = pov(db, "--lock-timeout", "0", "--db", path, *RECORD)
            assert proc.returncode == 5, (path, proc.stderr)
    proc = pov(db, "--lock-timeout", "0", "--db", str(link), *RECORD)
    assert proc.returncode == 0, proc.stderr
    assert db.read_bytes() != before
    assert not Path(str(link) + ".lock").exists()  # the lock lives beside the real file

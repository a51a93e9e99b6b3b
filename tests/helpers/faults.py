"""Shared helpers for the fault tests (tests/faults/).

- ``pov`` / ``spawn``: ``python -m povtrack`` in a real subprocess, with its own environment
  (nothing inherited from ``POVTRACK_*``), so exit codes, signals, rlimits and file descriptors
  are the real ones;
- ``Snap`` / ``snap``: a database file's bytes and hash, taken before a command;
- ``entry_rows`` / ``meta``: what a database file holds, read straight from its JSON (never
  through povtrack's own loader, so the expected state is computed independently; the raw
  layout of entries is known only to ``tests.helpers.db.entry_docs``);
- ``write_returns``: a weekly-returns CSV of any size, and the rows it must add;
- ``hold_lock`` / ``wait_for_holder``: the database lock from the outside.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.built import built_once
from tests.helpers.db import entry_docs

# Areas of the bundled plan datong-2018 (`povtrack areas --json`), the city first.
AREAS = (
    "datong",
    "pingcheng",
    "yungang",
    "xinrong",
    "yunzhou",
    "yanggao",
    "tianzhen",
    "guangling",
    "lingqiu",
    "hunyuan",
    "zuoyun",
)
# Quantity indicators counted in people: any whole number ≥ 0 is a valid value.
PEOPLE = (
    "housing.relocated_people",
    "housing.relocated_registered",
    "housing.relocated_alongside",
    "goals.people_exited",
    "jobs.placed",
    "village.safe_water",
    "welfare.dibao_covered",
    "ecology.eco_jobs",
)
RELOCATED = "housing.relocated_people"
PLAN_START = date(2018, 1, 1)
PLAN_END = date(2019, 12, 31)
CRASH_POINTS = (
    "after_lock",
    "after_read",
    "mid_tmp_write",
    "after_tmp_fsync",
    "after_backup_link",
    "after_replace",
    "before_dir_fsync",
)
BEFORE_COMMIT = CRASH_POINTS[:5]  # a kill here leaves the old file, byte for byte
AFTER_COMMIT = CRASH_POINTS[5:]  # a kill here leaves the committed file

Row = tuple[str, str, str, float]  # (indicator, area, ISO date, value)


# ---------------------------------------------------------------------------- processes


def pov_env(db: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a povtrack subprocess: this test's database, English, fixed user."""
    home = db.parent / "home"
    home.mkdir(exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("POVTRACK_") and k not in ("COLUMNS", "TMPDIR")
    }
    env |= {
        "POVTRACK_DB": str(db),
        "POVTRACK_LANG": "en",
        "POVTRACK_USER": "tester",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg-data"),
        "PYTHONIOENCODING": "utf-8",
    }
    return env | (extra or {})


def _preexec(fsize_limit: int | None, umask: int | None):
    if fsize_limit is None and umask is None:
        return None

    def pre() -> None:  # runs in the child, before exec
        if umask is not None:
            os.umask(umask)
        if fsize_limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit: EFBIG
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize_limit, fsize_limit))

    return pre


def pov(
    db: Path,
    *args: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    timeout: float = 120,
    fsize_limit: int | None = None,
    umask: int | None = None,
) -> subprocess.CompletedProcess[str]:
    """Run ``python -m povtrack ARGS`` against ``db`` and wait for it."""
    return subprocess.run(
        [sys.executable, "-m", "povtrack", *map(os.fspath, args)],
        env=pov_env(db, env),
        cwd=db.parent,
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
        preexec_fn=_preexec(fsize_limit, umask),
    )


def spawn(
    db: Path, *args: str | os.PathLike[str], env: dict[str, str] | None = None
) -> subprocess.Popen[str]:
    """Start ``python -m povtrack ARGS`` against ``db`` without waiting."""
    return subprocess.Popen(
        [sys.executable, "-m", "povtrack", *map(os.fspath, args)],
        env=pov_env(db, env),
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
    )


def finish(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str, str]:
    """Wait for a spawned process: (returncode, stdout, stderr)."""
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"povtrack did not finish in {timeout} s: {err}") from None
    return proc.returncode, out, err


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def no_crash_text(*texts: str) -> None:
    """Nothing a user can cause may print a traceback or an internal error."""
    for text in texts:
        assert "Traceback (most recent call last)" not in text, text
        assert "internal error: " not in text, text  # (--help mentions "internal errors")


# ---------------------------------------------------------------------------- database files


@dataclass(frozen=True)
class Snap:
    raw: bytes

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.raw).hexdigest()

    @property
    def data(self) -> dict[str, Any]:
        return json.loads(self.raw.decode("utf-8"))


def snap(path: Path) -> Snap:
    return Snap(path.read_bytes())


def load_json(path: Path) -> dict[str, Any]:
    """The database file parsed as JSON: fails the test if it is not a whole JSON document."""
    return json.loads(path.read_bytes().decode("utf-8"))


def meta(data: dict[str, Any]) -> dict[str, Any]:
    return data["meta"]["1"]


def entry_rows(data: dict[str, Any]) -> Counter[Row]:
    """The entries of a parsed database file (either layout), as a multiset of (indicator,
    area, date, value)."""
    return Counter(
        (d["indicator"], d["area"], d["date"], d["value"]) for d in entry_docs(data).values()
    )


def batch_hashes(data: dict[str, Any]) -> Counter[str]:
    return Counter(
        f["sha256"] for b in data.get("batches", {}).values() for f in b.get("files", [])
    )


def stray_temps(db: Path) -> list[Path]:
    """Temp files of a writer (``.NAME.*.tmp``) beside the real database file."""
    real = Path(os.path.realpath(db))
    return sorted(real.parent.glob(f".{real.name}.*.tmp"))


def backups(db: Path) -> dict[str, bytes]:
    folder = Path(os.path.realpath(db) + ".backups")
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def folder_state(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes, except the lock's side files
    (a writer takes the lock before it can know the database is bad) and the subprocesses'
    HOME (``pov_env``)."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith((".lock", ".lock.owner"))
        and p.relative_to(folder).parts[0] != "home"
    }


# ---------------------------------------------------------------------------- returns files


def iso_week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def periods(by: str) -> list[tuple[str, str]]:
    """Every period of the plan window as (CSV cell, ISO date it stands for)."""
    if by == "week":  # an ISO week stands for its Sunday
        out = []
        for year in (2018, 2019):
            for week in range(1, 53):
                out.append((f"{year}-W{week:02d}", date.fromisocalendar(year, week, 7)))
        return [(cell, d.isoformat()) for cell, d in out if PLAN_START <= d <= PLAN_END]
    days = (PLAN_END - PLAN_START).days + 1
    return [((PLAN_START + timedelta(n)).isoformat(),) * 2 for n in range(days)]


@dataclass
class Returns:
    path: Path
    rows: list[Row]

    @property
    def counter(self) -> Counter[Row]:
        return Counter(self.rows)

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def write_returns(
    path: Path,
    n: int,
    *,
    indicators: Iterable[str] = PEOPLE,
    areas: Iterable[str] = AREAS,
    by: str = "week",
    base: int = 1,
    step: int = 7,
    skip: int = 0,
) -> Returns:
    """A returns CSV of ``n`` rows: indicators × areas × periods (each key once, values rising
    per indicator and area), after skipping the first ``skip`` combinations."""
    header = f"{'week' if by == 'week' else 'date'},area,indicator,value"
    out, rows = [header], []
    cells = periods(by)
    keys = ((i, a, p) for i in indicators for a in areas for p in range(len(cells)))
    for k, (indicator, area, p) in enumerate(keys):
        if k < skip:
            continue
        if len(rows) == n:
            break
        cell, day = cells[p]
        value = base + step * p
        out.append(f"{cell},{area},{indicator},{value}")
        rows.append((indicator, area, day, value))
    if len(rows) < n:
        raise ValueError(f"only {len(rows)} distinct keys for {n} rows")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return Returns(path, rows)


# ---------------------------------------------------------------------------- the lock


def lock_file(db: Path) -> Path:
    return Path(os.path.realpath(db) + ".lock")


@contextlib.contextmanager
def hold_lock(db: Path, *, note: dict[str, Any] | None = None) -> Iterator[int]:
    """Hold the database's writer lock (flock, as filelock takes it) in this process.

    ``note`` is written to the holder side file; by default it names this process."""
    path = lock_file(db)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        if note is None:
            note = {
                "pid": os.getpid(),
                "host": socket.gethostname(),
                "since": datetime.now().astimezone().isoformat(timespec="seconds"),
                "command": "pytest holding the lock",
            }
        Path(str(path) + ".owner").write_text(json.dumps(note), encoding="utf-8")
        yield fd
    finally:
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def holder_pid(db: Path) -> int | None:
    try:
        return int(json.loads(Path(str(lock_file(db)) + ".owner").read_text("utf-8"))["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def wait_for_holder(db: Path, proc: subprocess.Popen[str], timeout: float = 30) -> bool:
    """Wait until ``proc`` holds the lock (its pid in the holder note): True, or False if it
    ended first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if holder_pid(db) == proc.pid:
            return True
        if proc.poll() is not None:
            return False
        time.sleep(0.002)
    raise AssertionError(f"pid {proc.pid} never took the lock in {timeout} s")


def _cpu_ticks(pid: int) -> tuple[str, int]:
    """(state, utime + stime) of a process, from /proc/PID/stat."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return fields[0], int(fields[11]) + int(fields[12])


def wait_until_waiting_for_lock(
    proc: subprocess.Popen[str], timeout: float = 30, settle: float = 0.6
) -> None:
    """Wait until ``proc`` (started while this test holds the lock) is blocked on the lock:
    past its start-up, asleep, and using no CPU over several samples. filelock polls with a
    non-blocking flock, so there is no open lock file to see."""
    started = time.monotonic()
    deadline = started + timeout
    quiet, last = 0, None
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the process ended before it reached the lock"
        state, ticks = _cpu_ticks(proc.pid)
        quiet = quiet + 1 if (state == "S" and ticks == last) else 0
        last = ticks
        if quiet >= 4 and time.monotonic() - started >= settle:
            return
        time.sleep(0.05)
    raise AssertionError(f"pid {proc.pid} never settled waiting for the lock")


# ---------------------------------------------------------------------------- a base database

BASE_INDICATORS = ("ecology.eco_jobs", "welfare.dibao_covered")  # fault tests import others
TEST_INDICATORS = tuple(i for i in PEOPLE if i not in BASE_INDICATORS)


def make_base(folder: Path) -> Path:
    """A real database built by real commands: init, an import, a record and an allocation
    (so it has entries, batches, an allocation and a few backups). Returns its path."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "db.json"
    base = write_returns(folder / "base.csv", 300, indicators=BASE_INDICATORS)
    for args in (
        ["init"],
        ["import", str(base.path)],
        ["record", RELOCATED, "5200", "--area", "阳高县", "--week", "2018-W23", "--note", "基线"],
        ["target", "set", RELOCATED, "9000", "--area", "tianzhen"],
    ):
        proc = pov(db, *args)
        assert proc.returncode == 0, (args, proc.stderr)
    return db


def clone_base(base_db: Path, folder: Path) -> Path:
    """Copy a base database and its backups folder to ``folder`` (modes and times kept)."""
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / base_db.name
    shutil.copy2(base_db, db)
    src_backups = Path(str(base_db) + ".backups")
    if src_backups.is_dir():
        shutil.copytree(src_backups, Path(str(db) + ".backups"))
    return db


# The fixtures every fault module uses: expose them in a test module as
# ``base_db = helpers_faults.base_db`` and ``db = helpers_faults.db`` (one base per module).


@pytest.fixture(scope="module")
def base_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The base database, made once for the whole run (every module's is the same); tests
    read it or copy it (``db``, ``clone_base``), never write it."""
    return built_once(tmp_path_factory, "fault-base", make_base) / "db.json"


@pytest.fixture
def db(base_db: Path, tmp_path: Path) -> Path:
    """A copy of the base database (with its backups) at tmp_path/db.json, where the
    in-process ``run`` fixture points."""
    return clone_base(base_db, tmp_path)


RECORD = ["record", RELOCATED, "4100", "--area", "guangling", "--week", "2018-W33"]
RECORD_ROW = (RELOCATED, "guangling", "2018-08-19", 4100)  # the entry RECORD adds


def edit_file(db: Path, change: Any) -> None:
    """Rewrite the database as ``change`` leaves its parsed JSON (or as what it returns)."""
    data = load_json(db)
    data = change(data) or data
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def refusal(result: Any, db: Path) -> str:
    """Exit 4, nothing on stdout, one error line naming the database: that line."""
    assert result.exit_code == 4, (result.exit_code, result.stderr)
    no_crash_text(result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db}: "), line
    return line


def newest_backup_hint(db: Path) -> str:
    """The hint a refusal must end with, worked out from the backups folder itself: the
    most recently written backup that parses, and the generation inside it."""
    folder = Path(f"{db}.backups")
    found = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for path in found:
        try:
            generation = json.loads(path.read_bytes())["meta"]["1"].get("generation", 0)
        except ValueError:
            continue
        return (
            f"; newest good backup: {path} (generation {generation}); "
            "restore it with 'povtrack db restore'"
        )
    return f"; no good backup in {folder}"

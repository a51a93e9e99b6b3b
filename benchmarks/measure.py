"""How the benchmark measures: a command (``Cmd``) and a group of commands timed side by side
(``Group``, ``run_group``), each run one whole process started by a small helper (``spawn``),
and the generated data a group runs on (``dataset``, ``writer``).

Invariants: every process is ``sys.executable`` (povtrack through the ``povtrack`` script
installed beside it, ``python -m povtrack`` where there is none); a measurement is one
``posix_spawn`` + ``os.wait4`` by the helper, wall time around both, peak memory from
``ru_maxrss``, stdout to /dev/null. A command with a memory cap runs under that RLIMIT_AS (a
process that needs more fails, as it would on a smaller machine, instead of pressing on
everything else on this one). A command that failed once is not run again in that group.
Standard library only at import time.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import generate  # benchmarks/generate.py: standard library at import time

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
PY = sys.executable
_SCRIPT = Path(PY).with_name("povtrack")  # the console script pip installs, as users run it
POVTRACK = [str(_SCRIPT)] if _SCRIPT.is_file() else [PY, "-m", "povtrack"]
MB = 1_000_000  # peaks are in MB of 10^6 bytes (ru_maxrss is in KiB on Linux)
# the naive floor: a fresh process reading the same entries, one JSON object each
NAIVE = "import json, sys\nwith open(sys.argv[1], encoding='utf-8') as f:\n    json.load(f)"

# A command's own way to run once, instead of one spawned process: (seconds, peak MB or None,
# exit code, stderr tail)
Runner = Callable[[], tuple[float, float | None, int, str]]


@dataclass
class Cmd:
    label: str
    argv: list[str]
    prepare: Callable[[], dict[str, int]] | None = None  # untimed, before each run
    check: Callable[[dict[str, int]], str | None] | None = (
        None  # after each run: a problem, or None
    )
    cap_mb: int = 0  # the process's address-space limit (0: none)
    run: Runner | None = None
    times: list[float] = field(default_factory=list)
    peaks: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def median_ms(self) -> float | None:
        return statistics.median(self.times) * 1000 if self.times else None

    def peak_mb(self) -> float | None:
        return statistics.median(self.peaks) if self.peaks else None


@dataclass
class Group:
    title: str
    reference: str  # label of the command the ratios are taken against
    cmds: dict[str, Cmd] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)  # data that could not be made
    notes: list[str] = field(default_factory=list)  # said under its table

    def ratio(self, key: str) -> float | None:
        ms, ref = self.cmds[key].median_ms(), self.cmds[self.reference].median_ms()
        return ms / ref if ms is not None and ref else None


# Started once; starts every measured process. A process started by posix_spawn (vfork) is
# charged the memory of its parent in ru_maxrss: this parent stays as small as python itself.
SPAWNER = """
import json, os, resource, sys, time
AS = resource.RLIMIT_AS
for line in sys.stdin:
    argv, env, err, cap = json.loads(line)
    out = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
           (os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
           (os.POSIX_SPAWN_OPEN, 2, err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)]
    before = resource.getrlimit(AS)
    if cap:  # inherited by the child; this helper's own use stays far below it
        resource.setrlimit(AS, (cap, before[1]))
    start = time.perf_counter()
    pid = os.posix_spawn(argv[0], argv, env, file_actions=out)
    _, status, usage = os.wait4(pid, 0)
    seconds = time.perf_counter() - start
    resource.setrlimit(AS, before)
    with open("/proc/self/status") as f:  # its own peak, not what it was charged at spawn
        own = int(next(ln for ln in f if ln.startswith("VmHWM")).split()[1])
    print(json.dumps([seconds, usage.ru_maxrss, os.waitstatus_to_exitcode(status), own]))
    sys.stdout.flush()
"""
_spawner: list[subprocess.Popen[str]] = []
SPAWNER_PEAK = [0.0]


def spawn(argv: list[str], env: dict[str, str], cap_mb: int = 0) -> tuple[float, float, int, str]:
    """One whole process: (seconds, peak MB, exit code, stderr tail). Stdout goes to /dev/null."""
    if not _spawner:
        pipe = subprocess.PIPE
        _spawner.append(subprocess.Popen([PY, "-c", SPAWNER], stdin=pipe, stdout=pipe, text=True))
    helper, err = _spawner[0], WORK / "stderr.txt"
    assert helper.stdin and helper.stdout
    helper.stdin.write(json.dumps([argv, env, str(err), cap_mb * MB]) + "\n")
    helper.stdin.flush()
    seconds, peak, code, own = json.loads(helper.stdout.readline())
    SPAWNER_PEAK[0] = max(SPAWNER_PEAK[0], own * 1024 / MB)
    tail = err.read_text(errors="replace")[-600:] if code else ""
    return seconds, peak * 1024 / MB, code, tail


def close_spawner() -> None:
    for helper in _spawner:
        helper.communicate()  # closes its stdin: it ends
    _spawner.clear()


def run_group(group: Group, runs: int, warmup: int, env: dict[str, str]) -> None:
    print(f"-- {group.title}: {warmup} warm-up + {runs} round(s) of {len(group.cmds)} commands")
    for n in range(warmup + runs):
        for cmd in group.cmds.values():
            if cmd.failures:
                continue  # failed once: another run would only fail again, slowly
            state = cmd.prepare() if cmd.prepare else {}
            if cmd.run is not None:
                seconds, peak, code, tail = cmd.run()
            else:
                seconds, peak, code, tail = spawn(cmd.argv, env, cmd.cap_mb)
            if code != 0:
                cmd.failures.append(f"exit {code} after {seconds:.1f} s: {tail.strip()}")
            elif cmd.check and (problem := cmd.check(state)):
                cmd.problems.append(problem)
            if n >= warmup and code == 0:
                cmd.times.append(seconds)
                if peak is not None:
                    cmd.peaks.append(peak)


# ---------------------------------------------------------------------------- the database


def generation(db: Path, env: dict[str, str]) -> int:
    """The database's generation: from the head of a JSON file, else asked of povtrack."""
    if db.suffix == ".json":
        with open(db, "rb") as f:
            m = re.search(rb'"generation":\s*(\d+)', f.read(65536))
        if m:
            return int(m.group(1))
    code = "import sys, pathlib\nfrom povtrack.storage import Database\n"
    code += "print(Database.open(pathlib.Path(sys.argv[1])).generation)"
    done = subprocess.run([PY, "-c", code, str(db)], env=env, capture_output=True, text=True)
    return int(done.stdout.strip() or -1)


def backups(db: Path) -> int:
    folder = Path(f"{db}.backups")
    return sum(1 for _ in folder.iterdir()) if folder.is_dir() else 0


def writer(
    label: str, src: Path, dst: Path, args: list[str], env: dict[str, str], cap_mb: int = 0
) -> Cmd:
    """A command that writes: on a fresh copy of ``src`` each run, written exactly once."""

    def prepare() -> dict[str, int]:
        generate.remove_database(dst)
        shutil.copyfile(src, dst)
        return {"generation": generation(dst, env), "backups": backups(dst)}

    def check(before: dict[str, int]) -> str | None:
        writes = generation(dst, env) - before["generation"]
        kept = backups(dst) - before["backups"]
        if writes == 1 and (kept == 1 or dst.suffix != ".json"):
            return None
        return f"{writes} write(s) (generation), {kept} new backup file(s)"

    return Cmd(label, [*POVTRACK, "--db", str(dst), *args], prepare, check, cap_mb)


def dataset(
    size: int,
    backend: str,
    regenerate: bool,
    *,
    shape: str = "townships",
    importers: int = 0,
    csv_rows: int = generate.CSV_ROWS,
    naive: bool = True,
    db: str | None = None,
    present: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """The size's data, generated unless cached with the same fingerprint and options; a
    PostgreSQL database (``db``, its URL) also counts as cached only when ``present()``."""
    stem = f"n{size}" + ("" if shape == "townships" else f"-{shape}")
    path = WORK / f"{stem}{generate.SUFFIX[backend]}.manifest.json"
    if path.exists() and not regenerate:
        m = json.loads(path.read_text(encoding="utf-8"))
        files = [m["returns_csv"], *m.get("importers", [])]
        files += [m["naive"]] if naive else []
        files += [m["db"]] if backend != "postgresql" else []
        made = len(m.get("importers", []))
        if (
            m["fingerprint"] == generate.fingerprint()
            and all(f and os.path.exists(f) for f in files)
            and made >= importers  # more returns for importers never change the database
            and m.get("returns_rows") == csv_rows
            and (backend != "postgresql" or (present is not None and present()))
        ):
            return m  # type: ignore[no-any-return]
    path.unlink(missing_ok=True)  # a generation cut short leaves no manifest behind
    label = f"{size:,} entries ({backend}, {shape})"
    print(f"-- generating {label} ...", flush=True)
    argv = [PY, str(HERE / "generate.py"), "--entries", str(size), "--backend", backend]
    argv += ["--shape", shape, "--importers", str(importers), "--csv-rows", str(csv_rows)]
    argv += ["--out", str(WORK), *([] if naive else ["--no-naive"]), *(["--db", db] if db else [])]
    seconds, _peak, code, tail = spawn(argv, dict(os.environ))
    if code != 0:
        raise RuntimeError(f"generate.py, {label}: exit {code}: {tail}")
    print(f"   generated in {seconds:.1f} s", flush=True)
    manifest: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return manifest

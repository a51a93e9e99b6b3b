"""A signal at any moment from povtrack's first line of code on gives exit 128+N and the one
line "interrupted (nothing written)", never a traceback (issue 11, item 7) — the moments
before the command runs included: while Python loads typer, rich and the commands.

The moment is found from outside: the child runs with PYTHONVERBOSE=1, which makes Python say
"import 'povtrack'" once it has run the package's ``__init__`` (whose first lines set up the
handlers); the test sends SIGINT or SIGTERM a chosen delay after that line (0 to 0.7 s), to
`python -m povtrack status` and to the installed `povtrack` command. Python's own lines (those
of PYTHONVERBOSE) are left out of what is checked.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from tests.helpers.faults import pov, pov_env

DELAYS = (0, 0.001, 0.002, 0.004, 0.008, 0.015, 0.03, 0.05, 0.08, 0.12, 0.2, 0.3, 0.45, 0.7)
STARTED = re.compile(r"^import 'povtrack' #")
SAID = "interrupted (nothing written)"
# What PYTHONVERBOSE=1 itself prints: imports, site-packages, the banner
VERBOSE = re.compile(r"^(#|import |Processing |Adding directory|Skipping |Python 3|Type \"help\")")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "db.json"
    result = pov(path, "init")
    assert result.returncode == 0, result.stderr
    return path


def _entry(kind: str) -> list[str]:
    if kind == "module":
        return [sys.executable, "-m", "povtrack"]
    script = Path(sys.executable).with_name("povtrack")
    assert script.exists(), f"{script}: install povtrack first (pip install -e '.[test]')"
    return [str(script)]


def _signal_after_start(db: Path, entry: list[str], sig: int, delay: float):
    """Start `ENTRY status`, send ``sig`` ``delay`` s after povtrack's package ran; returns
    (exit code, povtrack's own stderr lines)."""
    proc = subprocess.Popen(
        [*entry, "status"],
        env=pov_env(db, {"PYTHONVERBOSE": "1"}),
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="backslashreplace",
    )
    assert proc.stderr is not None and proc.stdout is not None
    err: list[str] = []
    for line in proc.stderr:  # Python's verbose lines, until povtrack's first line runs
        err.append(line)
        if STARTED.match(line):
            break
    else:
        raise AssertionError("povtrack never started: " + "".join(err[-5:]))
    time.sleep(delay)
    proc.send_signal(sig)
    rest: list[str] = []
    drain = threading.Thread(target=lambda: rest.extend(proc.stderr))  # type: ignore[arg-type]
    drain.start()
    proc.stdout.read()  # the status table, if it got that far
    code = proc.wait(timeout=60)
    drain.join(timeout=60)
    # Python's verbose lines come in pieces: a signal's line may land inside one of them
    text = "".join(err + rest)
    said = [SAID] * text.count(SAID)
    text = text.replace(SAID, "")
    own = [ln for ln in text.splitlines() if ln.strip() and not VERBOSE.match(ln)]
    return code, own + said


@pytest.mark.slow  # a signal at random moments, in four processes each: CI runs -m slow
@pytest.mark.parametrize("kind", ["module", "script"])
@pytest.mark.parametrize(("sig", "code"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_a_signal_at_any_moment_of_start_up(db: Path, kind: str, sig: int, code: int) -> None:
    entry = _entry(kind)
    interrupted = 0
    for delay in DELAYS:
        rc, own = _signal_after_start(db, entry, sig, delay)
        assert not any("Traceback" in ln for ln in own), (delay, own)
        if rc == 0:  # the command was done before the signal came: it is ignored from then
            assert own == [], (delay, own)
            continue
        assert rc == code, (delay, rc, own)
        assert own == ["interrupted (nothing written)"], (delay, own)
        interrupted += 1
    assert interrupted >= len(DELAYS) // 2  # most signals came while it started or ran


def test_importing_povtrack_as_a_library_leaves_the_signals_alone(tmp_path: Path) -> None:
    code = (
        "import signal, sys; import povtrack; "
        "print(signal.getsignal(signal.SIGTERM) is signal.SIG_DFL, "
        "signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert proc.stdout.split() == ["True", "True"], proc.stderr


def test_the_command_still_works(db: Path) -> None:
    assert pov(db, "status", "--json").returncode == 0


CALLBACK = """
import importlib, os, signal, sys, time, weakref
app = importlib.import_module("povtrack.cli.app")  # the module, not the Typer app
from povtrack.errors import Interrupted
sys.unraisablehook = app._unraisable  # as main() sets up
signal.signal(signal.SIGALRM, app._raise_deferred)
signal.signal(signal.SIGTERM, app._raise_interrupted)
class Thing: pass
def callback(ref):  # Python runs it (here, when the thing goes): an exception cannot leave it
    os.kill(os.getpid(), signal.SIGTERM)
    for _ in range(10000): pass
thing = Thing()
ref = weakref.ref(thing, callback)
try:
    del thing
    start = time.monotonic()
    while time.monotonic() - start < 5: pass
    print("lost")
except Interrupted as exc:
    print("raised", exc.args[0])
"""


def test_a_signal_inside_a_python_callback_is_raised_again_not_lost() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", CALLBACK], capture_output=True, text=True, timeout=60
    )
    assert proc.stderr == ""  # no "Exception ignored in: <function callback ...>"
    assert proc.stdout.split() == ["raised", str(int(signal.SIGTERM))]


def test_a_signal_wrapped_by_python_is_an_interruption_not_an_internal_error(
    run, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Python 3.11 raises an exception from a class's __set_name__ as a RuntimeError caused by
    # it: a signal there must still be "interrupted", not "internal error".
    from povtrack.cli import areas
    from povtrack.errors import Interrupted
    from povtrack.storage import safefile

    monkeypatch.setattr(safefile, "COMMITTED", [])  # earlier tests in this process wrote files

    def areas_then_signal(*args: object, **kwargs: object) -> None:
        try:
            raise Interrupted(int(signal.SIGTERM))
        except Interrupted as exc:
            raise RuntimeError("Error calling __set_name__") from exc

    monkeypatch.setattr(areas, "plan_and_allocations", areas_then_signal)
    result = run("areas")
    assert result.exit_code == 143, result.stderr
    assert result.stderr == "interrupted (nothing written)\n"

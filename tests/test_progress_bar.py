"""The progress bar: shown on a terminal once work has taken more than a second, never in a
pipe or with --quiet, and never on stdout."""

from __future__ import annotations

import importlib
import io
import sys

import pytest

# the module, not the Typer app of the same name that povtrack.cli exports
cli_app = importlib.import_module("povtrack.cli.app")


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> _Clock:
    import time

    c = _Clock()
    monkeypatch.setattr(time, "monotonic", c)
    return c


def _terminal(monkeypatch: pytest.MonkeyPatch, stdout: bool, stderr: bool) -> io.StringIO:
    err = io.StringIO()
    err.isatty = lambda: stderr  # type: ignore[method-assign]
    out = io.StringIO()
    out.isatty = lambda: stdout  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)
    return err


def _started(monkeypatch: pytest.MonkeyPatch) -> list[object]:
    """Record every Progress that is started."""
    import rich.progress

    started: list[object] = []
    real = rich.progress.Progress.start

    def start(self):  # type: ignore[no-untyped-def]
        started.append(self)
        return real(self)

    monkeypatch.setattr(rich.progress.Progress, "start", start)
    return started


def test_no_bar_for_work_under_a_second(monkeypatch, clock) -> None:
    _terminal(monkeypatch, True, True)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app.state, "quiet", False)
    with cli_app.progress("reading rows") as tick:
        for _ in range(1000):
            tick(1)
        clock.now += 0.5
        tick(1)
    assert started == []


def test_bar_once_a_second_has_passed(monkeypatch, clock) -> None:
    _terminal(monkeypatch, True, True)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app.state, "quiet", False)
    with cli_app.progress("reading rows") as tick:
        tick(10)
        clock.now += 1.5
        tick(5)
        [bar] = started
        [task] = bar.tasks  # type: ignore[attr-defined]
        assert task.completed == 15  # the rows before the bar appeared are counted too
        assert task.description == "reading rows"
    assert sys.stdout.getvalue() == ""  # never on stdout: data goes there


@pytest.mark.parametrize(
    ("stdout", "stderr", "quiet"),
    [(False, True, False), (True, False, False), (True, True, True)],
    ids=["stdout-piped", "stderr-piped", "quiet"],
)
def test_silent_in_pipes_and_with_quiet(monkeypatch, clock, stdout, stderr, quiet) -> None:
    _terminal(monkeypatch, stdout, stderr)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app.state, "quiet", quiet)
    with cli_app.progress("reading rows") as tick:
        tick(1)
        clock.now += 5
        tick(1)
    assert started == []


def test_quiet_is_a_global_option(run, initialised) -> None:
    result = run("--quiet", "status", "--json")
    assert result.exit_code == 0, result.stderr
    result = run("-q", "log", "--json")
    assert result.exit_code == 0, result.stderr

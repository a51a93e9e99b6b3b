"""The progress bar: shown on a terminal once work has taken more than a second, never for
quick work, never in a pipe or with --quiet, and never on stdout."""

from __future__ import annotations

import importlib
import io
import sys
import time

import pytest

# the module, not the Typer app of the same name that povtrack.cli exports
cli_app = importlib.import_module("povtrack.cli.app")


def _terminal(monkeypatch: pytest.MonkeyPatch, stdout: bool, stderr: bool) -> None:
    err = io.StringIO()
    err.isatty = lambda: stderr  # type: ignore[method-assign]
    out = io.StringIO()
    out.isatty = lambda: stdout  # type: ignore[method-assign]
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(sys, "stdout", out)


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


@pytest.fixture(autouse=True)
def _loud(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cli_app.state, "quiet", False)


def test_no_bar_for_quick_work(monkeypatch) -> None:
    _terminal(monkeypatch, True, True)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app, "PROGRESS_DELAY", 0.3)
    with cli_app.progress("reading rows") as tick:
        for _ in range(1000):
            tick(1)
    time.sleep(0.5)  # the timer, had it not been cancelled, would have fired by now
    assert started == []


def test_bar_once_the_delay_has_passed(monkeypatch) -> None:
    _terminal(monkeypatch, True, True)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app, "PROGRESS_DELAY", 0.05)
    with cli_app.progress("reading rows") as tick:
        tick(10)
        deadline = time.monotonic() + 5
        while not started and time.monotonic() < deadline:
            time.sleep(0.01)
        tick(5)
        [bar] = started
        [task] = bar.tasks  # type: ignore[attr-defined]
        assert task.completed == 15  # work counted before the bar appeared is shown too
        assert task.description == "reading rows"
    assert sys.stdout.getvalue() == ""  # never on stdout: data goes there


@pytest.mark.parametrize(
    ("stdout", "stderr", "quiet"),
    [(False, True, False), (True, False, False), (True, True, True)],
    ids=["stdout-piped", "stderr-piped", "quiet"],
)
def test_silent_in_pipes_and_with_quiet(monkeypatch, stdout, stderr, quiet) -> None:
    _terminal(monkeypatch, stdout, stderr)
    started = _started(monkeypatch)
    monkeypatch.setattr(cli_app.state, "quiet", quiet)
    monkeypatch.setattr(cli_app, "PROGRESS_DELAY", 0.01)
    with cli_app.progress("reading rows") as tick:
        tick(1)
        time.sleep(0.2)
        tick(1)
    assert started == []


def test_quiet_is_a_global_option(run, initialised) -> None:
    result = run("--quiet", "status", "--json")
    assert result.exit_code == 0, result.stderr
    result = run("-q", "log", "--json")
    assert result.exit_code == 0, result.stderr

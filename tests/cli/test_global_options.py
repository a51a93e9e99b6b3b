"""Global options after the command name (issue 13, item 4): ``povtrack status -q`` means
``povtrack -q status``; the same for --debug, --db, --lang and --lock-timeout, on every command
that has no option of that name of its own (given after the command, it wins)."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import povtrack.analysis.status

app_module = importlib.import_module("povtrack.cli.app")  # the module, not the Typer app


@pytest.mark.parametrize(
    "args",
    [
        ("status", "-q"),
        ("status", "--quiet", "--task", "2"),
        ("board", "-q"),
        ("plan", "show", "-q"),
        ("log", "--debug", "-q"),
        ("areas", "--quiet"),
        ("missing", "-q"),
        ("check", "-q"),
    ],
)
def test_quiet_and_debug_are_accepted_after_the_command(run, initialised, args) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "No such option" not in result.stderr


def test_quiet_after_the_command_sets_quiet(run, initialised) -> None:
    run("status")
    assert app_module.state.quiet is False
    run("status", "-q")
    assert app_module.state.quiet is True


def test_debug_after_the_command_shows_the_traceback(run, initialised, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(povtrack.analysis.status, "status_rows", broken)
    result = run("status")
    assert result.exit_code == 1
    assert result.stderr.startswith("internal error: RuntimeError: boom (run with --debug")
    with pytest.raises(RuntimeError, match="boom"):  # --debug: raised, not summed up
        run("status", "--debug")


def test_db_after_a_command_without_its_own(run, tmp_path: Path) -> None:
    """``plan check`` has no --db of its own: given after it, it is taken."""
    plan = tmp_path / "plan.toml"
    plan.write_text("[plan]\n", encoding="utf-8")
    without = run("plan", "check", str(plan))
    taken = run("plan", "check", str(plan), "--db", str(tmp_path / "x.json"))
    assert (taken.exit_code, taken.stderr) == (without.exit_code, without.stderr)
    assert app_module.state.db == str(tmp_path / "x.json")


def test_lang_after_a_command_without_its_own(run, tmp_path: Path) -> None:
    plan = tmp_path / "plan.toml"
    plan.write_text("[plan]\n", encoding="utf-8")
    result = run("plan", "check", str(plan), "--lang", "xx")
    assert result.exit_code == 2
    assert result.stderr == "error: --lang 'xx' is not one of zh, en\n"


def test_lock_timeout_after_a_command_is_bounded_as_the_global_one(run, initialised) -> None:
    assert run("status", "--lock-timeout", "3").exit_code == 0
    result = run("status", "--lock-timeout", "-1")
    assert result.exit_code == 2
    assert "--lock-timeout" in result.stderr


def test_global_options_stay_out_of_command_help(run) -> None:
    out = run("status", "--help").stdout
    assert "--quiet" not in out and "--debug" not in out

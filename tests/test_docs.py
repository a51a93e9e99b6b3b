"""Every command has help text with an example, and is named in the README."""

from __future__ import annotations

from pathlib import Path

import pytest

from povtrack.cli import app

README = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    out = [[c.name or c.callback.__name__] for c in app.registered_commands]
    for group in app.registered_groups:
        out += [
            [group.name, c.name or c.callback.__name__]
            for c in group.typer_instance.registered_commands
        ]
    return out


def test_the_commands_are_found() -> None:
    names = {" ".join(c) for c in _commands()}
    # the commands issue #2 promises
    for expected in (
        "init",
        "plan show",
        "plan check",
        "areas",
        "target set",
        "record",
        "import",
        "log",
        "status",
        "demo",
    ):
        assert expected in names


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_help_has_description_and_example(run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"povtrack {' '.join(command)}" in result.stdout


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_readme_names_every_command(command: list[str]) -> None:
    assert f"povtrack {' '.join(command)}" in README


def test_readme_quick_start_is_two_lines() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert len(lines) == 2
    assert "povtrack demo" in lines[0]
    assert "pytest" in lines[1]


def test_readme_csv_example_imports(run, initialised, tmp_path: Path) -> None:
    block = README.split("## Weekly returns: CSV or Excel", 1)[1].split("```csv", 1)[1]
    example = tmp_path / "example.csv"
    example.write_text(block.split("```", 1)[0].lstrip("\n"), encoding="utf-8")
    result = run("import", str(example))
    assert result.exit_code == 0, result.stderr
    assert "imported 2 entries" in result.stderr


def test_readme_quick_start_commands_run(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "To start for real" lines, minus the import of files the reader does not have."""
    monkeypatch.chdir(tmp_path)  # a report written by a line lands here, not in the checkout
    block = README.split("To start for real:", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    for line in block.strip().splitlines():
        args = line.split("#", 1)[0].split()
        if args[1] == "import":
            continue
        result = run(*args[1:])
        assert result.exit_code == 0, (line, result.stderr)
    assert (tmp_path / "weekly.xlsx").stat().st_size > 0  # the report line wrote its workbook

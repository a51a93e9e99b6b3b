"""Shared fixtures: every test gets its own database path and fixed language."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from povtrack.cli import app


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test touches a real user directory: the database and data dir live in tmp_path."""
    monkeypatch.setenv("POVTRACK_DB", str(tmp_path / "db.json"))
    monkeypatch.setenv("POVTRACK_LANG", "en")
    monkeypatch.setenv("POVTRACK_USER", "tester")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.delenv("COLUMNS", raising=False)


@pytest.fixture(autouse=True)
def _english_messages() -> None:
    """Messages in English before each test: ``tr`` keeps the language the last command chose
    for the whole process, and a test that ran ``--lang zh`` must not leave it to the next."""
    from povtrack.i18n import set_lang

    set_lang("en")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "db.json"


@pytest.fixture
def run():
    """Invoke the CLI in-process; returns the Result (exit_code, stdout, stderr)."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    return invoke


@pytest.fixture
def initialised(run) -> None:
    result = run("init")
    assert result.exit_code == 0, result.stderr

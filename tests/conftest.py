"""Shared fixtures: every test gets its own database path and fixed language."""

from __future__ import annotations

import functools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.main
import typer.testing
from typer.testing import CliRunner

from povtrack.cli import app
from tests.helpers.built import built_once, copy_files, database_files, in_process
from tests.helpers.pg import pg_cluster as pg_cluster  # the throwaway PostgreSQL, for any test
from tests.helpers.pg import pg_database as pg_database


@pytest.fixture(scope="session", autouse=True)
def _one_click_command() -> Iterator[None]:
    """The command line Typer builds from ``app``, built once for the whole run.

    typer.testing's CliRunner builds it again for every call (some 10 ms, a good part of an
    in-process command); ``povtrack`` itself builds it once per process, as this does. Where
    typer.testing is made differently, nothing is changed."""
    mp = pytest.MonkeyPatch()
    if getattr(typer.testing, "_get_command", None) is typer.main.get_command:
        cached = functools.lru_cache(maxsize=8)(typer.main.get_command)
        mp.setattr(typer.testing, "_get_command", cached)
    yield
    mp.undo()


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


def _init(folder: Path) -> None:
    with in_process(folder) as run:
        result = run("init")
        assert result.exit_code == 0, result.stderr


@pytest.fixture
def initialised(run, tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    """`povtrack init` done at the test's database: the files one `init` made for the whole run,
    copied (the database holds no path of its own), or `init` itself where the test moved the
    database elsewhere."""
    if os.environ.get("POVTRACK_DB") != str(tmp_path / "db.json") or any(
        (tmp_path / name).exists() for name in database_files()
    ):
        result = run("init")
        assert result.exit_code == 0, result.stderr
        return
    copy_files(built_once(tmp_path_factory, "init", _init), tmp_path, database_files())

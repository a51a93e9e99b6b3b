"""Set-up built once per test run and copied into each test: a database made by real commands
costs tens of commands, a copy of its files a few milliseconds.

``built_once(tmp_path_factory, key, build)`` runs ``build(folder)`` the first time any test (in
any pytest-xdist worker of the run) asks for ``key``, under a file lock, and returns the folder
from then on. The folder is the run's own (under pytest's base temp), never written after it is
built: tests copy what they need out of it (``copy_files``) into their own ``tmp_path``.

What a copy cannot carry is the folder's name: anything a build records with its path (an
imported file's source, say) names the built folder, not the test's. Each fixture that uses this
says why its tests do not depend on that.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from filelock import FileLock


def built_once(
    tmp_path_factory: pytest.TempPathFactory, key: str, build: Callable[[Path], None]
) -> Path:
    """The folder ``build`` filled for ``key``, built by the first test of the run to ask."""
    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        root = root.parent  # the run's folder, shared by its workers (each has its own below)
    folder = root / f"built-{key}"
    done = root / f"built-{key}.done"
    with FileLock(str(root / f"built-{key}.lock")):
        if not done.exists():
            if folder.exists():  # a build that failed part-way: start again
                shutil.rmtree(folder)
            folder.mkdir()
            build(folder)
            done.touch()
    return folder


def copy_files(src: Path, dst: Path, names: Iterable[str]) -> None:
    """Copy the files and folders ``names`` (those that exist) from ``src`` into ``dst``, keeping
    their modes and times (backups are told apart by their times)."""
    dst.mkdir(parents=True, exist_ok=True)
    for name in names:
        path = src / name
        if path.is_dir():
            shutil.copytree(path, dst / name, copy_function=shutil.copy2)
        elif path.exists():
            shutil.copy2(path, dst / name)


def database_files(name: str = "db.json") -> tuple[str, ...]:
    """A JSON database's own files: itself, its backups folder, its lock and the lock's note."""
    return (name, f"{name}.backups", f"{name}.lock", f"{name}.lock.owner")


@contextlib.contextmanager
def in_process(folder: Path, db: str = "db.json") -> Iterator[Callable[..., Any]]:
    """``run`` as conftest's fixture gives it, with the database at ``folder/db``, for fixtures
    wider than a test (which the function-scoped isolation of conftest does not reach)."""
    from typer.testing import CliRunner

    from povtrack.cli import app

    runner = CliRunner()
    mp = pytest.MonkeyPatch()
    mp.setenv("POVTRACK_DB", str(folder / db))
    mp.setenv("POVTRACK_LANG", "en")
    mp.setenv("POVTRACK_USER", "tester")
    mp.setenv("XDG_DATA_HOME", str(folder / "xdg"))
    mp.delenv("COLUMNS", raising=False)

    def run(*args: str) -> Any:
        return runner.invoke(app, list(args), catch_exceptions=False)

    try:
        yield run
    finally:
        mp.undo()


def prepared_database(key: str, steps: Callable[[Callable[..., Any], Path], None]) -> Any:
    """A fixture: the test's database (``db.json`` in its ``tmp_path``, where conftest points
    POVTRACK_DB) as ``steps(run, folder)`` leaves one made in ``folder`` (``init`` included),
    built once for the run under ``key`` and copied; its value is the database's path."""

    def build(folder: Path) -> None:
        with in_process(folder) as run:
            steps(run, folder)

    @pytest.fixture
    def prepared(tmp_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
        copy_files(built_once(tmp_path_factory, key, build), tmp_path, database_files())
        return tmp_path / "db.json"

    return prepared

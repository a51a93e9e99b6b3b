"""Shared by storage/test_backends_parity.py and storage/test_migrate.py: a scenario of writes
that leaves every kind of record in a database (allocations, whole and fractional values,
imports, a repeated import, a correction, an undo), the reads that show all of it, and
``normal``, which takes out what legitimately differs between two databases: the file's name and
the clock. ``scenario`` runs it once per test run on both backends, for both modules.
"""

from __future__ import annotations

import contextlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from povtrack.actions.writes import sample_dir
from tests.helpers.built import built_once, in_process

RETURNS = sorted((sample_dir() / "returns").glob("2018-W*.csv"))
RELOCATED = "housing.relocated_people"
AFFORESTATION = "ecology.afforestation"

WRITES: list[list[str]] = [
    ["init"],
    ["target", "set", RELOCATED, "9000", "--area", "yanggao"],
    ["target", "set", AFFORESTATION, "1234.5", "--area", "tianzhen", "--due", "2018-12-31"],
    ["record", RELOCATED, "5200", "--area", "yanggao", "--date", "2018-03-04", "--note", "县报"],
    ["record", AFFORESTATION, "12.5", "--area", "yanggao", "--date", "2018-03-04"],
    ["record", AFFORESTATION, "13.0", "--area", "yanggao", "--date", "2018-03-11"],
    ["import", *map(str, RETURNS[:5])],
    ["import", *map(str, RETURNS[5:8])],
    ["import", str(RETURNS[0])],  # already imported: nothing new
    ["correct", "1", "5300", "--reason", "county resubmitted"],
    ["undo", "--batch", "b5", "--reason", "wrong weeks"],
    ["import", *map(str, RETURNS[8:10])],
    ["record", RELOCATED, "5400", "--area", "yanggao", "--date", "2018-03-04"],
]
READS: list[list[str]] = [
    ["status", "--json"],
    ["status", "--json", "--as-of", "2018-W12", "--forecast"],
    ["status"],
    ["board", "--json"],
    ["check", "--json"],
    ["log", "--json"],
    ["log", "--all", "--json"],
    ["log", "--all"],
    ["target", "list", "--json"],
    ["missing", "--json"],
    ["completeness", "--json"],
    ["trend", RELOCATED, "--json"],
    ["explain", RELOCATED, "--area", "yanggao", "--json"],
    ["diff", "--json"],
    ["report", "--format", "md"],
    ["db", "verify", "--json"],
]
_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")
_TIME = re.compile(r"\b\d\d:\d\d:\d\dZ")  # a table cell's timestamp, wrapped after its date


def normal(text: str, db: Path | str) -> str:
    """Output without what legitimately differs: the database's name and the clock."""
    text = text.replace(str(db), "DB")
    text = _TIME.sub("TIME", _STAMP.sub("STAMP", text))
    return text


def outputs(
    run: Callable[..., Any],
    db: Path | str,
    commands: list[list[str]] | None = None,
    *,
    own: tuple[str, ...] = ("schema", "backups"),
) -> list[tuple[str, int, str, str]]:
    """Run ``commands`` (default: the scenario's writes, then its reads) on ``db`` (a file, or
    a ``postgresql://`` URL without a password, which messages show as it is): (command,
    exit code, stdout, stderr) of each, normalised. ``own``: the fields of ``db verify --json``
    that are each database's own (left out)."""
    out = []
    for args in commands if commands is not None else [*WRITES, *READS]:
        result = run("--db", str(db), *args)
        assert result.exit_code in (0, 3), (args, result.stderr)
        stdout = normal(result.stdout, db)
        if args[:2] == ["db", "verify"]:
            data = json.loads(stdout)
            assert all(data.pop(k) is not None for k in own)
            stdout = json.dumps(data)
        out.append((" ".join(args), result.exit_code, stdout, normal(result.stderr, db)))
    return out


def cli(folder: Path) -> contextlib.AbstractContextManager[Callable[..., Any]]:
    """``run`` as conftest's fixture gives it, for module-scoped fixtures (every command names
    its database with --db)."""
    return in_process(folder, "unused.json")


def build_scenario(folder: Path) -> None:
    """The scenario's writes then its reads on ``db.json`` and ``db.sqlite`` in ``folder``, and
    what each command said in ``outputs.json`` (one build serves every module of the run)."""
    with cli(folder) as run:
        said = {suffix: outputs(run, folder / f"db{suffix}") for suffix in (".json", ".sqlite")}
    (folder / "outputs.json").write_text(json.dumps(said), encoding="utf-8")


def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of ``build_scenario``, built once for the run. Read it; copy what you change."""
    return built_once(tmp_path_factory, "backends-scenario", build_scenario)

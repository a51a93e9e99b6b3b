"""Shared by storage/test_backends_parity.py, storage/test_backends_pg.py and
storage/test_migrate.py: the scenario of tests/helpers/scenario.py (writes that leave every
kind of record, then reads that show it all from many dates) run on a database, and ``normal``,
which takes out what legitimately differs between two databases: the file's name and the clock.

``scenario`` runs the writes and ``READS`` once per test run on a JSON and a SQLite database,
for every module; ``more_reads`` runs ``MORE_READS`` (the slow part) on copies of them. What a
command writes with ``-o`` is read back and compared as part of its output: text as it is,
XLSX as its cells' values (openpyxl), never its bytes (a zip of its own).
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Callable, Sequence
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.built import built_once, in_process
from tests.helpers.scenario import MORE_READS, READS, WRITES, Arg, Out, Pick

Said = list[tuple[str, int, str, str]]
_STAMP = re.compile(r"\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(?:[+-]\d\d:\d\d|Z)?")
_TIME = re.compile(r"\b\d\d:\d\d:\d\dZ")  # a table cell's timestamp, wrapped after its date
# An XLSX file's size: its document properties hold the time it was written (compressed).
_XLSX_SIZE = re.compile(r"\(xlsx, [\d,]+ bytes\)")
FILE_MARK = "\n--- written with -o ---\n"


def normal(text: str, db: Path | str) -> str:
    """Output without what legitimately differs: the database's name and the clock."""
    text = text.replace(str(db), "DB")
    text = _TIME.sub("TIME", _STAMP.sub("STAMP", text))
    return text


def _cell(value: Any) -> Any:
    if isinstance(value, datetime) and value.time() == time(0):
        return value.date().isoformat()  # a date cell: compared, not taken for a stamp
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def xlsx_cells(path: Path) -> str:
    """Every sheet's name and its cells' values, row by row, as JSON text."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    try:
        sheets = {
            sheet.title: [[_cell(v) for v in row] for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
    finally:
        book.close()
    return json.dumps(sheets, ensure_ascii=False, indent=0)


def written(path: Path) -> str:
    """What a command wrote to ``path``, as text to compare."""
    if path.suffix == ".xlsx":
        return xlsx_cells(path)
    return path.read_bytes().decode("utf-8")  # the bytes: a BOM or CRLF would show


def _pick(run: Callable[..., Any], db: str, pick: Pick) -> str:
    shown = run("--db", db, "log", "--all", "--json", "--indicator", pick.indicator,
                "--area", pick.area)  # fmt: skip
    assert shown.exit_code == 0, shown.stderr
    ids = [e["id"] for e in json.loads(shown.stdout)["entries"] if e["date"] == pick.date]
    assert ids, f"no entry for {pick}"
    return str(max(ids))


def outputs(
    run: Callable[..., Any],
    db: Path | str,
    commands: Sequence[Sequence[Arg]] | None = None,
    *,
    own: tuple[str, ...] = ("schema", "backups"),
    files: Path | None = None,
) -> Said:
    """Run ``commands`` (default: the scenario's writes, then ``READS``) on ``db`` (a file, or
    a ``postgresql://`` URL without a password, which messages show as it is): (command,
    exit code, stdout, stderr) of each, normalised; the command as the scenario writes it
    (placeholders as such). ``own``: the fields of ``db verify --json`` that are each
    database's own (left out). ``files``: where ``Out`` files go (default: beside ``db``)."""
    target = str(db)
    folder = files if files is not None else Path(db).parent
    stem = "pg" if target.startswith("postgresql:") else Path(db).name
    out = []
    for args in commands if commands is not None else [*WRITES, *READS]:
        real, paths = [], []
        for a in args:
            if isinstance(a, Pick):
                real.append(_pick(run, target, a))
            elif isinstance(a, Out):
                paths.append((folder / f"{stem}-{a.name}", a))
                paths[-1][0].unlink(missing_ok=True)
                real.append(str(paths[-1][0]))
            else:
                real.append(a)
        result = run("--db", target, *real)
        assert result.exit_code in (0, 3), (args, result.stderr)
        stdout, stderr = result.stdout, result.stderr
        for path, placeholder in paths:
            stdout += FILE_MARK + written(path)
            stdout, stderr = (t.replace(str(path), str(placeholder)) for t in (stdout, stderr))
            if path.suffix == ".xlsx":
                stderr = _XLSX_SIZE.sub("(xlsx, SIZE bytes)", stderr)
        stdout = normal(stdout, db)
        if args[:2] == ["db", "verify"]:
            data = json.loads(stdout)
            assert all(data.pop(k) is not None for k in own)
            stdout = json.dumps(data)
        out.append((" ".join(map(str, args)), result.exit_code, stdout, normal(stderr, db)))
    return out


def ids(commands: Sequence[Sequence[Arg]]) -> list[str]:
    """Test ids for commands parametrized by their index: the index and the command's name."""
    return [f"{n}-{args[0]}" for n, args in enumerate(commands)]


def cli(folder: Path) -> contextlib.AbstractContextManager[Callable[..., Any]]:
    """``run`` as conftest's fixture gives it, for module-scoped fixtures (every command names
    its database with --db)."""
    return in_process(folder, "unused.json")


SUFFIXES = (".json", ".sqlite")


def build_scenario(folder: Path) -> None:
    """The scenario's writes then ``READS`` on ``db.json`` and ``db.sqlite`` in ``folder``, and
    what each command said in ``outputs.json`` (one build serves every module of the run)."""
    with cli(folder) as run:
        said = {suffix: outputs(run, folder / f"db{suffix}") for suffix in SUFFIXES}
    (folder / "outputs.json").write_text(json.dumps(said), encoding="utf-8")


def scenario(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of ``build_scenario``, built once for the run. Read it; copy what you change."""
    return built_once(tmp_path_factory, "backends-scenario", build_scenario)


def said_in(folder: Path) -> dict[str, Said]:
    """What each command said on each backend, as ``build_scenario`` kept it."""
    said = json.loads((folder / "outputs.json").read_text(encoding="utf-8"))
    return {suffix: [tuple(one) for one in out] for suffix, out in said.items()}


def more_reads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Said]:
    """What ``MORE_READS`` say on copies of the scenario's two databases (built once)."""
    source = scenario(tmp_path_factory)

    def build(folder: Path) -> None:
        for suffix in SUFFIXES:  # copies: nothing ever writes into the scenario's folder
            shutil.copy2(source / f"db{suffix}", folder / f"db{suffix}")
        with cli(folder) as run:
            said = {s: outputs(run, folder / f"db{s}", MORE_READS) for s in SUFFIXES}
        (folder / "outputs.json").write_text(json.dumps(said), encoding="utf-8")

    return said_in(built_once(tmp_path_factory, "backends-scenario-more", build))

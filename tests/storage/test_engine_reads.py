"""On SQLite (layout 2) and PostgreSQL the commands that need only part of the history ask the
engine for that part: none of them makes every entry, the whole ledger or reads the history
through the backend's whole-history reads (they are made to fail here), and each still answers
as on a JSON file, which reads everything. The writes (``record``, ``import``, ``correct``,
``undo``, ``target set``) read only the series and batch they touch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from povtrack.actions.writes import sample_dir
from povtrack.storage.postgres.backend import PgBackend
from povtrack.storage.sqlite.backend import SqliteBackend
from tests.helpers.pg import PgDatabase

RETURNS = sorted((sample_dir() / "returns").glob("2018-W*.csv"))
SETUP = [
    ["init"],
    ["import", *map(str, RETURNS[:4])],
    ["correct", "1", "5300", "--reason", "county resubmitted"],
    ["undo", "--batch", "b2", "--reason", "wrong weeks"],
    ["import", *map(str, RETURNS[4:8])],
]
READS = [
    ["status", "--json", "--forecast"],
    ["status", "--json", "--as-of", "2018-W12"],
    ["board", "--json"],
    ["missing", "--json"],
    ["completeness", "--json", "--weeks", "4"],
    ["trend", "housing.relocated_people", "--json"],
    ["explain", "housing.relocated_people", "--json", "--area", "阳高县"],
    ["diff", "--json", "--weeks", "2"],
    ["report", "--format", "md", "-o", "{out}"],
]
WRITES = [
    ["record", "housing.relocated_people", "700", "--area", "yanggao", "--date", "2018-05-13"],
    ["import", str(RETURNS[8])],
    ["correct", "3", "42", "--reason", "typo"],
    ["undo", "--reason", "wrong file"],
    ["target", "set", "housing.relocated_people", "9000", "--area", "阳高县"],
]
WHOLE = ("entries", "all_entries", "ledger", "records")  # what reads every entry


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, run: Any, tmp_path: Path) -> tuple[str, type]:
    if request.param == "sqlite":
        db, backend = str(tmp_path / "engine.sqlite"), SqliteBackend
    else:
        pg: PgDatabase = request.getfixturevalue("pg_database")
        db, backend = pg.url(), PgBackend
    for args in SETUP:
        done = run("--db", db, *args)
        assert done.exit_code == 0, (args, done.stderr)
    return db, backend


def _forbid(monkeypatch: pytest.MonkeyPatch, backend: type) -> None:
    def whole(self: Any, *args: Any, **kwargs: Any) -> Any:
        raise AssertionError("read every entry")

    for name in WHOLE:
        monkeypatch.setattr(backend, name, whole)


def _claims_dropped(value: Any) -> Any:
    """Without ``on_behalf_of``: a file keeps no claim beside the author (it equals ``by``
    there), so a server's entries moved to a file have none to compare."""
    if isinstance(value, dict):
        return {k: _claims_dropped(v) for k, v in value.items() if k != "on_behalf_of"}
    if isinstance(value, list):
        return [_claims_dropped(v) for v in value]
    return value


def _same_file(run: Any, engine_db: str, tmp_path: Path) -> str:
    """A JSON file with the same records (every entry read: the answers to compare with)."""
    target = tmp_path / "same.json"
    done = run("--db", engine_db, "db", "migrate", "--to", str(target))
    assert done.exit_code == 0, done.stderr
    return str(target)


def test_reads_ask_the_engine_and_answer_as_reading_every_entry(
    run: Any, engine: tuple[str, type], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db, backend = engine
    same = _same_file(run, db, tmp_path)
    _forbid(monkeypatch, backend)
    for args in READS:
        if "{out}" in args:  # the report: its text, but for the line naming the database
            outs = [tmp_path / f"{n}.md" for n in (1, 2)]
            for where, out in zip((db, same), outs, strict=True):
                argv = [a.replace("{out}", str(out)) for a in args]
                done = run("--db", where, *argv)
                assert done.exit_code == 0, (args, done.stderr)
            assert outs[0].read_text("utf-8") == outs[1].read_text("utf-8")
            continue
        mine, theirs = run("--db", db, *args), run("--db", same, *args)
        assert mine.exit_code == 0, (args, mine.stderr)
        assert _claims_dropped(json.loads(mine.stdout)) == _claims_dropped(
            json.loads(theirs.stdout)
        ), args


def test_writes_read_only_what_they_touch(
    run: Any, engine: tuple[str, type], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, backend = engine
    with monkeypatch.context() as m:
        _forbid(m, backend)
        for args in WRITES:
            done = run("--db", db, *args)
            assert done.exit_code == 0, (args, done.stderr)
    verdict = run("--db", db, "db", "verify", "--json")
    assert verdict.exit_code == 0, verdict.stdout

"""A layout-1 SQLite file (povtrack 0.4.0 and 0.5.0) is read as it is, and brought to layout 2
(the ``series`` table and the indexes of reads by the engine) by the first command that writes,
with the same answers before and after, and the series' figures what its entries give."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from povtrack.actions.writes import sample_dir
from povtrack.storage.sqlite import schema as sqliteschema
from povtrack.storage.sqlite.file import SCHEMA

RETURNS = sorted((sample_dir() / "returns").glob("2018-W*.csv"))


def layout(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("PRAGMA user_version").fetchone()[0]


def to_layout_1(path: Path) -> None:
    """Take a layout-2 file back to what povtrack 0.4.0 wrote."""
    conn = sqlite3.connect(path)
    conn.executescript(
        "DROP TRIGGER entries_series_seen; DROP TRIGGER series_no_delete; DROP TABLE series; "
        "DROP INDEX entries_day; DROP INDEX entries_batch; DROP INDEX batches_undo; "
        "CREATE INDEX entries_series ON entries (indicator, area); PRAGMA user_version = 1; "
        "UPDATE meta SET value = '1' WHERE key = 'schema';"
    )
    assert sqliteschema.changes(conn, 1) == ([], False)  # exactly layout 1's schema
    conn.close()


@pytest.fixture
def old(run, tmp_path: Path) -> Path:
    db = tmp_path / "old.sqlite"
    for args in (
        ["init"],
        ["import", *map(str, RETURNS[:3])],
        ["import", *map(str, RETURNS[3:6])],
        ["correct", "1", "5300", "--reason", "county resubmitted"],
        ["undo", "--batch", "b2", "--reason", "wrong weeks"],
    ):
        assert run("--db", str(db), *args).exit_code == 0
    to_layout_1(db)
    return db


def test_a_layout_1_file_reads_as_before_and_is_not_changed_by_reads(run, old: Path) -> None:
    status = run("--db", str(old), "status", "--json")
    assert status.exit_code == 0, status.stderr
    verdict = run("--db", str(old), "db", "verify", "--json")
    assert verdict.exit_code == 0 and json.loads(verdict.stdout)["schema"] == 1
    assert layout(old) == 1


def test_the_first_write_brings_it_to_layout_2_with_the_same_answers(run, old: Path) -> None:
    reads = (["status", "--json"], ["board", "--json"], ["status", "--json", "--as-of", "2018-W12"])
    before = [run("--db", str(old), *args).stdout for args in reads]
    moved = run("--db", str(old), "import", str(RETURNS[6]))
    assert moved.exit_code == 0, moved.stderr
    assert layout(old) == SCHEMA == 2
    undone = run("--db", str(old), "undo", "--reason", "the last import was wrong")
    assert undone.exit_code == 0, undone.stderr
    assert [run("--db", str(old), *args).stdout for args in reads] == before
    verdict = run("--db", str(old), "db", "verify", "--json")
    assert verdict.exit_code == 0, verdict.stdout
    assert json.loads(verdict.stdout)["schema"] == 2
    with sqlite3.connect(old) as conn:
        assert conn.execute("SELECT count(*) FROM series").fetchone()[0] > 10


@pytest.mark.parametrize("change", ["whole = whole + 1", "last1_id = last1_id - 1"])
def test_db_verify_sees_series_figures_changed_by_hand(run, old: Path, change: str) -> None:
    assert run("--db", str(old), "import", str(RETURNS[6])).exit_code == 0
    with sqlite3.connect(old) as conn:
        conn.execute(
            f"UPDATE series SET {change} "
            "WHERE (indicator, area) = (SELECT indicator, area FROM series LIMIT 1)"
        )
    verdict = run("--db", str(old), "db", "verify", "--json")
    assert verdict.exit_code == 4
    assert any("running figures" in p for p in json.loads(verdict.stdout)["problems"])

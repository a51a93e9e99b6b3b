"""A SQLite database whose schema was changed behind povtrack's back (issue 11, item 8): a
trigger dropped or added, an index, a view or a table added, dropped or altered. Every command
refuses it (exit 4, one line naming the first change), nothing is written, and ``db verify``
lists every change.

The changes are made here with the standard library's sqlite3, as a user of the sqlite3 shell
would; what povtrack's schema is, is read from a file povtrack has just made, never from
povtrack's code.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tests.helpers.db import DANGEROUS, lines

SCALE = (
    "CREATE TRIGGER entries_scale AFTER INSERT ON entries "
    "BEGIN UPDATE entries SET value = NEW.value * 10 WHERE id = NEW.id; END"
)
RECORD = ("record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-08")


@pytest.fixture
def sq(run, tmp_path: Path) -> Path:
    db = tmp_path / "t.sqlite"
    assert run("--db", str(db), "init").exit_code == 0
    done = run(
        "--db", str(db), "record", DANGEROUS, "7", "--area", "yanggao", "--date", "2018-07-01"
    )
    assert done.exit_code == 0, done.stderr
    return db


def change(path: Path, *statements: str) -> None:
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def no_backup(db: Path) -> str:
    return f"no good backup in {db}.backups (make them with 'povtrack db backup')"


def test_a_foreign_trigger_keeps_povtrack_from_writing(run, sq: Path) -> None:
    """The issue's example: the append-only trigger dropped and a trigger that multiplies
    the value by 10 added; today 'record 5' stores 50 while printing 5."""
    change(sq, "DROP TRIGGER entries_no_update", SCALE)
    before = sq.read_bytes()
    result = run("--db", str(sq), *RECORD)
    assert result.exit_code == 4, result.stdout + result.stderr
    assert result.stdout == ""
    assert lines(result.stderr) == [
        f"error: {sq}: schema changed outside povtrack: trigger entries_no_update is missing "
        f"(and 1 more; see 'povtrack db verify'); {no_backup(sq)}"
    ]
    assert rows(sq, "SELECT id, value FROM entries") == [(1, 7)]
    assert sq.read_bytes() == before


def test_reads_are_refused_too(run, sq: Path) -> None:
    change(sq, SCALE)
    for args in (["status", "--json"], ["log"], ["explain", DANGEROUS]):
        result = run("--db", str(sq), *args)
        assert result.exit_code == 4, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert lines(result.stderr) == [
            f"error: {sq}: schema changed outside povtrack: trigger entries_scale was added; "
            + no_backup(sq)
        ]


def test_db_verify_lists_every_change(run, sq: Path) -> None:
    change(sq, "DROP TRIGGER entries_no_update", SCALE)
    result = run("--db", str(sq), "db", "verify")
    assert result.exit_code == 4
    assert result.stdout == ""
    assert lines(result.stderr) == [
        f"error: {sq}: schema changed outside povtrack: trigger entries_no_update is missing",
        f"error: {sq}: schema changed outside povtrack: trigger entries_scale was added",
        f"error: {sq}: {no_backup(sq)}",
    ]
    as_json = run("--db", str(sq), "db", "verify", "--json")
    assert as_json.exit_code == 4
    report = json.loads(as_json.stdout)
    assert report["ok"] is False
    assert report["problems"] == [
        f"{sq}: schema changed outside povtrack: trigger entries_no_update is missing",
        f"{sq}: schema changed outside povtrack: trigger entries_scale was added",
        f"{sq}: {no_backup(sq)}",
    ]
    assert (report["entries"], report["batches"]) == (1, 1)


@pytest.mark.parametrize(
    ("statements", "found"),
    [
        (["ALTER TABLE entries ADD COLUMN extra TEXT"], ["table entries differs from povtrack's"]),
        (
            ["DROP INDEX entries_day", "CREATE INDEX entries_day ON entries (area)"],
            ["index entries_day differs from povtrack's"],
        ),
        (["CREATE INDEX entries_by_date ON entries (date)"], ["index entries_by_date was added"]),
        (["CREATE VIEW latest AS SELECT * FROM entries"], ["view latest was added"]),
        (["CREATE TABLE notes (x)"], ["table notes was added"]),
        (
            [
                "DROP TRIGGER entries_no_delete",
                "CREATE TRIGGER entries_no_delete BEFORE DELETE ON entries BEGIN SELECT 1; END",
            ],
            ["trigger entries_no_delete differs from povtrack's"],
        ),
        (
            [
                "DROP TABLE allocations",
                "CREATE VIEW allocations AS SELECT 'x' AS indicator, 'y' AS area, 1 AS value",
            ],
            [
                "table allocations is missing",
                "trigger allocations_no_update is missing",
                "trigger allocations_no_delete is missing",
                "view allocations was added",
            ],
        ),
    ],
)
def test_each_kind_of_change_is_named(
    run, sq: Path, statements: list[str], found: list[str]
) -> None:
    change(sq, *statements)
    named = [f"schema changed outside povtrack: {what}" for what in found]
    verify = run("--db", str(sq), "db", "verify", "--json")
    assert verify.exit_code == 4
    assert json.loads(verify.stdout)["problems"] == [
        *(f"{sq}: {line}" for line in named),
        f"{sq}: {no_backup(sq)}",
    ]
    more = f" (and {len(named) - 1} more; see 'povtrack db verify')" if len(named) > 1 else ""
    for args in (RECORD, ("status",)):
        result = run("--db", str(sq), *args)
        assert result.exit_code == 4, (args, result.stdout, result.stderr)
        assert lines(result.stderr) == [f"error: {sq}: {named[0]}{more}; {no_backup(sq)}"]
    assert rows(sq, "SELECT id FROM entries") == [(1,)]


def test_only_whitespace_changed_is_the_same_schema(run, sq: Path) -> None:
    [(sql,)] = rows(sq, "SELECT sql FROM sqlite_master WHERE name = 'entries_no_update'")
    spread = sql.replace(" ", " \n\t  ")
    assert spread != sql
    change(sq, "DROP TRIGGER entries_no_update", spread)
    assert run("--db", str(sq), "db", "verify").exit_code == 0
    assert run("--db", str(sq), *RECORD).exit_code == 0
    assert rows(sq, "SELECT id, value FROM entries") == [(1, 7), (2, 5)]


def test_a_changed_trigger_and_bad_records_are_listed_together(run, sq: Path) -> None:
    change(
        sq,
        "DROP TRIGGER batches_no_delete",
        "PRAGMA ignore_check_constraints = 1",
        "INSERT INTO entries (id, indicator, area, date, value, batch) "
        f"VALUES (2, '{DANGEROUS}', 'yanggao', '2018-07-08', -3, 'b1')",
    )
    result = run("--db", str(sq), "db", "verify")
    assert result.exit_code == 4
    assert lines(result.stderr) == [
        f"error: {sq}: SQLite integrity check: CHECK constraint failed in entries",
        f"error: {sq}: schema changed outside povtrack: trigger batches_no_delete is missing",
        f"error: {sq}: entry 2: value must be a number ≥ 0, not -3 (values are numbers ≥ 0, "
        "dates YYYY-MM-DD, other fields text)",
        f"error: {sq}: {no_backup(sq)}",
    ]


def test_a_changed_backup_is_not_offered_as_good(run, sq: Path) -> None:
    made = run("--db", str(sq), "db", "backup")
    assert made.exit_code == 0, made.stderr
    copy = Path(made.stdout.strip())
    change(copy, SCALE)
    change(sq, "DROP TRIGGER entries_no_update")
    result = run("--db", str(sq), "status")
    assert result.exit_code == 4
    assert lines(result.stderr) == [
        f"error: {sq}: schema changed outside povtrack: trigger entries_no_update is missing; "
        + no_backup(sq)
    ]
    listed = json.loads(run("--db", str(sq), "db", "backups", "--json").stdout)["backups"]
    assert [(b["name"], b["ok"]) for b in listed] == [(copy.name, False)]
    assert "trigger entries_scale was added" in listed[0]["problem"]

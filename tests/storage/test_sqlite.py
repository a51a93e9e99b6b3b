"""The SQLite backend (store_sqlite) on its own: a new file and what is in it, writes that
reach it only on commit, append-only tables, the writer's lock, and every file it must refuse
(not SQLite, not povtrack's, corrupt, newer, hand-broken) with exit 4 and one line.

What a file holds is read here with the standard library's sqlite3, never through povtrack.
"""

from __future__ import annotations

import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest

from povtrack.errors import DatabaseError
from povtrack.storage import Database
from povtrack.storage.sqlite.backend import SqliteBackend
from povtrack.storage.sqlite.file import SCHEMA
from tests.helpers.db import DANGEROUS, RELOCATED, lines
from tests.helpers.faults import hold_lock

AFFORESTATION = "ecology.afforestation"  # mu: fractions allowed


@pytest.fixture
def sq(tmp_path: Path) -> Path:
    return tmp_path / "t.sqlite"


@pytest.fixture
def made(run, sq: Path) -> Path:
    result = run("--db", str(sq), "init")
    assert result.exit_code == 0, result.stderr
    return sq


def raw(path: Path, sql: str, params: tuple = ()) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def change(path: Path, *statements: str) -> None:
    """Edit the file behind povtrack's back, as a user with the sqlite3 shell would."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        for statement in statements:
            conn.execute(statement)
    finally:
        conn.close()


def rec(run, db: Path, indicator: str, value: str, day: str = "2018-06-10") -> None:
    result = run("--db", str(db), "record", indicator, value, "--area", "yanggao", "--date", day)
    assert result.exit_code == 0, result.stderr


def meta(path: Path) -> dict[str, str]:
    return dict(raw(path, "SELECT key, value FROM meta"))


# ---------------------------------------------------------------------------- a new database


def test_init_makes_a_private_wal_sqlite_file(made: Path) -> None:
    assert stat.S_IMODE(made.stat().st_mode) == 0o600
    assert raw(made, "PRAGMA journal_mode") == [("wal",)]
    assert raw(made, "PRAGMA user_version") == [(SCHEMA,)] and SCHEMA == 2
    assert raw(made, "PRAGMA application_id")[0][0] != 0
    assert meta(made)["generation"] == "1"
    assert raw(made, "SELECT count(*) FROM entries") == [(0,)]
    assert not list(made.parent.glob(".t.sqlite.*"))  # the temp file it was built in is gone


def test_the_tables_have_an_index_on_each_series_by_date(made: Path) -> None:
    indexes = raw(made, "SELECT sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL")
    assert any("(indicator, area, date, id, value)" in sql for (sql,) in indexes)
    assert any("(batch)" in sql for (sql,) in indexes)


def test_init_refuses_an_existing_sqlite_file_without_force(run, made: Path) -> None:
    before = made.read_bytes()
    result = run("--db", str(made), "init")
    assert result.exit_code == 2
    assert "already exists" in result.stderr
    assert made.read_bytes() == before


def test_init_force_moves_the_old_file_aside(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    result = run("--db", str(made), "init", "--force")
    assert result.exit_code == 0, result.stderr
    [aside] = made.parent.glob("t.sqlite.*.bak")
    assert raw(aside, "SELECT value FROM entries") == [(5200,)]
    assert raw(made, "SELECT count(*) FROM entries") == [(0,)]


# ---------------------------------------------------------------------------- writing


def test_records_reach_the_file_and_read_back(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    rec(run, made, AFFORESTATION, "12.5")
    rows = raw(made, 'SELECT id, indicator, area, date, value, "by", batch FROM entries')
    assert rows == [
        (1, RELOCATED, "yanggao", "2018-06-10", 5200, "tester", "b1"),
        (2, AFFORESTATION, "yanggao", "2018-06-10", 12.5, "tester", "b2"),
    ]
    assert meta(made)["generation"] == "3"
    assert meta(made)["entries_count"] == "2"
    store = Database.open(made)
    assert [(e.id, e.value, e.date) for e in store.entries()] == [
        (1, 5200, date(2018, 6, 10)),
        (2, 12.5, date(2018, 6, 10)),
    ]


def test_integers_stay_integers_and_floats_floats(run, made: Path) -> None:
    rec(run, made, AFFORESTATION, "12")
    rec(run, made, AFFORESTATION, "12.0", day="2018-06-17")
    assert raw(made, "SELECT typeof(value) FROM entries ORDER BY id") == [("integer",), ("real",)]
    values = [e.value for e in Database.open(made).entries()]
    assert [type(v) for v in values] == [int, float]


def test_leaving_writing_without_commit_rolls_back(made: Path) -> None:
    before = raw(made, "SELECT key, value FROM meta ORDER BY key")
    with SqliteBackend.writing(made, lock_timeout=1) as store:
        batch = store.add_batch("record", "tester")
        store.add_entries(
            [
                {
                    "indicator": RELOCATED,
                    "area": "yanggao",
                    "date": date(2018, 6, 10),
                    "value": 1,
                    "source": "test",
                }
            ],
            by="tester",
            batch=batch,
        )
        assert len(store.all_entries()) == 1  # seen inside the transaction
    assert raw(made, "SELECT count(*) FROM entries") == [(0,)]
    assert raw(made, "SELECT count(*) FROM batches") == [(0,)]
    assert raw(made, "SELECT key, value FROM meta ORDER BY key") == before


def test_a_commit_with_nothing_changed_writes_nothing(made: Path) -> None:
    with SqliteBackend.writing(made, lock_timeout=1) as store:
        store.commit()
    assert meta(made)["generation"] == "1"


@pytest.mark.parametrize("table", ["entries", "batches", "allocations"])
@pytest.mark.parametrize("statement", ["UPDATE {t} SET rowid = rowid", "DELETE FROM {t}"])
def test_append_only_tables_refuse_update_and_delete(
    run, made: Path, table: str, statement: str
) -> None:
    rec(run, made, RELOCATED, "5200")
    assert run("--db", str(made), "target", "set", RELOCATED, "9000", "--area", "yanggao")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        change(made, statement.format(t=table))
    assert raw(made, f"SELECT count(*) FROM {table}") == [(1,)]


def test_a_held_lock_gives_exit_5_naming_the_holder(run, made: Path) -> None:
    before = made.read_bytes()
    with hold_lock(made):
        result = run("--db", str(made), "--lock-timeout", "0.2", "record", DANGEROUS, "5",
                     "--area", "yanggao", "--date", "2018-07-01")  # fmt: skip
    assert result.exit_code == 5
    [line] = lines(result.stderr)
    assert "database busy" in line and "pytest holding the lock" in line
    assert made.read_bytes() == before


def test_another_sqlite_writer_gives_exit_5(run, made: Path) -> None:
    """A program that skips povtrack's lock (the sqlite3 shell) but holds SQLite's."""
    other = sqlite3.connect(made, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        result = run("--db", str(made), "--lock-timeout", "0.2", "record", DANGEROUS, "5",
                     "--area", "yanggao", "--date", "2018-07-01")  # fmt: skip
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert result.exit_code == 5
    [line] = lines(result.stderr)
    assert str(made) in line and "busy" in line


# ---------------------------------------------------------------------------- refusals


def refused(run, db: Path, *words: str) -> str:
    """``status`` on a bad file: exit 4, one line naming the file, no traceback."""
    before = db.read_bytes()
    result = run("--db", str(db), "status", "--json")
    assert result.exit_code == 4, result.stderr
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db}: ")
    for word in words:
        assert word in line
    assert db.read_bytes() == before
    assert result.stdout == ""
    return line


def test_not_a_database_file_is_refused(run, sq: Path) -> None:
    sq.write_text('{"meta": {"1": {"schema": 4}}}', encoding="utf-8")
    refused(run, sq, "not a database", "looks like a JSON database", "rename it .json")
    sq.write_bytes(b"\x00garbage" * 100)
    refused(run, sq, "not a database")


def test_an_empty_file_is_refused(run, sq: Path) -> None:
    sq.write_bytes(b"")
    refused(run, sq, "empty")


def test_a_sqlite_file_that_is_not_povtracks_is_refused(run, sq: Path) -> None:
    change(sq, "CREATE TABLE t (x)")
    refused(run, sq, "not a povtrack database")


def test_a_corrupt_header_is_refused(run, made: Path) -> None:
    data = bytearray(made.read_bytes())
    data[:16] = b"garbage garbage!"
    made.write_bytes(bytes(data))
    refused(run, made, "corrupt")


def test_corrupt_pages_are_refused(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    data = bytearray(made.read_bytes())
    page = 4096
    data[page : len(data)] = b"\xff" * (len(data) - page)  # every page after the first
    made.write_bytes(bytes(data))
    refused(run, made, "corrupt")


def test_a_newer_layout_is_refused_and_not_changed(run, made: Path) -> None:
    change(made, "PRAGMA user_version = 99")
    line = refused(run, made, "newer povtrack", "99")
    assert "upgrade" in line
    write = run("--db", str(made), "record", DANGEROUS, "5", "--area", "yanggao")
    assert write.exit_code == 4
    assert raw(made, "PRAGMA user_version") == [(99,)]


def test_an_entry_naming_an_area_the_plan_lacks_is_refused(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    change(
        made,
        "INSERT INTO entries (id, indicator, area, date, value) "
        f"VALUES (7, '{RELOCATED}', 'atlantis', '2018-06-10', 1)",
    )
    refused(run, made, "atlantis", "entry 7")


def test_a_value_that_is_not_a_number_is_refused(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    change(
        made,
        "PRAGMA ignore_check_constraints = 1",
        "INSERT INTO entries (id, indicator, area, date, value) "
        f"VALUES (9, '{RELOCATED}', 'yanggao', '2018-06-10', 'lots')",
    )
    refused(run, made, "entry 9", "'lots'")


def test_an_impossible_date_is_refused(run, made: Path) -> None:
    change(
        made,
        "PRAGMA ignore_check_constraints = 1",
        "INSERT INTO entries (id, indicator, area, date, value) "
        f"VALUES (3, '{RELOCATED}', 'yanggao', '2018-02-30', 1)",
    )
    refused(run, made, "entry 3", "2018-02-30")


def test_fewer_records_than_the_last_commit_counted_is_refused(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    rec(run, made, RELOCATED, "5300", day="2018-06-17")
    [(trigger,)] = raw(made, "SELECT sql FROM sqlite_master WHERE name = 'entries_no_delete'")
    change(
        made,
        "DROP TRIGGER entries_no_delete",
        "DELETE FROM entries WHERE id = 2",
        trigger,  # put back as it was: only the count tells what was removed
    )
    refused(run, made, "1 records", "last commit wrote 2")


def test_the_open_api_refuses_with_a_database_error(made: Path) -> None:
    change(made, "PRAGMA user_version = 99")
    with pytest.raises(DatabaseError, match="newer povtrack"):
        Database.open(made)


def test_db_verify_lists_every_bad_record(run, made: Path) -> None:
    rec(run, made, RELOCATED, "5200")
    change(
        made,
        "PRAGMA ignore_check_constraints = 1",
        "INSERT INTO entries (id, indicator, area, date, value) "
        f"VALUES (5, '{RELOCATED}', 'atlantis', '2018-06-10', 1)",
        "INSERT INTO entries (id, indicator, area, date, value, batch) "
        f"VALUES (6, '{RELOCATED}', 'yanggao', '2018-06-10', -3, 'b99')",
    )
    result = run("--db", str(made), "db", "verify")
    assert result.exit_code == 4
    text = result.stderr
    assert "atlantis" in text and "entry 6: value" in text and "'b99'" in text
    assert "no good backup" in text


# ---------------------------------------------------------------------------- naming the file


def test_a_sqlite_url_in_povtrack_db_names_the_file(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("POVTRACK_DB", "sqlite:///rel.sqlite")
    assert run("init").exit_code == 0
    assert raw(tmp_path / "rel.sqlite", "PRAGMA journal_mode") == [("wal",)]
    absolute = tmp_path / "abs.sqlite"
    monkeypatch.setenv("POVTRACK_DB", f"sqlite:///{absolute}")  # four slashes: absolute
    assert run("init").exit_code == 0
    assert absolute.is_file()


def test_a_url_on_the_command_line_keeps_its_slashes(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert run("--db", "sqlite:///rel.sqlite", "init").exit_code == 0
    assert raw(tmp_path / "rel.sqlite", "PRAGMA journal_mode") == [("wal",)]
    absolute = tmp_path / "abs.sqlite"
    assert run("init", "--db", f"sqlite:///{absolute}").exit_code == 0  # four slashes
    assert absolute.is_file()


def test_a_sqlite_file_under_another_name_is_known_by_its_bytes(run, tmp_path: Path) -> None:
    made = tmp_path / "made.sqlite"
    assert run("--db", str(made), "init").exit_code == 0
    renamed = tmp_path / "tracker.db"
    made.rename(renamed)
    result = run("--db", str(renamed), "status", "--json")
    assert result.exit_code == 0, result.stderr
    json_db = tmp_path / "other.db"  # and a JSON database named .db stays a JSON database
    assert run("--db", str(json_db), "init").exit_code == 0
    assert json_db.read_bytes().startswith(b"{")
    assert run("--db", str(json_db), "status", "--json").exit_code == 0


def test_a_server_url_is_exit_2_naming_the_backends(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A URL of a server povtrack has no backend for (postgresql:// has one since issue 15)."""
    monkeypatch.setenv("POVTRACK_DB", "mysql://office/povtrack")
    result = run("status")
    assert result.exit_code == 2
    assert "no 'mysql' backend" in result.stderr


def test_a_command_on_files_refuses_a_postgresql_url(run, monkeypatch: pytest.MonkeyPatch) -> None:
    """``demo`` builds a database file, and a PostgreSQL backup goes only into a new database
    (``db restore --to``): exit 2 before any connection (the host named here does not exist),
    the password masked. (``db backup``, ``db backups`` and ``db restore --to`` on a server:
    tests/storage/test_pg_backup.py.)"""
    url = "postgresql://office:pw@no-such-host.invalid/povtrack"
    monkeypatch.setenv("POVTRACK_DB", url)
    demo = run("demo", "--db", url)
    assert demo.exit_code == 2
    assert "not available for a PostgreSQL database" in demo.stderr
    restore = run("db", "restore")
    assert restore.exit_code == 2
    assert "never in place" in restore.stderr
    for result in (demo, restore):
        assert "postgresql://office:***@no-such-host.invalid/povtrack" in result.stderr

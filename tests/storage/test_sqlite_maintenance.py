"""db verify, backup, backups and restore on a SQLite database (maintenance_sqlite): the same
commands and output shapes as for a JSON database, backups made with SQLite's backup API.

Files are read with the standard library's sqlite3, never through povtrack.
"""

from __future__ import annotations

import json
import sqlite3
import stat
from pathlib import Path

import pytest

from povtrack.storage.sqlite.file import SCHEMA
from tests.helpers.db import DANGEROUS, lines


def raw(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def values(path: Path) -> list[int]:
    return [v for (v,) in raw(path, "SELECT value FROM entries ORDER BY id")]


def generation(path: Path) -> int:
    return int(raw(path, "SELECT value FROM meta WHERE key = 'generation'")[0][0])


@pytest.fixture
def sq(run, tmp_path: Path) -> Path:
    """init (generation 1) and two records (generations 2 and 3)."""
    db = tmp_path / "m.sqlite"
    assert run("--db", str(db), "init").exit_code == 0
    for value, day in (("100", "2018-07-01"), ("200", "2018-07-08")):
        result = run("--db", str(db), "record", DANGEROUS, value, "--area", "yanggao",
                     "--date", day)  # fmt: skip
        assert result.exit_code == 0, result.stderr
    return db


def backup(run, db: Path) -> Path:
    result = run("--db", str(db), "db", "backup")
    assert result.exit_code == 0, result.stderr
    return Path(result.stdout.strip())


def test_db_backup_writes_a_private_self_contained_copy(run, sq: Path) -> None:
    copy = backup(run, sq)
    assert copy.parent == sq.with_name("m.sqlite.backups")
    assert copy.name.startswith("manual-") and copy.name.endswith("-gen-000003.sqlite")
    assert stat.S_IMODE(copy.stat().st_mode) == 0o600
    assert stat.S_IMODE(copy.parent.stat().st_mode) == 0o700
    assert raw(copy, "PRAGMA journal_mode") == [("delete",)]  # no -wal needed beside it
    assert values(copy) == [100, 200]
    assert not [p for p in copy.parent.iterdir() if p.name.startswith(".")]


def test_no_backup_is_kept_per_commit(sq: Path) -> None:
    assert not sq.with_name("m.sqlite.backups").exists()


def test_db_backups_lists_them_as_for_json(run, sq: Path) -> None:
    copy = backup(run, sq)
    result = run("--db", str(sq), "db", "backups", "--json")
    assert result.exit_code == 0, result.stderr
    [row] = json.loads(result.stdout)["backups"]
    assert row == {
        "name": copy.name,
        "path": str(copy),
        "ok": True,
        "generation": 3,
        "committed_at": row["committed_at"],
        "entries": 2,
    }
    text = run("--db", str(sq), "db", "backups")
    assert text.stdout.startswith(f"{copy.name}\tgeneration 3\t2 entries\t")


def test_db_verify_json_on_a_sound_database(run, sq: Path) -> None:
    backup(run, sq)
    result = run("--db", str(sq), "db", "verify", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "database": str(sq),
        "ok": True,
        "problems": [],
        "schema": SCHEMA,
        "generation": 3,
        "entries": 2,
        "allocations": 0,
        "batches": 2,
        "backups": 1,
    }


def test_db_restore_puts_the_backup_back_with_the_next_generation(run, sq: Path) -> None:
    copy = backup(run, sq)
    result = run("--db", str(sq), "record", DANGEROUS, "300", "--area", "yanggao",
                 "--date", "2018-07-15")  # fmt: skip
    assert result.exit_code == 0
    assert generation(sq) == 4
    result = run("--db", str(sq), "db", "restore")
    assert result.exit_code == 0, result.stderr
    assert values(sq) == [100, 200]
    assert generation(sq) == 5
    restored_from = raw(sq, "SELECT value FROM meta WHERE key = 'restored_from'")[0][0]
    assert json.loads(restored_from) == f"{copy.name} (generation 3)"
    [kept] = sq.with_name("m.sqlite.backups").glob("before-restore-*.sqlite")
    assert values(kept) == [100, 200, 300]
    assert raw(sq, "PRAGMA journal_mode") == [("wal",)]
    assert run("--db", str(sq), "db", "verify").exit_code == 0


def test_db_restore_by_generation_number(run, sq: Path) -> None:
    backup(run, sq)
    run("--db", str(sq), "record", DANGEROUS, "300", "--area", "yanggao", "--date", "2018-07-15")
    result = run("--db", str(sq), "db", "restore", "3")
    assert result.exit_code == 0, result.stderr
    assert values(sq) == [100, 200]


def test_a_corrupt_database_points_at_its_backup_and_restore_mends_it(run, sq: Path) -> None:
    copy = backup(run, sq)
    sq.write_bytes(b"SQLite format 3\x00" + b"\x00" * 84 + b"broken" * 1000)
    status = run("--db", str(sq), "status")
    assert status.exit_code == 4
    [line] = lines(status.stderr)
    assert str(sq) in line and f"newest good backup: {copy}" in line
    result = run("--db", str(sq), "db", "restore")
    assert result.exit_code == 0, result.stderr
    [kept] = sq.with_name("m.sqlite.backups").glob("before-restore-*.sqlite")
    assert kept.read_bytes().endswith(b"broken")  # the broken file, kept as it was
    assert values(sq) == [100, 200]
    assert run("--db", str(sq), "status", "--json").exit_code == 0


def test_a_bad_backup_is_refused_before_anything_changes(run, sq: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database", encoding="utf-8")
    before = sq.read_bytes()
    result = run("--db", str(sq), "db", "restore", str(bad))
    assert result.exit_code == 4
    assert sq.read_bytes() == before
    assert not sq.with_name("m.sqlite.backups").exists()

"""`povtrack db verify` (text and --json) on sound and damaged databases, the exit-4 refusal
of every command on a hand-broken database with its "newest good backup" hint, and the
record-count guard that notices records removed by hand.

Expectations are read straight from the JSON files on disk, never from povtrack's own code.
"""

from __future__ import annotations

import json
from pathlib import Path

import helpers_db
import pytest
from helpers_db import (
    DANGEROUS,
    RELOCATED,
    backups_dir,
    doc,
    gen_file,
    hand_break,
    lines,
    record,
    returns_csv,
    snapshot,
    write_doc,
)

three_gens = helpers_db.three_gens  # the fixture, found by pytest under this name


# ---------------------------------------------------------------------------- db verify


def _sound_db(run, db_path: Path, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    record(run, "10")
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    csv = tmp_path / "r" / "w.csv"
    csv.parent.mkdir()
    csv.write_text(
        "date,area,indicator,value\n"
        f"2018-07-01,tianzhen,{DANGEROUS},3\n"
        f"2018-07-01,guangling,{DANGEROUS},4\n",
        "utf-8",
    )
    assert run("import", str(csv)).exit_code == 0


def test_verify_sound_database(run, db_path: Path, tmp_path: Path) -> None:
    _sound_db(run, db_path, tmp_path)
    data = doc(db_path)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    # init 1, record 2, target set 3, import 4; 3 entries, 1 allocation, 2 batches, 3 backups
    assert data["meta"]["1"]["generation"] == 4
    assert (len(data["entries"]), len(data["allocations"]), len(data["batches"])) == (3, 1, 2)
    assert lines(result.stderr) == [
        f"{db_path}: ok — schema 3, generation 4, 3 entries, 1 allocations, 2 batches, 3 backups"
    ]
    assert snapshot(tmp_path) == before


def test_verify_json_sound(run, db_path: Path, tmp_path: Path) -> None:
    _sound_db(run, db_path, tmp_path)
    result = run("db", "verify", "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == {
        "database": str(db_path),
        "ok": True,
        "problems": [],
        "schema": 3,
        "generation": 4,
        "entries": 3,
        "allocations": 1,
        "batches": 2,
        "backups": 3,
    }


def _break_many(db_path: Path) -> tuple[bytes, dict[str, str]]:
    """Five records broken by hand; returns the bytes and {JSON path: what the line says}."""
    data = doc(db_path)
    entries = data["entries"]
    ids = sorted(entries, key=int)
    assert len(ids) >= 4
    e_area, e_value, e_date, e_batch = ids[:4]
    entries[e_area]["area"] = "atlantis"
    entries[e_value]["value"] = -5
    del entries[e_date]["date"]
    entries[e_batch]["batch"] = "b99"
    [a_id] = list(data["allocations"])
    data["allocations"][a_id]["indicator"] = "housing.castles"
    expected = {
        f"/entries/{e_area}/area": "atlantis",
        f"/entries/{e_value}/value": "-5",
        f"/entries/{e_date}/date": "missing",
        f"/entries/{e_batch}/batch": "b99",
        f"/allocations/{a_id}/indicator": "housing.castles",
    }
    return write_doc(db_path, data), expected


def _db_with_four_entries(run, db_path: Path) -> None:
    assert run("init").exit_code == 0
    for n, area in enumerate(["yanggao", "tianzhen", "guangling", "lingqiu"]):
        record(run, str(n + 1), area=area)
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0


def test_verify_lists_every_problem_with_its_json_path(run, db_path: Path, tmp_path: Path) -> None:
    _db_with_four_entries(run, db_path)
    raw, expected = _break_many(db_path)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 4
    assert result.stdout == ""
    *errors, hint = lines(result.stderr)
    assert all(ln.startswith(f"error: {db_path}: /") for ln in errors), errors
    assert hint.startswith(f"error: {db_path}: newest good backup: "), hint
    for path, fragment in expected.items():
        found = [ln for ln in errors if f": {path}" in ln]
        assert found, f"{path} not reported in {errors}"
        assert any(fragment in ln for ln in found), found
    assert db_path.read_bytes() == raw
    assert snapshot(tmp_path) == before


def test_verify_missing_date_is_one_line(run, three_gens: Path) -> None:
    db_path = three_gens
    data = doc(db_path)
    del data["entries"]["1"]["date"]
    write_doc(db_path, data)
    result = run("db", "verify")
    assert result.exit_code == 4
    assert lines(result.stderr) == [
        f"error: {db_path}: /entries/1/date is missing",
        f"error: {db_path}: newest good backup: {gen_file(db_path, 2)} (generation 2); "
        "restore it with 'povtrack db restore'",
    ]


def test_verify_json_lists_every_problem(run, db_path: Path, tmp_path: Path) -> None:
    _db_with_four_entries(run, db_path)
    raw, expected = _break_many(db_path)
    result = run("db", "verify", "--json")
    assert result.exit_code == 4
    out = json.loads(result.stdout)  # stdout is the JSON and nothing else
    assert set(out) == {
        "database",
        "ok",
        "problems",
        "schema",
        "generation",
        "entries",
        "allocations",
        "batches",
        "backups",
    }
    assert out["database"] == str(db_path)
    assert out["ok"] is False
    for path in expected:
        assert any(f": {path}" in p for p in out["problems"]), (path, out["problems"])
    assert out["backups"] == 5  # init, 4 records, target set: gen-1..gen-5
    assert db_path.read_bytes() == raw


def test_verify_truncated_names_the_byte(run, three_gens: Path, tmp_path: Path) -> None:
    db_path = three_gens
    raw = db_path.read_bytes()
    cut = raw[: raw.index(b'"entries"')]  # ends after the comma before "entries"
    db_path.write_bytes(cut)
    # where a JSON parser stops: at the end of the text, after the trailing blank
    text = cut.decode("utf-8")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        stop = len(text[: exc.pos].encode("utf-8"))
    else:  # pragma: no cover
        raise AssertionError("the cut file still parses")
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: corrupt database: ")
    assert f"at byte {stop} " in line
    assert f"newest good backup: {gen_file(db_path, 2)} (generation 2)" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("damage", ["empty", "garbled", "not-utf8", "newer"])
def test_verify_other_damage_exit_4_and_unchanged(
    run, three_gens: Path, tmp_path: Path, damage: str
) -> None:
    db_path = three_gens
    if damage == "empty":
        db_path.write_bytes(b"")
    elif damage == "garbled":
        db_path.write_bytes(b'{"meta": {"1": ')
    elif damage == "not-utf8":
        db_path.write_bytes(db_path.read_bytes().replace("阳高".encode(), "阳高".encode("gbk"), 1))
    else:
        data = doc(db_path)
        data["meta"]["1"]["schema"] = 4  # one past the current schema (3)
        write_doc(db_path, data)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: ")
    if damage == "newer":
        assert "newer" in line
    assert snapshot(tmp_path) == before


def test_verify_missing_database(run, db_path: Path, tmp_path: Path) -> None:
    result = run("db", "verify")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert str(db_path) in line and "no database" in line
    assert list(tmp_path.iterdir()) == []


# ---------------------------------------------------------------------------- exit 4 + hint


READS_AND_WRITES = {
    "status": ["status"],
    "status-json": ["status", "--json"],
    "log": ["log", "--json"],
    "areas": ["areas", "--json"],
    "plan-show": ["plan", "show", "--json"],
    "target-list": ["target", "list"],
    "record": ["record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-15"],
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9000", "--area", "tianzhen"],
}


def _args(name: str, tmp_path: Path) -> list[str]:
    csv = returns_csv(tmp_path / "returns", value=11)
    return [str(csv) if a == "{csv}" else a for a in READS_AND_WRITES[name]]


@pytest.mark.parametrize("name", list(READS_AND_WRITES))
def test_hand_broken_database_names_the_newest_good_backup(
    run, three_gens: Path, tmp_path: Path, name: str
) -> None:
    db_path = three_gens
    hand_break(db_path)
    args = _args(name, tmp_path)
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: corrupt database: /entries/1/area: 'atlantis'")
    assert f"newest good backup: {gen_file(db_path, 2)} (generation 2)" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("damage", ["hand-broken", "records-removed"])
def test_db_backup_of_a_bad_database_exit_4_nothing_kept(
    run, three_gens: Path, tmp_path: Path, damage: str
) -> None:
    db_path = three_gens
    if damage == "hand-broken":
        hand_break(db_path)
    else:
        data = doc(db_path)
        del data["entries"]["2"]
        write_doc(db_path, data)
    before = snapshot(tmp_path)
    result = run("db", "backup")
    assert result.exit_code == 4
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: corrupt database: ")
    assert snapshot(tmp_path) == before


def test_db_backup_of_a_bad_database_names_the_newest_good_backup(run, three_gens: Path) -> None:
    db_path = three_gens
    hand_break(db_path)
    result = run("db", "backup")
    assert result.exit_code == 4
    assert f"newest good backup: {gen_file(db_path, 2)} (generation 2)" in result.stderr


def test_hand_broken_database_without_backups(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    data = doc(db_path)
    data["meta"]["1"]["plan_text"] = 42
    write_doc(db_path, data)
    before = snapshot(tmp_path)
    result = run("status")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert str(db_path) in line
    assert "/meta/1/plan_text" in line
    assert f"no good backup in {backups_dir(db_path)}" in line
    assert snapshot(tmp_path) == before


def test_hint_skips_a_corrupt_newest_backup(run, three_gens: Path) -> None:
    db_path = three_gens
    gen_file(db_path, 2).write_bytes(b"{")  # the newest backup is bad too
    hand_break(db_path)
    result = run("status")
    assert result.exit_code == 4
    assert f"newest good backup: {gen_file(db_path, 1)} (generation 1)" in result.stderr


# ---------------------------------------------------------------------------- count guard


COUNT_GUARD_COMMANDS = {**READS_AND_WRITES, "verify": ["db", "verify"]}


@pytest.mark.parametrize("name", list(COUNT_GUARD_COMMANDS))
def test_records_removed_by_hand_are_refused(
    run, three_gens: Path, tmp_path: Path, name: str
) -> None:
    db_path = three_gens
    data = doc(db_path)
    assert data["meta"]["1"]["entries_count"] == 2
    del data["entries"]["2"]  # every remaining record is sound
    write_doc(db_path, data)
    args = _args(name, tmp_path) if name in READS_AND_WRITES else COUNT_GUARD_COMMANDS[name]
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    hint = f"newest good backup: {gen_file(db_path, 2)} (generation 2)"
    if name == "verify":  # verify: one line per problem, then one naming the backup
        [line, last] = lines(result.stderr)
        assert last.startswith(f"error: {db_path}: {hint}")
    else:
        [line] = lines(result.stderr)
        assert hint in line
    assert line.startswith(f"error: {db_path}: ")
    assert "/entries: 1 records, but the last commit wrote 2" in line
    assert "records removed" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("table", ["allocations", "batches"])
def test_other_tables_are_counted_too(run, initialised, db_path: Path, table: str) -> None:
    record(run, "1")
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    data = doc(db_path)
    data[table].pop(next(iter(data[table])))
    if table == "batches":
        for entry in data["entries"].values():
            entry.pop("batch")
    raw = write_doc(db_path, data)
    result = run("status")
    assert result.exit_code == 4
    assert f"/{table}: 0 records, but the last commit wrote 1" in result.stderr
    assert db_path.read_bytes() == raw


def test_more_records_than_counted_is_fine(run, three_gens: Path) -> None:
    """Only fewer records than the last commit counted mean a loss."""
    db_path = three_gens
    data = doc(db_path)
    data["meta"]["1"]["entries_count"] = 1
    write_doc(db_path, data)
    assert run("status", "--json").exit_code == 0


def test_verify_lists_the_count_problem_with_the_others(run, three_gens: Path) -> None:
    db_path = three_gens
    data = doc(db_path)
    del data["entries"]["2"]
    data["entries"]["1"]["area"] = "atlantis"
    write_doc(db_path, data)
    result = run("db", "verify")
    assert result.exit_code == 4
    errors = lines(result.stderr)
    assert any("/entries/1/area" in ln for ln in errors), errors
    assert any("/entries: 1 records, but the last commit wrote 2" in ln for ln in errors), errors


def test_restore_repairs_removed_records(run, three_gens: Path) -> None:
    db_path = three_gens
    full = doc(db_path)["entries"]
    data = doc(db_path)
    del data["entries"]["2"]
    write_doc(db_path, data)
    result = run("db", "restore", "2")
    assert result.exit_code == 0, result.stderr
    assert len(doc(db_path)["entries"]) == 1
    assert doc(db_path)["entries"]["1"] == full["1"]
    assert run("status", "--json").exit_code == 0

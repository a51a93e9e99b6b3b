"""`povtrack db verify` (text and --json) on sound and damaged databases, the exit-4 refusal
of every command on a hand-broken database with its "newest good backup" hint, and the
record-count guard that notices records removed by hand.

Expectations are read straight from the JSON files on disk, never from povtrack's own code.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import db as helpers_db
from tests.helpers.db import (
    DANGEROUS,
    RELOCATED,
    backups_dir,
    doc,
    downgrade,
    drop_entry,
    drop_field,
    edit_entry,
    entry_docs,
    entry_path,
    gen_file,
    hand_break,
    lines,
    locate,
    record,
    rename_series,
    returns_csv,
    snapshot,
    write_doc,
)

three_gens = helpers_db.three_gens  # the fixture, found by pytest under this name

SCHEMA = 4  # what this povtrack writes

# Every way entries are stored: this povtrack's series (schema 4), and the entries table of
# povtrack 0.3 (schema 3, read and still checked record by record).
LAYOUTS = ["series", "entries"]


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
    assert (len(entry_docs(data)), len(data["allocations"]), len(data["batches"])) == (3, 1, 2)
    assert lines(result.stderr) == [
        f"{db_path}: ok — schema {SCHEMA}, generation 4, 3 entries, 1 allocations, 2 batches, "
        "3 backups"
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
        "schema": SCHEMA,
        "generation": 4,
        "entries": 3,
        "allocations": 1,
        "batches": 2,
        "backups": 3,
    }


def _break_many(db_path: Path, layout: str) -> tuple[bytes, dict[str, str]]:
    """Five records broken by hand (``layout`` "entries": in a schema-3 file); returns the
    bytes and {JSON path: what the line says}."""
    data = doc(db_path)
    if layout == "entries":
        downgrade(data, 3)
    ids = sorted(entry_docs(data))
    assert len(ids) >= 4
    e_area, e_value, e_date, e_batch = ids[:4]
    where = {
        "area": entry_path(data, e_area, "area"),
        "value": entry_path(data, e_value, "value"),
        "date": entry_path(data, e_date, "date"),
        "batch": entry_path(data, e_batch, "batch"),
    }
    if layout == "series":  # each entry is alone in its series: the series' own key
        assert all(len(s["id"]) == 1 for s in data["series"].values())
        where["date"] = f"/series/{locate(data, e_date)[0]}/date"  # the column goes
        rename_series(data, e_area, area="atlantis")
    else:
        edit_entry(data, e_area, area="atlantis")
    edit_entry(data, e_value, value=-5)
    drop_field(data, e_date, "date")
    edit_entry(data, e_batch, batch="b99")
    [a_id] = list(data["allocations"])
    data["allocations"][a_id]["indicator"] = "housing.castles"
    expected = {
        where["area"]: "'atlantis' is not in the plan",
        where["value"]: "must be a number ≥ 0, not -5",
        where["date"]: "is missing",
        where["batch"]: "'b99' is not a recorded batch",
        f"/allocations/{a_id}/indicator": "'housing.castles' is not in the plan",
    }
    if layout == "series":  # a reference names the entry as well as its row
        expected[where["batch"]] = f"(entry {e_batch}): 'b99' is not a recorded batch"
    return write_doc(db_path, data), expected


def _db_with_four_entries(run, db_path: Path) -> None:
    assert run("init").exit_code == 0
    for n, area in enumerate(["yanggao", "tianzhen", "guangling", "lingqiu"]):
        record(run, str(n + 1), area=area)
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_verify_lists_every_problem_with_its_json_path(
    run, db_path: Path, tmp_path: Path, layout: str
) -> None:
    _db_with_four_entries(run, db_path)
    raw, expected = _break_many(db_path, layout)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 4
    assert result.stdout == ""
    *errors, hint = lines(result.stderr)
    assert all(ln.startswith(f"error: {db_path}: /") for ln in errors), errors
    assert hint.startswith(f"error: {db_path}: newest good backup: "), hint
    for path, fragment in expected.items():
        found = [ln for ln in errors if f": {path} " in ln or f": {path}: " in ln]
        assert found, f"{path} not reported in {errors}"
        assert any(fragment in ln for ln in found), found
    assert len(errors) == len(expected), errors
    assert db_path.read_bytes() == raw
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("layout", LAYOUTS)
def test_verify_missing_date_is_one_line(run, three_gens: Path, layout: str) -> None:
    db_path = three_gens
    data = doc(db_path)
    if layout == "entries":
        downgrade(data, 3)
        drop_field(data, 1, "date")
        where = "/entries/1/date"
    else:  # entries 1 and 2 are one series: its date column goes
        assert locate(data, 1) == ("1", 0) and locate(data, 2) == ("1", 1)
        drop_field(data, 1, "date")
        where = "/series/1/date"
    write_doc(db_path, data)
    result = run("db", "verify")
    assert result.exit_code == 4
    assert lines(result.stderr) == [
        f"error: {db_path}: {where} is missing",
        f"error: {db_path}: newest good backup: {gen_file(db_path, 2)} (generation 2); "
        "restore it with 'povtrack db restore'",
    ]


def _set_row(column: str, value: Any):
    def change(data: dict[str, Any]) -> None:
        data["series"]["1"][column][1] = value

    return change


# name: (damage to series 1 of three_gens (entries 1 and 2), what verify must say)
SERIES_DAMAGE = {
    "batch-missing": (lambda d: d["series"]["1"].pop("batch"), "/series/1/batch is missing"),
    "batch-uneven": (
        lambda d: d["series"]["1"]["batch"].pop(),
        "/series/1/batch has 1 rows, /id has 2",
    ),
    "batch-row-a-list": (_set_row("batch", ["b1"]), "/series/1/batch/1 (entry 2) must be text"),
    "corrects-row-a-list": (
        lambda d: d["series"]["1"].update(corrects=[None, [1]]),
        "/series/1/corrects/1 (entry 2) must be an entry id",
    ),
    "id-not-a-list": (lambda d: d["series"]["1"].update(id=2), "/series/1/id must be a list"),
    "value-uneven": (
        lambda d: d["series"]["1"]["value"].pop(),
        "/series/1/value has 1 rows, /id has 2",
    ),
    "date-row-bad": (
        _set_row("date", "2018-13-01"),
        "/series/1/date/1 (entry 2) must be a date YYYY-MM-DD, not '2018-13-01'",
    ),
}


@pytest.mark.parametrize(
    "damage",
    list(SERIES_DAMAGE),
)
def test_verify_names_series_damage_never_an_internal_error(
    run, three_gens: Path, tmp_path: Path, damage: str
) -> None:
    db_path = three_gens
    change, says = SERIES_DAMAGE[damage]
    data = doc(db_path)
    change(data)
    write_doc(db_path, data)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert "internal error" not in result.stderr
    assert result.exit_code == 4, result.stderr
    *errors, hint = lines(result.stderr)
    assert errors == [f"error: {db_path}: {says}"]
    assert hint.startswith(f"error: {db_path}: newest good backup: {gen_file(db_path, 2)}")
    assert snapshot(tmp_path) == before


def test_verify_names_the_file_and_the_backup_for_a_bad_audit(run, three_gens: Path) -> None:
    db_path = three_gens
    data = doc(db_path)
    edit_entry(data, 2, note=5)
    write_doc(db_path, data)
    result = run("db", "verify")
    assert result.exit_code == 4
    assert lines(result.stderr) == [
        f"error: {db_path}: {entry_path(data, 2, 'note')} (entry 2) must be text",
        f"error: {db_path}: newest good backup: {gen_file(db_path, 2)} (generation 2); "
        "restore it with 'povtrack db restore'",
    ]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_verify_json_lists_every_problem(run, db_path: Path, tmp_path: Path, layout: str) -> None:
    _db_with_four_entries(run, db_path)
    raw, expected = _break_many(db_path, layout)
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
    for path, fragment in expected.items():
        assert any(f": {path}" in p and fragment in p for p in out["problems"]), (
            path,
            out["problems"],
        )
    assert out["backups"] == 5  # init, 4 records, target set: gen-1..gen-5
    assert db_path.read_bytes() == raw


def test_verify_truncated_names_the_byte(run, three_gens: Path, tmp_path: Path) -> None:
    db_path = three_gens
    raw = db_path.read_bytes()
    cut = raw[: raw.index(b'"series"')]  # ends after the comma before "series"
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
    elif damage == "not-utf8":  # povtrack writes ASCII; an editor saved it as UTF-8, then GBK
        raw = json.dumps(doc(db_path), ensure_ascii=False).encode("utf-8")
        assert "阳高".encode() in raw
        db_path.write_bytes(raw.replace("阳高".encode(), "阳高".encode("gbk"), 1))
    else:
        data = doc(db_path)
        data["meta"]["1"]["schema"] = SCHEMA + 1  # one past the current schema
        write_doc(db_path, data)
    before = snapshot(tmp_path)
    result = run("db", "verify")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: ")
    if damage == "newer":
        assert "written by a newer povtrack (povtrack " in line
        assert f", schema {SCHEMA + 1}); this is povtrack " in line
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
    # entry 1 and 2 are series 1: its area is the one changed
    assert line.startswith(
        f"error: {db_path}: corrupt database: /series/1/area: 'atlantis' is not in the plan"
    )
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
        drop_entry(data, 2)
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
    assert data["meta"]["1"]["entries_count"] == 2 == len(entry_docs(data))
    drop_entry(data, 2)  # every remaining record is sound
    assert list(entry_docs(data)) == [1]
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
    assert "/series: 1 entries, but the last commit wrote 2" in line
    assert "entries removed outside povtrack" in line
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize("table", ["allocations", "batches"])
def test_other_tables_are_counted_too(run, initialised, db_path: Path, table: str) -> None:
    record(run, "1")
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    data = doc(db_path)
    data[table].pop(next(iter(data[table])))
    if table == "batches":  # no entry names the removed batch: only the count is wrong
        for entry_id in entry_docs(data):
            edit_entry(data, entry_id, batch="")
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


@pytest.mark.parametrize("layout", LAYOUTS)
def test_verify_lists_the_count_problem_with_the_others(run, three_gens: Path, layout: str) -> None:
    db_path = three_gens
    data = doc(db_path)
    if layout == "entries":
        downgrade(data, 3)
        edit_entry(data, 1, area="atlantis")
        where = "/entries/1/area: 'atlantis'"
    else:  # entry 1 is series 1, alone once entry 2 is gone
        rename_series(data, 1, area="atlantis")
        where = "/series/1/area: 'atlantis'"
    drop_entry(data, 2)
    write_doc(db_path, data)
    result = run("db", "verify")
    assert result.exit_code == 4
    errors = lines(result.stderr)
    assert any(where in ln for ln in errors), errors
    count = {"entries": "/entries: 1 records", "series": "/series: 1 entries"}[layout]
    assert any(f"{count}, but the last commit wrote 2" in ln for ln in errors), errors


def test_restore_repairs_removed_records(run, three_gens: Path) -> None:
    db_path = three_gens
    full = entry_docs(doc(db_path))
    data = doc(db_path)
    drop_entry(data, 2)
    write_doc(db_path, data)
    result = run("db", "restore", "2")  # gen-2: the file after the first record
    assert result.exit_code == 0, result.stderr
    assert entry_docs(doc(db_path)) == {1: full[1]}
    assert run("status", "--json").exit_code == 0

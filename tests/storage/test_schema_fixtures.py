"""The databases of every released schema (tests/fixtures/, see its README) open, read and
migrate; a database from a newer povtrack is refused and never touched.

Each test works on a copy in tmp_path; the fixtures themselves are never written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.db import entry_count, entry_docs, write_doc
from tests.helpers.paths import FIXTURES, SAMPLE_RETURNS

V1 = FIXTURES / "db_v1.json"
V2 = FIXTURES / "db_v2.json"
V3 = FIXTURES / "db_v3.json"
V4 = FIXTURES / "db_v4.json"
SCHEMA = 4  # what this povtrack writes: entries column by column in /series
DANGEROUS = "housing.dangerous_houses"
RELOCATED = "housing.relocated_people"
RECORD = ["record", DANGEROUS, "5", "--area", "tianzhen", "--date", "2018-07-01"]


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_bytes().decode("utf-8"))


def backups_dir(db: Path) -> Path:
    return db.with_name(db.name + ".backups")


def backup_names(db: Path, prefix: str = "") -> list[str]:
    folder = backups_dir(db)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


def snapshot(folder: Path) -> dict[str, bytes | None]:
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith((".lock", ".lock.owner"))
    }


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture
def v1(db_path: Path) -> bytes:
    shutil.copyfile(V1, db_path)
    return db_path.read_bytes()


@pytest.fixture
def v2(db_path: Path) -> bytes:
    shutil.copyfile(V2, db_path)
    return db_path.read_bytes()


# ---------------------------------------------------------------------------- the fixtures


@pytest.mark.parametrize(("fixture", "schema"), [(V1, 1), (V2, 2)])
def test_fixture_holds_what_its_readme_says(fixture: Path, schema: int) -> None:
    data = doc(fixture)
    assert data["meta"]["1"]["schema"] == schema
    entries = data["entries"]
    assert len(entries) == 222
    assert len(data["allocations"]) == 1
    assert len(data["batches"]) == 2
    kinds = {b["id"]: b["kind"] for b in data["batches"].values()}
    assert sorted(kinds.values()) == ["import", "record"]
    by_kind = [kinds[e["batch"]] for e in entries.values()]
    assert (by_kind.count("record"), by_kind.count("import")) == (1, 221)
    assert ("generation" in data["meta"]["1"]) == (schema >= 2)


@pytest.mark.parametrize(("fixture", "schema"), [(V3, 3), (V4, 4)])
def test_fixture_with_history_holds_what_its_readme_says(fixture: Path, schema: int) -> None:
    data = doc(fixture)
    m = data["meta"]["1"]
    assert m["schema"] == schema
    assert ("entries" in data, "series" in data) == (schema < 4, schema >= 4)
    entries = entry_docs(data)
    assert sorted(entries) == list(range(1, 225))
    assert m["entries_count"] == 224 and (m["allocations_count"], m["batches_count"]) == (1, 5)
    kinds = [b["kind"] for b in data["batches"].values()]
    assert kinds == ["record", "import", "correct", "record", "undo"]
    assert (entries[223]["corrects"], entries[223]["reason"], entries[223]["value"]) == (
        1,
        "fixture",
        5230,
    )
    assert [i for i, e in entries.items() if "corrects" in e] == [223]
    assert entries[224]["batch"] == "b4" and data["batches"]["5"]["reverts"] == "b4"


def test_v4_fixture_holds_the_v3_entries_column_by_column() -> None:
    """The same seven commands: field for field the same entries (but when they were
    recorded), one series document per (indicator, area), each in id order."""
    v3, v4 = doc(V3), doc(V4)
    old, new = entry_docs(v3), entry_docs(v4)

    def timeless(records: dict[int, dict[str, Any]]) -> dict[int, dict[str, Any]]:
        return {i: {k: v for k, v in r.items() if k != "recorded_at"} for i, r in records.items()}

    assert timeless(new) == timeless(old)
    keys = [(s["indicator"], s["area"]) for s in v4["series"].values()]
    assert len(keys) == len(set(keys)) == len({(r["indicator"], r["area"]) for r in old.values()})
    assert list(v4["series"]) == [str(n) for n in range(1, len(keys) + 1)]
    for series in v4["series"].values():
        assert series["id"] == sorted(series["id"])
        assert ("corrects" in series) == (223 in series["id"])


# ---------------------------------------------------------------------------- schema 1


READS = {
    "status": ["status", "--json"],
    "log": ["log", "--json"],
    "areas": ["areas", "--json"],
    "target-list": ["target", "list", "--json"],
    "plan-show": ["plan", "show", "--json"],
    "verify": ["db", "verify"],
    "backups": ["db", "backups", "--json"],
}


@pytest.mark.parametrize("name", list(READS))
def test_v1_reads_without_changing_a_byte(
    run, v1: bytes, db_path: Path, tmp_path: Path, name: str
) -> None:
    before = snapshot(tmp_path)
    result = run(*READS[name])
    assert result.exit_code == 0, result.stderr
    assert db_path.read_bytes() == v1
    assert snapshot(tmp_path) == before
    assert not backups_dir(db_path).exists()


def test_v1_read_results(run, v1: bytes, db_path: Path) -> None:
    data = doc(db_path)
    entries = ok_json(run("log", "--json"))["entries"]
    assert len(entries) == 222
    assert {e["id"] for e in entries} == {int(k) for k in data["entries"]}
    [mine] = [e for e in entries if e["note"] == "fixture"]
    assert (mine["indicator"], mine["area"], mine["date"], mine["value"]) == (
        RELOCATED,
        "yanggao",
        "2018-06-10",  # 2018-W23 stands for its Sunday
        5200,
    )
    status = ok_json(run("status", "--json"))
    assert status["rows"]
    [alloc] = ok_json(run("target", "list", "--json"))["allocations"]
    assert (alloc["indicator"], alloc["area"], alloc["value"]) == (RELOCATED, "yanggao", 9000)
    areas = ok_json(run("areas", "--json"))
    assert "yanggao" in {a["id"] for a in areas["areas"]}


def test_v1_verify_says_schema_1(run, v1: bytes, db_path: Path) -> None:
    result = run("db", "verify")
    assert result.exit_code == 0, result.stderr
    [line] = lines(result.stderr)
    assert line.startswith(f"{db_path}: ok — schema 1, ")
    assert "222 entries, 1 allocations, 2 batches, 0 backups" in line
    out = ok_json(run("db", "verify", "--json"))
    assert (out["ok"], out["schema"], out["entries"]) == (True, 1, 222)
    assert db_path.read_bytes() == v1


FIRST_WRITES = {
    "record": RECORD,
    "target-set": ["target", "set", RELOCATED, "7000", "--area", "tianzhen"],
    "import": ["import", "{csv}"],
}


@pytest.mark.parametrize("name", list(FIRST_WRITES))
def test_v1_first_write_migrates(run, v1: bytes, db_path: Path, tmp_path: Path, name: str) -> None:
    old = doc(db_path)
    csv = tmp_path / "w27.csv"
    csv.write_text(f"date,area,indicator,value\n2018-07-01,tianzhen,{DANGEROUS},5\n", "utf-8")
    args = [str(csv) if a == "{csv}" else a for a in FIRST_WRITES[name]]
    result = run(*args)
    assert result.exit_code == 0, result.stderr

    new = doc(db_path)
    m = new["meta"]["1"]
    assert m["schema"] == SCHEMA
    assert "entries" not in new and new["series"]
    assert m["generation"] == 1
    assert m["entries_count"] == len(entry_docs(new))
    assert m["allocations_count"] == len(new["allocations"])
    assert m["batches_count"] == len(new["batches"])
    for key in ("plan_text", "plan_sha256", "created_at"):
        assert m[key] == old["meta"]["1"][key]
    # every old record is still there, unchanged; the new one comes on top
    for table in ("allocations", "batches"):
        for doc_id, record in old[table].items():
            assert new[table][doc_id] == record, (table, doc_id)
    old_entries, new_entries = entry_docs(old), entry_docs(new)
    for entry_id, record in old_entries.items():
        assert new_entries[entry_id] == record, entry_id
    added = {"record": (1, 0, 1), "target-set": (0, 1, 0), "import": (1, 0, 1)}[name]
    assert len(new_entries) == 222 + added[0]
    assert len(new["allocations"]) == 1 + added[1]
    assert len(new["batches"]) == 2 + added[2]

    [pre] = backup_names(db_path, "pre-migrate-")
    assert pre.startswith("pre-migrate-schema1-") and pre.endswith(".json")
    assert (backups_dir(db_path) / pre).read_bytes() == V1.read_bytes()
    assert (backups_dir(db_path) / "gen-000000.json").read_bytes() == V1.read_bytes()


def test_v1_second_write_does_not_migrate_again(run, v1: bytes, db_path: Path) -> None:
    assert run(*RECORD).exit_code == 0
    assert (
        run("record", DANGEROUS, "6", "--area", "tianzhen", "--date", "2018-07-08").exit_code == 0
    )
    assert len(backup_names(db_path, "pre-migrate-")) == 1
    assert backup_names(db_path, "gen-") == ["gen-000000.json", "gen-000001.json"]
    m = doc(db_path)["meta"]["1"]
    assert (m["schema"], m["generation"], m["entries_count"]) == (SCHEMA, 2, 224)
    result = run("db", "verify")
    assert result.exit_code == 0
    assert f"schema {SCHEMA}, generation 2, 224 entries" in result.stderr


def test_v1_refused_write_does_not_migrate(run, v1: bytes, db_path: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run("record", DANGEROUS, "5", "--area", "atlantis", "--date", "2018-07-01")
    assert result.exit_code == 2
    assert snapshot(tmp_path) == before
    assert db_path.read_bytes() == v1


def test_v1_reimport_adding_nothing_writes_nothing(
    run, v1: bytes, db_path: Path, tmp_path: Path
) -> None:
    # the fixture imported sample_data/returns/2018-W10.csv: the same bytes add nothing
    sample = SAMPLE_RETURNS / "2018-W10.csv"
    csv = tmp_path / "copy-of-W10.csv"
    shutil.copyfile(sample, csv)
    before = snapshot(tmp_path)
    result = run("import", str(csv))
    assert result.exit_code == 0, result.stderr
    assert "already imported" in result.stderr
    assert snapshot(tmp_path) == before


def test_v1_restore_of_the_pre_migrate_copy(run, v1: bytes, db_path: Path) -> None:
    assert run(*RECORD).exit_code == 0
    [pre] = backup_names(db_path, "pre-migrate-")
    result = run("db", "restore", pre)
    assert result.exit_code == 0, result.stderr
    new = doc(db_path)
    assert new["meta"]["1"]["schema"] == SCHEMA  # the restored schema-1 file, migrated
    assert new["meta"]["1"]["generation"] == 2  # above the 1 the migrating write reached
    assert "entries" not in new
    assert entry_docs(new) == entry_docs(doc(V1))
    assert len(ok_json(run("log", "--json"))["entries"]) == 222


# ---------------------------------------------------------------------------- schema 2


@pytest.mark.parametrize("name", list(READS))
def test_v2_reads_without_changing_a_byte(
    run, v2: bytes, db_path: Path, tmp_path: Path, name: str
) -> None:
    before = snapshot(tmp_path)
    result = run(*READS[name])
    assert result.exit_code == 0, result.stderr
    assert snapshot(tmp_path) == before


def test_v2_reads_and_verifies(run, v2: bytes, db_path: Path) -> None:
    assert len(ok_json(run("log", "--json"))["entries"]) == 222
    out = ok_json(run("db", "verify", "--json"))
    assert (out["ok"], out["schema"], out["generation"], out["entries"]) == (True, 2, 4, 222)
    assert (out["allocations"], out["batches"]) == (1, 2)


def test_v2_writes_bump_the_generation(run, v2: bytes, db_path: Path) -> None:
    gen = doc(db_path)["meta"]["1"]["generation"]
    assert gen == 4
    assert run(*RECORD).exit_code == 0
    new = doc(db_path)
    assert new["meta"]["1"]["generation"] == gen + 1
    assert new["meta"]["1"]["entries_count"] == 223
    assert (backups_dir(db_path) / "gen-000004.json").read_bytes() == v2
    # schema 2 -> 4: the first write migrates, after keeping a copy
    assert new["meta"]["1"]["schema"] == SCHEMA
    [pre] = backup_names(db_path, "pre-migrate-")
    assert pre.startswith("pre-migrate-schema2-")
    assert (backups_dir(db_path) / pre).read_bytes() == v2
    new_entries = entry_docs(new)
    for entry_id, record in entry_docs(doc(V2)).items():
        assert new_entries[entry_id] == record, entry_id
    assert run("target", "set", RELOCATED, "7000", "--area", "tianzhen").exit_code == 0
    assert doc(db_path)["meta"]["1"]["generation"] == gen + 2


# ---------------------------------------------------------------------------- newer schemas


NEWER_COMMANDS = {
    **{k: v for k, v in READS.items() if k != "backups"},  # lists files; opens no database
    "status-text": ["status"],
    "record": RECORD,
    "target-set": ["target", "set", RELOCATED, "7000", "--area", "tianzhen"],
    "import": ["import", "{csv}"],
    "db-backup": ["db", "backup"],
}


@pytest.mark.parametrize("schema", [SCHEMA + 1, 99])  # one past the current schema, and far
@pytest.mark.parametrize("name", list(NEWER_COMMANDS))
def test_newer_schema_refused_and_untouched(
    run, db_path: Path, tmp_path: Path, schema: int, name: str
) -> None:
    data = doc(V2)
    data["meta"]["1"]["schema"] = schema
    data["meta"]["1"]["written_by"] = "povtrack 9.0.0"
    db_path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    csv = tmp_path / "w27.csv"
    csv.write_text(f"date,area,indicator,value\n2018-07-01,tianzhen,{DANGEROUS},5\n", "utf-8")
    args = [str(csv) if a == "{csv}" else a for a in NEWER_COMMANDS[name]]
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db_path}: ")
    assert f"written by a newer povtrack (povtrack 9.0.0, schema {schema})" in line
    assert f"(schema {SCHEMA}): upgrade povtrack; the database was not changed" in line
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------- schema 3 and 4


HISTORY = {1: "superseded by #223", 223: "counts", 224: "undone by b5"}


def _history(run) -> dict[int, str]:
    """Every entry's standing, as ``log --all`` shows it; ``log`` shows exactly those that
    count."""
    states = {e["id"]: e["state"] for e in ok_json(run("log", "--all", "--json"))["entries"]}
    counting = ok_json(run("log", "--json"))["entries"]
    assert {e["id"] for e in counting} == {i for i, s in states.items() if s == "counts"}
    return states


@pytest.mark.parametrize(("fixture", "schema"), [(V3, 3), (V4, 4)])
def test_history_reads_without_changing_a_byte(
    run, db_path: Path, tmp_path: Path, fixture: Path, schema: int
) -> None:
    raw = fixture.read_bytes()
    db_path.write_bytes(raw)
    before = snapshot(tmp_path)
    states = _history(run)
    assert {i: states[i] for i in HISTORY} == HISTORY
    assert sum(1 for s in states.values() if s == "counts") == 222
    result = run("db", "verify")
    assert result.exit_code == 0 and f"schema {schema}, generation 7, 224 entries" in result.stderr
    assert db_path.read_bytes() == raw
    assert snapshot(tmp_path) == before


def test_v3_and_v4_read_the_same(run, db_path: Path) -> None:
    """Status, the log and the history of the two fixtures are the same (but for when
    things were recorded)."""
    seen = []
    for fixture in (V3, V4):
        db_path.write_bytes(fixture.read_bytes())
        log = ok_json(run("log", "--all", "--json"))["entries"]
        status = ok_json(run("status", "--json"))
        seen.append(
            (
                [{k: v for k, v in e.items() if k != "recorded_at"} for e in log],
                status["rows"],
            )
        )
    assert seen[0] == seen[1]


@pytest.mark.parametrize("fixture", [V1, V2, V3], ids=["v1", "v2", "v3"])
def test_every_entry_survives_migration_field_by_field(run, db_path: Path, fixture: Path) -> None:
    """The records themselves, not what is computed from them: every field of every entry
    (corrections and undone ones included) is in the migrated file as it was."""
    db_path.write_bytes(fixture.read_bytes())
    before = entry_docs(doc(fixture))
    assert (run(*RECORD)).exit_code == 0
    after = doc(db_path)
    assert after["meta"]["1"]["schema"] == SCHEMA and "entries" not in after
    migrated = entry_docs(after)
    [new_id] = set(migrated) - set(before)
    assert new_id == max(before) + 1
    assert {i: migrated[i] for i in before} == before
    assert after["meta"]["1"]["entries_count"] == len(before) + 1 == entry_count(after)


def test_v3_first_write_migrates_to_4_after_keeping_a_copy(run, db_path: Path) -> None:
    raw = V3.read_bytes()
    db_path.write_bytes(raw)
    assert run(*RECORD).exit_code == 0
    new = doc(db_path)
    m = new["meta"]["1"]
    assert (m["schema"], m["generation"], m["entries_count"]) == (SCHEMA, 8, 225)
    assert "entries" not in new
    [pre] = backup_names(db_path, "pre-migrate-")
    assert pre.startswith("pre-migrate-schema3-") and pre.endswith(".json")
    assert (backups_dir(db_path) / pre).read_bytes() == raw
    assert (backups_dir(db_path) / "gen-000007.json").read_bytes() == raw
    old = doc(V3)
    assert new["allocations"] == old["allocations"]
    assert {k: new["batches"][k] for k in old["batches"]} == old["batches"]
    assert len(new["batches"]) == len(old["batches"]) + 1
    # corrections and undo read the same from the columns
    states = _history(run)
    assert {i: states[i] for i in HISTORY} == HISTORY
    assert states[225] == "counts"
    # a second write does not migrate again
    assert (
        run("record", DANGEROUS, "6", "--area", "tianzhen", "--date", "2018-07-08").exit_code == 0
    )
    assert backup_names(db_path, "pre-migrate-") == [pre]
    assert doc(db_path)["meta"]["1"]["generation"] == 9


def test_v4_writes_without_migrating(run, db_path: Path) -> None:
    raw = V4.read_bytes()
    db_path.write_bytes(raw)
    old = doc(V4)
    assert run(*RECORD).exit_code == 0
    new = doc(db_path)
    m = new["meta"]["1"]
    assert (m["schema"], m["generation"], m["entries_count"]) == (SCHEMA, 8, 225)
    assert backup_names(db_path, "pre-migrate-") == []
    assert backup_names(db_path) == ["gen-000007.json"]
    assert (backups_dir(db_path) / "gen-000007.json").read_bytes() == raw
    # the new entry joins its series; every other series document is as it was
    [changed] = [k for k in old["series"] if new["series"][k] != old["series"][k]]
    series = new["series"][changed]
    assert (series["indicator"], series["area"], series["id"][-1]) == (DANGEROUS, "tianzhen", 225)
    assert set(new["series"]) == set(old["series"])
    assert {i: r for i, r in entry_docs(new).items() if i != 225} == entry_docs(old)
    assert new["allocations"] == old["allocations"]
    assert {k: new["batches"][k] for k in old["batches"]} == old["batches"]
    assert len(new["batches"]) == len(old["batches"]) + 1


def test_an_old_schema_number_on_a_series_file_never_loses_its_entries(run, db_path: Path) -> None:
    data = doc(V4)
    data["meta"]["1"]["schema"] = 3
    write_doc(db_path, data)
    entries = entry_docs(data)
    result = run(*RECORD)
    if result.exit_code == 0:  # taken as it is: every entry kept, the new one on top
        after = entry_docs(doc(db_path))
        assert {i: after.get(i) for i in entries} == entries
        assert len(after) == len(entries) + 1
    else:  # or refused as a file this povtrack cannot read, and left alone
        assert result.exit_code == 4, result.stderr
        assert entry_docs(doc(db_path)) == entries

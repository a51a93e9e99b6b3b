"""Hand-broken and older or newer database files, continued from faults/test_corrupt.py:
random byte flips (D15) never crash and never lead to a write on a bad file; an older schema
is read as it is and migrated by the first write after a copy is kept, a newer one refused and
never modified (D12/D13). The crash-during-migration test runs real subprocesses.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import faults as helpers_faults
from tests.helpers.db import entry_docs, old_layout
from tests.helpers.faults import (
    RECORD,
    RECORD_ROW,
    RELOCATED,
    TEST_INDICATORS,
    backups,
    edit_file,
    entry_rows,
    folder_state,
    load_json,
    meta,
    no_crash_text,
    pov,
    refusal,
    stray_temps,
    write_returns,
)
from tests.helpers.paths import FIXTURES

COMMANDS = {
    "status": ["status", "--json"],
    "log": ["log", "--json"],
    "record": RECORD,
}

# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


# ---------------------------------------------------------------------------- D15: byte flips


def hot_spots(raw: bytes) -> list[int]:
    """Bytes whose change matters most: punctuation and digits of the JSON structure at the
    start, around the end of meta (schema, generation, record counts) and at the end."""
    meta_end = raw.index(b'"plan_sha256"')
    regions = [range(0, 64), range(meta_end - 64, meta_end + 400), range(len(raw) - 800, len(raw))]
    return [i for r in regions for i in r if raw[i : i + 1] in b'{}[]":,0123456789' and raw[i]]


def damaged(data: st.DataObject, good: bytes) -> bytes:
    """1–10 damaged places: bytes flipped (often leaving invalid UTF-8), or characters replaced
    in the text (still UTF-8, so the JSON parser and the record checks get the damage)."""
    where = st.one_of(st.integers(0, len(good) - 1), st.sampled_from(hot_spots(good)))
    if data.draw(st.booleans(), label="flip bytes"):
        mask = st.one_of(st.sampled_from([1, 2, 4, 8, 16, 32, 64]), st.integers(1, 255))
        raw = bytearray(good)
        for at, bit in data.draw(st.lists(st.tuples(where, mask), min_size=1, max_size=10)):
            raw[at] ^= bit
        return bytes(raw)
    chars = list(good.decode("utf-8"))
    other = st.one_of(
        st.sampled_from(list('{}[]":,0123456789-.+eEtrufalsn \\')),
        st.characters(blacklist_categories=("Cs",)),
    )
    for at, char in data.draw(st.lists(st.tuples(where, other), min_size=1, max_size=10)):
        chars[at % len(chars)] = char  # (byte offsets used as character offsets: close enough)
    return "".join(chars).encode("utf-8")


@settings(
    max_examples=100,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), command=st.sampled_from(list(COMMANDS)))
def test_random_byte_flips_never_crash_and_never_write_on_a_bad_file(
    run, base_db: Path, db: Path, tmp_path: Path, data: st.DataObject, command: str
):
    flipped = damaged(data, base_db.read_bytes())  # db is a copy of base_db
    db.write_bytes(flipped)
    before = folder_state(tmp_path)

    result = run(*COMMANDS[command])

    no_crash_text(result.stdout, result.stderr)
    assert result.exit_code in (0, 2, 4), (result.exit_code, result.stderr)
    if result.exit_code == 4:
        refusal(result, db)
    if result.exit_code != 0 or command != "record":
        assert folder_state(tmp_path) == before  # no write: the file and backups as they were
        return
    # a flip that left a valid database: the record went on top of exactly that content
    assert entry_rows(load_json(db)) == entry_rows(json.loads(flipped)) + Counter([RECORD_ROW])
    assert stray_temps(db) == []


# ---------------------------------------------------------------------------- D12/D13: schemas


def _schema_1(db: Path) -> None:
    """What povtrack 0.1.0 wrote: schema 1, no generation counter, no record counts, and
    one document per entry in an ``entries`` table."""

    def downgrade(data: dict[str, Any]) -> None:
        data["meta"]["1"] = {
            k: v
            for k, v in data["meta"]["1"].items()
            if k in ("plan_text", "plan_sha256", "created_at", "demo")
        } | {"schema": 1}
        old_layout(data)

    edit_file(db, downgrade)


@pytest.fixture(params=["edited", "fixture"])
def schema1_db(request: pytest.FixtureRequest, db: Path) -> Path:
    """A schema-1 database without backups: the base one downgraded, or the released fixture."""
    for path in Path(f"{db}.backups").iterdir():
        path.unlink()
    Path(f"{db}.backups").rmdir()
    if request.param == "edited":
        _schema_1(db)
    else:
        fixture = FIXTURES / "db_v1.json"
        if not fixture.exists():
            pytest.skip("no tests/fixtures/db_v1.json")
        db.write_bytes(fixture.read_bytes())
    data = load_json(db)
    assert meta(data)["schema"] == 1 and "generation" not in meta(data)
    assert "series" not in data and len(data["entries"]) > 200
    return db


def test_an_older_schema_is_read_as_it_is(run, schema1_db: Path, tmp_path: Path):
    db = schema1_db
    before = folder_state(tmp_path)
    for args in (["status", "--json"], ["log", "--json"], ["target", "list", "--json"]):
        result = run(*args)
        assert result.exit_code == 0, (args, result.stderr)
    shown = json.loads(run("log", "--json").stdout)["entries"]
    assert len(shown) == len(load_json(db)["entries"])  # the old layout, one per entry
    assert folder_state(tmp_path) == before  # reading neither migrates nor copies


def test_the_first_write_migrates_after_keeping_a_copy(run, schema1_db: Path):
    db = schema1_db
    original = db.read_bytes()
    result = run(*RECORD)
    assert result.exit_code == 0, result.stderr

    data = load_json(db)
    assert meta(data)["schema"] == 4
    assert meta(data)["generation"] == 1
    assert "entries" not in data and data["series"]  # column by column now
    assert entry_rows(data) == entry_rows(json.loads(original)) + Counter([RECORD_ROW])
    old, new = entry_docs(json.loads(original)), entry_docs(data)
    assert {i: new[i] for i in old} == old  # every entry kept field by field, ids included
    [added] = set(new) - set(old)
    assert added == max(old) + 1
    assert meta(data)["entries_count"] == len(new)
    kept = backups(db)
    copies = [name for name in kept if name.startswith("pre-migrate-schema1-")]
    assert len(copies) == 1 and copies[0].endswith(".json"), sorted(kept)
    assert kept[copies[0]] == original

    result = run(*RECORD)  # the second write: no second migration copy
    assert result.exit_code == 0, result.stderr
    assert meta(load_json(db))["generation"] == 2
    assert [n for n in backups(db) if n.startswith("pre-migrate-")] == copies


@pytest.mark.parametrize(
    "point", ["after_read", "mid_tmp_write", "after_backup_link", "after_replace"]
)
def test_a_crash_during_migration_leaves_the_old_or_the_migrated_file(db: Path, point: str):
    _schema_1(db)
    for path in Path(f"{db}.backups").iterdir():
        path.unlink()
    original = db.read_bytes()
    killed = pov(db, *RECORD, env={"POVTRACK_TEST_CRASH_AT": point})
    assert killed.returncode == -9, killed.stderr
    if point == "after_replace":
        data = load_json(db)
        assert meta(data)["schema"] == 4
        assert entry_rows(data) == entry_rows(json.loads(original)) + Counter([RECORD_ROW])
    else:
        assert db.read_bytes() == original  # still schema 1, byte for byte
    proc = pov(db, *RECORD)
    assert proc.returncode == 0, proc.stderr
    data = load_json(db)
    assert meta(data)["schema"] == 4
    expected_records = 2 if point == "after_replace" else 1
    assert entry_rows(data)[RECORD_ROW] == expected_records
    assert original in backups(db).values()  # the schema-1 file is kept somewhere


NEWER_SCHEMA_COMMANDS = {
    "status": ["status"],
    "status-json": ["status", "--json"],
    "log": ["log", "--json"],
    "record": RECORD,
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9100", "--area", "hunyuan"],
    "target-list": ["target", "list"],
    "areas": ["areas", "--json"],
    "plan-show": ["plan", "show", "--json"],
    "db-verify": ["db", "verify"],
    "db-backup": ["db", "backup"],
    "inbox": ["inbox", "{inbox}", "--settle", "0"],
}


@pytest.mark.parametrize("name", list(NEWER_SCHEMA_COMMANDS))
def test_a_newer_schema_is_refused_and_never_modified(run, db: Path, tmp_path: Path, name):
    edit_file(db, lambda d: d["meta"]["1"].update({"schema": 99, "written_by": "povtrack 9.0"}))
    csv = write_returns(tmp_path / "inbox" / "w.csv", 30, indicators=TEST_INDICATORS).path
    fill = {"{csv}": str(csv), "{inbox}": str(csv.parent)}
    args = [fill.get(a, a) for a in NEWER_SCHEMA_COMMANDS[name]]
    before = folder_state(tmp_path)
    line = refusal(run(*args), db)
    assert "written by a newer povtrack (povtrack 9.0, schema 99)" in line
    assert "the database was not changed" in line
    assert folder_state(tmp_path) == before


def test_init_does_not_replace_a_newer_database(run, db: Path, tmp_path: Path):
    edit_file(db, lambda d: d["meta"]["1"].update({"schema": 99}))
    before = folder_state(tmp_path)
    result = run("init")
    assert result.exit_code == 2, result.stderr
    assert "a database already exists" in result.stderr
    assert folder_state(tmp_path) == before

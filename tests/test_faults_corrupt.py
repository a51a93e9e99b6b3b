"""A damaged, hand-edited, older or newer database file (garbage on the command line:
test_faults_argv.py).

A bad file is refused with exit 4 and one ``error:`` line naming the file, what is wrong (the
byte where parsing stopped, or the JSON path of the bad record) and the newest good backup;
nothing is written on top of it, ever. An older schema is read as it is and migrated by the
first write, after a ``pre-migrate`` copy is kept. Most tests run in-process (the ``run``
fixture) for speed; the crash-during-migration test runs real subprocesses.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import helpers_faults
import pytest
from helpers_db import (
    audit_of,
    drop_entry,
    edit_entry,
    entry_docs,
    entry_path,
    locate,
    old_layout,
    rename_series,
    series_of,
    set_audit,
)
from helpers_faults import (
    RELOCATED,
    TEST_INDICATORS,
    backups,
    entry_rows,
    folder_state,
    lines,
    load_json,
    meta,
    no_crash_text,
    pov,
    stray_temps,
    write_returns,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

RECORD = ["record", RELOCATED, "4100", "--area", "guangling", "--week", "2018-W33"]
RECORD_ROW = (RELOCATED, "guangling", "2018-08-19", 4100)
COMMANDS = {
    "status": ["status", "--json"],
    "log": ["log", "--json"],
    "record": RECORD,
}
FIXTURES = Path(__file__).parent / "fixtures"


# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


def refusal(result: Any, db: Path) -> str:
    """Exit 4, nothing on stdout, one error line naming the database: that line."""
    assert result.exit_code == 4, (result.exit_code, result.stderr)
    no_crash_text(result.stdout, result.stderr)
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {db}: "), line
    return line


def newest_backup_hint(db: Path) -> str:
    """The hint a refusal must end with, worked out from the backups folder itself: the
    most recently written backup that parses, and the generation inside it."""
    folder = Path(f"{db}.backups")
    found = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
    for path in found:
        try:
            generation = json.loads(path.read_bytes())["meta"]["1"].get("generation", 0)
        except ValueError:
            continue
        return (
            f"; newest good backup: {path} (generation {generation}); "
            "restore it with 'povtrack db restore'"
        )
    return f"; no good backup in {folder}"


def json_error_byte(raw: bytes) -> tuple[str, int]:
    """Where Python's own decoders stop on ``raw``: ("utf-8" | "json", byte offset)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return "utf-8", exc.start
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        return "json", len(text[: exc.pos].encode("utf-8"))
    raise AssertionError("valid JSON")


# ---------------------------------------------------------------------------- D1/D2: truncated


def truncation_offsets(raw: bytes) -> list[int]:
    """Both ends, 35 evenly spread, and two inside a multi-byte character (the first CJK, if
    there is one)."""
    size = len(raw)
    ends = {0, 1, 2, size // 2, size - 2, size - 1}
    wide = next((i for i, b in enumerate(raw) if b >= 0x80), None)
    if wide is not None:
        ends |= {wide + 1, wide + 2}
    return sorted(ends | {size * k // 35 for k in range(35)})


def saved_as_utf8(db: Path) -> bytes:
    """The database as an editor (or povtrack 0.3) saves it: UTF-8 with its Chinese text as it
    is, where povtrack now writes ASCII with \\u escapes. Returns the new bytes."""
    raw = json.dumps(load_json(db), ensure_ascii=False).encode("utf-8")
    assert not raw.isascii()
    db.write_bytes(raw)
    return raw


@pytest.mark.parametrize("saved", ["by-povtrack", "as-utf8"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_a_truncated_database_is_refused_at_every_offset(
    run, db: Path, tmp_path: Path, command: str, saved: str
):
    good = saved_as_utf8(db) if saved == "as-utf8" else db.read_bytes()
    offsets = truncation_offsets(good)
    assert len(offsets) >= 40
    hint = newest_backup_hint(db)
    seen = Counter()
    for k in offsets:
        db.write_bytes(good[:k])
        before = folder_state(tmp_path)
        line = refusal(run(*COMMANDS[command]), db)
        assert line.endswith(hint), (k, line)
        if k == 0:
            assert "the database file is empty (0 bytes)" in line
        else:
            decoder, at = json_error_byte(good[:k])
            seen[decoder] += 1
            if decoder == "utf-8":
                assert f"not UTF-8 (byte 0x{good[at]:02x} at byte {at})" in line, (k, line)
            else:
                assert "corrupt database: " in line and f" at byte {at} (line " in line, (k, line)
        assert folder_state(tmp_path) == before, k  # nothing written, no backup, no temp
    assert seen["json"] >= 30, seen
    if saved == "as-utf8":  # cut inside a character: not UTF-8, said so
        assert seen["utf-8"] >= 2, seen


def test_trailing_garbage_names_the_byte_where_it_starts(run, db: Path):
    good = db.read_bytes()
    db.write_bytes(good + good[-500:])
    decoder, at = json_error_byte(good + good[-500:])
    assert decoder == "json" and len(good) <= at <= len(good) + 1  # (a space may come first)
    line = refusal(run("status", "--json"), db)
    assert f"corrupt database: Extra data at byte {at} " in line
    assert db.read_bytes() == good + good[-500:]


def test_a_database_saved_as_gbk_is_refused_not_guessed(run, db: Path):
    gbk = saved_as_utf8(db).decode("utf-8").encode("gb18030")
    db.write_bytes(gbk)
    _, at = json_error_byte(gbk)
    line = refusal(run(*RECORD), db)
    assert f"not UTF-8 (byte 0x{gbk[at]:02x} at byte {at}); was it saved as ANSI/GBK" in line
    assert db.read_bytes() == gbk


@pytest.mark.parametrize("blank", [b"", b"\n", b"   \r\n\t"])
def test_an_empty_database_is_never_a_new_one(run, db: Path, tmp_path: Path, blank: bytes):
    db.write_bytes(blank)
    before = folder_state(tmp_path)
    line = refusal(run(*RECORD), db)
    assert f"the database file is empty ({len(blank)} bytes)" in line
    assert folder_state(tmp_path) == before


# ---------------------------------------------------------------------------- D8/D9: shapes


def _edit(db: Path, change) -> None:
    """Rewrite the database as ``change`` leaves its parsed JSON (or as what it returns)."""
    data = load_json(db)
    data = change(data) or data
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


FIRST = 1  # the base database's first entry (an imported one, in a series of many)


def _other_series_entry(data: dict[str, Any]) -> int:
    """The first entry stored in another series than entry 1's."""
    first_series = series_of(data, FIRST)
    return min(i for i, r in entry_docs(data).items() if r["area"] != first_series["area"])


def _id_twice(data: dict[str, Any]) -> None:
    """Another series' first row takes entry 1's id (still rising within its own series)."""
    other = _other_series_entry(data)
    edit_entry(data, other, id=FIRST)


def _twice_said(data: dict[str, Any]) -> str:
    """Entry 1's id found in two series: named at its second place, pointing at its first."""
    places = [
        f"/series/{key}/id/{row}"
        for key, series in data["series"].items()
        for row, entry_id in enumerate(series["id"])
        if entry_id == FIRST
    ]
    assert len(places) == 2, places
    return f"{places[1]}: entry {FIRST} is also at {places[0]} (an id used twice)"


def _uneven(data: dict[str, Any]) -> None:
    del series_of(data, FIRST)["value"][-1]


def _audit_uneven(data: dict[str, Any]) -> None:
    series = series_of(data, FIRST)
    audit = audit_of(series)
    del audit["note"][-1]
    set_audit(series, audit)


def _rows(data: dict[str, Any]) -> int:
    return len(series_of(data, FIRST)["id"])


def _second_series(data: dict[str, Any]) -> None:
    """Another series renamed to entry 1's (indicator, area): two documents for one key."""
    first = series_of(data, FIRST)
    rename_series(data, _other_series_entry(data), indicator=first["indicator"], area=first["area"])


def _second_series_says(data: dict[str, Any]) -> str:
    first = series_of(data, FIRST)
    key = (first["indicator"], first["area"])
    same = [k for k, s in data["series"].items() if (s["indicator"], s["area"]) == key]
    assert len(same) == 2
    return f"/series/{same[1]}: a second series for {key[0]} in {key[1]}"


def _entries_beside_series(data: dict[str, Any]) -> None:
    """A sound old-style entries table (a copy of entry 1 under a new id) in a schema-4 file."""
    record = {k: v for k, v in entry_docs(data)[FIRST].items() if k != "id"}
    data["entries"] = {"99999": record}


def _key(data: dict[str, Any], entry_id: int) -> str:
    return locate(data, entry_id)[0]


# name: (change the parsed file, what the refusal must say (edited file, entries before))
SHAPES = {
    "a-list": (lambda d: [[]], lambda d, n: "/ must be an object, not"),
    "no-meta": (lambda d: d.pop("meta") and None, lambda d, n: "/meta/1 is missing"),
    "series-list": (
        lambda d: d.update({"series": []}),
        lambda d, n: "/series must be an object, not a list",
    ),
    "entries-list": (  # a stray old-style table in a schema-4 file
        lambda d: d.update({"entries": []}),
        lambda d, n: "/entries must be an object, not a list",
    ),
    "entries-beside-series": (
        _entries_beside_series,
        lambda d, n: "/entries: schema 4 keeps entries in /series, not one per record",
    ),
    "bad-doc-id": (
        lambda d: d["series"].update({"x1": {}}),
        lambda d, n: "/series/x1: record ids must be whole numbers",
    ),
    "schema-text": (
        lambda d: d["meta"]["1"].update({"schema": "2"}),
        lambda d, n: "/meta/1/schema",
    ),
    "value-text": (
        lambda d: edit_entry(d, FIRST, value="12"),
        lambda d, n: f"{entry_path(d, FIRST, 'value')} must be a number ≥ 0, not '12'",
    ),
    "negative": (
        lambda d: edit_entry(d, FIRST, value=-3),
        lambda d, n: f"{entry_path(d, FIRST, 'value')} must be a number ≥ 0, not -3",
    ),
    "note-not-text": (  # in the audit text
        lambda d: edit_entry(d, FIRST, note=5),
        lambda d, n: f"{entry_path(d, FIRST, 'note')} (entry {FIRST}) must be text",
    ),
    "audit-not-json": (
        lambda d: series_of(d, FIRST).update(audit='{"note": ["'),
        lambda d, n: f"/series/{_key(d, FIRST)}/audit is not the JSON text of the audit columns",
    ),
    "audit-uneven": (
        _audit_uneven,
        lambda d, n: (
            f"/series/{_key(d, FIRST)}/audit/note has {_rows(d) - 1} rows, "
            f"/series/{_key(d, FIRST)}/id has {_rows(d)}"
        ),
    ),
    "audit-not-text": (
        lambda d: series_of(d, FIRST).update(audit=None),
        lambda d, n: f"/series/{_key(d, FIRST)}/audit must be the JSON text of the audit columns",
    ),
    "unknown-area": (  # the series' own key edited: every entry of it names the area
        lambda d: rename_series(d, FIRST, area="nowhere") and None,
        lambda d, n: f"/series/{_key(d, FIRST)}/area: 'nowhere' is not in the plan",
    ),
    "unknown-indicator": (  # one row moved to a series of its own, for an unknown indicator
        lambda d: edit_entry(d, FIRST, indicator="housing.nothing"),
        lambda d, n: f"/series/{_key(d, FIRST)}/indicator: 'housing.nothing' is not in the plan",
    ),
    "bad-date": (
        lambda d: edit_entry(d, FIRST, date="2018-02-30"),
        lambda d, n: f"{entry_path(d, FIRST, 'date')} must be a date YYYY-MM-DD, not '2018-02-30'",
    ),
    "uneven": (
        _uneven,
        lambda d, n: f"/series/{_key(d, FIRST)}/value has {_rows(d) - 1} rows, /id has {_rows(d)}",
    ),
    "id-twice": (_id_twice, lambda d, n: _twice_said(d)),
    "second-series": (_second_series, lambda d, n: _second_series_says(d)),
    "entry-removed": (
        lambda d: drop_entry(d, FIRST),
        lambda d, n: f"/series: {n - 1} entries, but the last commit wrote {n}",
    ),
}


# Damage to the audit detail (note, source, recorded_at, by, reason), which is decoded only by
# what shows single entries (log, explain, ...), by every write and by db verify: status opens
# such a file and reports the same numbers (see test_status_reads_no_audit_detail).
AUDIT_SHAPES = {"note-not-text", "audit-not-json", "audit-uneven"}


@pytest.mark.parametrize("shape", list(SHAPES))
@pytest.mark.parametrize("command", ["status", "log", "record", "import"])
def test_a_hand_broken_database_is_refused_with_its_json_path(
    run, db: Path, tmp_path: Path, shape: str, command: str
):
    change, says = SHAPES[shape]
    data = load_json(db)
    count = len(entry_docs(data))
    assert meta(data)["entries_count"] == count
    status_before = run("status", "--json").stdout
    _edit(db, change)
    edited = load_json(db)
    fragment = says(edited, count)
    csv = write_returns(tmp_path / "in" / "w.csv", 30, indicators=TEST_INDICATORS).path
    args = {
        "status": ["status", "--json"],
        "log": ["log", "--json"],
        "record": RECORD,
        "import": ["import", str(csv)],
    }
    before = folder_state(tmp_path)
    if command == "status" and shape in AUDIT_SHAPES:
        result = run(*args[command])
        assert result.exit_code == 0, result.stderr
        assert result.stdout == status_before
        assert folder_state(tmp_path) == before
        return
    line = refusal(run(*args[command]), db)
    assert f"corrupt database: {fragment}" in line
    assert line.endswith(newest_backup_hint(db))
    assert folder_state(tmp_path) == before


@pytest.mark.parametrize(
    "field",
    [
        pytest.param("value"),
        pytest.param("date"),
        pytest.param("batch"),
        "note",
        "by",
    ],
)
def test_a_bad_row_is_named_by_its_entry_id_too(run, db: Path, field: str):
    data = load_json(db)
    entry_id = sorted(series_of(data, FIRST)["id"])[3]  # row 3: a row number that is no id
    assert locate(data, entry_id)[1] != entry_id
    bad = {"value": -3, "date": "2018-02-30", "batch": 5, "note": 5, "by": None}[field]
    _edit(db, lambda d: edit_entry(d, entry_id, **{field: bad}))
    line = refusal(run(*RECORD), db)
    assert f"{entry_path(data, entry_id, field)} " in line
    assert f"(entry {entry_id})" in line


def test_status_reads_no_audit_detail(run, db: Path, tmp_path: Path):
    """By design (the audit text is decoded on demand): a damaged note leaves status and the
    board working and their numbers unchanged, while log, a write and db verify refuse."""
    before = {args[0]: run(*args).stdout for args in (["status", "--json"], ["board", "--json"])}
    _edit(db, lambda d: edit_entry(d, FIRST, note=5))
    state = folder_state(tmp_path)
    for args in (["status", "--json"], ["board", "--json"]):
        result = run(*args)
        assert (result.exit_code, result.stdout) == (0, before[args[0]]), result.stderr
    for args in (["log", "--json"], ["log", "--all", "--json"], RECORD):
        refusal(run(*args), db)
    verify = run("db", "verify")
    assert verify.exit_code == 4
    assert f"{entry_path(load_json(db), FIRST, 'note')} (entry {FIRST}) must be text" in (
        verify.stderr
    )
    assert folder_state(tmp_path) == state


@pytest.mark.parametrize("command", ["status", "log", "verify"])
def test_a_nan_value_anywhere_is_refused(run, db: Path, command: str):
    entry_id = sorted(series_of(load_json(db), FIRST)["id"])[1]
    _edit(db, lambda d: edit_entry(d, entry_id, value=float("nan")))
    args = {"status": ["status", "--json"], "log": ["log", "--json"], "verify": ["db", "verify"]}
    result = run(*args[command])
    no_crash_text(result.stdout, result.stderr)
    assert result.exit_code == 4, result.stderr
    assert f"{entry_path(load_json(db), entry_id, 'value')} must be a number ≥ 0, not nan" in (
        result.stderr
    )


def test_without_backups_the_refusal_says_so(run, db: Path, tmp_path: Path):
    for path in Path(f"{db}.backups").iterdir():
        path.unlink()
    db.write_bytes(db.read_bytes()[:100])
    line = refusal(run("log", "--json"), db)
    assert line.endswith(f"; no good backup in {db}.backups")


def test_bad_backups_are_not_offered(run, db: Path):
    folder = Path(f"{db}.backups")
    newest = max(folder.iterdir(), key=lambda p: p.stat().st_mtime_ns)
    newest.write_bytes(b'{"meta": ')  # the newest backup is broken too: the next one is named
    db.write_bytes(b"")
    line = refusal(run("status", "--json"), db)
    assert newest.name not in line
    assert line.endswith(newest_backup_hint(db))
    for path in folder.iterdir():
        path.write_bytes(b"garbage")
    line = refusal(run("status", "--json"), db)
    assert line.endswith(f"; no good backup in {folder}")


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

    _edit(db, downgrade)


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
    _edit(db, lambda d: d["meta"]["1"].update({"schema": 99, "written_by": "povtrack 9.0"}))
    csv = write_returns(tmp_path / "inbox" / "w.csv", 30, indicators=TEST_INDICATORS).path
    fill = {"{csv}": str(csv), "{inbox}": str(csv.parent)}
    args = [fill.get(a, a) for a in NEWER_SCHEMA_COMMANDS[name]]
    before = folder_state(tmp_path)
    line = refusal(run(*args), db)
    assert "written by a newer povtrack (povtrack 9.0, schema 99)" in line
    assert "the database was not changed" in line
    assert folder_state(tmp_path) == before


def test_init_does_not_replace_a_newer_database(run, db: Path, tmp_path: Path):
    _edit(db, lambda d: d["meta"]["1"].update({"schema": 99}))
    before = folder_state(tmp_path)
    result = run("init")
    assert result.exit_code == 2, result.stderr
    assert "a database already exists" in result.stderr
    assert folder_state(tmp_path) == before

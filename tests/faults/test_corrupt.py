"""A damaged or hand-edited database file (garbage on the command line: faults/test_argv.py;
random byte flips and older or newer schemas: faults/test_schema.py).

A bad file is refused with exit 4 and one ``error:`` line naming the file, what is wrong (the
byte where parsing stopped, or the JSON path of the bad record) and the newest good backup;
nothing is written on top of it, ever. The tests run in-process (the ``run`` fixture).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import faults as helpers_faults
from tests.helpers.db import (
    audit_of,
    drop_entry,
    edit_entry,
    entry_docs,
    entry_path,
    locate,
    rename_series,
    series_of,
    set_audit,
)
from tests.helpers.faults import (
    RECORD,
    TEST_INDICATORS,
    edit_file,
    folder_state,
    load_json,
    meta,
    newest_backup_hint,
    no_crash_text,
    refusal,
    write_returns,
)

COMMANDS = {
    "status": ["status", "--json"],
    "log": ["log", "--json"],
    "record": RECORD,
}


# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


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
    edit_file(db, change)
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
    edit_file(db, lambda d: edit_entry(d, entry_id, **{field: bad}))
    line = refusal(run(*RECORD), db)
    assert f"{entry_path(data, entry_id, field)} " in line
    assert f"(entry {entry_id})" in line


def test_status_reads_no_audit_detail(run, db: Path, tmp_path: Path):
    """By design (the audit text is decoded on demand): a damaged note leaves status and the
    board working and their numbers unchanged, while log, a write and db verify refuse."""
    before = {args[0]: run(*args).stdout for args in (["status", "--json"], ["board", "--json"])}
    edit_file(db, lambda d: edit_entry(d, FIRST, note=5))
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
    edit_file(db, lambda d: edit_entry(d, entry_id, value=float("nan")))
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

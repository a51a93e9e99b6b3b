"""What a database file and its backups folder hold, read straight from the JSON files on disk
(never from povtrack's own code), the ``three_gens`` fixture (import it into a test module as
``three_gens = helpers_db.three_gens`` so pytest finds it there), and the one place the tests
know how entries are laid out in the raw file.

The raw layout of entries (see povtrack/storage/json/file.py for the schema history):

- schema 1-3: an ``entries`` table, one document per entry, its TinyDB document id the entry
  id: ``data["entries"]["17"] = {"indicator": ..., "area": ..., "date": ..., "value": ...,
  "note", "source", "recorded_at", "by", "batch"[, "corrects", "reason"]}``;
- schema 4: a ``series`` table, one document per (indicator, area) holding its entries column
  by column in id order: ``data["series"]["3"] = {"indicator": ..., "area": ..., "id": [...],
  "date": [...], "value": [...], "batch": [...], "audit": "<JSON text>"}``, the audit text
  holding the lists ``{"note": [...], "source": [...], "recorded_at": [...], "by": [...]}``;
  a series that holds a correction also has a ``corrects`` list (None in the other rows) and
  a ``reason`` list in its audit text ("" in the other rows).

``entry_docs`` reads every entry as one full record from either layout; ``edit_entry``,
``drop_entry`` and ``add_entry_doc`` change a parsed file in place, the way a hand edit of that
layout would, so corruption tests break a schema-4 file as a user's editor would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DANGEROUS = "housing.dangerous_houses"  # households, city target 17554
RELOCATED = "housing.relocated_people"  # people


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder), except the
    lock's side files, which a writer creates before it knows the database is bad."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith((".lock", ".lock.owner"))
    }


def doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_bytes().decode("utf-8"))


def meta(path: Path) -> dict[str, Any]:
    return doc(path)["meta"]["1"]


def generation(path: Path) -> int:
    return meta(path)["generation"]


def backups_dir(db: Path) -> Path:
    return db.with_name(db.name + ".backups")


def gen_file(db: Path, n: int) -> Path:
    return backups_dir(db) / f"gen-{n:06d}.json"


def record(run, value: str, day: str = "2018-07-01", area: str = "yanggao") -> None:
    result = run("record", DANGEROUS, value, "--area", area, "--date", day)
    assert result.exit_code == 0, result.stderr


def returns_csv(folder: Path, name: str = "w27.csv", value: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(f"date,area,indicator,value\n2018-07-01,tianzhen,{DANGEROUS},{value}\n", "utf-8")
    return f


# ---------------------------------------------------------------------------- entry layout

# The lists of a series document (schema 4), all of the same length, in id order; "corrects"
# too once the series holds a correction.
SERIES_COLUMNS = ("id", "date", "value", "batch")
# The lists inside a series' "audit" text; "reason" too once the series holds a correction.
AUDIT_COLUMNS = ("note", "source", "recorded_at", "by")
SERIES_KEYS = ("indicator", "area")  # a series holds these once, for all its rows


def audit_of(series: dict[str, Any]) -> dict[str, list[Any]]:
    """The audit columns of a series document, decoded from its JSON text."""
    return json.loads(series["audit"])


def set_audit(series: dict[str, Any], audit: dict[str, list[Any]]) -> None:
    """Write the audit columns back as JSON text, as a hand edit of them would leave it."""
    series["audit"] = json.dumps(audit, ensure_ascii=False, separators=(",", ":"))


def entry_docs(data: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Every entry of a parsed database file as a full record, by entry id, from either layout:
    ``{"id", "indicator", "area", "date", "value", "note", "source", "recorded_at", "by",
    "batch"}`` plus ``corrects`` and ``reason`` for a correction. Fields are copied as stored
    (wrong types included); a schema-4 row that is not a correction (corrects None, reason "")
    has no ``corrects`` / ``reason``, as in the old layout."""
    out: dict[int, dict[str, Any]] = {}
    for doc_id, record in data.get("entries", {}).items():
        out[int(doc_id)] = {"id": int(doc_id), **record}
    for series in data.get("series", {}).values():
        audit = audit_of(series)
        for row, entry_id in enumerate(series["id"]):
            record = {k: series[k] for k in SERIES_KEYS}
            record |= {c: series[c][row] for c in SERIES_COLUMNS}
            record |= {c: audit[c][row] for c in AUDIT_COLUMNS}
            corrects = series["corrects"][row] if "corrects" in series else None
            reason = audit["reason"][row] if "reason" in audit else ""
            if corrects is not None or reason != "":
                record |= {"corrects": corrects, "reason": reason}
            assert entry_id not in out, f"entry {entry_id} is stored twice"
            out[entry_id] = record
    return out


def entry_count(data: dict[str, Any]) -> int:
    """How many entries a parsed database file holds, in either layout."""
    series = data.get("series", {}).values()
    return len(data.get("entries", {})) + sum(len(s["id"]) for s in series)


def locate(data: dict[str, Any], entry_id: int) -> tuple[str, int]:
    """Where an entry is in a schema-4 file: (series key, row in its columns)."""
    for key, series in data["series"].items():
        if entry_id in series["id"]:
            return key, series["id"].index(entry_id)
    raise KeyError(f"no entry {entry_id} in /series")


def series_of(data: dict[str, Any], entry_id: int) -> dict[str, Any]:
    """The series document holding an entry (schema 4)."""
    return data["series"][locate(data, entry_id)[0]]


def entry_path(data: dict[str, Any], entry_id: int, field: str) -> str:
    """The JSON path of one field of an entry, as povtrack names it: ``/entries/17/value``
    (schema 1-3); ``/series/3/value/5`` (row 5 of series 3), ``/series/3/audit/note/5`` for
    the audit detail, or ``/series/3/area`` for what a series holds once for all its rows."""
    if "series" not in data:
        return f"/entries/{entry_id}/{field}"
    key, row = locate(data, entry_id)
    if field in SERIES_KEYS:
        return f"/series/{key}/{field}"
    if field in (*AUDIT_COLUMNS, "reason"):
        return f"/series/{key}/audit/{field}/{row}"
    if field == "id":
        return f"/series/{key}/id/{row}"
    return f"/series/{key}/{field}/{row} (entry {entry_id})"  # the id users see in log


def edit_entry(data: dict[str, Any], entry_id: int, **fields: Any) -> None:
    """Change fields of one stored entry in place, in the file's own layout.

    Schema 4: each field is set in the entry's row of its list, in the series document or in
    its audit text (``corrects`` / ``reason`` add the correction lists first if the series
    has none). ``indicator`` or ``area`` moves the row to the series of its new key (a new
    series document if there is none), as a hand edit moving the row would;
    ``rename_series`` changes the key of every row of a series instead."""
    if "series" not in data:
        data["entries"][str(entry_id)].update(fields)
        return
    key, row = locate(data, entry_id)
    series = data["series"][key]
    if any(f in SERIES_KEYS for f in fields):
        record = entry_docs({"series": {key: series}})[entry_id] | fields
        drop_entry(data, entry_id)
        add_entry_doc(data, record)
        return
    audit = audit_of(series)
    if ("corrects" in fields or "reason" in fields) and "corrects" not in series:
        _add_correction_lists(series, audit)
    for field, value in fields.items():
        if field in (*AUDIT_COLUMNS, "reason"):
            audit[field][row] = value
        elif field in (*SERIES_COLUMNS, "corrects"):
            series[field][row] = value
        else:
            raise KeyError(f"{field}: not a field of a stored entry")
    set_audit(series, audit)


def drop_field(data: dict[str, Any], entry_id: int, field: str) -> None:
    """Remove a field of an entry, as a hand edit would: from its document (schema 1-3), or
    that whole list from its series or its audit text (schema 4; every row of the series
    loses it)."""
    if "series" not in data:
        del data["entries"][str(entry_id)][field]
        return
    series = series_of(data, entry_id)
    if field in series:
        del series[field]
        return
    audit = audit_of(series)
    del audit[field]
    set_audit(series, audit)


def rename_series(data: dict[str, Any], entry_id: int, **fields: Any) -> str:
    """Change the indicator or area of the whole series holding an entry (schema 4), as a
    hand edit of that one key would; returns the series key."""
    key, _ = locate(data, entry_id)
    data["series"][key].update(fields)
    return key


def drop_entry(data: dict[str, Any], entry_id: int) -> None:
    """Remove one stored entry, as a hand edit would: its document (schema 1-3), or its row
    from every list of its series and of its audit text, and the series document with its
    last row (schema 4)."""
    if "series" not in data:
        del data["entries"][str(entry_id)]
        return
    key, row = locate(data, entry_id)
    series = data["series"][key]
    audit = audit_of(series)
    for lists in (series, audit):
        for column in (*SERIES_COLUMNS, *AUDIT_COLUMNS, "corrects", "reason"):
            if column in lists:
                del lists[column][row]
    set_audit(series, audit)
    if not series["id"]:
        del data["series"][key]


def add_entry_doc(data: dict[str, Any], record: dict[str, Any]) -> None:
    """Store one more entry (a full record with ``id``, as ``entry_docs`` gives) the way a hand
    edit of the layout would: a new document (schema 1-3), or a row at its id's place in the
    series of its (indicator, area), a new series document if there is none (schema 4)."""
    record = dict(record)
    entry_id = record.pop("id")
    if "series" not in data:
        data["entries"][str(entry_id)] = record
        return
    key = (record["indicator"], record["area"])
    found = [s for s in data["series"].values() if (s["indicator"], s["area"]) == key]
    if found:
        series = found[0]
        audit = audit_of(series)
    else:
        series = dict(zip(SERIES_KEYS, key, strict=True)) | {c: [] for c in SERIES_COLUMNS}
        audit = {c: [] for c in AUDIT_COLUMNS}
        next_key = max(map(int, data["series"]), default=0) + 1
        data["series"][str(next_key)] = series
    if record.get("corrects") is not None and "corrects" not in series:
        _add_correction_lists(series, audit)
    row = sum(1 for i in series["id"] if i < entry_id)
    values = {"id": entry_id, **record}
    for column in SERIES_COLUMNS:
        series[column].insert(row, values[column])
    for column in AUDIT_COLUMNS:
        audit[column].insert(row, values[column])
    if "corrects" in series:
        series["corrects"].insert(row, record.get("corrects"))
        audit["reason"].insert(row, record.get("reason", ""))
    set_audit(series, audit)


def _add_correction_lists(series: dict[str, Any], audit: dict[str, list[Any]]) -> None:
    series["corrects"] = [None] * len(series["id"])
    audit["reason"] = [""] * len(series["id"])


def old_layout(data: dict[str, Any]) -> dict[str, Any]:
    """A schema-4 file's entries put back in an ``entries`` table, one document per entry (as
    povtrack 0.1-0.3 stored them), in place; for tests that make an older file by hand."""
    records = entry_docs(data)
    data.pop("series", None)
    data["entries"] = {
        str(i): {k: v for k, v in records[i].items() if k != "id"} for i in sorted(records)
    }
    return data


def downgrade(data: dict[str, Any], schema: int) -> dict[str, Any]:
    """A schema-4 file made into what an older povtrack (``schema`` 1-3) wrote, in place: its
    entries in an ``entries`` table (``old_layout``); schema 1 also loses the generation
    counter and the record counts."""
    meta = data["meta"]["1"]
    meta["schema"] = schema
    if schema == 1:
        for key in ("generation", "entries_count", "allocations_count", "batches_count"):
            meta.pop(key, None)
    return old_layout(data)


def write_doc(path: Path, data: dict[str, Any]) -> bytes:
    """Save a hand-edited database the way an editor would (in place) and return its bytes."""
    raw = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    path.write_bytes(raw)
    return raw


@pytest.fixture
def three_gens(run, initialised, db_path: Path) -> Path:
    """init (generation 1) and two records (generations 2 and 3): backups gen-1 and gen-2."""
    record(run, "100")
    record(run, "200", day="2018-07-08")
    assert generation(db_path) == 3
    return db_path


def hand_break(db: Path) -> bytes:
    """Entry 1's series names an area the plan does not have: valid JSON, a bad record
    (``rename_series``: every entry of that series now names it, as one hand edit would)."""
    data = doc(db)
    if "series" in data:
        rename_series(data, 1, area="atlantis")
    else:
        edit_entry(data, 1, area="atlantis")
    return write_doc(db, data)

"""Corrections and undos that do not point back in time (issue 11, item 8): an entry that
corrects itself, two corrections that correct each other, an undo that reverts itself, two
undos that revert each other. povtrack only ever makes a correction of an earlier entry and an
undo of an earlier batch, so each of these is a hand edit; on both backends every command
refuses the file (exit 4, naming the ids), nothing is written, and ``db verify`` lists them.

The records are planted in the file's own layout here (the JSON file's series and batches
tables, the SQLite file's rows), never through povtrack.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.db import RELOCATED, add_entry_doc, lines
from tests.helpers.faults import newest_backup_hint

STAMP = "2018-07-02T00:00:00+00:00"


@pytest.fixture(params=["json", "sqlite"])
def db(request: pytest.FixtureRequest, run, tmp_path: Path) -> Path:
    path = tmp_path / f"t.{request.param}"
    assert run("--db", str(path), "init").exit_code == 0
    for value, day in (("5200", "2018-07-01"), ("5300", "2018-07-08")):
        done = run(
            "--db", str(path), "record", RELOCATED, value, "--area", "yanggao", "--date", day
        )
        assert done.exit_code == 0, done.stderr
    return path  # entries 1 and 2 (batches b1, b2), in series 1 of a JSON file


def entry(entry_id: int, corrects: int) -> dict[str, Any]:
    return {
        "id": entry_id,
        "indicator": RELOCATED,
        "area": "yanggao",
        "date": "2018-07-08",
        "value": 5400,
        "note": "",
        "source": "hand edit",
        "recorded_at": STAMP,
        "by": "someone",
        "batch": "b2",
        "corrects": corrects,
        "reason": "typo",
    }


def undo(batch_id: str, reverts: str) -> dict[str, Any]:
    return {"id": batch_id, "kind": "undo", "by": "someone", "at": STAMP, "files": [],
            "reverts": reverts, "reason": "x"}  # fmt: skip


def plant(db: Path, entries: list[dict[str, Any]], batches: list[dict[str, Any]]) -> None:
    """Add records to the file behind povtrack's back."""
    if db.suffix == ".json":
        data = json.loads(db.read_text(encoding="utf-8"))
        for rec in entries:
            add_entry_doc(data, rec)
        for doc in batches:
            data["batches"][str(len(data["batches"]) + 1)] = doc
        db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        return
    conn = sqlite3.connect(db, isolation_level=None)  # INSERT is allowed: the tables only
    try:  # refuse UPDATE and DELETE
        for rec in entries:
            conn.execute(
                "INSERT INTO entries (id, indicator, area, date, value, note, source, "
                'recorded_at, "by", batch, corrects, reason) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)',
                tuple(rec.values()),
            )
        for doc in batches:
            seq = conn.execute("SELECT max(seq) + 1 FROM batches").fetchone()[0]
            conn.execute(
                'INSERT INTO batches (seq, id, kind, "by", at, files, reverts, reason) '
                "VALUES (?,?,?,?,?,?,?,?)",
                (seq, doc["id"], doc["kind"], doc["by"], doc["at"], "[]", doc["reverts"],
                 doc["reason"]),
            )  # fmt: skip
    finally:
        conn.close()


def where(db: Path, entry_id: int | None = None, batch: tuple[int, str] | None = None) -> str:
    """How each backend names a record: a JSON path, or the record's id."""
    if db.suffix == ".json":
        if batch:
            return f"/batches/{batch[0]} (batch {batch[1]})"
        return f"/series/1/corrects/{entry_id - 1} (entry {entry_id})"
    return f"batch {batch[1]}" if batch else f"entry {entry_id}"


def hint(db: Path) -> str:
    if db.suffix == ".json":
        return newest_backup_hint(db)[2:]
    return f"no good backup in {db}.backups (make them with 'povtrack db backup')"


CASES = {
    "an entry correcting itself": (
        [entry(3, 3)],
        [],
        [((3, None), "corrects itself (a correction names an earlier entry)")],
    ),
    "two entries correcting each other": (
        [entry(3, 4), entry(4, 3)],
        [],
        [((3, None), "corrects entry 4, recorded after it: corrections in a loop (3 → 4 → 3)")],
    ),
    "an undo reverting itself": (
        [],
        [undo("b3", "b3")],
        [((None, (3, "b3")), "reverts itself (an undo names an earlier batch)")],
    ),
    "two undos reverting each other": (
        [],
        [undo("b3", "b4"), undo("b4", "b3")],
        [((None, (3, "b3")), "reverts b4, recorded after it: undos in a loop (b3 → b4 → b3)")],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_loop_is_refused_by_every_command_and_listed_by_verify(run, db: Path, case: str):
    entries, batches, found = CASES[case]
    plant(db, entries, batches)
    problems = [f"{where(db, e, b)}: {text}" for (e, b), text in found]
    hinted = hint(db)
    corrupt = "corrupt database: "
    before = db.read_bytes()
    for args in (
        ["status", "--json"],
        ["log", "--all"],
        ["record", RELOCATED, "5500", "--area", "yanggao", "--date", "2018-07-15"],
        ["undo"],
    ):
        result = run("--db", str(db), *args)
        assert result.exit_code == 4, (args, result.stdout, result.stderr)
        assert result.stdout == ""
        assert lines(result.stderr) == [f"error: {db}: {corrupt}{problems[0]}; {hinted}"]
    assert db.read_bytes() == before
    verify = run("--db", str(db), "db", "verify", "--json")
    assert verify.exit_code == 4
    assert json.loads(verify.stdout)["problems"] == [
        *(f"{db}: {p}" for p in problems),
        f"{db}: {hinted}",
    ]


def test_a_long_chain_of_corrections_back_in_time_is_sound(run, db: Path) -> None:
    """Each correction names the one before it: no loop, nothing to report."""
    plant(db, [entry(n, n - 1) for n in range(3, 40)], [])
    for args in (["db", "verify"], ["status", "--json"], ["log", "--all"]):
        result = run("--db", str(db), *args)
        assert result.exit_code == 0, (args, result.stderr)


def test_a_long_chain_of_undos_of_undos_is_read_without_recursion() -> None:
    """b1 is an import; b2 undoes b1, b3 undoes b2, ... : 3000 undos. With an even number of
    undos in force above it, b1 is back in force; the newest undo is the only one standing
    with an odd count below it (found by counting, not by the code under test)."""
    from povtrack.ledger import undone_batches

    n = 3000
    batches = [{"id": "b1", "kind": "import"}]
    batches += [{"id": f"b{k}", "kind": "undo", "reverts": f"b{k - 1}"} for k in range(2, n + 2)]
    undone = undone_batches(batches)
    # the newest undo b{n+1} stands, so b{n} is undone, b{n-1} stands, ... alternately
    assert undone == {f"b{k}": f"b{k + 1}" for k in range(n, 0, -2)}
    assert "b1" not in undone  # n is even: b1's undo b2 is itself undone

"""Edges between the two backends and hand-edited files (found in review): a date the fast
paths could misread, records of one backend that the other refuses, text SQLite cannot store,
and the demo's own --db taking a SQLite URL."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

DANGEROUS = "housing.dangerous_houses"  # households, cumulative


def _ok(result) -> None:
    assert result.exit_code == 0, result.stderr


def _city_actual(run, db: Path) -> tuple[str, int | None]:
    """The default as-of of ``status --json`` and the city's actual for DANGEROUS."""
    result = run("--db", str(db), "status", "--json")
    _ok(result)
    data = json.loads(result.stdout)
    rows = [r for r in data["rows"] if r["indicator"] == DANGEROUS and r["scope"] == "datong"]
    return data["as_of"], rows[0]["actual"]


def test_hand_edited_compact_date_is_refused_or_counted_as_the_per_entry_rule_does(
    run, tmp_path: Path
) -> None:
    db = tmp_path / "h.json"
    _ok(run("--db", str(db), "init"))
    for value, day in (("100", "2018-03-04"), ("200", "2018-06-03")):
        _ok(run("--db", str(db), "record", DANGEROUS, value, "--area", "yanggao", "--date", day))
    data = json.loads(db.read_text("utf-8"))
    (series,) = data["series"].values()
    series["date"][0] = "20180304"  # the same day, written as ISO 8601 "basic" by an editor
    db.write_text(json.dumps(data, ensure_ascii=False), "utf-8")

    opened = run("--db", str(db), "status", "--json")
    if opened.exit_code == 4:  # refused as not YYYY-MM-DD (as the SQLite backend does): fine
        return
    # Otherwise it must count as the per-entry rule (explain, trend, the SQLite backend) does:
    # the newest entry is 2018-06-03, and the city's running total (Yanggao's) is 200.
    assert _city_actual(run, db) == ("2018-06-03", 200)


def test_migrate_to_json_never_writes_a_file_json_refuses(run, tmp_path: Path) -> None:
    sq, js = tmp_path / "z.sqlite", tmp_path / "z.json"
    _ok(run("--db", str(sq), "init"))
    _ok(
        run(
            "--db", str(sq), "record", DANGEROUS, "100", "--area", "yanggao", "--date", "2018-03-04"
        )
    )
    conn = sqlite3.connect(sq)
    conn.execute(
        "INSERT INTO entries (id, indicator, area, date, value, batch) "
        f"VALUES (0, '{DANGEROUS}', 'tianzhen', '2018-03-04', 5, 'b1')"
    )
    conn.commit()
    conn.close()

    # the SQLite file itself is refused, as the JSON file would be, and nothing is copied
    for args in (["status", "--json"], ["db", "verify"]):
        refused = run("--db", str(sq), *args)
        assert refused.exit_code == 4, refused.stderr
        assert "entry 0: id 0 is not an entry id" in refused.stderr
    moved = run("--db", str(sq), "db", "migrate", "--to", str(js))
    assert moved.exit_code == 4, moved.stderr
    assert not js.exists()


def test_migrate_to_sqlite_of_a_lone_surrogate_is_no_internal_error(run, tmp_path: Path) -> None:
    js, sq = tmp_path / "s.json", tmp_path / "s.sqlite"
    _ok(run("--db", str(js), "init"))
    _ok(
        run(
            "--db",
            str(js),
            "target",
            "set",
            "housing.relocated_people",
            "9000",
            "--area",
            "yanggao",
        )
    )
    data = json.loads(js.read_text("utf-8"))
    data["allocations"]["1"]["note"] = "\ud800x"
    js.write_bytes(json.dumps(data).encode("ascii"))  # \ud800 escaped, as an editor may leave it
    _ok(run("--db", str(js), "db", "verify"))  # the JSON backend accepts the file

    moved = run("--db", str(js), "db", "migrate", "--to", str(sq))
    assert "internal error" not in moved.stderr
    assert moved.exit_code in (0, 2, 4)


def test_demo_db_takes_a_sqlite_url(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("demo", "--db", "sqlite:///demo.sqlite")
    _ok(result)
    assert not (tmp_path / "sqlite:").exists()
    assert (tmp_path / "demo.sqlite").is_file()


def test_a_json_database_is_never_filled_with_records_it_would_refuse(tmp_path: Path) -> None:
    """Whatever a source backend lets through, the JSON file checks the records it is given
    as it checks a file: a refusal, and no file."""
    from povtrack.errors import DatabaseError
    from povtrack.planfile import bundled_text
    from povtrack.storage import Database
    from povtrack.storage.base import Records

    entry = {
        "id": 0,
        "indicator": DANGEROUS,
        "area": "yanggao",
        "date": "2018-03-04",
        "value": 5,
        "note": "",
        "source": "s",
        "recorded_at": "2018-03-05T00:00:00+00:00",
        "by": "u",
        "batch": "b1",
    }
    batch = {"id": "b1", "kind": "record", "by": "u", "at": "2018-03-05T00:00:00+00:00"}
    records = Records(meta={"generation": 3}, entries=[entry], batches=[batch | {"files": []}])
    target = tmp_path / "new.json"
    with (
        pytest.raises(DatabaseError, match=r"id/0 must be an entry id.*nothing written"),
        Database.creating(target, bundled_text(), records=records) as (store, _),
    ):
        store.commit()
    assert not target.exists()


def test_a_sqlite_correction_of_no_entry_id_is_refused(run, tmp_path: Path) -> None:
    sq = tmp_path / "c.sqlite"
    _ok(run("--db", str(sq), "init"))
    conn = sqlite3.connect(sq)  # another SQLite program; the triggers only stop UPDATE/DELETE
    conn.execute(
        "INSERT INTO entries (id, indicator, area, date, value, batch, corrects, reason) "
        f"VALUES (1, '{DANGEROUS}', 'yanggao', '2018-03-04', 5, 'b1', -2, 'x')"
    )
    conn.commit()
    conn.close()
    for args in (["status", "--json"], ["db", "verify"]):
        refused = run("--db", str(sq), *args)
        assert refused.exit_code == 4, refused.stderr
        assert "entry 1: corrects -2 is not an entry id" in refused.stderr

"""What a write keeps that it did not make: unknown fields and tables (reliability.md D14), and
output that a console cannot show never undoes a commit (K2)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers.db import entry_docs, series_of
from tests.helpers.paths import FIXTURES

RECORD = ["record", "housing.relocated_people", "5200", "--area", "阳高县", "--week", "2018-W23"]


def test_unknown_fields_and_tables_survive_a_write(run, initialised, db_path: Path) -> None:
    assert run(*RECORD).exit_code == 0
    data = json.loads(db_path.read_bytes())
    series_of(data, 1)["checked_by"] = "县扶贫办"  # schema 4: entry 1's series document
    data["meta"]["1"]["site_note"] = {"office": "city"}
    data["x_local"] = {"1": {"anything": [1, 2]}}
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    result = run(
        "record", "housing.relocated_people", "5300", "--area", "阳高县", "--week", "2018-W24"
    )
    assert result.exit_code == 0, result.stderr

    after = json.loads(db_path.read_bytes())
    assert series_of(after, 2) is series_of(after, 1)  # the new entry joined that series
    assert series_of(after, 1)["checked_by"] == "县扶贫办"
    assert after["meta"]["1"]["site_note"] == {"office": "city"}
    assert after["x_local"] == {"1": {"anything": [1, 2]}}
    assert len(entry_docs(after)) == 2


def test_unknown_entry_fields_of_an_older_file_survive_its_migration(run, db_path: Path) -> None:
    shutil.copyfile(FIXTURES / "db_v3.json", db_path)
    data = json.loads(db_path.read_bytes())
    data["entries"]["5"]["checked_by"] = "县扶贫办"
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    result = run(
        "record", "housing.relocated_people", "5400", "--area", "阳高县", "--week", "2018-W25"
    )
    assert result.exit_code == 0, result.stderr

    after = json.loads(db_path.read_bytes())
    assert after["meta"]["1"]["schema"] == 4
    for series in after["series"].values():  # the audit texts decoded too
        series["audit"] = json.loads(series["audit"])
    assert "县扶贫办" in json.dumps(after, ensure_ascii=False)  # kept somewhere, for entry 5


def test_a_console_that_cannot_show_chinese_does_not_fail_a_commit(tmp_path: Path) -> None:
    db = tmp_path / "ascii.json"
    env = {**os.environ, "POVTRACK_DB": str(db), "PYTHONIOENCODING": "ascii", "POVTRACK_LANG": "zh"}

    def povtrack(*args: str) -> subprocess.CompletedProcess[bytes]:
        return subprocess.run(
            [sys.executable, "-m", "povtrack", *args], env=env, capture_output=True, timeout=60
        )

    assert povtrack("init").returncode == 0
    result = povtrack(*RECORD, "--lang", "zh")
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    entries = entry_docs(json.loads(db.read_bytes()))
    assert [e["value"] for e in entries.values()] == [5200]
    for args in (["status", "--lang", "zh"], ["log", "--lang", "zh"], ["areas", "--lang", "zh"]):
        shown = povtrack(*args)
        assert shown.returncode == 0, (args, shown.stderr)
        assert b"Traceback" not in shown.stderr

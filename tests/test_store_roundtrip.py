"""What a write keeps that it did not make: unknown fields and tables (reliability.md D14), and
output that a console cannot show never undoes a commit (K2)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

RECORD = ["record", "housing.relocated_people", "5200", "--area", "阳高县", "--week", "2018-W23"]


def test_unknown_fields_and_tables_survive_a_write(run, initialised, db_path: Path) -> None:
    assert run(*RECORD).exit_code == 0
    data = json.loads(db_path.read_bytes())
    data["entries"]["1"]["checked_by"] = "县扶贫办"
    data["meta"]["1"]["site_note"] = {"office": "city"}
    data["x_local"] = {"1": {"anything": [1, 2]}}
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    result = run(
        "record", "housing.relocated_people", "5300", "--area", "阳高县", "--week", "2018-W24"
    )
    assert result.exit_code == 0, result.stderr

    after = json.loads(db_path.read_bytes())
    assert after["entries"]["1"]["checked_by"] == "县扶贫办"
    assert after["meta"]["1"]["site_note"] == {"office": "city"}
    assert after["x_local"] == {"1": {"anything": [1, 2]}}
    assert len(after["entries"]) == 2


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
    entries = json.loads(db.read_bytes())["entries"]
    assert [e["value"] for e in entries.values()] == [5200]
    for args in (["status", "--lang", "zh"], ["log", "--lang", "zh"], ["areas", "--lang", "zh"]):
        shown = povtrack(*args)
        assert shown.returncode == 0, (args, shown.stderr)
        assert b"Traceback" not in shown.stderr

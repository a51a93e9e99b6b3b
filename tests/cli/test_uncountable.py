"""No value is accepted that will not count (issue 11, item 2): a ratio is worked out from its
numerator and denominator, so a value recorded, corrected or imported for it is refused (exit
2, nothing written) with the two indicators to report instead; `target set` on a ratio stays
allowed (a target is a percent); `check` reports the entries an older povtrack let in
(`uncountable-entry`, an error). On both backends where the database is involved.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date
from pathlib import Path

import pytest

from povtrack.storage import Database
from tests.helpers.cli import ok_json
from tests.helpers.returns import workbook

RATE = "goals.village_exit_rate"  # 贫困村退出率: villages exited ÷ poor villages × 100
WHY = (
    "goals.village_exit_rate (贫困村退出率, Poor villages exited, share) is a ratio, worked out "
    "from two other indicators, and takes no value of its own: report its numerator "
    "goals.villages_exited (退出贫困村, Poor villages exited) and its denominator "
    "goals.poor_villages (贫困村数, Poor villages (registered)) instead"
)


@pytest.fixture(params=["json", "sqlite"])
def db(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / f"db.{request.param}"
    monkeypatch.setenv("POVTRACK_DB", str(path))
    return path


@pytest.fixture
def ready(run, db: Path) -> Path:
    assert run("init").exit_code == 0
    return db


def files(folder: Path) -> dict[str, bytes]:
    """The folder's files, but the lock owner note: a refused run still took the lock, and
    the note it leaves says when (to the second), which is bookkeeping, not data."""
    return {
        p.name: p.read_bytes()
        for p in sorted(folder.iterdir())
        if p.is_file() and not p.name.endswith(".lock.owner")
    }


def plant_rate_entries(db: Path) -> None:
    """What an older povtrack let in: two values of a ratio, recorded like any other."""
    with Database.writing(db, lock_timeout=5) as store:
        batch = store.add_batch("record", "old")
        rows = [
            {"indicator": RATE, "area": "zuoyun", "date": day, "value": v, "source": "old"}
            for day, v in ((date(2018, 6, 17), 50), (date(2018, 6, 24), 60))
        ]
        store.add_entries(rows, by="old", batch=batch)
        store.commit()


def test_recording_a_rate_is_refused_naming_what_to_report(run, ready: Path) -> None:
    before = files(ready.parent)
    result = run("record", "贫困村退出率", "60", "--area", "左云", "--week", "2018-W25")
    assert result.exit_code == 2
    assert result.stderr == f"error: {WHY}\n"
    assert files(ready.parent) == before


def test_importing_a_rate_refuses_the_whole_file(run, ready: Path, tmp_path: Path) -> None:
    text = (
        "week,area,indicator,value\n"
        "2018-W25,左云,goals.villages_exited,12\n"
        "2018-W25,左云,贫困村退出率,60\n"
    )
    f = tmp_path / "w25.csv"
    f.write_text(text, encoding="utf-8")
    book = workbook(
        tmp_path / "w25.xlsx",
        [["week", "area", "indicator", "value"], ["2018-W25", "左云", RATE, 60]],
    )
    before = files(ready.parent)
    for path, where in ((f, f"{f}:3:3"), (book, f"{book}:2:3")):
        result = run("import", str(path))
        assert result.exit_code == 2
        assert result.stderr.splitlines() == [
            "error: import refused, nothing written: 1 problem(s)",
            f"error: {where}: {WHY}",
        ]
        assert files(ready.parent) == before
    dry = run("import", "--dry-run", str(f))
    assert dry.exit_code == 2 and f"w25.csv:3:3: {WHY}" in dry.stderr


def test_the_inbox_rejects_a_return_with_a_rate(run, ready: Path, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    f = inbox / "zuoyun.csv"
    f.write_text("week,area,indicator,value\n2018-W25,左云,贫困村退出率,60\n", encoding="utf-8")
    old = time.time() - 100
    os.utime(f, (old, old))
    result = run("inbox", str(inbox), "--json")
    assert result.exit_code == 2
    [outcome] = json.loads(result.stdout)["files"]
    assert outcome["status"] == "rejected"
    assert outcome["message"] == f"zuoyun.csv:2:3: {WHY}"
    reason = inbox / "rejected" / "zuoyun.csv.reason.txt"
    assert f"zuoyun.csv:2:3: {WHY}" in reason.read_text(encoding="utf-8")
    assert ok_json(run("log", "--all", "--json"))["entries"] == []


def test_a_target_on_a_rate_is_still_allowed(run, ready: Path) -> None:
    result = run("target", "set", RATE, "90", "--area", "左云")
    assert result.exit_code == 0, result.stderr
    rows = ok_json(run("status", "--json"))["rows"]
    assert [r["target"] for r in rows if (r["indicator"], r["scope"]) == (RATE, "zuoyun")] == [90]


def test_check_reports_the_entries_of_a_rate_an_older_version_took(run, ready: Path) -> None:
    plant_rate_entries(ready)
    result = run("check", "--json")
    assert result.exit_code == 3
    data = json.loads(result.stdout)
    [finding] = [f for f in data["findings"] if f["rule"] == "uncountable-entry"]
    assert finding == {
        "rule": "uncountable-entry",
        "severity": "error",
        "area": "zuoyun",
        "indicator": RATE,
        "task": 0,
        "date": "2018-06-24",
        "entries": [1, 2],
        "explanation": (
            "Zuoyun County has 2 entries (#1, #2) for Poor villages exited, share, a ratio "
            "worked out from goals.villages_exited ÷ goals.poor_villages: they never count; "
            "report the numerator and the denominator instead"
        ),
        "value": 60,
        "expected": None,
    }
    zh = json.loads(run("--lang", "zh", "check", "--json").stdout)
    [found] = [f for f in zh["findings"] if f["rule"] == "uncountable-entry"]
    assert found["explanation"] == (
        "左云县有2条贫困村退出率的记录（#1、#2），该指标是比率，由 goals.villages_exited ÷ "
        "goals.poor_villages 算出：这些记录永不计入，请改报分子和分母"
    )
    assert data["summary"]["error"] >= 1


def test_correcting_an_entry_of_a_rate_is_refused(run, ready: Path) -> None:
    plant_rate_entries(ready)
    before = ok_json(run("log", "--all", "--json"))
    result = run("correct", "2", "70", "--reason", "x")
    assert result.exit_code == 2
    assert result.stderr == f"error: entry 2 can never count: {WHY}\n"
    assert ok_json(run("log", "--all", "--json")) == before

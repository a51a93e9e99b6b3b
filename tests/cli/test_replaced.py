"""One truth about which entry counts (issue 11, item 3): an entry replaced by a later report
for the same area, indicator and date is shown as replaced by `log`, `log --all`, their
exports and `explain`, as status counts it; `correct` refuses an entry that does not count and
names the one that does. An undone or superseded later entry replaces nothing. On both
backends.

The values are worked out by hand: relocated people are running totals (the last report of a
date counts), jobs trained are increments (every date's counting report adds up).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from tests.helpers.cli import ok_json, row_for

RELOCATED = "housing.relocated_people"  # running totals
TRAINED = "jobs.trained"  # increments, city target 20000


@pytest.fixture(params=["json", "sqlite"])
def db(request, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / f"db.{request.param}"
    monkeypatch.setenv("POVTRACK_DB", str(path))
    return path


@pytest.fixture
def ready(run, db: Path) -> Path:
    assert run("init").exit_code == 0
    return db


def rec(run, indicator: str, value: str, week: str, area: str = "yanggao") -> None:
    result = run("record", indicator, value, "--area", area, "--week", week)
    assert result.exit_code == 0, result.stderr


def states(run) -> dict[int, str]:
    return {e["id"]: e["state"] for e in ok_json(run("log", "--all", "--json"))["entries"]}


def city_actual(run, indicator: str) -> float | None:
    rows = ok_json(run("status", "--json", "--as-of", "2018-12-31"))["rows"]
    return row_for(rows, indicator, "datong")["actual"]


def test_a_report_replaced_on_the_same_date_is_shown_replaced_everywhere(
    run, ready: Path, tmp_path: Path
) -> None:
    rec(run, RELOCATED, "100", "2018-W23")  # 1
    rec(run, RELOCATED, "150", "2018-W23")  # 2: the same date, later: counts
    assert city_actual(run, RELOCATED) == 150
    assert states(run) == {1: "replaced by #2", 2: "counts"}
    assert [e["id"] for e in ok_json(run("log", "--json"))["entries"]] == [2]
    out = tmp_path / "log.csv"
    assert run("log", "--all", "-o", str(out)).exit_code == 0
    table = list(csv.DictReader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert {r["Id"]: r["State"] for r in table} == {"2": "counts", "1": "replaced by #2"}
    plain = tmp_path / "counting.csv"
    assert run("log", "-o", str(plain)).exit_code == 0
    rows = list(csv.DictReader(io.StringIO(plain.read_bytes().decode("utf-8-sig"))))
    assert [r["Id"] for r in rows] == ["2"]
    x = ok_json(run("explain", RELOCATED, "--area", "yanggao", "--json"))
    [area] = x["areas"]
    assert [e["id"] for e in area["entries"]] == [2] and area["value"] == 150
    assert area["superseded"] == 1
    assert [(r["id"], r["value"], r["state"]) for r in area["replaced"]] == [
        (1, 100, "replaced by #2")
    ]


def test_the_states_are_translated_on_screen_only(run, ready: Path) -> None:
    rec(run, RELOCATED, "100", "2018-W23")  # 1
    rec(run, RELOCATED, "150", "2018-W23")  # 2, replaces 1
    rec(run, RELOCATED, "170", "2018-W24")  # 3, corrected by 4
    assert run("correct", "3", "175", "--reason", "typo").exit_code == 0
    rec(run, RELOCATED, "5", "2018-W25")  # 5, undone by b6
    assert run("undo").exit_code == 0
    assert states(run) == {
        1: "replaced by #2",
        2: "counts",
        3: "superseded by #4",
        4: "counts",
        5: "undone by b6",
    }
    zh = run("--lang", "zh", "log", "--all").stdout
    for word in ("已被#2替换", "已被#4更正", "已被b6撤销", "计入"):
        assert word in zh
    assert "replaced by" not in zh and "counts" not in zh
    en = run("--lang", "en", "log", "--all").stdout
    for word in ("replaced by #2", "superseded by #4", "undone by b6", "counts"):
        assert word in en
    json_zh = ok_json(run("--lang", "zh", "log", "--all", "--json"))["entries"]
    assert {e["id"]: e["state"] for e in json_zh}[1] == "replaced by #2"


def test_correct_refuses_a_replaced_entry_and_names_the_one_that_counts(run, ready: Path) -> None:
    rec(run, RELOCATED, "100", "2018-W23")  # 1
    rec(run, RELOCATED, "150", "2018-W23")  # 2
    before = ok_json(run("log", "--all", "--json"))
    result = run("correct", "1", "120", "--reason", "x")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: entry 1 is replaced by #2 (a later report for the same area, indicator and "
        "date); correct entry 2, the entry that counts\n"
    )
    assert ok_json(run("log", "--all", "--json")) == before  # nothing written
    assert city_actual(run, RELOCATED) == 150
    assert run("correct", "2", "120", "--reason", "x").exit_code == 0
    assert city_actual(run, RELOCATED) == 120
    assert states(run) == {1: "replaced by #3", 2: "superseded by #3", 3: "counts"}
    again = run("correct", "2", "130", "--reason", "y")
    assert again.exit_code == 2
    assert again.stderr == (
        "error: entry 2 is superseded by #3; correct entry 3, the entry that counts\n"
    )


def test_correct_of_an_entry_whose_date_has_nothing_counting(run, ready: Path) -> None:
    rec(run, RELOCATED, "100", "2018-W23")  # 1 in b1
    assert run("undo").exit_code == 0
    result = run("correct", "1", "120", "--reason", "x")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: entry 1 is undone by b2; no entry counts for yanggao housing.relocated_people "
        "on 2018-06-10 (record a new value instead)\n"
    )


def test_an_undone_later_report_replaces_nothing(run, ready: Path) -> None:
    rec(run, RELOCATED, "100", "2018-W23")  # 1, b1
    rec(run, RELOCATED, "150", "2018-W23")  # 2, b2
    assert run("undo", "--batch", "b2").exit_code == 0
    assert states(run) == {1: "counts", 2: "undone by b3"}
    assert city_actual(run, RELOCATED) == 100
    assert [e["id"] for e in ok_json(run("log", "--json"))["entries"]] == [1]
    assert run("correct", "1", "110", "--reason", "x").exit_code == 0
    assert city_actual(run, RELOCATED) == 110
    assert run("undo", "--batch", "b3").exit_code == 0  # #2 is back, later than #3
    assert states(run) == {1: "superseded by #3", 2: "replaced by #3", 3: "counts"}
    assert city_actual(run, RELOCATED) == 110


def test_increments_shown_as_counting_add_up_to_the_actual(run, ready: Path) -> None:
    rec(run, TRAINED, "30", "2018-W10")  # 1
    rec(run, TRAINED, "35", "2018-W10")  # 2: the same date: 30 was the wrong figure
    rec(run, TRAINED, "45", "2018-W11")  # 3
    rec(run, TRAINED, "20", "2018-W11", area="tianzhen")  # 4
    rec(run, TRAINED, "25", "2018-W11", area="tianzhen")  # 5
    assert run("correct", "5", "26", "--reason", "x").exit_code == 0  # 6
    counting = ok_json(run("log", "--json"))["entries"]
    assert sorted(e["id"] for e in counting) == [2, 3, 6]
    assert sum(e["value"] for e in counting) == 35 + 45 + 26
    assert city_actual(run, TRAINED) == 35 + 45 + 26
    everything = ok_json(run("log", "--all", "--json"))["entries"]
    assert sum(e["value"] for e in everything if e["state"] == "counts") == 106
    x = ok_json(run("explain", TRAINED, "--json", "--as-of", "2018-12-31"))
    shown = [e["id"] for a in x["areas"] for e in a["entries"]]
    assert sorted(shown) == [2, 3, 6] and x["actual"] == 106

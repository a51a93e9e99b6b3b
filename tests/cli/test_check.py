"""`povtrack check`: silent with exit 0 when clean, the findings on stdout and exit 3 otherwise.

Through the CLI on the bundled plan: the relocation sum rule, the JSON shape, the exports, the
as-of date, the language, usage errors, and the demo data's result (pinned: the lead documents
the findings the sample returns give).
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

import povtrack.cli.check  # noqa: F401  (registers the command until the lead imports it)
from tests.helpers.cli import log_entries, rec

PEOPLE = "housing.relocated_people"
REGISTERED = "housing.relocated_registered"
ALONGSIDE = "housing.relocated_alongside"


def _relocation(run, people: str, registered: str, alongside: str, day: str = "2018-06-10"):
    for indicator, value in ((PEOPLE, people), (REGISTERED, registered), (ALONGSIDE, alongside)):
        rec(run, indicator, value, "阳高县", day)


def _findings(result) -> dict:
    assert result.exit_code == 3, result.stderr
    assert result.stderr == ""
    return json.loads(result.stdout)


def test_clean_data_prints_nothing_and_exits_0(run, initialised) -> None:
    result = run("check")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    _relocation(run, "5200", "3800", "1400")  # 3800 + 1400 = 5200
    for args in ((), ("--json",), ("--lang", "zh"), ("--format", "csv")):
        result = run("check", *args)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", ""), args


def test_parts_that_do_not_add_up_are_an_error_exit_3(run, initialised) -> None:
    _relocation(run, "5200", "3800", "1300")  # 5100, not 5200
    data = _findings(run("check", "--json"))
    ids = {e["indicator"]: e["id"] for e in log_entries(run)}
    assert data == {
        "as_of": "2018-06-10",
        "plan": "datong-2018",
        "summary": {"error": 1, "warning": 0},
        "findings": [
            {
                "rule": "relocation-parts",
                "severity": "error",
                "area": "yanggao",
                "indicator": PEOPLE,
                "task": 2,
                "date": "2018-06-10",
                "entries": sorted(ids.values()),
                "explanation": "2018-06-10: People relocated 5,200 ≠ Registered poor people "
                "relocated 3,800 + People relocated alongside 1,300 = 5,100 (off by 100 people)",
                "value": 5200,
                "expected": 5100,
            }
        ],
    }
    # a later return that adds up does not excuse the one that did not
    _relocation(run, "6000", "4400", "1600", "2018-06-17")
    assert _findings(run("check", "--json"))["findings"][0]["date"] == "2018-06-10"
    # as of a date before the bad return, nothing is found
    result = run("check", "--as-of", "2018-06-09")
    assert (result.exit_code, result.stdout) == (0, "")


def test_the_table_goes_to_stdout(run, initialised) -> None:
    _relocation(run, "5200", "3800", "1300")
    result = run("check")
    assert result.exit_code == 3
    assert result.stderr == ""
    out = result.stdout
    assert "Data checks — as of 2018-06-10: 1 errors, 0 warnings" in out
    for text in ("error", "relocation-parts", "Yanggao County", "People relocated", "(off by"):
        assert text in out
    zh = run("check", "--lang", "zh")
    assert zh.exit_code == 3
    for text in ("数据检查 — 截至 2018-06-10：错误1条，警告0条", "错误", "阳高县", "相差100人"):
        assert text in zh.stdout
    data = _findings(run("check", "--json", "--lang", "zh"))
    assert data["findings"][0]["explanation"].endswith("（相差100人）")


def test_warnings_alone_also_exit_3(run, initialised) -> None:
    rec(run, "housing.dangerous_houses", "800", "阳高县", "2018-06-03")
    rec(run, "housing.dangerous_houses", "760", "阳高县", "2018-06-10")
    data = _findings(run("check", "--json"))
    assert data["summary"] == {"error": 0, "warning": 1}
    (f,) = data["findings"]
    assert (f["rule"], f["severity"], f["value"], f["expected"]) == (
        "running-total-down",
        "warning",
        760,
        800,
    )


def test_errors_sort_before_warnings(run, initialised) -> None:
    rec(run, "housing.dangerous_houses", "800", "阳高县", "2018-06-03")
    rec(run, "housing.dangerous_houses", "760", "阳高县", "2018-06-10")
    rec(run, "goals.poor_villages", "20", "灵丘县", "2018-03-04")
    rec(run, "goals.villages_exited", "25", "灵丘县", "2018-06-10")  # 25 of 20 villages
    data = _findings(run("check", "--json"))
    assert [(f["severity"], f["rule"], f["indicator"]) for f in data["findings"]] == [
        ("error", "ratio-bounds", "goals.village_exit_rate"),
        ("warning", "running-total-down", "housing.dangerous_houses"),
    ]


def test_allocations_that_fall_short_are_a_warning(run, initialised) -> None:
    result = run("target", "set", PEOPLE, "60000", "--area", "阳高县")
    assert result.exit_code == 0, result.stderr
    data = _findings(run("check", "--json"))
    (f,) = data["findings"]
    assert (f["rule"], f["severity"], f["area"], f["value"], f["expected"], f["entries"]) == (
        "allocations-total",
        "warning",
        "datong",
        60000,
        63824,
        [],
    )


def test_exports_are_written_with_or_without_findings(run, initialised, tmp_path: Path) -> None:
    out = tmp_path / "check.csv"
    clean = run("check", "-o", str(out))
    assert (clean.exit_code, clean.stdout, clean.stderr) == (0, "", "")
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert rows == [
        [
            "Severity",
            "Rule",
            "Task",
            "Area id",
            "Area",
            "Indicator id",
            "Indicator",
            "Date",
            "Value",
            "Expected",
            "Explanation",
            "Entries",
        ]
    ]  # the header alone
    _relocation(run, "5200", "3800", "1300")
    result = run("check", "-o", str(out))
    assert result.exit_code == 3
    assert result.stdout == ""
    assert f"wrote {out}" in result.stderr
    text = out.read_text(encoding="utf-8-sig")
    assert "relocation-parts" in text and "yanggao" in text
    js = tmp_path / "check.json"
    assert run("check", "-o", str(js)).exit_code == 3
    assert json.loads(js.read_text(encoding="utf-8"))["summary"] == {"error": 1, "warning": 0}


def test_a_clean_json_file_replaces_last_weeks(run, initialised, tmp_path: Path) -> None:
    js = tmp_path / "check.json"
    js.write_text('{"stale": true}', encoding="utf-8")
    result = run("check", "-o", str(js))
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")
    data = json.loads(js.read_text(encoding="utf-8"))
    assert data["summary"] == {"error": 0, "warning": 0} and data["findings"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--format", "table", "-o", "x.txt"), "the table is for the screen"),
        (("--format", "xlsx"), "xlsx is a binary file: give -o FILE.xlsx"),
        (("--format", "pdf"), "--format 'pdf' is not one of"),
        (("--as-of", "2017-12-31"), "--as-of 2017-12-31 is before the plan starts"),
        (("--as-of", "June"), ""),
    ],
)
def test_usage_errors_exit_2_even_when_clean(run, initialised, args, message) -> None:
    result = run("check", *args)
    assert result.exit_code == 2, result.stdout
    assert result.stdout == ""
    assert message in result.stderr


def test_no_database_exits_4(run) -> None:
    result = run("check")
    assert result.exit_code == 4
    assert result.stdout == ""


def test_help_has_an_example(run) -> None:
    result = run("check", "--help")
    assert result.exit_code == 0
    assert "Example: povtrack check" in result.stdout


def test_the_demo_data(run, tmp_path: Path) -> None:
    """The sample returns pass every rule; two warnings are intended: the synthetic returns
    stall and catch up (a week with no rise, then about twice the usual), which is what
    unusual-increment is there to point at."""
    demo = tmp_path / "demo" / "demo.json"
    assert run("demo", "--db", str(demo)).exit_code == 0
    data = _findings(run("check", "--db", str(demo), "--json"))
    assert data["as_of"] == "2018-07-01"
    assert data["summary"] == {"error": 0, "warning": 2}
    assert [(f["rule"], f["area"], f["indicator"], f["date"]) for f in data["findings"]] == [
        ("unusual-increment", "yanggao", "goals.people_exited", "2018-06-24"),
        ("unusual-increment", "lingqiu", "jobs.placed", "2018-06-03"),
    ]


def test_plan_check_applies_the_plan_rules_to_the_targets(run, tmp_path: Path) -> None:
    """A plan whose relocation parts do not add up to the whole is a bad plan (exit 2)."""
    from povtrack.planfile import bundled_text

    good = tmp_path / "good.toml"
    good.write_text(bundled_text(), encoding="utf-8")
    ok = run("plan", "check", str(good))
    assert ok.exit_code == 0, ok.stderr
    assert "ok" in ok.stdout
    bad = tmp_path / "bad.toml"
    bad.write_text(bundled_text().replace("value = 46216", "value = 46000", 1), encoding="utf-8")
    result = run("plan", "check", str(bad))
    assert result.exit_code == 2, result.stdout
    assert "relocation-parts" in result.stderr
    assert "63824" in result.stderr.replace(",", "")

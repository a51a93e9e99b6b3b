"""`povtrack explain`: how a status number was made, worked out by hand on the bundled plan.

Planted (ISO week N's Sunday: W10 -> 2018-03-11, W11 -> 03-18, W12 -> 03-25), as of W12:

- dangerous houses (city 17554): allocated Yanggao 100, Tianzhen 60 (due: the city
  target's); Yanggao 10 (W10), 40 (W12); Tianzhen 60 then 70 on the same date (W10; the later
  record counts, the first is superseded);
- jobs trained (increments, city 20000): Yanggao 30 (W10), 45 (W11); Tianzhen 25 (W11);
- allowance coverage (ratio, city 100%): covered Yanggao 30, Tianzhen 10; eligible Yanggao
  40, Tianzhen 60 (W11) -> 40 ÷ 100 × 100 = 40;
- afforestation (the six poor counties in total, 139800 mu): Yanggao 1000 (W11, imported
  from a file), Tianzhen 500 (W12), Pingcheng 300 (W12, not in the group);
- county delisted (milestone, each delisting county): Yanggao 0 (W10);
- policy briefings (activity): Yanggao 2 (W10), Tianzhen 3 (W11).

Expected pace on 2018-03-25: 83 of 364 days (2018-01-01 -> 2018-12-31) = 0.228022; on track
from 0.9 × 0.228022 = 0.20522.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

import povtrack.cli  # noqa: F401  (registers every command)
from povtrack.analysis.explain import explain, explain_json
from povtrack.i18n import Labels
from povtrack.output.screen.explain import explain_view
from povtrack.output.screen.tables import THEME
from povtrack.storage import Database
from tests.helpers.built import prepared_database
from tests.helpers.cli import DANGEROUS, ok_json

TRAINED = "jobs.trained"
COVERAGE = "welfare.dibao_coverage"
AFFOREST = "ecology.afforestation"
DELISTED = "goals.county_delisted"
BRIEFINGS = "publicity.policy_briefings"
AS_OF = "2018-W12"
MARCH_25 = date(2018, 3, 25)


def _week(run, indicator: str, value: str, area: str, iso: str) -> None:
    result = run("record", indicator, value, "--area", area, "--week", iso)
    assert result.exit_code == 0, result.stderr


def _plant(run, folder: Path) -> None:
    assert run("init").exit_code == 0
    for area, value in (("yanggao", "100"), ("tianzhen", "60")):
        assert run("target", "set", DANGEROUS, value, "--area", area).exit_code == 0
    _week(run, DANGEROUS, "10", "yanggao", "2018-W10")
    _week(run, DANGEROUS, "40", "yanggao", "2018-W12")
    _week(run, DANGEROUS, "60", "tianzhen", "2018-W10")
    _week(run, DANGEROUS, "70", "tianzhen", "2018-W10")
    _week(run, TRAINED, "30", "yanggao", "2018-W10")
    _week(run, TRAINED, "45", "yanggao", "2018-W11")
    _week(run, TRAINED, "25", "tianzhen", "2018-W11")
    _week(run, "welfare.dibao_covered", "30", "yanggao", "2018-W11")
    _week(run, "welfare.dibao_covered", "10", "tianzhen", "2018-W11")
    _week(run, "welfare.dibao_eligible", "40", "yanggao", "2018-W11")
    _week(run, "welfare.dibao_eligible", "60", "tianzhen", "2018-W11")
    # a path as long as a test's own tmp_path would give it: the screens show the source
    returns = folder / "returns-as-the-county-offices-sent-them" / "w11.csv"
    returns.parent.mkdir()
    returns.write_text(f"week,area,indicator,value\n2018-W11,阳高县,{AFFOREST},1000\n")
    result = run("import", str(returns))
    assert result.exit_code == 0, result.stderr
    _week(run, AFFOREST, "500", "tianzhen", "2018-W12")
    _week(run, AFFOREST, "300", "pingcheng", "2018-W12")
    _week(run, DELISTED, "0", "yanggao", "2018-W10")
    _week(run, BRIEFINGS, "2", "yanggao", "2018-W10")
    _week(run, BRIEFINGS, "3", "tianzhen", "2018-W11")


planted = prepared_database("explain-planted", _plant)  # built once, copied into each test


def _explain(run, indicator: str, *args: str) -> dict:
    return ok_json(run("explain", indicator, "--as-of", AS_OF, "--json", *args))


def _status_row(run, indicator: str, scope: str, as_of: str = AS_OF) -> dict:
    rows = ok_json(run("status", "--json", "--as-of", as_of))["rows"]
    found = [r for r in rows if r["indicator"] == indicator and r["scope"] == scope]
    assert len(found) == 1
    return found[0]


def _same_as_status(x: dict, row: dict) -> None:
    assert x["actual"] == row["actual"]
    assert x["progress"] == row["progress"]
    assert x["status"] == row["status"]
    if row["target"] is None:
        assert x["target"] is None and x["expected"] is None
    else:
        assert x["target"]["value"] == row["target"]
        assert x["target"]["due"] == row["due"]
        assert x["target"]["level"] == row["level"]
        assert x["expected"]["share"] == row["expected"]
    assert x["rule"].startswith(f"{row['status']}: ")


def _areas(x: dict) -> dict[str, dict]:
    return {a["area"]: a for a in x["areas"]}


# ---------------------------------------------------------------------------- rows


def test_cumulative_city_row(run, planted) -> None:
    x = _explain(run, DANGEROUS)
    _same_as_status(x, _status_row(run, DANGEROUS, "datong"))
    assert (x["indicator"], x["scope"], x["as_of"]) == (DANGEROUS, "datong", "2018-03-25")
    assert x["target"]["value"] == 17554 and x["target"]["source"] == "plan"
    assert x["target"]["citation"]  # the clause of the plan it comes from
    areas = _areas(x)
    assert list(areas)[:2] == ["datong", "pingcheng"]  # every area of the scope, city first
    assert len(areas) == 11
    assert areas["datong"]["value"] is None and areas["datong"]["entries"] == []
    yanggao, tianzhen = areas["yanggao"], areas["tianzhen"]
    assert yanggao["value"] == 40
    [counted] = yanggao["entries"]  # a running total: only the newest entry counts
    assert (counted["date"], counted["value"]) == ("2018-03-25", 40)
    assert counted["source"] == f"record {DANGEROUS} 40 --area yanggao"
    assert counted["by"] == "tester" and counted["recorded_at"]
    assert tianzhen["value"] == 70 and [e["value"] for e in tianzhen["entries"]] == [70]
    assert tianzhen["superseded"] == 1  # the 60 recorded earlier for the same date
    assert x["actual"] == 110 == sum(a["value"] for a in x["areas"] if a["value"] is not None)
    assert x["rollup"] == "40 + 70 = 110"
    assert x["progress"] == 0.006266  # 110 / 17554
    assert x["expected"] == {
        "start": "2018-01-01",
        "due": "2018-12-31",
        "as_of": "2018-03-25",
        "days_elapsed": 83,
        "days_total": 364,
        "milestone": False,
        "share": 0.228022,
    }
    assert x["status"] == "behind"
    assert x["rule"] == "behind: progress 0.006266 < 0.9 × expected 0.228022 = 0.20522"


def test_allocated_row_on_track_and_done(run, planted) -> None:
    x = _explain(run, DANGEROUS, "--area", "阳高县")
    _same_as_status(x, _status_row(run, DANGEROUS, "yanggao"))
    assert x["target"]["source"] == "allocation"
    assert x["target"]["due_from"] == "city_target"
    assert [a["area"] for a in x["areas"]] == ["yanggao"]
    assert (x["actual"], x["progress"], x["status"]) == (40, 0.4, "on_track")
    assert x["rule"] == "on_track: progress 0.4 ≥ 0.9 × expected 0.228022 = 0.20522"
    assert x["rule_zh"] == "进度正常：完成进度 0.4 ≥ 0.9 × 应完成 0.228022 = 0.20522"

    done = _explain(run, DANGEROUS, "--area", "tianzhen")
    _same_as_status(done, _status_row(run, DANGEROUS, "tianzhen"))
    assert done["rule"] == "done: actual 70 ≥ target 60"


def test_increment_row(run, planted) -> None:
    x = _explain(run, TRAINED)
    _same_as_status(x, _status_row(run, TRAINED, "datong"))
    areas = _areas(x)
    assert areas["yanggao"]["value"] == 75
    assert [(e["date"], e["value"]) for e in areas["yanggao"]["entries"]] == [
        ("2018-03-11", 30),
        ("2018-03-18", 45),
    ]
    assert areas["tianzhen"]["value"] == 25
    assert x["actual"] == 100 and x["rollup"] == "75 + 25 = 100"
    assert (x["progress"], x["status"]) == (0.005, "behind")
    assert x["rule"] == "behind: progress 0.005 < 0.9 × expected 0.228022 = 0.20522"


def test_ratio_row(run, planted) -> None:
    x = _explain(run, COVERAGE)
    _same_as_status(x, _status_row(run, COVERAGE, "datong"))
    assert x["areas"] == []  # a ratio: its parts hold the areas
    num, den = x["numerator"], x["denominator"]
    assert (num["indicator"], num["actual"]) == ("welfare.dibao_covered", 40)
    assert (den["indicator"], den["actual"]) == ("welfare.dibao_eligible", 100)
    assert {a["area"]: a["value"] for a in num["areas"] if a["value"] is not None} == {
        "yanggao": 30,
        "tianzhen": 10,
    }
    assert {a["area"]: a["value"] for a in den["areas"] if a["value"] is not None} == {
        "yanggao": 40,
        "tianzhen": 60,
    }
    assert x["actual"] == 40 and x["rollup"] == "40 ÷ 100 × 100 = 40"
    assert (x["progress"], x["status"]) == (0.4, "on_track")
    assert x["rule"] == "on_track: progress 0.4 ≥ 0.9 × expected 0.228022 = 0.20522"


def test_group_total_row(run, planted) -> None:
    x = _explain(run, AFFOREST, "--area", "six-poor-counties")
    _same_as_status(x, _status_row(run, AFFOREST, "six-poor-counties"))
    assert x["scope_kind"] == "group"
    areas = _areas(x)
    assert list(areas) == ["yanggao", "yunzhou", "lingqiu", "tianzhen", "guangling", "hunyuan"]
    assert "pingcheng" not in areas  # not a member: its 300 mu are not in the group's total
    [imported] = areas["yanggao"]["entries"]
    assert imported["source"].endswith("w11.csv:2")  # the file and line it came from
    assert x["actual"] == 1500 and x["rollup"] == "1000 + 500 = 1500"
    assert x["progress"] == 0.01073  # 1500 / 139800 = 0.0107296...
    assert x["rule"] == "behind: progress 0.01073 < 0.9 × expected 0.228022 = 0.20522"


def test_milestone_row(run, planted) -> None:
    x = _explain(run, DELISTED, "--area", "yanggao")
    _same_as_status(x, _status_row(run, DELISTED, "yanggao"))
    assert x["target"]["group"] == "delisting-2018"  # each member of the group
    assert x["expected"]["milestone"] is True and x["expected"]["share"] == 0
    assert x["actual"] == 0  # a reported 0, not a missing value
    assert x["rule"] == "on_track: progress 0 ≥ 0.9 × expected 0 = 0"


def test_activity_row(run, planted) -> None:
    x = _explain(run, BRIEFINGS)
    _same_as_status(x, _status_row(run, BRIEFINGS, "datong"))
    assert x["target"] is None and x["expected"] is None
    assert x["actual"] == 5 and x["rollup"] == "2 + 3 = 5"
    assert x["rule"] == (
        "reported: an activity with entries in scope on or before 2018-03-25 (no target)"
    )


def test_overdue_row(run, planted) -> None:
    x = ok_json(run("explain", DANGEROUS, "--area", "yanggao", "--as-of", "2019-W01", "--json"))
    _same_as_status(x, _status_row(run, DANGEROUS, "yanggao", "2019-W01"))
    assert x["expected"]["days_elapsed"] == 370 and x["expected"]["share"] == 1.0
    assert (
        x["rule"] == "overdue: actual 40 < target 100 and as-of 2019-01-06 is after due 2018-12-31"
    )


def test_no_data_ratio_row(run, planted) -> None:
    x = _explain(run, "village.upgrade_coverage", "--area", "yanggao")
    _same_as_status(x, _status_row(run, "village.upgrade_coverage", "yanggao"))
    assert x["actual"] is None and x["progress"] is None
    assert x["rule"] == (  # which side is missing (issue 11): here both
        "no_data: neither the numerator Villages with appearance upgrade done nor the "
        "denominator Villages (all) has an entry on or before 2018-03-25"
    )


def test_no_target_on_the_scope(run, planted) -> None:
    x = _explain(run, TRAINED, "--area", "yanggao")
    assert x["target"] is None and x["status"] is None and x["expected"] is None
    assert x["actual"] == 75  # still shown, with its entries
    assert x["rule"] == "no target on this scope: no status"


def test_every_status_row_is_explained_with_its_numbers(run, planted, db_path: Path) -> None:
    """All rows of status, through the pure function: the same actual, progress, expected."""
    rows = ok_json(run("status", "--json", "--as-of", AS_OF))["rows"]
    store = Database.open(db_path)
    for row in rows:
        ind = store.plan.indicator(row["indicator"])
        x = explain(store.plan, store.entries(), store.allocations(), ind, row["scope"], MARCH_25)
        _same_as_status(explain_json(store.plan, x), row)


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("no.such.thing",), "unknown indicator"),
        ((DANGEROUS, "--area", "Atlantis"), "unknown area"),
        ((DANGEROUS, "--as-of", "2017-06-01"), "before the plan starts"),
    ],
)
def test_usage_errors_exit_2(run, planted, args, message: str) -> None:
    result = run("explain", *args)
    assert result.exit_code == 2
    assert message in result.stderr


# ---------------------------------------------------------------------------- the screen


def test_screen_sections(run, planted) -> None:
    out = run("explain", DANGEROUS, "--area", "yanggao", "--as-of", AS_OF).stdout
    for text in (
        "How it was made: Dangerous rural houses renovated",
        "Target",
        "100 households, due 2018-12-31 (commit)",
        "an allocation (target set)",
        "Entries behind the actual",
        f"record {DANGEROUS} 40 --area yanggao",
        "Roll-up",
        "Expected pace",
        "83 of 364 days = 0.228022",
        "on_track: progress 0.4 ≥ 0.9 × expected 0.228022 = 0.20522",
    ):
        assert text in out, text
    zh = run("--lang", "zh", "explain", COVERAGE, "--as-of", AS_OF).stdout
    for text in ("计算说明", "目标", "填报明细", "分子", "分母", "汇总", "应完成进度", "状态判定"):
        assert text in zh, text
    assert "40 ÷ 100 × 100 = 40%" in zh


def _render(db: Path, indicator: str, scope: str, width: int, lang: str) -> str:
    store = Database.open(db)
    ind = store.plan.indicator(indicator)
    x = explain(store.plan, store.entries(), store.allocations(), ind, scope, MARCH_25)
    out = io.StringIO()
    console = Console(
        width=width, no_color=True, color_system=None, file=out, theme=THEME,
        force_terminal=False,
    )  # fmt: skip
    console.print(explain_view(console, store.plan, x, Labels(lang)))
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize(
    ("indicator", "scope"),
    [
        (DANGEROUS, "datong"),
        (TRAINED, "datong"),
        (COVERAGE, "datong"),
        (AFFOREST, "six-poor-counties"),
    ],
)
def test_renders_within_the_width(
    run, planted, db_path: Path, indicator: str, scope: str, width: int, lang: str
) -> None:
    text = _render(db_path, indicator, scope, width, lang)
    lines = text.splitlines()
    assert max(cell_len(ln.rstrip()) for ln in lines) <= width
    blocks: list[list[str]] = [[]]
    for ln in lines:
        if ln.startswith(("|", "+")):
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):
        assert len({cell_len(ln.rstrip()) for ln in block}) == 1


# ---------------------------------------------------------------------------- two targets


# the tiny plan of the progress tests, with one indicator that has two targets on the city
TWO_TARGETS = """
[[indicators]]
id = "people"
task = 1
name = "脱贫人口"
name_en = "People lifted out"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 1000
[[indicators.targets]]
scope = "metro"
value = 2000
level = "stretch"
"""


def test_two_targets_on_one_scope_are_both_explained() -> None:
    from povtrack.model import Entry
    from tests.helpers.progress import make_plan

    plan = make_plan(TWO_TARGETS)
    entries = [Entry(1, "people", "north", date(2018, 7, 1), 500.0)]
    x = explain(plan, entries, [], plan.indicator("people"), "metro", date(2018, 7, 1))
    data = explain_json(plan, x)
    # 2018-07-01: 181 of 364 days = 0.497253; 500/1000 = 0.5 (commit), 500/2000 = 0.25
    assert (data["target"]["value"], data["target"]["level"], data["status"]) == (
        1000,
        "commit",
        "on_track",
    )
    [stretch] = data["also"]
    assert (stretch["target"]["value"], stretch["target"]["level"]) == (2000, "stretch")
    assert stretch["progress"] == 0.25 and stretch["status"] == "behind"
    assert stretch["rule"] == "behind: progress 0.25 < 0.9 × expected 0.497253 = 0.447527"
    out = io.StringIO()
    console = Console(width=80, no_color=True, color_system=None, file=out, force_terminal=False)
    console.print(explain_view(console, plan, x, Labels("en")))
    text = out.getvalue()
    assert text.count("Expected pace") == 2 and "2,000 people" in text and "(stretch)" in text

"""`povtrack missing` and `povtrack completeness`, and late entries, worked out by hand.

A tiny plan (PLAN below): the city `metro`, counties `north` and `south`, district `east`;
group `pair` = north + south. Indicators, in plan order, and who owes them:

- people (city target), trained (increment, city target), visits (activity), funds (city
  target): city-wide — every county and district once some county or district reported them;
- exited, poor: the parts of exit_rate, a ratio targeted on north only -> north;
- coverage (a rate, each member of pair), delisted (milestone, each member), roads (pair in
  total) -> north and south.

Planted entries (ISO week N's Sunday: W10 -> 2018-03-11, W11 -> 03-18; W12 is 03-19..03-25):

  W10  north people 100, exited 2, poor 10;  south people 50, trained 20
  W11  north people 150, coverage 40, delisted 0, roads 3;  south people 0;  east visits 2;
       metro funds 5000 (the city's own entry: funds stays unowed)
  W12  south roads 1 on 2018-03-20

City-wide by the end of W10: people, trained; from W11 also visits; funds never.
Owed:       W10  north 5+2=7, south 3+2=5, east 2;   W11/W12  north 8, south 6, east 3.
Reported:   W10  north 3 (people, exited, poor), south 2, east 0      -> 5/14
            W11  north 4 (people, coverage, delisted, roads), south 1 (people: a 0 is
                 a report), east 1 (visits)                           -> 6/17
            W12  north 0, south 1 (roads), east 0                     -> 1/17
Totals:     north 7/23, south 4/17, east 1/8; all 12/48 = 0.25.

Recorded (set by hand in the file): every entry the day after its date, except north people
W10 on 2018-03-30 (19 days: late), south people W11 on 2018-04-02 (15 days: late) and east
visits W11 on 2018-04-01 (14 days: not late).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from helpers_cli import ok_json
from rich.cells import cell_len
from rich.console import Console

import povtrack.cli.coverage  # noqa: F401  (registers the commands until cli/__init__ does)
from povtrack.coverage import Tally, completeness, is_late, late_entries, missing
from povtrack.i18n import Labels
from povtrack.model import Entry
from povtrack.render import THEME
from povtrack.render_coverage import completeness_view, missing_view, rate_style, rate_text
from povtrack.store import Store

PLAN = """
[plan]
id = "cov"
name = "覆盖测试"
name_en = "Coverage test"
start = 2018-01-01
due = 2018-12-31

[[areas]]
id = "metro"
name = "甲市"
name_hant = "甲市"
name_en = "Metro City"
kind = "city"

[[areas]]
id = "north"
parent = "metro"
name = "北县"
name_hant = "北縣"
name_en = "North County"
kind = "county"

[[areas]]
id = "south"
parent = "metro"
name = "南县"
name_hant = "南縣"
name_en = "South County"
kind = "county"

[[areas]]
id = "east"
parent = "metro"
name = "东区"
name_hant = "東區"
name_en = "East District"
kind = "district"

[[groups]]
id = "pair"
name = "两县"
name_en = "The two counties"
members = ["north", "south"]

[[tasks]]
number = 1
name = "任务一"
name_en = "Task one"

[[indicators]]
id = "people"
task = 1
name = "脱贫人口"
name_en = "People lifted out"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 1000

[[indicators]]
id = "trained"
task = 1
name = "培训"
name_en = "Trained"
unit = "people"
reporting = "increment"
[[indicators.targets]]
scope = "metro"
value = 400

[[indicators]]
id = "exited"
task = 1
name = "退出村"
name_en = "Villages exited"
unit = "villages"

[[indicators]]
id = "poor"
task = 1
name = "贫困村"
name_en = "Poor villages"
unit = "villages"

[[indicators]]
id = "exit_rate"
task = 1
name = "退出率"
name_en = "Exit rate"
unit = "percent"
kind = "ratio"
numerator = "exited"
denominator = "poor"
[[indicators.targets]]
scope = "north"
value = 80

[[indicators]]
id = "coverage"
task = 1
name = "覆盖率"
name_en = "Coverage"
unit = "percent"
[[indicators.targets]]
scope = "pair"
each = true
value = 90

[[indicators]]
id = "delisted"
task = 1
name = "摘帽"
name_en = "Delisted"
unit = "counties"
kind = "milestone"
[[indicators.targets]]
scope = "pair"
each = true
value = 1

[[indicators]]
id = "visits"
task = 1
name = "走访"
name_en = "Visits"
unit = "events"
kind = "activity"
reporting = "increment"

[[indicators]]
id = "roads"
task = 1
name = "道路"
name_en = "Roads"
unit = "projects"
[[indicators.targets]]
scope = "pair"
value = 10

[[indicators]]
id = "funds"
task = 1
name = "资金"
name_en = "Funds"
unit = "yuan"
[[indicators.targets]]
scope = "metro"
value = 1000000
"""

PLANTED = [  # indicator, value, area, --week or --date
    ("people", "100", "north", "2018-W10"),
    ("exited", "2", "north", "2018-W10"),
    ("poor", "10", "north", "2018-W10"),
    ("people", "50", "south", "2018-W10"),
    ("trained", "20", "south", "2018-W10"),
    ("people", "150", "north", "2018-W11"),
    ("coverage", "40", "north", "2018-W11"),
    ("delisted", "0", "north", "2018-W11"),
    ("roads", "3", "north", "2018-W11"),
    ("people", "0", "south", "2018-W11"),
    ("visits", "2", "east", "2018-W11"),
    ("funds", "5000", "metro", "2018-W11"),
    ("roads", "1", "south", "2018-03-20"),
]

# (indicator, area, date) -> when it was recorded; every other entry: the day after its date
RECORDED = {
    ("people", "north", "2018-03-11"): "2018-03-30T10:00:00+00:00",
    ("people", "south", "2018-03-18"): "2018-04-02T10:00:00+00:00",
    ("visits", "east", "2018-03-18"): "2018-04-01T23:00:00+00:00",
}


def _record(run, indicator: str, value: str, area: str, when: str) -> None:
    flag = "--week" if "W" in when else "--date"
    result = run("record", indicator, value, "--area", area, flag, when)
    assert result.exit_code == 0, result.stderr


def _set_recorded(db_path: Path) -> None:
    """Rewrite recorded_at in the file by hand, as if each entry had been typed in on time."""
    data = json.loads(db_path.read_text(encoding="utf-8"))
    for doc in data["entries"].values():
        key = (doc["indicator"], doc["area"], doc["date"])
        default = date.fromisoformat(doc["date"]) + timedelta(days=1)
        doc["recorded_at"] = RECORDED.get(key, f"{default.isoformat()}T09:00:00+00:00")
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


@pytest.fixture
def planted(run, db_path: Path, tmp_path: Path) -> Path:
    plan = tmp_path / "cov.toml"
    plan.write_text(PLAN, encoding="utf-8")
    assert run("init", "--plan", str(plan)).exit_code == 0
    for row in PLANTED:
        _record(run, *row)
    _set_recorded(db_path)
    return db_path


def _gaps(data: dict) -> dict[str, list[str]]:
    return {a["area"]: [g["indicator"] for g in a["indicators"]] for a in data["missing"]}


# ---------------------------------------------------------------------------- missing


def test_missing_lists_exactly_the_planted_gaps(run, planted) -> None:
    data = ok_json(run("missing", "--week", "2018-W10", "--json"))
    assert (data["week"], data["from"], data["to"]) == ("2018-W10", "2018-03-05", "2018-03-11")
    assert _gaps(data) == {
        "north": ["trained", "coverage", "delisted", "roads"],
        "south": ["coverage", "delisted", "roads"],
        "east": ["people", "trained"],
    }
    assert data["summary"] == {"areas": 3, "gaps": 9, "late": 1}
    north = data["missing"][0]
    assert (north["name"], north["name_en"]) == ("北县", "North County")
    assert (north["expected"], north["reported"], north["late"]) == (7, 3, 1)
    assert north["indicators"][0] == {
        "indicator": "trained",
        "name": "培训",
        "name_en": "Trained",
        "last_reported": None,
    }


def test_a_reported_zero_is_not_a_gap_and_a_gap_is_not_zero(run, planted) -> None:
    data = ok_json(run("missing", "--week", "2018-W11", "--json"))
    gaps = _gaps(data)
    # south reported people = 0 in W11: reported, so not missing
    assert "people" not in gaps["south"]
    assert gaps == {
        "north": ["trained", "exited", "poor", "visits"],
        "south": ["trained", "coverage", "delisted", "visits", "roads"],
        "east": ["people", "trained"],
    }
    # a gap carries no value at all, only when the area last reported it
    for area in data["missing"]:
        for g in area["indicators"]:
            assert set(g) == {"indicator", "name", "name_en", "last_reported"}
    assert data["summary"] == {"areas": 3, "gaps": 11, "late": 1}
    south = next(a for a in data["areas"] if a["area"] == "south")
    assert south == {
        "area": "south",
        "name": "南县",
        "name_en": "South County",
        "expected": 6,
        "reported": 1,
        "late": 1,
        "missing": 5,
    }
    # east's visits were recorded 14 days after their date: on time
    east = next(a for a in data["areas"] if a["area"] == "east")
    assert east["late"] == 0


def test_last_reported_and_a_date_picks_its_week(run, planted) -> None:
    data = ok_json(run("missing", "--week", "2018-03-21", "--json"))
    assert (data["week"], data["from"], data["to"]) == ("2018-W12", "2018-03-19", "2018-03-25")
    north = data["missing"][0]
    last = {g["indicator"]: g["last_reported"] for g in north["indicators"]}
    assert last == {
        "people": "2018-03-18",
        "trained": None,
        "exited": "2018-03-11",
        "poor": "2018-03-11",
        "coverage": "2018-03-18",
        "delisted": "2018-03-18",
        "visits": None,
        "roads": "2018-03-18",
    }
    south = next(a for a in data["missing"] if a["area"] == "south")
    assert "roads" not in [g["indicator"] for g in south["indicators"]]  # 03-20 is in W12


def test_the_default_week_is_the_newest_entrys(run, planted) -> None:
    data = ok_json(run("missing", "--json"))
    assert data["week"] == "2018-W12"  # the newest entry: south roads on 2018-03-20
    assert data["summary"]["gaps"] == 8 + 5 + 3


def test_city_entries_never_make_a_county_gap(run, planted) -> None:
    # funds: a city target, reported only by the city itself -> nobody owes it
    for week in ("2018-W10", "2018-W11", "2018-W12"):
        data = ok_json(run("missing", "--week", week, "--json"))
        assert all("funds" not in g for g in _gaps(data).values())
        assert all(a["area"] != "metro" for a in data["areas"])


def test_nothing_owed_before_any_report(run, planted) -> None:
    data = ok_json(run("missing", "--week", "2018-W09", "--json"))
    # only the target-based indicators are owed before any county reported a city-wide one
    assert _gaps(data) == {
        "north": ["exited", "poor", "coverage", "delisted", "roads"],
        "south": ["coverage", "delisted", "roads"],
    }


def test_missing_on_an_empty_database(run, initialised) -> None:
    data = ok_json(run("missing", "--json"))
    assert data["week"] == "2018-W01"  # the plan's start on an empty database
    assert data["summary"]["late"] == 0
    assert {a["area"] for a in data["areas"]} == {
        "pingcheng",
        "yungang",
        "xinrong",
        "yunzhou",
        "yanggao",
        "tianzhen",
        "guangling",
        "lingqiu",
        "hunyuan",
        "zuoyun",
    }


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--week", "2018-W99"), "has no week 99"),
        (("--week", "2017-W40"), "before the plan starts"),
        (("--week", "2020-W10"), "after the plan's last due date"),
        (("--format", "pdf"), "--format"),
    ],
)
def test_missing_usage_errors_exit_2(run, planted, args, message: str) -> None:
    result = run("missing", *args)
    assert result.exit_code == 2
    assert message in result.stderr


def test_missing_screen(run, planted) -> None:
    result = run("missing", "--week", "2018-W11")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Not reported in 2018-W11 (2018-03-12 to 2018-03-18)" in out
    assert "North County" in out and "4/8" in out and "1/6" in out
    assert "3 areas, 11 gaps; 1 late entries" in out
    zh = run("--lang", "zh", "missing", "--week", "2018-W11").stdout
    assert "2018-W11 未报送" in zh and "南县" in zh and "从未" in zh


def test_missing_screen_when_nothing_is_missing(run, tmp_path) -> None:
    # a plan with one city-wide indicator: owed by all three once one of them reported it
    plan = tmp_path / "one.toml"
    plan.write_text(
        PLAN.split("[[indicators]]")[0] + "[[indicators]]" + PLAN.split("[[indicators]]")[1],
        encoding="utf-8",
    )
    assert run("init", "--plan", str(plan)).exit_code == 0
    for area in ("north", "south"):
        _record(run, "people", "1", area, "2018-W10")
    assert _gaps(ok_json(run("missing", "--json"))) == {"east": ["people"]}
    _record(run, "people", "1", "east", "2018-03-05")
    data = ok_json(run("missing", "--json"))
    assert data["missing"] == [] and data["summary"]["gaps"] == 0
    out = run("missing").stdout
    assert "Not reported in 2018-W10" in out
    assert "every county and district reported everything expected" in out


def test_missing_csv_is_the_json(run, planted) -> None:
    data = ok_json(run("missing", "--week", "2018-W10", "--json"))
    result = run("missing", "--week", "2018-W10", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["Area id", "Area", "Indicator id", "Indicator", "Last reported"]
    expected = [
        [a["area"], a["name_en"], g["indicator"], g["name_en"], g["last_reported"] or ""]
        for a in data["missing"]
        for g in a["indicators"]
    ]
    assert rows[1:] == expected
    assert len(expected) == data["summary"]["gaps"]


# ---------------------------------------------------------------------------- completeness


def _cell(reported: int, expected: int, late: int = 0) -> dict:
    rate = None if expected == 0 else round(reported / expected, 6)
    return {"reported": reported, "expected": expected, "rate": rate, "late": late}


def test_completeness_rates_and_totals(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "3", "--as-of", "2018-W12", "--json"))
    assert data["as_of"] == "2018-03-25"
    assert data["weeks"] == ["2018-W10", "2018-W11", "2018-W12"]
    assert data["periods"]["2018-W12"] == {"from": "2018-03-19", "to": "2018-03-25"}
    rows = {r["area"]: r for r in data["rows"]}
    assert list(rows) == ["north", "south", "east"]
    assert rows["north"]["cells"] == {
        "2018-W10": _cell(3, 7, late=1),
        "2018-W11": _cell(4, 8),
        "2018-W12": _cell(0, 8),
    }
    assert rows["north"]["cells"]["2018-W10"]["rate"] == 0.428571
    assert rows["south"]["cells"] == {
        "2018-W10": _cell(2, 5),
        "2018-W11": _cell(1, 6, late=1),
        "2018-W12": _cell(1, 6),
    }
    assert rows["east"]["cells"] == {
        "2018-W10": _cell(0, 2),
        "2018-W11": _cell(1, 3),
        "2018-W12": _cell(0, 3),
    }
    assert rows["north"]["total"] == _cell(7, 23, late=1)
    assert rows["south"]["total"] == _cell(4, 17, late=1)
    assert rows["east"]["total"] == _cell(1, 8)
    total = data["total"]
    assert (total["area"], total["name"], total["name_en"]) == (None, "合计", "Total")
    assert total["cells"] == {
        "2018-W10": _cell(5, 14, late=1),
        "2018-W11": _cell(6, 17, late=1),
        "2018-W12": _cell(1, 17),
    }
    assert total["total"] == {"reported": 12, "expected": 48, "rate": 0.25, "late": 2}


def test_no_expectation_is_none_not_zero(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "4", "--as-of", "2018-W12", "--json"))
    assert data["weeks"][0] == "2018-W09"
    east = next(r for r in data["rows"] if r["area"] == "east")
    assert east["cells"]["2018-W09"] == {"reported": 0, "expected": 0, "rate": None, "late": 0}
    north = next(r for r in data["rows"] if r["area"] == "north")
    assert north["cells"]["2018-W09"] == _cell(0, 5)  # owed by target, nothing reported: 0 %


def test_the_default_as_of_cuts_the_last_week(run, planted) -> None:
    data = ok_json(run("completeness", "--json"))
    assert data["as_of"] == "2018-03-20"  # the newest entry's date
    assert data["weeks"][-1] == "2018-W12"
    assert data["periods"]["2018-W12"] == {"from": "2018-03-19", "to": "2018-03-20"}
    # 8 weeks back from W12 is W05; the plan starts in W01, so all eight are there
    assert data["weeks"] == [f"2018-W{n:02d}" for n in range(5, 13)]
    south = next(r for r in data["rows"] if r["area"] == "south")
    assert south["cells"]["2018-W12"] == _cell(1, 6)


def test_weeks_before_the_plan_are_left_out(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "20", "--as-of", "2018-01-10", "--json"))
    assert data["weeks"] == ["2018-W01", "2018-W02"]


def test_completeness_screen_and_colours(run, planted) -> None:
    result = run("completeness", "--weeks", "3", "--as-of", "2018-W12")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Reporting completeness 2018-W10 to 2018-W12 (as of 2018-03-25)" in out
    north = next(ln for ln in out.splitlines() if "North County" in ln)
    assert [c.strip() for c in north.split("|")[2:-1]] == ["42%", "50%", "0%", "30%", "1"]
    total = [ln for ln in out.splitlines() if ln.startswith("| Total")][-1]
    assert [c.strip() for c in total.split("|")[2:-1]] == ["35%", "35%", "5%", "25%", "2"]


def test_rate_colours() -> None:
    assert rate_style(0.9) == "green" and rate_style(1.0) == "green"
    assert rate_style(0.8999) == "yellow" and rate_style(0.5) == "yellow"
    assert rate_style(0.4999) == "red" and rate_style(0.0) == "red"
    assert rate_style(None) == "muted"
    assert rate_text(Tally(0, 0)).plain == "—"
    assert rate_text(Tally(199, 200)).plain == "99%"  # never 100% while one is missing
    assert rate_text(Tally(3, 3)).plain == "100%"


def test_completeness_csv_and_xlsx_read_back_equal_the_json(run, planted, tmp_path) -> None:
    data = ok_json(run("completeness", "--weeks", "3", "--as-of", "2018-W12", "--json"))
    args = ("completeness", "--weeks", "3", "--as-of", "2018-W12")
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    weeks = data["weeks"]
    assert header == ["Area id", "Area", *weeks, "Total rate", "Reported", "Expected", "Late"]
    assert len(body) == len(data["rows"])  # CSV: the rows only, no total line
    for line, row in zip(body, data["rows"], strict=True):
        assert line[0] == row["area"] and line[1] == row["name_en"]
        for n, w in enumerate(weeks):
            rate = row["cells"][w]["rate"]
            assert (float(line[2 + n]) if line[2 + n] else None) == rate
        t = row["total"]
        assert float(line[2 + len(weeks)]) == t["rate"]
        assert line[3 + len(weeks) :] == [str(t["reported"]), str(t["expected"]), str(t["late"])]

    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "grid.xlsx"
    result = run("--lang", "zh", *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["地区编号", "地区"] and header[2:5] == weeks
    lines = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=len(data["rows"]) + 2)]
    for line, row in zip(lines, [*data["rows"], data["total"]], strict=True):
        if row["area"] is None:
            assert line[0] == "合计"
        else:
            assert line[:2] == [row["area"], row["name"]]
        for n, w in enumerate(weeks):
            rate = row["cells"][w]["rate"]
            assert line[2 + n] == (None if rate is None else pytest.approx(rate, rel=1e-12))
        t = row["total"]
        assert line[5:9] == [pytest.approx(t["rate"]), t["reported"], t["expected"], t["late"]]
    assert ws.cell(row=2, column=3).number_format.endswith("%")


# ---------------------------------------------------------------------------- late entries


def _entry(day: date, recorded_at: str, id: int = 1) -> Entry:
    return Entry(id, "people", "north", day, 1.0, recorded_at=recorded_at)


def test_late_entries_pure() -> None:
    day = date(2018, 3, 11)
    on_time = _entry(day, "2018-03-25T23:59:59+00:00", 1)  # 14 days: not late
    late = _entry(day, "2018-03-26T00:00:00+00:00", 2)  # 15 days
    late_z = _entry(day, "2018-04-30T08:00:00Z", 3)
    east8 = _entry(day, "2018-03-26T07:00:00+08:00", 4)  # 2018-03-25 23:00 UTC: not late
    unknown = _entry(day, "", 5)
    garbled = _entry(day, "yesterday", 6)
    entries = [on_time, late, late_z, east8, unknown, garbled]
    assert late_entries(entries) == [late, late_z]
    assert late_entries(entries, days=30) == [late_z]
    assert late_entries(entries, days=13) == [on_time, late, late_z, east8]
    assert not is_late(unknown) and not is_late(garbled)


def test_late_counts_through_the_pure_functions(planted) -> None:
    store = Store.open(planted)
    entries = store.entries()
    late = late_entries(entries)
    assert sorted((e.indicator, e.area, e.date.isoformat()) for e in late) == [
        ("people", "north", "2018-03-11"),
        ("people", "south", "2018-03-18"),
    ]
    m = missing(store.plan, entries, store.allocations(), date(2018, 3, 14))
    assert {a.area: a.late for a in m.areas} == {"north": 0, "south": 1, "east": 0}
    c = completeness(store.plan, entries, store.allocations(), date(2018, 3, 25), weeks=3)
    assert [t.late for t in c.total.cells] == [1, 1, 0]


# ---------------------------------------------------------------------------- widths


def _console(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(
        width=width, no_color=True, color_system=None, file=out, theme=THEME,
        force_terminal=False,
    )  # fmt: skip
    return console, out


@pytest.fixture
def bundled(run, initialised, db_path: Path) -> Path:
    """The bundled plan (long Chinese and English names), a few weeks of reports."""
    for area in ("阳高县", "天镇县", "平城区"):
        for week, value in (("2018-W20", "10"), ("2018-W22", "20")):
            _record(run, "housing.dangerous_houses", value, area, week)
            _record(run, "welfare.dibao_eligible", value, area, week)
    _record(run, "jobs.trained", "5", "左云县", "2018-W21")
    return db_path


def _assert_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(cell_len(ln.rstrip()) for ln in lines) <= width
    blocks: list[list[str]] = [[]]
    for ln in lines:
        if ln.startswith(("|", "+")):
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):  # every table's lines have one width
        assert len({cell_len(ln.rstrip()) for ln in block}) == 1


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_missing_fits_the_width(bundled, width: int, lang: str) -> None:
    store = Store.open(bundled)
    m = missing(store.plan, store.entries(), store.allocations(), date(2018, 5, 30))
    console, out = _console(width)
    console.print(missing_view(console, store.plan, m, Labels(lang)))
    text = out.getvalue()
    _assert_fits(text, width)
    assert ("平城区" if lang == "zh" else "Pingcheng District") in text


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_completeness_fits_the_width(bundled, width: int, lang: str) -> None:
    store = Store.open(bundled)
    c = completeness(store.plan, store.entries(), store.allocations(), date(2018, 6, 3))
    console, out = _console(width)
    console.print(completeness_view(console, store.plan, c, Labels(lang)))
    text = out.getvalue()
    _assert_fits(text, width)
    header = next(ln for ln in text.splitlines() if "W22" in ln)
    if width == 120:  # all eight weeks with Chinese or English names
        assert "W15" in header
    names = [a.name if lang == "zh" else a.name_en.split()[0] for a in store.plan.areas[1:]]
    names.append("合计" if lang == "zh" else "Total")
    body = text.split(header, 1)[1]
    assert [n for n in names if n in body] == names  # every area and the total row

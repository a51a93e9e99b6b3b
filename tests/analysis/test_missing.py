"""`povtrack missing`: the gaps of each week worked out by hand on the planted entries of
helpers/coverage.py (its docstring lists them, what each area owes and what is late), the
usage errors, the screen, the CSV, and the screen fitting 80 and 120 columns.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

import povtrack.cli  # noqa: F401  (registers every command)
from povtrack.analysis.coverage import missing
from povtrack.i18n import Labels
from povtrack.output.screen.coverage import missing_view
from povtrack.storage import Database
from tests.helpers import coverage as helpers_coverage
from tests.helpers.cli import ok_json
from tests.helpers.coverage import PLAN, _assert_fits, _console, _record

planted = helpers_coverage.planted  # the fixture, found by pytest under this name
bundled = helpers_coverage.bundled  # the fixture, found by pytest under this name


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


# ---------------------------------------------------------------------------- widths


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_missing_fits_the_width(bundled, width: int, lang: str) -> None:
    store = Database.open(bundled)
    m = missing(store.plan, store.entries(), store.allocations(), date(2018, 5, 30))
    console, out = _console(width)
    console.print(missing_view(console, store.plan, m, Labels(lang)))
    text = out.getvalue()
    _assert_fits(text, width)
    assert ("平城区" if lang == "zh" else "Pingcheng District") in text

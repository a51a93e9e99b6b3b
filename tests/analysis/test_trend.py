"""`povtrack trend`: the weekly series of one indicator in one scope, worked out by hand.

ISO weeks of 2018: week 1 starts Monday 1 January, so week N's Sunday is 7N days after
31 December 2017: W10 -> 2018-03-11, W11 -> 03-18, W12 -> 03-25, W13 -> 04-01.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from povtrack.analysis.trend import trend
from povtrack.i18n import Labels
from povtrack.model import Entry
from povtrack.output.screen.tables import THEME
from povtrack.output.screen.trend import ASCII_LEVELS, BLOCKS, sparkline, trend_view
from povtrack.planfile import bundled_text, parse_plan
from tests.helpers.built import prepared_database
from tests.helpers.cli import DANGEROUS, ok_json, row_for, status_rows

TRAINED = "jobs.trained"  # increments; city target 20000 people, due 2018-12-31
ACTIVITY = "industry.featured_projects"  # an activity: increments, no target
PLAN = parse_plan(bundled_text(), "datong-2018")


def week(run, indicator: str, value: str, area: str, iso: str) -> None:
    result = run("record", indicator, value, "--area", area, "--week", iso)
    assert result.exit_code == 0, result.stderr


def series(data: dict) -> list[tuple]:
    return [(w["week"], w["date"], w["value"], w["change"], w["reported"]) for w in data["weeks"]]


def _houses(run, folder: Path) -> None:
    """Running totals: Yanggao 100 (W10), 250 (W12), 300 (W13); Tianzhen 40 (W10), 60 (W13).
    Nobody reports in W11."""
    assert run("init").exit_code == 0
    week(run, DANGEROUS, "100", "yanggao", "2018-W10")
    week(run, DANGEROUS, "40", "tianzhen", "2018-W10")
    week(run, DANGEROUS, "250", "yanggao", "2018-W12")
    week(run, DANGEROUS, "300", "yanggao", "2018-W13")
    week(run, DANGEROUS, "60", "tianzhen", "2018-W13")


houses = prepared_database("trend-houses", _houses)  # built once, copied into each test


# ---------------------------------------------------------------------------- the series


def test_cumulative_city_series_carries_the_silent_week(run, houses) -> None:
    data = ok_json(run("trend", DANGEROUS, "--json"))
    assert data["indicator"] == DANGEROUS
    assert data["scope"] == "datong"
    assert data["unit"] == "households"
    assert data["as_of"] == "2018-04-01"  # the newest entry
    assert series(data) == [
        ("2018-W10", "2018-03-11", 140, None, True),  # 100 + 40
        ("2018-W11", "2018-03-18", 140, 0, False),  # no report: carried, not zero
        ("2018-W12", "2018-03-25", 290, 150, True),  # 250 + 40
        ("2018-W13", "2018-04-01", 360, 70, True),  # 300 + 60
    ]


def test_one_county(run, houses) -> None:
    data = ok_json(run("trend", "农村危房改造", "--area", "阳高", "--json"))
    assert data["scope"] == "yanggao"
    assert series(data) == [
        ("2018-W10", "2018-03-11", 100, None, True),
        ("2018-W11", "2018-03-18", 100, 0, False),
        ("2018-W12", "2018-03-25", 250, 150, True),
        ("2018-W13", "2018-04-01", 300, 50, True),
    ]
    # no target on Yanggao (the city's is not allocated): no target line; the recent rate is
    # still there: (300 - 100) over 3 weeks (03-11 -> 04-01)
    assert data["target"] is None
    assert data["forecast"] == {
        "needed_per_week": None,
        "recent_per_week": 66.667,
        "projected": None,
        "projected_date": None,
    }


def test_increments_are_summed_week_by_week(run, initialised) -> None:
    week(run, TRAINED, "10", "yanggao", "2018-W10")
    week(run, TRAINED, "20", "yanggao", "2018-W11")
    week(run, TRAINED, "7", "tianzhen", "2018-W11")
    week(run, TRAINED, "5", "yanggao", "2018-W13")
    data = ok_json(run("trend", TRAINED, "--json"))
    assert data["reporting"] == "increment"
    assert series(data) == [
        ("2018-W10", "2018-03-11", 10, None, True),
        ("2018-W11", "2018-03-18", 37, 27, True),  # 10 + 20 + 7: the change is the week's sum
        ("2018-W12", "2018-03-25", 37, 0, False),
        ("2018-W13", "2018-04-01", 42, 5, True),
    ]


def test_as_of_inside_a_week_cuts_the_last_week_at_that_date(run, houses) -> None:
    # Wednesday 2018-03-28 is in W13: the W13 reports (dated Sunday 04-01) do not count yet
    data = ok_json(run("trend", DANGEROUS, "--as-of", "2018-03-28", "--json"))
    assert data["as_of"] == "2018-03-28"
    assert series(data)[-1] == ("2018-W13", "2018-03-28", 290, 0, False)
    assert len(data["weeks"]) == 4


def test_as_of_iso_week(run, houses) -> None:
    data = ok_json(run("trend", DANGEROUS, "--as-of", "2018-W12", "--json"))
    assert data["as_of"] == "2018-03-25"
    assert [w["week"] for w in data["weeks"]] == ["2018-W10", "2018-W11", "2018-W12"]


def test_group_scope(run, houses) -> None:
    # delisting-2018 is Yanggao, Yunzhou and Lingqiu: only Yanggao has reported
    data = ok_json(run("trend", DANGEROUS, "--area", "delisting-2018", "--json"))
    assert data["scope"] == "delisting-2018"
    assert data["scope_kind"] == "group"
    assert [w["value"] for w in data["weeks"]] == [100, 100, 250, 300]


def test_nothing_reported_gives_no_weeks(run, initialised) -> None:
    data = ok_json(run("trend", DANGEROUS, "--json"))
    assert data["weeks"] == []
    assert data["target"] == {"value": 17554, "due": "2018-12-31", "level": "commit"}
    result = run("trend", DANGEROUS)
    assert result.exit_code == 0, result.stderr
    assert "Nothing reported" in result.stdout


# ---------------------------------------------------------------------------- target, forecast


def test_target_and_forecast_are_the_status_rows(run, houses) -> None:
    data = ok_json(run("trend", DANGEROUS, "--json"))
    assert data["target"] == {"value": 17554, "due": "2018-12-31", "level": "commit"}
    # as of 04-01 the city has 360; 274 days (39.14 weeks) to 2018-12-31:
    # needed (17554 - 360) / (274 / 7) = 439.263; recent (360 - 140) / 3 weeks = 73.333
    assert data["forecast"]["needed_per_week"] == 439.263
    assert data["forecast"]["recent_per_week"] == 73.333
    _, rows = status_rows(run)
    row = row_for(rows, DANGEROUS, "datong")
    assert data["status"] == row["status"]
    assert data["target"] == {"value": row["target"], "due": row["due"], "level": row["level"]}
    for key in ("needed_per_week", "recent_per_week", "projected", "projected_date"):
        assert data["forecast"][key] == row[key], key


def test_allocated_target_is_the_scopes(run, houses) -> None:
    assert run("target", "set", DANGEROUS, "1000", "--area", "yanggao").exit_code == 0
    data = ok_json(run("trend", DANGEROUS, "--area", "yanggao", "--json"))
    assert data["target"] == {"value": 1000, "due": "2018-12-31", "level": "commit"}
    _, rows = status_rows(run, "--area", "yanggao")
    row = row_for(rows, DANGEROUS, "yanggao")
    for key in ("needed_per_week", "recent_per_week", "projected", "projected_date"):
        assert data["forecast"][key] == row[key], key


def test_activity_has_no_target(run, initialised) -> None:
    week(run, ACTIVITY, "3", "yanggao", "2018-W10")
    week(run, ACTIVITY, "2", "yanggao", "2018-W11")
    data = ok_json(run("trend", ACTIVITY, "--json"))
    assert data["target"] is None
    assert data["status"] == "reported"
    assert [w["value"] for w in data["weeks"]] == [3, 5]


# ---------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    "args",
    [
        ("no.such_indicator",),
        (DANGEROUS, "--area", "nowhere"),
        (DANGEROUS, "--as-of", "2017-12-31"),  # before the plan starts
        (DANGEROUS, "--as-of", "soon"),
        (DANGEROUS, "--format", "pdf"),
        (DANGEROUS, "--json", "--format", "csv"),
        (DANGEROUS, "-o", "report.txt"),  # the suffix says no format
    ],
)
def test_usage_errors_exit_2(run, houses, args: tuple[str, ...]) -> None:
    result = run("trend", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert result.stdout == ""


# ---------------------------------------------------------------------------- the screen


def test_screen_table_and_ascii_sparkline_in_a_pipe(run, houses) -> None:
    result = run("trend", DANGEROUS)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "2018-W11" in out and "2018-03-18" in out and "+150" in out
    assert "Target 17,554 households, due 2018-12-31" in out
    # not a terminal: the sparkline is ASCII, on its own line: 140, 140, 290, 360 scaled to
    # levels 0-7 between 140 and 360: 0, 0, round(150 / 220 * 7) = round(4.77) = 5, 7
    [line] = [ln for ln in out.splitlines() if ln.startswith("Trend ")]
    assert line == "Trend 2018-W10 to 2018-W13 (min 140, max 360): __+#"
    assert not any(ch in out for ch in BLOCKS)


def test_screen_shows_the_newest_26_weeks_and_says_so(run, initialised) -> None:
    week(run, DANGEROUS, "10", "yanggao", "2018-W01")
    week(run, DANGEROUS, "20", "yanggao", "2018-W40")
    data = ok_json(run("trend", DANGEROUS, "--json"))
    assert len(data["weeks"]) == 40  # JSON holds every week
    out = run("trend", DANGEROUS).stdout
    assert "2018-W14" not in out.split("Trend ", 1)[1].split("\n", 1)[1]
    assert "2018-W15 " in out and "2018-W40 " in out
    assert "the newest 26 of 40 weeks" in out


def test_sparkline_levels() -> None:
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], unicode=True) == BLOCKS
    assert sparkline([0, 1, 2, 3, 4, 5, 6, 7], unicode=False) == ASCII_LEVELS
    assert sparkline([None, 0, 70], unicode=True) == " ▁█"
    assert sparkline([5, 5], unicode=False) == ASCII_LEVELS[3] * 2  # flat: the middle
    assert sparkline([0, 0], unicode=False) == ASCII_LEVELS[0] * 2
    assert sparkline([None, None], unicode=True) == "  "


def _entries() -> list[Entry]:
    """A season of running totals from two counties, W02 to W40 (39 weeks)."""
    out, n = [], 0
    for w in range(2, 41):
        for area, step in (("yanggao", 37), ("tianzhen", 23)):
            n += 1
            out.append(Entry(n, DANGEROUS, area, date.fromisocalendar(2018, w, 7), step * w))
    return out


def _render(width: int, lang: str, terminal: bool) -> str:
    entries = _entries()
    t = trend(PLAN, entries, [], PLAN.indicator(DANGEROUS), "datong", date(2018, 10, 7))
    out = io.StringIO()
    console = Console(
        width=width, no_color=True, color_system=None, file=out, theme=THEME,
        force_terminal=terminal,
    )  # fmt: skip
    console.print(trend_view(console, PLAN, t, Labels(lang)))
    return out.getvalue()


def _cells_if_blocks_are_wide(line: str) -> int:
    """The line's width in a CJK terminal that draws the (ambiguous) blocks two cells wide."""
    return cell_len(line) + sum(1 for ch in line if ch in BLOCKS)


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("terminal", [False, True])
def test_renders_within_the_width(width: int, lang: str, terminal: bool) -> None:
    text = _render(width, lang, terminal)
    lines = text.splitlines()
    assert max(_cells_if_blocks_are_wide(ln) for ln in lines) <= width
    table = [ln for ln in lines if ln.lstrip("| ").startswith("2018-W")]
    assert len(table) == 26  # the newest 26 of 39 weeks
    # the table's rows line up: the blocks are never in the table
    assert len({cell_len(ln.rstrip()) for ln in table}) == 1
    spark = [ln for ln in lines if any(ch in BLOCKS for ch in ln)]
    if terminal:
        [line] = spark
        assert line.rstrip()[-1] == "█"  # the newest week is the highest, at the line's end
    else:
        assert spark == []


# ---------------------------------------------------------------------------- exports


def test_csv_export_is_the_json_weeks(run, houses, tmp_path) -> None:
    pytest.importorskip("povtrack.output.files")
    data = ok_json(run("trend", DANGEROUS, "--json"))
    result = run("trend", DANGEROUS, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert rows[0] == [
        "Week",
        "Date",
        "Actual (households)",
        "Change (households)",
        "Reported",
    ]
    expected = [
        [
            w["week"],
            w["date"],
            str(w["value"]),
            "" if w["change"] is None else str(w["change"]),
            "reported" if w["reported"] else "no data",
        ]
        for w in data["weeks"]
    ]
    assert rows[1:] == expected


def test_xlsx_export_is_the_json_weeks(run, houses, tmp_path) -> None:
    pytest.importorskip("povtrack.output.files")
    openpyxl = pytest.importorskip("openpyxl")
    data = ok_json(run("trend", DANGEROUS, "--json"))
    path = tmp_path / "trend.xlsx"
    result = run("trend", DANGEROUS, "-o", str(path), "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(path).active
    got = list(ws.iter_rows(min_row=2, max_row=1 + len(data["weeks"]), values_only=True))
    assert ws.cell(1, 3).value == "累计完成 (户)"
    assert [(r[0], r[1].date().isoformat(), r[2], r[3], r[4]) for r in got] == [
        (w["week"], w["date"], w["value"], w["change"], "已报送" if w["reported"] else "未报送")
        for w in data["weeks"]
    ]


def test_json_to_a_file(run, houses, tmp_path) -> None:
    path = tmp_path / "out" / "trend.json"
    result = run("trend", DANGEROUS, "-o", str(path))
    assert result.exit_code == 0, result.stderr
    expected = ok_json(run("trend", DANGEROUS, "--json"))
    assert json.loads(path.read_text(encoding="utf-8")) == expected

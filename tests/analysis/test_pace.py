"""Pace and forecast (povtrack.analysis.pace): needed per week, recent per week, projected,
projected date.

Pure cases run on the tiny plan of helpers/progress.py (the metro targets are due 2018-12-31,
north's "each" target on people 250 due 2018-06-30); the CLI cases on the bundled plan. Every
expected number is worked out by hand, with the arithmetic in the comment beside it.

Two dates the arithmetic keeps coming back to:
  2018-07-01 -> 2018-12-31 = 30 (rest of Jul) + 31 + 30 + 31 + 30 + 31 = 183 days = 183/7 weeks
  2018-07-01 -> 2019-06-30 = 364 days = 52 weeks
"""

from __future__ import annotations

from datetime import date

import pytest
from rich.cells import cell_len

from povtrack.analysis.pace import Forecast, forecast
from povtrack.analysis.status import status_rows
from povtrack.ledger import Ledger
from povtrack.planfile import bundled_text, parse_plan
from tests.helpers.cli import DANGEROUS, ok_json, rec, row_for
from tests.helpers.progress import PLAN, D, entry, one_row

AS_OF = D(2018, 7, 1)  # a Sunday
FIELDS = ("needed_per_week", "recent_per_week", "projected", "projected_date")


def four(row) -> tuple:
    return tuple(getattr(row, f) for f in FIELDS)


def metro(indicator: str, entries, as_of: date = AS_OF):
    return one_row(status_rows(PLAN, entries, [], as_of), indicator, "metro")


# --------------------------------------------------------------------------- no data, one week


def test_no_data_leaves_all_four_empty() -> None:
    rows = status_rows(PLAN, [], [], AS_OF)
    assert rows
    for r in rows:
        assert four(r) == (None, None, None, None), (r.indicator, r.scope)


def test_an_entry_after_the_as_of_date_is_no_data_for_the_forecast() -> None:
    row = metro("people", [entry(1, "people", "north", D(2018, 7, 8), 500)])
    assert four(row) == (None, None, None, None)


@pytest.mark.parametrize(
    "entries",
    [
        [entry(1, "people", "north", AS_OF, 100)],
        # two areas on the same single date: still one reporting date, no rate
        [entry(1, "people", "north", AS_OF, 60), entry(2, "people", "south", AS_OF, 40)],
    ],
)
def test_one_reported_week_has_a_needed_pace_but_no_recent_one(entries) -> None:
    row = metro("people", entries)
    assert row.actual == 100
    # (1000 - 100) / (183 / 7) = 6300 / 183 = 34.4262295...
    assert row.needed_per_week == pytest.approx(34.42622950819672)
    assert row.recent_per_week is None
    assert row.projected is None
    assert row.projected_date is None


# --------------------------------------------------------------------------- cumulative


def test_cumulative_recent_rate_uses_the_last_five_reporting_dates() -> None:
    # Six Sundays of running totals; the window is the last five: 06-03 .. 07-01.
    values = [(D(2018, 5, 27), 10), (D(2018, 6, 3), 100), (D(2018, 6, 10), 130)]
    values += [(D(2018, 6, 17), 150), (D(2018, 6, 24), 190), (AS_OF, 220)]
    entries = [entry(i, "people", "north", d, v) for i, (d, v) in enumerate(values, 1)]
    row = metro("people", entries)
    assert row.actual == 220
    # (1000 - 220) / (183 / 7) = 780 * 7 / 183 = 5460 / 183 = 29.8360655...
    assert row.needed_per_week == pytest.approx(29.836065573770492)
    # (220 - 100) / (28 days / 7) = 120 / 4 = 30 per week (05-27's 10 is outside the window)
    assert row.recent_per_week == pytest.approx(30.0)
    # 220 + 30 * 183 / 7 = 220 + 5490 / 7 = 1004.2857...
    assert row.projected == pytest.approx(1004.2857142857143)
    # (1000 - 220) / 30 = 26 weeks = 182 days; 2018-07-01 + 182 days
    assert row.projected_date == D(2018, 12, 30)


def test_with_only_three_reporting_dates_all_three_count() -> None:
    values = [(D(2018, 6, 17), 150), (D(2018, 6, 24), 190), (AS_OF, 220)]
    entries = [entry(i, "people", "north", d, v) for i, (d, v) in enumerate(values, 1)]
    row = metro("people", entries)
    # (220 - 150) / (14 days / 7) = 70 / 2 = 35 per week
    assert row.recent_per_week == pytest.approx(35.0)
    # 220 + 35 * 183 / 7 = 220 + 915 = 1135
    assert row.projected == pytest.approx(1135.0)
    # (1000 - 220) / 35 = 22.2857 weeks = 156 days; 2018-07-01 + 156 = 2018-12-04
    assert row.projected_date == D(2018, 12, 4)


def test_the_reporting_dates_are_those_of_any_area_in_the_scope() -> None:
    # north reports on Sundays, south once on Wednesday 06-27. The scope's reporting dates:
    # 05-27, 06-03, 06-10, 06-17, 06-24, 06-27, 07-01 -> the last five: 06-10 .. 07-01.
    values = [(D(2018, 5, 27), 10), (D(2018, 6, 3), 100), (D(2018, 6, 10), 130)]
    values += [(D(2018, 6, 17), 150), (D(2018, 6, 24), 190), (AS_OF, 220)]
    entries = [entry(i, "people", "north", d, v) for i, (d, v) in enumerate(values, 1)]
    entries.append(entry(7, "people", "south", D(2018, 6, 27), 60))
    row = metro("people", entries)
    assert row.actual == 280  # 220 + 60
    # metro on 06-10: 130 (south nothing yet); on 07-01: 280; (280 - 130) / (21 / 7) = 50
    assert row.recent_per_week == pytest.approx(50.0)
    # (1000 - 280) / 50 = 14.4 weeks = 100.8 days -> 101; 2018-07-01 + 101 = 2018-10-10
    assert row.projected_date == D(2018, 10, 10)


# --------------------------------------------------------------------------- increments


def test_increments_are_summed_for_the_actual_and_the_rate() -> None:
    # trained: metro target 400 (increments), due 2018-12-31
    entries = [
        entry(1, "trained", "north", D(2018, 6, 17), 20),
        entry(2, "trained", "north", D(2018, 6, 24), 30),
        entry(3, "trained", "south", D(2018, 6, 24), 10),
        entry(4, "trained", "north", AS_OF, 60),
    ]
    row = metro("trained", entries)
    assert row.actual == 120  # 20 + 30 + 10 + 60
    # (400 - 120) / (183 / 7) = 1960 / 183 = 10.7103825...
    assert row.needed_per_week == pytest.approx(10.710382513661202)
    # actual on 06-17: 20; on 07-01: 120; (120 - 20) / (14 / 7) = 50 per week
    assert row.recent_per_week == pytest.approx(50.0)
    # 120 + 50 * 183 / 7 = 120 + 9150 / 7 = 1427.142857...
    assert row.projected == pytest.approx(1427.142857142857)
    # (400 - 120) / 50 = 5.6 weeks = 39.2 days -> 39; 2018-07-01 + 39 = 2018-08-09
    assert row.projected_date == D(2018, 8, 9)


# --------------------------------------------------------------------------- rates


def test_a_ratio_paces_in_percentage_points_per_week() -> None:
    # exit_rate = Σexited ÷ Σpoor × 100, metro target 80 (%), due 2018-12-31; here the city
    # reports numerator and denominator itself
    entries = [
        entry(1, "exited", "metro", D(2018, 6, 17), 10),
        entry(2, "poor", "metro", D(2018, 6, 17), 50),
        entry(3, "exited", "metro", D(2018, 6, 24), 15),
        entry(4, "poor", "metro", D(2018, 6, 24), 100),
        entry(5, "exited", "metro", AS_OF, 40),
    ]
    row = metro("exit_rate", entries)
    # 07-01: 40 / 100 x 100 = 40
    assert row.actual == pytest.approx(40.0)
    # (80 - 40) / (183 / 7) = 280 / 183 = 1.5300546...
    assert row.needed_per_week == pytest.approx(1.530054644808743)
    # 06-17: 10 / 50 x 100 = 20; dates 06-17, 06-24, 07-01; (40 - 20) / 2 weeks = 10 points
    assert row.recent_per_week == pytest.approx(10.0)
    # 40 + 10 * 183 / 7 = 40 + 1830 / 7 = 301.428571...
    assert row.projected == pytest.approx(301.42857142857144)
    # (80 - 40) / 10 = 4 weeks = 28 days; 2018-07-01 + 28 = 2018-07-29
    assert row.projected_date == D(2018, 7, 29)


def test_a_ratio_summed_from_the_areas_paces_too() -> None:
    entries = [
        entry(1, "exited", "north", D(2018, 6, 17), 10),
        entry(2, "poor", "north", D(2018, 6, 17), 50),
        entry(3, "exited", "north", D(2018, 6, 24), 15),
        entry(4, "poor", "south", D(2018, 6, 24), 50),  # a denominator date counts too
        entry(5, "exited", "south", AS_OF, 25),
    ]
    row = metro("exit_rate", entries)
    # 07-01: (15 + 25) / (50 + 50) x 100 = 40
    assert row.actual == pytest.approx(40.0)
    # 06-17: 10 / 50 x 100 = 20; dates 06-17, 06-24, 07-01; (40 - 20) / 2 weeks = 10 points
    assert row.recent_per_week == pytest.approx(10.0)
    # (80 - 40) / 10 = 4 weeks; 2018-07-01 + 28 = 2018-07-29
    assert row.projected_date == D(2018, 7, 29)


def test_a_rate_reported_directly_paces_on_its_own_scope_only() -> None:
    # coverage (unit percent) is never summed: metro's own entries count, north's do not,
    # and north's date (06-24) is not a reporting date of metro.
    entries = [
        entry(1, "coverage", "metro", D(2018, 6, 17), 60),
        entry(2, "coverage", "north", D(2018, 6, 24), 99),
        entry(3, "coverage", "metro", AS_OF, 70),
    ]
    row = metro("coverage", entries)
    assert row.actual == 70
    # (90 - 70) / (183 / 7) = 140 / 183 = 0.7650273...
    assert row.needed_per_week == pytest.approx(0.7650273224043715)
    # (70 - 60) / (14 / 7) = 5 points per week
    assert row.recent_per_week == pytest.approx(5.0)
    # (90 - 70) / 5 = 4 weeks; 2018-07-01 + 28 = 2018-07-29
    assert row.projected_date == D(2018, 7, 29)


# --------------------------------------------------------------------------- past due, done


def test_past_due_and_not_done_projects_only_a_date() -> None:
    # north's people target: 250 due 2018-06-30; as of 2018-07-15 it is overdue
    entries = [
        entry(1, "people", "north", D(2018, 6, 17), 150),
        entry(2, "people", "north", D(2018, 7, 1), 190),
        entry(3, "people", "north", D(2018, 7, 15), 230),
    ]
    row = one_row(status_rows(PLAN, entries, [], D(2018, 7, 15)), "people", "north")
    assert row.status == "overdue"
    assert row.needed_per_week is None
    assert row.projected is None
    # (230 - 150) / (28 / 7) = 80 / 4 = 20 per week
    assert row.recent_per_week == pytest.approx(20.0)
    # (250 - 230) / 20 = 1 week; 2018-07-15 + 7 = 2018-07-22
    assert row.projected_date == D(2018, 7, 22)


def test_past_due_with_no_progress_has_no_projected_date() -> None:
    entries = [
        entry(1, "people", "north", D(2018, 6, 17), 230),
        entry(2, "people", "north", D(2018, 7, 15), 230),
    ]
    row = one_row(status_rows(PLAN, entries, [], D(2018, 7, 15)), "people", "north")
    assert row.recent_per_week == 0  # (230 - 230) / 4 weeks
    assert (row.needed_per_week, row.projected, row.projected_date) == (None, None, None)


DONE = [
    entry(1, "people", "north", D(2018, 6, 10), 200),
    entry(2, "people", "north", D(2018, 6, 24), 260),
]


def test_done_needs_nothing_and_has_no_projected_date() -> None:
    # north: 260 >= 250 as of 2018-06-24 (due 2018-06-30)
    row = one_row(status_rows(PLAN, DONE, [], D(2018, 6, 24)), "people", "north")
    assert row.status == "done"
    assert row.needed_per_week == 0.0  # "0 once done"
    # (260 - 200) / (14 / 7) = 30 per week: the recent pace is still reported
    assert row.recent_per_week == pytest.approx(30.0)
    assert row.projected_date is None  # "None when done"


def test_done_before_due_still_projects_as_documented() -> None:
    row = one_row(status_rows(PLAN, DONE, [], D(2018, 6, 24)), "people", "north")
    # 260 + 30 per week x (6 days / 7) = 260 + 180 / 7 = 285.714...
    assert row.projected == pytest.approx(285.7142857142857)


def test_done_after_due_needs_nothing() -> None:
    row = one_row(status_rows(PLAN, DONE, [], D(2018, 7, 15)), "people", "north")
    assert row.status == "done"
    assert row.needed_per_week == 0.0
    assert row.projected is None  # past due
    assert row.projected_date is None


# --------------------------------------------------------------------------- rate <= 0, horizon


@pytest.mark.parametrize(("later", "rate"), [(200, 0.0), (180, -10.0)])
def test_a_rate_that_is_not_positive_has_no_projected_date(later: int, rate: float) -> None:
    entries = [
        entry(1, "people", "north", D(2018, 6, 17), 200),
        entry(2, "people", "north", AS_OF, later),
    ]
    row = metro("people", entries)
    # (later - 200) / 2 weeks: 0 or -10
    assert row.recent_per_week == pytest.approx(rate)
    # later + rate x 183 / 7: 200 + 0 = 200; 180 - 1830 / 7 = -81.428571...
    assert row.projected == pytest.approx(later + rate * 183 / 7)
    assert row.projected_date is None
    # (1000 - later) x 7 / 183
    assert row.needed_per_week == pytest.approx((1000 - later) * 7 / 183)


@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        # funds: metro target 1,000,000 due 2019-06-30; rate (last - first) / 2 weeks = 50
        # (1,000,000 - 974,000) / 50 = 520 weeks exactly: still a date, 3640 days on:
        # 2018-07-01 + 10 years = 2028-07-01 (3650 + 3 leap days = 3653 days) - 13 days
        (973_900, 974_000, D(2028, 6, 18)),
        # (1,000,000 - 973,950) / 50 = 521 weeks: over ten years, no date
        (973_850, 973_950, None),
        # (1,000,000 - 1,100) / 50 = 19,978 weeks
        (1_000, 1_100, None),
    ],
)
def test_a_projected_date_beyond_520_weeks_is_none(
    first: int, last: int, expected: date | None
) -> None:
    entries = [
        entry(1, "funds", "north", D(2018, 6, 17), first),
        entry(2, "funds", "north", AS_OF, last),
    ]
    row = metro("funds", entries)
    assert row.recent_per_week == pytest.approx(50.0)
    assert row.projected_date == expected
    # and the same straight from pace.forecast
    got = forecast(
        PLAN,
        Ledger(entries),
        PLAN.indicator("funds"),
        "metro",
        target=1_000_000,
        value=last,
        due=D(2019, 6, 30),
        as_of=AS_OF,
    )
    # (1,000,000 - last) / 52 weeks; last + 50 x 52 = last + 2600
    assert got == Forecast((1_000_000 - last) / 52, 50.0, last + 2600, expected)


# --------------------------------------------------------------------------- not paced


def test_milestone_and_activity_rows_have_no_forecast() -> None:
    entries = [
        entry(1, "delisted", "north", D(2018, 6, 17), 0),
        entry(2, "delisted", "north", AS_OF, 1),
        entry(3, "visits", "north", D(2018, 6, 17), 3),
        entry(4, "visits", "north", AS_OF, 4),
    ]
    rows = status_rows(PLAN, entries, [], AS_OF)
    milestone = one_row(rows, "delisted", "north")
    assert milestone.actual == 1
    assert four(milestone) == (None, None, None, None)
    activity = one_row(rows, "visits", "metro")
    assert activity.status == "reported"
    assert four(activity) == (None, None, None, None)


# --------------------------------------------------------------------------- the CLI

# Dangerous houses (city target 17554 households, due 2018-12-31) reported by Yanggao.
RECORDS = [("2018-06-17", 1000), ("2018-06-24", 1300), ("2018-07-01", 1500)]


@pytest.fixture
def reported(run, initialised) -> None:
    for day, value in RECORDS:
        rec(run, DANGEROUS, str(value), "yanggao", day)


def test_status_json_carries_the_four_fields(run, reported) -> None:
    data = ok_json(run("status", "--json"))
    assert data["as_of"] == "2018-07-01"
    row = row_for(data["rows"], DANGEROUS, "datong")
    assert row["actual"] == 1500
    # (17554 - 1500) / (183 / 7) = 16054 x 7 / 183 = 614.0874... -> 614.087
    assert row["needed_per_week"] == 614.087
    # (1500 - 1000) / (14 / 7) = 250
    assert row["recent_per_week"] == 250
    # 1500 + 250 x 183 / 7 = 1500 + 6535.714285... = 8035.714
    assert row["projected"] == 8035.714
    # 16054 / 250 = 64.216 weeks = 449.512 days -> 450; 2018-07-01 + 365 + 85 = 2019-09-24
    assert row["projected_date"] == "2019-09-24"
    for r in data["rows"]:
        assert set(FIELDS) <= set(r), r["indicator"]


def test_status_json_agrees_with_the_pure_rows(run, reported) -> None:
    plan = parse_plan(bundled_text(), "datong-2018.toml")
    entries = [
        entry(i, DANGEROUS, "yanggao", date.fromisoformat(day), value)
        for i, (day, value) in enumerate(RECORDS, 1)
    ]
    pure = status_rows(plan, entries, [], AS_OF)
    shown = ok_json(run("status", "--json"))["rows"]
    assert [(r["indicator"], r["scope"]) for r in shown] == [(r.indicator, r.scope) for r in pure]
    for got, want in zip(shown, pure, strict=True):
        for key in ("needed_per_week", "recent_per_week", "projected"):
            value = getattr(want, key)
            assert got[key] == (None if value is None else round(value, 3)), (got["scope"], key)
        day = want.projected_date
        assert got["projected_date"] == (None if day is None else day.isoformat())


HEADINGS = ("Needed/week", "Recent/week", "Projected done")


def test_status_forecast_on_screen(run, reported) -> None:
    result = run("status", "--forecast", "--task", "2", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    for heading in HEADINGS:
        assert heading in result.stdout
    assert "2019-09-24" in result.stdout
    line = next(ln for ln in result.stdout.splitlines() if "2019-09-24" in ln)
    assert "614.09" in line and "250" in line  # needed and recent, rounded for the screen


def test_status_without_forecast_has_no_forecast_columns(run, reported) -> None:
    result = run("status", "--task", "2", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    for heading in HEADINGS:
        assert heading not in result.stdout
    assert "2019-09-24" not in result.stdout


@pytest.mark.parametrize("width", [100, 80])
def test_status_forecast_fits_narrow_terminals(run, reported, monkeypatch, width: int) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = run("status", "--forecast", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    # the head on one line, or wrapped over two: "done" under "Projected"
    k = next(k for k, ln in enumerate(lines) if "Projected" in ln)
    column = lines[k].index("Projected")
    assert "Projected done" in lines[k] or lines[k + 1][column:].startswith("done"), lines[
        k : k + 2
    ]
    assert "2019-09-24" in result.stdout
    for line in result.stdout.splitlines():
        assert cell_len(line) <= width, line


@pytest.mark.parametrize("width", [120, 130, 140])
def test_status_forecast_at_full_width_keeps_names_and_headings(
    run, reported, monkeypatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = run("status", "--forecast", "--task", "2", "--lang", "en")
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert all(cell_len(line) <= width for line in lines)
    # the column heads, on one line or two (a long head wraps between its words)
    k = next(k for k, ln in enumerate(lines) if "Projected" in ln)
    header = " ".join(lines[max(0, k - 1) : k + 2])
    assert "…" not in header, header
    assert "Indicator" in header and "Scope" in header, header
    assert "Dangerous" in result.stdout  # the indicator's name is on screen

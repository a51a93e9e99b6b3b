"""The arithmetic of povtrack.progress against the rules, on a tiny plan written inline.

Every expected number below is worked out by hand (the arithmetic is in the comment next to it);
the property tests at the end use a plain scan over the generated entries as their oracle.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.model import Allocation, Entry, Plan
from povtrack.planfile import parse_plan
from povtrack.progress import (
    Ledger,
    actual,
    allocation_due,
    default_as_of,
    expected_share,
    status_rows,
)

# A city (metro), two counties and a district; one group of the two counties.
HEADER = """
[plan]
id = "tiny"
name = "小计划"
name_en = "Tiny plan"
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

[[tasks]]
number = 2
name = "任务二"
name_en = "Task two"
"""

INDICATORS = """
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
scope = "pair"
value = 600
[[indicators.targets]]
scope = "pair"
each = true
value = 250
due = 2018-06-30

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
scope = "metro"
value = 80

[[indicators]]
id = "coverage"
task = 2
name = "覆盖率"
name_en = "Coverage"
unit = "percent"
[[indicators.targets]]
scope = "metro"
value = 90
[[indicators.targets]]
scope = "north"
value = 90

[[indicators]]
id = "delisted"
task = 2
name = "摘帽"
name_en = "Delisted"
unit = "counties"
kind = "milestone"
[[indicators.targets]]
scope = "pair"
each = true
value = 1
due = 2018-07-01

[[indicators]]
id = "visits"
task = 2
name = "走访"
name_en = "Visits"
unit = "events"
kind = "activity"
reporting = "increment"

[[indicators]]
id = "funds"
task = 2
name = "资金"
name_en = "Funds"
unit = "yuan"
[[indicators.targets]]
scope = "metro"
value = 1000000
due = 2019-06-30
[[indicators.due_rules]]
group = "pair"
due = 2018-09-30

[[indicators]]
id = "roads"
task = 2
name = "道路"
name_en = "Roads"
unit = "projects"
[[indicators.targets]]
scope = "pair"
value = 10
due = 2018-08-31
"""


def make_plan(indicators: str) -> Plan:
    return parse_plan(HEADER + indicators, "test.toml")


PLAN = make_plan(INDICATORS)

# One quantity target on north whose window is exactly 100 days:
# 2018-01-01 -> 2018-04-11 = 31 (Jan) + 28 (Feb) + 31 (Mar) + 10 = 100 days.
PACE = make_plan(
    """
[[indicators]]
id = "pace"
task = 1
name = "进度"
name_en = "Pace"
unit = "people"
[[indicators.targets]]
scope = "north"
value = 100
due = 2018-04-11

[[indicators]]
id = "pace_big"
task = 2
name = "大进度"
name_en = "Big pace"
unit = "people"
[[indicators.targets]]
scope = "south"
value = 1000
due = 2018-04-11
"""
)

D = date


def entry(id: int, indicator: str, area: str, day: date, value: float) -> Entry:
    return Entry(id=id, indicator=indicator, area=area, date=day, value=value)


def rows_for(rows, indicator: str, scope: str | None = None):
    return [r for r in rows if r.indicator == indicator and (scope is None or r.scope == scope)]


def one_row(rows, indicator: str, scope: str):
    found = rows_for(rows, indicator, scope)
    assert len(found) == 1, found
    return found[0]


def area_actual(entries: list[Entry], indicator: str, scope: str, as_of: date, plan: Plan = PLAN):
    return actual(plan, Ledger(entries), plan.indicator(indicator), scope, as_of)


# --------------------------------------------------------------------------- reporting


def test_parsed_tiny_plan_is_what_the_tests_assume() -> None:
    assert PLAN.root.id == "metro"
    assert PLAN.indicator("trained").reporting == "increment"
    assert PLAN.indicator("people").reporting == "cumulative"  # the default
    assert PLAN.group("pair").members == ("north", "south")


CUMULATIVE = [
    entry(1, "people", "north", D(2018, 3, 1), 100),
    entry(2, "people", "north", D(2018, 4, 1), 150),
    entry(3, "people", "north", D(2018, 5, 1), 220),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2018, 2, 28), None),  # nothing on or before
        (D(2018, 3, 1), 100),  # on the date itself
        (D(2018, 4, 15), 150),  # latest running total on or before 04-15 is the 04-01 one
        (D(2018, 4, 30), 150),
        (D(2018, 5, 1), 220),
        (D(2018, 12, 31), 220),
    ],
)
def test_cumulative_actual_is_latest_total_on_or_before(as_of: date, expected) -> None:
    assert area_actual(CUMULATIVE, "people", "north", as_of) == expected


INCREMENTS = [
    entry(1, "trained", "north", D(2018, 3, 4), 10),
    entry(2, "trained", "north", D(2018, 3, 11), 15),
    entry(3, "trained", "north", D(2018, 3, 18), 20),
]


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2018, 3, 3), None),
        (D(2018, 3, 4), 10),
        (D(2018, 3, 11), 25),  # 10 + 15
        (D(2018, 3, 17), 25),  # 10 + 15, the 03-18 increment not yet
        (D(2018, 3, 18), 45),  # 10 + 15 + 20
        (D(2018, 12, 1), 45),
    ],
)
def test_increment_actual_is_sum_up_to_date(as_of: date, expected) -> None:
    assert area_actual(INCREMENTS, "trained", "north", as_of) == expected


def test_last_recorded_value_wins_for_cumulative() -> None:
    # Same area, indicator and date: id 5 is recorded last, so 300 counts and 999 is ignored,
    # whatever order the entries come in.
    entries = [
        entry(5, "people", "north", D(2018, 3, 4), 300),
        entry(2, "people", "north", D(2018, 3, 4), 999),
    ]
    assert area_actual(entries, "people", "north", D(2018, 3, 4)) == 300
    assert area_actual(list(reversed(entries)), "people", "north", D(2018, 3, 4)) == 300


def test_last_recorded_value_wins_for_increments() -> None:
    # 03-04: ids 3 (40) and 7 (25) -> 25 counts; 03-11: id 4 (10). Sum 25 + 10 = 35, not 75.
    entries = [
        entry(7, "trained", "south", D(2018, 3, 4), 25),
        entry(3, "trained", "south", D(2018, 3, 4), 40),
        entry(4, "trained", "south", D(2018, 3, 11), 10),
    ]
    assert area_actual(entries, "trained", "south", D(2018, 3, 11)) == 35


def test_later_correction_to_an_older_date_still_counts() -> None:
    # id 9 corrects the 03-04 total after the 03-11 one was recorded; as of 03-04 it counts
    # (120), and as of 03-11 the 03-11 total (150) is the latest running total.
    entries = [
        entry(1, "people", "north", D(2018, 3, 4), 100),
        entry(2, "people", "north", D(2018, 3, 11), 150),
        entry(9, "people", "north", D(2018, 3, 4), 120),
    ]
    assert area_actual(entries, "people", "north", D(2018, 3, 4)) == 120
    assert area_actual(entries, "people", "north", D(2018, 3, 11)) == 150


# --------------------------------------------------------------------------- roll-ups


def test_city_and_group_actual_sum_their_areas() -> None:
    entries = [
        entry(1, "people", "north", D(2018, 3, 4), 100),
        entry(2, "people", "north", D(2018, 3, 11), 130),
        entry(3, "people", "south", D(2018, 3, 4), 200),
        # east has no entry: it adds nothing
    ]
    as_of = D(2018, 3, 31)
    assert area_actual(entries, "people", "metro", as_of) == 330  # 130 + 200
    assert area_actual(entries, "people", "pair", as_of) == 330  # 130 + 200
    assert area_actual(entries, "people", "east", as_of) is None


def test_city_actual_includes_entries_on_the_city_itself() -> None:
    entries = [
        entry(1, "people", "north", D(2018, 3, 4), 100),
        entry(2, "people", "east", D(2018, 3, 4), 40),
        entry(3, "people", "metro", D(2018, 3, 4), 50),
    ]
    as_of = D(2018, 3, 4)
    assert area_actual(entries, "people", "metro", as_of) == 190  # 100 + 40 + 50
    assert area_actual(entries, "people", "pair", as_of) == 100  # north only; east not a member


def test_city_increments_sum_over_areas_and_dates() -> None:
    entries = [
        entry(1, "trained", "north", D(2018, 3, 4), 10),
        entry(2, "trained", "south", D(2018, 3, 4), 7),
        entry(3, "trained", "north", D(2018, 3, 11), 5),
        entry(4, "trained", "metro", D(2018, 3, 11), 3),
    ]
    assert area_actual(entries, "trained", "metro", D(2018, 3, 11)) == 25  # 10 + 7 + 5 + 3
    assert area_actual(entries, "trained", "metro", D(2018, 3, 4)) == 17  # 10 + 7
    assert area_actual(entries, "trained", "pair", D(2018, 3, 11)) == 22  # 10 + 7 + 5


def test_scope_without_any_entry_has_no_actual() -> None:
    entries = [entry(1, "people", "north", D(2018, 5, 1), 100)]
    assert area_actual([], "people", "metro", D(2018, 12, 31)) is None
    assert area_actual(entries, "people", "metro", D(2018, 4, 30)) is None  # only a later one


RATIO_ENTRIES = [
    entry(1, "exited", "north", D(2018, 3, 4), 9),
    entry(2, "poor", "north", D(2018, 3, 4), 10),  # north 9/10 = 90 %
    entry(3, "exited", "south", D(2018, 3, 4), 10),
    entry(4, "poor", "south", D(2018, 3, 4), 40),  # south 10/40 = 25 %
    entry(5, "exited", "east", D(2018, 3, 4), 5),
    entry(6, "poor", "east", D(2018, 3, 4), 5),  # east 5/5 = 100 %
]


def test_ratio_of_an_area() -> None:
    assert area_actual(RATIO_ENTRIES, "exit_rate", "north", D(2018, 3, 4)) == pytest.approx(90.0)
    assert area_actual(RATIO_ENTRIES, "exit_rate", "south", D(2018, 3, 4)) == pytest.approx(25.0)


def test_ratio_is_sum_over_sum_not_average_of_percentages() -> None:
    as_of = D(2018, 3, 4)
    # group: (9 + 10) / (10 + 40) x 100 = 19 / 50 x 100 = 38; the mean of 90 and 25 is 57.5
    assert area_actual(RATIO_ENTRIES, "exit_rate", "pair", as_of) == pytest.approx(38.0)
    # city: (9 + 10 + 5) / (10 + 40 + 5) x 100 = 24 / 55 x 100 = 43.6363...;
    # the mean of 90, 25, 100 would be 71.67
    assert area_actual(RATIO_ENTRIES, "exit_rate", "metro", as_of) == pytest.approx(
        43.63636363636363
    )


def test_ratio_status_row_uses_sum_over_sum() -> None:
    rows = status_rows(PLAN, RATIO_ENTRIES, [], D(2018, 3, 4))
    row = one_row(rows, "exit_rate", "metro")
    assert row.target == 80
    assert row.actual == pytest.approx(43.63636363636363)  # 24 / 55 x 100
    assert row.progress == pytest.approx(0.5454545454545454)  # 43.6363... / 80 = 24 / 44


def test_ratio_has_no_actual_while_a_side_is_missing_or_denominator_is_zero() -> None:
    as_of = D(2018, 3, 4)
    only_numerator = [entry(1, "exited", "north", as_of, 9)]
    assert area_actual(only_numerator, "exit_rate", "north", as_of) is None
    zero_denominator = [*only_numerator, entry(2, "poor", "north", as_of, 0)]
    assert area_actual(zero_denominator, "exit_rate", "north", as_of) is None


def test_percent_quantity_is_not_summed_across_areas() -> None:
    entries = [
        entry(1, "coverage", "north", D(2018, 3, 4), 80),
        entry(2, "coverage", "south", D(2018, 3, 4), 70),
    ]
    as_of = D(2018, 3, 4)
    # 80 + 70 = 150 % would be nonsense; the city has no rate of its own yet
    assert area_actual(entries, "coverage", "metro", as_of) is None
    assert area_actual(entries, "coverage", "north", as_of) == 80
    with_city = [*entries, entry(3, "coverage", "metro", D(2018, 3, 4), 75)]
    assert area_actual(with_city, "coverage", "metro", as_of) == 75  # only the city's own rate


# --------------------------------------------------------------------------- pace


def test_expected_is_linear_between_start_and_due() -> None:
    # 2018-01-01 -> 2018-07-02: 31+28+31+30+31+30 = 181 days to 07-01, +1 = 182;
    # 2018-01-01 -> 2018-12-31 = 364 days; 182 / 364 = 0.5
    assert expected_share(D(2018, 1, 1), D(2018, 12, 31), D(2018, 7, 2), False) == 0.5
    # 10 / 100 days (PACE window)
    assert expected_share(D(2018, 1, 1), D(2018, 4, 11), D(2018, 1, 11), False) == 0.1


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (D(2017, 12, 1), 0.0),  # before the start: max(0, negative) = 0
        (D(2018, 1, 1), 0.0),  # 0 / 100
        (D(2018, 4, 11), 1.0),  # 100 / 100
        (D(2018, 6, 1), 1.0),  # after due: min(1, 151 / 100) = 1
    ],
)
def test_expected_is_clamped(as_of: date, expected: float) -> None:
    assert expected_share(D(2018, 1, 1), D(2018, 4, 11), as_of, False) == expected


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [(D(2018, 6, 30), 0.0), (D(2018, 7, 1), 1.0), (D(2018, 8, 1), 1.0)],
)
def test_milestone_expects_nothing_until_due(as_of: date, expected: float) -> None:
    # delisted is due 2018-07-01
    rows = status_rows(PLAN, [], [], as_of)
    assert one_row(rows, "delisted", "north").expected == expected


def test_progress_expected_and_gap_in_a_status_row() -> None:
    entries = [
        entry(1, "people", "north", D(2018, 3, 4), 120),
        entry(2, "people", "north", D(2018, 6, 3), 300),
        entry(3, "people", "south", D(2018, 6, 3), 200),
    ]
    rows = status_rows(PLAN, entries, [], D(2018, 7, 2))
    metro = one_row(rows, "people", "metro")
    assert metro.actual == 500  # 300 + 200
    assert metro.target == 1000
    assert metro.progress == 0.5  # 500 / 1000
    assert metro.expected == 0.5  # 182 / 364 days
    assert metro.gap == 500  # 1000 - 500
    assert metro.status == "on_track"  # 0.5 >= 0.9 x 0.5 = 0.45
    pair = one_row(rows, "people", "pair")
    assert pair.actual == 500
    assert pair.progress == pytest.approx(0.8333333333333334)  # 500 / 600
    assert pair.status == "on_track"


# --------------------------------------------------------------------------- status


def test_no_data_without_entries() -> None:
    rows = status_rows(PLAN, [], [], D(2018, 6, 1))
    assert rows, "a plan with targets has rows"
    assert {r.status for r in rows} == {"no_data"}
    assert all(r.actual is None and r.progress is None for r in rows)


def test_no_data_when_the_only_entry_is_after_as_of() -> None:
    entries = [entry(1, "pace", "north", D(2018, 4, 12), 100)]
    rows = status_rows(PACE, entries, [], D(2018, 4, 11))
    assert one_row(rows, "pace", "north").status == "no_data"


def test_no_data_even_after_due() -> None:
    # no_data comes before overdue
    rows = status_rows(PACE, [], [], D(2018, 5, 1))
    assert one_row(rows, "pace", "north").status == "no_data"


def test_a_reported_zero_is_data() -> None:
    # 0 reported 2018-01-21 (day 20 of 100): progress 0 < 0.9 x 0.2 -> behind, not no_data
    entries = [entry(1, "pace", "north", D(2018, 1, 21), 0)]
    row = one_row(status_rows(PACE, entries, [], D(2018, 1, 21)), "pace", "north")
    assert row.actual == 0
    assert row.status == "behind"


@pytest.mark.parametrize(
    ("value", "as_of"),
    [
        (100, D(2018, 2, 1)),  # exactly the target, early
        (130, D(2018, 2, 1)),  # more than the target
        (100, D(2018, 6, 1)),  # after due, but reached: done comes before overdue
    ],
)
def test_done_when_actual_reaches_target(value: int, as_of: date) -> None:
    entries = [entry(1, "pace", "north", D(2018, 1, 15), value)]
    row = one_row(status_rows(PACE, entries, [], as_of), "pace", "north")
    assert row.status == "done"
    assert row.gap == 0


def test_overdue_after_due_even_with_high_progress() -> None:
    # 99 / 100 = 0.99, as of 2018-04-12 (one day after due 04-11)
    entries = [entry(1, "pace", "north", D(2018, 4, 1), 99)]
    row = one_row(status_rows(PACE, entries, [], D(2018, 4, 12)), "pace", "north")
    assert row.status == "overdue"


def test_on_due_date_is_not_overdue() -> None:
    # as of 04-11 (the due date itself): expected 1, progress 0.99 >= 0.9 -> on_track
    entries = [entry(1, "pace", "north", D(2018, 4, 1), 99)]
    row = one_row(status_rows(PACE, entries, [], D(2018, 4, 11)), "pace", "north")
    assert row.expected == 1.0
    assert row.status == "on_track"


@pytest.mark.parametrize(
    ("indicator", "area", "value", "as_of", "status"),
    [
        # 2018-01-01 -> 02-20 = 31 + 19 = 50 days; expected 50 / 100 = 0.5; 0.9 x 0.5 = 0.45
        ("pace", "north", 45, D(2018, 2, 20), "on_track"),  # 45 / 100 = 0.45: exactly 0.9
        ("pace", "north", 44, D(2018, 2, 20), "behind"),  # 44 / 100 = 0.44 < 0.45
        # 2018-01-01 -> 01-21 = 20 days; expected 0.2; 0.9 x 0.2 = 0.18
        ("pace", "north", 18, D(2018, 1, 21), "on_track"),  # 18 / 100 = 0.18: exactly 0.9
        ("pace", "north", 17, D(2018, 1, 21), "behind"),  # 0.17 < 0.18
        # 2018-01-01 -> 01-11 = 10 days; expected 0.1; 0.9 x 0.1 = 0.09
        ("pace_big", "south", 90, D(2018, 1, 11), "on_track"),  # 90 / 1000 = 0.09: exactly 0.9
        ("pace_big", "south", 89, D(2018, 1, 11), "behind"),  # 0.089 < 0.09
    ],
)
def test_on_track_boundary_is_exactly_ninety_percent_of_expected(
    indicator: str, area: str, value: int, as_of: date, status: str
) -> None:
    entries = [entry(1, indicator, area, D(2018, 1, 5), value)]
    row = one_row(status_rows(PACE, entries, [], as_of), indicator, area)
    assert row.status == status


def test_milestone_statuses() -> None:
    # delisted: target 1 on each of north and south, due 2018-07-01
    entries = [
        entry(1, "delisted", "north", D(2018, 6, 15), 1),
        entry(2, "delisted", "south", D(2018, 6, 15), 0),
    ]

    def status(area: str, as_of: date) -> str:
        return one_row(status_rows(PLAN, entries, [], as_of), "delisted", area).status

    assert status("north", D(2018, 6, 30)) == "done"  # 1 >= 1
    assert status("south", D(2018, 6, 30)) == "on_track"  # expected 0: 0 >= 0.9 x 0
    assert status("south", D(2018, 7, 1)) == "behind"  # expected 1: 0 < 0.9; not after due
    assert status("south", D(2018, 7, 2)) == "overdue"  # after due, 0 < 1


def test_each_member_and_overdue_rows() -> None:
    # each-member target 250 due 2018-06-30; as of 07-02 north has 300 (done), south 200
    entries = [
        entry(1, "people", "north", D(2018, 6, 3), 300),
        entry(2, "people", "south", D(2018, 6, 3), 200),
    ]
    rows = status_rows(PLAN, entries, [], D(2018, 7, 2))
    assert one_row(rows, "people", "north").status == "done"  # 300 >= 250
    south = one_row(rows, "people", "south")
    assert south.status == "overdue"  # 200 < 250 and 07-02 is after 06-30
    assert south.gap == 50  # 250 - 200


# --------------------------------------------------------------------------- rows


def test_one_row_per_target_with_each_member_expanded() -> None:
    rows = status_rows(PLAN, [], [], D(2018, 3, 1))
    people = {(r.scope, r.scope_kind, r.group, r.target, r.due) for r in rows_for(rows, "people")}
    assert people == {
        ("metro", "area", None, 1000, D(2018, 12, 31)),  # due defaults to the plan's
        ("pair", "group", None, 600, D(2018, 12, 31)),  # the group in total
        ("north", "area", "pair", 250, D(2018, 6, 30)),  # each member
        ("south", "area", "pair", 250, D(2018, 6, 30)),
    }
    assert all(r.source == "plan" for r in rows_for(rows, "people"))
    # people 4 + trained 1 + exit_rate 1 + coverage 2 + delisted 2 + funds 1 + roads 1
    # + the activity visits 1 = 13
    assert len(rows) == 13


def test_rows_are_filtered_by_task() -> None:
    rows = status_rows(PLAN, [], [], D(2018, 3, 1), task=1)
    # task 1: people 4 + trained 1 + exit_rate 1 = 6 (exited and poor have no targets)
    assert len(rows) == 6
    assert {r.indicator for r in rows} == {"people", "trained", "exit_rate"}


def test_rows_are_filtered_by_scope() -> None:
    rows = status_rows(PLAN, [], [], D(2018, 3, 1), scope="north")
    # north: people (each member), coverage, delisted (each member), and the activity visits
    assert [(r.indicator, r.scope) for r in rows] == [
        ("people", "north"),
        ("coverage", "north"),
        ("delisted", "north"),
        ("visits", "north"),
    ]


def test_activity_row_on_the_city() -> None:
    entries = [
        entry(1, "visits", "north", D(2018, 3, 4), 3),
        entry(2, "visits", "south", D(2018, 3, 4), 2),
        entry(3, "visits", "north", D(2018, 3, 11), 4),
    ]
    row = one_row(status_rows(PLAN, entries, [], D(2018, 3, 11)), "visits", "metro")
    assert row.actual == 9  # 3 + 2 + 4
    assert row.status == "reported"
    assert row.target is None
    assert row.progress is None
    assert row.kind == "activity"


def test_activity_row_on_a_given_scope() -> None:
    entries = [
        entry(1, "visits", "north", D(2018, 3, 4), 3),
        entry(2, "visits", "south", D(2018, 3, 4), 2),
        entry(3, "visits", "north", D(2018, 3, 11), 4),
    ]
    row = one_row(status_rows(PLAN, entries, [], D(2018, 3, 11), scope="north"), "visits", "north")
    assert row.actual == 7  # 3 + 4
    south = status_rows(PLAN, entries, [], D(2018, 3, 11), scope="south")
    assert one_row(south, "visits", "south").actual == 2


def test_activity_row_without_entries_is_no_data() -> None:
    row = one_row(status_rows(PLAN, [], [], D(2018, 3, 11)), "visits", "metro")
    assert row.status == "no_data"
    assert row.actual is None
    assert row.target is None


# --------------------------------------------------------------------------- allocations


def test_allocation_adds_a_row_for_the_area() -> None:
    entries = [entry(1, "funds", "east", D(2018, 3, 4), 50000)]
    allocs = [Allocation("funds", "east", 200000)]
    rows = status_rows(PLAN, entries, allocs, D(2018, 3, 4))
    row = one_row(rows, "funds", "east")
    assert row.source == "allocation"
    assert row.scope_kind == "area"
    assert row.target == 200000
    assert row.actual == 50000
    assert row.progress == 0.25  # 50000 / 200000
    # the city target stays
    assert one_row(rows, "funds", "metro").target == 1000000


def test_newest_allocation_counts() -> None:
    allocs = [Allocation("funds", "east", 200000), Allocation("funds", "east", 250000)]
    row = one_row(status_rows(PLAN, [], allocs, D(2018, 3, 4)), "funds", "east")
    assert row.target == 250000


def test_allocation_replaces_plan_target_on_same_area() -> None:
    allocs = [Allocation("people", "north", 400)]
    rows = status_rows(PLAN, [], allocs, D(2018, 3, 4))
    north = one_row(rows, "people", "north")  # one row, not the plan's 250 as well
    assert north.target == 400
    assert north.source == "allocation"
    # no due, no due rule for people: the city target's due, 2018-12-31
    assert north.due == D(2018, 12, 31)
    # the other rows of people are untouched
    assert one_row(rows, "people", "south").target == 250
    assert one_row(rows, "people", "pair").target == 600
    assert one_row(rows, "people", "metro").target == 1000


@pytest.mark.parametrize(
    ("alloc", "due"),
    [
        # its own due date
        (Allocation("funds", "south", 1, due=D(2018, 5, 31)), D(2018, 5, 31)),
        # north is in pair, which has a due rule for funds
        (Allocation("funds", "north", 1), D(2018, 9, 30)),
        # east is in no group with a rule: the city target's due
        (Allocation("funds", "east", 1), D(2019, 6, 30)),
        # roads has no city target and no rule: the plan's due (not the group target's 08-31)
        (Allocation("roads", "east", 1), D(2018, 12, 31)),
    ],
)
def test_allocation_due(alloc: Allocation, due: date) -> None:
    assert allocation_due(PLAN, PLAN.indicator(alloc.indicator), alloc) == due
    row = one_row(status_rows(PLAN, [], [alloc], D(2018, 3, 4)), alloc.indicator, alloc.area)
    assert row.due == due


# --------------------------------------------------------------------------- default as-of


def test_default_as_of_is_plan_start_without_entries() -> None:
    assert default_as_of(PLAN, []) == D(2018, 1, 1)


def test_default_as_of_is_newest_entry_date() -> None:
    entries = [
        entry(1, "people", "north", D(2018, 3, 4), 1),
        entry(2, "people", "north", D(2018, 5, 6), 2),
        entry(3, "people", "south", D(2018, 4, 1), 3),  # recorded last, but an older date
    ]
    assert default_as_of(PLAN, entries) == D(2018, 5, 6)


# --------------------------------------------------------------------------- properties

START = D(2018, 1, 1)
PROPS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@st.composite
def cumulative_series(draw):
    """Distinct dates, non-decreasing running totals, recorded in a random order."""
    days = sorted(draw(st.lists(st.integers(0, 120), unique=True, max_size=15)))
    steps = draw(st.lists(st.integers(0, 500), min_size=len(days), max_size=len(days)))
    totals, running = [], 0
    for step in steps:
        running += step
        totals.append(running)
    ids = draw(st.permutations(list(range(1, len(days) + 1))))
    return [(ids[n], days[n], totals[n]) for n in range(len(days))]


@PROPS
@given(series=cumulative_series(), as_of=st.integers(-5, 130))
def test_property_cumulative_actual_is_last_value_on_or_before(series, as_of) -> None:
    entries = [entry(i, "people", "north", START + timedelta(d), v) for i, d, v in series]
    oracle = None
    for _, d, v in sorted(series, key=lambda s: s[1]):
        if d <= as_of:
            oracle = v
    day = START + timedelta(as_of)
    assert area_actual(entries, "people", "north", day) == oracle


@st.composite
def increment_series(draw):
    """Dates may repeat (corrections); ids are a random order of recording."""
    items = draw(st.lists(st.tuples(st.integers(0, 60), st.integers(0, 1000)), max_size=20))
    ids = draw(st.permutations(list(range(1, len(items) + 1))))
    return [(ids[n], d, v) for n, (d, v) in enumerate(items)]


@PROPS
@given(series=increment_series(), as_of=st.integers(-5, 70))
def test_property_increment_actual_is_sum_with_last_recorded_per_date(series, as_of) -> None:
    entries = [entry(i, "trained", "south", START + timedelta(d), v) for i, d, v in series]
    last: dict[int, tuple[int, int]] = {}  # day -> (id, value) of the highest id
    for i, d, v in series:
        if d not in last or i > last[d][0]:
            last[d] = (i, v)
    counted = [v for d, (_, v) in last.items() if d <= as_of]
    oracle = sum(counted) if counted else None
    day = START + timedelta(as_of)
    assert area_actual(entries, "trained", "south", day) == oracle


@PROPS
@given(
    north=cumulative_series(),
    south=cumulative_series(),
    on_city=cumulative_series(),
    as_of=st.integers(-5, 130),
)
def test_property_city_cumulative_is_sum_of_area_values(north, south, on_city, as_of) -> None:
    entries: list[Entry] = []
    oracle_parts: list[int] = []
    for offset, (area, series) in enumerate(
        (("north", north), ("south", south), ("metro", on_city))
    ):
        latest = None
        for i, d, v in series:
            # distinct ids across areas: 100 x area number + recording order
            entries.append(entry(100 * offset + i, "people", area, START + timedelta(d), v))
        for _, d, v in sorted(series, key=lambda s: s[1]):
            if d <= as_of:
                latest = v
        if latest is not None:
            oracle_parts.append(latest)
    oracle = sum(oracle_parts) if oracle_parts else None
    assert area_actual(entries, "people", "metro", START + timedelta(as_of)) == oracle

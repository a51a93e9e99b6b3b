"""The status rows of povtrack.analysis.status: expected pace, status rules, rows, allocations.

Runs on the tiny plan written inline in helpers/progress.py, plus PACE below. Every expected
number below is worked out by hand (the arithmetic is in the comment next to it).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from povtrack.analysis.measure import allocation_due, expected_share
from povtrack.analysis.status import default_as_of, status_rows
from povtrack.model import Allocation
from tests.helpers.progress import PLAN, D, entry, make_plan, one_row, rows_for

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


# --------------------------------------------------------------------------- pace


def test_expected_is_linear_between_start_and_due() -> None:
    # 2018-01-01 -> 2018-07-02: 31+28+31+30+31+30 = 181 days to 07-01, +1 = 182;
    # 2018-01-01 -> 2018-12-31 = 364 days; 182 / 364 = 0.5
    assert expected_share(D(2018, 1, 1), D(2018, 12, 31), D(2018, 7, 2), False) == 0.5
    # 10 / 100 days (PACE window), exactly one tenth
    assert expected_share(D(2018, 1, 1), D(2018, 4, 11), D(2018, 1, 11), False) == Fraction(1, 10)


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

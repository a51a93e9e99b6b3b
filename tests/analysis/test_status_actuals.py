"""The actual values of povtrack.analysis.status: the ledger, reporting kinds, roll-ups and ratios.

Runs on the tiny plan written inline in helpers/progress.py. Every expected number below is
worked out by hand (the arithmetic is in the comment next to it); the property tests at the end
use a plain scan over the generated entries as their oracle.
"""

from __future__ import annotations

import sys
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.analysis.measure import actual
from povtrack.analysis.status import status_rows
from povtrack.ledger import Ledger
from povtrack.model import Entry, Plan
from tests.helpers.progress import PLAN, D, entry, one_row


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


def test_a_ratio_over_a_tiny_denominator_is_shown() -> None:
    """A ratio over a tiny denominator left by an older povtrack (today's refuses a value below
    a millionth) is exact, decides its status exactly, and shows as the largest float."""
    as_of = D(2018, 3, 4)
    tiny = [entry(1, "exited", "north", as_of, 9), entry(2, "poor", "north", as_of, 5e-324)]
    assert area_actual(tiny, "exit_rate", "north", as_of) > 10**300  # exactly 9 / 5e-324 x 100
    row = one_row(status_rows(PLAN, tiny, [], as_of), "exit_rate", "metro")
    assert row.status == "done"  # decided exactly: far above the target of 80
    assert row.actual == sys.float_info.max  # shown as the largest float, never raising


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

"""The rules two careful readers could implement differently, settled (issue 11, item 10).

Each test is one sentence of docs/rules.md ("The rules"), in the order they are listed there, on
the tiny plan of helpers/progress.py (the pure cases) or the bundled plan (the CLI cases).
Every expected figure is worked out by hand in the comment beside it.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from pathlib import Path

import pytest

from povtrack.analysis.explain import explain, explain_json
from povtrack.analysis.measure import allocation_due, expected_share
from povtrack.analysis.status import status_rows as rows_at
from povtrack.errors import PlanError
from povtrack.model import Allocation
from povtrack.planfile import parse_plan
from tests.helpers.cli import DANGEROUS, ok_json, rec, row_for, status_rows
from tests.helpers.progress import HEADER, INDICATORS, PLAN, D, entry, make_plan, one_row

ZERO = make_plan(
    INDICATORS
    + """
[[indicators]]
id = "zero"
task = 1
name = "零"
name_en = "Zero"
unit = "people"
[[indicators.targets]]
scope = "north"
value = 0
"""
)


def _explained(plan, entries, indicator: str, scope: str, as_of: date, allocations=()):
    x = explain(plan, entries, list(allocations), plan.indicator(indicator), scope, as_of)
    return explain_json(plan, x)


# --------------------------------------------------------------------------- a zero target


def test_a_zero_target_is_met_by_any_report_and_unreported_without_one() -> None:
    assert one_row(rows_at(ZERO, [], [], D(2018, 3, 4)), "zero", "north").status == "no_data"
    entries = [entry(1, "zero", "north", D(2018, 3, 4), 0)]  # a reported 0 is a report
    row = one_row(rows_at(ZERO, entries, [], D(2018, 3, 4)), "zero", "north")
    assert (row.status, row.progress, row.gap, row.needed_per_week) == ("done", 1, 0, 0)
    x = _explained(ZERO, entries, "zero", "north", D(2018, 3, 4))
    assert x["rule"] == "done: actual 0 ≥ target 0"


# --------------------------------------------------------------------------- a window of 0 days


def test_a_due_date_on_the_plans_start_is_refused(run, initialised) -> None:
    result = run("target", "set", "housing.relocated_people", "100", "--area", "tianzhen",
                 "--due", "2018-01-01")  # fmt: skip
    assert result.exit_code == 2
    assert result.stderr == (
        "error: due date 2018-01-01 is not after the plan's start (2018-01-01): a target "
        "needs at least one day\n"
    )
    assert ok_json(run("target", "list", "--json"))["allocations"] == []


def test_a_plan_allocation_due_on_the_plans_start_is_refused() -> None:
    text = (
        HEADER
        + INDICATORS
        + ('\n[[allocations]]\nindicator = "people"\narea = "east"\nvalue = 10\ndue = 2018-01-01\n')
    )
    with pytest.raises(PlanError) as e:
        parse_plan(text, "test.toml")
    assert str(e.value) == "test.toml: allocations[0].due: must be after plan.start"


def test_a_window_of_zero_days_expects_everything_at_once() -> None:
    # only an older database can hold one: expected 1 from the first day
    assert expected_share(D(2018, 1, 1), D(2018, 1, 1), D(2018, 1, 1), False) == 1
    assert expected_share(D(2018, 1, 1), D(2018, 1, 1), D(2018, 5, 1), False) == 1


# --------------------------------------------------------------------------- entries, no actual


@pytest.mark.parametrize(
    ("reported", "why"),
    [
        # exit_rate = exited ÷ poor on metro, target 80
        ({"exited": 3}, "the denominator Poor villages has no entry on or before 2018-03-04"),
        ({"poor": 4}, "the numerator Villages exited has no entry on or before 2018-03-04"),
        ({"exited": 0, "poor": 0}, "the denominator Poor villages is 0 on 2018-03-04 (0 ÷ 0)"),
        ({"exited": 2, "poor": 0}, "the denominator Poor villages is 0 on 2018-03-04 (2 ÷ 0)"),
    ],
)
def test_a_ratio_without_both_sides_or_with_a_zero_denominator_has_no_actual(
    reported: dict[str, int], why: str
) -> None:
    entries = [
        entry(n, ind, "north", D(2018, 3, 4), v) for n, (ind, v) in enumerate(reported.items(), 1)
    ]
    row = one_row(rows_at(PLAN, entries, [], D(2018, 3, 4)), "exit_rate", "metro")
    assert (row.status, row.actual, row.progress, row.gap) == ("no_data", None, None, None)
    x = _explained(PLAN, entries, "exit_rate", "metro", D(2018, 3, 4))
    assert x["rule"] == f"no_data: {why}"


# --------------------------------------------------------------------------- needed per week

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
"""
)


@pytest.mark.parametrize(
    ("value", "day", "as_of", "status", "needed"),
    [
        (100, D(2018, 3, 4), D(2018, 3, 4), "done", 0),  # done before its due date: 0
        (100, D(2018, 4, 15), D(2018, 4, 20), "done", 0),  # done after it: 0 too
        (50, D(2018, 4, 1), D(2018, 4, 4), "behind", 50),  # one week left: (100 - 50) / 1
        (50, D(2018, 4, 1), D(2018, 4, 11), "behind", None),  # on the due date: no week left
        (50, D(2018, 4, 1), D(2018, 4, 20), "overdue", None),  # overdue: empty, the gap says it
    ],
)
def test_needed_per_week(value: int, day: date, as_of: date, status: str, needed) -> None:
    rows = rows_at(PACE, [entry(1, "pace", "north", day, value)], [], as_of)
    row = one_row(rows, "pace", "north")
    assert (row.status, row.needed_per_week) == (status, needed)


# --------------------------------------------------------------------------- the default as-of


@pytest.mark.parametrize("backend", ["db.json", "db.sqlite"])
def test_the_default_as_of_is_the_newest_entry_that_counts(
    run, tmp_path: Path, backend: str
) -> None:
    db = str(tmp_path / backend)
    assert run("--db", db, "init").exit_code == 0
    rec(run, "housing.relocated_people", "100", "yanggao", "2018-03-04", "--db", db)
    late = tmp_path / "late.csv"
    late.write_text("date,area,indicator,value\n2018-06-03,阳高县,housing.relocated_people,200\n")
    assert run("--db", db, "import", str(late)).exit_code == 0
    assert status_rows(run, "--db", db)[0] == "2018-06-03"
    assert ok_json(run("--db", db, "missing", "--json"))["week"] == "2018-W22"
    assert run("--db", db, "undo").exit_code == 0  # the import's entry no longer counts
    assert status_rows(run, "--db", db)[0] == "2018-03-04"
    assert ok_json(run("--db", db, "missing", "--json"))["week"] == "2018-W09"
    # a correction keeps its entry's date: the as-of stays
    (counting,) = ok_json(run("--db", db, "log", "--json"))["entries"]
    fixed = run("--db", db, "correct", str(counting["id"]), "90", "--reason", "typo")
    assert fixed.exit_code == 0, fixed.stderr
    assert status_rows(run, "--db", db)[0] == "2018-03-04"


# --------------------------------------------------------------------------- a milestone on its due


def test_a_milestone_not_reached_on_its_due_date_is_behind_then_overdue() -> None:
    # delisted: target 1 on each of north and south, due 2018-07-01
    entries = [entry(1, "delisted", "south", D(2018, 6, 15), 0)]
    before = _explained(PLAN, entries, "delisted", "south", D(2018, 6, 30))
    assert before["rule"] == "on_track: progress 0 ≥ 0.9 × expected 0 = 0"
    on_due = _explained(PLAN, entries, "delisted", "south", D(2018, 7, 1))
    assert on_due["rule"] == "behind: progress 0 < 0.9 × expected 1 = 0.9"
    after = _explained(PLAN, entries, "delisted", "south", D(2018, 7, 2))
    assert after["rule"] == (
        "overdue: actual 0 < target 1 and as-of 2018-07-02 is after due 2018-07-01"
    )


# --------------------------------------------------------------------------- a group's total


def test_the_citys_own_entries_count_in_the_city_not_in_a_group() -> None:
    # people: metro 1000, pair (north + south) 600 in total
    entries = [
        entry(1, "people", "metro", D(2018, 3, 4), 100),
        entry(2, "people", "north", D(2018, 3, 4), 200),
        entry(3, "people", "south", D(2018, 3, 4), 300),
        entry(4, "people", "east", D(2018, 3, 4), 50),
    ]
    rows = rows_at(PLAN, entries, [], D(2018, 3, 4))
    assert one_row(rows, "people", "metro").actual == 650  # 100 + 200 + 300 + 50
    assert one_row(rows, "people", "pair").actual == 500  # 200 + 300: members only
    x = _explained(PLAN, entries, "people", "pair", D(2018, 3, 4))
    assert x["rollup"] == "200 + 300 = 500"


# --------------------------------------------------------------------------- allocations


def test_an_allocations_pace_starts_at_the_plans_start(run, initialised) -> None:
    # set now (years after 2018), due with the city target 2018-12-31: as of 2018-07-02 the
    # pace expected is 182 / 364 = 1/2 of 1000; 0.9 x 1/2 x 1000 = 450
    assert run("target", "set", DANGEROUS, "1000", "--area", "tianzhen").exit_code == 0
    rec(run, DANGEROUS, "450", "tianzhen", "2018-07-01")
    _, rows = status_rows(run, "--as-of", "2018-07-02")
    row = row_for(rows, DANGEROUS, "tianzhen")
    assert (row["expected"], row["progress"], row["status"]) == (0.5, 0.45, "on_track")


@pytest.mark.parametrize(
    ("alloc", "due", "due_from"),
    [
        # roads: no city target; 10 on the pair in total, due 2018-08-31. north is in the pair:
        # its allocation is a share of that target and is due with it
        (Allocation("roads", "north", 4), D(2018, 8, 31), "group_target"),
        # east is in no group with a roads target: the plan's due
        (Allocation("roads", "east", 4), D(2018, 12, 31), "plan_due"),
    ],
)
def test_an_allocation_without_a_city_target_is_due_with_its_group_target(
    alloc: Allocation, due: date, due_from: str
) -> None:
    assert allocation_due(PLAN, PLAN.indicator("roads"), alloc) == due
    assert one_row(rows_at(PLAN, [], [alloc], D(2018, 3, 4)), "roads", alloc.area).due == due
    x = _explained(PLAN, [], "roads", alloc.area, D(2018, 3, 4), [alloc])
    assert (x["target"]["due"], x["target"]["due_from"]) == (due.isoformat(), due_from)


# --------------------------------------------------------------------------- rates at group scope


def test_a_ratio_on_a_group_is_its_members_sums_divided() -> None:
    on_metro = '[[indicators.targets]]\nscope = "metro"\nvalue = 80'
    plan = make_plan(INDICATORS.replace(on_metro, on_metro.replace("metro", "pair")))
    entries = [
        entry(1, "exited", "north", D(2018, 3, 4), 3),  # north 3 / 4 = 75 %
        entry(2, "poor", "north", D(2018, 3, 4), 4),
        entry(3, "exited", "south", D(2018, 3, 4), 1),  # south 1 / 6 = 16.7 %
        entry(4, "poor", "south", D(2018, 3, 4), 6),
    ]
    row = one_row(rows_at(plan, entries, [], D(2018, 3, 4)), "exit_rate", "pair")
    assert row.exact.actual == 40  # (3 + 1) / (4 + 6) x 100, not (75 + 16.7) / 2
    assert row.progress == 0.5  # 40 / 80


def test_a_rate_reported_directly_has_no_group_total() -> None:
    # coverage is a percent the areas report themselves: a group has none of its own
    text = INDICATORS.replace('scope = "north"\nvalue = 90', 'scope = "pair"\nvalue = 90')
    with pytest.raises(PlanError) as e:
        make_plan(text)
    assert str(e.value) == (
        "test.toml: indicators[5].targets[1].scope: 'coverage' is a rate its areas report "
        "themselves (unit percent): a group has no rate of its own; write each = true for each "
        "member's rate, or make it a ratio of two quantities"
    )
    make_plan(text.replace('scope = "pair"\nvalue = 90', 'scope = "pair"\neach = true\nvalue = 90'))


def test_the_fraction_of_a_share_is_exact() -> None:
    assert expected_share(D(2018, 1, 1), D(2018, 12, 31), D(2018, 4, 1), False) == Fraction(90, 364)

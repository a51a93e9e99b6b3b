"""The rules and anomaly checks (povtrack.quality) and the plan's [[rules]] tables.

Pure tests on the tiny plan of helpers_progress.py, with three relocation-like indicators and a
sum rule added (moved = moved_poor + moved_other). Each check is planted in a small data set
and found, with every expected figure worked out by hand in the comments; a clean season of
data gives no finding at all. A property test: a running total that never goes down never
raises "running-total-down".
"""

from __future__ import annotations

import statistics
from datetime import date, timedelta

import pytest
from helpers_progress import INDICATORS, D, entry, make_plan
from hypothesis import given
from hypothesis import strategies as st

from povtrack import quality
from povtrack.errors import PlanError
from povtrack.model import Allocation, Entry
from povtrack.planfile import bundled_text, parse_plan
from povtrack.quality import (
    ABOVE_TARGET,
    OUTLIER_MIN_INCREMENTS,
    STALE_REPORTS,
    Finding,
    check_plan_rules,
    findings_json,
    run_checks,
)
from povtrack.quality_anomalies import unusual

MOVED = """
[[indicators]]
id = "moved"
task = 2
name = "搬迁"
name_en = "Moved"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 300

[[indicators]]
id = "moved_poor"
task = 2
name = "搬迁贫困人口"
name_en = "Moved, poor"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 200

[[indicators]]
id = "moved_other"
task = 2
name = "同步搬迁"
name_en = "Moved alongside"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 100
"""

SUM_RULE = """
[[rules]]
id = "moved-parts"
kind = "sum"
whole = "moved"
parts = ["moved_poor", "moved_other"]
note = "300 = 200 + 100"
"""

PLAN = make_plan(INDICATORS + MOVED + SUM_RULE)
AS_OF = D(2018, 7, 2)


def sunday(n: int) -> date:
    """The n-th Sunday from 2018-03-04 (n = 0)."""
    return D(2018, 3, 4) + timedelta(weeks=n)


def noted(id: int, indicator: str, area: str, day: date, value: float, note: str) -> Entry:
    return Entry(id=id, indicator=indicator, area=area, date=day, value=value, note=note)


def series(
    start_id: int, indicator: str, area: str, values: list[float], first: int = 0
) -> list[Entry]:
    """One entry a week from sunday(first), ids counting up from start_id."""
    return [
        entry(start_id + n, indicator, area, sunday(first + n), v) for n, v in enumerate(values)
    ]


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def one(findings: list[Finding], rule: str) -> Finding:
    found = only(findings, rule)
    assert len(found) == 1, findings
    return found[0]


def check(entries: list[Entry], allocations: list[Allocation] | None = None, as_of=AS_OF):
    return run_checks(PLAN, entries, allocations or [], as_of)


# ---------------------------------------------------------------------------- clean data


def clean_season() -> list[Entry]:
    """Twelve weeks (2018-03-04 to 2018-05-20) of steady, consistent reports."""
    out: list[Entry] = []
    n = 0

    def add(indicator: str, area: str, values: list[float]) -> None:
        nonlocal n
        out.extend(series(n, indicator, area, values))
        n += len(values)

    weeks = range(12)
    add("people", "north", [40 + 10 * w for w in weeks])  # 40 .. 150 of 250
    add("people", "south", [30 + 12 * w for w in weeks])
    add("trained", "north", [5 + w % 2 for w in weeks])  # increments 5, 6, 5, 6 ...
    add("poor", "north", [20])
    add("exited", "north", [w for w in weeks])  # 0 .. 11 of 20 villages
    add("coverage", "north", [40 + 2 * w for w in weeks])  # 40 .. 62 %
    add("funds", "east", [10000 * (w + 1) for w in weeks])
    add("moved", "north", [10 * (w + 1) for w in weeks])
    add("moved_poor", "north", [7 * (w + 1) for w in weeks])
    add("moved_other", "north", [3 * (w + 1) for w in weeks])
    add("visits", "north", [2, 3, 1, 2, 2, 3, 1, 2, 2, 3, 1, 2])
    out.append(noted(n, "delisted", "south", sunday(5), 1, "验收报告已存档"))
    return out


def test_clean_data_gives_no_finding() -> None:
    entries = clean_season()
    assert run_checks(PLAN, entries, [], sunday(11)) == []
    assert run_checks(PLAN, entries, [], AS_OF) == []


def test_an_empty_database_gives_no_finding() -> None:
    assert run_checks(PLAN, [], [], PLAN.start) == []


def test_the_bundled_plan_passes_its_own_rules() -> None:
    bundled = parse_plan(bundled_text(), "datong-2018")
    assert [r.id for r in bundled.rules] == ["relocation-parts"]
    rule = bundled.rules[0]
    assert (rule.kind, rule.whole, rule.severity) == ("sum", "housing.relocated_people", "error")
    assert rule.parts == ("housing.relocated_registered", "housing.relocated_alongside")
    assert check_plan_rules(bundled) == []


# ---------------------------------------------------------------------------- rules on targets


def test_a_sum_rule_on_the_targets() -> None:
    assert check_plan_rules(PLAN) == []  # 300 = 200 + 100
    broken = make_plan(INDICATORS + MOVED.replace("value = 100", "value = 90") + SUM_RULE)
    (f,) = check_plan_rules(broken)
    assert (f.rule, f.severity, f.area, f.indicator, f.value, f.expected) == (
        "moved-parts",
        "error",
        "metro",
        "moved",
        300,
        290,
    )
    assert f.entries == ()
    assert f.explanation_en == (
        "targets: Moved 300 ≠ Moved, poor 200 + Moved alongside 90 = 290 (off by 10 people)"
    )
    assert f.explanation == "目标：搬迁 300 ≠ 搬迁贫困人口 200 + 同步搬迁 90 = 290（相差10人）"


def test_the_bundled_relocation_targets_must_add_up() -> None:
    text = bundled_text().replace("value = 17608", "value = 17000")
    (f,) = check_plan_rules(parse_plan(text, "datong-2018"))
    assert (f.rule, f.area, f.value, f.expected) == ("relocation-parts", "datong", 63824, 63216)


def test_tolerance_allows_a_small_difference() -> None:
    text = INDICATORS + MOVED.replace("value = 100", "value = 98") + SUM_RULE
    assert len(check_plan_rules(make_plan(text))) == 1
    assert check_plan_rules(make_plan(text + "tolerance = 2\n")) == []


def test_le_rule_and_ratio_bounds_on_targets() -> None:
    # a declared le rule: moved_other (100) <= moved_poor (200) holds; the reverse does not
    le = '\n[[rules]]\nid = "poor-first"\nkind = "le"\nleft = "moved_poor"\nright = "moved_other"\n'
    (f,) = check_plan_rules(make_plan(INDICATORS + MOVED + le))
    assert (f.rule, f.indicator, f.value, f.expected) == ("poor-first", "moved_poor", 200, 100)
    # a ratio's numerator target above its denominator's on the same scope
    targets = INDICATORS + "".join(
        f'[[indicators]]\nid = "{i}"\ntask = 1\nname = "{i}"\nname_en = "{en}"\n'
        f'unit = "villages"\n[[indicators.targets]]\nscope = "metro"\nvalue = {v}\n'
        for i, en, v in (("done_v", "Villages done", 30), ("all_v", "All villages", 25))
    )
    targets += (
        '[[indicators]]\nid = "done_share"\ntask = 1\nname = "完成率"\nname_en = "Done share"\n'
        'unit = "percent"\nkind = "ratio"\nnumerator = "done_v"\ndenominator = "all_v"\n'
    )
    (f,) = check_plan_rules(make_plan(targets))
    assert (f.rule, f.severity, f.indicator, f.value, f.expected) == (
        "ratio-bounds",
        "error",
        "done_share",
        30,
        25,
    )
    assert f.explanation_en == (
        "targets: Villages done 30 villages is more than All villages 25 villages "
        "(Done share would be over 100%)"
    )


def test_a_rate_target_above_100_percent() -> None:
    plan = make_plan(INDICATORS.replace("value = 80", "value = 120"))  # exit_rate's target
    (f,) = check_plan_rules(plan)
    assert (f.rule, f.severity, f.indicator, f.value) == ("rate-range", "error", "exit_rate", 120)


def test_allocations_against_the_city_target() -> None:
    # people: city target 1000
    short = [Allocation("people", "north", 400), Allocation("people", "south", 500)]
    (f,) = check_plan_rules(PLAN, short)
    assert (f.rule, f.severity, f.area, f.indicator, f.value, f.expected) == (
        "allocations-total",
        "warning",
        "metro",
        "people",
        900,
        1000,
    )
    assert f.explanation_en == (
        "allocations to 2 areas add up to 900 people, 100 people short of the Metro City "
        "target 1,000 people"
    )
    over = [*short, Allocation("people", "east", 200)]
    (f,) = check_plan_rules(PLAN, over)
    assert (f.value, f.expected) == (1100, 1000)
    assert "100 people more than the Metro City target" in f.explanation_en
    # the newest allocation per area counts: south 500 -> 600 makes 1000 exactly
    assert check_plan_rules(PLAN, [*short, Allocation("people", "south", 600)]) == []


def test_allocations_against_a_group_total_without_a_city_target() -> None:
    # roads: 10 on the pair in total, no city target
    (f,) = check_plan_rules(PLAN, [Allocation("roads", "north", 4)])
    assert (f.area, f.value, f.expected) == ("pair", 4, 10)
    both = [Allocation("roads", "north", 4), Allocation("roads", "south", 6)]
    assert check_plan_rules(PLAN, both) == []


# ---------------------------------------------------------------------------- rules on the data


def test_sum_rule_on_an_area_report() -> None:
    entries = [
        entry(1, "moved", "north", sunday(0), 100),
        entry(2, "moved_poor", "north", sunday(0), 70),
        entry(3, "moved_other", "north", sunday(0), 20),  # 70 + 20 = 90, not 100
    ]
    f = one(check(entries), "moved-parts")
    assert (f.severity, f.area, f.indicator, f.value, f.expected, f.date) == (
        "error",
        "north",
        "moved",
        100,
        90,
        sunday(0),
    )
    assert f.entries == (1, 2, 3)
    assert f.explanation_en == (
        "2018-03-04: Moved 100 ≠ Moved, poor 70 + Moved alongside 20 = 90 (off by 10 people)"
    )
    # a correction of the part on the same date (a later entry) makes it add up
    assert (
        only(check([*entries, entry(4, "moved_other", "north", sunday(0), 30)]), "moved-parts")
        == []
    )


def test_sum_rule_needs_the_whole_and_every_part_on_one_date() -> None:
    entries = [
        entry(1, "moved", "north", sunday(0), 100),
        entry(2, "moved_poor", "north", sunday(0), 70),
        entry(3, "moved_other", "north", sunday(0), 30),
        # a week later only the whole: the parts of last week are not compared with it
        entry(4, "moved", "north", sunday(1), 140),
        # south reports a part only: nothing to compare
        entry(5, "moved_poor", "south", sunday(1), 10),
    ]
    assert only(check(entries), "moved-parts") == []


def test_sum_rule_names_the_newest_mismatch_and_counts_the_others() -> None:
    entries = [
        *series(1, "moved", "north", [100, 150]),
        *series(11, "moved_poor", "north", [60, 100]),
        *series(21, "moved_other", "north", [30, 40]),
    ]
    f = one(check(entries), "moved-parts")
    assert (f.value, f.expected, f.date) == (150, 140, sunday(1))
    assert f.entries == (1, 2, 11, 12, 21, 22)
    assert f.explanation_en.endswith("(and 1 more date)")
    assert f.explanation.endswith("（另有1个日期）")


def test_numerator_above_denominator_with_the_denominator_carried_forward() -> None:
    entries = [
        entry(1, "poor", "north", sunday(0), 20),  # reported once
        entry(2, "exited", "north", sunday(3), 18),
        entry(3, "exited", "north", sunday(4), 22),  # 22 > 20
    ]
    f = one(check(entries), "ratio-bounds")
    assert (f.severity, f.area, f.indicator, f.value, f.expected, f.date) == (
        "error",
        "north",
        "exit_rate",
        22,
        20,
        sunday(4),
    )
    assert f.entries == (1, 3)
    assert f.explanation_en == (
        "2018-04-01: Villages exited 22 villages is more than Poor villages 20 villages "
        "(Exit rate would be over 100%)"
    )
    # as of the week before, nothing is wrong
    assert only(check(entries, as_of=sunday(3)), "ratio-bounds") == []


def test_a_declared_le_rule_on_the_data_with_its_tolerance() -> None:
    le = (
        '\n[[rules]]\nid = "alongside-fewer"\nkind = "le"\nleft = "moved_other"\n'
        'right = "moved_poor"\nseverity = "warning"\ntolerance = 5\nnote = "usually"\n'
    )
    plan = make_plan(INDICATORS + MOVED + le)
    entries = [
        entry(1, "moved_poor", "south", sunday(0), 40),
        entry(2, "moved_other", "south", sunday(1), 45),  # 45 <= 40 + 5: within tolerance
    ]
    assert run_checks(plan, entries, [], AS_OF) == []
    entries.append(entry(3, "moved_other", "south", sunday(2), 46))
    (f,) = run_checks(plan, entries, [], AS_OF)
    assert (f.rule, f.severity, f.area, f.indicator, f.value, f.expected, f.entries) == (
        "alongside-fewer",
        "warning",
        "south",
        "moved_other",
        46,
        40,
        (1, 3),
    )
    assert f.explanation_en == (
        "2018-03-18: Moved alongside 46 people is more than Moved, poor 40 people"
    )


def test_rates_within_0_to_100() -> None:
    entries = [
        entry(1, "coverage", "north", sunday(0), 100),  # the bound itself is fine
        entry(2, "coverage", "north", sunday(1), 104.5),
    ]
    f = one(check(entries), "rate-range")
    assert (f.severity, f.area, f.indicator, f.value, f.expected, f.entries) == (
        "error",
        "north",
        "coverage",
        104.5,
        100,
        (2,),
    )
    assert f.explanation_en == "104.5% reported on 2018-03-11 is outside 0–100%"


# ---------------------------------------------------------------------------- anomaly checks


def test_running_total_going_down() -> None:
    entries = series(1, "people", "north", [100, 120, 110, 130, 125])
    f = one(check(entries), "running-total-down")
    assert (f.severity, f.area, f.indicator, f.value, f.expected, f.date) == (
        "warning",
        "north",
        "people",
        125,
        130,
        sunday(4),
    )
    assert f.entries == (2, 3, 4, 5)
    assert f.explanation_en == (
        "running total fell from 130 people (2018-03-25) to 125 people on 2018-04-01 "
        "(and 1 more fall)"
    )


def test_increments_going_down_are_not_a_running_total_going_down() -> None:
    entries = series(1, "trained", "north", [30, 20, 10])  # reported as increments
    assert only(check(entries), "running-total-down") == []


@given(
    st.lists(st.integers(min_value=0, max_value=10_000), min_size=1, max_size=30),
    st.integers(min_value=0, max_value=1_000_000),
)
def test_a_running_total_that_never_goes_down_never_raises_it(steps, start) -> None:
    values, total = [], start
    for step in steps:
        total += step
        values.append(total)
    entries = series(1, "people", "south", values)
    assert only(run_checks(PLAN, entries, [], D(2018, 12, 31)), "running-total-down") == []


@given(st.lists(st.floats(min_value=0, max_value=1e9), min_size=1, max_size=40))
def test_steady_increments_are_never_unusual(values) -> None:
    # a series of one repeated increment, at any length: nothing stands out
    assert unusual([values[0]] * len(values)) == []


def test_an_unusual_weekly_increment() -> None:
    # rises 10, 12, 9, 11, 10, 60, 11, 10: median 10.5; deviations sorted .5 .5 .5 .5 .5 1.5
    # 1.5 49.5, so MAD .5; limit 5 x 1.4826 x .5 = 3.71: only 60 is outside 6.79–14.21
    # (shown as whole people: 7–14, median 10)
    rises = [10, 12, 9, 11, 10, 60, 11, 10]
    values = [100]
    for r in rises:
        values.append(values[-1] + r)
    entries = series(1, "people", "north", values)
    f = one(check(entries), "unusual-increment")
    assert (f.severity, f.area, f.indicator, f.value, f.expected, f.date) == (
        "warning",
        "north",
        "people",
        60,
        10.5,
        sunday(6),
    )
    assert f.entries == (6, 7)  # the two reports the rise is between
    assert f.explanation_en == (
        "weekly increase of 60 people on 2018-04-15 is outside this area's usual 7–14 a week "
        "(median 10; 8 weeks)"
    )


def test_increments_are_per_week_between_reports() -> None:
    # 10 a week, reported every other week from the seventh report: a rise of 20 over two
    # weeks is 10 a week, not an outlier
    days = [sunday(n) for n in (0, 1, 2, 3, 4, 5, 6, 8, 10, 12)]
    values = [100 + 10 * (d - days[0]).days // 7 for d in days]
    entries = [
        entry(n + 1, "people", "north", d, v)
        for n, (d, v) in enumerate(zip(days, values, strict=True))
    ]
    assert only(check(entries), "unusual-increment") == []


def test_too_few_increments_say_nothing() -> None:
    rises = [10] * (OUTLIER_MIN_INCREMENTS - 2) + [500]  # five increments
    values = [0]
    for r in rises:
        values.append(values[-1] + r)
    assert only(check(series(1, "people", "north", values)), "unusual-increment") == []


def test_robust_not_mean_and_standard_deviation() -> None:
    # one wild value inflates the standard deviation so much that it hides itself: 1000 is
    # only 2.3 standard deviations from the mean of these seven; the median and MAD see it
    values = [10, 10, 11, 9, 10, 10, 1000]
    z = (1000 - statistics.mean(values)) / statistics.stdev(values)
    assert z < 3
    assert unusual(values) == [6]


def test_a_steady_series_flags_a_jump_but_not_a_pause() -> None:
    # all increments equal (MAD 0): flagged above max(3 x 20, 20 + 10) = 60
    assert unusual([20, 20, 20, 20, 20, 20, 61]) == [6]
    assert unusual([20, 20, 20, 20, 20, 20, 60]) == []
    assert unusual([20, 20, 20, 20, 20, 20, 0]) == []  # a week without progress
    # nothing for weeks, then a little: max(0, 0 + 10) = 10
    assert unusual([0, 0, 0, 0, 0, 0, 10]) == []
    assert unusual([0, 0, 0, 0, 0, 0, 11]) == [6]


def test_an_increment_indicator_is_judged_by_its_reported_values() -> None:
    entries = series(1, "trained", "north", [50, 52, 48, 50, 51, 49, 400])
    f = one(check(entries), "unusual-increment")
    assert (f.indicator, f.value, f.expected, f.entries) == ("trained", 400, 50, (7,))


def test_actual_far_above_its_target() -> None:
    # north's own target: 250; 1.5 x 250 = 375 is not "far above", 376 is
    assert only(check([entry(1, "people", "north", sunday(0), 375)]), "far-above-target") == []
    f = one(check([entry(1, "people", "north", sunday(0), 400)]), "far-above-target")
    assert (f.area, f.value, f.expected, f.entries) == ("north", 400, 250, (1,))
    assert f.explanation_en == (
        f"actual 400 people is 1.6× the target 250 people (more than {ABOVE_TARGET:g}×)"
    )


def test_far_above_a_group_target_names_every_entry() -> None:
    # the pair in total: 600; north 500 + south 450 = 950 > 900; north alone is 2x its 250
    entries = [
        entry(1, "people", "north", sunday(0), 500),
        entry(2, "people", "south", sunday(0), 450),
    ]
    found = only(check(entries), "far-above-target")
    assert [(f.area, f.entries) for f in found] == [
        ("north", (1,)),
        ("south", (2,)),
        ("pair", (1, 2)),
    ]


def test_exactly_on_target_in_the_week_it_is_due() -> None:
    # north: 250 people due 2018-06-30; a report on 06-24 (6 days before) equal to 250
    entries = [
        entry(1, "people", "north", D(2018, 6, 3), 150),
        entry(2, "people", "north", D(2018, 6, 24), 250),
    ]
    f = one(check(entries), "on-target-at-due")
    assert (f.area, f.value, f.expected, f.entries, f.date) == (
        "north",
        250,
        250,
        (2,),
        D(2018, 6, 24),
    )
    assert f.explanation_en == (
        "exactly the target 250 people on 2018-06-24, in the week it is due (2018-06-30)"
    )
    # 8 days before the due date is not "the week it is due"; 251 is not "exactly"
    early = [entries[0], entry(2, "people", "north", D(2018, 6, 22), 250)]
    assert only(check(early), "on-target-at-due") == []
    over = [entries[0], entry(2, "people", "north", D(2018, 6, 24), 251)]
    assert only(check(over), "on-target-at-due") == []


def test_most_of_a_target_in_the_last_four_weeks() -> None:
    # north: 250 due 2018-06-30; the window opens 06-02. 100 by 05-27, 230 on 06-24: 130 in
    # the window is 52% of 250 (>= 50%)
    entries = [
        entry(1, "people", "north", D(2018, 5, 27), 100),
        entry(2, "people", "north", D(2018, 6, 10), 160),
        entry(3, "people", "north", D(2018, 6, 24), 230),
    ]
    f = one(check(entries), "late-rush")
    assert (f.area, f.value, f.expected, f.entries) == ("north", 130, 250, (2, 3))
    assert f.explanation_en == (
        "130 people of the target 250 people (52%) reported in the 4 weeks before it is due "
        "(2018-06-30)"
    )
    # 120 in the window (48%) is not a rush; before the window opens nothing is judged
    calm = [entries[0], entries[1], entry(3, "people", "north", D(2018, 6, 24), 220)]
    assert only(check(calm), "late-rush") == []
    assert only(check(entries, as_of=D(2018, 6, 2)), "late-rush") == []


def test_the_same_value_while_other_figures_move() -> None:
    # people: 90, 100, 110, 120, then 120 three more times, then 135 (four steps outside the
    # run, all moving) while exited rises every week
    people = series(1, "people", "north", [90, 100, 110, 120, 120, 120, 120, 135])
    exited = series(21, "exited", "north", [1, 2, 3, 4, 5, 6, 7, 8])
    f = one(check(people + exited), "stale-value")
    assert (f.area, f.indicator, f.value, f.date) == ("north", "people", 120, sunday(6))
    assert f.entries == (4, 5, 6, 7)
    assert f.explanation_en == (
        f"the same 120 people reported {STALE_REPORTS} times in a row (2018-03-25 to "
        "2018-04-15) while this area's other figures moved"
    )
    # three identical reports are not enough
    short = series(1, "people", "north", [80, 90, 100, 110, 120, 120, 120, 135])
    assert only(check(short + exited), "stale-value") == []


def test_a_still_value_needs_a_series_that_usually_moves() -> None:
    # the same run with only three steps around it: too little to call the series moving
    people = series(1, "people", "north", [100, 110, 120, 120, 120, 120, 135])
    exited = series(21, "exited", "north", [1, 2, 3, 4, 5, 6, 7])
    assert only(check(people + exited), "stale-value") == []


def test_a_still_value_is_not_stale_when_nothing_else_moves() -> None:
    people = series(1, "people", "north", [90, 100, 110, 120, 120, 120, 120, 135])
    still = series(21, "exited", "north", [3] * 8)
    assert only(check(people + still), "stale-value") == []


def test_finished_zero_and_lumpy_series_are_not_stale() -> None:
    exited = series(21, "exited", "north", [1, 2, 3, 4, 5, 6, 7, 8])
    done = series(1, "people", "north", [200, 250, 250, 250, 250, 250, 250, 250])  # target 250
    zero = series(41, "funds", "north", [0] * 8)
    # a count that grows in lumps: most of its other steps do not change either
    lumpy = series(61, "moved", "north", [1, 1, 2, 2, 2, 3, 3, 3, 3])
    entries = done + zero + lumpy + exited
    assert only(check(entries), "stale-value") == []


def test_the_same_series_in_two_areas() -> None:
    values = [100, 130, 170, 200]
    entries = series(1, "people", "north", values) + series(11, "people", "south", values)
    f = one(check(entries), "copied-series")
    assert (f.area, f.indicator, f.value) == ("south", "people", 200)
    assert f.entries == (1, 2, 3, 4, 11, 12, 13, 14)
    assert f.explanation_en == (
        "all 4 reports (2018-03-04 to 2018-03-25) have the same dates and values as North County's"
    )


def test_similar_series_are_not_copies() -> None:
    values = [100, 130, 170, 200]
    shifted = series(1, "people", "north", values) + series(11, "people", "south", values, 1)
    short = series(1, "people", "north", values[:3]) + series(11, "people", "south", values[:3])
    flat = series(1, "people", "north", [50] * 4) + series(11, "people", "south", [50] * 4)
    # small counts growing in lumps coincide by chance: 5, 6, 7, 7, 8, 8 moves in 3 of 5 steps
    lumps = [5, 6, 7, 7, 8, 8]
    lumpy = series(1, "exited", "north", lumps) + series(11, "exited", "south", lumps)
    for entries in (shifted, short, flat, lumpy):
        assert only(check(entries), "copied-series") == []


def test_a_milestone_done_without_a_note() -> None:
    entries = [
        entry(1, "delisted", "north", sunday(0), 0),
        entry(2, "delisted", "north", sunday(1), 1),  # done, no note
        entry(3, "delisted", "north", sunday(2), 1),  # repeated: the first "done" counts
    ]
    f = one(check(entries), "milestone-no-note")
    assert (f.area, f.value, f.expected, f.entries, f.date) == ("north", 1, 1, (2,), sunday(1))
    assert f.explanation_en == (
        "reported done (1 of 1) on 2018-03-11 with no note saying what shows it"
    )
    with_note = [entries[0], noted(2, "delisted", "north", sunday(1), 1, "验收通过")]
    assert only(check(with_note), "milestone-no-note") == []


# ---------------------------------------------------------------------------- together


def test_entries_after_the_as_of_date_are_not_looked_at() -> None:
    entries = series(1, "people", "north", [100, 120, 110])
    assert only(check(entries, as_of=sunday(1)), "running-total-down") == []
    assert len(only(check(entries, as_of=sunday(2)), "running-total-down")) == 1


def test_findings_sort_errors_first_then_task_indicator_area() -> None:
    entries = [
        *series(1, "people", "south", [100, 90]),  # warning, task 1, people, south
        *series(11, "people", "north", [100, 90]),  # warning, task 1, people, north
        entry(21, "coverage", "north", sunday(0), 101),  # error, task 2
        *series(31, "moved", "north", [10, 5]),  # warning, task 2
    ]
    found = check(entries)
    assert [(f.severity, f.rule, f.indicator, f.area) for f in found] == [
        ("error", "rate-range", "coverage", "north"),
        ("warning", "running-total-down", "people", "north"),
        ("warning", "running-total-down", "people", "south"),
        ("warning", "running-total-down", "moved", "north"),
    ]


def test_the_plan_sets_a_check_severity_or_turns_it_off() -> None:
    entries = series(1, "people", "north", [100, 90]) + series(11, "moved", "north", [10, 5])
    error = '\n[[rules]]\nid = "running-total-down"\nkind = "check"\nseverity = "error"\n'
    plan = make_plan(INDICATORS + MOVED + error)
    assert {f.severity for f in run_checks(plan, entries, [], AS_OF)} == {"error"}
    off = error.replace('"error"', '"off"') + 'indicators = ["people"]\n'
    plan = make_plan(INDICATORS + MOVED + off)
    assert [(f.indicator, f.severity) for f in run_checks(plan, entries, [], AS_OF)] == [
        ("moved", "warning")
    ]


def test_findings_json_shape() -> None:
    found = check(series(1, "people", "north", [100, 90]))
    data = findings_json(PLAN, found, AS_OF, "en")
    assert data == {
        "as_of": "2018-07-02",
        "plan": "tiny",
        "summary": {"error": 0, "warning": 1},
        "findings": [
            {
                "rule": "running-total-down",
                "severity": "warning",
                "area": "north",
                "indicator": "people",
                "task": 1,
                "date": "2018-03-11",
                "entries": [1, 2],
                "explanation": "running total fell from 100 people (2018-03-04) to 90 people "
                "on 2018-03-11",
                "value": 90,
                "expected": 100,
            }
        ],
    }
    zh = findings_json(PLAN, found, AS_OF, "zh")["findings"][0]["explanation"]
    assert zh == "累计数2018-03-11从100人降到90人（上次填报2018-03-04）"


# ---------------------------------------------------------------------------- the plan file


def _rule_error(rule: str) -> str:
    with pytest.raises(PlanError) as exc:
        make_plan(INDICATORS + MOVED + rule)
    return exc.value.message


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        (
            'id = "r"\nkind = "sum"\nwhole = "moved"\nparts = ["moved_poor", "moved_othr"]',
            "rules[0].parts[1]: unknown indicator 'moved_othr'; did you mean 'moved_other'?",
        ),
        (
            'id = "r"\nkind = "sum"\nwhole = "moved"\nparts = ["moved_poor", "funds"]',
            "rules[0].parts[1]: 'funds' is in yuan, the rule's other side in people",
        ),
        (
            'id = "r"\nkind = "le"\nleft = "exit_rate"\nright = "coverage"',
            "rules[0].left: 'exit_rate' is a ratio; a rule compares reported quantities",
        ),
        ('id = "r"\nkind = "sum"\nwhole = "moved"', "rules[0].parts: missing"),
        ('id = "r"\nkind = "sum"\nwhole = "moved"\nparts = []', "rules[0].parts: must be a"),
        (
            'id = "r"\nkind = "sum"\nwhole = "moved"\nparts = ["moved"]',
            "rules[0].parts[0]: 'moved' is named twice in this rule",
        ),
        ('id = "r"\nkind = "ge"\nleft = "moved"', "rules[0].kind: 'ge' is not one of sum, le"),
        (
            'id = "r"\nkind = "le"\nleft = "moved"\nright = "moved_poor"\nparts = ["moved"]',
            "rules[0].parts: not a key of a 'le' rule",
        ),
        (
            'id = "r"\nkind = "le"\nleft = "moved"\nright = "moved_poor"\nseverity = "fatal"',
            "rules[0].severity: 'fatal' is not one of error, warning",
        ),
        (
            'id = "r"\nkind = "le"\nleft = "moved"\nright = "moved_poor"\ntolerance = -1',
            "rules[0].tolerance: must not be negative",
        ),
        (
            'id = "late-rush"\nkind = "le"\nleft = "moved"\nright = "moved_poor"',
            "rules[0].id: 'late-rush' is a built-in check; name the rule apart",
        ),
        (
            'id = "late-rushes"\nkind = "check"\nseverity = "error"',
            "rules[0].id: no built-in check 'late-rushes'; did you mean 'late-rush'?",
        ),
        ('id = "late-rush"\nkind = "check"', "rules[0].severity: missing (error, warning or off)"),
        (
            'id = "late-rush"\nkind = "check"\nseverity = "off"\nindicators = ["peple"]',
            "rules[0].indicators[0]: unknown indicator 'peple'; did you mean 'people'?",
        ),
        ('kind = "check"', "rules[0].id: missing"),
        ('id = "r"\nkind = "sum"\nwhole = "moved"\nparts = ["moved_poor"]\nwhle = 1', "did you"),
    ],
)
def test_bad_rules_name_the_key(rule: str, message: str) -> None:
    assert message in _rule_error(f"\n[[rules]]\n{rule}\n")


def test_rule_ids_are_unique() -> None:
    twice = SUM_RULE + SUM_RULE
    assert "rules[1]: duplicate id 'moved-parts'" in _rule_error(twice)


def test_a_plan_without_rules_has_none() -> None:
    assert make_plan(INDICATORS).rules == ()


def test_every_default_severity_is_known() -> None:
    assert set(quality.DEFAULT_SEVERITY.values()) <= {"error", "warning"}

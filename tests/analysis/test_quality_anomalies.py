"""The anomaly checks (povtrack.analysis.quality.check, povtrack.analysis.quality.anomalies):
a running total going
down, unusual weekly increments (median and MAD), far above target, exactly on target in the
week it is due, late rushes, stale values, copied series, milestones without a note; then the
findings together: the as-of date, their order, severities set by the plan, and the JSON shape.

Each check is planted in a small data set on the tiny plan of helpers/quality.py and found, with
every expected figure worked out by hand in the comments. Property tests: a running total that
never goes down never raises "running-total-down"; a steady increment is never unusual.
"""

from __future__ import annotations

import statistics

from hypothesis import given
from hypothesis import strategies as st

from povtrack.analysis.quality.anomalies import unusual
from povtrack.analysis.quality.check import findings_json, run_checks
from povtrack.analysis.quality.findings import ABOVE_TARGET, OUTLIER_MIN_INCREMENTS, STALE_REPORTS
from tests.helpers.progress import INDICATORS, D, entry, make_plan
from tests.helpers.quality import AS_OF, MOVED, PLAN, check, noted, one, only, series, sunday

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

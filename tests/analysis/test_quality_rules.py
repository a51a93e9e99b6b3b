"""The plan's rules (povtrack.analysis.quality.check): the [[rules]] tables of the plan file,
sum and le rules
and the ratio bounds checked on the targets and on the reported data, rates within 0–100%, and
allocations against the city or group target; a clean season of data gives no finding at all.

Pure tests on the tiny plan of helpers/quality.py (helpers/progress.py's plus a sum rule), with
every expected figure worked out by hand in the comments.
"""

from __future__ import annotations

import pytest

from povtrack.analysis.quality import check as quality
from povtrack.analysis.quality.check import check_plan_rules, run_checks
from povtrack.errors import PlanError
from povtrack.model import Allocation, Entry
from povtrack.planfile import bundled_text, parse_plan
from tests.helpers.progress import INDICATORS, entry, make_plan
from tests.helpers.quality import (
    AS_OF,
    MOVED,
    PLAN,
    SUM_RULE,
    check,
    noted,
    one,
    only,
    series,
    sunday,
)

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

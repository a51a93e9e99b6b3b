"""What `record`, `correct` and `target set` say they did (issue 11, item 2): the unit, what
the value now means against the target (the area's own target or allocation, else the city's;
which one is said), in English and Chinese; and a value a thousand times or more away from the
area's previous value or its target is accepted with a warning naming the likely slip (万 or 亿
typed as a plain number, or the reverse).

The arithmetic is ``povtrack.analysis.meaning`` (pure), tested first; then the words,
through the CLI.
Worked out by hand: the city targets are 63,824 people relocated (housing.relocated_people),
20,000 people trained (jobs.trained, increments) and 10亿 yuan raised for industry
(industry.funds_raised); 贫困村退出率 is a ratio (only its target may be set).
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from povtrack.analysis.meaning import (
    SLIP_FACTOR,
    Slip,
    allocation_standing,
    area_target,
    slip,
    value_slip,
    value_standing,
)
from povtrack.ledger import Ledger
from povtrack.model import Allocation, Entry
from tests.helpers.progress import PLAN as TINY
from tests.helpers.returns import PLAN

RELOCATED = "housing.relocated_people"
TRAINED = "jobs.trained"
FUNDS = "industry.funds_raised"
RATE = "goals.village_exit_rate"
JUNE_3, JUNE_10 = date(2018, 6, 3), date(2018, 6, 10)


# ---------------------------------------------------------------------------- the arithmetic


def test_a_slip_is_a_thousand_times_or_more_either_way() -> None:
    assert SLIP_FACTOR == 1000
    assert slip(1000, 1, "previous") == Slip(1000, 1, "previous", None, "above", 1000, 10**4)
    assert slip(999, 1, "previous") is None
    assert slip(1, 1000, "target") == Slip(1, 1000, "target", None, "below", 1000, 10**4)
    assert slip(1.001, 1000, "target") is None
    # exact: 0.1 × 1000 is 100, not 100.00000000000001
    assert slip(100, 0.1, "previous") is not None
    assert slip(99.9, 0.1, "previous") is None
    # 亿 when it is a million times or more away, 万 below that
    found = slip(10, 1_000_000_000, "target")
    assert found is not None and (found.direction, found.factor, found.scale) == (
        "below",
        100_000_000,
        10**8,
    )
    assert slip(50, 600_000, "previous").scale == 10**4  # 12,000 times
    assert slip(0, 600_000, "previous") is None  # zero: no ratio to speak of
    assert slip(600_000, 0, "previous") is None


def test_the_area_target_is_its_own_else_the_citys() -> None:
    ind = PLAN.indicator(RELOCATED)
    assert area_target(PLAN, [], ind, "yanggao") == (63824, "city")
    allocated = [Allocation(RELOCATED, "yanggao", 9000)]
    assert area_target(PLAN, allocated, ind, "yanggao") == (9000, "allocation")
    assert area_target(PLAN, [], ind, "datong") == (63824, "own")
    assert area_target(PLAN, [], PLAN.indicator(RATE), "zuoyun") == (100, "own")
    assert area_target(PLAN, [], PLAN.indicator(RATE), "yanggao") == (None, None)


def test_what_a_value_means_against_its_target() -> None:
    trained = PLAN.indicator(TRAINED)
    entries = [
        Entry(1, TRAINED, "yanggao", JUNE_3, 300),
        Entry(2, TRAINED, "yanggao", JUNE_10, 200),
        Entry(3, TRAINED, "tianzhen", JUNE_10, 999),
    ]
    ledger = Ledger(entries)
    standing = value_standing(PLAN, ledger, [], trained, "yanggao", JUNE_10)
    assert (standing.actual, standing.target, standing.whose) == (500, 20000, "city")
    assert standing.share == Fraction(500, 20000)
    before = value_standing(PLAN, ledger, [], trained, "yanggao", JUNE_3)
    assert before.actual == 300
    # the previous value of a series, else its target, is what a slip is measured against
    assert value_slip(PLAN, ledger, [], trained, "yanggao", JUNE_10, 200) is None
    small = value_slip(PLAN, Ledger(entries[:1]), [], trained, "yanggao", JUNE_3, 300)
    assert small is None  # 300 of 20,000 is not a slip
    tiny = value_slip(PLAN, Ledger([]), [], trained, "yanggao", JUNE_3, 2)
    assert tiny == Slip(2, 20000, "target", None, "below", 10000, 10**4)
    rate = PLAN.indicator("housing.relocation_works_completion")  # percent: no 万 in a rate
    rates = Ledger([Entry(1, rate.id, "tianzhen", JUNE_3, 46)])
    assert value_slip(PLAN, rates, [], rate, "tianzhen", JUNE_10, 0.04) is None
    later = Ledger([Entry(1, TRAINED, "yanggao", JUNE_3, 300_000)])
    assert value_slip(PLAN, later, [], trained, "yanggao", JUNE_10, 300) == Slip(
        300, 300_000, "previous", JUNE_3, "below", 1000, 10**4
    )


def test_what_an_allocation_means_against_the_city_target() -> None:
    ind = PLAN.indicator(RELOCATED)
    standing = allocation_standing(PLAN, ind, "yanggao", 9000)
    assert (standing.actual, standing.target, standing.whose) == (9000, 63824, "city")
    assert allocation_standing(PLAN, PLAN.indicator(RATE), "yanggao", 90).target is None
    assert TINY.root.id == "metro"  # a plan without the bundled one's names works alike


# ---------------------------------------------------------------------------- the words


def said(result) -> list[str]:
    assert result.exit_code == 0, result.stderr
    return result.stderr.splitlines()


def test_record_says_the_unit_and_the_share_of_the_city_target(run, initialised) -> None:
    result = run("record", RELOCATED, "5300", "--area", "阳高", "--week", "2018-W24")
    assert said(result) == [
        "recorded entry 1: housing.relocated_people = 5300 people for Yanggao County (yanggao) "
        "on 2018-06-17 (2018-W24); Yanggao County's total on that date: 5,300 people = 8.3 % "
        "of the 63,824 people city target (Yanggao County has no target of its own)"
    ]
    zh = run("--lang", "zh", "record", RELOCATED, "5400", "--area", "阳高", "--week", "2018-W25")
    assert said(zh) == [
        "已记录第2条：housing.relocated_people = 5400人，阳高县（yanggao），"
        "2018-06-24（2018-W25）；"
        "阳高县截至该日合计5,400人，占全市目标63,824人的8.5%（阳高县无本地目标）"
    ]


def test_record_against_an_allocation_and_increments(run, initialised) -> None:
    assert run("target", "set", RELOCATED, "9000", "--area", "yanggao").exit_code == 0
    result = run("record", RELOCATED, "4500", "--area", "yanggao", "--week", "2018-W24")
    assert said(result)[0].endswith(
        "; Yanggao County's total on that date: 4,500 people = 50.0 % of its 9,000 people "
        "allocation"
    )
    assert run("record", TRAINED, "300", "--area", "yanggao", "--week", "2018-W23").exit_code == 0
    more = run("--lang", "zh", "record", TRAINED, "200", "--area", "yanggao", "--week", "2018-W24")
    assert said(more)[0].endswith(
        "；阳高县截至该日合计（各期之和）500人，占全市目标20,000人的2.5%（阳高县无本地目标）"
    )


def test_yuan_in_wan_and_yi_and_a_slip_of_wan(run, initialised) -> None:
    result = run("record", FUNDS, "532000000", "--area", "yanggao", "--week", "2018-W23")
    assert said(result) == [
        "recorded entry 1: industry.funds_raised = 532000000 yuan (5.32亿) for Yanggao County "
        "(yanggao) on 2018-06-10 (2018-W23); Yanggao County's total on that date: 5.32亿 "
        "yuan = 53.2 % of the 10亿 yuan city target (Yanggao County has no target of its own)"
    ]
    slipped = run("record", FUNDS, "53200", "--area", "yanggao", "--week", "2018-W24")
    lines = said(slipped)
    assert lines[0].startswith("warning: record industry.funds_raised 53200 --area yanggao: ")
    assert "(a running total going down: accepted" in lines[0]
    assert lines[2:] == [
        "warning: 53200 yuan is 10,000 times less than Yanggao County's previous value "
        "(532000000 yuan on 2018-06-10): 53200万 typed as a plain number? 53200万 is "
        "532000000; if so: povtrack correct 2 532000000 --reason '万'"
    ]
    zh = run("--lang", "zh", "correct", "2", "532000000000", "--reason", "typo")
    assert said(zh)[1:] == [
        "警告：532000000000元是阳高县上一数值（532000000元，2018-06-10）的1,000倍：是否把已按元"
        "填写的数又乘了万？除以万为53200000；如是：povtrack correct 3 53200000 --reason '万'"
    ]


def test_a_slip_against_the_target_when_there_is_no_previous_value(run, initialised) -> None:
    result = run("record", FUNDS, "10", "--area", "yanggao", "--week", "2018-W23")
    assert said(result)[1:] == [
        "warning: 10 yuan is 100,000,000 times less than the 10亿 yuan city target: 10亿 "
        "typed as a plain number? 10亿 is 1000000000; if so: povtrack correct 1 1000000000 "
        "--reason '亿'"
    ]


def test_correct_says_the_unit_and_what_the_value_now_means(run, initialised) -> None:
    assert (
        run("record", RELOCATED, "5200", "--area", "yanggao", "--week", "2018-W23").exit_code == 0
    )
    result = run("correct", "1", "5230", "--reason", "resubmitted")
    assert said(result) == [
        "entry 2 corrects entry 1: housing.relocated_people for yanggao on 2018-06-10: "
        "5200 -> 5230 people (resubmitted); Yanggao County's total on that date: 5,230 people "
        "= 8.2 % of the 63,824 people city target (Yanggao County has no target of its own)"
    ]
    zh = run("--lang", "zh", "correct", "2", "5240", "--reason", "再报")
    assert said(zh) == [
        "第3条更正第2条：housing.relocated_people，yanggao，2018-06-10：5230 -> 5240人（再报）；"
        "阳高县截至该日合计5,240人，占全市目标63,824人的8.2%（阳高县无本地目标）"
    ]


def test_target_set_says_the_share_of_the_city_target_and_warns_of_a_slip(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "yanggao")
    assert said(result) == [
        "target housing.relocated_people for yanggao: 9,000 people by 2018-12-31; "
        "= 14.1 % of the 63,824 people city target"
    ]
    slipped = run("target", "set", RELOCATED, "9", "--area", "yanggao")
    assert said(slipped)[1:] == [
        "warning: 9 people is 1,000 times less than Yanggao County's previous allocation "
        "(9000 people): 9万 typed as a plain number? 9万 is 90000; if so, set it again: "
        "povtrack target set housing.relocated_people 90000 --area yanggao"
    ]
    zh = run("--lang", "zh", "target", "set", RATE, "90", "--area", "左云")
    assert said(zh) == [
        "分解任务 goals.village_exit_rate，zuoyun：90%，截止2018-12-31；全市无此指标目标"
    ]


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_no_target_anywhere_is_said(run, initialised, lang: str) -> None:
    # 贫困村数 (a ratio's denominator) has no target anywhere
    result = run(
        "--lang", lang, "record", "goals.poor_villages", "30", "--area", "阳高",
        "--week", "2018-W23",
    )  # fmt: skip
    tail = said(result)[0].split("；" if lang == "zh" else "; ", 1)[1]
    assert tail == (
        "阳高县截至该日合计30个村；阳高县及全市均无此指标目标"
        if lang == "zh"
        else "Yanggao County's total on that date: 30 villages; no target for it or the city"
    )


def test_a_rate_is_a_rate_not_a_total(run, initialised) -> None:
    # 易地搬迁工程竣工率: a rate each relocation county reports, 80% for 天镇县
    result = run(
        "record", "housing.relocation_works_completion", "46", "--area", "天镇",
        "--week", "2018-W30",
    )  # fmt: skip
    assert said(result)[0].endswith(
        "; Tianzhen County's rate on that date: 46% = 57.5 % of its own 80% target"
    )

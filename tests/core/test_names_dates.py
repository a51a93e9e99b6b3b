"""Names people type (areas, indicators), dates and ISO weeks, reported values and notes (as
functions, and through `record` where the CLI adds to them: rates, note lengths, padded names)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from povtrack.dates import check_in_window, parse_day, parse_week, parse_when
from povtrack.errors import UsageError
from povtrack.model import Indicator
from povtrack.names import resolve_area, resolve_indicator, resolve_scope
from povtrack.planfile import bundled_text, parse_plan
from povtrack.returns.cells import parse_value
from tests.helpers.refusals import RATE, WEEK, log_entries, record_args, refused, succeeded

PLAN = parse_plan(bundled_text(), "x")

# --------------------------------------------------------------------------- areas


@pytest.mark.parametrize(
    ("text", "area"),
    [
        # ids
        ("yanggao", "yanggao"),
        ("datong", "datong"),
        ("pingcheng", "pingcheng"),
        # Simplified, with and without the suffix
        ("阳高县", "yanggao"),
        ("阳高", "yanggao"),
        ("平城区", "pingcheng"),
        ("平城", "pingcheng"),
        ("大同市", "datong"),
        ("云州区", "yunzhou"),
        ("云州", "yunzhou"),
        # Traditional, with and without the suffix
        ("陽高縣", "yanggao"),
        ("陽高", "yanggao"),
        ("平城區", "pingcheng"),
        ("天鎮縣", "tianzhen"),
        ("天鎮", "tianzhen"),
        ("雲州區", "yunzhou"),
        ("雲州", "yunzhou"),
        # English, with and without County / District / City
        ("Yanggao County", "yanggao"),
        ("Yanggao", "yanggao"),
        ("Pingcheng District", "pingcheng"),
        ("Pingcheng", "pingcheng"),
        ("Yunzhou District", "yunzhou"),
        ("Datong City", "datong"),
        # the former Datong County is Yunzhou District
        ("大同县", "yunzhou"),
        ("大同縣", "yunzhou"),
        ("Datong County", "yunzhou"),
        ("datong-county", "yunzhou"),
        # alias of the city
        ("city", "datong"),
    ],
)
def test_resolve_area(text: str, area: str) -> None:
    assert resolve_area(PLAN, text) == area


def test_datong_alone_is_ambiguous() -> None:
    with pytest.raises(UsageError) as info:
        resolve_area(PLAN, "大同")
    message = info.value.message
    assert "ambiguous" in message
    assert "datong" in message
    assert "yunzhou" in message


@pytest.mark.parametrize(("text", "close"), [("yangao", "yanggao"), ("tianzen", "tianzhen")])
def test_unknown_area_suggests_a_close_name(text: str, close: str) -> None:
    with pytest.raises(UsageError) as info:
        resolve_area(PLAN, text)
    message = info.value.message
    assert text in message
    assert "did you mean" in message
    assert close in message


@pytest.mark.parametrize("text", ["", "   "])
def test_empty_area_name_is_refused(text: str) -> None:
    with pytest.raises(UsageError):
        resolve_area(PLAN, text)


def test_group_is_a_scope_but_not_an_area() -> None:
    assert resolve_scope(PLAN, "delisting-2018") == "delisting-2018"
    assert resolve_scope(PLAN, "摘帽三县") == "delisting-2018"
    assert resolve_scope(PLAN, "阳高县") == "yanggao"
    with pytest.raises(UsageError):
        resolve_area(PLAN, "delisting-2018")


# --------------------------------------------------------------------------- indicators


@pytest.mark.parametrize(
    "text",
    ["goals.people_exited", "脱贫人口", "People lifted out of poverty"],
)
def test_resolve_indicator(text: str) -> None:
    assert resolve_indicator(PLAN, text).id == "goals.people_exited"


def test_resolve_indicator_by_english_name_of_another() -> None:
    assert resolve_indicator(PLAN, "Afforestation").id == "ecology.afforestation"
    assert resolve_indicator(PLAN, "人工造林").id == "ecology.afforestation"


def test_unknown_indicator_suggests_a_close_name() -> None:
    with pytest.raises(UsageError) as info:
        resolve_indicator(PLAN, "goals.people_exitd")
    message = info.value.message
    assert "did you mean" in message
    assert "goals.people_exited" in message


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # ISO week 1 of 2018 starts Monday 2018-01-01; week 23 starts 22 x 7 = 154 days later,
        # 2018-06-04 (Jan 31 + Feb 28 + Mar 31 + Apr 30 + May 31 = 151 -> 06-01, +3);
        # its Sunday is 2018-06-10.
        ("2018-W23", date(2018, 6, 10)),
        ("2018-W01", date(2018, 1, 7)),  # Monday 01-01 + 6
        ("2018-W52", date(2018, 12, 30)),  # Monday 12-24 + 6
        ("2018W23", date(2018, 6, 10)),
        ("2018-w23", date(2018, 6, 10)),
        (" 2018-W23 ", date(2018, 6, 10)),
    ],
)
def test_parse_week_is_its_sunday(text: str, day: date) -> None:
    assert parse_week(text) == day
    assert day.isoweekday() == 7  # a hand check that the expectation is a Sunday


@pytest.mark.parametrize(
    "text",
    [
        "2018-W53",  # 2018 has 52 ISO weeks (2018-12-31 is in 2019-W01)
        "2018-W00",
        "2018-W54",
        "2018-23",
        "W23",
        "2018-06-10",
        "",
        "week 23",
    ],
)
def test_bad_week_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_week(text)


def test_parse_day() -> None:
    assert parse_day("2018-06-03") == date(2018, 6, 3)
    assert parse_day(" 2018-12-31 ") == date(2018, 12, 31)


@pytest.mark.parametrize(
    "text",
    ["2018-02-29", "2018-02-30", "2018-13-01", "2018-00-10", "2018/06/03", "June 3", "", "abc"],
)
def test_bad_day_is_a_usage_error(text: str) -> None:
    with pytest.raises(UsageError):
        parse_day(text)


def test_parse_when_takes_a_day_or_a_week() -> None:
    assert parse_when("2018-06-03") == date(2018, 6, 3)
    assert parse_when("2018-W23") == date(2018, 6, 10)


START, END = date(2018, 1, 1), date(2019, 12, 31)


@pytest.mark.parametrize("day", [START, date(2018, 6, 10), END])
def test_check_in_window_accepts_the_window_and_its_ends(day: date) -> None:
    assert check_in_window(day, START, END) == day


def test_check_in_window_refuses_a_date_before_the_start() -> None:
    with pytest.raises(UsageError) as info:
        check_in_window(date(2017, 12, 31), START, END)
    assert "2017-12-31" in info.value.message
    assert "before" in info.value.message


def test_check_in_window_refuses_a_date_after_the_last_due() -> None:
    with pytest.raises(UsageError) as info:
        check_in_window(date(2020, 1, 1), START, END)
    assert "2020-01-01" in info.value.message
    assert "after" in info.value.message


def test_bundled_plan_window() -> None:
    # plan starts 2018-01-01; the last due date is 2019-12-31 (the 今明兩年 targets)
    assert PLAN.start == date(2018, 1, 1)
    assert PLAN.last_due == date(2019, 12, 31)
    assert check_in_window(date(2019, 12, 31), PLAN.start, PLAN.last_due) == date(2019, 12, 31)
    with pytest.raises(UsageError):
        check_in_window(date(2020, 1, 1), PLAN.start, PLAN.last_due)
    with pytest.raises(UsageError):
        check_in_window(date(2017, 12, 31), PLAN.start, PLAN.last_due)


# --------------------------------------------------------------------------- values


def ind(unit: str) -> Indicator:
    return Indicator(id="x", task=1, name="甲", name_en="X", unit=unit)


@pytest.mark.parametrize(
    ("text", "unit", "value"),
    [
        ("1234", "people", 1234),
        ("0", "villages", 0),
        (" 17554 ", "households", 17554),
        ("12.0", "people", 12),  # a whole number written with .0
        ("12.5", "yuan", 12.5),
        ("139800.5", "mu", 139800.5),
        ("75380.25", "kW", 75380.25),
        ("85.5", "percent", 85.5),
        ("100", "percent", 100),
    ],
)
def test_parse_value_accepts_plain_numbers(text: str, unit: str, value: float) -> None:
    assert parse_value(text, ind(unit)) == value


@pytest.mark.parametrize(
    "unit",
    [
        "people",
        "households",
        "villages",
        "counties",
        "stations",
        "projects",
        "organisations",
        "events",
    ],
)
def test_parse_value_needs_whole_numbers_for_counts(unit: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_value("12.5", ind(unit))
    assert "whole" in info.value.message


def test_parse_value_refuses_thousands_separators() -> None:
    with pytest.raises(UsageError) as info:
        parse_value("1,234", ind("people"))
    assert "thousands separator" in info.value.message


def test_parse_value_refuses_percent_sign() -> None:
    with pytest.raises(UsageError) as info:
        parse_value("85%", ind("percent"))
    assert "% sign" in info.value.message


@pytest.mark.parametrize("unit", ["yuan", "people", "mu"])
def test_parse_value_refuses_wan_and_names_the_unit(unit: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_value("1.2万", ind(unit))
    assert unit in info.value.message


@pytest.mark.parametrize(
    ("text", "base"),
    [("1.2万", "12000"), ("13.98萬", "139800"), ("10亿", "1000000000"), ("2.5億", "250000000")],
)
def test_parse_value_says_what_a_wan_or_yi_figure_is_in_base_units(text: str, base: str) -> None:
    # 1.2 × 10,000 = 12,000; 13.98 × 10,000 = 139,800; 10 × 10^8; 2.5 × 10^8
    with pytest.raises(UsageError) as info:
        parse_value(text, ind("yuan"))
    assert f"{text} is {base}" in info.value.message


@pytest.mark.parametrize(
    "text", ["abc", "", "   ", "1.2.3", "1e3", "12 people", "nan", "inf", ".5", "5."]
)
def test_parse_value_refuses_non_numbers(text: str) -> None:
    with pytest.raises(UsageError):
        parse_value(text, ind("yuan"))


@pytest.mark.parametrize("text", ["-5", "-0.5", "-100"])
def test_parse_value_refuses_negative_values(text: str) -> None:
    with pytest.raises(UsageError) as info:
        parse_value(text, ind("yuan"))
    assert "negative" in info.value.message


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("易地扶貧搬遷人口", "housing.relocated_people"),  # the indicator's name in Traditional
        ("農村危房改造", "housing.dangerous_houses"),
    ],
)
def test_indicator_found_by_traditional_name(typed: str, found: str) -> None:
    assert resolve_indicator(PLAN, typed).id == found


@pytest.mark.parametrize(
    ("typed", "found"), [("六個貧困縣", "six-poor-counties"), ("摘帽三縣", "delisting-2018")]
)
def test_group_found_by_traditional_name(typed: str, found: str) -> None:
    assert resolve_scope(PLAN, typed) == found


# ------------------------------------------------------ rates and notes as typed (catalogue G7, G9)


def test_the_rate_indicator_is_in_percent(run, initialised):
    result = run("plan", "show", "--json")
    succeeded(result)
    [ind] = [i for i in json.loads(result.stdout)["indicators"] if i["id"] == RATE]
    assert ind["unit"] == "percent"


def test_rate_above_100_is_refused(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    args = ["record", RATE, "250", "--area", "yanggao", "--week", WEEK]
    [line] = refused(run(*args), 2)
    assert "value 250 is a rate above 100" in line
    assert db_path.read_bytes() == before


def test_rate_of_100_is_accepted(run, initialised):
    succeeded(run("record", RATE, "100", "--area", "yanggao", "--week", WEEK))
    [entry] = log_entries(run)
    assert (entry["indicator"], entry["value"]) == (RATE, 100)


def test_note_of_501_characters_is_refused(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args("--note", "注" * 501)), 2)
    assert "note of 501 characters is longer than 500" in line
    assert db_path.read_bytes() == before


def test_note_of_500_characters_is_accepted(run, initialised):
    succeeded(run(*record_args("--note", "注" * 500)))
    [entry] = log_entries(run)
    assert entry["note"] == "注" * 500


# -------------------------------- names with invisible, wide or endless text (catalogue F9, G8, G9)


def test_unknown_5000_character_area_gets_a_short_message(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args(area="nowhere" * 714 + "xx")), 2)
    assert "unknown area 'nowhere" in line
    assert len(line) < 300, len(line)
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("阳高县\u3000", id="ideographic-space"),
        pytest.param("阳高县\u00a0", id="nbsp"),
        pytest.param("\u00a0阳高县", id="leading-nbsp"),
    ],
)
def test_wide_or_no_break_space_around_an_area_name_is_trimmed(run, initialised, name: str):
    succeeded(run(*record_args(area="阳高县")))
    succeeded(run(*record_args(area=name, value="6")))
    first, second = sorted(log_entries(run, "--all"), key=lambda e: e["id"])
    assert first["area"] == second["area"] == "yanggao"


def test_zero_width_space_in_an_area_name_is_named(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args(area="阳高\u200b县")), 2)
    assert "U+200B ZERO WIDTH SPACE" in line
    assert "\u200b" not in line  # echoed escaped, never invisibly
    assert db_path.read_bytes() == before

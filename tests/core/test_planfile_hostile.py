"""A plan file is hostile input (issue 11, item 6): non-finite numbers, wrong types, overlapping
group members, absurd depth of the area tree or of TOML nesting, absurd sizes. Each is one line
on stderr naming the file and the key path, exit 2, and no plan that `plan check` accepts makes
a later command fail. The random mutations are in core/test_planfile_fuzz.py.

Every bad plan is the small valid plan BASE of core/test_planfile.py with one change.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from povtrack import planshape
from tests.core.test_planfile import BASE, changed
from tests.helpers.db import lines

# BASE with a township under North County, and a rule with a tolerance
TOWNSHIP = """
[[areas]]
id = "north-town"
parent = "north"
name = "北镇"
name_hant = "北鎮"
name_en = "North Town"
kind = "township"
"""
RULE = '\n[[rules]]\nid = "exit-le-poor"\nkind = "le"\nleft = "exited"\nright = "poor"\n'


@pytest.fixture
def check(run, tmp_path: Path):
    def invoke(text: str):
        path = tmp_path / "plan.toml"
        path.write_text(text, encoding="utf-8")
        return run("plan", "check", str(path)), path

    return invoke


def refused(result, path: Path, key: str, why: str) -> None:
    """Exit 2 and exactly one line: error: FILE: KEY: WHY."""
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert lines(result.stderr) == [f"error: {path}: {key}: {why}"]
    assert result.stdout == ""


# --------------------------------------------------------------------------- numbers


@pytest.mark.parametrize("written", ["nan", "+nan", "-nan", "inf", "+inf"])
def test_a_target_value_that_is_not_finite(check, written: str) -> None:
    result, path = check(changed("value = 1000", f"value = {written}"))
    shown = "nan" if "nan" in written else "inf"
    refused(result, path, "indicators[0].targets[0].value", f"must be a finite number, got {shown}")


def test_negative_infinity_is_not_finite_either(check) -> None:
    result, path = check(changed("value = 1000", "value = -inf"))
    refused(result, path, "indicators[0].targets[0].value", "must be a finite number, got -inf")


def test_an_allocation_value_that_is_not_finite(check) -> None:
    text = BASE + '\n[[allocations]]\nindicator = "people"\narea = "north"\nvalue = nan\n'
    result, path = check(text)
    refused(result, path, "allocations[0].value", "must be a finite number, got nan")


def test_a_rule_tolerance_that_is_not_finite(check) -> None:
    result, path = check(BASE + RULE + "tolerance = inf\n")
    refused(result, path, "rules[0].tolerance", "must be a finite number, got inf")


@pytest.mark.parametrize("written", ["1e15", "1000000000000000", "1e300"])
def test_a_value_too_large_for_a_reported_value(check, written: str) -> None:
    result, path = check(changed("value = 1000", f"value = {written}"))
    shown = f"{float(written):g}" if "e" in written else "1e+15"
    refused(
        result,
        path,
        "indicators[0].targets[0].value",
        f"{shown} is too large; a plan's values stay below 10^15",
    )


def test_an_integer_of_thousands_of_digits_is_one_line(check) -> None:
    result, path = check(changed("value = 1000", "value = " + "9" * 5000))
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {path}: not valid TOML: ")
    assert "digits" in line


# --------------------------------------------------------------------------- types


@pytest.mark.parametrize(
    ("old", "new", "key", "why"),
    [
        ('unit = "people"', 'unit = ["people"]', "indicators[0].unit", "an array"),
        (
            'scope = "metro"\nvalue = 1000',
            'scope = ["metro"]\nvalue = 1000',
            "indicators[0].targets[0].scope",
            "an array",
        ),
        ('numerator = "exited"', 'numerator = ["exited"]', "indicators[3].numerator", "an array"),
        (
            'members = ["north", "south"]',
            'members = [["north"], "south"]',
            "groups[0].members[0]",
            "an array",
        ),
        ('id = "pair"', "id = 7", "groups[0].id", "7"),
        ('kind = "city"', "kind = {a = 1}", "areas[0].kind", "a table"),
        ('name = "北县"', "name = 2018-01-01", "areas[1].name", "a date"),
    ],
)
def test_a_string_key_holding_something_else(check, old, new, key, why) -> None:
    result, path = check(changed(old, new))
    refused(result, path, key, f"must be a string, got {why}")


@pytest.mark.parametrize(
    ("new", "why"),
    [("1.0", "1.0"), ("true", "true"), ('"1"', "'1'"), ("1000", "1000"), ("-1", "-1")],
)
def test_a_task_number_that_is_not_a_whole_number(check, new: str, why: str) -> None:
    result, path = check(changed("number = 1", f"number = {new}"))
    refused(result, path, "tasks[0].number", f"must be a whole number from 0 to 999, got {why}")


@pytest.mark.parametrize("new", ["1.0", "true"])
def test_an_indicator_task_that_is_not_a_whole_number(check, new: str) -> None:
    old = 'id = "people"\ntask = 1'
    result, path = check(changed(old, f'id = "people"\ntask = {new}'))
    refused(result, path, "indicators[0].task", f"must be a whole number from 0 to 999, got {new}")


@pytest.mark.parametrize(
    ("old", "new", "key", "why"),
    [
        ("start = 2018-01-01", "start = 2018-01-01T08:00:00", "plan.start", "a date and time"),
        ("due = 2018-12-31", "due = 08:00:00", "plan.due", "a time of day"),
        ("start = 2018-01-01", "start = [2018-01-01]", "plan.start", "an array"),
    ],
)
def test_a_date_key_holding_something_else(check, old, new, key, why) -> None:
    result, path = check(changed(old, new))
    refused(result, path, key, f"must be a date (YYYY-MM-DD), got {why}")


@pytest.mark.parametrize(
    ("old", "new"),
    [("start = 2018-01-01", "start = 0001-01-01"), ("due = 2018-12-31", "due = 9999-12-31")],
)
def test_a_date_outside_the_years_a_plan_may_span(check, old: str, new: str) -> None:
    result, path = check(changed(old, new))
    key, day = new.split(" = ")
    refused(result, path, f"plan.{key}", f"{day} is outside 1900-2199")


def test_a_target_due_outside_the_years_written_as_text(check) -> None:
    result, path = check(changed("value = 250", 'value = 250\ndue = "2500-01-01"'))
    refused(result, path, "indicators[0].targets[1].due", "2500-01-01 is outside 1900-2199")


@pytest.mark.parametrize(
    ("old", "new", "key", "why"),
    [
        (
            "each = true",
            'each = "yes"',
            "indicators[0].targets[1].each",
            "must be true or false, got 'yes'",
        ),
        (
            "value = 1000",
            "value = true",
            "indicators[0].targets[0].value",
            "must be a number, got true",
        ),
        (
            "value = 1000",
            "value = [1000]",
            "indicators[0].targets[0].value",
            "must be a number, got an array",
        ),
        (
            "value = 1000",
            'value = "1000"',
            "indicators[0].targets[0].value",
            "must be a number or a fraction \"P/Q\" of whole numbers, got '1000'",
        ),
        (
            'members = ["north", "south"]',
            'members = "north"',
            "groups[0].members",
            "must be a list of strings, got 'north'",
        ),
        (
            'reporting = "cumulative"\n',
            'reporting = "cumulative"\ndue_rules = 5\n',
            "indicators[2].due_rules",
            "must be an array of tables ([[indicators.due_rules]]), got 5",
        ),
        (
            'reporting = "cumulative"\n',
            'reporting = "cumulative"\ntargets = {scope = "metro", value = 5}\n',
            "indicators[2].targets",
            "must be an array of tables ([[indicators.targets]]), got a table",
        ),
    ],
)
def test_other_keys_holding_the_wrong_type(check, old, new, key, why) -> None:
    result, path = check(changed(old, new))
    refused(result, path, key, why)


def test_the_plan_table_written_as_an_array_of_tables(check) -> None:
    result, path = check(changed("[plan]", "[[plan]]"))
    refused(result, path, "plan", "must be a table, got an array")


def test_an_area_list_that_is_not_tables(check) -> None:
    result, path = check('areas = ["metro"]\n' + BASE.replace("[[areas]]", "[[areaz]]"))
    refused(result, path, "areas[0]", "must be a table, got 'metro'")


@pytest.mark.parametrize("char", ["\x1b", "\x07", "\x00", "\u009b", "\n"])
def test_a_string_with_a_control_character(check, char: str) -> None:
    escaped = json.dumps(char)[1:-1]  # as TOML writes it in a basic string
    result, path = check(changed('name = "北县"', f'name = "北{escaped}县"'))
    refused(result, path, "areas[1].name", f"contains a control character (U+{ord(char):04X})")


def test_a_string_longer_than_the_limit(check) -> None:
    result, path = check(changed('name_en = "North County"', f'name_en = "{"N" * 501}"'))
    refused(result, path, "areas[1].name_en", "is 501 characters long; at most 500")


def test_an_alias_with_a_control_character(check) -> None:
    text = changed(
        'name_en = "North County"', 'name_en = "North County"\naliases = ["a", "\\u001b"]'
    )
    result, path = check(text)
    refused(result, path, "areas[1].aliases[1]", "contains a control character (U+001B)")


def test_a_fraction_with_a_zero_denominator(check) -> None:
    result, path = check(changed("value = 1000", 'value = "2/0"'))
    refused(
        result,
        path,
        "indicators[0].targets[0].value",
        "'2/0' divides by zero: write a fraction P/Q with Q > 0",
    )


def test_value_problem_leaves_a_fraction_to_its_reader() -> None:
    assert planshape.value_problem("200/3") is None
    assert planshape.value_problem("2/0") == (
        "'2/0' divides by zero: write a fraction P/Q with Q > 0"
    )
    assert planshape.value_problem(f"{10**15}/1") == f"'{10**15}/1' is too large (10^15 or more)"


def test_every_key_a_plan_may_have_has_a_type() -> None:
    from povtrack.planfields import KEYS as _KEYS

    for section, (required, optional) in _KEYS.items():
        assert set(planshape._TYPES[section]) == required | optional, section

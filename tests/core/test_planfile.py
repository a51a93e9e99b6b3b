"""`povtrack plan check FILE`: a good plan passes; a bad one exits 2 naming the file and the key.

Each bad plan is the small valid plan BASE with one change; the change is asserted to have been
made (so a typo in a test cannot silently leave the plan valid).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from povtrack.errors import PlanError
from povtrack.planfile import bundled_text, parse_plan

BASE = """
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

[[groups]]
id = "pair"
name = "两县"
name_en = "The two counties"
members = ["north", "south"]

[[tasks]]
number = 1
name = "任务一"
name_en = "Task one"

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
each = true
value = 250

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
reporting = "cumulative"

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
id = "visits"
task = 1
name = "走访"
name_en = "Visits"
unit = "events"
kind = "activity"
reporting = "increment"
"""


def changed(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} is not in the base plan exactly once"
    return text.replace(old, new)


@pytest.fixture
def check(run, tmp_path: Path):
    """Write a plan to a file and run `plan check` on it; returns (result, path)."""

    def invoke(text: str, name: str = "plan.toml"):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return run("plan", "check", str(path)), path

    return invoke


def assert_refused(result, path: Path, *fragments: str) -> None:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert str(path) in result.stderr, result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr)
    assert "ok" not in result.stdout


# --------------------------------------------------------------------------- good plans


def test_bundled_plan_checks_ok(check) -> None:
    result, path = check(bundled_text(), "datong-2018.toml")
    assert result.exit_code == 0, result.stderr
    assert str(path) in result.stdout
    assert "ok" in result.stdout


def test_base_plan_checks_ok(check) -> None:
    result, _ = check(BASE)
    assert result.exit_code == 0, result.stderr
    # 3 areas, 1 group, 1 task, 5 indicators; targets: people metro + 2 members, exit_rate 1
    assert "3 areas, 1 groups, 1 tasks, 5 indicators, 4 targets" in result.stdout


def test_base_plan_parses_as_written() -> None:
    plan = parse_plan(BASE, "test.toml")
    assert [a.id for a in plan.areas] == ["metro", "north", "south"]
    assert plan.indicator("exit_rate").numerator == "exited"
    assert plan.indicator("visits").reporting == "increment"


# --------------------------------------------------------------------------- unknown keys


def test_unknown_key_in_a_target(check) -> None:
    result, path = check(changed("value = 1000", "valeu = 1000"))
    assert_refused(result, path, "indicators[0].targets[0].valeu", "did you mean 'value'")


def test_unknown_key_in_an_area(check) -> None:
    text = changed('id = "north"\nparent = "metro"', 'id = "north"\nparnet = "metro"')
    result, path = check(text)
    assert_refused(result, path, "areas[1].parnet", "did you mean 'parent'")


def test_unknown_key_in_the_plan_table(check) -> None:
    result, path = check(changed("start = 2018-01-01", "strat = 2018-01-01"))
    assert_refused(result, path, "plan.strat", "did you mean 'start'")


def test_unknown_key_in_an_indicator(check) -> None:
    result, path = check(changed('reporting = "cumulative"', 'reportng = "cumulative"'))
    assert_refused(result, path, "indicators[2].reportng", "did you mean 'reporting'")


def test_unknown_top_level_table(check) -> None:
    # a misspelt [[allocations]] must not be ignored silently
    text = BASE + '\n[[alocations]]\nindicator = "people"\narea = "north"\nvalue = 300\n'
    result, path = check(text)
    assert_refused(result, path, "alocations", "did you mean 'allocations'")


def test_unknown_key_in_an_allocation(check) -> None:
    text = BASE + '\n[[allocations]]\nindicator = "people"\narea = "north"\nvalu = 300\n'
    result, path = check(text)
    assert_refused(result, path, "allocations[0].valu", "did you mean 'value'")


# --------------------------------------------------------------------------- missing keys


def test_missing_indicator_unit(check) -> None:
    text = changed(
        'name_en = "Villages exited"\nunit = "villages"\n', 'name_en = "Villages exited"\n'
    )
    result, path = check(text)
    assert_refused(result, path, "indicators[1].unit", "missing")


def test_missing_target_value(check) -> None:
    result, path = check(changed('scope = "metro"\nvalue = 1000\n', 'scope = "metro"\n'))
    assert_refused(result, path, "indicators[0].targets[0].value", "missing")


def test_missing_plan_start(check) -> None:
    result, path = check(changed("start = 2018-01-01\n", ""))
    assert_refused(result, path, "plan.start", "missing")


def test_missing_area_kind(check) -> None:
    text = changed('name_en = "South County"\nkind = "county"\n', 'name_en = "South County"\n')
    result, path = check(text)
    assert_refused(result, path, "areas[2].kind", "missing")


# --------------------------------------------------------------------------- targets


def test_target_scope_that_is_no_area_or_group(check) -> None:
    result, path = check(
        changed('scope = "metro"\nvalue = 1000', 'scope = "nowhere"\nvalue = 1000')
    )
    assert_refused(result, path, "indicators[0].targets[0].scope", "nowhere")


def test_each_on_an_area(check) -> None:
    text = changed('scope = "metro"\nvalue = 1000', 'scope = "metro"\neach = true\nvalue = 1000')
    result, path = check(text)
    assert_refused(result, path, "indicators[0].targets[0].each")


@pytest.mark.parametrize("value", ['"1000"', "true", "[1000]"])
def test_non_number_value(check, value: str) -> None:
    result, path = check(changed("value = 1000", f"value = {value}"))
    assert_refused(result, path, "indicators[0].targets[0].value", "number")


@pytest.mark.parametrize("value", ["-5", "-0.5"])
def test_negative_value(check, value: str) -> None:
    result, path = check(changed("value = 1000", f"value = {value}"))
    assert_refused(result, path, "indicators[0].targets[0].value", "negative")


def test_negative_value_on_a_later_target(check) -> None:
    result, path = check(changed("value = 250", "value = -250"))
    assert_refused(result, path, "indicators[0].targets[1].value", "negative")


# --------------------------------------------------------------------------- ratios


@pytest.mark.parametrize(
    ("part", "ref"),
    [
        ("numerator", "visits"),  # an activity
        ("numerator", "exit_rate"),  # a ratio (itself)
        ("numerator", "nothing"),  # no such indicator
        ("denominator", "visits"),
    ],
)
def test_ratio_parts_must_be_quantities(check, part: str, ref: str) -> None:
    old = {"numerator": 'numerator = "exited"', "denominator": 'denominator = "poor"'}[part]
    result, path = check(changed(old, f'{part} = "{ref}"'))
    assert_refused(result, path, f"indicators[3].{part}", ref)


# --------------------------------------------------------------------------- duplicates


def test_duplicate_area_id(check) -> None:
    text = changed('id = "south"\nparent', 'id = "north"\nparent')
    result, path = check(text)
    assert_refused(result, path, "areas[2]", "duplicate", "north")


def test_duplicate_indicator_id(check) -> None:
    text = changed('id = "poor"\ntask = 1', 'id = "exited"\ntask = 1')
    result, path = check(text)
    assert_refused(result, path, "indicators[2]", "duplicate", "exited")


def test_duplicate_task_number(check) -> None:
    text = BASE.replace(
        "[[indicators]]",
        '[[tasks]]\nnumber = 1\nname = "又一"\nname_en = "Again"\n\n[[indicators]]',
        1,
    )
    assert text != BASE
    result, path = check(text)
    assert_refused(result, path, "tasks[1]", "duplicate")


def test_duplicate_group_id(check) -> None:
    extra = '[[groups]]\nid = "pair"\nname = "又"\nname_en = "Again"\nmembers = ["north"]\n\n'
    text = changed("[[tasks]]", extra + "[[tasks]]")
    result, path = check(text)
    assert_refused(result, path, "groups[1]", "duplicate", "pair")


def test_group_id_that_is_an_area_id(check) -> None:
    # the one group, groups[0], reuses the area id "south"
    result, path = check(changed('id = "pair"', 'id = "south"'))
    assert_refused(result, path, "groups[0]", "duplicate", "south")


def test_areas_whose_parents_form_a_cycle(check) -> None:
    # north -> south -> north never reaches the city
    text = changed('id = "north"\nparent = "metro"', 'id = "north"\nparent = "south"')
    text = changed('id = "south"\nparent = "metro"', 'id = "south"\nparent = "north"', text)
    result, path = check(text)
    assert_refused(result, path, "areas[1].parent", "own ancestor")


# --------------------------------------------------------------------------- groups


def test_group_member_that_is_not_an_area(check) -> None:
    text = changed('members = ["north", "south"]', 'members = ["north", "nowhere"]')
    result, path = check(text)
    assert_refused(result, path, "groups[0].members", "nowhere")


def test_group_member_that_is_a_group(check) -> None:
    extra = '[[groups]]\nid = "pairs"\nname = "组"\nname_en = "Pairs"\nmembers = ["pair"]\n\n'
    result, path = check(changed("[[tasks]]", extra + "[[tasks]]"))
    assert_refused(result, path, "groups[1].members", "pair")


# --------------------------------------------------------------------------- files


def test_invalid_toml(check) -> None:
    result, path = check(changed("value = 1000", "value = = 1000"))
    assert_refused(result, path, "TOML")


def test_missing_file(run, tmp_path: Path) -> None:
    path = tmp_path / "no-such-plan.toml"
    result = run("plan", "check", str(path))
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    assert str(path) in result.stderr
    assert "no such" in result.stderr


def test_parse_plan_raises_plan_error_naming_origin_and_key() -> None:
    with pytest.raises(PlanError) as info:
        parse_plan(changed("value = 1000", "value = -1"), "mine.toml")
    assert info.value.message.startswith("mine.toml: indicators[0].targets[0].value:")

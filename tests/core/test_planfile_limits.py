"""A plan file is hostile input (issue 11, item 6): overlapping group members, the top area in a
group, cycles and absurd depth in the area tree, TOML nested or dotted beyond reason, absurd
sizes, and a database whose stored plan was edited to be any of these.

Every bad plan is the small valid plan BASE of core/test_planfile.py (areas metro > north, south;
group pair = north, south) with one change.
"""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from povtrack import planshape
from tests.core.test_planfile import BASE, changed
from tests.helpers.db import doc, lines, write_doc


def area(area_id: str, parent: str) -> str:
    return (
        f'\n[[areas]]\nid = "{area_id}"\nparent = "{parent}"\nname = "{area_id}"\n'
        f'name_hant = "{area_id}"\nname_en = "{area_id}"\nkind = "village"\n'
    )


def chain(levels: int) -> str:
    """BASE with a chain of areas under North County: metro is level 1, north level 2."""
    return BASE + "".join(
        area(f"a{n}", "north" if n == 3 else f"a{n - 1}") for n in range(3, levels + 1)
    )


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


# --------------------------------------------------------------------------- groups


def test_a_group_that_lists_an_area_twice(check) -> None:
    result, path = check(changed('members = ["north", "south"]', 'members = ["north", "north"]'))
    refused(result, path, "groups[0].members[1]", "'north' is listed twice")


def test_a_group_that_holds_the_top_area(check) -> None:
    result, path = check(changed('members = ["north", "south"]', 'members = ["south", "metro"]'))
    refused(
        result,
        path,
        "groups[0].members[1]",
        "'metro' is the top area, which holds every other area",
    )


def test_the_top_area_alone_in_a_group(check) -> None:
    result, path = check(changed('members = ["north", "south"]', 'members = ["metro"]'))
    refused(
        result,
        path,
        "groups[0].members[0]",
        "'metro' is the top area, which holds every other area",
    )


@pytest.mark.parametrize("members", ['["a3", "south", "north"]', '["north", "south", "a4"]'])
def test_a_group_with_an_area_and_one_below_it(check, members: str) -> None:
    text = changed('members = ["north", "south"]', f"members = {members}", chain(4))
    result, path = check(text)
    below = "a3" if members.startswith('["a3"') else "a4"
    refused(
        result,
        path,
        f"groups[0].members[{0 if below == 'a3' else 2}]",
        f"'{below}' lies within 'north', also a member; the group would count it twice",
    )


def test_a_group_of_areas_side_by_side_is_fine(check) -> None:
    text = changed('members = ["north", "south"]', 'members = ["a3", "south"]', chain(3))
    result, _ = check(text)
    assert result.exit_code == 0, result.stderr


# --------------------------------------------------------------------------- the area tree


def test_eight_levels_of_areas_are_read_and_every_command_works(run, tmp_path: Path) -> None:
    path = tmp_path / "plan.toml"
    path.write_text(chain(8), encoding="utf-8")
    assert run("plan", "check", str(path)).exit_code == 0
    assert run("init", "--plan", str(path)).exit_code == 0
    result = run("record", "people", "7", "--area", "a8", "--date", "2018-06-03")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(run("status", "--json").stdout)["rows"]
    [metro] = [r for r in rows if r["indicator"] == "people" and r["scope"] == "metro"]
    assert metro["actual"] == 7
    for command in (["board", "--json"], ["status"], ["areas", "--json"], ["check"]):
        assert run(*command).exit_code == 0, command


def test_nine_levels_of_areas_are_refused(check) -> None:
    result, path = check(chain(9))
    refused(
        result,
        path,
        "areas[9].parent",  # metro, north, south, then a3 ... a9
        "'a9' lies more than 8 levels down from the top area; a plan has at most 8 levels",
    )


def test_a_long_chain_of_areas_is_refused_at_once(check) -> None:
    start = time.monotonic()
    result, path = check(chain(3000))
    assert time.monotonic() - start < 10
    refused(
        result,
        path,
        "areas[9].parent",
        "'a9' lies more than 8 levels down from the top area; a plan has at most 8 levels",
    )


def test_a_cycle_longer_than_the_depth_limit_is_refused(check) -> None:
    # a3 .. a20 in a ring that never reaches the city, beside the real tree
    ring = "".join(area(f"a{n}", f"a{n - 1 if n > 3 else 20}") for n in range(3, 21))
    result, path = check(BASE + ring)
    assert result.exit_code == 2, result.stderr
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {path}: areas[3].parent: 'a3' ")


# --------------------------------------------------------------------------- TOML itself


@pytest.mark.parametrize("depth", [2000, 100_000])
def test_arrays_nested_too_deep_for_the_toml_reader(check, depth: int) -> None:
    text = changed(
        'name_en = "North County"',
        f'name_en = "North County"\naliases = {"[" * depth}"x"{"]" * depth}',
    )
    result, path = check(text)
    line = text[: text.index("aliases = [")].count("\n") + 1
    refused(
        result,
        path,
        f"line {line}, key 'aliases'",
        "arrays or inline tables nested more than 8 deep",
    )


def test_inline_tables_nested_too_deep_for_the_toml_reader(check) -> None:
    text = BASE + "\n[plan.x]\n" + "y = " + "{z = " * 2000 + "1" + "}" * 2000 + "\n"
    result, path = check(text)
    line = text.count("\n")
    refused(
        result, path, f"line {line}, key 'y'", "arrays or inline tables nested more than 8 deep"
    )


@pytest.mark.parametrize("depth", [2, 9, 100])
def test_nesting_the_toml_reader_reads_is_refused_by_type(check, depth: int) -> None:
    text = changed(
        'name_en = "North County"',
        f'name_en = "North County"\naliases = {"[" * depth}"x"{"]" * depth}',
    )
    result, path = check(text)
    refused(result, path, "areas[1].aliases[0]", "must be a string, got an array")


@pytest.mark.parametrize("parts", [3000, 200_000])
def test_a_key_of_too_many_dotted_parts(check, parts: int) -> None:
    key = "plan" + ".x" * (parts - 1)
    start = time.monotonic()
    result, path = check(BASE + f"\n{key} = 1\n")
    assert time.monotonic() - start < 10
    shown = "plan" + ".x" * 7 + "."  # the key as far as the scan read it
    refused(
        result,
        path,
        f"line {BASE.count(chr(10)) + 2}, key '{shown}'",
        "a key of more than 8 dotted parts",
    )


def test_a_table_header_of_too_many_dotted_parts(check) -> None:
    result, path = check(BASE + "\n[plan" + ".x" * 3000 + "]\n")
    refused(
        result,
        path,
        f"line {BASE.count(chr(10)) + 2}, key 'plan{'.x' * 7}.'",
        "a key of more than 8 dotted parts",
    )


def test_brackets_and_dots_inside_strings_and_comments_do_not_count(check) -> None:
    text = changed('name_en = "North County"', 'name_en = "[[[[[[[[[[.a.b.c.d.e.f.g.h.i"')
    text = changed('name = "南县"', "name = '''[[[[[[[[[[{{{{{{{{{{'''", text)
    text = text + "\n# [[[[[[[[[[[[ a.b.c.d.e.f.g.h.i.j\n"
    result, _ = check(text)
    assert result.exit_code == 0, result.stderr


def test_a_few_dotted_parts_more_are_read_and_refused_as_unknown(check) -> None:
    result, path = check(BASE + "\n[plan.y]\nz" + ".x" * 20 + " = 1\n")
    refused(result, path, "plan.y", "unknown key")


def test_nesting_problem_finds_nine_levels_and_nine_parts() -> None:
    assert planshape.nesting_problem("a = [[[[[[[[[1]]]]]]]]]\n") == (
        1,
        "a",
        "arrays or inline tables nested more than 8 deep",
    )
    assert planshape.nesting_problem("[[a]]\nb = 1\nx.y.z.a.b.c.d.e.f = 1\n") == (
        3,
        "x.y.z.a.b.c.d.e.",
        "a key of more than 8 dotted parts",
    )
    assert planshape.nesting_problem("a = [[[[[[[[1]]]]]]]]\nx.y.z.a.b.c.d.e = 1\n") is None


def test_nesting_problem_reads_multi_line_strings_and_escapes() -> None:
    text = 'a = """x\\"""\n[[[[[[[[[[\n"""\nb = "\\"[[[[[[[[[["\nc = [[[[[[[[[[1]]]]]]]]]]\n'
    assert planshape.nesting_problem(text) == (
        5,
        "c",
        "arrays or inline tables nested more than 8 deep",
    )


# --------------------------------------------------------------------------- sizes


def test_a_plan_file_larger_than_the_limit(check) -> None:
    padding = "# " + "x" * 1000 + "\n"
    text = BASE + padding * (planshape.MAX_PLAN_BYTES // len(padding) + 1)
    result, path = check(text)
    assert result.exit_code == 2, result.stderr
    assert lines(result.stderr) == [
        f"error: {path}: larger than 4 MiB ({planshape.MAX_PLAN_BYTES} bytes), "
        "the most a plan file may be"
    ]


@pytest.mark.parametrize(
    ("section", "limit", "key"),
    [
        ("areas", 2, "areas"),
        ("groups", 0, "groups"),
        ("indicators", 4, "indicators"),
        ("targets", 1, "indicators[0].targets"),
        ("members", 1, "groups[0].members"),
    ],
)
def test_counts_beyond_their_limits(check, monkeypatch, section, limit, key) -> None:
    monkeypatch.setitem(planshape.MAX_COUNT, section, limit)
    result, path = check(BASE)
    assert result.exit_code == 2, result.stderr
    [line] = lines(result.stderr)
    assert line.startswith(f"error: {path}: {key}: ")
    assert line.endswith(f"; at most {limit}")


def test_target_rows_beyond_the_limit(check, monkeypatch) -> None:
    monkeypatch.setattr(planshape, "MAX_TARGET_ROWS", 3)
    result, path = check(BASE)
    refused(result, path, "indicators", "4 target rows once 'each' targets are expanded; at most 3")


# --------------------------------------------------------------------------- a stored plan


BAD_PLANS = {
    "nan": changed("value = 1000", "value = nan"),
    "twice": changed('members = ["north", "south"]', 'members = ["north", "north"]'),
    "deep": chain(1200),
    "nested": changed(
        'name_en = "North County"', 'name_en = "North County"\naliases = ' + "[" * 2000 + "]" * 2000
    ),
}


def _store_plan(db: Path, text: str) -> None:
    if db.suffix == ".json":
        data = doc(db)
        data["meta"]["1"]["plan_text"] = text
        write_doc(db, data)
        return
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE meta SET value = ? WHERE key = 'plan_text'", (json.dumps(text),))
    conn.close()


@pytest.mark.parametrize("backend", ["json", "sqlite"])
@pytest.mark.parametrize("bad", sorted(BAD_PLANS))
def test_a_database_whose_stored_plan_was_edited(run, tmp_path, backend, bad) -> None:
    db = tmp_path / f"tracker.{backend}"
    plan = tmp_path / "plan.toml"
    plan.write_text(BASE, encoding="utf-8")
    assert run("--db", str(db), "init", "--plan", str(plan)).exit_code == 0
    result = run(
        "--db", str(db), "record", "people", "7", "--area", "north", "--date", "2018-06-03"
    )
    assert result.exit_code == 0, result.stderr
    _store_plan(db, BAD_PLANS[bad])
    for command in (
        ["status"],
        ["status", "--json"],
        ["board"],
        ["record", "people", "8", "--area", "north", "--date", "2018-06-10"],
    ):
        result = run("--db", str(db), *command)
        assert result.exit_code == 4, (command, result.exit_code, result.stderr)
        [line] = lines(result.stderr)
        assert line.startswith(f"error: {db}: corrupt database: stored plan unreadable: "), line

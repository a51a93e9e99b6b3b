"""Nothing empty without a reason (issue 13, item 4): a view with nothing to show says why and
what to do, on stderr (stdout keeps the data), and the exit code is unchanged. Also: `plan show`
gives every indicator's id, kind and unit; every command that takes a name says "did you
mean" for a misspelt one."""

from __future__ import annotations

import json

import pytest

from povtrack.planfile import bundled_text, parse_plan
from tests.helpers.cli import log_entries, rec

NO_TARGET = (
    "no target for Yanggao County in task 2: allocate one with `povtrack target set` or "
    "`povtrack target import`, or see the city row (`povtrack status --task 2`)\n"
)
NO_ENTRIES = (
    "no entries yet, so every figure is missing: record one with `povtrack record` or take "
    "in returns with `povtrack import`\n"
)


def test_status_with_no_target_at_the_scope_says_so(run, initialised) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    result = run("status", "--area", "阳高县", "--task", "2")
    assert result.exit_code == 0
    assert "Yanggao County" not in result.stdout  # the table is empty
    assert result.stderr == NO_TARGET
    data = run("status", "--area", "阳高县", "--task", "2", "--json")
    assert json.loads(data.stdout)["rows"] == [] and data.stderr == NO_TARGET
    zh = run("status", "--area", "阳高县", "--task", "2", "--lang", "zh")
    assert zh.stderr == (
        "阳高县在任务2中没有目标：用 `povtrack target set` / `povtrack target import` "
        "分解一个，或查看全市的行（`povtrack status --task 2`）\n"
    )


def test_an_allocation_fills_the_table_and_the_note_goes(run, initialised) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    assert (
        run("target", "set", "housing.relocated_people", "9800", "--area", "阳高县").exit_code == 0
    )
    result = run("status", "--area", "阳高县", "--task", "2")
    assert result.exit_code == 0
    assert "Yanggao County" in result.stdout
    assert "no target" not in result.stderr


def test_a_group_has_no_allocation_to_suggest(run, initialised) -> None:
    result = run("status", "--area", "六个贫困县", "--task", "2")
    assert result.exit_code == 0
    assert result.stderr.startswith(
        "no target for The six poor counties in task 2: the plan sets none for this group; "
        "see the city row"
    )
    assert "target set" not in result.stderr


def test_status_on_a_database_with_no_entries(run, initialised) -> None:
    result = run("status")
    assert result.exit_code == 0 and "no data" in result.stdout
    assert result.stderr == NO_ENTRIES
    for command in ("board", "missing"):
        result = run(command)
        assert (result.exit_code, result.stderr) == (0, NO_ENTRIES), command
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    for command in ("status", "board", "missing"):
        assert run(command).stderr == "", command


def test_log_says_why_it_lists_nothing(run, initialised) -> None:
    result = run("log")
    assert (result.exit_code, result.stderr) == (
        0,
        "no entries yet: record one with `povtrack record` or take in returns with "
        "`povtrack import`\n",
    )
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    rec(run, "housing.relocated_people", "300", "天镇县", "2018-06-10")
    result = run("log", "--area", "天镇县", "--indicator", "jobs.trained")
    assert result.exit_code == 0
    assert result.stderr == (
        "the filter matched nothing: no entry for Tianzhen County and jobs.trained among the "
        "2 that count\n"
    )
    assert run("log", "--area", "天镇县").stderr == ""
    # undone: nothing counts, and --all shows it
    (entry,) = log_entries(run, "--area", "天镇县")
    assert run("undo", "--reason", "typed in the wrong county").exit_code == 0
    result = run("log", "--area", "天镇县")
    assert result.stderr == (
        "the filter matched nothing: no entry for Tianzhen County among the 1 that count; "
        "--all includes corrected, replaced and undone ones\n"
    )
    assert str(entry["id"]) in run("log", "--area", "天镇县", "--all").stdout
    assert run("log", "--area", "天镇县", "--all").stderr == ""


def test_log_when_nothing_counts_any_more(run, initialised) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    assert run("undo", "--reason", "a test entry").exit_code == 0
    result = run("log")
    assert result.stderr == (
        "no entry counts: all 1 recorded were corrected, replaced or undone; "
        "`povtrack log --all` shows them\n"
    )
    zh = run("log", "--lang", "zh")
    assert zh.stderr.startswith("没有计入的记录：全部1条都已被更正、替换或撤销")


@pytest.mark.parametrize("command", ["trend", "explain"])
def test_trend_and_explain_without_a_target_at_the_scope(run, initialised, command) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    result = run(command, "housing.relocated_people", "--area", "阳高县")
    assert result.exit_code == 0
    assert result.stderr == (
        "no target for Yanggao County on People relocated: allocate one with `povtrack target "
        "set` or `povtrack target import`, or see the city row "
        f"(`povtrack {command} housing.relocated_people`)\n"
    )
    assert run(command, "housing.relocated_people").stderr == ""  # the city has one
    # an indicator with no target anywhere (an activity): the view says so, nothing to add
    assert run(command, "industry.featured_projects", "--area", "阳高县").stderr == ""


def test_a_scope_elsewhere_is_named_when_the_city_has_no_target(run, initialised) -> None:
    """Relocation works completion is targeted on four counties, not the city."""
    result = run("trend", "housing.relocation_works_completion", "--area", "阳高县")
    assert result.exit_code == 0
    assert "see the rows that have one: Tianzhen County, Guangling County, Hunyuan County " in (
        result.stderr
    )
    assert "and 1 more" in result.stderr


def test_status_by_indicator(run, initialised) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    data = json.loads(run("status", "--indicator", "易地扶贫搬迁人口", "--json").stdout)
    assert {(r["indicator"], r["scope"]) for r in data["rows"]} == {
        ("housing.relocated_people", "datong")
    }
    result = run("status", "--indicator", "housing.relocated_people", "--area", "阳高县")
    assert result.stderr == (
        "no target for Yanggao County on People relocated: allocate one with `povtrack target "
        "set` or `povtrack target import`, or see the city row "
        "(`povtrack status --indicator housing.relocated_people`)\n"
    )
    result = run("status", "--indicator", "housing.relocated_people", "--task", "1")
    assert result.stderr == "the plan sets no target on People relocated in task 1\n"


def test_missing_for_one_area_or_a_group(run, initialised) -> None:
    rec(run, "housing.relocated_people", "5200", "阳高县", "2018-06-10")
    everyone = json.loads(run("missing", "--json").stdout)["areas"]
    one = json.loads(run("missing", "--area", "天镇", "--json").stdout)["areas"]
    assert [a["area"] for a in one] == ["tianzhen"]
    assert one == [a for a in everyone if a["area"] == "tianzhen"]
    group = json.loads(run("missing", "--area", "六个贫困县", "--json").stdout)["areas"]
    assert {a["area"] for a in group} == {
        "yunzhou", "yanggao", "tianzhen", "guangling", "lingqiu", "hunyuan"
    }  # fmt: skip
    assert json.loads(run("missing", "--area", "大同市", "--json").stdout)["areas"] == everyone
    # the city by its alias: every county and district, nothing to explain
    assert run("missing", "--area", "city").stderr == ""


# ---------------------------------------------------------------------------- plan show


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plan_show_gives_every_indicator_id_whole(run, initialised, lang) -> None:
    plan = parse_plan(bundled_text(), "bundled")
    result = run("plan", "show", "--lang", lang)
    assert result.exit_code == 0
    for ind in plan.indicators:
        assert f"  {ind.id} " in result.stdout, ind.id  # on one line, never cut short


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_plan_table_cells_hold_name_id_kind_and_unit(lang) -> None:
    from rich.console import Console

    from povtrack.analysis.measure import all_targets
    from povtrack.i18n import Labels
    from povtrack.output.screen.tables import plan_table, unit_label

    plan = parse_plan(bundled_text(), "bundled")
    labels = Labels(lang)
    table = plan_table(Console(width=160), plan, all_targets(plan, []), labels, None)
    names = [str(c) for c in table.columns[0]._cells]
    kinds = [str(c) for c in table.columns[1]._cells]
    for ind in plan.indicators:
        name = ind.name if lang == "zh" else ind.name_en
        (row,) = [n for n, cell in enumerate(names) if cell.strip().endswith(f"\n  {ind.id}")]
        assert names[row].strip().startswith(name)
        assert kinds[row] == f"{labels(f'kind.{ind.kind}')}\n{unit_label(ind.unit, labels)}"


# ---------------------------------------------------------------------------- did you mean


@pytest.mark.parametrize(
    "args",
    [
        ("status", "--area", "阳搞县"),
        ("status", "--indicator", "housing.relocatd_people"),
        ("missing", "--area", "阳搞县"),
        ("log", "--area", "阳搞县"),
        ("log", "--indicator", "housing.relocatd_people"),
        ("trend", "housing.relocatd_people"),
        ("trend", "housing.relocated_people", "--area", "阳搞县"),
        ("explain", "housing.relocatd_people"),
        ("explain", "housing.relocated_people", "--area", "阳搞县"),
        ("record", "housing.relocatd_people", "1", "--area", "阳高县"),
        ("record", "housing.relocated_people", "1", "--area", "阳搞县"),
        ("target", "set", "housing.relocatd_people", "1", "--area", "阳高县"),
        ("target", "set", "housing.relocated_people", "1", "--area", "阳搞县"),
    ],
)
def test_every_command_that_takes_a_name_says_did_you_mean(run, initialised, args) -> None:
    result = run(*args)
    assert result.exit_code == 2
    wanted = "'阳高县'" if "阳搞县" in args else "'housing.relocated_people'"
    assert "did you mean" in result.stderr and wanted in result.stderr, result.stderr

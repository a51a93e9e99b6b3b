"""The commands that succeed: init, plan show, areas, target, record, log, status, demo, help.

Every expected number is worked out by hand in a comment next to it; nothing is computed by
calling povtrack's own code. Dates: 2018-01-01 (plan start) -> 2018-07-01 is 181 days
(31+28+31+30+31+30) and -> 2018-12-31 is 364 days.
"""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from povtrack.cli import app

DANGEROUS = "housing.dangerous_houses"  # city target 17554 households, due 2018-12-31
RELOCATED = "housing.relocated_people"  # city target 63824 people, due 2019-12-31


def ok_json(result: Any) -> Any:
    """Exit 0 and stdout is one JSON document and nothing else."""
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rec(run, indicator: str, value: str, area: str, day: str, *extra: str) -> None:
    result = run("record", indicator, value, "--area", area, "--date", day, *extra)
    assert result.exit_code == 0, result.stderr


def status_rows(run, *args: str) -> tuple[str, list[dict[str, Any]]]:
    data = ok_json(run("status", "--json", *args))
    return data["as_of"], data["rows"]


def row_for(rows: list[dict[str, Any]], indicator: str, scope: str) -> dict[str, Any]:
    found = [r for r in rows if r["indicator"] == indicator and r["scope"] == scope]
    assert len(found) == 1, f"{indicator}/{scope}: {len(found)} rows"
    return found[0]


def log_entries(run, *args: str) -> list[dict[str, Any]]:
    return ok_json(run("log", "--json", *args))["entries"]


# ---------------------------------------------------------------------------- init


def test_init_creates_the_database(run, db_path: Path) -> None:
    result = run("init")
    assert result.exit_code == 0, result.stderr
    assert db_path.is_file()
    assert str(db_path) in result.stderr
    assert log_entries(run) == []


def test_second_init_is_refused_and_leaves_the_database_alone(
    run, initialised, db_path: Path
) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")
    before = db_path.read_bytes()
    result = run("init")
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert str(db_path) in result.stderr
    assert "already exists" in result.stderr
    assert db_path.read_bytes() == before


def test_init_force_moves_the_old_database_aside(run, initialised, db_path: Path) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")
    old = db_path.read_bytes()
    result = run("init", "--force")
    assert result.exit_code == 0, result.stderr
    baks = [p for p in db_path.parent.iterdir() if p.name.endswith(".bak")]
    assert len(baks) == 1, list(db_path.parent.iterdir())
    assert baks[0].name.startswith(db_path.name)
    assert baks[0].read_bytes() == old
    assert str(baks[0]) in result.stderr
    assert log_entries(run) == []  # the new database starts empty


def test_init_with_a_plan_file(run, tmp_path: Path, db_path: Path) -> None:
    bundled = Path(__file__).resolve().parent.parent / "povtrack" / "plans" / "datong-2018.toml"
    text = bundled.read_text(encoding="utf-8").replace('id = "datong-2018"', 'id = "my-copy"', 1)
    plan_file = tmp_path / "my-plan.toml"
    plan_file.write_text(text, encoding="utf-8")
    result = run("init", "--plan", str(plan_file))
    assert result.exit_code == 0, result.stderr
    assert ok_json(run("plan", "show", "--json"))["plan"]["id"] == "my-copy"


# ---------------------------------------------------------------------------- plan show


def test_plan_show_json_shape(run, initialised) -> None:
    data = ok_json(run("plan", "show", "--json"))
    assert set(data) >= {"plan", "tasks", "indicators"}
    assert data["plan"]["id"] == "datong-2018"
    assert [t["number"] for t in data["tasks"]] == list(range(11))  # headline goals + 10 tasks
    for ind in data["indicators"]:
        assert set(ind) >= {"id", "task", "name", "name_en", "unit", "kind", "targets"}
        for t in ind["targets"]:
            assert set(t) >= {"scope", "scope_kind", "value", "due", "level", "citation"}
    houses = next(i for i in data["indicators"] if i["id"] == DANGEROUS)
    assert houses["name"] == "农村危房改造"
    assert houses["unit"] == "households"
    [target] = houses["targets"]
    assert target["scope"] == "datong"
    assert target["scope_kind"] == "area"
    assert target["value"] == 17554  # 保質保量完成17554戶危房改造任務
    assert target["due"] == "2018-12-31"  # no year given: the plan's year
    assert target["level"] == "commit"
    assert "17554" in target["citation"]


def test_plan_show_task_2_limits_tasks_and_indicators(run, initialised) -> None:
    data = ok_json(run("plan", "show", "--task", "2", "--json"))
    assert [t["number"] for t in data["tasks"]] == [2]
    assert data["tasks"][0]["name_en"] == "Housing and relocation"
    ids = [i["id"] for i in data["indicators"]]
    # task 2 of the plan: three relocation counts, two relocation rates, dangerous houses
    assert sorted(ids) == sorted(
        [
            "housing.relocated_people",
            "housing.relocated_registered",
            "housing.relocated_alongside",
            "housing.relocation_works_completion",
            "housing.relocation_investment_completion",
            "housing.dangerous_houses",
        ]
    )
    assert all(i["task"] == 2 for i in data["indicators"])


def test_plan_show_works_without_a_database(run, db_path: Path) -> None:
    data = ok_json(run("plan", "show", "--json"))
    assert data["plan"]["id"] == "datong-2018"
    assert not db_path.exists()


def test_plan_show_table(run, initialised) -> None:
    result = run("plan", "show", "--task", "2")
    assert result.exit_code == 0, result.stderr
    assert "Dangerous rural houses renovated" in result.stdout
    assert "17,554" in result.stdout
    assert "Industry support" not in result.stdout  # task 1 left out


# ---------------------------------------------------------------------------- areas


def test_areas_json(run, initialised) -> None:
    data = ok_json(run("areas", "--json"))
    areas = {a["id"]: a for a in data["areas"]}
    assert len(data["areas"]) == 11  # the city, 4 districts, 6 counties
    assert set(areas) == {
        "datong",
        "pingcheng",
        "yungang",
        "xinrong",
        "yunzhou",
        "yanggao",
        "tianzhen",
        "guangling",
        "lingqiu",
        "hunyuan",
        "zuoyun",
    }
    for a in data["areas"]:
        assert set(a) >= {"id", "name", "name_en", "kind", "parent", "groups"}
    assert areas["datong"]["kind"] == "city"
    assert areas["datong"]["parent"] is None
    assert all(a["parent"] == "datong" for i, a in areas.items() if i != "datong")
    assert areas["yanggao"]["name"] == "阳高县"
    assert areas["yanggao"]["name_en"] == "Yanggao County"
    # 陽高、大同、靈丘三個貧困縣脫貧摘帽 (大同 = the former 大同县, now Yunzhou)
    assert "delisting-2018" in areas["yunzhou"]["groups"]
    groups = {g["id"]: g for g in data["groups"]}
    for g in data["groups"]:
        assert set(g) >= {"id", "name", "name_en", "members"}
    assert sorted(groups["delisting-2018"]["members"]) == ["lingqiu", "yanggao", "yunzhou"]


def test_areas_without_a_database(run, db_path: Path) -> None:
    data = ok_json(run("areas", "--json"))
    assert len(data["areas"]) == 11
    assert not db_path.exists()


# ---------------------------------------------------------------------------- target


def test_target_set_adds_an_allocation_row(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "阳高县")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    row = row_for(rows, RELOCATED, "yanggao")
    assert row["source"] == "allocation"
    assert row["target"] == 9000
    # 摘帽三縣易地扶貧搬遷兩年任務一年完成: Yanggao's share is due at the end of 2018
    assert row["due"] == "2018-12-31"


def test_target_set_other_county_gets_the_city_due(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "tianzhen")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    row = row_for(rows, RELOCATED, "tianzhen")
    assert row["due"] == "2019-12-31"  # 今明兩年: the city target's due
    assert row["source"] == "allocation"


def test_target_set_with_due(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "tianzhen", "--due", "2018-09-30")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    assert row_for(rows, RELOCATED, "tianzhen")["due"] == "2018-09-30"


def test_target_set_twice_newest_counts_nothing_overwritten(run, initialised) -> None:
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    assert run("target", "set", RELOCATED, "8000", "--area", "tianzhen").exit_code == 0
    _, rows = status_rows(run)
    assert row_for(rows, RELOCATED, "tianzhen")["target"] == 8000
    allocations = ok_json(run("target", "list", "--json"))["allocations"]
    mine = [
        a["value"] for a in allocations if a["indicator"] == RELOCATED and a["area"] == "tianzhen"
    ]
    assert mine == [9000, 8000]


# ---------------------------------------------------------------------------- record


def test_record_week_is_stored_as_its_sunday(run, initialised) -> None:
    result = run("record", DANGEROUS, "100", "--area", "yanggao", "--week", "2018-W23")
    assert result.exit_code == 0, result.stderr
    [entry] = log_entries(run)
    # ISO week 1 of 2018 starts Mon 1 Jan; week 23 starts 22*7 = 154 days later, Mon 4 June;
    # its Sunday is 10 June.
    assert entry["date"] == "2018-06-10"
    assert entry["value"] == 100


@pytest.mark.parametrize(
    "name", ["陽高縣", "阳高", "陽高", "Yanggao County", "yanggao county", "Yanggao", "yanggao"]
)
def test_record_area_by_any_name(run, initialised, name: str) -> None:
    rec(run, DANGEROUS, "7", name, "2018-03-04")
    [entry] = log_entries(run)
    assert entry["area"] == "yanggao"


def test_record_former_datong_county_is_yunzhou(run, initialised) -> None:
    rec(run, DANGEROUS, "7", "大同县", "2018-03-04")
    assert log_entries(run)[0]["area"] == "yunzhou"


def test_record_indicator_by_chinese_name_with_note(run, initialised) -> None:
    rec(run, "农村危房改造", "7", "tianzhen", "2018-03-04", "--note", "县住建局周报")
    [entry] = log_entries(run)
    assert entry["indicator"] == DANGEROUS
    assert entry["note"] == "县住建局周报"
    assert entry["source"].startswith("record")


# ---------------------------------------------------------------------------- log


def test_log_json_shape_and_newest_first(run, initialised) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")  # id 1
    rec(run, DANGEROUS, "20", "tianzhen", "2018-05-06")  # id 2
    rec(run, DANGEROUS, "30", "lingqiu", "2018-03-04")  # id 3
    entries = log_entries(run)
    for e in entries:
        assert set(e) >= {"id", "indicator", "area", "date", "value", "note", "source"}
        assert "recorded_at" in e
    # newest date first; same date: higher id first
    assert [(e["date"], e["value"]) for e in entries] == [
        ("2018-05-06", 20),
        ("2018-03-04", 30),
        ("2018-03-04", 10),
    ]


def test_log_filters(run, initialised) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")
    rec(run, DANGEROUS, "20", "tianzhen", "2018-03-04")
    rec(run, RELOCATED, "30", "tianzhen", "2018-03-04")
    assert [e["value"] for e in log_entries(run, "--area", "天镇")] == [30, 20]
    assert [e["value"] for e in log_entries(run, "--indicator", DANGEROUS)] == [20, 10]
    both = log_entries(run, "--area", "tianzhen", "--indicator", RELOCATED)
    assert [e["value"] for e in both] == [30]


def test_log_table(run, initialised) -> None:
    rec(run, DANGEROUS, "1234", "yanggao", "2018-03-04", "--note", "weekly")
    result = run("log")
    assert result.exit_code == 0, result.stderr
    assert "2018-03-04" in result.stdout
    assert "Yanggao County" in result.stdout
    assert "weekly" in result.stdout


# ---------------------------------------------------------------------------- status


def test_status_json_shape(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    data = ok_json(run("status", "--json"))
    assert set(data) >= {"as_of", "rows"}
    keys = {
        "indicator",
        "task",
        "scope",
        "scope_kind",
        "unit",
        "target",
        "actual",
        "progress",
        "expected",
        "status",
        "due",
        "level",
    }
    assert data["rows"]
    for r in data["rows"]:
        assert set(r) >= keys


def test_status_city_row_behind(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3000", "tianzhen", "2018-07-01")
    as_of, rows = status_rows(run)
    assert as_of == "2018-07-01"  # the newest entry
    row = row_for(rows, DANGEROUS, "datong")
    assert row["task"] == 2
    assert row["scope_kind"] == "area"
    assert row["unit"] == "households"
    assert row["target"] == 17554
    assert row["actual"] == 7000  # 4000 + 3000
    assert row["progress"] == pytest.approx(7000 / 17554, abs=1e-6)  # 0.398770
    assert row["expected"] == pytest.approx(181 / 364, abs=1e-6)  # 0.497253
    # 0.9 x 0.497253 = 0.447527 > 0.398770
    assert row["status"] == "behind"
    assert row["due"] == "2018-12-31"
    assert row["level"] == "commit"


def test_status_city_row_on_track(run, initialised) -> None:
    rec(run, DANGEROUS, "5000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3500", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 8500  # 5000 + 3500
    assert row["progress"] == pytest.approx(8500 / 17554, abs=1e-6)  # 0.484220
    # 0.484220 >= 0.9 x 181/364 = 0.447527
    assert row["status"] == "on_track"


def test_status_done_when_actual_reaches_target(run, initialised) -> None:
    rec(run, DANGEROUS, "10000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "7554", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 17554  # 10000 + 7554 = the target exactly
    assert row["progress"] == pytest.approx(1.0)
    assert row["status"] == "done"


def test_status_overdue_after_due(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    as_of, rows = status_rows(run, "--as-of", "2019-01-06")
    assert as_of == "2019-01-06"
    row = row_for(rows, DANGEROUS, "datong")
    assert row["expected"] == pytest.approx(1.0)  # past due: all of it
    assert row["status"] == "overdue"
    # on the due date itself it is not yet overdue: 4000/17554 = 0.228 < 0.9 -> behind
    _, rows = status_rows(run, "--as-of", "2018-12-31")
    assert row_for(rows, DANGEROUS, "datong")["status"] == "behind"


def test_status_running_totals_latest_counts(run, initialised) -> None:
    rec(run, DANGEROUS, "2000", "yanggao", "2018-03-04")
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")  # running total, not an increment
    _, rows = status_rows(run)
    assert row_for(rows, DANGEROUS, "datong")["actual"] == 4000


def test_status_as_of_excludes_later_entries(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3000", "tianzhen", "2018-08-05")
    as_of, rows = status_rows(run)
    assert as_of == "2018-08-05"  # default: the newest entry
    assert row_for(rows, DANGEROUS, "datong")["actual"] == 7000
    as_of, rows = status_rows(run, "--as-of", "2018-07-15")
    assert as_of == "2018-07-15"
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 4000  # tianzhen's 2018-08-05 entry is later
    assert row["expected"] == pytest.approx(195 / 364, abs=1e-6)  # 181 + 14 days
    _, rows = status_rows(run, "--as-of", "2018-06-30")
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] is None
    assert row["status"] == "no_data"


def test_status_as_of_iso_week(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    # 2018-W28: Monday is 1 Jan + 27*7 days = 9 July; its Sunday is 15 July
    as_of, _ = status_rows(run, "--as-of", "2018-W28")
    assert as_of == "2018-07-15"


def test_status_default_as_of_on_empty_db_and_never_zero(run, initialised) -> None:
    as_of, rows = status_rows(run)
    assert as_of == "2018-01-01"  # the plan's start
    assert rows
    for r in rows:
        assert r["actual"] is None, r
        assert r["status"] == "no_data", r


def test_status_unreported_rows_stay_no_data(run, initialised) -> None:
    rec(run, "industry.processing_plant", "1", "yanggao", "2018-07-01")
    _, rows = status_rows(run)
    assert row_for(rows, "industry.processing_plant", "yanggao")["status"] == "done"  # 1 of 1
    other = row_for(rows, "industry.processing_plant", "tianzhen")
    assert other["actual"] is None
    assert other["progress"] is None
    assert other["status"] == "no_data"


def test_status_activity_row_is_reported(run, initialised) -> None:
    rec(run, "publicity.policy_briefings", "3", "yanggao", "2018-03-04")
    rec(run, "publicity.policy_briefings", "2", "tianzhen", "2018-04-01")
    _, rows = status_rows(run)
    row = row_for(rows, "publicity.policy_briefings", "datong")
    assert row["status"] == "reported"
    assert row["target"] is None
    assert row["actual"] == 5  # 3 + 2


def test_status_ratio_is_sum_over_sum(run, initialised) -> None:
    rec(run, "industry.income_50k_villages", "10", "yanggao", "2018-07-01")
    rec(run, "goals.poor_villages", "40", "yanggao", "2018-07-01")
    rec(run, "industry.income_50k_villages", "5", "tianzhen", "2018-07-01")
    rec(run, "goals.poor_villages", "10", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, "industry.income_50k_share", "datong")
    assert row["target"] == 100
    # (10 + 5) / (40 + 10) x 100 = 30; the mean of 25% and 50% would be 37.5
    assert row["actual"] == pytest.approx(30)
    assert row["progress"] == pytest.approx(0.3, abs=1e-6)
    assert row["status"] == "behind"  # 0.3 < 0.9 x 181/364 = 0.4475


def test_status_task_filter(run, initialised) -> None:
    _, rows = status_rows(run, "--task", "2")
    assert all(r["task"] == 2 for r in rows)
    # task 2 targets: 3 relocation counts on the city, 2 rates on each of the 4 relocation
    # counties (8), dangerous houses on the city: 3 + 8 + 1 = 12
    assert len(rows) == 12


def test_status_area_filter(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    _, rows = status_rows(run, "--area", "tianzhen")
    assert rows
    assert all(r["scope"] == "tianzhen" for r in rows)
    planned = {r["indicator"] for r in rows if r["target"] is not None}
    # 每個貧困縣 (3 projects), relocation-four rates (2), other-counties upgrade coverage (1)
    assert planned == {
        "industry.processing_plant",
        "industry.workshop",
        "industry.tourism_project",
        "housing.relocation_works_completion",
        "housing.relocation_investment_completion",
        "village.upgrade_coverage",
    }
    _, zh_rows = status_rows(run, "--area", "天镇")
    assert zh_rows == rows


def test_status_table(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    result = run("status", "--task", "2")
    assert result.exit_code == 0, result.stderr
    assert "Dangerous rural houses renovated" in result.stdout
    assert "2018-07-01" in result.stdout
    assert "behind" in result.stdout


# ---------------------------------------------------------------------------- --lang


def _header_lang(stdout: str) -> str:
    zh = "目标" in stdout and "状态" in stdout
    en = "Target" in stdout and "Status" in stdout
    assert zh != en, stdout[:500]
    return "zh" if zh else "en"


@pytest.mark.parametrize(
    ("env", "args", "expected"),
    [
        ("en", ["--lang", "zh", "status"], "zh"),
        ("en", ["status", "--lang", "zh"], "zh"),
        ("zh", ["status"], "zh"),
        ("en", ["status"], "en"),
        ("zh", ["--lang", "en", "status"], "en"),
        ("zh", ["status", "--lang", "en"], "en"),
        ("en", ["--lang", "zh", "status", "--lang", "en"], "en"),  # after the command wins
    ],
)
def test_status_table_language(
    run, initialised, monkeypatch: pytest.MonkeyPatch, env: str, args: list[str], expected: str
) -> None:
    monkeypatch.setenv("POVTRACK_LANG", env)
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert _header_lang(result.stdout) == expected


def test_zh_table_uses_chinese_names(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    result = run("--lang", "zh", "status", "--task", "2")
    assert result.exit_code == 0, result.stderr
    assert "农村危房改造" in result.stdout
    assert "Dangerous rural houses renovated" not in result.stdout


@pytest.mark.parametrize(
    "command", [["status", "--json"], ["areas", "--json"], ["plan", "show", "--json"]]
)
def test_json_is_the_same_in_both_languages(run, initialised, command: list[str]) -> None:
    en = ok_json(run("--lang", "en", *command))
    zh = ok_json(run("--lang", "zh", *command))
    assert en == zh


def test_json_has_both_names(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    row = row_for(status_rows(run)[1], DANGEROUS, "datong")
    assert (row["name"], row["name_en"]) == ("农村危房改造", "Dangerous rural houses renovated")
    areas = {a["id"]: a for a in ok_json(run("areas", "--json"))["areas"]}
    assert (areas["tianzhen"]["name"], areas["tianzhen"]["name_en"]) == (
        "天镇县",
        "Tianzhen County",
    )


# ---------------------------------------------------------------------------- demo


def test_demo_builds_its_own_database(run, tmp_path: Path, db_path: Path) -> None:
    tasks = ok_json(run("plan", "show", "--json"))["tasks"]
    demo_db = tmp_path / "demo" / "demo.json"
    result = run("demo", "--db", str(demo_db))
    assert result.exit_code == 0, result.stderr
    assert demo_db.is_file()
    assert not db_path.exists()  # POVTRACK_DB untouched
    assert str(demo_db) in result.stderr
    assert len(tasks) == 11
    for t in tasks:
        assert f"{t['number']}. {t['name_en']}" in result.stdout, t
    assert "0. Headline goals" in result.stdout
    entries = ok_json(run("--db", str(demo_db), "log", "--json"))["entries"]
    assert entries


def test_demo_rerun_rebuilds(run, tmp_path: Path, db_path: Path) -> None:
    demo_db = tmp_path / "demo.json"
    assert run("demo", "--db", str(demo_db)).exit_code == 0
    first = len(ok_json(run("--db", str(demo_db), "log", "--json"))["entries"])
    result = run("demo", "--db", str(demo_db))
    assert result.exit_code == 0, result.stderr
    second = len(ok_json(run("--db", str(demo_db), "log", "--json"))["entries"])
    assert second == first  # rebuilt, not imported on top
    assert not db_path.exists()


def test_demo_refuses_povtrack_db(run, initialised, db_path: Path) -> None:
    before = db_path.read_bytes()
    result = run("demo", "--db", str(db_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert str(db_path) in result.stderr
    assert db_path.read_bytes() == before


def test_demo_refuses_povtrack_db_even_before_init(run, db_path: Path) -> None:
    result = run("demo", "--db", str(db_path))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert not db_path.exists()


def test_demo_refuses_a_non_demo_database(run, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    assert run("--db", str(other), "init").exit_code == 0
    before = other.read_bytes()
    result = run("demo", "--db", str(other))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ")
    assert str(other) in result.stderr
    assert other.read_bytes() == before


def test_demo_in_chinese(run, tmp_path: Path) -> None:
    result = run("--lang", "zh", "demo", "--db", str(tmp_path / "demo.json"))
    assert result.exit_code == 0, result.stderr
    assert "0. 总体目标" in result.stdout
    assert _header_lang(result.stdout) == "zh"


# ---------------------------------------------------------------------------- help

COMMANDS = [
    [],
    ["init"],
    ["plan"],
    ["plan", "show"],
    ["plan", "check"],
    ["areas"],
    ["target"],
    ["target", "set"],
    ["target", "list"],
    ["record"],
    ["import"],
    ["log"],
    ["status"],
    ["demo"],
]


def _all_command_paths() -> set[tuple[str, ...]]:
    out: set[tuple[str, ...]] = set()

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        out.add(path)
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(typer.main.get_command(app), ())
    return out


def test_help_list_covers_every_command() -> None:
    assert _all_command_paths() == {tuple(c) for c in COMMANDS}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "povtrack")
def test_help(run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.stderr
    lines = [ln.strip() for ln in result.stdout.splitlines()]
    assert lines[0].startswith("Usage:")
    # the description: text between the usage line and the first section (Options, ...)
    body = []
    for ln in lines[1:]:
        if re.match(r"^(Options|Arguments|Commands)\b", ln) or ln.startswith(("╭", "+")):
            break
        body.append(ln)
    description = [ln for ln in body if ln and not ln.startswith("Example:")]
    assert description, result.stdout
    assert "Example:" in result.stdout, result.stdout


def test_init_help_example_runs(run, tmp_path: Path, db_path: Path) -> None:
    """The example in `init --help` is a command that works."""
    help_text = run("init", "--help").stdout
    match = re.search(r"Example:\s*povtrack (.+)", help_text)
    assert match, help_text
    args = shlex.split(match.group(1).split("&&")[0])
    new_db = tmp_path / "example.json"
    args = [str(new_db) if a.startswith("~") else a for a in args]
    result = run(*args)
    assert result.exit_code == 0, (args, result.stderr)
    assert new_db.exists() or db_path.exists()

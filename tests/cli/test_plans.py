"""The plan and tool commands that succeed: init, plan show, areas, --lang, demo, help.

Every expected number is worked out by hand in a comment next to it; nothing is computed by
calling povtrack's own code.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import typer

from povtrack.cli import app
from tests.helpers.cli import DANGEROUS, log_entries, ok_json, rec, row_for, status_rows
from tests.helpers.paths import ROOT

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
    bundled = ROOT / "povtrack" / "plans" / "datong-2018.toml"
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
    ["target", "import"],
    ["target", "list"],
    ["record"],
    ["import"],
    ["log"],
    ["status"],
    ["demo"],
    ["db"],
    ["db", "verify"],
    ["db", "backup"],
    ["db", "backups"],
    ["db", "restore"],
    ["db", "migrate"],
    ["db", "user"],
    ["db", "user", "add"],
    ["db", "user", "passwd"],
    ["db", "user", "list"],
    ["db", "user", "remove"],
    ["inbox"],
    ["board"],
    ["trend"],
    ["diff"],
    ["report"],
    ["template"],
    ["correct"],
    ["undo"],
    ["missing"],
    ["completeness"],
    ["explain"],
    ["check"],
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

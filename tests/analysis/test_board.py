"""The battle map (povtrack.analysis.board, render_board, `povtrack board`).

BoardCell semantics on the tiny plan of helpers/progress.py, every expectation worked out by hand
(the arithmetic is in the comments); the JSON shape and the exports through the CLI; the
rendered table on the demo data from fixed-width colourless consoles.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from povtrack.analysis.board import (
    NO_TARGET,
    board_cell_parts,
    board_json,
    compact_value,
    make_board,
    make_board_cell,
    task_short,
)
from povtrack.analysis.measure import STATUSES
from povtrack.analysis.status import default_as_of, status_rows
from povtrack.output.screen.board import board_table, choose_layout
from povtrack.planfile import bundled_text, parse_plan
from tests.helpers.cli import ok_json, rec
from tests.helpers.progress import PLAN, D, entry

BUNDLED = parse_plan(bundled_text(), "datong-2018")

# ---------------------------------------------------------------------------- the tiny plan
#
# As of 2018-07-02: 182 days since 2018-01-01 of the 364 to 2018-12-31, so expected = 0.5.
# people: north 100 and south 300 (each-member targets of 250, due 2018-06-30);
#   north: 100 < 250, past due -> overdue, gap 150; south: 300 >= 250 -> done (120%);
#   pair in total: 400 of 600 -> 0.667 >= 0.9 x 0.5 -> on_track;
#   metro: 400 of 1000 -> 0.4 < 0.45 -> behind.
# trained, exit_rate (metro, task 1): no entry -> no_data.
# delisted (milestone, due 2018-07-01): south 1 -> done; north nothing -> no_data.
# coverage (metro and north, percent: never summed): no entry -> no_data on both.
# funds (metro, due 2019-06-30, 545 days): east 200,000 of 1,000,000 -> 0.2;
#   expected 182/545 = 0.334; 0.2 < 0.9 x 0.334 -> behind.
# visits (activity, on the city): north reported -> reported.
# roads (pair in total, task 2): no entry -> no_data.
# east has no target at all.
AS_OF = D(2018, 7, 2)
ENTRIES = [
    entry(1, "people", "north", D(2018, 6, 1), 100),
    entry(2, "people", "south", D(2018, 6, 1), 300),
    entry(3, "delisted", "south", D(2018, 6, 15), 1),
    entry(4, "funds", "east", D(2018, 6, 1), 200000),
    entry(5, "visits", "north", D(2018, 6, 1), 3),
]


@pytest.fixture(scope="module")
def tiny():
    return make_board(PLAN, status_rows(PLAN, ENTRIES, [], AS_OF), AS_OF)


def _cell(board, scope: str, task: int):
    return next(r for r in board.rows if r.scope == scope).cells[task]


def test_rows_city_first_then_areas_then_groups_with_totals(tiny) -> None:
    assert [(r.scope, r.scope_kind) for r in tiny.rows] == [
        ("metro", "area"),
        ("north", "area"),
        ("south", "area"),
        ("east", "area"),
        ("pair", "group"),  # people 600 and roads 10 are on the pair in total
    ]
    assert [t.number for t in tiny.tasks] == [1, 2]


def test_worst_status_with_unreported_count(tiny) -> None:
    cell = _cell(tiny, "metro", 1)  # people behind; trained, exit_rate no data
    assert (cell.status, cell.targets, cell.unreported) == ("behind", 3, 2)
    assert cell.counts == {"behind": 1, "no_data": 2}
    assert cell.worst is not None and cell.worst.indicator == "people"
    parts = board_cell_parts(cell, "zh")
    assert (parts.word, parts.count, parts.figure, parts.unreported) == (
        "滞后",
        "1/3",
        "40/50%",
        "未报2",
    )
    assert board_cell_parts(cell, "en").unreported == "2 no data"


def test_activity_ranks_below_every_target_status(tiny) -> None:
    cell = _cell(tiny, "metro", 2)  # funds behind, coverage no data, visits reported
    assert (cell.status, cell.targets, cell.activities, cell.unreported) == ("behind", 3, 1, 1)
    assert cell.counts == {"behind": 1, "no_data": 1, "reported": 1}
    assert board_cell_parts(cell, "en").figure == "20/33%"  # 0.2 of 1,000,000; 182/545 expected


def test_overdue_shows_the_gap_in_the_unit(tiny) -> None:
    cell = _cell(tiny, "north", 1)
    assert (cell.status, cell.targets, cell.unreported) == ("overdue", 1, 0)
    assert board_cell_parts(cell, "zh").figure == "差150人"
    assert board_cell_parts(cell, "en").figure == "gap 150"
    assert board_cell_parts(cell, "zh").count == ""  # a single row: no count


def test_done_shows_progress(tiny) -> None:
    assert _cell(tiny, "south", 1).status == "done"
    assert board_cell_parts(_cell(tiny, "south", 1), "en").figure == "120%"  # 300 / 250


def test_all_no_data_cell(tiny) -> None:
    cell = _cell(tiny, "north", 2)  # coverage and delisted, neither reported
    assert (cell.status, cell.targets, cell.unreported, cell.worst) == ("no_data", 2, 2, None)
    parts = board_cell_parts(cell, "en")
    assert (parts.word, parts.figure, parts.unreported) == ("no data", "", "")


def test_no_target_cell_says_so_never_zero(tiny) -> None:
    for task in (1, 2):
        cell = _cell(tiny, "east", task)  # east reported funds, but has no target itself
        assert (cell.status, cell.targets, cell.counts, cell.worst) == (None, 0, {}, None)
        assert board_cell_parts(cell, "zh").word == NO_TARGET
        assert board_cell_parts(cell, "zh").text() == NO_TARGET


def test_group_row_has_the_group_total_rows_only(tiny) -> None:
    assert _cell(tiny, "pair", 1).status == "on_track"  # 400 of 600; not north's overdue
    assert board_cell_parts(_cell(tiny, "pair", 1), "en").figure == "67/50%"
    assert _cell(tiny, "pair", 2).status == "no_data"  # roads


def test_severity_order_and_the_row_furthest_behind() -> None:
    base = status_rows(PLAN, ENTRIES, [], AS_OF)[0]
    rows = [
        replace(base, indicator="a", status="done", progress=1.0, expected=0.5),
        replace(base, indicator="b", status="on_track", progress=0.6, expected=0.5),
        replace(base, indicator="c", status="behind", progress=0.3, expected=0.5),
        replace(base, indicator="d", status="behind", progress=0.2, expected=0.5),
        replace(base, indicator="e", status="no_data", progress=None),
    ]
    cell = make_board_cell(rows)
    assert (cell.status, cell.worst.indicator, cell.at_status) == ("behind", "d", 2)
    overdue = replace(base, indicator="f", status="overdue", progress=0.9, expected=1.0)
    assert make_board_cell([*rows, overdue]).status == "overdue"
    assert make_board_cell(rows[:2]).status == "on_track"
    assert make_board_cell(rows[:1]).status == "done"
    assert make_board_cell(rows[4:]).status == "no_data"
    assert make_board_cell([]).status is None


def test_activity_only_cells_are_reported_or_no_data() -> None:
    # task 6 (publicity) has two activity indicators and no target; they are on the city
    one = [entry(1, "publicity.policy_briefings", "yanggao", D(2018, 6, 1), 4)]
    board = make_board(BUNDLED, status_rows(BUNDLED, one, [], D(2018, 6, 1)), D(2018, 6, 1))
    city = board.rows[0].cells[6]
    assert (city.status, city.targets, city.activities, city.unreported) == ("reported", 2, 2, 1)
    assert city.worst is None
    assert all(r.cells[6].status is None for r in board.rows[1:])
    empty = make_board(BUNDLED, status_rows(BUNDLED, [], [], D(2018, 6, 1)), D(2018, 6, 1))
    assert empty.rows[0].cells[6].status == "no_data"


def test_compact_values() -> None:
    assert compact_value(750949350, "yuan", "zh") == "7.51亿"
    assert compact_value(750949350, "yuan", "en") == "750.9M"
    assert compact_value(139800, "mu", "zh") == "14万"
    assert compact_value(139800, "mu", "en") == "140k"
    assert compact_value(12345, "people", "en") == "12,345"
    assert compact_value(43.99999, "percent", "zh") == "44%"
    assert compact_value(2.5, "kW", "en") == "2.5"


def test_short_task_names_fit() -> None:
    for t in BUNDLED.tasks:
        for lang in ("zh", "en"):
            assert 0 < cell_len(task_short(t, lang)) <= 10
    assert task_short(BUNDLED.task(2), "en") == "Housing"
    assert task_short(BUNDLED.task(2), "zh") == "住房保障"


def test_board_json_numbers_and_nulls(tiny) -> None:
    data = board_json(tiny)
    assert data["as_of"] == "2018-07-02" and data["plan"] == "tiny"
    cell = data["rows"][1]["cells"]["1"]  # north, task 1
    assert cell["worst"] == {
        "indicator": "people",
        "name": "脱贫人口",
        "name_en": "People lifted out",
        "status": "overdue",
        "progress": 0.4,
        "expected": 1.0,
        "gap": 150,
        "target": 250,
        "actual": 100,
        "unit": "people",
        "due": "2018-06-30",
    }
    assert data["rows"][3]["cells"]["2"]["status"] is None  # east
    json.dumps(data)  # plain JSON types only


# ---------------------------------------------------------------------------- the CLI


def test_board_json_shape(run, initialised) -> None:
    rec(run, "housing.dangerous_houses", "1000", "阳高县", "2018-06-10")
    rec(run, "housing.dangerous_houses", "2500", "天镇县", "2018-06-10")
    data = ok_json(run("board", "--json"))
    assert set(data) == {"as_of", "plan", "tasks", "rows"}
    assert data["as_of"] == "2018-06-10" and data["plan"] == "datong-2018"
    assert [t["task"] for t in data["tasks"]] == list(range(11))
    assert {"task", "name", "name_en"} <= set(data["tasks"][0])
    scopes = [r["scope"] for r in data["rows"]]
    assert scopes[0] == "datong"  # the city first, then the counties and districts
    assert scopes[1:11] == [a.id for a in BUNDLED.areas if a.id != "datong"]
    assert [r["scope_kind"] for r in data["rows"][11:]] == ["group"] * len(scopes[11:])
    assert "six-poor-counties" in scopes[11:]  # afforestation: 13.98万亩 in total
    for row in data["rows"]:
        assert {"scope", "scope_kind", "name", "name_en", "cells"} <= set(row)
        assert list(row["cells"]) == [str(n) for n in range(11)]
        for cell in row["cells"].values():
            assert {"status", "targets", "unreported", "worst", "counts"} <= set(cell)
            assert cell["status"] is None or cell["status"] in STATUSES
            assert isinstance(cell["targets"], int) and isinstance(cell["unreported"], int)
            assert sum(cell["counts"].values()) == cell["targets"]
            if cell["status"] is None:
                assert cell["targets"] == 0
    # City, task 2: dangerous houses 1000 + 2500 = 3500 of 17,554 = 0.1994; expected
    # 160 / 364 days = 0.4396; 0.1994 < 0.9 x 0.4396 -> behind. The three relocation rows
    # (city targets) have no entry. Yanggao and Tianzhen have no dangerous-houses target of
    # their own (no allocation): their entries count for the city only.
    city = data["rows"][0]["cells"]["2"]
    assert {k: city[k] for k in ("status", "targets", "unreported", "counts")} == {
        "status": "behind",
        "targets": 4,
        "unreported": 3,
        "counts": {"behind": 1, "no_data": 3},
    }
    assert city["worst"]["indicator"] == "housing.dangerous_houses"
    assert city["worst"]["progress"] == round(3500 / 17554, 6)
    assert city["worst"]["expected"] == round(160 / 364, 6)
    assert (city["worst"]["gap"], city["worst"]["unit"]) == (14054, "households")
    tianzhen = next(r for r in data["rows"] if r["scope"] == "tianzhen")["cells"]["2"]
    assert (tianzhen["status"], tianzhen["targets"]) == ("no_data", 2)  # the two rates


def test_board_empty_database_never_zero(run, initialised) -> None:
    data = ok_json(run("board", "--json"))
    assert data["as_of"] == "2018-01-01"
    for row in data["rows"]:
        for cell in row["cells"].values():
            assert cell["status"] in (None, "no_data")
            assert cell["worst"] is None
            assert cell["unreported"] == cell["targets"]


def test_board_as_of_outside_the_plan_is_refused(run, initialised) -> None:
    result = run("board", "--as-of", "2017-12-31")
    assert result.exit_code == 2
    assert "before the plan starts" in result.stderr


def test_board_table_on_stdout(run, initialised) -> None:
    result = run("board", "--lang", "zh")
    assert result.exit_code == 0, result.stderr
    for text in ("挂图作战", "大同市", "左云县", "住房保障", NO_TARGET):
        assert text in result.stdout


def test_board_table_refuses_a_file(run, initialised, tmp_path: Path) -> None:
    result = run("board", "--format", "table", "-o", str(tmp_path / "b.txt"))
    assert result.exit_code == 2


# ---------------------------------------------------------------------------- the demo data


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from povtrack.actions.writes import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.json"
    store, _ = build_demo(path, protect=[], lock_timeout=5)
    entries = store.entries()
    when = default_as_of(store.plan, entries)
    rows = status_rows(store.plan, entries, store.allocations(), when)
    return path, store.plan, make_board(store.plan, rows, when)


def _render(demo, lang: str, width: int) -> str:
    _, plan, board = demo
    out = io.StringIO()
    console = Console(width=width, color_system=None, file=out, legacy_windows=False)
    name = plan.name if lang == "zh" else plan.name_en
    console.print(board_table(console, name, board, lang))
    return out.getvalue()


def _grid(text: str) -> list[str]:
    return [ln.rstrip() for ln in text.splitlines() if ln.startswith(("|", "+"))]


@pytest.mark.parametrize("width", [160, 120, 100, 80, 60])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_fits_and_lines_up(demo, lang: str, width: int) -> None:
    text = _render(demo, lang, width)
    assert all(cell_len(ln) <= width for ln in text.splitlines())
    grid = _grid(text)
    assert len({cell_len(ln) for ln in grid}) == 1  # CJK names and words line up
    assert "…" not in text  # nothing cut short: the table says less instead
    header = next(ln for ln in grid if ln.startswith("|"))
    assert len(header.split("|")) == 2 + 12  # the names and all 11 task columns


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_all_areas_and_tasks_at_120(demo, lang: str) -> None:
    plan = demo[1]
    text = _render(demo, lang, 120)
    words = set(re.split(r"[|\s]+", text))
    for area in plan.areas:
        if lang == "zh":
            assert area.name in text
        else:
            assert area.name_en.split()[0] in words  # long English names may wrap
    for t in plan.tasks:
        assert task_short(t, lang) in text


def test_chinese_at_120_keeps_every_detail(demo) -> None:
    _, _, board = demo
    console = Console(width=120, color_system=None, file=io.StringIO(), legacy_windows=False)
    assert choose_layout(console, board, "zh").name == "tight"
    text = _render(demo, "zh", 120)
    # the city's headline goals: 2 of 4 on track (people 53%, villages 54%), 2 not reported
    city = next(ln for ln in _grid(text) if "大同市" in ln)
    assert "正常 2/4" in city
    for expected in ("53/50%", "未报2", "住房保障", "六个贫困县 (合计)"):
        assert expected in text


def test_narrow_terminal_keeps_a_status_per_cell(demo) -> None:
    text = _render(demo, "zh", 80)
    city = next(ln for ln in _grid(text) if "大同市" in ln)
    assert city.count("|") == 13
    assert "正常" in city and "滞后" in city
    assert "0=总体目标" in text  # the task names move to the legend


# ---------------------------------------------------------------------------- exports


def test_json_to_a_file_matches_stdout(run, demo, tmp_path: Path) -> None:
    path, _, _ = demo
    out = tmp_path / "board.json"
    assert run("--db", str(path), "board", "-o", str(out)).exit_code == 0
    assert json.loads(out.read_text("utf-8")) == ok_json(run("--db", str(path), "board", "--json"))


def test_demo_day_as_of(demo) -> None:
    _, _, board = demo
    assert board.as_of == date(2018, 7, 1)


def test_the_board_needs_no_pace(demo) -> None:
    """``board`` asks for status rows without the forecast: its cells never show one."""
    path, plan, board = demo
    from povtrack.storage import Database

    store = Database.open(path)
    entries, allocations = store.entries(), store.allocations()
    paces = []
    for day in (date(2018, 3, 4), board.as_of, date(2019, 6, 30)):
        paced = status_rows(plan, entries, allocations, day)
        bare = status_rows(plan, entries, allocations, day, pace=False)
        paces += [r.recent_per_week for r in paced if r.recent_per_week is not None]
        assert all(r.recent_per_week is None and r.needed_per_week is None for r in bare)
        assert board_json(make_board(plan, bare, day)) == board_json(make_board(plan, paced, day))
    assert paces  # there was a pace to leave out

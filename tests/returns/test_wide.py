"""Issue 13, returns as counties make them: the wide layout, one row per area (or per date),
the indicators across.

A workbook made with openpyxl as a county makes one (a title with the date, 序号 and 地区
columns, indicators by name, id, English or Traditional name, with the unit in brackets), and
CSV; recognised from the header or chosen with ``--layout``; an empty cell is not reported;
every kind of bad cell or column refused with its place. The expected rows are written out by
hand.
"""

from __future__ import annotations

import json
import os
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.helpers.returns import MU, PEOPLE, only_problem, read, row, workbook

JUNE_24 = date(2018, 6, 24)
PLACED = "jobs.placed"  # 安置就业, people


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def county_workbook(path: Path) -> Path:
    """What the city's seven counties send as one sheet: one row per county."""
    return workbook(
        path,
        [
            ["大同市脱贫攻坚周报表（2018年6月24日）"],
            [None],
            ["序号", "县区", "易地扶贫搬迁人口（人）", "人工造林", PLACED, "备注"],
            [1, "阳高县", 5200, None, 300, "已核实"],
            [2, "天镇县", None, 12.5, None, None],
            [3, "灵丘县", None, None, None, None],  # nothing reported this week
            [4, "廣靈縣", 800, 0, None, None],  # Traditional; 0 is a value, not "nothing"
        ],
        title="填报",
    )


def test_a_county_workbook_reads_as_wide(tmp_path: Path) -> None:
    f = county_workbook(tmp_path / "w25.xlsx")
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [
        row(JUNE_24, "yanggao", PEOPLE, 5200, "已核实", f"{f}:4"),
        row(JUNE_24, "yanggao", PLACED, 300, "已核实", f"{f}:4"),
        row(JUNE_24, "tianzhen", MU, 12.5, "", f"{f}:5"),
        row(JUNE_24, "guangling", PEOPLE, 800, "", f"{f}:7"),
        row(JUNE_24, "guangling", MU, 0, "", f"{f}:7"),
    ]
    header = files[0].header
    assert (header.layout, header.row) == ("wide", 3)
    assert [
        (c.text, c.reads_as, c.indicator.id if c.indicator else None) for c in header.columns
    ] == [
        ("序号", "ignored", None),
        ("县区", "area", None),
        ("易地扶贫搬迁人口（人）", "indicator", PEOPLE),
        ("人工造林", "indicator", MU),
        (PLACED, "indicator", PLACED),
        ("备注", "note", None),
    ]


def test_a_county_workbook_imports_and_counts(run, initialised, tmp_path: Path) -> None:
    f = county_workbook(tmp_path / "w25.xlsx")
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{f}: 5 rows, read as xlsx",
        f"{f}: sheet '填报'; wide layout (indicators across); header on row 3 (the rows above "
        "it are its title and notes)",
        f"  columns: 序号 → (not read), 县区 → area, 易地扶贫搬迁人口（人） → {PEOPLE}, "
        f"人工造林 → {MU}, {PLACED} → {PLACED}, 备注 → note",
        "  date from the title (row 1): 2018年6月24日 → 2018-06-24",
        "imported 5 entries from 1 file(s) as batch b1",
    ]
    status = json.loads(run("status", "--json").stdout)["rows"]
    [relocated] = [r for r in status if r["indicator"] == PEOPLE and r["scope"] == "datong"]
    assert relocated["actual"] == 5200 + 800  # the counties add up to the city
    again = run("import", str(f))
    assert again.exit_code == 0 and "nothing new to import" in again.stderr


def test_one_row_per_date_with_the_area_in_the_title(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "lq.xlsx",
        [
            ["灵丘县脱贫攻坚周报表"],
            ["日期", "Afforestation", "易地扶貧搬遷人口"],  # English name; Traditional name
            [datetime(2018, 6, 17), 10, 100],
            [datetime(2018, 6, 24), 12.5, None],
        ],
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [
        row(date(2018, 6, 17), "lingqiu", MU, 10, "", f"{f}:3"),
        row(date(2018, 6, 17), "lingqiu", PEOPLE, 100, "", f"{f}:3"),
        row(JUNE_24, "lingqiu", MU, 12.5, "", f"{f}:4"),
    ]


def test_wide_csv_with_ids_across(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"date,area,{PEOPLE},{MU}\n2018/6/24,yanggao,5,\n")
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(JUNE_24, "yanggao", PEOPLE, 5, "", f"{f}:2")]


def test_every_cell_empty_is_nothing_to_import(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"date,area,{PEOPLE},{MU}\n2018-06-24,yanggao,,\n")
    assert only_problem(f) == (
        f"{f}: every indicator cell of the wide table is empty (nothing to import)"
    )


def test_bad_wide_cells_are_each_refused(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w.xlsx",
        [
            ["日期", "地区", "易地扶贫搬迁人口", "人工造林"],
            [datetime(2018, 6, 24), "阳高县", "1,200", "-"],
            [datetime(2018, 6, 24), "合计", 5, 5],
            [datetime(2018, 6, 24), "天镇县", 5, None, "多余"],
            [datetime(2018, 6, 24), "阳高县", 7, None],
        ],
    )
    _, problems = read(f)
    assert problems == [
        f"{f}:2:3: value '1,200' is not a number; write it without thousands separators: 1200",
        f"{f}:2:4: value '-' is not a number",
        f"{f}:3:2: '合计' is a total row, not an area; delete the row (povtrack adds up the "
        "areas itself)",
        f"{f}:4:5: a cell outside the header's columns ('多余'); the header (row 1) names no "
        "column here",
    ]


def test_the_same_value_twice_is_refused(tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        f"date,area,{PEOPLE}\n2018-06-24,yanggao,5\n2018-06-24,阳高县,6\n",
    )
    assert only_problem(f) == (f"{f}:3:3: yanggao {PEOPLE} 2018-06-24 is already given at {f}:2")


@pytest.mark.parametrize(
    ("column", "problem"),
    [
        (
            "产业扶贫筹资（市县两级）（万元）",
            "the unit given is '万元', but industry.funds_raised is counted in yuan (元); give "
            "the value in yuan",
        ),
        (
            "贫困村退出率",
            "goals.village_exit_rate (贫困村退出率, Poor villages exited, share) is a ratio",
        ),
        ("扶贫资金", "unknown indicator '扶贫资金'"),
    ],
)
def test_bad_wide_columns(tmp_path: Path, column: str, problem: str) -> None:
    f = write(tmp_path / "w.csv", f"日期,地区,{PEOPLE},{column}\n2018-06-24,yanggao,5,6\n")
    got = only_problem(f)
    assert got.startswith(f"{f}:1: column '{column}': {problem}"), got


def test_wide_needs_an_area_and_a_date(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"{PEOPLE},{MU}\n5,6\n")
    _, problems = read(f)
    assert problems == [
        f"{f}:1: a wide return needs a date (or week) column, or the date in its title, "
        "e.g. 2018年6月24日",
        f"{f}:1: a wide return needs an area column, or the area in its title, e.g. （灵丘县）",
    ]


def test_unsaved_formula_in_a_wide_cell_is_refused(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w.xlsx",
        [["日期", "地区", "易地扶贫搬迁人口"], [datetime(2018, 6, 24), "阳高县", "=1+1"]],
    )
    assert only_problem(f) == (
        f"{f}:2:3: the value cell is a formula with no saved value; open the file in Excel and "
        "save it, then import it again"
    )


# ---------------------------------------------------------------------------- --layout


def test_layout_option_chooses_and_says_when_the_header_is_the_other(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    wide = write(tmp_path / "wide.csv", f"日期,地区,{PEOPLE}\n2018-06-24,yanggao,5\n")
    long = write(tmp_path / "long.csv", f"日期,地区,指标,数值\n2018-06-24,yanggao,{PEOPLE},5\n")
    before = db_path.read_bytes()
    result = run("import", "--layout", "long", str(wide))
    assert result.exit_code == 2
    assert f"error: {wide}:1: this is a header of the wide layout, not long (--layout long)" in (
        result.stderr.splitlines()
    )
    result = run("import", "--layout", "wide", str(long))
    assert result.exit_code == 2
    assert f"error: {long}:1: this is a header of the long layout, not wide (--layout wide)" in (
        result.stderr.splitlines()
    )
    result = run("import", "--layout", "across", str(long))
    assert result.exit_code == 2
    assert "error: --layout 'across' is not one of long, wide" in result.stderr
    assert db_path.read_bytes() == before
    result = run("import", "--layout", "wide", str(wide))
    assert result.exit_code == 0, result.stderr


def test_inbox_takes_the_layout_too(run, initialised, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    f = write(inbox / "yanggao.csv", f"日期,地区,{PEOPLE},{MU}\n2018/6/24,阳高县,5,1.5\n")
    t = time.time() - 100
    os.utime(f, (t, t))
    result = run("inbox", str(inbox), "--layout", "long", "--json")
    assert result.exit_code == 2
    [outcome] = json.loads(result.stdout)["files"]
    assert outcome["status"] == "rejected"
    assert "this is a header of the wide layout, not long" in outcome["message"]
    moved = inbox / "rejected" / "yanggao.csv"
    os.utime(moved, (t, t))
    os.replace(moved, f)
    result = run("inbox", str(inbox), "--layout", "wide", "--json")
    assert result.exit_code == 0, result.stdout
    assert [o["status"] for o in json.loads(result.stdout)["files"]] == ["imported"]
    got: list[dict[str, Any]] = json.loads(run("log", "--json").stdout)["entries"]
    assert sorted((e["indicator"], e["value"]) for e in got) == [(MU, 1.5), (PEOPLE, 5)]


def test_openpyxl_workbook_with_dates_in_a_column_across(tmp_path: Path) -> None:
    """A date column given as text in the Chinese form, beside indicator ids."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["地区", "填报日期", PEOPLE])
    ws.append(["阳高县", "2018年6月24日", 5])
    wb.save(tmp_path / "w.xlsx")
    files, problems = read(tmp_path / "w.xlsx")
    assert problems == []
    assert files[0].rows == [row(JUNE_24, "yanggao", PEOPLE, 5, "", f"{tmp_path / 'w.xlsx'}:2")]

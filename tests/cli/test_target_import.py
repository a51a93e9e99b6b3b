"""`povtrack target import`: a task breakdown (任务分解表) in one step, and the blank breakdown
sheet `povtrack template --allocations` writes for it.

Done when (issue 13): `target import` loads a breakdown table and `status` shows every county's
rows. Also: long and wide tables, Chinese headers, title rows and total rows, all or nothing
(every unreadable cell named FILE:LINE:COLUMN, nothing written), `target set`'s own refusals,
`--dry-run`, `--json`, the warnings (short of the city target, parts against the whole, a likely
万/亿 slip), unchanged rows skipped, and who recorded each allocation.

Expected ids, values and messages are written out by hand from the bundled plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

# The indicators with a city target (bundled plan), in plan order: the breakdown's columns.
CITY_TARGETED = [
    "goals.villages_exited",
    "goals.people_exited",
    "goals.dual_sign_units",
    "goals.dual_sign_leaders",
    "industry.funds_raised",
    "industry.pv_stations",
    "industry.pv_capacity",
    "industry.pv_villages",
    "industry.pv_coverage",
    "industry.income_50k_share",
    "industry.income_100k_share",
    "housing.relocated_people",
    "housing.relocated_registered",
    "housing.relocated_alongside",
    "housing.dangerous_houses",
    "ecology.greening_coop_share",
    "ecology.eco_jobs",
    "jobs.trained",
    "jobs.placed",
    "welfare.dibao_coverage",
    "village.investment",
    "village.demo_villages",
    "village.demo_exiting_share",
    "village.safe_water",
]
COUNTIES = [
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
]


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def breakdown(run, tmp_path: Path, *extra: str) -> Path:
    out = tmp_path / "breakdown.xlsx"
    ok(run("template", "--allocations", "-o", str(out), *extra))
    return out


def fill_wide(path: Path, values: dict[tuple[str, str], Any], to: Path) -> Path:
    """Type values into the breakdown by (indicator id, area row label), as the city would."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    columns = {ws.cell(3, c).value.splitlines()[2]: c for c in range(2, ws.max_column + 1)}
    rows = {ws.cell(r, 1).value: r for r in range(4, ws.max_row + 1)}
    for (ind, area), value in values.items():
        ws.cell(rows[area], columns[ind]).value = value
    wb.save(to)
    return to


def allocations(run) -> list[dict[str, Any]]:
    return json.loads(ok(run("target", "list", "--json")).stdout)["allocations"]


def status_scopes(run, indicator: str) -> dict[str, Any]:
    rows = json.loads(ok(run("status", "--json")).stdout)["rows"]
    return {r["scope"]: r["target"] for r in rows if r["indicator"] == indicator}


# ---------------------------------------------------------------------------- the blank sheet


def test_the_blank_breakdown_sheet(run, initialised, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(breakdown(run, tmp_path)).worksheets[0]
    assert ws["A3"].value == "地区\nArea"
    assert ws["B3"].value == (
        "退出贫困村（个村）\nPoor villages exited (villages)\ngoals.villages_exited\n"
        "全市目标 City target 265"
    )
    assert [ws.cell(3, c).value.splitlines()[2] for c in range(2, ws.max_column + 1)] == (
        CITY_TARGETED
    )
    assert [ws.cell(r, 1).value for r in range(4, ws.max_row + 1)] == [
        "Pingcheng District",
        "Yungang District",
        "Xinrong District",
        "Yunzhou District",
        "Yanggao County",
        "Tianzhen County",
        "Guangling County",
        "Lingqiu County",
        "Hunyuan County",
        "Zuoyun County",
    ]
    assert all(ws.cell(r, c).value is None for r in range(4, 14) for c in range(2, 26))


def test_target_import_loads_the_breakdown_and_status_shows_every_county(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    figures = [1000, 1000, 2000, 9000, 9800, 11500, 9000, 8900, 7624, 4000]
    shares = dict(zip(COUNTIES, figures, strict=True))
    labels = [
        "Pingcheng District",
        "Yungang District",
        "Xinrong District",
        "Yunzhou District",
        "Yanggao County",
        "Tianzhen County",
        "Guangling County",
        "Lingqiu County",
        "Hunyuan County",
        "Zuoyun County",
    ]
    values = {
        ("housing.relocated_people", label): shares[area]
        for label, area in zip(labels, COUNTIES, strict=True)
    }
    values[("jobs.trained", "Tianzhen County")] = 2500
    filled = fill_wide(breakdown(run, tmp_path), values, tmp_path / "任务分解表.xlsx")
    result = ok(run("target", "import", str(filled)))
    assert f"{filled}: wide layout, header on row 3, 11 allocations" in result.stderr
    assert f"recorded 11 allocations from {filled}" in result.stderr
    # the relocation shares add up to the city target 63824: no warning about their total;
    # one county's share of the training target is short of it (a warning, recorded all the same)
    assert "People relocated: allocations" not in result.stderr
    assert (
        "warning: Datong City, Poor workers given skills training: allocations to 1 area add up "
        "to 2,500 people, 17,500 people short of the Datong City target 20,000 people"
    ) in result.stderr
    got = status_scopes(run, "housing.relocated_people")
    assert got == {"datong": 63824, **shares}
    rows = json.loads(ok(run("status", "--json", "--area", "天镇县")).stdout)["rows"]
    mine = {(r["indicator"], r["target"], r["source"]) for r in rows if r["scope"] == "tianzhen"}
    assert ("housing.relocated_people", 11500, "allocation") in mine
    assert ("jobs.trained", 2500, "allocation") in mine
    assert len(allocations(run)) == 11
    # recorded with who and when, and the file and line each came from (read from the file)
    raw = list(json.loads(db_path.read_text("utf-8"))["allocations"].values())
    assert {a["by"] for a in raw} == {"tester"}
    assert all(a["recorded_at"].startswith("20") for a in raw)
    tianzhen = [a["source"] for a in raw if a["area"] == "tianzhen"]
    assert tianzhen == [f"target import {filled}:9", f"target import {filled}:9"]


def test_the_same_breakdown_again_records_nothing(run, initialised, tmp_path: Path) -> None:
    filled = fill_wide(
        breakdown(run, tmp_path), {("jobs.trained", "Tianzhen County"): 2500}, tmp_path / "b.xlsx"
    )
    ok(run("target", "import", str(filled)))
    again = ok(run("target", "import", str(filled)))
    assert "nothing new to record: every row is the allocation already recorded" in again.stderr
    assert len(allocations(run)) == 1


# ---------------------------------------------------------------------------- long tables


LONG_ZH = (
    "大同市脱贫攻坚任务分解表（第二批）\n"
    "单位：人\n"
    "\n"
    "序号,地区,指标,数值,截止日期,备注\n"
    "1,天镇县,易地扶贫搬迁人口,5200,2019-06-30,调整\n"
    "2,阳高,jobs.trained,1800,,\n"
    ",合计,,7000,,\n"
)


def test_a_long_table_with_chinese_headers_and_a_title(run, initialised, tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text(LONG_ZH, encoding="gb18030")
    result = ok(run("target", "import", str(path), "--json"))
    data = json.loads(result.stdout)
    assert {k: data[k] for k in ("layout", "header_row", "encoding", "dry_run", "recorded")} == {
        "layout": "long",
        "header_row": 4,
        "encoding": "gb18030",
        "dry_run": False,
        "recorded": 2,
    }
    assert data["rows"] == [
        {
            "source": f"{path}:5",
            "area": "tianzhen",
            "indicator": "housing.relocated_people",
            "value": 5200,
            "due": "2019-06-30",
            "note": "调整",
            "status": "new",
            "previous": None,
        },
        {
            "source": f"{path}:6",
            "area": "yanggao",
            "indicator": "jobs.trained",
            "value": 1800,
            "due": None,
            "note": "",
            "status": "new",
            "previous": None,
        },
    ]
    assert "total rows 7 skipped" in result.stderr
    assert [(a["indicator"], a["area"], a["value"], a["due"]) for a in allocations(run)] == [
        ("housing.relocated_people", "tianzhen", 5200, "2019-06-30"),
        ("jobs.trained", "yanggao", 1800, None),
    ]


def test_a_long_workbook_with_english_headers(run, initialised, tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in (
        ["area", "indicator", "value", "due"],
        ["Guangling County", "jobs.placed", 2000, None],
    ):
        ws.append(row)
    wb.save(tmp_path / "long.xlsx")
    ok(run("target", "import", str(tmp_path / "long.xlsx")))
    assert [(a["indicator"], a["area"], a["value"]) for a in allocations(run)] == [
        ("jobs.placed", "guangling", 2000)
    ]


# ---------------------------------------------------------------------------- all or nothing


def test_every_bad_cell_is_named_and_nothing_is_written(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "area,indicator,value,due\n"
        '天镇县,易地扶贫搬迁人口,"5,200",\n'  # line 2: a thousands separator
        "大同市,jobs.trained,100,\n"  # line 3: the city itself
        "某县,jobs.trained,100,\n"  # line 4: no such area
        "阳高县,publicity.policy_briefings,3,\n"  # line 5: an activity has no numeric target
        "阳高县,jobs.trained,2.5,\n"  # line 6: people are whole
        "阳高县,jobs.placed,10,2017-12-31\n"  # line 7: a due date before the plan
        "广灵县,jobs.placed,10,\n"
        "广灵县,jobs.placed,20,\n",  # line 9: the same area and indicator again
        encoding="utf-8",
    )
    before = db_path.read_bytes()
    result = run("target", "import", str(path))
    assert result.exit_code == 2
    assert db_path.read_bytes() == before
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: target import refused, nothing written: 7 problem(s)"
    assert lines[1:] == [  # in line order
        f"error: {path}:2:3: value '5,200' is not a number; write it without thousands "
        "separators: 5200",
        f"error: {path}:3:1: datong is the city itself; allocations give a share to an area",
        f"error: {path}:4:1: unknown area '某县'",
        f"error: {path}:5:2: publicity.policy_briefings is an activity indicator: it has no "
        "numeric target",
        f"error: {path}:6:3: value 2.5 must be a whole number of people",
        f"error: {path}:7:4: due date 2017-12-31 is before the plan starts (2018-01-01)",
        f"error: {path}:9:3: guangling jobs.placed is already given at {path}:8",
    ]


def test_a_wide_heading_that_names_no_indicator(run, initialised, tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("地区,jobs.trained,培训人数\n天镇县,100,100\n", encoding="utf-8")
    result = run("target", "import", str(path))
    assert result.exit_code == 2
    assert f"{path}:1:3: the heading '培训人数' names no indicator (by id or name)" in result.stderr
    assert allocations(run) == []


def test_a_table_without_a_header(run, initialised, tmp_path: Path) -> None:
    path = tmp_path / "none.csv"
    path.write_text("天镇县,jobs.trained,100\n", encoding="utf-8")
    result = run("target", "import", str(path))
    assert result.exit_code == 2
    assert f"{path}: no header found: the header row names the area column" in result.stderr


# ---------------------------------------------------------------------------- dry run, warnings


def test_dry_run_shows_rows_and_warnings_and_writes_nothing(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    path = tmp_path / "b.csv"
    path.write_text(
        "地区,housing.relocated_people,housing.relocated_registered,housing.relocated_alongside\n"
        "天镇县,5000,3000,1000\n"
        "阳高县,638240000,,\n",
        encoding="utf-8",
    )
    before = db_path.read_bytes()
    result = ok(run("target", "import", str(path), "--dry-run", "--json"))
    assert db_path.read_bytes() == before
    data = json.loads(result.stdout)
    assert (data["dry_run"], data["recorded"], len(data["rows"])) == (True, 0, 4)
    kinds = sorted((w["kind"], w["area"], w["indicator"]) for w in data["warnings"])
    assert kinds == [
        ("allocations-total", "datong", "housing.relocated_alongside"),
        ("allocations-total", "datong", "housing.relocated_people"),
        ("allocations-total", "datong", "housing.relocated_registered"),
        ("relocation-parts", "tianzhen", "housing.relocated_people"),
        ("slip", "yanggao", "housing.relocated_people"),
    ]
    said = {w["kind"] + w["indicator"]: w["message"] for w in data["warnings"]}
    assert said["allocations-totalhousing.relocated_registered"] == (
        "Datong City, Registered poor people relocated: allocations to 1 area add up to 3,000 "
        "people, 43,216 people short of the Datong City target 46,216 people"
    )
    assert said["relocation-partshousing.relocated_people"].startswith(
        "Tianzhen County: targets: People relocated 5,000 ≠ Registered poor people relocated "
        "3,000 + People relocated alongside 1,000 = 4,000"
    )
    assert "times more than the 63,824 people city target" in said["sliphousing.relocated_people"]
    assert "warning: Datong City, People relocated: allocations to 2 areas add up to" in (
        result.stderr
    )
    assert "dry run, nothing written: would record 4 allocations (4 new" in result.stderr
    assert allocations(run) == []


def test_chinese_messages(run, initialised, tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("地区,指标,数值\n天镇县,jobs.trained,abc\n", encoding="utf-8")
    result = run("--lang", "zh", "target", "import", str(path))
    assert result.exit_code == 2
    assert "target import 已拒绝，未写入任何内容：1 个问题" in result.stderr
    path.write_text("地区,指标,数值\n天镇县,jobs.trained,100\n", encoding="utf-8")
    done = ok(run("target", "import", str(path), "--lang", "zh"))
    assert f"{path}：长表，表头在第 1 行，1 条分解任务" in done.stderr
    assert f"已记录 1 条分解任务（来自 {path}）" in done.stderr


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_blank_sheet_reads_back_in_either_format(
    run, initialised, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / f"b.{fmt}"
    ok(run("template", "--allocations", "--format", fmt, "-o", str(out), "--lang", "zh"))
    if fmt == "csv":
        text = out.read_text("utf-8-sig").replace("天镇县,,", "天镇县,30,", 1)
        out.write_text(text, encoding="utf-8-sig")
    else:
        wb = openpyxl.load_workbook(out)
        wb.worksheets[0]["B9"] = 30  # row 9: 天镇县; column B: goals.villages_exited
        wb.save(out)
    ok(run("target", "import", str(out)))
    assert [(a["indicator"], a["area"], a["value"]) for a in allocations(run)] == [
        ("goals.villages_exited", "tianzhen", 30)
    ]

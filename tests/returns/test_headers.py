"""Issue 13, returns as counties make them: headers.

Chinese header names and their synonyms, Simplified or Traditional, beside the English ones; a
header below title and note rows (and which row was taken, said by the import); an area or a
date the title gives when no column does; 单位 as the area or as the unit; 序号 read as nothing.
Through the command line for the forms a county sends (CSV in UTF-8 and GBK), and
``read_returns`` for the rest. The expected rows are written out by hand.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.returns import MU, PEOPLE, only_problem, read, row, workbook

JUNE_24 = date(2018, 6, 24)
TITLE = "大同市脱贫攻坚周报表（灵丘县）"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def entries(run) -> list[dict[str, Any]]:
    result = run("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entries"]


# ---------------------------------------------------------------------------- through import


@pytest.mark.parametrize("encoding", ["utf-8", "gbk", "utf-8-sig"])
def test_chinese_csv_with_a_title_row_imports(
    run, initialised, tmp_path: Path, encoding: str
) -> None:
    f = write(
        tmp_path / "灵丘县第25周.csv",
        f"{TITLE},,,,\n"
        ",,,,\n"
        "填报日期,县区,指标名称,本周累计,备注\n"
        "2018/6/24,灵丘县,易地扶贫搬迁人口,1200,\n"
        "2018/6/24,灵丘县,人工造林,35.5,春季造林\n",
        encoding,
    )
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    used = "utf-8" if encoding == "utf-8" else encoding.replace("gbk", "gb18030")
    assert result.stderr.splitlines() == [
        f"{f}: 2 rows, read as {used}",
        f"{f}: read as {used}; long layout (one value a row); header on row 3 (the rows "
        "above it are its title and notes)",
        "  columns: 填报日期 → date, 县区 → area, 指标名称 → indicator, 本周累计 → value, "
        "备注 → note",
        "imported 2 entries from 1 file(s) as batch b1",
    ]
    got = sorted(
        (e["indicator"], e["area"], e["date"], e["value"], e["note"]) for e in entries(run)
    )
    assert got == [
        ("ecology.afforestation", "lingqiu", "2018-06-24", 35.5, "春季造林"),
        ("housing.relocated_people", "lingqiu", "2018-06-24", 1200, ""),
    ]


def test_the_english_header_imports_as_it_always_did(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"date,area,indicator,value\n2018-06-24,yanggao,{PEOPLE},5\n")
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{f}: 1 rows, read as utf-8",
        "imported 1 entries from 1 file(s) as batch b1",
    ]


def test_traditional_header_and_names(run, initialised, tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        "統計日期,縣區,項目,數值,說明\n2018.6.24,陽高縣,易地扶貧搬遷人口,5,已核實\n",
        "big5",
    )
    result = run("import", "--encoding", "big5", str(f))
    assert result.exit_code == 0, result.stderr
    assert (
        "  columns: 統計日期 → date, 縣區 → area, 項目 → indicator, 數值 → value, 說明 → note"
        in (result.stderr.splitlines())
    )
    [e] = entries(run)
    assert (e["indicator"], e["area"], e["date"], e["value"], e["note"]) == (
        PEOPLE,
        "yanggao",
        "2018-06-24",
        5,
        "已核實",
    )


# ---------------------------------------------------------------------------- the names


@pytest.mark.parametrize(
    "names",
    [
        ["日期", "地区", "指标", "数值", "备注"],
        ["报送日期", "单位", "指标名称", "累计完成", "说明"],
        ["填报日期", "地區", "項目", "完成数", "備註"],
        ["日 期", "县（区）", "指 标", "数　值", "备　注"],  # spaces to align, full-width
        ["DATE", "Area", "Indicator", "VALUE", "Note"],
    ],
)
def test_header_synonyms(tmp_path: Path, names: list[str]) -> None:
    f = write(
        tmp_path / "w.csv",
        ",".join(names) + f"\n2018-06-24,yanggao,{PEOPLE},5,ok\n",
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(JUNE_24, "yanggao", PEOPLE, 5, "ok", f"{f}:2")]
    assert [c.reads_as for c in files[0].header.columns] == [
        "date",
        "area",
        "indicator",
        "value",
        "note",
    ]


def test_week_synonyms(tmp_path: Path) -> None:
    for name in ("周", "周次", "週"):
        f = write(tmp_path / "w.csv", f"{name},地区,指标,数值\n2018-W26,yanggao,{MU},2.5\n")
        files, problems = read(f)
        assert problems == [], name
        assert files[0].rows == [row(date(2018, 7, 1), "yanggao", MU, 2.5, "", f"{f}:2")]


def test_serial_number_column_is_read_as_nothing(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"序号,日期,地区,指标,数值\n1,2018-06-24,yanggao,{PEOPLE},5\n")
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(JUNE_24, "yanggao", PEOPLE, 5, "", f"{f}:2")]


def test_the_unit_column_beside_an_area_column_is_checked(tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        "日期,地区,指标,单位,数值\n"
        f"2018-06-24,yanggao,{PEOPLE},人,5\n"
        f"2018-06-24,tianzhen,{MU},亩,2.5\n"
        "2018-06-24,lingqiu,industry.funds_raised,万元,3\n",
    )
    files, problems = read(f)
    assert problems == [
        f"{f}:4:4: the unit given is '万元', but industry.funds_raised is counted in yuan (元); "
        "give the value in yuan"
    ]
    assert files[0].rows == [
        row(JUNE_24, "yanggao", PEOPLE, 5, "", f"{f}:2"),
        row(JUNE_24, "tianzhen", MU, 2.5, "", f"{f}:3"),
    ]


def test_unknown_chinese_column_gets_a_suggestion(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"日期,地区,指标,数値\n2018-06-24,yanggao,{PEOPLE},5\n")
    _, problems = read(f)
    [unknown] = [p for p in problems if "unknown column" in p]
    assert unknown.startswith(f"{f}:1: unknown column '数値'; did you mean ")
    assert "'数值'" in unknown


def test_two_columns_for_one_field(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", f"日期,地区,县区,指标,数值\n2018-06-24,yanggao,x,{PEOPLE},5\n")
    assert only_problem(f) == f"{f}:1: columns '地区', '县区' all read as area"


# ---------------------------------------------------------------------------- title rows


def test_header_below_title_and_note_rows_in_a_workbook(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w.xlsx",
        [
            [TITLE],
            [None],
            ["填报单位：灵丘县扶贫办", None, None, "联系人：张三"],
            ["日期", "地区", "指标", "数值"],
            ["2018/6/24", "灵丘县", PEOPLE, 5],
        ],
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].header.row == 4  # Excel's numbering: row 2 is empty
    assert files[0].rows == [row(JUNE_24, "lingqiu", PEOPLE, 5, "", f"{f}:5")]


def test_the_title_gives_the_area_and_the_date(tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        f"{TITLE}\n填报日期：2018年6月24日\n指标,数值\n易地扶贫搬迁人口,5\n人工造林,1.5\n",
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [
        row(JUNE_24, "lingqiu", PEOPLE, 5, "", f"{f}:4"),
        row(JUNE_24, "lingqiu", MU, 1.5, "", f"{f}:5"),
    ]
    given = files[0].header.given
    assert (given["area"].row, given["area"].text, given["area"].value) == (1, "灵丘县", "lingqiu")
    assert (given["date"].row, given["date"].value) == (2, JUNE_24)


def test_columns_win_over_the_title(tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        f"{TITLE} 2018年6月17日\n日期,地区,指标,数值\n2018-06-24,阳高县,{PEOPLE},5\n",
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(JUNE_24, "yanggao", PEOPLE, 5, "", f"{f}:3")]
    assert files[0].header.given == {}


@pytest.mark.parametrize(
    ("title", "problem"),
    [
        (
            "阳高县、天镇县周报表 2018年6月24日",
            "2: the title names several areas (阳高县, 天镇县), so it does not say whose "
            "return this is; add an area column",
        ),
        (
            "灵丘县周报表 2018年6月18日至6月24日",
            "2: the title gives a period (from 2018年6月18日), not one date; add a date "
            "column, or give only the closing date in the title",
        ),
        (
            "灵丘县周报表 2018年6月17日 2018年6月24日",
            "2: the title gives several dates (2018-06-17, 2018-06-24); add a date column",
        ),
        (
            "灵丘县周报表 2018/2/30",
            "2: the date in the title: '2018/2/30' is not a real date",
        ),
        (
            "灵丘县周报表 2017年12月31日",
            "2: date 2017-12-31 is before the plan starts (2018-01-01)",
        ),
    ],
)
def test_a_title_that_cannot_be_read_without_a_guess(
    tmp_path: Path, title: str, problem: str
) -> None:
    f = write(tmp_path / "w.csv", f"\n{title}\n指标,数值\n易地扶贫搬迁人口,5\n")
    _, problems = read(f)
    assert f"{f}:{problem}" in problems


def test_without_area_or_date_anywhere(tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", "周报表\n指标,数值\n易地扶贫搬迁人口,5\n")
    _, problems = read(f)
    assert problems == [
        f"{f}:2: the header needs a 'date' or a 'week' column (one of them)",
        f"{f}:2: missing column 'area' (header: date,area,indicator,value[,note])",
    ]

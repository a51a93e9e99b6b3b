"""Weekly returns as Excel workbooks (.xlsx, read directly with openpyxl): saved numbers and
formula results, week columns and headers below blank rows, the preferred returns sheet, Excel
error values and unsaved formulas, bad cells and headers, unreadable workbooks; and the CLI
importing a workbook (and loading openpyxl only then).

Every fixture file is written here, in the test. Expected messages and values are written out
by hand; nothing is computed with the code under test.
"""

from __future__ import annotations

import hashlib
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from tests.helpers.refusals import about, refused
from tests.helpers.returns import (
    HEADER,
    MU,
    PEOPLE,
    WORKBOOK_HEADER,
    only_problem,
    read,
    row,
    workbook,
)


def patch_cells(path: Path, cells: dict[str, str]) -> Path:
    """Replace the placeholder text cells ``@@D2`` ... of sheet1 with raw cell XML, the way
    Excel itself saves formulas (with their saved result) and numbers."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode("utf-8")
    for ref, raw in cells.items():
        placeholder = f'<c r="{ref}" t="inlineStr"><is><t>@@{ref}</t></is></c>'
        assert placeholder in xml, ref
        xml = xml.replace(placeholder, raw)
    parts["xl/worksheets/sheet1.xml"] = xml.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for n, data in parts.items():
            zf.writestr(n, data)
    return path


# ---------------------------------------------------------------------------- workbooks


def test_xlsx_rows_read_like_csv(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w27.xlsx",
        [
            WORKBOOK_HEADER,
            [date(2018, 7, 1), "阳高县", PEOPLE, 5200, "县扶贫办"],  # a real date cell
            ["2018-07-01", "天镇县", PEOPLE, "  310 ", None],  # text cells, as typed
            [datetime(2018, 7, 8), "lingqiu", MU, 12.5, 7],  # a midnight datetime; note 7
        ],
    )
    files, problems = read(f)
    assert problems == []
    [rf] = files
    assert (rf.kind, rf.encoding, rf.sheet, rf.name) == ("xlsx", "xlsx", "Sheet1", str(f))
    assert rf.sha256 == hashlib.sha256(f.read_bytes()).hexdigest()
    assert rf.rows == [
        row(date(2018, 7, 1), "yanggao", PEOPLE, 5200, "县扶贫办", f"{f}:2"),
        row(date(2018, 7, 1), "tianzhen", PEOPLE, 310, "", f"{f}:3"),
        row(date(2018, 7, 8), "lingqiu", MU, 12.5, "7", f"{f}:4"),
    ]
    assert type(rf.rows[0]["value"]) is int


def test_xlsx_saved_numbers_and_formula_results(tmp_path: Path) -> None:
    """Excel saves 5200 as a float; a formula counts with the result Excel saved."""
    f = workbook(
        tmp_path / "w.xlsx",
        [
            WORKBOOK_HEADER,
            ["2018-07-01", "yanggao", PEOPLE, "@@D2"],
            ["2018-07-01", "tianzhen", PEOPLE, "@@D3"],
            ["2018-07-01", "lingqiu", PEOPLE, "@@D4"],
        ],
    )
    patch_cells(
        f,
        {
            "D2": '<c r="D2"><v>5200.0</v></c>',
            "D3": '<c r="D3"><f>SUM(100,200)</f><v>300</v></c>',
            "D4": '<c r="D4"><v>4.5E2</v></c>',
        },
    )
    [rf], problems = read(f)
    assert problems == []
    assert [(r["area"], r["value"]) for r in rf.rows] == [
        ("yanggao", 5200),
        ("tianzhen", 300),
        ("lingqiu", 450),
    ]
    assert all(type(r["value"]) is int for r in rf.rows)


def test_xlsx_week_column_and_header_below_blank_rows(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w.xlsx",
        [
            [],
            [None, None],
            ["Week", "Area", "Indicator", "Value"],  # row 3: the header, any case
            ["2018-W23", "阳高", PEOPLE, 40],
            [],
            ["２０１８-Ｗ２３", "天镇", PEOPLE, "１２０"],  # full-width, as a Chinese IME types
        ],
    )
    [rf], problems = read(f)
    assert problems == []
    assert rf.rows == [
        row(date(2018, 6, 10), "yanggao", PEOPLE, 40, "", f"{f}:4"),
        row(date(2018, 6, 10), "tianzhen", PEOPLE, 120, "", f"{f}:6"),
    ]


def test_xlsx_returns_sheet_is_preferred(tmp_path: Path) -> None:
    f = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active.append(["本表每周五前报送"])
    ws = wb.create_sheet(" 填报 ")
    ws.append(WORKBOOK_HEADER)
    ws.append(["2018-07-01", "yanggao", PEOPLE, 9, "ok"])
    wb.save(f)
    [rf], problems = read(f)
    assert problems == []
    assert rf.sheet == " 填报 "
    assert rf.rows == [row(date(2018, 7, 1), "yanggao", PEOPLE, 9, "ok", f"{f}:2")]


def test_xlsx_error_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    for r in (
        WORKBOOK_HEADER,
        ["2018-07-01", "yanggao", PEOPLE, "#DIV/0!"],
        ["2018-07-01", "#N/A", PEOPLE, 5],
        ["2018-07-01", "lingqiu", PEOPLE, "@@D4"],
        ["2018-07-01", "hunyuan", PEOPLE, 6],
    ):
        ws.append(r)
    ws["D2"].data_type = "e"  # a real error cell, not text
    ws["B3"].data_type = "e"
    f = tmp_path / "w.xlsx"
    wb.save(f)
    # as Excel saves a formula whose result is an error
    patch_cells(f, {"D4": '<c r="D4" t="e"><f>B4/0</f><v>#REF!</v></c>'})
    assert '<c r="D2" t="e"><v>#DIV/0!</v></c>' in zipfile.ZipFile(f).read(
        "xl/worksheets/sheet1.xml"
    ).decode("utf-8")
    files, problems = read(f)
    assert problems == [
        f"{f}:2:4: Excel error value #DIV/0! in the value cell; fix the formula in the return",
        f"{f}:3:2: Excel error value #N/A in the area cell; fix the formula in the return",
        f"{f}:4:4: Excel error value #REF! in the value cell; fix the formula in the return",
    ]
    assert [r["area"] for r in files[0].rows] == ["hunyuan"]


def test_xlsx_formula_without_saved_value(tmp_path: Path) -> None:
    """openpyxl (like other programs) saves formulas without calculating them."""
    f = workbook(
        tmp_path / "w.xlsx",
        [
            WORKBOOK_HEADER,
            ["2018-07-01", "yanggao", PEOPLE, "=SUM(1,2)"],
            ["2018-07-01", "tianzhen", PEOPLE, None],  # plainly empty
        ],
    )
    _, problems = read(f)
    assert problems == [
        f"{f}:2:4: the value cell is a formula with no saved value; open the file in Excel "
        "and save it, then import it again",
        f"{f}:3:4: value is empty (a value not reported is left out, never written as 0)",
    ]


@pytest.mark.parametrize(
    ("cells", "problem"),
    [
        (
            [datetime(2018, 7, 1, 10, 30), "yanggao", PEOPLE, 5],
            "2:1: date 2018-07-01 10:30 has a time of day; give the date only",
        ),
        (
            [43282, "yanggao", PEOPLE, 5],  # a date serial number, not formatted as a date
            "2:1: the date cell holds the number 43282, not a date; format the cell as a date "
            "or write YYYY-MM-DD, e.g. 2018-06-03",
        ),
        (
            ["2018-07-01", "yanggao", PEOPLE, -5],
            "2:4: value -5 is negative; reported values are totals or counts, ≥ 0",
        ),
        (
            ["2018-07-01", "yanggao", PEOPLE, 12.5],
            "2:4: value 12.5 must be a whole number of people",
        ),
        (["2018-07-01", "yanggao", PEOPLE, True], "2:4: value TRUE is not a number"),
        (
            ["2018-07-01", "yanggao", PEOPLE, date(2018, 7, 1)],
            "2:4: the value cell holds a date or time (2018-07-01), not a number; "
            "format the cell as a number",
        ),
        (
            ["2018-07-01", "yanggao", PEOPLE, "1,234"],
            "2:4: value '1,234' is not a number; write it without thousands separators: 1234",
        ),
        (
            ["2017-12-31", "yanggao", PEOPLE, 5],
            "2:1: date 2017-12-31 is before the plan starts (2018-01-01)",
        ),
        (
            ["2018-07-01", "yanggao", PEOPLE, 5, None, None, "多余"],
            "2:7: a cell outside the header's columns ('多余'); the header (row 1) names no "
            "column here",
        ),
    ],
)
def test_xlsx_bad_cells(tmp_path: Path, cells: list[Any], problem: str) -> None:
    f = workbook(tmp_path / "w.xlsx", [WORKBOOK_HEADER, cells])
    assert only_problem(f) == f"{f}:{problem}"


def test_xlsx_week_cell_holding_a_date(tmp_path: Path) -> None:
    f = workbook(tmp_path / "w.xlsx", [["week", "area", "indicator", "value"]])
    wb = openpyxl.load_workbook(f)
    wb.active.append([date(2018, 6, 10), "yanggao", PEOPLE, 5])
    wb.save(f)
    assert only_problem(f) == (
        f"{f}:2:1: the week cell holds a date (2018-06-10); write the ISO week, e.g. 2018-W23, "
        "or name the column 'date'"
    )


def test_xlsx_header_problems(tmp_path: Path) -> None:
    f = workbook(tmp_path / "w.xlsx", [["date", "area", "indicator", "vaule"]])
    _, problems = read(f)
    assert problems == [
        f"{f}:1: unknown column 'vaule'; did you mean 'value'?",
        f"{f}:1: missing column 'value' (header: date,area,indicator,value[,note])",
    ]


def test_xlsx_empty_sheet(tmp_path: Path) -> None:
    f = workbook(tmp_path / "w.xlsx", [], title="第27周")
    assert only_problem(f) == (
        f"{f}: sheet '第27周' is empty (expected a header: date,area,indicator,value)"
    )


def test_unreadable_workbooks_are_one_line(tmp_path: Path) -> None:
    good = workbook(tmp_path / "good.xlsx", [WORKBOOK_HEADER, ["2018-07-01", "yanggao", PEOPLE, 1]])
    not_zip = tmp_path / "text.xlsx"
    not_zip.write_text(HEADER, encoding="utf-8")
    cut = tmp_path / "cut.xlsx"
    cut.write_bytes(good.read_bytes()[:2000])
    no_workbook = tmp_path / "other.xlsx"
    with zipfile.ZipFile(no_workbook, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    files, problems = read(not_zip, cut, no_workbook)
    assert files == []
    assert problems[0] == f"{not_zip}: not a readable Excel workbook (File is not a zip file)"
    assert problems[1] == f"{cut}: not a readable Excel workbook (File is not a zip file)"
    assert problems[2].startswith(f"{no_workbook}: not a readable Excel workbook (")
    assert len(problems) == 3
    assert all("\n" not in p for p in problems)


def test_same_row_in_a_csv_and_a_workbook(tmp_path: Path) -> None:
    a = tmp_path / "a.csv"
    a.write_text(HEADER + f"2018-07-01,yanggao,{PEOPLE},5,\n", encoding="utf-8")
    b = workbook(tmp_path / "b.xlsx", [WORKBOOK_HEADER, [date(2018, 7, 1), "阳高县", PEOPLE, 6]])
    assert only_problem(a, b) == (f"{b}:2:4: yanggao {PEOPLE} 2018-07-01 is already given at {a}:2")


# ---------------------------------------------------------------------------- the CLI


def _log(run) -> list[dict[str, Any]]:
    result = run("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entries"]


def test_cli_imports_a_workbook(run, initialised, tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "2018-W27.xlsx",
        [
            WORKBOOK_HEADER,
            [date(2018, 7, 1), "阳高县", PEOPLE, 5200, "县扶贫办"],
            ["2018-07-01", "天镇县", MU, 12.5, None],
        ],
    )
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    entries = sorted(_log(run), key=lambda e: e["area"])
    assert [
        (e["area"], e["indicator"], e["date"], e["value"], e["note"], e["source"]) for e in entries
    ] == [
        ("tianzhen", MU, "2018-07-01", 12.5, "", f"{f}:3"),
        ("yanggao", PEOPLE, "2018-07-01", 5200, "县扶贫办", f"{f}:2"),
    ]
    again = run("import", str(f))  # the same bytes: nothing added
    assert again.exit_code == 0, again.stderr
    assert "already imported" in again.stderr
    assert len(_log(run)) == 2


def test_cli_bad_workbook_writes_nothing(run, initialised, tmp_path: Path, db_path: Path) -> None:
    good = tmp_path / "good.csv"
    good.write_text(HEADER + f"2018-07-01,hunyuan,{PEOPLE},10,\n", encoding="utf-8")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(WORKBOOK_HEADER)
    ws.append(["2018-07-01", "yanggao", PEOPLE, "#DIV/0!"])
    ws["D2"].data_type = "e"
    bad = tmp_path / "bad.xlsx"
    wb.save(bad)
    before = db_path.read_bytes()
    result = run("import", str(good), str(bad))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert (
        f"error: {bad}:2:4: Excel error value #DIV/0! in the value cell; fix the formula in "
        "the return"
    ) in result.stderr.splitlines()
    assert db_path.read_bytes() == before
    assert _log(run) == []


def test_cli_corrupt_workbook_is_one_line(run, initialised, tmp_path: Path, db_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"PK\x03\x04 this is not really a workbook")
    before = db_path.read_bytes()
    result = run("import", str(bad))
    assert result.exit_code == 2
    assert "Traceback" not in result.stderr
    assert f"error: {bad}: not a readable Excel workbook (File is not a zip file)" in (
        result.stderr.splitlines()
    )
    assert db_path.read_bytes() == before


def test_openpyxl_is_loaded_only_for_a_workbook() -> None:
    import subprocess
    import sys

    code = (
        "import sys, povtrack.cli, povtrack.actions.writes, povtrack.returns.reader; "
        "print('openpyxl' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout == "False\n"


# ------------------------------------------------ a workbook with only a header row (catalogue E-2)


def test_xlsx_with_only_a_header_row_is_refused(run, initialised, db_path: Path, tmp_path: Path):
    path = tmp_path / "in" / "w21.xlsx"
    path.parent.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["week", "area", "indicator", "value"])
    wb.save(path)
    before = db_path.read_bytes()
    err = refused(run("import", str(path)), 2)
    [line] = about(err, path)
    assert "no data rows, only the header" in line
    assert db_path.read_bytes() == before

"""Weekly returns as they come from the counties: Excel workbooks, Chinese encodings, Excel's
CSV dialects, stray characters, and files that are not returns at all.

Every fixture file is written here, in the test. Expected messages and values are written out
by hand; nothing is computed with the code under test.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import zipfile
from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.cells import parse_value
from povtrack.errors import UsageError
from povtrack.planfile import bundled_text, parse_plan
from povtrack.returns import decode, read_returns

PLAN = parse_plan(bundled_text(), "test")
PEOPLE = "housing.relocated_people"  # unit: people (whole numbers)
MU = "ecology.afforestation"  # unit: mu (fractions allowed)
HEADER = "date,area,indicator,value,note\n"
WORKBOOK_HEADER = ["date", "area", "indicator", "value", "note"]


def read(*paths: Path, encoding: str | None = None) -> tuple[list[Any], list[str]]:
    return read_returns(list(paths), PLAN, encoding=encoding)


def only_problem(*paths: Path, **kwargs: Any) -> str:
    _, problems = read(*paths, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def row(day: date, area: str, indicator: str, value: float, note: str, source: str) -> dict:
    return {
        "date": day,
        "area": area,
        "indicator": indicator,
        "value": value,
        "note": note,
        "source": source,
    }


def workbook(path: Path, rows: list[list[Any]], title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


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
            "2:4: value '1,234' is not a number; write it without thousands separators, e.g. 12345",
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


# ---------------------------------------------------------------------------- not CSV text


def test_workbook_under_a_csv_name(tmp_path: Path) -> None:
    f = workbook(tmp_path / "w27.csv", [WORKBOOK_HEADER])
    assert (
        only_problem(f)
        == f"{f}: this is an Excel workbook saved under a .csv name; rename it to .xlsx"
    )


def test_other_zip_under_a_csv_name(tmp_path: Path) -> None:
    f = tmp_path / "w27.csv"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("content.xml", "<x/>")
    assert only_problem(f) == (
        f"{f}: this is a zip archive, not CSV text (an .ods or Word file?); "
        "save the return as .xlsx or CSV UTF-8"
    )


@pytest.mark.parametrize("name", ["w27.xls", "w27.csv", "w27.xlsx"])
def test_old_xls_or_protected_workbook(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert only_problem(f) == (
        f"{f}: this is an Excel 97-2003 (.xls) or password-protected workbook; povtrack reads "
        ".xlsx and CSV: open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8, "
        "without a password"
    )


def test_control_character_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes(b"date,area,indicator,value\r\n2018-07-01,yang\x1bgao,x,1\r\n")
    assert only_problem(f) == (
        f"{f}:2:16: binary data (control character U+001B); not a CSV text file"
    )


def test_nul_byte_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes(b"date,area\x00,indicator,value\n")
    assert only_problem(f) == f"{f}: not a CSV text file (binary data)"


def test_nul_in_utf16_text_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes("date\tarea\nx\x00y\n".encode("utf-16"))
    assert only_problem(f) == (
        f"{f}:2:2: binary data (control character U+0000); not a CSV text file"
    )


# ---------------------------------------------------------------------------- encodings


def test_gbk_csv(tmp_path: Path) -> None:
    f = tmp_path / "gbk.csv"
    f.write_bytes((HEADER + "2018-07-01,阳高县,易地扶贫搬迁人口,5200,县发改局\n").encode("gbk"))
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "gb18030"
    assert rf.rows == [row(date(2018, 7, 1), "yanggao", PEOPLE, 5200, "县发改局", f"{f}:2")]


def test_gb18030_csv_beyond_gbk(tmp_path: Path) -> None:
    """𠮷 (U+20BB7) is not in GBK; GB18030 writes it in four bytes."""
    data = (HEADER + f"2018-07-01,天镇县,{PEOPLE},7,𠮷家村\n").encode("gb18030")
    # U+20BB7 - U+10000 = 68535 = ((5 * 10 + 4) * 126 + 49) * 10 + 5: 95 34 B2 35
    assert "𠮷".encode("gb18030") == b"\x95\x34\xb2\x35"
    with pytest.raises(UnicodeEncodeError):
        "𠮷".encode("gbk")
    f = tmp_path / "gb18030.csv"
    f.write_bytes(data)
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "gb18030"
    assert rf.rows == [row(date(2018, 7, 1), "tianzhen", PEOPLE, 7, "𠮷家村", f"{f}:2")]


def test_utf16_tab_separated(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 little-endian with a BOM, tabs, CRLF."""
    text = "date\tarea\tindicator\tvalue\tnote\r\n2018-07-01\t灵丘县\t" + PEOPLE + "\t88\t备注\r\n"
    f = tmp_path / "unicode.txt"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "utf-16"
    assert rf.rows == [row(date(2018, 7, 1), "lingqiu", PEOPLE, 88, "备注", f"{f}:2")]


def test_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (HEADER + f"2018-07-01,广灵县,{PEOPLE},3,\n").encode())
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "utf-8-sig"
    assert rf.rows == [row(date(2018, 7, 1), "guangling", PEOPLE, 3, "", f"{f}:2")]


def test_undecodable_byte_has_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    # line 1 is 31 bytes; \xff is neither UTF-8 nor GB18030, 36th character of line 2
    f.write_bytes(HEADER.encode() + b"2018-07-01,yanggao,jobs.placed,5,ab\xff\n")
    assert only_problem(f) == (
        f"{f}: cannot read the text: not UTF-8 or GB18030 at line 2, column 36 "
        "(byte offset 66); save it as CSV UTF-8 or pass --encoding"
    )


def test_undecodable_gbk_file_counts_characters(tmp_path: Path) -> None:
    """A GBK file with one bad byte: GB18030 reads furthest, so its position is given, in
    characters (阳高县 is 3 characters, 6 bytes)."""
    f = tmp_path / "bad.csv"
    f.write_bytes(("date,area\n阳高县,").encode("gbk") + b"\xff\n")
    assert only_problem(f) == (
        f"{f}: cannot read the text: not UTF-8 or GB18030 at line 2, column 5 "
        "(byte offset 17); save it as CSV UTF-8 or pass --encoding"
    )


def test_explicit_encoding_error_has_a_position() -> None:
    with pytest.raises(UsageError) as caught:
        decode(b"date\r\nab\xe9", "utf-8")
    assert caught.value.message == "not utf-8 text at line 2, column 3 (byte offset 8)"
    with pytest.raises(UsageError) as caught:
        decode(b"x", "no-such-codec")
    assert caught.value.message == "unknown encoding 'no-such-codec'"
    assert decode("陽高".encode("big5"), "big5") == ("陽高", "big5")


# ---------------------------------------------------------------------------- CSV dialects


def test_excel_sep_line_semicolon(tmp_path: Path) -> None:
    f = tmp_path / "sep.csv"
    f.write_text(
        "sep=;\r\ndate;area;indicator;value;note\r\n"
        f"2018-07-01;yanggao;{PEOPLE};5;a,b\r\n"
        f"2018-07-01;tianzhen;{PEOPLE};6;\r\n",
        encoding="utf-8",
        newline="",
    )
    [rf], problems = read(f)
    assert problems == []
    assert rf.rows == [  # line numbers count the sep= line
        row(date(2018, 7, 1), "yanggao", PEOPLE, 5, "a,b", f"{f}:3"),
        row(date(2018, 7, 1), "tianzhen", PEOPLE, 6, "", f"{f}:4"),
    ]


def test_excel_sep_line_tab_and_comma(tmp_path: Path) -> None:
    tab = tmp_path / "tab.csv"
    tab.write_text(f"sep=\t\ndate\tarea\tindicator\tvalue\n2018-07-01\tyanggao\t{PEOPLE}\t5\n")
    comma = tmp_path / "comma.csv"
    comma.write_text(f"SEP=,\n\ndate,area,indicator,value\n2018-07-08,yanggao,{PEOPLE},9\n")
    files, problems = read(tab, comma)
    assert problems == []
    assert [r["source"] for rf in files for r in rf.rows] == [f"{tab}:3", f"{comma}:4"]
    assert [r["value"] for rf in files for r in rf.rows] == [5, 9]


def test_unsupported_sep_line(tmp_path: Path) -> None:
    f = tmp_path / "sep.csv"
    f.write_text(f"sep=|\ndate|area|indicator|value\n2018-07-01|yanggao|{PEOPLE}|5\n")
    assert only_problem(f) == (
        f"{f}:1: the separator line 'sep=|' names no separator povtrack reads; "
        "write sep=, or sep=; or sep= and a tab"
    )


@pytest.mark.parametrize(("sep", "shown"), [(";", "';'"), ("，", "'，'")])
def test_one_column_header_with_another_separator(tmp_path: Path, sep: str, shown: str) -> None:
    f = tmp_path / "semi.csv"
    f.write_text(
        sep.join(["date", "area", "indicator", "value"])
        + "\n"
        + sep.join(["2018-07-01", "yanggao", PEOPLE, "5"])
        + "\n",
        encoding="utf-8",
    )
    assert only_problem(f) == (
        f"{f}:1: found 1 column; the file appears to be {shown}-separated (povtrack reads "
        "comma- or tab-separated CSV; save as CSV UTF-8)"
    )


def test_full_width_and_padded_cells(tmp_path: Path) -> None:
    f = tmp_path / "fw.csv"
    f.write_text(
        HEADER
        + f"２０１８-０７-０１,阳高县,{PEOPLE},５２００,\n"
        + f"2018-07-01,天镇县,{MU},\u3000１２．５\u00a0,\n"
        + f"2018-07-01,灵丘县,{PEOPLE}, +7 ,\n",
        encoding="utf-8",
    )
    [rf], problems = read(f)
    assert problems == []
    assert [(r["area"], r["date"], r["value"]) for r in rf.rows] == [
        ("yanggao", date(2018, 7, 1), 5200),
        ("tianzhen", date(2018, 7, 1), 12.5),
        ("lingqiu", date(2018, 7, 1), 7),
    ]


def test_bad_value_texts_in_csv(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER
        + f"2018-07-01,yanggao,{PEOPLE},52\u200b00,\n"  # line 2
        + f"2018-07-01,tianzhen,{PEOPLE},٥٢,\n"  # line 3: Arabic-Indic digits
        + f"2018-07-01,lingqiu,{PEOPLE},#DIV/0!,\n"  # line 4
        + f"2018-07-01,hunyuan,{PEOPLE},N/A,\n"  # line 5
        + f"٢٠١٨-٠٧-٠١,guangling,{PEOPLE},1,\n"  # line 6
        + f"2018-07-01,tianzhen,{PEOPLE},\ufeff3,\n"  # line 7: a BOM inside the cell
        + f"2018-07-01,yunzhou,{PEOPLE},5²,\n",  # line 8: not 52
        encoding="utf-8",
    )
    files, problems = read(f)
    assert problems == [
        f"{f}:2:4: value '5200' contains an invisible character (U+200B ZERO WIDTH SPACE); "
        "delete the cell's content and type the value again",
        f"{f}:3:4: value '٥٢' is not a number",
        f"{f}:4:4: Excel error value #DIV/0! in the value cell; fix the formula in the return",
        f"{f}:5:4: value 'N/A' is not a number",
        f"{f}:6:1: '٢٠١٨-٠٧-٠١' is not a date; write YYYY-MM-DD, e.g. 2018-06-03",
        f"{f}:7:4: value '3' contains an invisible character (U+FEFF ZERO WIDTH NO-BREAK "
        "SPACE); delete the cell's content and type the value again",
        f"{f}:8:4: value '5²' is not a number",
    ]
    assert files[0].rows == []


# ---------------------------------------------------------------------------- parse_value


@pytest.mark.parametrize(
    ("text", "unit_indicator", "value"),
    [
        ("５２００", PEOPLE, 5200),
        ("\u3000５２００\u00a0", PEOPLE, 5200),
        ("１２．５", MU, 12.5),
        ("12345678901234", PEOPLE, 12345678901234),  # exact, no float rounding
        ("5.0", PEOPLE, 5),
        ("+0", PEOPLE, 0),
    ],
)
def test_parse_value_accepts(text: str, unit_indicator: str, value: float) -> None:
    got = parse_value(text, PLAN.indicator(unit_indicator))
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("٥٢٠٠", "value '٥٢٠٠' is not a number"),
        ("۵۲", "value '۵۲' is not a number"),  # Persian digits
        ("①", "value '①' is not a number"),
        ("-", "value '-' is not a number"),
        ("—", "value '—' is not a number"),
        ("待填", "value '待填' is not a number"),
        (
            "1，234",
            "value '1，234' is not a number; write it without thousands separators, e.g. 12345",
        ),
        (
            "5 200",
            "value '5 200' is not a number; write it without thousands separators, e.g. 12345",
        ),
        ("80％", "value '80％' is not a number; write a rate without the % sign, e.g. 80 for 80%"),
        ("１.２万", "value '１.２万' is not a number; write it in people: １.２万 is 12000"),
        (
            "约3万",
            "value '约3万' is not a number; write it in people without 万 or 亿, "
            "e.g. 13.98万 as 139800",
        ),
        ("12。5", "value '12。5' is not a number; write the decimal point as '.', e.g. 12.5"),
        (
            "\u200d",
            "value '' contains an invisible character (U+200D ZERO WIDTH JOINER); "
            "delete the cell's content and type the value again",
        ),
        ("1000000000000000", "value 1000000000000000 is too large for a reported value"),
        ("－３", "value －３ is negative; reported values are totals or counts, ≥ 0"),
        ("\u3000", "value is empty (a value not reported is left out, never written as 0)"),
    ],
)
def test_parse_value_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_value(text, PLAN.indicator(PEOPLE))
    assert caught.value.message == message


@given(st.text())
def test_parse_value_fuzz(text: str) -> None:
    for indicator in (PEOPLE, MU):
        try:
            value = parse_value(text, PLAN.indicator(indicator))
        except UsageError:
            continue
        assert isinstance(value, int | float)
        assert value >= 0


# ---------------------------------------------------------------------------- never raises


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_any_bytes_give_problems_not_exceptions(fuzz_dir: Path, data: bytes, suffix: str) -> None:
    f = fuzz_dir / f"any{suffix}"
    f.write_bytes(data)
    files, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)
    assert len(files) <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"\xff\xfe", b"sep=;\n"]),
    text=st.text(max_size=200),
)
def test_any_text_gives_problems_not_exceptions(fuzz_dir: Path, prefix: bytes, text: str) -> None:
    f = fuzz_dir / "text.csv"
    f.write_bytes(prefix + text.encode("utf-8", errors="surrogatepass"))
    _, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)


CELL = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.tuples(CELL, CELL, CELL, CELL, CELL), column=st.integers(0, 4))
def test_any_cell_text_gives_problems_not_exceptions(
    fuzz_dir: Path, cells: tuple[str, ...], column: int
) -> None:
    good = ["2018-07-01", "yanggao", PEOPLE, "5", "note"]
    fields = [*good[:column], cells[column], *good[column + 1 :]]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(WORKBOOK_HEADER)
    writer.writerow(fields)
    writer.writerow(list(cells))
    f = fuzz_dir / "cells.csv"
    f.write_bytes(out.getvalue().encode("utf-8"))
    files, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)
    if files:
        for r in files[0].rows:
            assert r["value"] >= 0
            assert r["area"] in {a.id for a in PLAN.areas}


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
        "import sys, povtrack.cli, povtrack.ops, povtrack.returns; print('openpyxl' in sys.modules)"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert proc.stdout == "False\n"

"""Issue 13, returns as counties make them: the dates of a return.

Dates as Excel and county clerks write them (2018/6/24, 2018-6-24, 2018.6.24, 2018年6月24日, a
midnight time after them, an Excel serial number in a CSV date column, the date cells of a
Chinese Excel), weeks as 2018年第26周, and the forms refused because they cannot be read without
a guess (the year last, a two-digit year). Expected dates are written out by hand.
"""

from __future__ import annotations

import io
import re
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from povtrack.errors import UsageError
from povtrack.returns.cells import written_day, written_week
from tests.helpers.returns import MU, PEOPLE, only_problem, read, row, workbook


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2018-06-24", date(2018, 6, 24)),
        ("2018/6/24", date(2018, 6, 24)),
        ("2018/06/24", date(2018, 6, 24)),
        ("2018-6-24", date(2018, 6, 24)),
        ("2018.6.24", date(2018, 6, 24)),
        ("2018年6月24日", date(2018, 6, 24)),
        ("2018 年 6 月 24 日", date(2018, 6, 24)),
        ("2018年6月24号", date(2018, 6, 24)),
        ("2018年6月24", date(2018, 6, 24)),
        ("２０１８/６/２４", date(2018, 6, 24)),  # full-width digits, as typed on a Chinese IME
        ("2018/6/24 0:00", date(2018, 6, 24)),  # Excel's CSV of a date-and-time cell
        ("2018-06-24 00:00:00", date(2018, 6, 24)),
        ("43275", date(2018, 6, 24)),  # an Excel serial number exported as text
        ("43101", date(2018, 1, 1)),
    ],
)
def test_written_day_accepts(text: str, day: date) -> None:
    assert written_day(text) == day


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "6/7/2018",
            "'6/7/2018' is ambiguous: it could be 2018-07-06 or 2018-06-07 (day and month "
            "cannot be told apart); write the year first: YYYY-MM-DD",
        ),
        (
            "7/6/18",
            "'7/6/18' is ambiguous: the year has two digits and the order of day and month is "
            "not known; write the full year first: YYYY-MM-DD, e.g. 2018-06-03",
        ),
        (
            "18/6/24",
            "'18/6/24' is ambiguous: the year has two digits and the order of day and month is "
            "not known; write the full year first: YYYY-MM-DD, e.g. 2018-06-03",
        ),
        ("24/6/2018", "'24/6/2018' has the year last; write it year first: 2018-06-24"),
        ("6.24.2018", "'6.24.2018' has the year last; write it year first: 2018-06-24"),
        ("6/6/2018", "'6/6/2018' has the year last; write it year first: 2018-06-06"),
        ("31/31/2018", "'31/31/2018' is not a real date"),
        ("2018/2/30", "'2018/2/30' is not a real date"),
        ("2018年13月1日", "'2018年13月1日' is not a real date"),
        ("2018/6/24 10:30", "date 2018/6/24 10:30 has a time of day; give the date only"),
        ("2018/6-24", "'2018/6-24' is not a date; write YYYY-MM-DD, e.g. 2018-06-03"),
        ("6月24日", "'6月24日' is not a date; write YYYY-MM-DD, e.g. 2018-06-03"),
        ("12345", "'12345' is not a date; write YYYY-MM-DD, e.g. 2018-06-03"),  # 1933: no serial
        ("٢٠١٨年٦月٢٤日", "'٢٠١٨年٦月٢٤日' is not a date; write YYYY-MM-DD, e.g. 2018-06-03"),
    ],
)
def test_written_day_refuses_what_it_would_have_to_guess(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        written_day(text)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "sunday"),
    [
        ("2018-W26", date(2018, 7, 1)),
        ("2018年第26周", date(2018, 7, 1)),
        ("2018 年 第 26 周", date(2018, 7, 1)),
        ("2018年第26週", date(2018, 7, 1)),  # Traditional
    ],
)
def test_written_week(text: str, sunday: date) -> None:
    assert written_week(text) == sunday


def test_a_week_without_its_year_is_refused() -> None:
    with pytest.raises(UsageError) as caught:
        written_week("第26周")
    assert caught.value.message == "'第26周' is not an ISO week; write YYYY-Www, e.g. 2018-W23"


# ---------------------------------------------------------------------------- in files


def test_csv_dates_as_excel_writes_them(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text(
        "date,area,indicator,value\n"
        f"2018/6/24,yanggao,{PEOPLE},5\n"
        f"2018.6.24,tianzhen,{PEOPLE},6\n"
        f"2018年6月24日,lingqiu,{PEOPLE},7\n"
        f"43275,hunyuan,{PEOPLE},8\n",
        encoding="utf-8",
    )
    files, problems = read(f)
    assert problems == []
    day = date(2018, 6, 24)
    assert files[0].rows == [
        row(day, "yanggao", PEOPLE, 5, "", f"{f}:2"),
        row(day, "tianzhen", PEOPLE, 6, "", f"{f}:3"),
        row(day, "lingqiu", PEOPLE, 7, "", f"{f}:4"),
        row(day, "hunyuan", PEOPLE, 8, "", f"{f}:5"),
    ]


def test_csv_ambiguous_dates_are_refused_row_by_row(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text(
        "date,area,indicator,value\n"
        f"6/7/2018,yanggao,{PEOPLE},5\n"
        f"2018/6/24,tianzhen,{PEOPLE},6\n"
        f"7/6/18,lingqiu,{PEOPLE},7\n",
        encoding="utf-8",
    )
    files, problems = read(f)
    assert problems == [
        f"{f}:2:1: '6/7/2018' is ambiguous: it could be 2018-07-06 or 2018-06-07 (day and "
        "month cannot be told apart); write the year first: YYYY-MM-DD",
        f"{f}:4:1: '7/6/18' is ambiguous: the year has two digits and the order of day and "
        "month is not known; write the full year first: YYYY-MM-DD, e.g. 2018-06-03",
    ]
    assert files[0].rows == [row(date(2018, 6, 24), "tianzhen", PEOPLE, 6, "", f"{f}:3")]


def test_a_serial_before_the_plan_is_refused_as_a_date(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text(f"date,area,indicator,value\n43000,yanggao,{PEOPLE},5\n", encoding="utf-8")
    assert only_problem(f) == f"{f}:2:1: date 2017-09-22 is before the plan starts (2018-01-01)"


def test_week_column_in_chinese(tmp_path: Path) -> None:
    f = tmp_path / "w.csv"
    f.write_text(f"week,area,indicator,value\n2018年第26周,yanggao,{MU},5.5\n", encoding="utf-8")
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(date(2018, 7, 1), "yanggao", MU, 5.5, "", f"{f}:2")]


def test_xlsx_date_text_cells(tmp_path: Path) -> None:
    f = workbook(
        tmp_path / "w.xlsx",
        [["date", "area", "indicator", "value"], ["2018/6/24", "yanggao", PEOPLE, 5]],
    )
    files, problems = read(f)
    assert problems == []
    assert files[0].rows == [row(date(2018, 6, 24), "yanggao", PEOPLE, 5, "", f"{f}:2")]


def _with_builtin_format(path: Path, number_format_id: int) -> Path:
    """The workbook at ``path`` with its one custom number format replaced by the built-in
    ``number_format_id``, written without a definition, as a Chinese Excel writes its date
    formats (openpyxl cannot write one itself)."""
    source = path.read_bytes()
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(source)) as zin, zipfile.ZipFile(out, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/styles.xml":
                text = data.decode("utf-8")
                text = re.sub(r"<numFmts[^>]*>.*?</numFmts>", "", text, flags=re.S)
                text = text.replace('numFmtId="164"', f'numFmtId="{number_format_id}"')
                data = text.encode("utf-8")
            zout.writestr(item, data)
    path.write_bytes(out.getvalue())
    return path


@pytest.mark.parametrize("format_id", [31, 57, 58])  # 2018年6月24日, 2018年6月, 6月24日
def test_xlsx_date_cells_of_a_chinese_excel(tmp_path: Path, format_id: int) -> None:
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "area", "indicator", "value"])
    ws.append([43275, "yanggao", PEOPLE, 5])  # the serial Excel keeps for 2018-06-24
    ws["A2"].number_format = 'yyyy"年"m"月"d"日";@'  # custom (164): replaced below
    wb.save(path)
    _with_builtin_format(path, format_id)
    files, problems = read(path)
    assert problems == []
    assert files[0].rows == [row(date(2018, 6, 24), "yanggao", PEOPLE, 5, "", f"{path}:2")]


def test_xlsx_time_cell_of_a_chinese_excel_is_not_a_date(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["date", "area", "indicator", "value"])
    ws.append([43275, "yanggao", PEOPLE, 5])
    ws["A2"].number_format = 'h"时"mm"分";@'
    wb.save(path)
    _with_builtin_format(path, 32)  # h"时"mm"分": a time format, not a date
    assert only_problem(path) == (
        f"{path}:2:1: the date cell holds the number 43275, not a date; format the cell as a "
        "date or write YYYY-MM-DD, e.g. 2018-06-03"
    )

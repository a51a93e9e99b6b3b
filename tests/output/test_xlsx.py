"""XLSX exports read back with openpyxl and compared cell by cell with the Sheet of
helpers/formats.py: numbers, percent and date cells with their number formats, status fills,
the total row, column widths for Chinese text, sheet names, formula injection, and arbitrary
text that never breaks a workbook.
"""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.output.files import sheet_bytes
from povtrack.output.notation import STATUS_COLOURS, display_width
from povtrack.sheet import Column, Sheet
from tests.helpers.formats import (
    COLUMNS,
    DANGEROUS,
    HEADINGS,
    NOTES,
    NUMBER_KINDS,
    ROWS,
    STATUS,
    _injection_sheet,
    _load,
    _neutral,
    _sheet,
    _text_sheet,
    _total_values,
)
from tests.helpers.readback import ABOUT

# --- XLSX ------------------------------------------------------------------------------------


def _fill(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return str(cell.fill.fgColor.rgb)[-6:].upper()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_cells_equal_the_sheet_rows(lang: str) -> None:
    sheet = _sheet()
    wb = _load(sheet_bytes([sheet], "xlsx", lang=lang))
    assert wb.sheetnames == ["status", ABOUT[lang]]
    ws = wb["status"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == HEADINGS[lang]
    assert all(c.font.bold for c in ws[1])
    for r, row in enumerate(ROWS, 2):
        for j, col in enumerate(COLUMNS, 1):
            cell = ws.cell(row=r, column=j)
            v = row[col.key]
            if v is None:
                assert cell.value is None, (r, j)
            elif col.kind in NUMBER_KINDS:
                assert isinstance(cell.value, int | float) and cell.data_type == "n"
                assert cell.value == v
                if col.kind == "share":
                    assert cell.number_format == "0.0%"
                elif col.kind == "integer" or float(v).is_integer():
                    assert cell.number_format == "#,##0"
                else:  # exactly the figure's decimals: never a trailing point
                    places = len(repr(float(v)).partition(".")[2])
                    assert cell.number_format == "#,##0." + "0" * places
            elif col.kind == "date":
                assert isinstance(cell.value, datetime)
                assert cell.value.date() == date.fromisoformat(v)
                assert cell.number_format == "yyyy-mm-dd"
            elif col.kind == "status":
                assert cell.value == STATUS[v][0 if lang == "zh" else 1]
                assert _fill(cell) == STATUS_COLOURS[v].upper()
            else:
                assert cell.value == (_neutral(v) if v else None), (r, j)
                assert cell.data_type == ("s" if v else "n")
    assert ws.cell(row=5, column=4).value == -5  # a negative number stays a number
    # the data range is the table and nothing else: no total row, title or notes below it
    last = 1 + len(ROWS)
    assert ws.max_row == last and ws.dimensions == f"A1:H{last}"
    (table,) = ws.tables.values()
    assert table.ref == f"A1:H{last}"
    assert [c.name for c in table.tableColumns] == HEADINGS[lang]
    # the title and notes are in the page header and the properties, the total row on About
    assert ws.oddHeader.left.text == sheet.heading(lang)
    assert ws.oddHeader.right.text == " · ".join(NOTES)
    assert wb.properties.title == sheet.heading(lang)
    assert wb.properties.description == "\n".join(NOTES)
    about = wb.worksheets[-1]
    assert about.title == ABOUT[lang]
    lines = [c.value for c in about["A"] if c.value is not None]
    assert lines[0] == sheet.heading(lang)
    assert lines[2:5] == NOTES
    total = dict(
        zip(HEADINGS[lang], _total_values(sheet, lang), strict=True)
    )  # the total row, heading by heading, under 合计 / Total
    assert lines[5] == total.pop(HEADINGS[lang][0])
    got = {
        a.value: b
        for a, b in about.iter_rows(min_row=8, max_col=2)
        if a.value in HEADINGS[lang] and b.value is not None
    }
    assert {h: c.value for h, c in got.items()} == {h: v for h, v in total.items() if v is not None}
    assert got[HEADINGS[lang][4]].number_format == "0.0%"
    assert all(c.font.bold for c in got.values())


def test_xlsx_empty_text_cell() -> None:
    # "" in a text column is an empty string cell or an empty cell; never "0"
    wb = _load(sheet_bytes([_sheet()], "xlsx", lang="zh"))
    assert wb.active.cell(row=5, column=8).value in (None, "")


def test_xlsx_chinese_column_is_wider_than_ascii_of_equal_length() -> None:
    cols = [Column("zh", "甲", "A"), Column("en", "乙", "B"), Column("n", "丙", "C", "integer")]
    rows = [{"zh": "阳高县扶贫办公室", "en": "abcdefgh", "n": 1}]
    ws = _load(sheet_bytes([Sheet("w", "宽度", "Widths", cols, rows)], "xlsx", lang="zh")).active
    zh = ws.column_dimensions["A"].width
    en = ws.column_dimensions["B"].width
    assert zh > en >= 8
    assert zh >= 16
    assert display_width("阳高县扶贫办公室") == 16 and display_width("abcdefgh") == 8
    assert display_width("ＡＢ") == 4  # full-width


def test_xlsx_sheet_names_are_short_unique_and_legal() -> None:
    keys = ["status", "STATUS", "a" * 40, "a" * 40, "a/b:c*d?[e]", "board"]
    sheets = [_sheet(key=k) for k in keys]
    wb = _load(sheet_bytes(sheets, "xlsx", lang="zh"))
    assert wb.sheetnames[-1] == "说明"  # the About sheet, after the data sheets
    names = wb.sheetnames[:-1]
    assert len(names) == len(keys)
    assert len({n.lower() for n in names}) == len(names)
    assert all(0 < len(n) <= 31 for n in names)
    assert not any(ch in n for n in names for ch in "[]:*?/\\")
    assert names[0] == "status" and names[-1] == "board"
    for ws in wb.worksheets[:-1]:
        assert ws.freeze_panes == "A2"
        assert [c.value for c in ws[1]] == HEADINGS["zh"]


# --- formula injection -----------------------------------------------------------------------


def test_formula_injection_is_neutralised_in_xlsx() -> None:
    ws = _load(sheet_bytes([_injection_sheet()], "xlsx", lang="en")).active
    for r, d in enumerate(DANGEROUS, 2):
        cell = ws.cell(row=r, column=1)
        # XML stores a carriage return as a line feed
        assert cell.value == "'" + d.replace("\r", "\n")
        assert cell.data_type == "s"
        num = ws.cell(row=r, column=2)
        assert num.value == -5 and num.data_type == "n"
    assert ws.max_row == 1 + len(DANGEROUS)  # the title and notes are not below the table
    about = ws.parent.worksheets[-1]  # but on the About sheet, neutralised too
    lines = [c.value for c in about["A"] if c.value is not None]
    assert lines[:2] == ["'=HYPERLINK(1)", "Sheet inj: =HYPERLINK(1)"]
    assert lines[2 : 2 + len(DANGEROUS)] == ["'" + d.replace("\r", "\n") for d in DANGEROUS]
    for sheet in ws.parent.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f"


# --- arbitrary text never breaks a format ----------------------------------------------------


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=20), min_size=1, max_size=3))
def test_arbitrary_text_never_breaks_xlsx(texts: list[str]) -> None:
    ws = _load(sheet_bytes([_text_sheet(texts)], "xlsx", lang="zh")).active
    for r, t in enumerate(texts, 2):
        want = _XML_BAD.sub("\ufffd", _neutral(t).replace("\r\n", "\n").replace("\r", "\n"))
        assert ws.cell(row=r, column=1).value == (want or None)

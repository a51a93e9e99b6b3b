"""XLSX for sheets (openpyxl): one worksheet per sheet, numbers as number cells, shares as
percent cells, dates as date cells, a frozen bold header, widths that fit Chinese text, status
cells filled, the total row in bold, A4 landscape. The rules shared with the other formats are
in ``output.notation``; ``workbook`` returns the openpyxl workbook so the report can add charts."""

from __future__ import annotations

import io
import re
from typing import Any

from povtrack.output.notation import (
    NUMBER_KINDS,
    STATUS_COLOURS,
    XML_ILLEGAL,
    as_date,
    display_width,
    finite,
    grouped,
    heading,
    is_number,
    neutralise,
    plain_number,
    status_label,
    total_row,
)
from povtrack.sheet import Column, Sheet

_XLSX_NAME_BAD = re.compile(r"[\[\]:*?/\\]")
_MAX_XLSX_WIDTH = 60


def _xlsx_text(text: str) -> str:
    """A string cell's text: neutralised, line ends as \\n, characters XML cannot hold as
    U+FFFD."""
    text = neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
    return XML_ILLEGAL.sub("\ufffd", text)


def _xlsx_names(sheets: list[Sheet]) -> list[str]:
    """Worksheet names from the sheet keys: Excel's forbidden characters as _, at most 31
    characters, unique regardless of case."""
    names: list[str] = []
    seen: set[str] = set()
    for i, sheet in enumerate(sheets, 1):
        base = XML_ILLEGAL.sub("_", _XLSX_NAME_BAD.sub("_", sheet.key)).strip("'").strip()
        if not base or base.lower() == "history":  # Excel reserves History
            base = f"{base or 'Sheet'}{i}"
        name = base[:31]
        n = 2
        while name.lower() in seen:
            suffix = f"~{n}"
            name = base[: 31 - len(suffix)] + suffix
            n += 1
        seen.add(name.lower())
        names.append(name)
    return names


def _xlsx_put(ws: Any, row: int, col: int, column: Column | None, value: Any, lang: str) -> str:
    """Write one cell by its column's kind (None: a text cell); return the text it shows, for
    the column's width."""
    from openpyxl.styles import Alignment, PatternFill

    cell = ws.cell(row=row, column=col)
    if value is None:
        return ""
    kind = column.kind if column is not None else "text"
    if kind in NUMBER_KINDS and is_number(value):
        if not finite(value):
            return ""
        cell.value = value
        if kind == "share":
            cell.number_format = "0.0%"
            return f"{float(value) * 100:.1f}%"
        whole = plain_number(value).lstrip("-").isdigit()
        cell.number_format = "#,##0" if whole else "#,##0.##"
        return grouped(plain_number(value if whole else round(value, 2)))
    if kind == "date":
        day = as_date(value)
        if day is not None:
            cell.value = day
            cell.number_format = "yyyy-mm-dd"
            return day.isoformat()
    if kind == "status":
        code = str(value)
        text = _xlsx_text(status_label(code, lang))
        if code in STATUS_COLOURS:
            cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[code])
        cell.alignment = Alignment(horizontal="center", vertical="top")
    else:
        text = _xlsx_text(str(value))
        if "\n" in text:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if text:  # "" leaves the cell empty, as None does
        cell.value = text
        cell.data_type = "s"  # a string, never a formula
    return text


def workbook(sheets: list[Sheet], lang: str) -> Any:
    """The sheets as an openpyxl Workbook, one worksheet each, in order."""
    from openpyxl import Workbook
    from openpyxl.styles import Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEEEEE")
    header_border = Border(bottom=Side(style="thin", color="999999"))
    total_border = Border(top=Side(style="thin", color="333333"))

    wb = Workbook()
    default = wb.active  # a new workbook starts with one empty sheet
    assert default is not None
    wb.remove(default)
    wb.properties.creator = "povtrack"
    wb.properties.title = XML_ILLEGAL.sub("\ufffd", sheets[0].heading(lang))

    for sheet, name in zip(sheets, _xlsx_names(sheets), strict=True):
        ws = wb.create_sheet(title=name)
        widths = [0] * len(sheet.columns)
        for j, column in enumerate(sheet.columns, 1):
            widths[j - 1] = display_width(_xlsx_put(ws, 1, j, None, heading(column, lang), lang))
            cell = ws.cell(row=1, column=j)
            cell.font = bold
            cell.fill = header_fill
            cell.border = header_border
        r = 1
        for row in sheet.rows:
            r += 1
            for j, (column, value) in enumerate(zip(sheet.columns, sheet.values(row), strict=True)):
                shown = _xlsx_put(ws, r, j + 1, column, value, lang)
                widths[j] = max(widths[j], display_width(shown))
        last_data = r
        total = total_row(sheet, lang)
        if total is not None:
            r += 1
            for j, (column, value) in enumerate(zip(sheet.columns, total, strict=True), 1):
                shown = _xlsx_put(ws, r, j, column, value, lang)
                cell = ws.cell(row=r, column=j)
                cell.font = bold
                cell.border = total_border
                widths[j - 1] = max(widths[j - 1], display_width(shown))

        for j, width in enumerate(widths, 1):
            ws.column_dimensions[get_column_letter(j)].width = min(_MAX_XLSX_WIDTH, width + 2)
        ws.freeze_panes = "A2"
        if sheet.columns and last_data > 1:
            ws.auto_filter.ref = f"A1:{get_column_letter(len(sheet.columns))}{last_data}"

        # Title and notes below the table, after a blank row; not counted in the widths.
        r += 2
        _xlsx_put(ws, r, 1, None, sheet.heading(lang), lang)
        ws.cell(row=r, column=1).font = bold
        for note in sheet.notes:
            r += 1
            _xlsx_put(ws, r, 1, None, note, lang)

        ws.page_setup.orientation = "landscape"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.print_title_rows = "1:1"
        title = XML_ILLEGAL.sub("\ufffd", sheet.heading(lang))
        ws.oddHeader.center.text = title[:200].replace("&", "&&")

    return wb


def save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

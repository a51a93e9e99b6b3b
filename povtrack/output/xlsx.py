"""XLSX for sheets (openpyxl): the table exports (``status``, ``board``, ``trend``, ``diff``,
``log``, ``check`` ... with ``--format xlsx``) and the worksheets the report builds on.

The promise, for the programs that read the file (pandas, Power Query, a pivot table): each
sheet's worksheet holds ONE table and nothing else, starting at A1 — a header row of unique
texts, then exactly the sheet's rows in order, as an Excel table (when there are rows; a sheet
without rows keeps its header row alone, since an Excel table needs a data row). Values are
exact, as in ``--json``: numbers as number cells (never rounded: the per-cell format shows the
figure's own decimals, whole figures as ``#,##0``, never a trailing point), shares as fractions
with a percent format, dates as date cells, status codes as their labels. Everything else —
title, notes (plan, as-of date, digest), the ``Sheet.legend`` and the total row — lives outside
the data range: in the printed page header and footer, the workbook's properties, and a last
worksheet (说明 / About) that holds the title, notes, legend and the total row of every sheet.
A total row below the table would be read as one more data row, and an Excel totals row is one
too for pandas; so the total row is on the About sheet only.

For people: widths that fit Chinese text, status cells (and ``Column.status_from`` cells) filled
by status, a frozen bold header, A4 landscape fitted to the page width with the header row
repeated on every page (``Sheet.one_page``: fitted to exactly one page, narrow margins), page
numbers in the footer. Text a spreadsheet could run as a formula is neutralised, characters XML
cannot hold become U+FFFD. The shared notation is ``output.notation``'s.
"""

from __future__ import annotations

import io
import math
import re
from decimal import Decimal
from typing import Any

from povtrack.output.notation import (
    NUMBER_KINDS,
    STATUS_COLOURS,
    TOTAL_LABEL,
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
_TABLE_NAME_BAD = re.compile(r"[^A-Za-z0-9_]")
_MAX_XLSX_WIDTH = 60
_ONE_PAGE_WIDTH = 24  # a one-page sheet's widest column; longer text wraps
_MAX_PLACES = 10  # an exact figure is shown with at most this many decimals
_HEADER_FOOTER_MAX = 250  # Excel refuses a header or footer over 255 characters
ABOUT_NAME = {"zh": "说明", "en": "About"}
_PAGE = {"zh": "第 &P 页，共 &N 页", "en": "Page &P of &N"}
_SHEET_WORD = {"zh": "工作表", "en": "Sheet"}
_READ_ME = {
    "zh": [
        "每张数据工作表从 A1 起只有一张表：一行表头，其下每行一条记录，"
        "与 --json 的行相同，数值不舍入。",
        "标题、说明、图例和合计行不在表内，都在本页（打印时标题和说明在页眉，图例在页脚）。",
    ],
    "en": [
        "Each data sheet holds one table from A1: a header row, then one row per record, the "
        "same rows as --json, figures not rounded.",
        "Titles, notes, legends and total rows are kept out of the tables, on this sheet "
        "(printed: titles and notes in the page header, legends in the footer).",
    ],
}


def cell_text(text: str) -> str:
    """A string cell's text: neutralised, line ends as \\n, characters XML cannot hold as
    U+FFFD."""
    text = neutralise(text).replace("\r\n", "\n").replace("\r", "\n")
    return XML_ILLEGAL.sub("\ufffd", text)


def _xlsx_names(keys: list[str]) -> list[str]:
    """Worksheet names from the sheet keys: Excel's forbidden characters as _, at most 31
    characters, unique regardless of case."""
    names: list[str] = []
    seen: set[str] = set()
    for i, key in enumerate(keys, 1):
        base = XML_ILLEGAL.sub("_", _XLSX_NAME_BAD.sub("_", key)).strip("'").strip()
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


def exact_format(value: int | float | Decimal) -> str:
    """The number format that shows an exact figure as it is: ``#,##0`` for a whole figure,
    else exactly its decimals (up to ten), so never a trailing point ("2.") as ``#,##0.##``
    shows in Excel for 2 or 2.001."""
    if plain_number(value).lstrip("-").isdigit():
        return "#,##0"
    shown = plain_number(
        round(Decimal(repr(value)) if isinstance(value, float) else Decimal(value), _MAX_PLACES)
    )
    places = len(shown.partition(".")[2])
    return "#,##0." + "0" * max(1, places)  # 2.00000000001: "2.0", not "2."


def _fill(cell: Any, code: Any) -> None:
    from openpyxl.styles import Alignment, PatternFill

    if isinstance(code, str) and code in STATUS_COLOURS:
        cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[code])
    cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)


def _xlsx_put(
    ws: Any, row: int, col: int, column: Column | None, value: Any, lang: str, status: Any = None
) -> str:
    """Write one cell by its column's kind (None: a text cell); ``status`` is the code a
    ``status_from`` cell is coloured by. Return the text it shows, for the column's width."""
    from openpyxl.styles import Alignment

    cell = ws.cell(row=row, column=col)
    if column is not None and column.status_from and status is not None:
        _fill(cell, status)
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
        cell.number_format = exact_format(value)
        return grouped(plain_number(value))
    if kind == "date":
        day = as_date(value)
        if day is not None:
            cell.value = day
            cell.number_format = "yyyy-mm-dd"
            return day.isoformat()
    if kind == "status":
        text = cell_text(status_label(str(value), lang))
        _fill(cell, str(value))
    else:
        text = cell_text(str(value))
        if "\n" in text and not (column is not None and column.status_from):
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    if text:  # "" leaves the cell empty, as None does
        cell.value = text
        cell.data_type = "s"  # a string, never a formula
    return text


def headings(sheet: Sheet, lang: str) -> list[str]:
    """The header row's texts: each column's heading, made unique (an Excel table's column
    names must be, and pandas would rename a repeated one) by `` (2)``, `` (3)`` ..."""
    out: list[str] = []
    seen: set[str] = set()
    for column in sheet.columns:
        base = cell_text(heading(column, lang)).replace("\n", " ") or column.key or "-"
        text, n = base, 2
        while text.lower() in seen:
            text = f"{base} ({n})"
            n += 1
        seen.add(text.lower())
        out.append(text)
    return out


def _words_width(text: str) -> int:
    """The widest word (the text split at spaces and line ends): the narrowest a wrapping
    column can be without breaking a Latin word or number (CJK breaks anywhere anyway)."""
    return max((display_width(w) for w in text.split()), default=0)


def _lines(text: str, width: int) -> int:
    """How many lines the text takes wrapped at spaces in a column ``width`` wide."""
    count = 0
    for para in text.split("\n"):
        count += 1
        used = 0
        for word in para.split():
            w = display_width(word)
            if used and used + 1 + w > width:
                count += 1
                used = w
            else:
                used += (1 if used else 0) + w
            while used > width:  # a word wider than the column (CJK) runs on
                count += 1
                used -= width
    return count


def write_table(ws: Any, sheet: Sheet, lang: str, table_name: str) -> int:
    """The sheet's header row and rows from A1 as an Excel table named ``table_name`` (no
    table without rows), widths and a frozen header; return the last row written. A
    ``one_page`` sheet's cells wrap at spaces, so its columns can be as narrow as their
    widest word and the page need not shrink its type."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.table import Table, TableStyleInfo

    bold = Font(bold=True)
    header_fill = PatternFill("solid", fgColor="EEEEEE")
    header_border = Border(bottom=Side(style="thin", color="999999"))
    shown: list[list[str]] = [headings(sheet, lang)]
    for j, text in enumerate(shown[0], 1):
        cell = ws.cell(row=1, column=j, value=text)
        cell.data_type = "s"
        cell.font = bold
        cell.fill = header_fill
        cell.border = header_border
    r = 1
    for row in sheet.rows:
        r += 1
        texts = []
        for j, (column, value) in enumerate(zip(sheet.columns, sheet.values(row), strict=True)):
            status = row.get(column.status_from) if column.status_from else None
            texts.append(_xlsx_put(ws, r, j + 1, column, value, lang, status))
        shown.append(texts)
    if sheet.one_page:
        widths = [
            min(_ONE_PAGE_WIDTH, max(6, max(_words_width(t[j]) for t in shown)) + 1)
            for j in range(len(sheet.columns))
        ]
        for i, texts in enumerate(shown, 1):
            for j in range(1, len(texts) + 1):
                cell = ws.cell(row=i, column=j)
                horizontal = cell.alignment.horizontal if i > 1 else "center"
                cell.alignment = Alignment(horizontal=horizontal, vertical="center", wrap_text=True)
            # a height for every row, as Excel does not fit wrapped rows on opening
            lines = max((_lines(t, widths[j] - 1) for j, t in enumerate(texts)), default=1)
            ws.row_dimensions[i].height = 15 * max(1, lines)
    else:
        widths = [
            min(_MAX_XLSX_WIDTH, max(display_width(t[j]) for t in shown) + 2)
            for j in range(len(sheet.columns))
        ]
    for j, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(j)].width = width
    ws.freeze_panes = "A2"
    if sheet.columns and r > 1:
        ref = f"A1:{get_column_letter(len(sheet.columns))}{r}"
        table = Table(displayName=table_name, ref=ref)
        # no banded rows: a stripe must not be taken for a status fill
        table.tableStyleInfo = TableStyleInfo(name="TableStyleLight1", showRowStripes=False)
        ws.add_table(table)
    return r


def _hf_text(text: str, room: int) -> str:
    """Text for a page header or footer: ``&`` doubled, cut to ``room`` characters."""
    text = XML_ILLEGAL.sub("\ufffd", text)
    if len(text) > room:
        text = text[: max(0, room - 1)] + "…"
    return text.replace("&", "&&")


_PT_PER_WIDTH = 7.05  # printed points per unit of column width (LibreOffice, default font)
_ROW_PT = 15  # a default row's height


def _fit_scale(ws: Any, sheet: Sheet, rows: int) -> float:
    """The scale the sheet will be printed at, estimated from the column widths (and, for
    ``one_page``, the row heights) against the printable area of A4 landscape."""
    from openpyxl.utils import get_column_letter

    margins: Any = ws.page_margins
    width = 841.89 - 72 * (margins.left + margins.right)
    height = 595.28 - 72 * (margins.top + margins.bottom)
    columns = sum(
        ws.column_dimensions[get_column_letter(j)].width or 9
        for j in range(1, len(sheet.columns) + 1)
    )
    scale = min(1.0, width / max(1.0, columns * _PT_PER_WIDTH))
    if sheet.one_page:
        tall = sum(ws.row_dimensions[i].height or _ROW_PT for i in range(1, rows + 1))
        scale = min(scale, height / max(1.0, tall))
    return float(scale)


def _page(ws: Any, sheet: Sheet, lang: str, rows: int) -> None:
    """Print setup: A4 landscape fitted to the width (``one_page``: to one page, narrow side
    margins), the header row on every page; the title and notes in the page header, the
    legend and the page numbers in the footer (the numbers in the header when there is a
    legend). Spreadsheets shrink the header and footer with
    the sheet (LibreOffice always), so their type is set large enough to print at about 9 pt
    at the scale the sheet is expected to print at."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 1 if sheet.one_page else 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = "1:1"
    if sheet.one_page:
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.75
    size = max(9, min(14, math.ceil(9 / _fit_scale(ws, sheet, rows))))
    title = _hf_text(sheet.heading(lang), 100)
    notes = _hf_text(" · ".join(sheet.notes), _HEADER_FOOTER_MAX - 30 - len(title))
    ws.oddHeader.left.text, ws.oddHeader.left.size = title, size + 1
    ws.oddHeader.left.font = "-,Bold"
    ws.oddHeader.right.text, ws.oddHeader.right.size = notes, size
    legend = "   ".join(line.strip() for line in sheet.legend if line.strip())
    # a legend takes the footer's width (a long one runs under its right part), so the page
    # numbers then go to the header's middle
    pages = ws.oddHeader.center if legend else ws.oddFooter.right
    pages.text, pages.size = _PAGE.get(lang, _PAGE["en"]), size
    if legend:
        ws.oddFooter.left.text = _hf_text(legend, _HEADER_FOOTER_MAX - 40)
        ws.oddFooter.left.size = size


def _about(wb: Any, sheets: list[Sheet], names: list[str], lang: str) -> None:
    """The last worksheet, in two columns: per sheet its title, notes and legend, and its total
    row as heading | value lines (filled like the table's cells); then how the data sheets are
    laid out."""
    from openpyxl.styles import Alignment, Font

    pick = "zh" if lang == "zh" else "en"
    ws = wb.create_sheet(title=_xlsx_names([*names, ABOUT_NAME[pick]])[-1])
    bold, big = Font(bold=True), Font(bold=True, size=13)
    wrap = Alignment(wrap_text=True, vertical="top")
    label_width, value_width = 16, 60
    r = 0

    def line(text: str, font: Any = None) -> None:
        nonlocal r
        r += 1
        cell = ws.cell(row=r, column=1, value=cell_text(text))
        cell.data_type = "s"
        cell.alignment = wrap
        if font is not None:
            cell.font = font
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=2)

    line(sheets[0].heading(lang), big)
    for sheet, sheet_name in zip(sheets, names, strict=True):
        r += 1
        line(f"{_SHEET_WORD[pick]} {sheet_name}: {sheet.heading(lang)}", bold)
        for text in [*sheet.notes, *sheet.legend]:
            line(text)
        total = total_row(sheet, lang)
        if total is None or sheet.total is None:
            continue
        line(TOTAL_LABEL.get(lang, TOTAL_LABEL["en"]), bold)
        for text, column, value in zip(headings(sheet, lang), sheet.columns, total, strict=True):
            if value is None or value == TOTAL_LABEL.get(lang):
                continue
            r += 1
            ws.cell(row=r, column=1, value=text).alignment = wrap
            status = sheet.total.get(column.status_from) if column.status_from else None
            shown = _xlsx_put(ws, r, 2, column, value, lang, status)
            ws.cell(row=r, column=2).alignment = Alignment(horizontal="left", wrap_text=True)
            ws.cell(row=r, column=2).font = bold
            label_width = max(label_width, min(display_width(text), 30))
            value_width = max(value_width, min(display_width(shown), 80))
    r += 1
    for text in _READ_ME[pick]:
        line(text)
    ws.column_dimensions["A"].width = label_width + 2
    ws.column_dimensions["B"].width = value_width + 2
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.right.text, ws.oddFooter.right.size = _PAGE.get(lang, _PAGE["en"]), 9


def _properties(wb: Any, sheets: list[Sheet], lang: str) -> None:
    """Title (the first sheet's), subject (every sheet's title), description (every note and
    legend line) and keywords (the sheet keys) in the workbook's document properties."""

    def clean(text: str) -> str:
        return XML_ILLEGAL.sub("\ufffd", text)

    wb.properties.creator = "povtrack"
    wb.properties.title = clean(sheets[0].heading(lang))
    wb.properties.subject = clean(" · ".join(s.heading(lang) for s in sheets))
    lines = [line for s in sheets for line in (*s.notes, *s.legend)]
    wb.properties.description = clean("\n".join(dict.fromkeys(lines)))
    wb.properties.keywords = clean(", ".join(["povtrack", *(s.key for s in sheets)]))


def workbook(sheets: list[Sheet], lang: str) -> Any:
    """The sheets as an openpyxl Workbook: one worksheet each, in order, each one clean table
    from A1; then the About sheet (说明) with what is not data. The report adds its charts to
    the first ``len(sheets)`` worksheets."""
    from openpyxl import Workbook

    wb = Workbook()
    default = wb.active  # a new workbook starts with one empty sheet
    assert default is not None
    wb.remove(default)
    _properties(wb, sheets, lang)
    names = _xlsx_names([s.key for s in sheets])
    tables: set[str] = set()
    for i, (sheet, name) in enumerate(zip(sheets, names, strict=True), 1):
        ws = wb.create_sheet(title=name)
        table = "tbl_" + _TABLE_NAME_BAD.sub("_", sheet.key)[:40]
        if table.lower() in tables:
            table = f"{table}_{i}"
        tables.add(table.lower())
        last = write_table(ws, sheet, lang, table)
        _page(ws, sheet, lang, last)
    _about(wb, sheets, names, lang)
    return wb


def save(wb: Any) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

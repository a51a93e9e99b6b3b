"""Worksheets that print as handouts (openpyxl): explicit fonts, cells written rounded to their
unit, A4 landscape page setup, print titles, a header and footer, and a page model that says how
much of the last printed page a table leaves free (so a chart can fill it).

Invariants: no text is set below ``MIN_PT`` (so a sheet fitted to the width at ``MIN_SCALE`` or
more never prints below 8 pt); every row written through ``Layout`` gets an explicit height, so
the page model and the printed page agree; a number cell's format comes from
``notation.number_format`` (never ``#,##0.##``, which Excel shows as "2."). Used by the report
(``output.report_xlsx``); a table export may use it for its printed page too.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from povtrack.output.notation import (
    STATUS_COLOURS,
    XML_ILLEGAL,
    as_date,
    finite,
    is_number,
    number_format,
    percent_text,
    rounded,
    rounded_text,
)
from povtrack.output.xlsx import cell_text

FONT = "Arial"
BODY_PT = 10
TITLE_PT = 14
FOOTER_PT = 10
MIN_PT = 9  # nothing is set smaller (9 pt only where the scale leaves it at 8 pt or more)
MIN_SCALE = 0.8  # widths are chosen so no sheet prints smaller: 10 pt x 0.8 = 8 pt

# A4 landscape in points, and the margins in inches (openpyxl's unit).
PAGE_W, PAGE_H = 841.89, 595.28
MARGIN_LR, MARGIN_TOP, MARGIN_BOTTOM, MARGIN_HF = 0.4, 0.6, 0.6, 0.25
PRINT_W = PAGE_W - 72 * 2 * MARGIN_LR
PRINT_H = PAGE_H - 72 * (MARGIN_TOP + MARGIN_BOTTOM)
# A column width unit (a digit of the default font, Arial 10) as printed, in points, and each
# column's padding: measured on LibreOffice's PDF (5.55 pt), rounded up.
UNIT_PT = 5.6
PAD_PT = 0.0
LINE_PT = 12.0  # one line of BODY_PT Latin text with its leading
CJK_LINE_PT = 14.5  # East Asian fonts (Noto Sans CJK) set lines further apart
ROW_PAD_PT = 2.5
CM = 72 / 2.54  # points per centimetre (chart sizes are in cm)


def font(size: float = BODY_PT, *, bold: bool = False, colour: str = "000000") -> Any:
    from openpyxl.styles import Font

    return Font(name=FONT, size=max(size, MIN_PT), bold=bold, color=colour)


def new_workbook() -> Any:
    """An empty workbook whose default font (the Normal style, which column widths are
    measured in) is ``FONT`` at BODY_PT: Arial prints with the same metrics in Excel and in
    LibreOffice (Liberation Sans), so a width planned here is the width printed."""
    from openpyxl import Workbook
    from openpyxl.utils.indexed_list import IndexedList

    wb: Any = Workbook()
    default = wb.active
    assert default is not None
    wb.remove(default)
    base = font()
    # openpyxl has no public setter for the default font: font 0 first, then the Normal style
    # (setting its font looks the font up in the list, and must find it at 0)
    wb._fonts = IndexedList([base])
    wb._named_styles["Normal"].font = base
    return wb


# Arial's advance widths (em) for the ASCII characters that differ from a digit's 0.556, in
# groups; East Asian wide characters take a full em (their CJK fallback font's).
_ADVANCE = {
    **dict.fromkeys(" !'.,:;|Iijl", 0.278),
    **dict.fromkeys("ft[]()/\\-", 0.3),
    **dict.fromkeys('r"', 0.35),
    **dict.fromkeys("cksvxyzJ", 0.5),
    **dict.fromkeys("ABEKPSVXYw", 0.667),
    **dict.fromkeys("CDHNRUw", 0.722),
    **dict.fromkeys("GOQ", 0.778),
    **dict.fromkeys("mM%", 0.85),
    **dict.fromkeys("W@", 0.95),
}
_DIGIT_EM = 0.556  # a width unit is a digit of the default font


def text_units(text: str, *, bold: bool = False) -> float:
    """The width of one line of text at BODY_PT in column width units (a digit each)."""
    em = 0.0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        if unicodedata.east_asian_width(ch) in ("W", "F") or (
            not ch.isascii() and unicodedata.east_asian_width(ch) == "A"
        ):  # quotes and dots of ambiguous width come from the CJK font: a full em
            em += 1.0
        else:
            em += _ADVANCE.get(ch, _DIGIT_EM)
    return em / _DIGIT_EM * (1.08 if bold else 1.0)


def lines_for(text: str, width: float, *, bold: bool = False) -> int:
    """Lines a text takes wrapped in a column ``width`` units wide: Latin words and numbers
    move to the next line whole (a word wider than the column breaks), East Asian text wraps
    between characters."""
    room = max(1.0, width - 0.8)  # the cell's padding
    total = 0
    for line in text.split("\n"):
        used, count = 0.0, 1
        for token in _TOKENS.findall(line):
            w = text_units(token, bold=bold)
            if token.isspace():
                used += w
                continue
            if used and used + w > room:
                count += 1
                used = 0.0
            while w > room:  # a word wider than the column
                count += 1
                w -= room
            used += w
        total += count
    return max(1, total)


def text_width(text: str, *, bold: bool = False) -> float:
    """The widest line's width in units."""
    return max((text_units(line, bold=bold) for line in text.split("\n")), default=0.0)


_TOKENS = re.compile(r"[\x21-\x7e]+|\s+|.")


def width_pt(widths: list[float]) -> float:
    return sum(w * UNIT_PT + PAD_PT for w in widths)


def scale_for(widths: list[float]) -> float:
    """The share fit-to-width prints the columns at (1 when they fit)."""
    return min(1.0, PRINT_W / width_pt(widths)) if widths else 1.0


@dataclass
class Layout:
    """A worksheet written top to bottom, with the height of every row kept so the printed
    pages can be modelled (``remaining``)."""

    ws: Any
    widths: list[float]
    heights: list[float] = field(default_factory=list)  # row 1 first
    title_rows: tuple[int, int] | None = None  # rows repeated on every printed page

    @property
    def row(self) -> int:
        """The last row written."""
        return len(self.heights)

    def set_widths(self) -> None:
        from openpyxl.utils import get_column_letter

        for j, w in enumerate(self.widths, 1):
            self.ws.column_dimensions[get_column_letter(j)].width = round(w, 1)

    def add_row(self, height: float) -> int:
        self.heights.append(height)
        self.ws.row_dimensions[self.row].height = round(height, 1)
        return self.row

    def line(self, text: str, size: float = BODY_PT, **style: Any) -> int:
        """A row with one text across the page (a title, a stamp line, a legend line)."""
        r = self.add_row(size * (1.2 if text.isascii() else 1.45) + ROW_PAD_PT)
        cell = self.ws.cell(row=r, column=1, value=cell_text(text))
        cell.data_type = "s"
        cell.font = font(size, **style)
        return r

    def gap(self, height: float = 6.0) -> int:
        return self.add_row(height)

    scale: float = 0.0  # the print scale; 0: as the widths fit (``scale_for``)
    breaks: set[int] = field(default_factory=set)  # rows a new page starts after

    def page_break(self) -> None:
        """A new printed page after the last row written."""
        from openpyxl.worksheet.pagebreak import Break

        self.ws.row_breaks.append(Break(id=self.row))
        self.breaks.add(self.row)

    def printed_scale(self) -> float:
        return self.scale or scale_for(self.widths)

    def pages(self, scale: float | None = None) -> tuple[int, float]:
        """The printed pages the rows take at ``scale`` and the points used on the last."""
        scale = scale or self.printed_scale()
        page = PRINT_H / scale  # the page's height in sheet points
        repeat = 0.0
        if self.title_rows:
            first, last = self.title_rows
            repeat = sum(self.heights[first - 1 : last])
        used, count = 0.0, 1
        for i, h in enumerate(self.heights, 1):
            if (used + h > page and used > 0) or i - 1 in self.breaks:
                count += 1
                used = repeat if self.title_rows and i > self.title_rows[1] else 0.0
            used += h
        return count, used * scale

    def remaining(self) -> float:
        """Points left on the last printed page below the rows written so far."""
        return max(0.0, PRINT_H - self.pages()[1])

    def tighten(self, below: float = 0.5) -> None:
        """When the last page would be filled less than ``below``, print a little smaller
        (never below MIN_SCALE) if that saves the page."""
        scale = self.printed_scale()
        count, used = self.pages(scale)
        if count < 2 or used >= PRINT_H * below:
            return
        trial = scale
        while trial - 0.01 >= MIN_SCALE:
            trial -= 0.01
            if self.pages(trial)[0] < count:
                self.scale = trial
                return


def shown(value: Any, kind: str = "text", unit: str = "", up: bool = False) -> str:
    """The text a cell written by ``put`` shows."""
    if value is None or value == "":
        return ""
    if kind in ("integer", "number", "share") and is_number(value):
        if not finite(value):
            return ""
        if kind == "share":
            return percent_text(value)
        return rounded_text(value, unit, up)
    if kind == "date" and as_date(value) is not None:
        return str(as_date(value))
    return cell_text(str(value))


def put(
    ws: Any,
    row: int,
    col: int,
    value: Any,
    kind: str = "text",
    unit: str = "",
    status: str = "",
    *,
    centre: bool = False,
    up: bool = False,
) -> str:
    """Write one cell for people: numbers rounded to their unit with a format showing exactly
    that, shares as whole percent, dates as dates, text as text (never a formula); ``status``
    fills the cell with that status's colour. Returns the text it shows (for widths)."""
    from openpyxl.styles import Alignment, PatternFill

    cell = ws.cell(row=row, column=col)
    cell.font = font()
    cell.alignment = Alignment(
        vertical="center", wrap_text=kind == "text", horizontal="center" if centre else None
    )
    if status in STATUS_COLOURS:
        cell.fill = PatternFill("solid", fgColor=STATUS_COLOURS[status])
    if value is None or value == "":
        return ""
    if kind in ("integer", "number", "share") and is_number(value):
        if not finite(value):
            return ""
        if kind == "share":
            percent = rounded(float(value) * 100, "percent")
            cell.value = percent / 100
            cell.number_format = "0%" if float(percent).is_integer() else "0.0%"
        else:
            cell.value = rounded(value, unit, up)
            cell.number_format = number_format(value, unit, up)
        return shown(value, kind, unit, up)
    if kind == "date":
        day = as_date(value)
        if day is not None:
            cell.value = day
            cell.number_format = "yyyy-mm-dd"
            cell.alignment = Alignment(vertical="center", horizontal="left")
            return day.isoformat()
    text = cell_text(str(value))
    cell.value = text
    cell.data_type = "s"
    return text


def header_cells(ws: Any, row: int, headings: list[str]) -> None:
    """The table's header row: bold, grey, wrapped, with a rule below."""
    from openpyxl.styles import Alignment, Border, PatternFill, Side

    for j, text in enumerate(headings, 1):
        cell = ws.cell(row=row, column=j, value=cell_text(text))
        cell.data_type = "s"
        cell.font = font(bold=True)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        cell.border = Border(bottom=Side(style="thin", color="808080"))
        cell.alignment = Alignment(wrap_text=True, vertical="center")


def bold_row(ws: Any, row: int, columns: int) -> None:
    """A total row: bold, with a rule above."""
    from openpyxl.styles import Border, Side

    for j in range(1, columns + 1):
        cell = ws.cell(row=row, column=j)
        cell.font = font(bold=True)
        cell.border = Border(top=Side(style="thin", color="333333"))


def row_height(
    texts: list[str], widths: list[float], wrapped: list[bool], *, bold: bool = False
) -> float:
    """A row's height for its tallest cell (wrapped cells by ``lines_for``)."""
    lines = max(
        (
            lines_for(t, w, bold=bold) if wrap else t.count("\n") + 1
            for t, w, wrap in zip(texts, widths, wrapped, strict=True)
        ),
        default=1,
    )
    line = LINE_PT if all(t.isascii() for t in texts) else CJK_LINE_PT
    return lines * line + ROW_PAD_PT


def page_setup(
    ws: Any,
    *,
    widths: list[float],
    scale: float = 0.0,
    last_row: int,
    title_rows: tuple[int, int] | None,
    one_page: bool = False,
) -> None:
    """A4 landscape, the print area over the columns written, the title rows repeated on every
    page. The columns print at the scale that fits them to the page's width (``scale_for``,
    100 % when they fit), written as an explicit scale: LibreOffice's "fit to one page wide"
    also shrinks a sheet to save a page, so it is used only for a one-page sheet (to width and
    height)."""
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.page import PageMargins

    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    if one_page:
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 1
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    else:
        ws.page_setup.scale = max(10, math.floor((scale or scale_for(widths)) * 100))
        ws.sheet_properties.pageSetUpPr.fitToPage = False
    ws.page_margins = PageMargins(
        left=MARGIN_LR,
        right=MARGIN_LR,
        top=MARGIN_TOP,
        bottom=MARGIN_BOTTOM,
        header=MARGIN_HF,
        footer=MARGIN_HF,
    )
    if title_rows:
        ws.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"
    ws.print_area = f"A1:{get_column_letter(max(1, len(widths)))}{max(1, last_row)}"


def header_footer(ws: Any, left: str, centre: str, right: str) -> None:
    """The printed footer (left, centre, right), in FOOTER_PT; ``&P`` and ``&N`` in the texts
    are the page number and count, any other ``&`` is literal."""
    for part, text in (
        (ws.oddFooter.left, left),
        (ws.oddFooter.center, centre),
        (ws.oddFooter.right, right),
    ):
        safe = XML_ILLEGAL.sub("\ufffd", text).replace("&", "&&")
        part.text = safe.replace("&&P", "&P").replace("&&N", "&N")[:240]
        part.size = FOOTER_PT
        part.font = FONT


def chart_text(size: float = BODY_PT) -> Any:
    """Rich-text properties giving a chart element (an axis, the legend) ``size`` points."""
    from openpyxl.chart.text import RichText
    from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties

    props = CharacterProperties(sz=int(max(size, MIN_PT) * 100))
    return RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=props), endParaRPr=props)])


def chart_rows_cm(bars: int) -> float:
    """The least height (cm) a bar chart needs to label ``bars`` bars legibly."""
    return 2.5 + bars * 0.5


def cm(points: float) -> float:
    return points / CM


def ceil_units(text_width: int, least: float, most: float) -> float:
    return float(min(most, max(least, math.ceil(text_width) + 1.5)))

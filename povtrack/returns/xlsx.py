"""Weekly returns as Excel workbooks (.xlsx, .xlsm), read with openpyxl (imported only when a
workbook is read).

The workbook is opened read-only with the values Excel saved (``data_only``): a formula counts
with its saved result, never recalculated. The sheet read is the first worksheet, or one named
``returns`` or ``填报`` (case and surrounding spaces ignored); the header is found among its first
rows (``povtrack.returns.headers``). Rows and columns are numbered as Excel numbers them, so
``FILE:ROW:COLUMN`` points at the cell. Cells come out as Python values (``None`` for an empty
cell and for a formula with no saved value; an Excel error as its code text, ``"#DIV/0!"``); a
number cell formatted as a percentage comes out as ``cells.Percent``, for ``cells.value_cell``
to judge against the row's indicator; a number cell in one of the date formats a Chinese Excel
keeps by number only (LOCALE_DATE_FORMATS, which openpyxl does not know) comes out as the date
it shows.

Bounded work whatever the file declares: the zip's parts are checked against MAX_PARTS,
MAX_PART_BYTES and MAX_UNPACKED_BYTES before anything is parsed; the sheet is then read a row at
a time from the parser openpyxl uses underneath (its own row reader pads every row out to the
last cell: one value in column XFD would make each row 16,384 cells), refused at the first value
beyond MAX_COLUMNS, the first row beyond MAX_ROWS or a cell longer than MAX_CELL_TEXT. Anything
openpyxl cannot read is one ``UsageError`` line, never a traceback. The limits for users:
docs/returns.md.
"""

from __future__ import annotations

import io
import re
import warnings
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from povtrack.errors import UsageError, interruption
from povtrack.i18n import tr
from povtrack.returns.cells import Percent

SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
# An OLE2 compound file: Excel 97-2003 .xls, or any password-protected Office file.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PREFERRED_SHEETS = ("returns", "填报")
# Dates in the number formats Excel keeps by number and writes no definition for, whose
# meaning depends on the Excel's language; in a Chinese Excel these are its date formats
# (yyyy"年"m"月"d"日", m"月"d"日", yyyy"年"m"月" ...). openpyxl knows none of them, and would
# give the day's serial number: they are read as dates here.
LAST_SERIAL = 2_958_466  # 10000-01-01: Excel's dates end the day before
LOCALE_DATE_FORMATS = frozenset({27, 28, 29, 30, 31, 36, 50, 51, 52, 53, 54, 57, 58})
MAX_COLUMNS = 26  # values in columns A to Z
MAX_ROWS = 50_000  # rows that hold something
MAX_CELL_TEXT = 32_767  # Excel's own limit for one cell
MAX_PARTS = 1_000  # files in the zip
MAX_PART_BYTES = 16 << 20  # each, unpacked
MAX_UNPACKED_BYTES = 64 << 20  # all together, unpacked
# What a number format shows literally: "quoted text", \x escapes, [colours and conditions].
_LITERAL = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]')
EXCEL_ERRORS = frozenset(
    {
        "#NULL!",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#N/A",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    }
)


@dataclass
class SheetValues:
    title: str
    # (Excel row number, the row's values from column A) for every row with something in it
    rows: list[tuple[int, tuple[Any, ...]]] = field(default_factory=list)


def is_workbook_zip(data: bytes) -> bool:
    """A zip holding an Excel workbook (as opposed to another zip: .ods, .docx, ...)."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "xl/workbook.xml" in zf.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _open(data: bytes, *, data_only: bool) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)


def _check_parts(data: bytes) -> None:
    """The zip's parts within the limits, by the sizes it declares (reading stops there)."""
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        parts = zf.infolist()
    why = None
    if len(parts) > MAX_PARTS:
        why = tr(
            f"它有 {len(parts)} 个部件，超过 {MAX_PARTS}",
            f"it has {len(parts)} parts, more than {MAX_PARTS}",
        )
    elif big := next((p for p in parts if p.file_size > MAX_PART_BYTES), None):
        why = tr(
            f"它的部件 {big.filename} 解压后有 {big.file_size} 字节，超过 16 MiB",
            f"its part {big.filename} unpacks to {big.file_size} bytes, more than 16 MiB",
        )
    elif (total := sum(p.file_size for p in parts)) > MAX_UNPACKED_BYTES:
        why = tr(
            f"它的部件解压后共 {total} 字节，超过 64 MiB",
            f"its parts unpack to {total} bytes, more than 64 MiB together",
        )
    if why is not None:
        raise UsageError(
            tr(f"povtrack 读不了这个工作簿：{why}", f"not a workbook povtrack reads: {why}")
        )


def is_percent_format(number_format: str) -> bool:
    """Whether Excel shows a number in this format as a percentage (0.9 as 90%): a % sign in
    the format's first section that is not quoted or escaped text."""
    return "%" in _LITERAL.sub("", number_format).split(";")[0]


def _percent_styles(workbook: Any) -> frozenset[int]:
    from openpyxl.styles.numbers import BUILTIN_FORMATS, BUILTIN_FORMATS_MAX_SIZE

    found = set()
    for style_id, style in enumerate(workbook._cell_styles):
        number_format = style.numFmtId
        if number_format < BUILTIN_FORMATS_MAX_SIZE:
            text = BUILTIN_FORMATS.get(number_format, "General")
        else:
            custom = workbook._number_formats
            at = number_format - BUILTIN_FORMATS_MAX_SIZE
            text = custom[at] if at < len(custom) else "General"
        if is_percent_format(text):
            found.add(style_id)
    return frozenset(found)


def _locale_date_styles(workbook: Any) -> frozenset[int]:
    """The styles whose number format is one of LOCALE_DATE_FORMATS."""
    return frozenset(
        style_id
        for style_id, style in enumerate(workbook._cell_styles)
        if style.numFmtId in LOCALE_DATE_FORMATS
    )


def _column_name(column: int) -> str:
    name = ""
    while column > 0:
        column, rest = divmod(column - 1, 26)
        name = chr(65 + rest) + name
    return name


def _rows(workbook: Any, ws: Any, *, percent: bool) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """(Excel row number, its values from column A to its last value) for every row that holds
    something, within the limits; if ``percent`` (the values as a return reads them), a
    percent-formatted number as ``Percent`` and a number in a locale date format as a date."""
    from openpyxl.utils.datetime import from_excel
    from openpyxl.worksheet._reader import WorkSheetParser

    styles = _percent_styles(workbook) if percent else frozenset()
    dates = _locale_date_styles(workbook) if percent else frozenset()
    taken = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=workbook.data_only,
            epoch=workbook.epoch,
            date_formats=workbook._date_formats,
            timedelta_formats=workbook._timedelta_formats,
        )
        for number, cells in parser.parse():
            values: dict[int, Any] = {}
            for cell in cells:
                value = cell["value"]
                if _blank(value):
                    continue
                column, where = cell["column"], f"{_column_name(cell['column'])}{number}"
                if column > MAX_COLUMNS:
                    raise UsageError(
                        tr(
                            f"单元格 {where} 在 Z 列以外有值；报表的值只能在 A 到 Z 列"
                            "（请移动或删除）",
                            f"cell {where} holds a value beyond column Z; a return's values are "
                            "in columns A to Z (move it, or delete it)",
                        )
                    )
                if isinstance(value, str) and len(value) > MAX_CELL_TEXT:
                    raise UsageError(
                        tr(
                            f"单元格 {where} 有 {len(value)} 个字符；Excel 自己一个单元格最多"
                            f"存 {MAX_CELL_TEXT} 个",
                            f"cell {where} holds {len(value)} characters; Excel itself keeps at "
                            f"most {MAX_CELL_TEXT} in a cell",
                        )
                    )
                if cell["style_id"] in styles and type(value) in (int, float):
                    value = Percent(value)
                elif (
                    cell["style_id"] in dates
                    and type(value) in (int, float)
                    and 1 <= value < LAST_SERIAL
                ):
                    value = from_excel(value, workbook.epoch)  # a date cell of a Chinese Excel
                values[column] = value
            if not values:
                continue
            taken += 1
            if taken > MAX_ROWS:
                raise UsageError(
                    tr(
                        f"有值的行超过 {MAX_ROWS} 行（第 {number} 行多了）；请把报表拆成几个工作簿",
                        f"more than {MAX_ROWS} rows hold something (row {number} is one too "
                        "many); split the return into several workbooks",
                    )
                )
            yield number, tuple(values.get(c) for c in range(1, max(values) + 1))


def _pick(workbook: Any) -> Any:
    sheets = workbook.worksheets
    if not sheets:
        raise UsageError(
            tr(
                "不是可读的 Excel 工作簿（没有工作表）",
                "not a readable Excel workbook (it has no worksheet)",
            )
        )
    for ws in sheets:
        if ws.title.strip().casefold() in PREFERRED_SHEETS:
            return ws
    return sheets[0]


def read_sheet(data: bytes) -> SheetValues:
    """The return sheet of the workbook in ``data``: its non-blank rows, values as saved."""
    return _read(data, lambda workbook: [_pick(workbook)])[0]


def read_sheets(data: bytes, titles: tuple[str, ...]) -> list[SheetValues]:
    """The worksheets named ``titles`` (hidden ones too), in that order, read as
    ``read_sheet`` reads one; a name the workbook lacks is a UsageError."""

    def named(workbook: Any) -> list[Any]:
        missing = [t for t in titles if t not in workbook.sheetnames]
        if missing:
            raise UsageError(
                tr(
                    f"工作簿里没有名为 '{missing[0]}' 的工作表",
                    f"the workbook has no sheet named '{missing[0]}'",
                )
            )
        return [workbook[t] for t in titles]

    return _read(data, named)


def _read(data: bytes, which: Any) -> list[SheetValues]:
    """The sheets ``which(workbook)`` picks, each a SheetValues; one open of the workbook."""
    try:
        _check_parts(data)
        with warnings.catch_warnings():  # openpyxl warns about styles, extensions, ...
            warnings.simplefilter("ignore")
            workbook = _open(data, data_only=True)
            try:
                sheets = [
                    SheetValues(ws.title, list(_rows(workbook, ws, percent=True)))
                    for ws in which(workbook)
                ]
            finally:
                workbook.close()
    except UsageError:
        raise
    except Exception as exc:  # a third-party parser on untrusted input: anything can go wrong
        if (signal_came := interruption(exc)) is not None:
            raise signal_came from None
        why = _one_line(exc)
        raise UsageError(
            tr(f"不是可读的 Excel 工作簿（{why}）", f"not a readable Excel workbook ({why})")
        ) from None
    return sheets


def formula_cells(
    data: bytes, title: str, wanted: Callable[[int, int], bool], last: int
) -> set[tuple[int, int]]:
    """Which cells (row, column) up to row ``last`` that are ``wanted`` (empty as saved, where
    a value is needed) hold a formula: one never calculated and saved, as files written by
    programs other than Excel often are."""
    found: set[tuple[int, int]] = set()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = _open(data, data_only=False)
            try:
                for number, values in _rows(workbook, workbook[title], percent=False):
                    if number > last:
                        break
                    for col, value in enumerate(values, start=1):
                        if value is not None and wanted(number, col):
                            found.add((number, col))
            finally:
                workbook.close()
    except Exception as exc:  # read once already; without the formulas, the cells are empty
        if (signal_came := interruption(exc)) is not None:
            raise signal_came from None
        return found
    return found

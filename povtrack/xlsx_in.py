"""Weekly returns as Excel workbooks (.xlsx, .xlsm), read with openpyxl.

openpyxl is imported only when a workbook is read. The workbook is opened read-only with the
values Excel saved (``data_only``): a formula counts with its saved result, never recalculated.

Which sheet: the first worksheet, unless the workbook has a worksheet named ``returns`` or
``填报`` (case and surrounding spaces ignored), then that one. Its first non-blank row is the
header, with the same column names and rules as a CSV return; rows and columns are numbered as
Excel numbers them (row 1, column A = 1), so ``FILE:ROW:COLUMN`` points at the cell.

Cells come out as Python values: ``str``, ``int``, ``float``, ``bool``, ``datetime`` (a cell
formatted as a date), ``time``/``timedelta``, or ``None`` for an empty cell and for a formula with
no saved value. An Excel error cell comes out as its code text, e.g. ``"#DIV/0!"``.

Anything openpyxl cannot read (not a zip, a damaged or incomplete workbook) is one ``UsageError``
line, never a traceback.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass, field
from typing import Any

from povtrack.errors import UsageError

SUFFIXES = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"
# An OLE2 compound file: Excel 97-2003 .xls, or any password-protected Office file.
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PREFERRED_SHEETS = ("returns", "填报")
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
class Sheet:
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


def _pick(workbook: Any) -> Any:
    sheets = workbook.worksheets
    if not sheets:
        raise UsageError("not a readable Excel workbook (it has no worksheet)")
    for ws in sheets:
        if ws.title.strip().casefold() in PREFERRED_SHEETS:
            return ws
    return sheets[0]


def read_sheet(data: bytes) -> Sheet:
    """The return sheet of the workbook in ``data``: its non-blank rows, values as saved."""
    try:
        with warnings.catch_warnings():  # openpyxl warns about styles, extensions, ...
            warnings.simplefilter("ignore")
            workbook = _open(data, data_only=True)
            try:
                ws = _pick(workbook)
                ws.reset_dimensions()  # some writers save a wrong used range; read every row
                sheet = Sheet(ws.title)
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if not all(_blank(v) for v in values):
                        sheet.rows.append((number, tuple(values)))
            finally:
                workbook.close()
    except UsageError:
        raise
    except Exception as exc:  # a third-party parser on untrusted input: anything can go wrong
        raise UsageError(f"not a readable Excel workbook ({_one_line(exc)})") from None
    return sheet


def formula_cells(data: bytes, title: str, cells: set[tuple[int, int]]) -> set[tuple[int, int]]:
    """Which of ``cells`` (row, column), empty as saved, hold a formula: one never calculated
    and saved, as files written by programs other than Excel often are."""
    found: set[tuple[int, int]] = set()
    last = max((r for r, _ in cells), default=0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            workbook = _open(data, data_only=False)
            try:
                ws = workbook[title]
                ws.reset_dimensions()
                for number, values in enumerate(ws.iter_rows(values_only=True), start=1):
                    if number > last:
                        break
                    for col, value in enumerate(values, start=1):
                        if value is not None and (number, col) in cells:
                            found.add((number, col))
            finally:
                workbook.close()
    except Exception:  # read once already; without the formulas, the cells are just empty
        return found
    return found

"""Weekly return files in: CSV, or an Excel workbook (.xlsx/.xlsm), with the header
``date,area,indicator,value[,note]``.

``week`` (YYYY-Www, standing for its Sunday) may replace ``date``. Every row is checked before
anything is written; every bad row is reported as ``FILE:LINE:COLUMN: why`` (for a workbook,
the Excel row and column numbers; which sheet is read: see ``povtrack.returns.xlsx``).

CSV text: encodings are detected strictly: a BOM (UTF-8 or UTF-16), else UTF-8, else GB18030
(what Chinese Excel writes as "CSV"); ``encoding=`` overrides. Comma-separated, or
tab-separated when the header has tabs and no comma (Excel's "Unicode text"); Excel's
``sep=;`` (``sep=,``, ``sep=<tab>``) first line is honoured and skipped. A workbook, an old
.xls or binary data under a CSV name is refused with what to do instead.

What a cell may hold (the number grammar, dates, workbook cell types) is ``povtrack.returns.cells``.
An Excel error value (``#DIV/0!``, ``#N/A`` ...) is refused in any cell, as a cell or as text. For
users: docs/returns.md.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import hashlib
import io
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from povtrack.dates import check_in_window
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Indicator, Plan
from povtrack.names import reportable, resolve_area, resolve_indicator
from povtrack.returns import template as template_in
from povtrack.returns import xlsx as xlsx_in
from povtrack.returns.cells import blank, cell_text, day_cell, note_text, value_cell, week_cell
from povtrack.returns.xlsx import EXCEL_ERRORS, OLE_MAGIC, SUFFIXES, ZIP_MAGIC
from povtrack.textsafe import shown

COLUMNS = ("date", "week", "area", "indicator", "value", "note")
REQUIRED = ("area", "indicator", "value")  # and one of date/week
_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SEPARATORS = (",", ";", "\t")  # what an Excel "sep=" first line may name
_OLD_XLS = (
    "this is an Excel 97-2003 (.xls) or password-protected workbook; povtrack reads .xlsx and "
    "CSV: open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8, without a password"
)


@dataclass
class ReturnFile:
    path: Path
    sha256: str  # of the file's bytes, CSV or workbook alike
    encoding: str  # the text encoding used ("utf-8", "gb18030", ...), or "xlsx"
    name: str  # how messages and entry sources name the file
    rows: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "csv"  # "csv" or "xlsx"
    sheet: str | None = None  # the worksheet read, for a workbook


# ---------------------------------------------------------------------------- text


def _position(data: bytes, start: int, encoding: str) -> str:
    """'line L, column C (byte offset N)' for a byte offset into ``data``."""
    try:
        before = data[:start].decode(encoding, errors="replace")
    except (LookupError, UnicodeError, ValueError):
        return f"byte offset {start}"
    breaks = list(_LINE_BREAK.finditer(before))
    line = len(breaks) + 1
    column = len(before) - (breaks[-1].end() if breaks else 0) + 1
    return f"line {line}, column {column} (byte offset {start})"


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used). Strict: never replaces a byte it cannot read."""
    if encoding:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), encoding
        except LookupError:
            raise UsageError(f"unknown encoding '{encoding}'") from None
        except UnicodeDecodeError as exc:
            where = _position(data, exc.start, encoding)
            raise UsageError(f"not {encoding} text at {where}") from None
        except (UnicodeError, ValueError):  # a codec that fails without a position
            raise UsageError(f"not {encoding} text") from None
    if data.startswith(b"\xef\xbb\xbf"):
        candidates, label = ["utf-8-sig"], "UTF-8 (it starts with a UTF-8 byte order mark)"
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates, label = ["utf-16"], "UTF-16 (it starts with a UTF-16 byte order mark)"
    else:
        candidates, label = ["utf-8", "gb18030"], "UTF-8 or GB18030"
    failed: list[tuple[int, str]] = []
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            failed.append((exc.start, enc))
    start, enc = max(failed)  # where the encoding that read furthest stopped
    raise UsageError(
        f"cannot read the text: not {label} at {_position(data, start, enc)}; "
        "save it as CSV UTF-8 or pass --encoding"
    )


def _control_character(text: str) -> tuple[int, int, str] | None:
    """(line, column, 'U+00XX') of the first control character other than tab, CR and LF."""
    m = _CONTROL.search(text)
    if m is None:
        return None
    breaks = list(_LINE_BREAK.finditer(text, 0, m.start()))
    column = m.start() - (breaks[-1].end() if breaks else 0) + 1
    return len(breaks) + 1, column, f"U+{ord(m.group()):04X}"


# ---------------------------------------------------------------------------- files


class _Names:
    """A week's returns repeat the same few names thousands of times: resolve each once.
    Failures are not kept, so every bad row still gets its own message."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._areas: dict[str, str] = {}
        self._indicators: dict[str, Indicator] = {}

    def area(self, text: str) -> str:
        if text not in self._areas:
            self._areas[text] = resolve_area(self.plan, text)
        return self._areas[text]

    def indicator(self, text: str) -> Indicator:
        """An indicator a return may report (``names.reportable``: not a ratio)."""
        if text not in self._indicators:
            self._indicators[text] = reportable(self.plan, resolve_indicator(self.plan, text))
        return self._indicators[text]


class _Batch:
    """What the files of one import share: the plan's names, and the rows seen so far."""

    def __init__(self, plan: Plan, tick: Callable[[int], None] | None = None) -> None:
        self.names = _Names(plan)
        self.seen: dict[tuple[str, str, date], str] = {}
        self.tick = tick or (lambda n: None)  # one call per row read, for a progress bar


def read_returns(
    paths: list[Path],
    plan: Plan,
    *,
    encoding: str | None = None,
    base: Path | None = None,
    known: frozenset[str] = frozenset(),
    tick: Callable[[int], None] | None = None,
    reader: Callable[[Path], bytes] | None = None,
    plan_digest: str | None = None,
) -> tuple[list[ReturnFile], list[str]]:
    """Parse and check every row of every file. Returns the files and the list of problems.

    Files are named as given, or relative to ``base`` when one is given. ``encoding`` applies
    to CSV files only. A file whose sha256 is ``known`` (imported before) or that repeats an
    earlier file of this batch is returned without rows: it adds nothing, so its rows can
    neither clash with the others nor be refused. ``reader``: a file's bytes, when they were
    read already (the inbox reads each return once, from a descriptor of its own).
    ``plan_digest``: the database's plan digest, which a filled template must carry."""
    files: list[ReturnFile] = []
    problems: list[str] = []
    batch = _Batch(plan, tick)
    hashes = set(known)
    for path in paths:
        try:
            data = reader(path) if reader is not None else path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{path}: no such file")
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc.strerror}")
            continue
        name = display_name(path.relative_to(base) if base else path)
        sha = hashlib.sha256(data).hexdigest()
        if sha in hashes:
            files.append(ReturnFile(path, sha, "", name))  # not decoded: it adds nothing
            continue
        hashes.add(sha)
        if data.startswith(OLE_MAGIC):
            problems.append(f"{path}: {_OLD_XLS}")
        elif path.suffix.lower() in SUFFIXES and template_in.is_template(data):
            rf = ReturnFile(path, sha, "xlsx", name, kind="xlsx")
            problems += _read_template(rf, data, batch, plan_digest)
            files.append(rf)
        elif path.suffix.lower() in SUFFIXES:
            try:
                sheet = xlsx_in.read_sheet(data)
            except UsageError as exc:
                problems.append(f"{path}: {exc.message}")
                continue
            rf = ReturnFile(path, sha, "xlsx", name, kind="xlsx", sheet=sheet.title)
            problems += _read_workbook(rf, sheet, data, batch)
            files.append(rf)
        elif data.startswith(ZIP_MAGIC):
            problems.append(f"{path}: {_zip_message(path, data)}")
        elif b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            problems.append(f"{path}: not a CSV text file (binary data)")
        else:
            try:
                text, used = decode(data, encoding)
            except UsageError as exc:
                problems.append(f"{path}: {exc.message}")
                continue
            rf = ReturnFile(path, sha, used, name)
            problems += _read_csv(rf, text, batch)
            files.append(rf)
    return files, problems


def display_name(path: Path) -> str:
    """A file name as text, undecodable bytes shown as \\xNN: it is stored as a label (entry
    sources, batches), and the database holds only real Unicode."""
    return os.fsencode(path).decode("utf-8", errors="backslashreplace")


def _zip_message(path: Path, data: bytes) -> str:
    if not xlsx_in.is_workbook_zip(data):
        return (
            "this is a zip archive, not CSV text (an .ods or Word file?); "
            "save the return as .xlsx or CSV UTF-8"
        )
    if path.suffix:
        return f"this is an Excel workbook saved under a {path.suffix} name; rename it to .xlsx"
    return "this is an Excel workbook saved without the .xlsx extension; rename it to .xlsx"


# ---------------------------------------------------------------------------- CSV


def _read_csv(rf: ReturnFile, text: str, batch: _Batch) -> list[str]:
    bad = _control_character(text)
    if bad is not None:
        line, column, code = bad
        return [
            f"{rf.name}:{line}:{column}: binary data (control character {code}); "
            "not a CSV text file"
        ]
    first = _LINE_BREAK.split(text, maxsplit=1)[0]
    delimiter = None
    if first.lstrip("\ufeff").lower().startswith("sep="):  # Excel's separator line
        sep = first.lstrip("\ufeff")[4:]
        sep = sep if sep == "\t" else sep.strip(" ")
        if sep not in _SEPARATORS:
            return [
                f"{rf.name}:1: the separator line '{shown(first)}' names no separator "
                "povtrack reads; write sep=, or sep=; or sep= and a tab"
            ]
        delimiter = sep
        text = text[len(first) :]  # line 1 left blank: the following lines keep their numbers
    if delimiter is None:
        first = next((ln for ln in _LINE_BREAK.split(text) if ln.strip()), "")
        # Excel's "Unicode text" is tab-separated; everything else here is comma-separated.
        delimiter = "\t" if "\t" in first and "," not in first else ","
    problems: list[str] = []
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    columns: dict[str, int] = {}
    rows = iter(reader)
    data_rows = 0
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted field may span lines)
        try:
            fields = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the size limit
            problems.append(f"{rf.name}:{line}: not valid CSV: {exc}")
            break
        if not any(f.strip() for f in fields):
            continue  # blank lines are allowed and skipped
        if header is None:
            header = [f.strip().lstrip("\ufeff").lower() for f in fields]
            if len(header) == 1 and (sep := next((s for s in ";，" if s in header[0]), None)):
                return [
                    f"{rf.name}:{line}: found 1 column; the file appears to be "
                    f"'{sep}'-separated (povtrack reads comma- or tab-separated CSV; "
                    "save as CSV UTF-8)"
                ]
            bad_header = _check_header(header)
            if bad_header:
                return [f"{rf.name}:{line}: {b}" for b in bad_header]
            columns = {name: i + 1 for i, name in enumerate(header)}
            continue
        if len(fields) != len(header):
            problems.append(f"{rf.name}:{line}: {len(fields)} fields, the header has {len(header)}")
            continue
        cells = {name: (columns[name], fields[columns[name] - 1]) for name in columns}
        data_rows += 1
        problems += _take_row(rf, line, cells, batch, set())
    if header is None:
        problems.append(f"{rf.name}: empty file (expected a header: date,area,indicator,value)")
    elif not data_rows and not problems:
        problems.append(f"{rf.name}: no data rows, only the header (nothing to import)")
    return problems


def _check_header(header: list[str]) -> list[str]:
    if not any(name in COLUMNS or difflib.get_close_matches(name, COLUMNS, n=1) for name in header):
        return [
            "this is not the header: it names none of the columns date/week, area, indicator, "
            "value (is there a title row above the header? the first line must be the header)"
        ]
    bad = []
    for name in dict.fromkeys(header):
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            bad.append(f"unknown column '{shown(name)}'{hint}")
    for name in {n for n in header if header.count(n) > 1}:
        bad.append(f"column '{shown(name)}' appears twice")
    if ("date" in header) == ("week" in header):
        bad.append("the header needs a 'date' or a 'week' column (one of them)")
    for name in REQUIRED:
        if name not in header:
            bad.append(f"missing column '{name}' (header: date,area,indicator,value[,note])")
    return bad


# ---------------------------------------------------------------------------- workbooks


def _read_workbook(
    rf: ReturnFile, sheet: xlsx_in.SheetValues, data: bytes, batch: _Batch
) -> list[str]:
    if not sheet.rows:
        return [
            f"{rf.name}: sheet '{sheet.title}' is empty "
            "(expected a header: date,area,indicator,value)"
        ]
    header_row, header_cells = sheet.rows[0]
    header = [cell_text(v).strip().lower() for v in header_cells]
    bad = _check_header([h for h in header if h])
    if bad:
        return [f"{rf.name}:{header_row}: {b}" for b in bad]
    if len(sheet.rows) == 1:
        return [f"{rf.name}: no data rows, only the header (nothing to import)"]
    columns = {name: i + 1 for i, name in enumerate(header) if name}
    when = "date" if "date" in columns else "week"
    required = [columns[c] for c in (when, *REQUIRED)]
    empty = {
        (number, col)
        for number, values in sheet.rows[1:]
        for col in required
        if col > len(values) or blank(values[col - 1])
    }
    unsaved = xlsx_in.formula_cells(data, sheet.title, empty) if empty else set()
    problems: list[str] = []
    for number, values in sheet.rows[1:]:
        stray = next(
            (
                c
                for c, v in enumerate(values, start=1)
                if c not in columns.values() and not blank(v)
            ),
            None,
        )
        if stray is not None:
            problems.append(
                f"{rf.name}:{number}:{stray}: a cell outside the header's columns "
                f"('{shown(cell_text(values[stray - 1]))}'); the header (row {header_row}) "
                "names no column here"
            )
            continue
        cells = {
            name: (col, values[col - 1] if col <= len(values) else None)
            for name, col in columns.items()
        }
        problems += _take_row(rf, number, cells, batch, unsaved)
    return problems


def _read_template(rf: ReturnFile, data: bytes, batch: _Batch, digest: str | None) -> list[str]:
    """A filled ``povtrack template`` (``returns.template``): its rows checked as any row."""
    try:
        read = template_in.read_template(data, batch.names.plan, digest)
    except UsageError as exc:
        return [f"{rf.path}: {exc.message}"]
    rf.sheet = read.title
    problems = [f"{rf.name}:{line}:{col}: {why}" for line, col, why in read.problems]
    for line, cells in read.rows:
        problems += _take_row(rf, line, cells, batch, read.unsaved)
    if not read.rows and not problems:
        area = batch.names.plan.area(read.area)
        problems.append(
            f"{rf.name}: "
            + tr(
                f"{area.name} {read.week} 的填报模板没有填写任何数值（没有可导入的）",
                f"the template for {area.name_en}, {read.week} has no value filled in "
                "(nothing to import)",
            )
        )
    return problems


# ---------------------------------------------------------------------------- rows


def _take_row(
    rf: ReturnFile,
    line: int,
    cells: dict[str, tuple[int, Any]],
    batch: _Batch,
    unsaved: set[tuple[int, int]],
) -> list[str]:
    """Check one row; a good one is added to ``rf.rows``. Returns its problems."""
    batch.tick(1)
    where = f"{rf.name}:{line}"
    parsed, problems = _parse_row(cells, batch.names, where, line, unsaved)
    if parsed is None:
        return problems
    key = (parsed["indicator"], parsed["area"], parsed["date"])
    if key in batch.seen:
        problems.append(
            f"{where}:{cells['value'][0]}: {parsed['area']} {parsed['indicator']} "
            f"{parsed['date']} is already given at {batch.seen[key]}"
        )
        return problems
    batch.seen[key] = where
    rf.rows.append(parsed)
    return problems


def _parse_row(
    cells: dict[str, tuple[int, Any]],
    names: _Names,
    where: str,
    line: int,
    unsaved: set[tuple[int, int]],
) -> tuple[dict[str, Any] | None, list[str]]:
    errs: list[str] = []

    def attempt(column: str, fn: Callable[[Any], Any]) -> Any:
        col, value = cells[column]
        try:
            if isinstance(value, str) and "#" in value and value.strip().upper() in EXCEL_ERRORS:
                raise UsageError(
                    f"Excel error value {value.strip().upper()} in the {column} cell; "
                    "fix the formula in the return"
                )
            if value is None and (line, col) in unsaved:
                raise UsageError(
                    f"the {column} cell is a formula with no saved value; open the file in "
                    "Excel and save it, then import it again"
                )
            return fn(value)
        except UsageError as exc:
            errs.append(f"{where}:{col}: {exc.message}")
            return None

    out: dict[str, Any] = {"source": where}
    out["note"] = attempt("note", lambda v: note_text(cell_text(v))) if "note" in cells else ""
    when = "date" if "date" in cells else "week"
    day = attempt(when, day_cell if when == "date" else week_cell)
    if day is not None:
        try:
            out["date"] = check_in_window(day, names.plan.start, names.plan.last_due, when)
        except UsageError as exc:
            errs.append(f"{where}:{cells[when][0]}: {exc.message}")
    out["area"] = attempt("area", lambda v: names.area(cell_text(v)))
    ind = attempt("indicator", lambda v: names.indicator(cell_text(v)))
    if ind is not None:
        out["indicator"] = ind.id
        out["value"] = attempt("value", lambda v: value_cell(v, ind))
    if errs or None in (out.get("date"), out["area"], out.get("value")):
        return None, errs
    return out, errs

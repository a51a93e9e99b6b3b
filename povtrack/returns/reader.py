"""Weekly return files in: CSV, or an Excel workbook (.xlsx/.xlsm), with the header
``date,area,indicator,value[,note]`` (or its Chinese names), or a wide table of indicators
across.

``week`` (YYYY-Www, standing for its Sunday) may replace ``date``. The header may sit below
title and note rows; which row it is, which layout (long: one value a row; wide: indicators
across) and what each column names is ``povtrack.returns.headers``; the title may give the area
or the date (``povtrack.returns.titles``); a wide row is read by ``povtrack.returns.wide``.
Every row is checked before anything is written; every bad row is reported as
``FILE:LINE:COLUMN: why`` (for a workbook, the Excel row and column numbers; which sheet is
read: see ``povtrack.returns.xlsx``).

CSV text: encodings are detected strictly: a BOM (UTF-8 or UTF-16), else UTF-8, else GB18030
(what Chinese Excel writes as "CSV"); ``encoding=`` overrides. Comma-separated, or
tab-separated when the first line with a tab or a comma has tabs and no comma (Excel's "Unicode
text"); Excel's ``sep=;`` (``sep=,``, ``sep=<tab>``) first line is honoured and skipped. A
workbook, an old .xls or binary data under a CSV name is refused with what to do instead.

What a cell may hold (the number grammar, dates, workbook cell types) is ``povtrack.returns.cells``.
An Excel error value (``#DIV/0!``, ``#N/A`` ...) is refused in any cell, as a cell or as text. For
users: docs/returns.md.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from povtrack.dates import check_in_window
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Plan
from povtrack.returns import headers, wide
from povtrack.returns import template as template_in
from povtrack.returns import xlsx as xlsx_in
from povtrack.returns.cells import blank, cell_text
from povtrack.returns.headers import SCAN_ROWS, Header
from povtrack.returns.rows import Batch as _Batch
from povtrack.returns.rows import take_row as _take_row
from povtrack.returns.xlsx import OLE_MAGIC, SUFFIXES, ZIP_MAGIC
from povtrack.textsafe import shown

_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SEPARATORS = (",", ";", "\t")  # what an Excel "sep=" first line may name
LAYOUTS = headers.LAYOUTS


def _old_xls() -> str:
    return tr(
        "这是 Excel 97-2003（.xls）工作簿或设了密码的工作簿；povtrack 读取 .xlsx 和 CSV："
        "请用 Excel 打开，另存为 .xlsx（Excel 工作簿）或 CSV UTF-8，不设密码",
        "this is an Excel 97-2003 (.xls) or password-protected workbook; povtrack reads .xlsx "
        "and CSV: open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8, without "
        "a password",
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
    header: Header | None = None  # how the file was read (povtrack.returns.reading)


# ---------------------------------------------------------------------------- text


def _position(data: bytes, start: int, encoding: str) -> str:
    """'line L, column C (byte offset N)' for a byte offset into ``data``."""
    try:
        before = data[:start].decode(encoding, errors="replace")
    except (LookupError, UnicodeError, ValueError):
        return tr(f"字节偏移 {start}", f"byte offset {start}")
    breaks = list(_LINE_BREAK.finditer(before))
    line = len(breaks) + 1
    column = len(before) - (breaks[-1].end() if breaks else 0) + 1
    return tr(
        f"第 {line} 行第 {column} 列（字节偏移 {start}）",
        f"line {line}, column {column} (byte offset {start})",
    )


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used). Strict: never replaces a byte it cannot read."""
    if encoding:
        try:
            codecs.lookup(encoding)
            return data.decode(encoding), encoding
        except LookupError:
            raise UsageError(
                tr(f"未知的编码 '{encoding}'", f"unknown encoding '{encoding}'")
            ) from None
        except UnicodeDecodeError as exc:
            where = _position(data, exc.start, encoding)
            raise UsageError(
                tr(f"{where}不是 {encoding} 文本", f"not {encoding} text at {where}")
            ) from None
        except (UnicodeError, ValueError):  # a codec that fails without a position
            raise UsageError(tr(f"不是 {encoding} 文本", f"not {encoding} text")) from None
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
        label = tr(
            "UTF-8（文件以 UTF-8 字节顺序标记开头）",
            "UTF-8 (it starts with a UTF-8 byte order mark)",
        )
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
        label = tr(
            "UTF-16（文件以 UTF-16 字节顺序标记开头）",
            "UTF-16 (it starts with a UTF-16 byte order mark)",
        )
    else:
        candidates, label = ["utf-8", "gb18030"], tr("UTF-8 或 GB18030", "UTF-8 or GB18030")
    failed: list[tuple[int, str]] = []
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            failed.append((exc.start, enc))
    start, enc = max(failed)  # where the encoding that read furthest stopped
    where = _position(data, start, enc)
    raise UsageError(
        tr(
            f"读不了这段文本：{where}不是 {label}；请另存为 CSV UTF-8，或用 --encoding 指定编码",
            f"cannot read the text: not {label} at {where}; save it as CSV UTF-8 or pass "
            "--encoding",
        )
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


def read_returns(
    paths: list[Path],
    plan: Plan,
    *,
    encoding: str | None = None,
    base: Path | None = None,
    known: frozenset[str] = frozenset(),
    tick: Callable[[int], None] | None = None,
    reader: Callable[[Path], bytes] | None = None,
    layout: str | None = None,
    plan_digest: str | None = None,
) -> tuple[list[ReturnFile], list[str]]:
    """Parse and check every row of every file. Returns the files and the list of problems.

    Files are named as given, or relative to ``base`` when one is given. ``encoding`` applies
    to CSV files only. A file whose sha256 is ``known`` (imported before) or that repeats an
    earlier file of this batch is returned without rows: it adds nothing, so its rows can
    neither clash with the others nor be refused. ``reader``: a file's bytes, when they were
    read already (the inbox reads each return once, from a descriptor of its own).
    ``layout``: "long" or "wide" for every file; None, recognised from each header.
    ``plan_digest``: the database's plan digest, which a filled template must carry."""
    files: list[ReturnFile] = []
    problems: list[str] = []
    batch = _Batch(plan, tick, layout)
    hashes = set(known)
    for path in paths:
        try:
            data = reader(path) if reader is not None else path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{path}: " + tr("没有这个文件", "no such file"))
            continue
        except OSError as exc:
            problems.append(
                f"{path}: " + tr(f"读取失败：{exc.strerror}", f"cannot read: {exc.strerror}")
            )
            continue
        name = display_name(path.relative_to(base) if base else path)
        sha = hashlib.sha256(data).hexdigest()
        if sha in hashes:
            files.append(ReturnFile(path, sha, "", name))  # not decoded: it adds nothing
            continue
        hashes.add(sha)
        if data.startswith(OLE_MAGIC):
            problems.append(f"{path}: {_old_xls()}")
        elif path.suffix.lower() in SUFFIXES and template_in.is_template(data):
            rf = ReturnFile(path, sha, "xlsx", name, kind="xlsx")
            problems += template_in.take_template(rf, data, batch, plan_digest)
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
            problems.append(
                f"{path}: "
                + tr("不是 CSV 文本文件（二进制数据）", "not a CSV text file (binary data)")
            )
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
        return tr(
            "这是 zip 压缩包，不是 CSV 文本（.ods 或 Word 文件？）；"
            "请把报表存为 .xlsx 或 CSV UTF-8",
            "this is a zip archive, not CSV text (an .ods or Word file?); "
            "save the return as .xlsx or CSV UTF-8",
        )
    if path.suffix:
        return tr(
            f"这是 Excel 工作簿，却用了 {path.suffix} 的文件名；请改名为 .xlsx",
            f"this is an Excel workbook saved under a {path.suffix} name; rename it to .xlsx",
        )
    return tr(
        "这是 Excel 工作簿，文件名没有 .xlsx 扩展名；请改名为 .xlsx",
        "this is an Excel workbook saved without the .xlsx extension; rename it to .xlsx",
    )


# ---------------------------------------------------------------------------- the header


def _no_data() -> str:
    return tr(
        "只有表头，没有数据行（没有可导入的内容）",
        "no data rows, only the header (nothing to import)",
    )


def _expected_header() -> str:
    return tr(
        "（应有表头：date,area,indicator,value，或 日期,地区,指标,数值）",
        "(expected a header: date,area,indicator,value)",
    )


def _header(
    rf: ReturnFile,
    head: list[tuple[int, Any]],
    batch: _Batch,
    one_column: Callable[[int, list[str]], str | None],
) -> tuple[int, list[str]]:
    """Find and check the header among ``head`` (the first rows holding something): its index
    in ``head`` and, when it cannot be read, the problems (``rf.header`` is set when it can)."""
    plan = batch.names.plan
    at, layout = headers.find(head, plan, batch.layout)
    if layout is None and batch.layout is not None:
        other, kind = headers.find(head, plan, None)
        if kind is not None:  # a header, of the layout not asked for
            return other, [
                f"{rf.name}:{head[other][0]}: "
                + tr(
                    f"这是 {kind} 格式的表头，不是所要求的 {batch.layout} 格式"
                    f"（--layout {batch.layout}）",
                    f"this is a header of the {kind} layout, not {batch.layout} "
                    f"(--layout {batch.layout})",
                )
            ]
    if layout is None:  # no row is a header: report the nearest one's problems
        line, values = head[at]
        lowered = [cell_text(v).strip().lstrip("\ufeff").lower() for v in values]
        if (why := one_column(line, lowered)) is not None:
            return at, [why]
        bad = headers.check_english(lowered) or headers.check_english([])  # (never sound)
        return at, [f"{rf.name}:{line}: {b}" for b in bad]
    header, problems = headers.build(head, at, layout, plan)
    if (day := header.given.get("date")) is not None and not isinstance(day.value, str):
        try:
            check_in_window(day.value, plan.start, plan.last_due)
        except UsageError as exc:
            problems.append((day.row, exc.message))
    if problems:
        return at, [f"{rf.name}:{row}: {message}" for row, message in problems]
    rf.header = header
    return at, []


def _take(
    rf: ReturnFile,
    header: Header,
    line: int,
    values: tuple[Any, ...] | list[Any],
    batch: _Batch,
    unsaved: set[tuple[int, int]],
) -> list[str]:
    """One data row: refused if it holds a value where the header names no column."""
    stray = None
    if len(values) > header.named:  # a cell beyond the columns named from A on
        read = header.read
        stray = next(
            (c for c, v in enumerate(values, start=1) if c not in read and not blank(v)), None
        )
    if stray is not None:
        return [
            f"{rf.name}:{line}:{stray}: "
            + tr(
                f"表头列以外的单元格（'{shown(cell_text(values[stray - 1]))}'）；"
                f"表头（第 {header.row} 行）在这里没有列名",
                f"a cell outside the header's columns "
                f"('{shown(cell_text(values[stray - 1]))}'); the header (row {header.row}) "
                "names no column here",
            )
        ]
    if header.layout == "wide":
        return wide.take_row(rf, line, values, header, batch, unsaved)
    return _take_row(rf, line, header.cells(values), batch, unsaved)


def _nothing_across(rf: ReturnFile) -> str:
    return f"{rf.name}: " + tr(
        "宽表里所有指标单元格都是空的（没有可导入的内容）",
        "every indicator cell of the wide table is empty (nothing to import)",
    )


# ---------------------------------------------------------------------------- CSV


def _records(text: str, delimiter: str, name: str) -> Iterator[tuple[int, list[str], str | None]]:
    """(line where the record starts, its fields, None) for every record that holds something;
    a record that is not valid CSV ends it, as (line, [], the problem)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = iter(reader)
    while True:
        line = reader.line_num + 1  # where the record starts (a quoted field may span lines)
        try:
            fields = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:  # e.g. a field over the size limit
            yield (
                line,
                [],
                f"{name}:{line}: " + tr(f"不是有效的 CSV：{exc}", f"not valid CSV: {exc}"),
            )
            return
        if any(f.strip() for f in fields):  # blank lines are allowed and skipped
            yield line, fields, None


def _read_csv(rf: ReturnFile, text: str, batch: _Batch) -> list[str]:
    bad = _control_character(text)
    if bad is not None:
        line, column, code = bad
        return [
            f"{rf.name}:{line}:{column}: "
            + tr(
                f"二进制数据（控制字符 {code}）；不是 CSV 文本文件",
                f"binary data (control character {code}); not a CSV text file",
            )
        ]
    first = _LINE_BREAK.split(text, maxsplit=1)[0]
    delimiter = None
    if first.lstrip("\ufeff").lower().startswith("sep="):  # Excel's separator line
        sep = first.lstrip("\ufeff")[4:]
        sep = sep if sep == "\t" else sep.strip(" ")
        if sep not in _SEPARATORS:
            return [
                f"{rf.name}:1: "
                + tr(
                    f"分隔符行 '{shown(first)}' 写的不是 povtrack 能读的分隔符；"
                    "请写 sep=, 或 sep=; 或 sep= 加一个制表符",
                    f"the separator line '{shown(first)}' names no separator povtrack reads; "
                    "write sep=, or sep=; or sep= and a tab",
                )
            ]
        delimiter = sep
        text = text[len(first) :]  # line 1 left blank: the following lines keep their numbers
    if delimiter is None:
        lines = [ln for ln in itertools.islice(_LINE_BREAK.split(text), 1000) if ln.strip()]
        # the first line with a separator: a title row above the header may have none
        first = next((ln for ln in lines[:SCAN_ROWS] if "\t" in ln or "," in ln), "")
        first = first or next(iter(lines), "")
        # Excel's "Unicode text" is tab-separated; everything else here is comma-separated.
        delimiter = "\t" if "\t" in first and "," not in first else ","
    records = _records(text, delimiter, rf.name)
    head: list[tuple[int, list[str]]] = []
    ended: str | None = None  # the problem that ended the records early
    for line, fields, problem in records:
        if problem is not None:
            ended = problem
            break
        head.append((line, fields))
        if len(head) == SCAN_ROWS:
            break
    if not head:
        return [
            *([ended] if ended else []),
            f"{rf.name}: " + tr("空文件", "empty file") + " " + _expected_header(),
        ]

    def one_column(line: int, header: list[str]) -> str | None:
        if len(header) == 1 and (sep := next((s for s in ";，" if s in header[0]), None)):
            return f"{rf.name}:{line}: " + tr(
                f"只有 1 列；这个文件好像是用 '{sep}' 分隔的（povtrack 读逗号或制表符分隔的 "
                "CSV；请另存为 CSV UTF-8）",
                f"found 1 column; the file appears to be '{sep}'-separated (povtrack reads "
                "comma- or tab-separated CSV; save as CSV UTF-8)",
            )
        return None

    at, bad_header = _header(rf, head, batch, one_column)
    if bad_header or rf.header is None:
        return bad_header
    header, width = rf.header, len(head[at][1])
    after: list[tuple[int, list[str], str | None]] = [
        (line, fields, None) for line, fields in head[at + 1 :]
    ]
    if ended is not None:
        after.append((0, [], ended))
    problems: list[str] = []
    data_rows = 0
    for line, fields, problem in itertools.chain(after, records):
        if problem is not None:
            problems.append(problem)
            break
        if len(fields) != width:
            problems.append(
                f"{rf.name}:{line}: "
                + tr(
                    f"这一行有 {len(fields)} 个字段，表头有 {width} 个",
                    f"{len(fields)} fields, the header has {width}",
                )
            )
            continue
        data_rows += 1
        problems += _take(rf, header, line, fields, batch, set())
    if not data_rows and not problems:
        problems.append(f"{rf.name}: {_no_data()}")
    elif not rf.rows and not problems:
        problems.append(_nothing_across(rf))
    return problems


# ---------------------------------------------------------------------------- workbooks


def _read_workbook(
    rf: ReturnFile, sheet: xlsx_in.SheetValues, data: bytes, batch: _Batch
) -> list[str]:
    if not sheet.rows:
        return [
            f"{rf.name}: "
            + tr(f"工作表 '{sheet.title}' 是空的", f"sheet '{sheet.title}' is empty")
            + " "
            + _expected_header()
        ]
    head = sheet.rows[:SCAN_ROWS]
    at, bad_header = _header(rf, head, batch, lambda line, header: None)
    if bad_header or rf.header is None:
        return bad_header
    header, rows = rf.header, sheet.rows[at + 1 :]
    if not rows:
        return [f"{rf.name}: {_no_data()}"]
    # the cells a row cannot do without: empty there may be a formula Excel never saved
    needed = {col for f, col in header.fields.items() if f in ("date", "week", *headers.REQUIRED)}
    needed |= {c.number for c in header.indicators}
    saved = dict(rows)

    def empty(number: int, col: int) -> bool:
        values = saved.get(number)
        return (
            values is not None and col in needed and (col > len(values) or blank(values[col - 1]))
        )

    unsaved: set[tuple[int, int]] = set()
    if any(empty(number, col) for number, _ in rows for col in needed):
        unsaved = xlsx_in.formula_cells(data, sheet.title, empty, rows[-1][0])
    problems: list[str] = []
    for number, values in rows:
        problems += _take(rf, header, number, values, batch, unsaved)
    if not rf.rows and not problems:
        problems.append(_nothing_across(rf))
    return problems

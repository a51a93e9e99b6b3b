"""A task breakdown (任务分解表) read for ``povtrack target import``: the share of each city target
given to each area, from a CSV or a workbook, long or wide.

- **Long**: a header with an area column (``area``/地区), an indicator column (``indicator``/指标,
  by id or name), a value column (``value``/数值/目标/分解任务) and optionally a due date
  (``due``/截止日期) and a note (``note``/备注); one row per area and indicator.
- **Wide**: a header with an area column and one column per indicator (its heading names it by
  id or name; a heading of several lines, as ``template --allocations`` writes, is read by the
  line that names an indicator, a trailing unit in brackets ignored); one row per area. A blank
  cell is no allocation.

The header is the first row that names the area column; title and note rows above it are
skipped. Rows whose area cell is a total (合计, 总计, 小计, total) are skipped and columns headed
as one too. Everything is read before anything is recorded: every unreadable cell is a problem
``FILE:LINE:COLUMN: why`` and the caller records nothing. Values are read as a return's values
are (``returns.cells``: plain digits, no separators, no 万/亿, whole numbers for counts, 0–100
for percents). Whether an allocation may be made (an activity, the city itself, the due date's
window) is the caller's rule, the one ``target set`` follows. For users: docs/commands.md.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Indicator, Plan
from povtrack.names import resolve_area, resolve_indicator
from povtrack.returns import xlsx as xlsx_in
from povtrack.returns.cells import blank, cell_text, day_cell, note_text, value_cell
from povtrack.returns.reader import decode, display_name
from povtrack.textsafe import shown

AREA_WORDS = frozenset(
    {"area", "county", "地区", "地區", "县区", "縣區", "区县", "區縣", "地区名称", "地區名稱"}
    | {"县（区）", "縣（區）", "县(区)", "縣(區)"}
)
INDICATOR_WORDS = frozenset({"indicator", "指标", "指標", "指标名称", "指標名稱", "指标编号"})
VALUE_WORDS = frozenset(
    {"value", "target", "allocation", "数值", "數值", "目标", "目標", "任务", "任務"}
    | {"目标任务", "目標任務", "分解任务", "分解任務", "任务数", "任務數"}
)
DUE_WORDS = frozenset(
    {"due", "due date", "截止日期", "截止时间", "截止時間", "完成时限", "完成時限"}
)
NOTE_WORDS = frozenset({"note", "备注", "備註", "備注"})
NUMBER_WORDS = frozenset({"序号", "序號", "no", "no.", "#"})  # a row number column: ignored
TOTAL_WORDS = frozenset({"合计", "合計", "总计", "總計", "小计", "小計", "total", "sum"})
HEADER_SEARCH = 20  # the header is among the first rows that hold something
_BRACKETED = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")


@dataclass(frozen=True)
class BreakdownRow:
    source: str  # FILE:LINE
    area: str
    indicator: str
    value: float
    due: date | None
    note: str
    columns: dict[str, int]  # the column of each field: area, indicator, value, due


@dataclass
class Breakdown:
    name: str
    sha256: str
    encoding: str  # "utf-8", "gb18030" ..., or "xlsx"
    layout: str = ""  # "long" or "wide"
    header_row: int = 0
    rows: list[BreakdownRow] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # total rows left out


def _words(value: Any) -> list[str]:
    """A header cell's lines, each as compared: stripped, case folded, without a colon."""
    return [
        line.strip().rstrip(":：").strip().casefold()
        for line in cell_text(value).splitlines()
        if line.strip()
    ]


def _is(value: Any, words: frozenset[str]) -> bool:
    return any(w in words for w in _words(value))


def _table(path: Path, data: bytes, encoding: str | None) -> tuple[str, list[Any]]:
    """(encoding, [(line, values)]) of the rows that hold something."""
    if data.startswith(xlsx_in.OLE_MAGIC):
        raise UsageError(
            tr(
                "这是 Excel 97-2003（.xls）或加密的工作簿；请另存为 .xlsx 或 CSV UTF-8（不设密码）",
                "this is an Excel 97-2003 (.xls) or password-protected workbook; save it as "
                ".xlsx or CSV UTF-8, without a password",
            )
        )
    if path.suffix.lower() in xlsx_in.SUFFIXES:
        return "xlsx", xlsx_in.read_sheet(data).rows
    if data.startswith(xlsx_in.ZIP_MAGIC):
        raise UsageError(
            tr(
                "这是压缩文件（Excel 工作簿？），不是 CSV 文本；工作簿请用 .xlsx 文件名",
                "this is a zip file (an Excel workbook?), not CSV text; name a workbook .xlsx",
            )
        )
    text, used = decode(data, encoding)
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    while True:
        line = reader.line_num + 1
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise UsageError(
                tr(f"第 {line} 行不是有效的 CSV：{exc}", f"line {line}: not valid CSV: {exc}")
            ) from None
        if any(f.strip() for f in fields):
            rows.append((line, tuple(f.lstrip("\ufeff") if f else None for f in fields)))
    return used, rows


def read_breakdown(
    path: Path, plan: Plan, *, encoding: str | None = None, data: bytes | None = None
) -> tuple[Breakdown, list[str]]:
    """Read every row; returns the breakdown and its problems (any problem: record nothing)."""
    name = display_name(path)
    if data is None:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            return Breakdown(name, "", ""), [f"{path}: " + tr("没有这个文件", "no such file")]
        except OSError as exc:
            return Breakdown(name, "", ""), [
                f"{path}: " + tr(f"无法读取：{exc.strerror}", f"cannot read: {exc.strerror}")
            ]
    out = Breakdown(name, hashlib.sha256(data).hexdigest(), "")
    try:
        out.encoding, rows = _table(path, data, encoding)
    except UsageError as exc:
        return out, [f"{name}: {exc.message}"]
    at = next(
        (k for k, (_, v) in enumerate(rows[:HEADER_SEARCH]) if any(_is(c, AREA_WORDS) for c in v)),
        None,
    )
    if at is None:
        return out, [
            f"{name}: "
            + tr(
                "找不到表头：表头行须有地区列（地区 或 area），以及指标列或各指标的列",
                "no header found: the header row names the area column (地区 or area) and then "
                "either indicator and value columns or one column per indicator",
            )
        ]
    out.header_row, header = rows[at]
    problems: list[str] = []
    columns = _long_columns(header)
    if columns is not None:
        out.layout = "long"
        problems += _check_long_header(out, header, columns)
    else:
        out.layout = "wide"
        columns, wide = _wide_columns(out, header, plan, problems)
    if problems:
        return out, problems
    seen: dict[tuple[str, str], str] = {}
    ignored = ignored_columns(header)
    for line, values in rows[at + 1 :]:
        where = f"{name}:{line}"
        stray = next(
            (
                c
                for c, v in enumerate(values, 1)
                if not blank(v) and c not in columns.values() and c not in ignored
            ),
            None,
        )
        if stray is not None:
            text = shown(cell_text(values[stray - 1]))
            problems.append(
                f"{where}:{stray}: "
                + tr(
                    f"表头（第 {out.header_row} 行）没有这一列（'{text}'）",
                    f"a cell outside the header's columns ('{text}'); "
                    f"the header (row {out.header_row}) names no column here",
                )
            )
            continue
        cell = {k: (c, values[c - 1] if c <= len(values) else None) for k, c in columns.items()}
        if _is(cell["area"][1], TOTAL_WORDS):
            out.skipped.append(line)
            continue
        if out.layout == "long":
            problems += _long_row(out, plan, where, cell, seen)
        else:
            problems += _wide_row(out, plan, where, cell, wide, seen)
    if not out.rows and not problems:
        problems.append(
            f"{name}: "
            + tr("没有填写任何分解任务（没有可导入的）", "no allocation in it (nothing to import)")
        )
    return out, problems


def ignored_columns(header: tuple[Any, ...]) -> set[int]:
    """The columns left out: a row number, a total."""
    return {c for c, v in enumerate(header, 1) if _is(v, NUMBER_WORDS | TOTAL_WORDS)}


def _long_columns(header: tuple[Any, ...]) -> dict[str, int] | None:
    found: dict[str, int] = {}
    for col, value in enumerate(header, 1):
        for key, words in (
            ("area", AREA_WORDS),
            ("indicator", INDICATOR_WORDS),
            ("value", VALUE_WORDS),
            ("due", DUE_WORDS),
            ("note", NOTE_WORDS),
        ):
            if _is(value, words) and key not in found:
                found[key] = col
                break
    return found if {"area", "indicator", "value"} <= set(found) else None


def _check_long_header(
    out: Breakdown, header: tuple[Any, ...], columns: dict[str, int]
) -> list[str]:
    used = set(columns.values())
    bad = []
    for col, value in enumerate(header, 1):
        if col in used or blank(value) or _is(value, NUMBER_WORDS | TOTAL_WORDS):
            continue
        bad.append(
            f"{out.name}:{out.header_row}:{col}: "
            + tr(
                f"未知的列 '{shown(cell_text(value))}'（长表的列：地区、指标、数值，"
                "可选截止日期、备注）",
                f"unknown column '{shown(cell_text(value))}' (a long table has area, indicator, "
                "value, and optionally due and note)",
            )
        )
    return bad


def _named(plan: Plan, value: Any) -> tuple[Indicator | None, str]:
    """The indicator a wide heading names (by any of its lines, a trailing bracket ignored),
    or None and why not."""
    found: dict[str, Indicator] = {}
    why = ""
    for line in cell_text(value).splitlines():
        for text in dict.fromkeys((line.strip(), _BRACKETED.sub("", line.strip()))):
            if not text:
                continue
            try:
                ind = resolve_indicator(plan, text)
            except UsageError as exc:
                why = why or exc.message
                continue
            found[ind.id] = ind
    if len(found) == 1:
        return next(iter(found.values())), ""
    if found:
        return None, tr(
            f"标题同时指向 {', '.join(found)}", f"the heading names {', '.join(found)} at once"
        )
    return None, why


def _wide_columns(
    out: Breakdown, header: tuple[Any, ...], plan: Plan, problems: list[str]
) -> tuple[dict[str, int], dict[int, Indicator]]:
    columns: dict[str, int] = {}
    wide: dict[int, Indicator] = {}
    taken: dict[str, int] = {}
    ignored = ignored_columns(header)
    for col, value in enumerate(header, 1):
        if blank(value) or col in ignored:
            continue
        if "area" not in columns and _is(value, AREA_WORDS):
            columns["area"] = col
            continue
        ind, why = _named(plan, value)
        where = f"{out.name}:{out.header_row}:{col}"
        if ind is None:
            problems.append(
                f"{where}: "
                + tr(
                    f"列标题 '{shown(cell_text(value))}' 不是指标（按编号或名称）：{why}",
                    f"the heading '{shown(cell_text(value))}' names no indicator (by id or name): "
                    f"{why}",
                )
            )
        elif ind.id in taken:
            problems.append(
                f"{where}: "
                + tr(
                    f"{ind.id} 与第 {taken[ind.id]} 列重复",
                    f"{ind.id} again (column {taken[ind.id]})",
                )
            )
        else:
            taken[ind.id] = col
            wide[col] = ind
            columns[f"indicator:{ind.id}"] = col
    return columns, wide


def _area(plan: Plan, where: str, col: int, value: Any, problems: list[str]) -> str | None:
    try:
        if blank(value):
            raise UsageError(tr("地区为空", "no area"))
        return resolve_area(plan, cell_text(value).strip())
    except UsageError as exc:
        problems.append(f"{where}:{col}: {exc.message}")
        return None


def _add(
    out: Breakdown,
    seen: dict[tuple[str, str], str],
    where: str,
    row: BreakdownRow,
    problems: list[str],
) -> None:
    key = (row.area, row.indicator)
    if key in seen:
        problems.append(
            f"{where}:{row.columns['value']}: "
            + tr(
                f"{row.area} {row.indicator} 已在 {seen[key]} 给出",
                f"{row.area} {row.indicator} is already given at {seen[key]}",
            )
        )
        return
    seen[key] = where
    out.rows.append(row)


def _value(where: str, col: int, value: Any, ind: Indicator, problems: list[str]) -> Any:
    try:
        if blank(value):
            raise UsageError(
                tr(
                    "数值为空：请填写分给该地区的任务数，或删去此行",
                    "no value: give the area's share, or delete the row",
                )
            )
        return value_cell(value, ind)
    except UsageError as exc:
        problems.append(f"{where}:{col}: {exc.message}")
        return None


def _long_row(
    out: Breakdown,
    plan: Plan,
    where: str,
    cell: dict[str, tuple[int, Any]],
    seen: dict[tuple[str, str], str],
) -> list[str]:
    problems: list[str] = []
    area = _area(plan, where, *cell["area"], problems)
    col, text = cell["indicator"]
    ind = None
    try:
        ind = resolve_indicator(plan, cell_text(text).strip())
    except UsageError as exc:
        problems.append(f"{where}:{col}: {exc.message}")
    value = _value(where, cell["value"][0], cell["value"][1], ind, problems) if ind else None
    due = None
    if "due" in cell and not blank(cell["due"][1]):
        try:
            due = day_cell(cell["due"][1])
        except UsageError as exc:
            problems.append(f"{where}:{cell['due'][0]}: {exc.message}")
    note = ""
    if "note" in cell:
        try:
            note = note_text(cell_text(cell["note"][1]))
        except UsageError as exc:
            problems.append(f"{where}:{cell['note'][0]}: {exc.message}")
    if problems or area is None or ind is None or value is None:
        return problems
    columns = {k: c for k, (c, _) in cell.items()}
    _add(out, seen, where, BreakdownRow(where, area, ind.id, value, due, note, columns), problems)
    return problems


def _wide_row(
    out: Breakdown,
    plan: Plan,
    where: str,
    cell: dict[str, tuple[int, Any]],
    wide: dict[int, Indicator],
    seen: dict[tuple[str, str], str],
) -> list[str]:
    problems: list[str] = []
    filled = [(col, ind) for col, ind in wide.items() if not blank(cell[f"indicator:{ind.id}"][1])]
    if not filled:
        return problems  # an area with no allocation in this table
    area = _area(plan, where, *cell["area"], problems)
    for col, ind in filled:
        value = _value(where, col, cell[f"indicator:{ind.id}"][1], ind, problems)
        if area is None or value is None:
            continue
        columns = {"area": cell["area"][0], "indicator": col, "value": col}
        _add(
            out, seen, where, BreakdownRow(where, area, ind.id, value, None, "", columns), problems
        )
    return problems

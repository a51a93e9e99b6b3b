"""The county template (``povtrack template``): the workbook, or the CSV, a county or district
fills in for one week.

Which rows: the indicators the area owes that week, by the one rule ``missing`` uses
(``analysis.coverage.expectations``), in plan order. Each row shows the task, the indicator's
name, unit and id, the area's own target or allocation and its due date (blank when the area has
none of its own), the area's last reported value up to the week's Sunday and its date, then the
input cell and the note cell.

The workbook: only the input and note cells are unlocked (sheet protection on, no password: it
stops accidents), each with data validation by the indicator's unit; the hidden sheet
``stamp.STAMP_SHEET`` carries the plan, its digest, the area, the week, where the rows are and
the digest of every locked cell, so ``returns.template`` reads it back with nothing typed. The
CSV is an ordinary return (``week,area,indicator,value,note``) that the returns reader takes as
it is. Labels follow the language given; nothing here prints or writes a file.
"""

from __future__ import annotations

import csv
import io
import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from povtrack import stamp
from povtrack.analysis.coverage import REPORTING_KINDS, expectations
from povtrack.analysis.measure import all_targets
from povtrack.dates import iso_week, monday_of
from povtrack.errors import UsageError
from povtrack.ledger import Ledger
from povtrack.model import UNITS, Allocation, Area, Entry, Indicator, Plan, Target
from povtrack.names import resolve_indicator
from povtrack.output.notation import XML_ILLEGAL, display_width

_BAD_FILE_CHARS = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|]')
INPUT_FILL = "FFF2CC"  # the light yellow of the cells to fill in
HEADER_FILL = "E7E6E6"
TITLE_ROW, NOTE_ROW, HEADER_ROW, FIRST_ROW = 1, 2, 3, 4
LARGEST = 999_999_999_999_999  # below the returns reader's 10^15 limit


@dataclass(frozen=True)
class Owed:
    """One row of a template: an indicator the area owes, its target and its last report."""

    indicator: Indicator
    target: Target | None  # the area's own target or allocation; None when it has none
    last: tuple[date, float] | None  # the area's newest value up to the week's Sunday


@dataclass(frozen=True)
class AreaWeek:
    area: Area
    week: str  # 2018-W26
    monday: date
    sunday: date
    rows: list[Owed]


def _pick(lang: str, zh: str, en: str) -> str:
    return zh if lang == "zh" else en


def owed(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    ledger: Ledger,
    area: str,
    day: date,
) -> AreaWeek:
    """What ``area`` (a county or district) owes in the ISO week holding ``day``."""
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    ids = expectations(plan, entries, allocations).expected(area, sunday)
    targets = [t for t in all_targets(plan, allocations) if t.scope == area]
    rows = []
    for ind_id in ids:
        # the area's own, as meaning.area_target picks it: the first in all_targets' order
        own = next((t for t in targets if t.indicator == ind_id and t.scope_kind == "area"), None)
        dates = ledger.dates(ind_id, area)
        n = bisect_right(dates, sunday)
        last = (dates[n - 1], ledger.values(ind_id, area)[n - 1]) if n else None
        rows.append(Owed(plan.indicator(ind_id), own, last))
    return AreaWeek(plan.area(area), iso_week(monday), monday, sunday, rows)


def reporting(plan: Plan) -> list[Area]:
    """The areas a template is for: the counties and districts, in plan order."""
    return [a for a in plan.areas if a.kind in REPORTING_KINDS]


def file_name(aw: AreaWeek, fmt: str) -> str:
    """``2018-W26-天镇县.xlsx``: the week and the area's Chinese name."""
    return f"{aw.week}-{_BAD_FILE_CHARS.sub('_', aw.area.name)}.{fmt}"


def unit_text(ind: Indicator, lang: str) -> str:
    """The unit and how it is reported: 人（累计）, people (total to date)."""
    unit = UNITS[ind.unit]
    if ind.unit == "percent":
        return "%"
    if ind.reporting == "increment":
        return _pick(lang, f"{unit.name}（本周新增）", f"{unit.name_en} (new this week)")
    return _pick(lang, f"{unit.name}（累计）", f"{unit.name_en} (total to date)")


def _number_format(value: float) -> str:
    return "#,##0" if float(value).is_integer() else "#,##0.####"


def _headings(lang: str) -> list[str]:
    pairs = [
        ("任务", "Task"),
        ("指标", "Indicator"),
        ("单位", "Unit"),
        ("指标编号", "Indicator id"),
        ("目标", "Target"),
        ("截止日期", "Due"),
        ("上次报送", "Last reported"),
        ("报送日期", "Reported on"),
        ("本周填报", "This week"),
        ("备注", "Note"),
    ]
    return [_pick(lang, zh, en) for zh, en in pairs]


INDICATOR_COLUMN, INPUT_COLUMN, NOTE_COLUMN = 4, 9, 10
_WIDTHS = (28, 42, 28, 36, 12, 12, 12, 12, 14, 30)  # at most, in characters
_WRAPPED = (1, 2, 3)  # the columns whose text may take several lines
LINE_HEIGHT = 15  # points, a line of the default 11-point font


def validation(ind: Indicator, lang: str) -> tuple[str, str, str, str, str]:
    """(type, low, high, prompt, error) of an input cell's data validation."""
    unit = UNITS[ind.unit]
    uname = _pick(lang, unit.name, unit.name_en)
    if ind.unit == "percent":
        return (
            "decimal",
            "0",
            "100",
            _pick(lang, "填写比率，0–100（不带%）", "A rate, 0 to 100 (no % sign)"),
            _pick(lang, "比率须在0到100之间", "A rate is a number from 0 to 100"),
        )
    if unit.integer:
        return (
            "whole",
            "0",
            str(LARGEST),
            _pick(lang, f"填写整数（{uname}）", f"A whole number of {uname}"),
            _pick(
                lang,
                f"请填写不小于0的整数（{uname}）",
                f"Type a whole number of {uname}, 0 or more",
            ),
        )
    return (
        "decimal",
        "0",
        str(LARGEST),
        _pick(lang, f"填写数值（{uname}），不用万、亿", f"A number in {uname} (no 万 or 亿)"),
        _pick(lang, f"请填写不小于0的数值（{uname}）", f"Type a number in {uname}, 0 or more"),
    )


def _title(plan: Plan, aw: AreaWeek, lang: str) -> str:
    span = f"{aw.monday.isoformat()} – {aw.sunday.isoformat()}"
    return _pick(
        lang,
        f"{plan.name} · 周报表　{aw.area.name}　{aw.week}（{span}）",
        f"{plan.name_en} · weekly return: {aw.area.name_en}, {aw.week} ({span})",
    )


def _instructions(lang: str) -> str:
    return _pick(
        lang,
        "只填黄色单元格：本周数值按所列单位填写（累计指标填截至本周日的累计数），不用万、亿；"
        "没有可报的留空，不要填0。其余单元格已锁定。填好后保存，原样交回。",
        "Fill in the yellow cells only: this week's figure in the unit shown (for a total to "
        "date, the total up to Sunday), without 万 or 亿. Leave a cell empty when there is "
        "nothing to report, never 0. The other cells are locked. Save and send the file back.",
    )


def workbook_bytes(plan: Plan, plan_sha256: str, aw: AreaWeek, lang: str) -> bytes:
    """The template workbook for one area and week."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.workbook.protection import WorkbookProtection
    from openpyxl.worksheet.datavalidation import DataValidation
    from openpyxl.worksheet.page import PageMargins

    wb = Workbook()
    ws: Any = wb.active  # openpyxl's types: a cell may be a merged one, a part None
    ws.title = _pick(lang, "填报", "returns")
    wb.properties.creator = "povtrack"
    wb.properties.title = _clean(_title(plan, aw, lang))
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    wrap = Alignment(wrap_text=True, vertical="center")
    columns = len(_WIDTHS)
    last_letter = get_column_letter(columns)

    ws.cell(TITLE_ROW, 1, _clean(_title(plan, aw, lang))).font = Font(bold=True, size=13)
    ws.merge_cells(f"A{TITLE_ROW}:{last_letter}{TITLE_ROW}")
    note = ws.cell(NOTE_ROW, 1, _instructions(lang))
    note.alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A{NOTE_ROW}:{last_letter}{NOTE_ROW}")
    ws.row_dimensions[NOTE_ROW].height = 32
    widths = [0] * columns
    for col, text in enumerate(_headings(lang), 1):
        cell = ws.cell(HEADER_ROW, col, text)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor=HEADER_FILL)
        cell.border = box
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        widths[col - 1] = display_width(text)

    rules: dict[tuple[str, str, str, str, str], Any] = {}
    input_fill = PatternFill("solid", fgColor=INPUT_FILL)
    for r, row in enumerate(aw.rows, FIRST_ROW):
        ind, target, last = row.indicator, row.target, row.last
        task = plan.task(ind.task)
        values: list[Any] = [
            f"{task.number} {_pick(lang, task.name, task.name_en)}",
            _pick(lang, ind.name, ind.name_en),
            unit_text(ind, lang),
            ind.id,
            target.value if target else None,
            target.due if target else None,
            last[1] if last else None,
            last[0] if last else None,
            None,
            None,
        ]
        for col, value in enumerate(values, 1):
            cell = ws.cell(r, col)
            cell.border = box
            cell.alignment = (
                wrap if col in (*_WRAPPED, NOTE_COLUMN) else Alignment(vertical="center")
            )
            if value is None:
                continue
            if isinstance(value, str):
                cell.value = _clean(value)
                cell.data_type = "s"  # text, never a formula
            else:
                cell.value = value
                fmt = "yyyy-mm-dd" if isinstance(value, date) else _number_format(value)
                cell.number_format = fmt
            widths[col - 1] = max(widths[col - 1], display_width(_shown(value)))
        for col in (INPUT_COLUMN, NOTE_COLUMN):
            cell = ws.cell(r, col)
            cell.protection = Protection(locked=False)
            cell.fill = input_fill
        rule = validation(ind, lang)
        if rule not in rules:
            kind, low, high, prompt, error = rule
            kind_: Any = kind
            dv = DataValidation(
                type=kind_,
                operator="between",
                formula1=low,
                formula2=high,
                allow_blank=True,
                showErrorMessage=True,
                showInputMessage=True,
                errorTitle=_pick(lang, "数值有误", "Not a valid value"),
                error=error,
                promptTitle=_pick(lang, "本周填报", "This week"),
                prompt=prompt,
            )
            ws.add_data_validation(dv)
            rules[rule] = dv
        rules[rule].add(f"{get_column_letter(INPUT_COLUMN)}{r}")
    last_row = FIRST_ROW + len(aw.rows) - 1
    if aw.rows:
        notes = DataValidation(
            type="textLength",
            operator="lessThanOrEqual",
            formula1="500",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=_pick(lang, "备注过长", "Note too long"),
            error=_pick(lang, "备注最多500字", "A note holds at most 500 characters"),
        )
        letter = get_column_letter(NOTE_COLUMN)
        notes.add(f"{letter}{FIRST_ROW}:{letter}{last_row}")
        ws.add_data_validation(notes)

    sizes = [min(most, max(width, 8) + 2) for width, most in zip(widths, _WIDTHS, strict=True)]
    for col, size in enumerate(sizes, 1):
        ws.column_dimensions[get_column_letter(col)].width = size
    # Spreadsheets do not all grow a row to its wrapped text: give each row the lines it needs.
    for r in range(HEADER_ROW, last_row + 1):
        lines = max(
            (
                -(-display_width(_shown(ws.cell(r, c).value)) // sizes[c - 1])
                for c in (*_WRAPPED, 7)
                if ws.cell(r, c).value is not None
            ),
            default=1,
        )
        if lines > 1:
            ws.row_dimensions[r].height = LINE_HEIGHT * lines
    ws.freeze_panes = f"A{FIRST_ROW}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.oddFooter.left.text = f"{plan.id} · {aw.area.id} · {aw.week}".replace("&", "&&")
    ws.oddFooter.right.text = "&P / &N"
    ws.protection.sheet = True
    ws.protection.formatColumns = False  # widening a column or a row is allowed
    ws.protection.formatRows = False

    fields = {
        "format": stamp.FORMAT,
        "plan": plan.id,
        "plan_sha256": plan_sha256,
        "area": aw.area.id,
        "week": aw.week,
        "sheet": ws.title,
        "first_row": str(FIRST_ROW),
        "last_row": str(last_row),
        "indicator_column": str(INDICATOR_COLUMN),
        "input_column": str(INPUT_COLUMN),
        "note_column": str(NOTE_COLUMN),
        "indicators": ",".join(row.indicator.id for row in aw.rows),
    }
    locked = [
        (c.row, c.column, c.value)
        for line in ws.iter_rows()
        for c in line
        if not stamp.is_input(fields, c.row, c.column)
    ]
    fields[stamp.DIGEST] = stamp.digest(fields, locked)
    meta = wb.create_sheet(stamp.STAMP_SHEET)
    for key, value in fields.items():
        meta.append([key, value])
        meta.cell(meta.max_row, 2).data_type = "s"
    meta.sheet_state = "veryHidden"
    meta.protection.sheet = True
    wb.security = WorkbookProtection(lockStructure=True)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _clean(text: str) -> str:
    return XML_ILLEGAL.sub("\ufffd", text)


def _shown(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.4f}".rstrip("0")
    if isinstance(value, int | float):
        return f"{int(value):,}"
    return str(value)


def csv_bytes(plan: Plan, aw: AreaWeek, lang: str) -> bytes:
    """The same rows as an ordinary return, ``week,area,indicator,value,note`` (UTF-8 with a
    BOM, as Excel opens it): the area and each indicator by name in the language (by id when
    the name would not find the same indicator again), the value and note left to fill in."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["week", "area", "indicator", "value", "note"])
    area = _pick(lang, aw.area.name, aw.area.name_en)
    for row in aw.rows:
        ind = row.indicator
        name = _pick(lang, ind.name, ind.name_en)
        try:
            same = resolve_indicator(plan, name).id == ind.id
        except UsageError:  # an ambiguous or unknown name: the id never is
            same = False
        writer.writerow([aw.week, area, name if same else ind.id, "", ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")

"""The city's blank task breakdown (任务分解表, ``povtrack template --allocations``): one row per
county and district, one column per indicator with a city target, for ``target import`` to read
back (``returns.breakdown``).

Each indicator's heading holds, one per line, its Chinese name and unit, its English name and
unit, its id and the city target: the reader takes the line that names an indicator. The area
column is headed 地区 / Area. A plain, unprotected sheet: the city fills it in as it likes. Labels
follow the language given; nothing here prints or writes a file.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import UNITS, Indicator, Plan
from povtrack.output.notation import XML_ILLEGAL, display_width
from povtrack.output.template import INPUT_FILL, reporting, validation

MAX_XLSX_INDICATORS = 25  # column A the areas, B to Z the indicators: what the reader reads
TITLE_ROW, NOTE_ROW, HEADER_ROW = 1, 2, 3
PAGE_COLUMNS = 7  # columns on one printed A4 landscape page, the area column included


def city_targeted(plan: Plan) -> list[Indicator]:
    """The indicators an allocation can share out: a target on the city, and not an activity."""
    root = plan.root.id
    return [
        i
        for i in plan.indicators
        if i.kind != "activity" and any(t.scope == root for t in i.targets)
    ]


def _city_target(plan: Plan, ind: Indicator) -> str:
    root = plan.root.id
    specs = sorted((t for t in ind.targets if t.scope == root), key=lambda t: t.level)
    spec = specs[0]  # commit before stretch
    value = float(spec.fraction if spec.fraction is not None else spec.value)
    return str(int(value)) if value.is_integer() else f"{value:.6g}"


def heading(plan: Plan, ind: Indicator) -> str:
    """易地扶贫搬迁人口（人） / People relocated (people) / housing.relocated_people /
    全市目标 City target 63824, one per line."""
    unit = UNITS[ind.unit]
    return "\n".join(
        [
            f"{ind.name}（{unit.name}）",
            f"{ind.name_en} ({unit.name_en})",
            ind.id,
            f"全市目标 City target {_city_target(plan, ind)}",
        ]
    )


AREA_HEADING = "地区\nArea"


def breakdown_name(plan: Plan, fmt: str) -> str:
    return f"任务分解表-{plan.id}.{fmt}"


def breakdown_bytes(plan: Plan, fmt: str, lang: str) -> bytes:
    indicators = city_targeted(plan)
    areas = [a.name if lang == "zh" else a.name_en for a in reporting(plan)]
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([AREA_HEADING, *(heading(plan, i) for i in indicators)])
        for name in areas:
            writer.writerow([name, *([""] * len(indicators))])
        return ("\ufeff" + out.getvalue()).encode("utf-8")
    if len(indicators) > MAX_XLSX_INDICATORS:
        raise UsageError(
            tr(
                f"有 {len(indicators)} 项指标有全市目标，工作簿最多容纳 {MAX_XLSX_INDICATORS} 列；"
                "请用 --format csv",
                f"{len(indicators)} indicators have a city target, more than the "
                f"{MAX_XLSX_INDICATORS} columns a workbook holds here; use --format csv",
            )
        )
    return _workbook(plan, indicators, areas, lang)


def _workbook(plan: Plan, indicators: list[Indicator], areas: list[str], lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    ws: Any = wb.active  # openpyxl's types: a cell may be a merged one, a part None
    ws.title = "任务分解" if lang == "zh" else "breakdown"
    wb.properties.creator = "povtrack"
    thin = Side(style="thin", color="999999")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    # the title and the note over the columns of the first printed page
    last = get_column_letter(min(len(indicators) + 1, PAGE_COLUMNS))
    title = f"{plan.name} · 任务分解表" if lang == "zh" else f"{plan.name_en} · task breakdown"
    ws.cell(TITLE_ROW, 1, XML_ILLEGAL.sub("\ufffd", title)).font = Font(bold=True, size=13)
    ws.merge_cells(f"A{TITLE_ROW}:{last}{TITLE_ROW}")
    note = (
        "每个县区一行：在各指标列填写分给该县区的任务数（按标题所列单位，不用万、亿），不分解的"
        "留空。填好后用 povtrack target import 文件 读入。"
        if lang == "zh"
        else "One row per county and district: under each indicator, the share of the city "
        "target given to the area (in the unit of the heading, without 万 or 亿); leave a cell "
        "empty for no allocation. Read it in with: povtrack target import FILE"
    )
    ws.cell(NOTE_ROW, 1, note).alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(f"A{NOTE_ROW}:{last}{NOTE_ROW}")
    ws.row_dimensions[NOTE_ROW].height = 45
    header = [AREA_HEADING, *(heading(plan, i) for i in indicators)]
    for col, text in enumerate(header, 1):
        cell = ws.cell(HEADER_ROW, col, XML_ILLEGAL.sub("\ufffd", text))
        cell.data_type = "s"
        cell.font = Font(bold=col == 1)
        cell.fill = PatternFill("solid", fgColor="E7E6E6")
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        cell.border = box
        ids = [ln for ln in text.splitlines() if "." in ln and ln.isascii()]  # the id line
        widest = max((display_width(ln) for ln in ids), default=10)
        ws.column_dimensions[get_column_letter(col)].width = min(30, max(14, widest + 3))
    ws.row_dimensions[HEADER_ROW].height = 90
    fill = PatternFill("solid", fgColor=INPUT_FILL)
    for r, name in enumerate(areas, HEADER_ROW + 1):
        ws.cell(r, 1, name).border = box
        for col in range(2, len(indicators) + 2):
            cell = ws.cell(r, col)
            cell.border = box
            cell.fill = fill
    first, end = HEADER_ROW + 1, HEADER_ROW + len(areas)
    rules: dict[tuple[str, str, str, str, str], DataValidation] = {}
    for col, ind in enumerate(indicators, 2):
        rule = validation(ind, lang)
        if rule not in rules:
            kind, low, high, prompt, error = rule
            kind_: Any = kind
            rules[rule] = DataValidation(
                type=kind_,
                operator="between",
                formula1=low,
                formula2=high,
                allow_blank=True,
                showErrorMessage=True,
                errorTitle="数值有误" if lang == "zh" else "Not a valid value",
                error=error,
                showInputMessage=True,
                prompt=prompt,
            )
            ws.add_data_validation(rules[rule])
        letter = get_column_letter(col)
        rules[rule].add(f"{letter}{first}:{letter}{end}")
    ws.freeze_panes = f"B{HEADER_ROW + 1}"
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    ws.print_title_cols = "A:A"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = -(-(len(indicators) + 1) // PAGE_COLUMNS)
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.oddFooter.right.text = "&P / &N"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()

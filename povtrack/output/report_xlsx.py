"""The weekly report as an XLSX workbook that prints as the meeting's handout.

Every worksheet prints on A4 landscape at a readable size (``output.xlsx_print``): at the top
the report's title and the sheet's, the plan, the as-of date and the data digest; then the
table (``output.report_tables``: names, not ids; figures rounded to their unit), its header
row repeated on every page; then, below it, the chart, stretched to fill what the table leaves
of the page (or a page of its own when too little is left). A task whose rows are all
activities has a table of which areas reported and which are silent instead. The charts' data
sit on a hidden sheet, so nothing but the handout prints. The board prints on one page with its
legend. Sheet names, headings, units and footers are in the report's language only.
"""

from __future__ import annotations

import math
import re
from typing import Any

from povtrack.model import Plan
from povtrack.output.report import TITLE, Report
from povtrack.output.report_tables import (
    Table,
    activity_rows,
    activity_table,
    only_activities,
    sheet_table,
    task_table,
)
from povtrack.output.xlsx_print import (
    BODY_PT,
    CM,
    MIN_PT,
    PRINT_H,
    PRINT_W,
    TITLE_PT,
    Layout,
    bold_row,
    chart_rows_cm,
    chart_text,
    header_cells,
    header_footer,
    new_workbook,
    page_setup,
    put,
    row_height,
    scale_for,
    shown,
    text_width,
    width_pt,
)
from povtrack.sheet import Sheet

# Worksheet names by sheet key, in each language; a task's sheet is named by its number.
SHEET_NAMES: dict[str, tuple[str, str]] = {
    "headline": ("总体目标", "Headline goals"),
    "board": ("挂图作战", "Battle map"),
    "changes": ("变化", "Changes"),
    "missing": ("未报送", "Not reported"),
    "chart_data": ("图表数据", "Chart data"),
}
CHANGE_KEYS = ("changes", "movers", "silent")  # the week's changes: one sheet, three tables
TASK_KEY = re.compile(r"^task(\d+)$")
_FOOTER = {
    "zh": ("截至 {as_of} · 摘要 {digest}", "第 &P 页，共 &N 页", "{plan}"),
    "en": ("As of {as_of} · digest {digest}", "Page &P of &N", "{plan}"),
}
_PERIOD = ("对比期间: {since} 至 {as_of}", "Compared: {since} to {as_of}")
_PACE = ("完成进度与按期应完成进度", "Progress against the expected pace")
_MOVERS = ("进度变化最大的指标：变化前后的完成进度", "Biggest movers: progress before and after")
_BEFORE_AFTER = (("变化前", "变化后"), ("Before", "After"))
MIN_CHART_CM = 6.0
_BAD_NAME = re.compile(r"[\[\]:*?/\\]")


def sheet_name(key: str, heading: str, pick: int) -> str:
    """The worksheet's name in the report's language (31 characters at most, none that Excel
    forbids): 总体目标 / Headline goals, 任务1 / Task 1, else the sheet's own heading."""
    if key in SHEET_NAMES:
        return SHEET_NAMES[key][pick]
    task = TASK_KEY.match(key)
    if task:
        return (f"任务{task.group(1)}", f"Task {task.group(1)}")[pick]
    return _BAD_NAME.sub("_", heading).strip("'")[:31] or key


def xlsx(report: Report, lang: str, pick: int) -> bytes:
    import io

    wb = new_workbook()
    wb.properties.creator = "povtrack"
    wb.properties.title = f"{TITLE[pick]} {report.as_of.isoformat()}"
    wb.properties.subject = report.stamp(lang)[0]
    wb.properties.description = "\n".join(report.stamp(lang))
    data = _ChartData(wb, pick)
    changes = [s for s in report.sheets if s.key in CHANGE_KEYS]
    for sheet in report.sheets:
        if sheet.key in CHANGE_KEYS:
            if sheet is changes[0]:
                _changes_sheet(wb, report, changes, data, lang, pick)
            continue
        _sheet(wb, report, sheet, data, lang, pick)
    wb.move_sheet(data.ws, offset=len(wb.sheetnames) - 1 - wb.sheetnames.index(data.ws.title))
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _sheet(wb: Any, report: Report, sheet: Sheet, data: _ChartData, lang: str, pick: int) -> None:
    ws = wb.create_sheet(sheet_name(sheet.key, sheet.heading(lang), pick))
    task = TASK_KEY.match(sheet.key)
    is_task = bool(task) or sheet.key == "headline"
    tables = [task_table(sheet, pick) if is_task else sheet_table(sheet, pick)]
    if task and only_activities(sheet):
        number = int(task.group(1))
        tables = [activity_rows(sheet, pick)]
        tables.append(
            activity_table(report.plan, report.ledger, number, report.since, report.as_of, pick)
        )
    layout = Layout(ws, fit_widths(tables))
    _top(layout, report, sheet.heading(lang), lang, pick)
    header = _table(layout, tables[0])
    layout.title_rows = (header, header)
    for extra in tables[1:]:
        layout.gap(10)
        _table(layout, extra)
    for line in sheet.legend:
        layout.line(line)
    chart = report.charts.get(sheet.key)
    if chart is not None:
        anchor = _chart_row(layout, len(chart.bars))
        ref = data.add(
            chart.title if pick == 0 else chart.title_en,
            [b.label for b in chart.bars],
            [[b.expected for b in chart.bars], [b.progress for b in chart.bars]],
            (("按期应完成", "实际完成"), ("Expected by now", "Progress"))[pick],
        )
        _bar_chart(ws, ref, anchor, _PACE[pick])
    _finish(layout, report, lang, header, one_page=sheet.one_page or sheet.key == "board")


def _changes_sheet(
    wb: Any, report: Report, sheets: list[Sheet], data: _ChartData, lang: str, pick: int
) -> None:
    """The week's changes on one sheet: status changes, the biggest movers, the silent areas,
    and a chart of the movers' progress before and after."""
    ws = wb.create_sheet(SHEET_NAMES["changes"][pick])
    tables = []
    for s in sheets:
        table = sheet_table(s, pick)
        table.title = s.heading(lang)
        tables.append(table)
    layout = Layout(ws, fit_widths(tables))
    _top(layout, report, SHEET_NAMES["changes"][pick], lang, pick)
    period = _PERIOD[pick].format(since=report.since.isoformat(), as_of=report.as_of.isoformat())
    layout.line(period)
    for i, table in enumerate(tables):
        if i:
            layout.gap(10)
        _table(layout, table)
    movers = next((s for s in sheets if s.key == "movers"), None)
    if movers is not None and movers.rows:
        name, scope = ("name", "scope_name") if pick == 0 else ("name_en", "scope_name_en")
        labels = [f"{r.get(name)} · {r.get(scope)}" for r in movers.rows]
        series = [
            [r.get("old_progress") for r in movers.rows],
            [r.get("new_progress") for r in movers.rows],
        ]
        anchor = _chart_row(layout, len(labels))
        ref = data.add(_MOVERS[pick], labels, series, _BEFORE_AFTER[pick])
        _bar_chart(ws, ref, anchor, _MOVERS[pick])
    _finish(layout, report, lang, None)


def fit_widths(tables: list[Table]) -> list[float]:
    """Column widths (units) for tables stacked on one sheet: each column as wide as its
    widest cell, up to its cap (text wraps within it), headings wrapping onto two lines; the
    widest wrapping text columns narrowed (to 14 units at least) until the sheet prints at
    full size, or as near as that allows."""
    count = max(len(t.headings) for t in tables)
    widths = [4.0] * count
    wrapped = [False] * count
    for t in tables:
        for j, head in enumerate(t.headings):
            cap = t.caps[j] if j < len(t.caps) else 20.0
            texts = [shown(row[j].value, t.kinds[j], row[j].unit, row[j].up) for row in t.rows]
            if t.total:
                texts.append(shown(t.total[j].value, t.kinds[j], t.total[j].unit))
            body = max((text_width(s) for s in texts if s), default=0.0)
            # a heading wraps onto two lines: between words, and anywhere in East Asian text
            words = [w for w in re.findall(r"[\x21-\x7e]+", head)]
            longest = max((text_width(w, bold=True) for w in words), default=0.0)
            whole = text_width(head, bold=True)
            head_need = max(longest, whole if whole <= 6 else whole / 2 + 1)
            widths[j] = max(widths[j], min(cap, math.ceil(max(body, head_need) + 1.2)))
            wrapped[j] = wrapped[j] or (t.kinds[j] == "text" and j not in t.whole)
    floor = 14.0
    while scale_for(widths) < 0.98:
        j = max(range(count), key=lambda k: widths[k] if wrapped[k] else 0)
        if not wrapped[j] or widths[j] <= floor:
            break
        widths[j] -= 1
    spare = PRINT_W / width_pt(widths)
    if spare > 1:  # a narrow table spread over the page's width: easier to read, less empty
        widths = [w * spare * 0.99 for w in widths]
    return widths


def _top(layout: Layout, report: Report, heading: str, lang: str, pick: int) -> None:
    layout.set_widths()
    layout.line(f"{TITLE[pick]} · {heading}", TITLE_PT, bold=True)
    plan, as_of, data = report.stamp(lang)
    layout.line(plan, colour="404040")
    layout.line(f"{as_of}    {data}", colour="404040")  # one row: the page keeps its room
    layout.gap()


def _table(layout: Layout, table: Table) -> int:
    """The table at the next row: its title, header and rows, heights from their wrapped
    lines; returns the header's row."""
    ws = layout.ws
    if table.title:
        layout.line(table.title, BODY_PT + 1, bold=True)
    widths = layout.widths
    heads = table.headings
    header = layout.add_row(row_height(heads, widths[: len(heads)], [True] * len(heads), bold=True))
    header_cells(ws, header, heads)
    body = [*table.rows, *([table.total] if table.total else [])]
    for i, cells in enumerate(body):
        texts = []
        r = layout.row + 1
        for j, (cell, kind) in enumerate(zip(cells, table.kinds, strict=True), 1):
            shown_text = put(
                ws, r, j, cell.value, kind, cell.unit, cell.status, centre=cell.centre, up=cell.up
            )
            texts.append(shown_text)
        wraps = [k in ("text", "status") for k in table.kinds]
        layout.add_row(row_height(texts, widths[: len(texts)], wraps))
        if table.total and i == len(body) - 1:
            bold_row(ws, r, len(cells))
    if not table.rows:
        from povtrack.output.notation import no_rows

        layout.line(no_rows(("zh", "en")[0 if _is_zh(heads) else 1]))
    return header


def _is_zh(texts: list[str]) -> bool:
    return any(not t.isascii() for t in texts)


def _chart_row(layout: Layout, bars: int) -> tuple[int, float, float, float]:
    """The row a chart is anchored at, and its size (cm): the rest of the page when that is
    enough for its bars, else a page of its own (a page break before it)."""
    need = max(MIN_CHART_CM, chart_rows_cm(bars)) * CM  # printed points
    room = layout.remaining() - 8
    if room < need:
        layout.tighten(0.8)  # a table a little over a page: onto one, the chart on the next
        layout.page_break()
        repeated = 0.0  # the header row printed again at the top of the chart's page
        if layout.title_rows:
            first, last = layout.title_rows
            repeated = sum(layout.heights[first - 1 : last]) * layout.printed_scale()
        room = PRINT_H - repeated - 12
    scale = layout.printed_scale()
    height = room / scale  # sheet points
    width = min(width_pt(layout.widths), PRINT_W / scale)
    row = layout.row + 1
    left = height
    while left > 0:  # rows under the chart, so the print area holds it (409 pt at most each)
        layout.add_row(min(409.0, left))
        left -= 409.0
    return row, width / CM, height / CM, scale


def _bar_chart(
    ws: Any, ref: tuple[Any, int, int, int], anchor: tuple[int, float, float, float], title: str
) -> None:
    """A horizontal bar chart of shares (two series), labels and axes at a readable size."""
    from openpyxl.chart import BarChart, Reference

    data_ws, first, last, series = ref
    shares = [
        v
        for row in data_ws.iter_rows(min_row=first, max_row=last, min_col=2, values_only=True)
        for v in row
        if isinstance(v, int | float)
    ]
    top = max(1.0, math.ceil(max(shares, default=1.0) * 5) / 5)
    row, width, height, scale = anchor
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "clustered"
    chart.title = title
    chart.y_axis.number_format = "0%"
    chart.y_axis.scaling.min = 0
    chart.y_axis.scaling.max = top
    chart.y_axis.majorUnit = 0.1 if top <= 1 else 0.2
    chart.y_axis.crosses = "max"  # the categories run top down: the axis below them
    chart.y_axis.majorGridlines = None
    chart.x_axis.scaling.orientation = "maxMin"  # the first target on top, as in the table
    chart.y_axis.delete = False
    chart.x_axis.delete = False
    # a label per bar: as small as may be printed (8.5 pt on paper), so LibreOffice keeps all
    chart.x_axis.txPr = chart_text(max(MIN_PT, math.ceil(17 / scale) / 2))
    chart.y_axis.txPr = chart_text(BODY_PT)
    chart.legend.position = "b"
    chart.legend.txPr = chart_text(BODY_PT)
    values = Reference(data_ws, min_col=2, max_col=1 + series, min_row=first - 1, max_row=last)
    chart.add_data(values, titles_from_data=True)
    chart.set_categories(Reference(data_ws, min_col=1, min_row=first, max_row=last))
    chart.gapWidth = 40
    chart.x_axis.tickLblSkip = 1  # every bar labelled: LibreOffice would skip some
    # the reference (the pace, last week) grey, the figure that matters blue
    for s, colour in zip(chart.series, ("A6A6A6", "2F75B5"), strict=False):
        s.graphicalProperties.solidFill = colour
        s.graphicalProperties.line.solidFill = colour
    chart.width = width  # type: ignore[assignment]  # cm, a float (typed int in openpyxl)
    chart.height = height
    ws.add_chart(chart, f"A{row}")


def _finish(
    layout: Layout, report: Report, lang: str, header: int | None, *, one_page: bool = False
) -> None:
    ws = layout.ws
    if header is not None:
        layout.title_rows = (header, header)
    if not one_page and not layout.scale:
        layout.tighten()
    page_setup(
        ws,
        widths=layout.widths,
        scale=layout.scale,
        last_row=layout.row,
        title_rows=layout.title_rows,
        one_page=one_page,
    )
    left, centre, right = _FOOTER[lang if lang in _FOOTER else "en"]
    plan: Plan = report.plan
    words = {
        "as_of": report.as_of.isoformat(),
        "digest": report.digest[:12],
        "plan": plan.name if lang == "zh" else plan.name_en,
    }
    header_footer(ws, left.format(**words), centre, right.format(**words))


class _ChartData:
    """The hidden sheet with every chart's numbers: a block of rows per chart (its title, the
    series' names, then a label and the shares per bar)."""

    def __init__(self, wb: Any, pick: int) -> None:
        self.ws = wb.create_sheet(SHEET_NAMES["chart_data"][pick])
        self.ws.sheet_state = "hidden"
        page_setup(self.ws, widths=[30.0, 10.0, 10.0], last_row=1, title_rows=None)
        # Excel never prints a hidden sheet; LibreOffice prints its print area: an empty cell
        self.ws.print_area = "E1"
        self.row = 0

    def add(
        self,
        title: str,
        labels: list[str],
        series: list[list[float | None]],
        names: tuple[str, ...],
    ) -> tuple[Any, int, int, int]:
        ws = self.ws
        self.row += 1
        put(ws, self.row, 1, title)
        self.row += 1
        for j, name in enumerate(names, 2):
            put(ws, self.row, j, name)
        first = self.row + 1
        for i, label in enumerate(labels):
            self.row += 1
            put(ws, self.row, 1, label)
            for j, values in enumerate(series, 2):
                ws.cell(row=self.row, column=j, value=values[i]).number_format = "0%"
        self.row += 1
        return ws, first, first + len(labels) - 1, len(series)

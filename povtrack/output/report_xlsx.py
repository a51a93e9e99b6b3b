"""The weekly report as an XLSX workbook: a worksheet per sheet, and on each task's a native bar
chart of progress against the expected pace."""

from __future__ import annotations

from typing import Any

from povtrack.output.notation import neutralise
from povtrack.output.report import Chart, Report


def xlsx(report: Report, lang: str, pick: int) -> bytes:
    from povtrack.output.xlsx import save, workbook

    wb = workbook(report.sheets, lang)
    for ws, sheet in zip(wb.worksheets[: len(report.sheets)], report.sheets, strict=True):
        chart = report.charts.get(sheet.key)
        if chart is not None:
            _xlsx_chart(ws, chart, pick)
    return save(wb)


def _xlsx_chart(ws: Any, chart: Chart, pick: int) -> None:
    """A native clustered bar chart: progress and expected pace for each target, with its data
    in two columns to the right of the table (so the chart is live in Excel)."""
    from openpyxl.chart import BarChart, Reference

    first_col = ws.max_column + 2
    ws.cell(row=1, column=first_col, value=("目标", "Target")[pick])
    ws.cell(row=1, column=first_col + 1, value=("完成进度", "Progress")[pick])
    ws.cell(row=1, column=first_col + 2, value=("应完成", "Expected")[pick])
    for i, b in enumerate(chart.bars, start=2):
        ws.cell(row=i, column=first_col, value=neutralise(b.label)).data_type = "s"
        for j, share in ((1, b.progress), (2, b.expected)):
            cell = ws.cell(row=i, column=first_col + j, value=share)
            cell.number_format = "0%"
    last = len(chart.bars) + 1
    bar = BarChart()
    bar.type = "bar"
    bar.title = chart.title if pick == 0 else chart.title_en
    bar.y_axis.number_format = "0%"
    bar.y_axis.scaling.min = 0
    data = Reference(ws, min_col=first_col + 1, max_col=first_col + 2, min_row=1, max_row=last)
    labels = Reference(ws, min_col=first_col, min_row=2, max_row=last)
    bar.add_data(data, titles_from_data=True)
    bar.set_categories(labels)
    bar.height = max(6.0, 0.5 * len(chart.bars) + 2)
    bar.width = 18
    anchor = ws.cell(row=last + 2, column=first_col).coordinate
    ws.add_chart(bar, anchor)

"""The weekly report written out: Markdown, one self-contained HTML page (a small SVG chart per
task), or an XLSX workbook (a native bar chart per task). The tables are ``formats``' own; the
charts show each target's progress against the pace expected by the as-of date."""

from __future__ import annotations

from typing import Any

from povtrack.analysis.report import Chart, Report
from povtrack.output.files import neutralise, render

REPORT_FORMATS = ("md", "html", "xlsx")
_TITLE = ("脱贫攻坚周报", "Weekly poverty-alleviation report")
_CHART_NOTE = (
    "实际完成进度（条）与按期应完成进度（竖线）",
    "Progress (bar) against the expected pace (line)",
)


def write(report: Report, fmt: str, lang: str) -> bytes:
    pick = 0 if lang == "zh" else 1
    for sheet in report.sheets[:1]:
        sheet.notes = [*report.stamp(lang), *sheet.notes]
    if fmt == "md":
        return _markdown(report, lang, pick).encode("utf-8", errors="replace")
    if fmt == "html":
        return _html(report, lang, pick).encode("utf-8", errors="replace")
    return _xlsx(report, lang, pick)


# ---------------------------------------------------------------------------- Markdown


def _markdown(report: Report, lang: str, pick: int) -> str:
    parts = [f"# {_TITLE[pick]} — {report.as_of.isoformat()}", ""]
    for sheet in report.sheets:
        parts.append(render([sheet], "md", lang=lang).decode("utf-8"))
        chart = report.charts.get(sheet.key)
        if chart is not None:
            parts += ["```text", *_text_chart(chart, pick), "```", ""]
    return "\n".join(parts)


def _text_chart(chart: Chart, pick: int) -> list[str]:
    """The chart as text: 20 cells, '#' done, '|' where the pace says it should be."""
    lines = [_CHART_NOTE[pick]]
    width = max((len(b.label) for b in chart.bars), default=0)
    for b in chart.bars:
        cells = ["-"] * 20
        if b.progress is not None:
            for i in range(min(20, round(b.progress * 20))):
                cells[i] = "#"
        if b.expected is not None:
            cells[min(19, int(b.expected * 20))] = "|"
        shown = "—" if b.progress is None else f"{b.progress * 100:.0f}%"
        lines.append(f"{b.label.ljust(width)}  {''.join(cells)} {shown}")
    return lines


# ---------------------------------------------------------------------------- HTML

_COLOURS = {
    "done": "#2e7d32",
    "on_track": "#66bb6a",
    "behind": "#f9a825",
    "overdue": "#c62828",
    "no_data": "#bdbdbd",
    "reported": "#42a5f5",
}
_SVG_CSS = "svg.chart { display: block; margin: 2px 0 10px } svg.chart text { font-size: 9px }\n"


def _html(report: Report, lang: str, pick: int) -> str:
    from povtrack.output.html import esc, html_page, html_section

    body = [f"<h1>{esc(_TITLE[pick])} — {esc(report.as_of.isoformat())}</h1>"]
    for sheet in report.sheets:
        chart = report.charts.get(sheet.key)
        body.append(html_section(sheet, lang, _svg(chart, pick) if chart else ""))
    return html_page(f"{_TITLE[pick]} {report.as_of.isoformat()}", lang, body, _SVG_CSS)


def _svg(chart: Chart, pick: int) -> str:
    """A horizontal bar per target: progress filled, the expected pace as a dark line."""
    from povtrack.output.html import esc

    label_w, bar_w, row_h = 260, 300, 14
    height = row_h * len(chart.bars) + 18
    out = [
        f'<svg class="chart" width="{label_w + bar_w + 50}" '
        f'height="{height}" role="img" aria-label="{esc(_CHART_NOTE[pick])}">',
        f'<text x="0" y="10">{esc(_CHART_NOTE[pick])}</text>',
    ]
    for i, b in enumerate(chart.bars):
        y = 16 + i * row_h
        out.append(f'<text x="0" y="{y + 10}">{esc(b.label[:40])}</text>')
        out.append(
            f'<rect x="{label_w}" y="{y + 2}" width="{bar_w}" height="{row_h - 4}" fill="#eeeeee"/>'
        )
        if b.progress is not None:
            w = round(min(b.progress, 1.0) * bar_w, 1)
            colour = _COLOURS.get(b.status, "#999999")
            out.append(
                f'<rect x="{label_w}" y="{y + 2}" width="{w}" height="{row_h - 4}" '
                f'fill="{colour}"/>'
            )
        if b.expected is not None:
            x = round(label_w + min(b.expected, 1.0) * bar_w, 1)
            out.append(
                f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + row_h}" stroke="#000" '
                'stroke-width="1.5"/>'
            )
        shown = "—" if b.progress is None else f"{b.progress * 100:.0f}%"
        out.append(f'<text x="{label_w + bar_w + 4}" y="{y + 10}">{esc(shown)}</text>')
    out.append("</svg>")
    return "\n".join(out)


# ---------------------------------------------------------------------------- XLSX


def _xlsx(report: Report, lang: str, pick: int) -> bytes:
    from povtrack.output.xlsx import save, workbook

    wb = workbook(report.sheets, lang)
    for ws, sheet in zip(wb.worksheets, report.sheets, strict=True):
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

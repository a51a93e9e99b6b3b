"""The weekly report as Markdown: every sheet as a table (``output.files``), and under each task
a text chart of progress against the expected pace."""

from __future__ import annotations

from povtrack.output.files import sheet_bytes
from povtrack.output.report import CHART_NOTE, TITLE, Chart, Report


def markdown(report: Report, lang: str, pick: int) -> str:
    parts = [f"# {TITLE[pick]} — {report.as_of.isoformat()}", ""]
    for sheet in report.sheets:
        parts.append(sheet_bytes([sheet], "md", lang=lang).decode("utf-8"))
        chart = report.charts.get(sheet.key)
        if chart is not None:
            parts += ["```text", *_text_chart(chart, pick), "```", ""]
    return "\n".join(parts)


def _text_chart(chart: Chart, pick: int) -> list[str]:
    """The chart as text: 20 cells, '#' done, '|' where the pace says it should be."""
    lines = [CHART_NOTE[pick]]
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

"""The weekly report as one self-contained HTML page: every sheet as a table (``output.html``),
and under each task an inline SVG chart of progress against the expected pace."""

from __future__ import annotations

from povtrack.output.report import CHART_NOTE, TITLE, Chart, Report

_COLOURS = {
    "done": "#2e7d32",
    "on_track": "#66bb6a",
    "behind": "#f9a825",
    "overdue": "#c62828",
    "no_data": "#bdbdbd",
    "reported": "#42a5f5",
}
_SVG_CSS = "svg.chart { display: block; margin: 2px 0 10px } svg.chart text { font-size: 9px }\n"


def html(report: Report, lang: str, pick: int) -> str:
    from povtrack.output.html import esc, html_page, html_section

    body = [f"<h1>{esc(TITLE[pick])} — {esc(report.as_of.isoformat())}</h1>"]
    for sheet in report.sheets:
        chart = report.charts.get(sheet.key)
        body.append(html_section(sheet, lang, _svg(chart, pick) if chart else ""))
    return html_page(f"{TITLE[pick]} {report.as_of.isoformat()}", lang, body, _SVG_CSS)


def _svg(chart: Chart, pick: int) -> str:
    """A horizontal bar per target: progress filled, the expected pace as a dark line."""
    from povtrack.output.html import esc

    label_w, bar_w, row_h = 260, 300, 14
    height = row_h * len(chart.bars) + 18
    out = [
        f'<svg class="chart" width="{label_w + bar_w + 50}" '
        f'height="{height}" role="img" aria-label="{esc(CHART_NOTE[pick])}">',
        f'<text x="0" y="10">{esc(CHART_NOTE[pick])}</text>',
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

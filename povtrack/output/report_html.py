"""The weekly report as one self-contained HTML page: every sheet as a table (``output.html``),
and under each task an inline SVG chart of progress against the expected pace.

The report is a handout: printed on A4 landscape, each section from a new page (the print CSS
of ``output.html``). So that an 18-column status table fits the page width at a readable size
without breaking a word, the handout leaves out the id columns that sit beside their names
(``report_tables.ID_KEYS``; the ids stay in ``--json`` and the table exports) and a task
column that says the section's own task on every row. Chart labels are wrapped by display
width (Chinese between characters, Latin at spaces, never mid-word) onto two lines at most,
and the figures beside the bars are rounded like the tables' (``notation.percent_text``).
"""

from __future__ import annotations

from dataclasses import replace

from povtrack.output.notation import percent_text
from povtrack.output.report import CHART_NOTE, TITLE, Chart, Report
from povtrack.output.report_tables import ID_KEYS, WORDS, forecast
from povtrack.output.wrap import wrap_label
from povtrack.sheet import Column, Sheet

_COLOURS = {
    "done": "#2e7d32",
    "on_track": "#66bb6a",
    "behind": "#f9a825",
    "overdue": "#c62828",
    "no_data": "#bdbdbd",
    "reported": "#42a5f5",
}
# 11px is 8.25pt: no chart text prints below 8pt
_FONT_PX = 11
_SVG_CSS = (
    "svg.chart { display: block; margin: 4px 0 10px; break-inside: avoid }\n"
    f"svg.chart text {{ font-size: {_FONT_PX}px }}\n"
)
_NAME_KEYS = ("name", "name_en", "scope_name", "scope_name_en", "area_name")

_LABEL_W, _BAR_W, _VALUE_W = 400, 440, 60  # px; together within A4 landscape's 1032px
_LINE_H = 13  # px, one label line
# display columns a label line may take: a Chinese character is one em (2 columns), a Latin
# letter about 0.6 em on average (generous, so that a line never runs into the bar)
_LABEL_UNITS = int(_LABEL_W / (_FONT_PX * 0.6)) - 1


def html(report: Report, lang: str, pick: int) -> str:
    from povtrack.output.html import esc, html_page, html_section

    body = [f"<h1>{esc(TITLE[pick])} — {esc(report.as_of.isoformat())}</h1>"]
    for sheet in report.sheets:
        chart = report.charts.get(sheet.key)
        body.append(html_section(handout(sheet, pick), lang, _svg(chart, pick) if chart else ""))
    return html_page(f"{TITLE[pick]} {report.as_of.isoformat()}", lang, body, _SVG_CSS)


def handout(sheet: Sheet, pick: int = 0) -> Sheet:
    """The sheet as the printed report shows it: without the id columns beside names, nor a
    task column whose rows are all of one task (the section's heading names it); on a task's
    status sheet, the projection as the XLSX handout gives it (``report_tables.forecast``:
    never beyond the target, with the date it is reached or the share at the due date) in
    place of the projected date, and without the level."""
    named = any(c.key in _NAME_KEYS for c in sheet.columns)
    tasks = {r.get("task") for r in sheet.rows}
    columns = [
        c
        for c in sheet.columns
        if not (named and c.key in ID_KEYS and c.kind == "text")
        and not (c.key == "task" and len(tasks) == 1)
    ]
    rows = sheet.rows
    if any(c.key == "projected_date" for c in columns):
        zh, en = WORDS["forecast"]
        columns = [
            Column("forecast", zh, en) if c.key == "projected_date" else c
            for c in columns
            if c.key != "level_name"
        ]
        rows = []
        for row in sheet.rows:
            projected, note = forecast(row, pick)
            rows.append({**row, "projected": projected, "forecast": note})
    if columns == sheet.columns and rows is sheet.rows:
        return sheet
    return replace(sheet, columns=columns, rows=rows)


def _svg(chart: Chart, pick: int) -> str:
    """A horizontal bar per target: progress filled, the expected pace as a dark line."""
    from povtrack.output.html import esc

    labels = [wrap_label(b.label, _LABEL_UNITS) for b in chart.bars]
    heights = [max(1, len(lines)) * _LINE_H + 4 for lines in labels]
    height = sum(heights) + 20
    width = _LABEL_W + _BAR_W + _VALUE_W
    out = [
        f'<svg class="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-label="{esc(CHART_NOTE[pick])}">',
        f'<text x="0" y="12">{esc(CHART_NOTE[pick])}</text>',
    ]
    y = 18
    for b, lines, row_h in zip(chart.bars, labels, heights, strict=True):
        for k, line in enumerate(lines):
            out.append(f'<text x="0" y="{y + 11 + k * _LINE_H}">{esc(line)}</text>')
        bar_y, bar_h = y + 2, min(row_h - 4, _LINE_H - 2)
        out.append(
            f'<rect x="{_LABEL_W}" y="{bar_y}" width="{_BAR_W}" height="{bar_h}" fill="#eeeeee"/>'
        )
        if b.progress is not None:
            w = round(min(b.progress, 1.0) * _BAR_W, 1)
            colour = _COLOURS.get(b.status, "#999999")
            out.append(
                f'<rect x="{_LABEL_W}" y="{bar_y}" width="{w}" height="{bar_h}" fill="{colour}"/>'
            )
        if b.expected is not None:
            x = round(_LABEL_W + min(b.expected, 1.0) * _BAR_W, 1)
            out.append(
                f'<line x1="{x}" y1="{bar_y - 2}" x2="{x}" y2="{bar_y + bar_h + 2}" '
                'stroke="#000" stroke-width="1.5"/>'
            )
        shown = "—" if b.progress is None else percent_text(b.progress)
        out.append(f'<text x="{_LABEL_W + _BAR_W + 6}" y="{y + 11}">{esc(shown)}</text>')
        y += row_h
    out.append("</svg>")
    return "\n".join(out)

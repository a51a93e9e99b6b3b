"""The weekly report: everything the leadership meeting needs, in one document, from the same
rows as the commands (``status``, ``board``, ``diff``) — and a digest of the data behind it.

Sections: the stamp (plan, as-of date, digest), the headline goals, the board, the status of
each task with a chart of actual progress against the expected pace, what changed since the
week before, and what is missing. ``build`` makes a ``Report`` (sheets and charts,
pure); ``write`` writes it as Markdown, one self-contained HTML page (a small SVG chart per
task) or an XLSX workbook (a native bar chart per task), the tables by ``output.files``.

The digest is the SHA-256 of the data a report is made from, written canonically: the plan's own
digest, every entry dated on or before the as-of date (id, indicator, area, date, value) and every
allocation. Run the same report later: the same digest means the same data. For users:
docs/commands.md (``povtrack report``).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from povtrack.analysis.status import StatusRow, status_rows
from povtrack.jsonable import num
from povtrack.model import Allocation, Entry, Plan
from povtrack.names import scope_names
from povtrack.output.files import sheet_bytes
from povtrack.output.notation import neutralise
from povtrack.output.shapes import status_sheet
from povtrack.sheet import Column, Sheet


@dataclass(frozen=True)
class Bar:
    label: str
    progress: float | None  # share of the target done (None: nothing reported)
    expected: float | None  # share the pace demands by now
    status: str


@dataclass(frozen=True)
class Chart:
    """Actual against the expected pace, one bar per target of a task."""

    key: str  # the sheet it belongs to
    title: str
    title_en: str
    bars: list[Bar]


@dataclass
class Report:
    plan: Plan
    as_of: date
    since: date
    digest: str
    sheets: list[Sheet] = field(default_factory=list)
    charts: dict[str, Chart] = field(default_factory=dict)  # by sheet key

    def stamp(self, lang: str) -> list[str]:
        if lang == "zh":
            return [
                f"规划: {self.plan.name} ({self.plan.id})",
                f"截至: {self.as_of.isoformat()}  对比: {self.since.isoformat()}",
                f"数据摘要 (SHA-256): {self.digest}",
            ]
        return [
            f"Plan: {self.plan.name_en} ({self.plan.id})",
            f"As of: {self.as_of.isoformat()}  compared with: {self.since.isoformat()}",
            f"Data digest (SHA-256): {self.digest}",
        ]


def digest(
    plan_sha256: str, entries: list[Entry], allocations: list[Allocation], as_of: date
) -> str:
    """What a report was made from, in one hash (see the module docstring)."""
    data = {
        "plan": plan_sha256,
        "as_of": as_of.isoformat(),
        "entries": [
            [e.id, e.indicator, e.area, e.date.isoformat(), num(e.value)]
            for e in sorted(entries, key=lambda e: e.id)
            if e.date <= as_of
        ],
        "allocations": [
            [a.indicator, a.area, num(a.value), a.due.isoformat() if a.due else None]
            for a in allocations
        ],
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build(
    plan: Plan,
    plan_sha256: str,
    entries: list[Entry],
    allocations: list[Allocation],
    as_of: date,
    lang: str,
) -> Report:
    from povtrack.analysis.board import board_sheet, make_board
    from povtrack.analysis.trend import diff, diff_sheets

    since = max(as_of - timedelta(days=7), plan.start - timedelta(days=1))
    rows = status_rows(plan, entries, allocations, as_of)
    report = Report(plan, as_of, since, digest(plan_sha256, entries, allocations, as_of))
    pick = 0 if lang == "zh" else 1
    for task in plan.tasks:
        mine = [r for r in rows if r.task == task.number]
        sheet = status_sheet(plan, mine, as_of, lang)
        sheet.key = f"task{task.number}" if task.number else "headline"
        sheet.title = f"{task.number}. {task.name}"
        sheet.title_en = f"{task.number}. {task.name_en}"
        sheet.notes = []
        report.sheets.append(sheet)
        bars = [
            Bar(_bar_label(plan, r, pick), r.progress, r.expected, r.status)
            for r in mine
            if r.kind != "activity"
        ]
        if bars:
            report.charts[sheet.key] = Chart(sheet.key, sheet.title, sheet.title_en, bars)
    report.sheets.insert(1, board_sheet(make_board(plan, rows, as_of), lang))
    if since < as_of:
        changes = diff(plan, entries, allocations, since, as_of, now=rows)
        report.sheets += diff_sheets(plan, changes, lang)
    report.sheets.append(missing_sheet(plan, rows, lang))
    return report


def _bar_label(plan: Plan, r: StatusRow, pick: int) -> str:
    name = (r.name, r.name_en)[pick]
    return f"{name} · {scope_names(plan, r.scope)[pick]}"


def missing_sheet(plan: Plan, rows: list[StatusRow], lang: str) -> Sheet:
    """Targets with nothing reported yet: never counted as zero, listed instead."""
    pick = 0 if lang == "zh" else 1
    columns = [
        Column("task", "任务", "Task", "integer"),
        Column("indicator", "指标编号", "Indicator id"),
        Column("name", "指标", "Indicator"),
        Column("scope", "范围编号", "Scope id"),
        Column("scope_name", "范围", "Scope"),
        Column("due", "截止", "Due", "date"),
    ]
    out = [
        {
            "task": r.task,
            "indicator": r.indicator,
            "name": (r.name, r.name_en)[pick],
            "scope": r.scope,
            "scope_name": scope_names(plan, r.scope)[pick],
            "due": r.due.isoformat() if r.due else None,
        }
        for r in rows
        if r.status == "no_data"
    ]
    return Sheet("missing", "未报送", "Not reported", columns, out)


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
        parts.append(sheet_bytes([sheet], "md", lang=lang).decode("utf-8"))
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

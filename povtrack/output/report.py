"""The weekly report: everything the leadership meeting needs, in one document, from the same
rows as the commands (``status``, ``board``, ``diff``) — and a digest of the data behind it.

Sections: the stamp (plan, as-of date, digest), the headline goals, the board, the status of
each task with a chart of actual progress against the expected pace, what changed since the
week before, and what is missing. ``build`` makes a ``Report`` (sheets and charts,
pure); ``write`` writes it as Markdown, one self-contained HTML page (a small SVG chart per
task) or an XLSX workbook (a native bar chart per task): ``output.report_files``.

The digest is the SHA-256 of the data a report is made from, written canonically: the plan's own
digest, every entry dated on or before the as-of date (id, indicator, area, date, value) and every
allocation. Run the same report later: the same digest means the same data. For users:
docs/commands.md (``povtrack report``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any

from povtrack.analysis.status import StatusRow, status_rows
from povtrack.jsonable import num
from povtrack.ledger import Ledger
from povtrack.model import Allocation, Digestible, Entry, Plan
from povtrack.names import scope_names
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
    ledger: Ledger | None = None  # enough of the history for a status at the as-of date

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


_CHUNK = 20_000  # entries written to the hash at a time


def _canonical(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def digest(
    plan_sha256: str, rows: Iterable[Digestible], allocations: list[Allocation], as_of: date
) -> str:
    """What a report was made from, in one hash (see the module docstring): the SHA-256 of
    ``{"allocations": [...], "as_of": ..., "entries": [...], "plan": ...}`` written
    canonically (keys sorted, no spaces). ``rows``: the entries that count dated up to the
    as-of date, in id order (``Backend.counting_rows``), hashed a chunk at a time as they
    come: a million entries are never in memory at once."""
    until = as_of.isoformat()
    allocs = [
        [a.indicator, a.area, num(a.value), a.due.isoformat() if a.due else None]
        for a in allocations
    ]
    h = hashlib.sha256()
    h.update(
        f'{{"allocations":{_canonical(allocs)},"as_of":{_canonical(until)},"entries":['.encode()
    )
    kept = (r for r in rows if r[3] <= until)
    first = True
    while chunk := [[i, ind, area, day, num(v)] for i, ind, area, day, v in islice(kept, _CHUNK)]:
        h.update((("" if first else ",") + _canonical(chunk)[1:-1]).encode("utf-8"))
        first = False
    h.update(f'],"plan":{_canonical(plan_sha256)}}}'.encode())
    return h.hexdigest()


def since_of(plan: Plan, as_of: date) -> date:
    """The date a report compares with: a week before, or the day before the plan starts."""
    return max(as_of - timedelta(days=7), plan.start - timedelta(days=1))


def build(
    plan: Plan,
    data_digest: str,
    ledgers: tuple[Ledger, Ledger],
    recent: list[Entry],
    allocations: list[Allocation],
    as_of: date,
    lang: str,
) -> Report:
    """``ledgers``: enough of the history for a status at ``since_of(plan, as_of)`` and at
    ``as_of`` (``Backend.ledger_at``); ``recent``: the entries that count from the silent-areas
    span on (``Backend.entries_between``); ``data_digest``: ``digest``."""
    from povtrack.analysis.board import board_sheet, make_board
    from povtrack.analysis.trend import diff, diff_sheets

    since = since_of(plan, as_of)
    rows = status_rows(plan, ledgers[1], allocations, as_of)
    report = Report(plan, as_of, since, data_digest)
    report.ledger = ledgers[1]
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
        changes = diff(plan, recent, allocations, since, as_of, now=rows, ledgers=ledgers)
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
TITLE = ("脱贫攻坚周报", "Weekly poverty-alleviation report")
CHART_NOTE = (
    "实际完成进度（条）与按期应完成进度（竖线）",
    "Progress (bar) against the expected pace (line)",
)

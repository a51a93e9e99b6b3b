"""The battle map (挂图作战): every area and group against every task, one cell each.

Pure: no I/O, no Rich. Every cell is made from ``status.status_rows`` (computed once, without a
task or scope filter); the screen table (``output.screen.board``), ``--json`` and the exports
(``board_sheet``) all show the cells made here.

Rows: the city first, then the other areas in plan order, then each group that has a target on
the group in total. Columns: the plan's tasks (0 = headline goals, then 1–10). A cell is the
status rows of the row's scope in the column's task (activity rows are on the city):

- no rows: ``status`` None, the scope has no target in that task (never a zero);
- every row ``no_data``: ``no_data``;
- otherwise the worst of the rows with data (overdue > behind > on_track > done > reported),
  with ``unreported`` counting the rows without data; ``worst`` is the target row at that
  status furthest behind its pace (lowest progress − expected, then lowest progress).

The short figure (``board_cell_parts``) is that row's progress against the pace (``42/60%``), once
done its progress (``105%``), past due the gap in its unit (``差331户`` / ``gap 331``); with
several rows, how many are at the cell's status (``2/3``). For users: docs/rules.md, "Board
cells".
"""

from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from povtrack.analysis.measure import STATUSES
from povtrack.analysis.status import StatusRow
from povtrack.jsonable import num, share
from povtrack.model import UNITS, Plan, Task
from povtrack.sheet import Column, Sheet

# Worst first when sorted descending; no_data is counted apart, never ranked.
SEVERITY = {"reported": 0, "done": 1, "on_track": 2, "behind": 3, "overdue": 4}

NO_TARGET = "—"  # a scope with no target in a task: said so, never shown as zero

# Short status words for the cells (the status table's labels are too long for a grid).
SHORT_STATUS: dict[str, tuple[str, str]] = {
    "done": ("完成", "done"),
    "on_track": ("正常", "ok"),
    "behind": ("滞后", "behind"),
    "overdue": ("逾期", "overdue"),
    "no_data": ("未报", "no data"),
    "reported": ("已报", "reported"),
}
# One glyph each, for the narrowest terminals (a legend under the table says which is which).
SYMBOL_STATUS: dict[str, tuple[str, str]] = {
    "done": ("完", "D"),
    "on_track": ("正", "+"),
    "behind": ("滞", "B"),
    "overdue": ("逾", "!"),
    "no_data": ("未", "?"),
    "reported": ("报", "r"),
}

# Short English column names for the bundled plan's tasks (keyed by the full English name);
# any other task gets the first word of its English name. Chinese task names are short already.
SHORT_TASK_EN = {
    "Headline goals": "Goals",
    "Industry support": "Industry",
    "Housing and relocation": "Housing",
    "Ecological poverty relief": "Ecology",
    "Training and employment": "Jobs",
    "Social safety net": "Welfare",
    "Publicity and motivation": "Publicity",
    "Records and data quality": "Records",
    "Village improvement": "Villages",
    "Village work teams": "Teams",
    "Public satisfaction": "Approval",
}
SHORT_TASK_WIDTH = 10  # display columns at most for a short task name


@dataclass(frozen=True)
class BoardCell:
    status: str | None  # one of STATUSES; None: no target in this task for this scope
    targets: int = 0  # status rows in the cell (targets and activity indicators)
    activities: int = 0  # of which activity indicators (no target, reported or not)
    unreported: int = 0  # rows with no data
    counts: dict[str, int] = field(default_factory=dict)  # status -> rows (non-zero only)
    worst: StatusRow | None = None  # the target row behind the figure

    @property
    def at_status(self) -> int:
        """How many rows are at the cell's status."""
        return self.counts.get(self.status or "", 0)


@dataclass(frozen=True)
class BoardRow:
    scope: str
    scope_kind: str  # "area" or "group" (the group in total)
    name: str
    name_en: str
    cells: dict[int, BoardCell]


@dataclass(frozen=True)
class Board:
    plan: str
    as_of: date
    tasks: list[Task]
    rows: list[BoardRow]


# ---------------------------------------------------------------------------- computing


def _behind_pace(r: StatusRow) -> tuple[float, float]:
    progress = r.progress if r.progress is not None else 0.0
    expected = r.expected if r.expected is not None else 0.0
    return (progress - expected, progress)


def make_board_cell(rows: list[StatusRow]) -> BoardCell:
    """One scope's standing on one task, from its status rows (the rule in the docstring)."""
    if not rows:
        return BoardCell(None)
    counts = {s: n for s in STATUSES if (n := sum(1 for r in rows if r.status == s))}
    unreported = counts.get("no_data", 0)
    activities = sum(1 for r in rows if r.kind == "activity")
    with_data = [r for r in rows if r.status != "no_data"]
    if not with_data:
        return BoardCell("no_data", len(rows), activities, unreported, counts)
    status = max((r.status for r in with_data), key=lambda s: SEVERITY.get(s, 0))
    candidates = [r for r in with_data if r.status == status and r.kind != "activity"]
    worst = min(candidates, key=_behind_pace) if candidates else None
    return BoardCell(status, len(rows), activities, unreported, counts, worst)


def board_rows(plan: Plan, rows: list[StatusRow]) -> list[BoardRow]:
    """The city, the other areas in plan order, then each group with a group-total target."""
    by_cell: dict[tuple[str, int], list[StatusRow]] = {}
    for r in rows:
        by_cell.setdefault((r.scope, r.task), []).append(r)
    root = plan.root
    scopes: list[tuple[str, str, str, str]] = [(root.id, "area", root.name, root.name_en)]
    scopes += [(a.id, "area", a.name, a.name_en) for a in plan.areas if a.id != root.id]
    with_totals = {r.scope for r in rows if r.scope_kind == "group"}
    scopes += [(g.id, "group", g.name, g.name_en) for g in plan.groups if g.id in with_totals]
    return [
        BoardRow(
            scope,
            kind,
            name,
            name_en,
            {t.number: make_board_cell(by_cell.get((scope, t.number), [])) for t in plan.tasks},
        )
        for scope, kind, name, name_en in scopes
    ]


def make_board(plan: Plan, rows: list[StatusRow], as_of: date) -> Board:
    """``rows``: ``status_rows(plan, entries, allocations, as_of)`` with no task or scope."""
    return Board(plan.id, as_of, list(plan.tasks), board_rows(plan, rows))


# ---------------------------------------------------------------------------- text


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def _fit(text: str, width: int) -> str:
    """The text cut to at most ``width`` display columns, between glyphs."""
    out = ""
    for ch in text:
        if _display_width(out + ch) > width:
            break
        out += ch
    return out


def task_short(task: Task, lang: str) -> str:
    """A short column name: 住房保障 / Housing."""
    if lang == "zh":
        return _fit(task.name, SHORT_TASK_WIDTH)
    short = SHORT_TASK_EN.get(task.name_en) or (task.name_en.split() or [""])[0]
    return _fit(short, SHORT_TASK_WIDTH)


def status_word(status: str, lang: str, *, symbol: bool = False) -> str:
    pair = (SYMBOL_STATUS if symbol else SHORT_STATUS).get(status, (status, status))
    return pair[0] if lang == "zh" else pair[1]


def _pct(share: float) -> int:
    return math.floor(share * 100 + 0.5)


def compact_value(value: float, unit: str, lang: str) -> str:
    """A figure in few columns: 331; 12,345; 12.3万 / 123k; 7.51亿 / 751M; 44%."""

    def trim(x: float, digits: int) -> str:
        return f"{x:,.{digits}f}".rstrip("0").rstrip(".") if digits else f"{x:,.0f}"

    v = abs(value)
    if unit == "percent":
        return trim(v, 1) + "%"
    if lang == "zh":
        if v >= 1e8:
            return trim(v / 1e8, 2) + "亿"
        if v >= 1e5:
            return trim(v / 1e4, 1) + "万"
    else:
        if v >= 1e9:
            return trim(v / 1e9, 2) + "B"
        if v >= 1e6:
            return trim(v / 1e6, 1) + "M"
        if v >= 1e5:
            return trim(v / 1e3, 0) + "k"
    return trim(v, 0 if v >= 100 or float(v).is_integer() else 1)


def figure(row: StatusRow | None, lang: str) -> str:
    """The one figure that matters for a cell's worst row (module docstring)."""
    if row is None or row.progress is None:
        return ""
    if row.status == "overdue" and row.gap is not None:
        amount = compact_value(row.gap, row.unit, lang)
        if lang != "zh":
            return f"gap {amount}"
        unit = "" if row.unit == "percent" else UNITS[row.unit].name
        text = f"差{amount}{unit}"
        return text if _display_width(text) <= SHORT_TASK_WIDTH else f"差{amount}"
    progress = _pct(row.progress)
    if row.status != "done":
        progress = min(progress, 99)  # never "100%" for a target not reached
    if row.status == "done" or not row.expected:
        return f"{progress}%"
    return f"{progress}/{_pct(row.expected)}%"


@dataclass(frozen=True)
class BoardCellParts:
    """A cell as short texts; the screen and the exports both show these."""

    status: str | None
    word: str  # 滞后 / behind, or "—" for no target
    count: str  # "2/3" when the cell has several rows, else ""
    figure: str  # "42/60%", "105%", "差331户", or ""
    unreported: str  # "未报2" / "2 no data", or ""

    def detail(self) -> str:
        """Everything but the status word, for an export's second column."""
        if self.status is None:
            return NO_TARGET
        return " · ".join(p for p in (self.count, self.figure, self.unreported) if p)


def board_cell_parts(cell: BoardCell, lang: str) -> BoardCellParts:
    if cell.status is None:
        return BoardCellParts(None, NO_TARGET, "", "", "")
    count = f"{cell.at_status}/{cell.targets}" if cell.targets > 1 else ""
    unreported = ""
    if cell.unreported and cell.status != "no_data":
        unreported = f"未报{cell.unreported}" if lang == "zh" else f"{cell.unreported} no data"
    return BoardCellParts(
        cell.status, status_word(cell.status, lang), count, figure(cell.worst, lang), unreported
    )


# ---------------------------------------------------------------------------- JSON and export


def board_cell_json(cell: BoardCell) -> dict[str, Any]:
    w = cell.worst
    return {
        "status": cell.status,
        "targets": cell.targets,
        "activities": cell.activities,
        "unreported": cell.unreported,
        "counts": dict(cell.counts),
        "worst": None
        if w is None
        else {
            "indicator": w.indicator,
            "name": w.name,
            "name_en": w.name_en,
            "status": w.status,
            "progress": share(w.progress),
            "expected": share(w.expected),
            "gap": num(w.gap),
            "target": num(w.target),
            "actual": num(w.actual),
            "unit": w.unit,
            "due": w.due.isoformat() if w.due else None,
        },
    }


def board_json(board: Board) -> dict[str, Any]:
    return {
        "as_of": board.as_of.isoformat(),
        "plan": board.plan,
        "tasks": [
            {
                "task": t.number,
                "name": t.name,
                "name_en": t.name_en,
                "short": task_short(t, "zh"),
                "short_en": task_short(t, "en"),
            }
            for t in board.tasks
        ],
        "rows": [
            {
                "scope": r.scope,
                "scope_kind": r.scope_kind,
                "name": r.name,
                "name_en": r.name_en,
                "cells": {str(n): board_cell_json(c) for n, c in r.cells.items()},
            }
            for r in board.rows
        ],
    }


def scope_label(row: BoardRow, lang: str) -> str:
    """The row's name; a group in total is marked as such: 六个贫困县 (合计)."""
    name = row.name if lang == "zh" else row.name_en
    if row.scope_kind == "group":
        return f"{name} ({'合计' if lang == 'zh' else 'total'})"
    return name


def board_sheet(board: Board, lang: str) -> Sheet:
    """One row per scope; per task a status column (the cell's status, blank for no target)
    and a text column with the rest of the cell as on screen (``2/3 · 42/60% · 未报1``, or
    ``—`` for no target)."""
    columns = [
        Column("scope", "范围编号", "Scope id"),
        Column("name", "范围", "Scope"),
    ]
    for t in board.tasks:
        zh, en = f"{t.number} {task_short(t, 'zh')}", f"{t.number} {task_short(t, 'en')}"
        columns.append(Column(f"task_{t.number}", zh, en, "status"))
        columns.append(Column(f"task_{t.number}_detail", f"{zh} 说明", f"{en} detail"))
    rows: list[dict[str, Any]] = []
    for r in board.rows:
        out: dict[str, Any] = {"scope": r.scope, "name": scope_label(r, lang)}
        for n, cell in r.cells.items():
            parts = board_cell_parts(cell, lang)
            out[f"task_{n}"] = cell.status
            out[f"task_{n}_detail"] = parts.detail()
        rows.append(out)
    return Sheet(
        "board",
        "挂图作战",
        "Battle map",
        columns,
        rows,
        total=_totals(board, lang),
        notes=[f"as of {board.as_of.isoformat()}", f"plan {board.plan}"],
    )


def _totals(board: Board, lang: str) -> dict[str, Any]:
    """The 合计 row: per task, how many areas (not groups) stand where, worst first."""
    order = ("overdue", "behind", "on_track", "done", "reported", "no_data")
    total: dict[str, Any] = {}
    for t in board.tasks:
        statuses = [
            r.cells[t.number].status
            for r in board.rows
            if r.scope_kind == "area" and r.cells[t.number].status
        ]
        counted = [f"{status_word(s, lang)} {statuses.count(s)}" for s in order if s in statuses]
        total[f"task_{t.number}_detail"] = " · ".join(counted) or "—"
    return total

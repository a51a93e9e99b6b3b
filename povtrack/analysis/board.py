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

The printed board (``board_sheet``) has one column per task, each cell one short text
(``BoardCellParts.text``: the status word and, behind or on track or overdue, the figure —
``滞后 42/60%``, ``逾期 差331户``, ``完成``, ``未报``, ``—``) coloured by its status, so that the
city, the counties and the groups against all tasks fit one A4 landscape page. ``board_json``
carries the same text in both languages (``text``, ``text_en``), so every export cell can be
checked against ``--json``.
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

# The statuses whose printed cell carries the figure: how far from the pace, or what is missing.
# A done cell needs no figure; an activity (reported) and a no-data cell have none.
FIGURED = ("on_track", "behind", "overdue")

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

    def text(self) -> str:
        """The printed board's cell: the status word, and the figure where it says how far
        from the pace or the target (on track, behind, overdue); ``—`` for no target. The
        count and the unreported rows stay on the screen and in the JSON: on paper the cell
        must stay short enough for 11 tasks on one page."""
        if self.status is None:
            return NO_TARGET
        if self.status in FIGURED and self.figure:
            return f"{self.word} {self.figure}"
        return self.word


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
    """A cell for ``--json``; ``text`` / ``text_en`` are the printed cell in Chinese / English
    (as ``name`` / ``name_en``: the JSON is the same whatever ``--lang`` says)."""
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
        "text": board_cell_parts(cell, "zh").text(),
        "text_en": board_cell_parts(cell, "en").text(),
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


def task_key(number: int) -> str:
    """The sheet row's field with a task's cell text (its column's key)."""
    return f"task_{number}"


def status_key(number: int) -> str:
    """The sheet row's field with a task's status code (None: no target), which colours the
    task's column (``Column.status_from``); never a column of its own."""
    return f"task_{number}_status"


# Colour names for the legend, one per status: they name the fills of output.notation's
# STATUS_COLOURS (a test holds the two together).
COLOUR_NAMES: dict[str, tuple[str, str]] = {
    "overdue": ("红", "red"),
    "behind": ("黄", "amber"),
    "on_track": ("浅绿", "light green"),
    "done": ("绿", "green"),
    "reported": ("蓝", "blue"),
    "no_data": ("灰", "grey"),
}
# Status words explained in the legend where the short word alone is not clear.
_MEANING: dict[str, tuple[str, str]] = {
    "on_track": ("按进度", "on track"),
    "reported": ("活动已上报，无目标", "activity reported, no target"),
    "no_data": ("无数据", "nothing reported"),
}
# Worst first: the order of the legend's colours and of the totals row.
ORDER = ("overdue", "behind", "on_track", "done", "reported", "no_data")


def board_legend(board: Board, lang: str) -> list[str]:
    """Lines that explain the printed cells, in the sheet's language."""
    zh = lang == "zh"
    colours = []
    for s in ORDER:
        colour = COLOUR_NAMES[s][0 if zh else 1]
        word = status_word(s, lang)
        meaning = _MEANING.get(s)
        if meaning:
            word += f"（{meaning[0]}）" if zh else f" ({meaning[1]})"
        colours.append(f"{colour}={word}" if zh else f"{colour} = {word}")
    if zh:
        return [
            "每格：该地区此项各指标中最差的状态，数字为其中最落后的一项。",
            f"42/60%：已完成/按进度截至 {board.as_of.isoformat()} 应完成；"
            f"差331户：已过期限，尚差；{NO_TARGET}：此项无目标。",
            "颜色：" + "，".join(colours) + "。",
            "合计：各地区（含全市，不含组）处于各状态的个数。",
        ]
    return [
        "Each cell: the worst status among the area's indicators in that task, with the figure"
        " of the one furthest behind.",
        f"42/60%: done / due by {board.as_of.isoformat()} at an even pace;"
        f" gap 331: past due, still missing; {NO_TARGET}: no target in that task.",
        "Colours: " + ", ".join(colours) + ".",
        "Total: how many areas (the city included, not the groups) are at each status.",
    ]


def board_sheet(board: Board, lang: str) -> Sheet:
    """One row per scope, named (the ids are in ``--json``, rows in the same order); one column
    per task whose cell is ``BoardCellParts.text`` coloured by the status in ``status_key``;
    the totals row; one A4 landscape page with its legend."""
    columns = [Column("name", "地区", "Area")]
    for t in board.tasks:
        head, head_en = f"{t.number} {task_short(t, 'zh')}", f"{t.number} {task_short(t, 'en')}"
        columns.append(Column(task_key(t.number), head, head_en, status_from=status_key(t.number)))
    rows: list[dict[str, Any]] = []
    for r in board.rows:
        out: dict[str, Any] = {"scope": r.scope, "name": scope_label(r, lang)}
        for n, cell in r.cells.items():
            out[task_key(n)] = board_cell_parts(cell, lang).text()
            out[status_key(n)] = cell.status
        rows.append(out)
    zh = lang == "zh"  # the notes in the sheet's language, as its legend
    return Sheet(
        "board",
        "挂图作战",
        "Battle map",
        columns,
        rows,
        total=_totals(board, lang),
        notes=[
            f"{'截至' if zh else 'as of'} {board.as_of.isoformat()}",
            f"{'计划' if zh else 'plan'} {board.plan}",
        ],
        one_page=True,
        legend=board_legend(board, lang),
    )


def _totals(board: Board, lang: str) -> dict[str, Any]:
    """The 合计 row: per task, how many areas (the city among them; not the groups, which
    overlap the areas) stand where, worst first (``滞后3 正常8`` / ``behind 3, ok 8``)."""
    areas = [r for r in board.rows if r.scope_kind == "area"]
    total: dict[str, Any] = {}
    for t in board.tasks:
        statuses = [s for r in areas if (s := r.cells[t.number].status)]
        if lang == "zh":
            counted = [f"{status_word(s, lang)}{statuses.count(s)}" for s in ORDER if s in statuses]
            text = " ".join(counted)
        else:
            counted = [
                f"{status_word(s, lang)} {statuses.count(s)}" for s in ORDER if s in statuses
            ]
            text = ", ".join(counted)
        total[task_key(t.number)] = text or NO_TARGET
    return total

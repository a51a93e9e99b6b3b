"""The battle map (``analysis.board.Board``) as a Rich table: one row per area or group, one
column per task, each cell its status word in the status colour with the figure that matters.

It fits the terminal by saying less, never by cutting a name or a figure in half: the first
layout whose narrowest form fits the console width is used — ``full`` (column heads with the
task names; cells of up to three lines: the status word with how many rows share it, the
figure, the rows without data; padded), ``tight`` (the same without padding), ``figures``
(task numbers for heads, their names in a legend; no count), ``word`` (the status word only),
``symbol`` (one glyph per cell, explained in the legend).

Names may wrap onto a second line (between glyphs, never inside one); cells never wrap.
Without a terminal (a file, a pipe) the table has no colour and an ASCII border.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich import box
from rich.console import Console
from rich.text import Text

from povtrack.analysis.board import (
    NO_TARGET,
    Board,
    BoardCell,
    board_cell_parts,
    scope_label,
    status_word,
    task_short,
)
from povtrack.analysis.measure import STATUSES
from povtrack.model import Task
from povtrack.output.screen.grid import Cell, Grid, lines_of


@dataclass(frozen=True)
class Layout:
    name: str
    detail: bool  # the figure and unreported lines (else the status word alone)
    count: bool  # "2/3" after the status word
    task_names: bool  # column heads with the task's short name (else the number alone)
    padded: bool
    symbol: bool = False


LAYOUTS = (
    Layout("full", detail=True, count=True, task_names=True, padded=True),
    Layout("tight", detail=True, count=True, task_names=True, padded=False),
    Layout("figures", detail=True, count=False, task_names=False, padded=False),
    Layout("word", detail=False, count=False, task_names=False, padded=False),
    Layout("symbol", detail=False, count=False, task_names=False, padded=False, symbol=True),
)

_TEXT = {
    "title": ("挂图作战", "Battle map"),
    "as_of": ("截至", "as of"),
    "scope": ("地区", "Area"),
    "count": ("2/3：3项中2项为此状态", "2/3: two of three rows at that status"),
    "pace": ("42/60%：完成/按进度应完成", "42/60%: done / due by now at an even pace"),
    "gap": ("差331户：已逾期，尚差", "gap 331: past due, still missing"),
    "none": (f"{NO_TARGET}：无此项目标", f"{NO_TARGET}: no target in this task"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _TEXT[key]
    return zh if lang == "zh" else en


def _cell(cell: BoardCell, layout: Layout, lang: str) -> Cell:
    """What a ``Text`` in the status's style would show: the word (and count), the figure,
    the rows without data in that style too."""
    parts = board_cell_parts(cell, lang)
    if parts.status is None:
        return lines_of([NO_TARGET], "muted")
    style = f"status.{parts.status}"
    word = status_word(parts.status, lang, symbol=layout.symbol)
    lines = lines_of([f"{word} {parts.count}" if layout.count and parts.count else word], style)
    if layout.detail and parts.figure:
        lines += lines_of([parts.figure], style)
    if layout.detail and parts.unreported:
        lines.append((parts.unreported, f"{style}+status.no_data", style))
    return lines


def _head(task: Task, layout: Layout, lang: str) -> Cell:
    if not layout.task_names:
        return lines_of([str(task.number)])
    return lines_of([str(task.number), task_short(task, lang)])


def _legend(board: Board, layout: Layout, lang: str) -> Text:
    items: list[Text] = []
    if not layout.task_names:
        items += [Text(f"{t.number}={task_short(t, lang)}") for t in board.tasks]
    if layout.symbol:
        items += [
            Text(f"{status_word(s, lang, symbol=True)}={status_word(s, lang)}", style=f"status.{s}")
            for s in STATUSES
        ]
    if layout.count:
        items.append(Text(_t("count", lang)))
    if layout.detail:
        items += [Text(_t("pace", lang)), Text(_t("gap", lang))]
    items.append(Text(_t("none", lang)))
    return Text("  ").join(items)


def _build(
    console: Console, board: Board, layout: Layout, lang: str, same: Grid | None = None
) -> Grid:
    """The board in ``layout``; ``same``: a grid of the same cells in another box, whose
    cells and measure are taken rather than made again."""
    plain = not console.is_terminal
    rows = (
        same.rows
        if same is not None
        else [
            [
                lines_of([scope_label(row, lang)], "task" if n == 0 else ""),
                *(_cell(row.cells[t.number], layout, lang) for t in board.tasks),
            ]
            for n, row in enumerate(board.rows)
        ]
    )
    ends = set()  # without the lines between rows: one after the city, and before the groups
    if not layout.detail:
        kinds = [row.scope_kind for row in board.rows]
        ends = {n - 1 for n in range(1, len(kinds)) if n == 1 or kinds[n] != kinds[n - 1]}
    heads = [lines_of([_t("scope", lang)]), *(_head(t, layout, lang) for t in board.tasks)]
    return Grid(
        heads=same.heads if same is not None else heads,
        rows=rows,
        box=box.ASCII if plain or not layout.padded else box.SIMPLE_HEAD,
        show_edge=plain,
        padding=1 if layout.padded else 0,
        pad_edge=plain if layout.padded else False,
        show_lines=layout.detail,
        ends=ends,
        measured=same.measured if same is not None else None,
    )


def _fitting(console: Console, board: Board, lang: str) -> tuple[Layout, Grid]:
    """The most detailed layout that fits the console, and the board drawn in it (layouts
    that differ only in padding share their cells and their measure)."""
    made: dict[tuple[bool, ...], Grid] = {}
    for layout in LAYOUTS:
        key = (layout.detail, layout.count, layout.task_names, layout.symbol)
        grid = made[key] = _build(console, board, layout, lang, made.get(key))
        if grid.needed_width() <= console.width:
            return layout, grid
    return layout, grid


def choose_layout(console: Console, board: Board, lang: str) -> Layout:
    """The most detailed layout that fits the console."""
    return _fitting(console, board, lang)[0]


def board_table(console: Console, plan_name: str, board: Board, lang: str) -> Grid:
    """The battle map for this console: as much detail as its width allows."""
    layout, grid = _fitting(console, board, lang)
    title = f"{plan_name} — {_t('title', lang)} — {_t('as_of', lang)} {board.as_of.isoformat()}"
    grid.title = Text(title, style="table.title")
    grid.caption = _legend(board, layout, lang)
    return grid

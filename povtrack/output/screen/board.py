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
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from povtrack.analysis.board import (
    NO_TARGET,
    Board,
    BoardCell,
    BoardRow,
    board_cell_parts,
    scope_label,
    status_word,
    task_short,
)
from povtrack.analysis.measure import STATUSES
from povtrack.model import Task


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


def _cell(cell: BoardCell, layout: Layout, lang: str) -> Text:
    parts = board_cell_parts(cell, lang)
    if parts.status is None:
        return Text(NO_TARGET, style="muted")
    style = f"status.{parts.status}"
    text = Text(status_word(parts.status, lang, symbol=layout.symbol), style=style)
    if layout.count and parts.count:
        text.append(f" {parts.count}", style=style)
    if layout.detail and parts.figure:
        text.append("\n")
        text.append(parts.figure, style=style)
    if layout.detail and parts.unreported:
        text.append("\n")
        text.append(parts.unreported, style="status.no_data")
    return text


def _head(task: Task, layout: Layout, lang: str) -> Text:
    if not layout.task_names:
        return Text(str(task.number))
    return Text(f"{task.number}\n{task_short(task, lang)}")


def _row_name(row: BoardRow, lang: str, first: bool) -> Text:
    return Text(scope_label(row, lang), style="task" if first else "")


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


def _build(console: Console, board: Board, layout: Layout, lang: str) -> Table:
    plain = not console.is_terminal
    if layout.padded:
        table = Table(
            box=box.ASCII if plain else box.SIMPLE_HEAD,
            show_edge=plain,
            pad_edge=plain,
            show_lines=layout.detail,
        )
    else:
        table = Table(
            box=box.ASCII,
            show_edge=plain,
            padding=(0, 0),
            pad_edge=False,
            show_lines=layout.detail,
        )
    table.title_justify = "left"
    table.caption_justify = "left"
    table.add_column(_t("scope", lang), no_wrap=False, overflow="fold")
    for t in board.tasks:
        table.add_column(_head(t, layout, lang), no_wrap=True)
    for n, row in enumerate(board.rows):
        if not layout.detail and n and (n == 1 or row.scope_kind != board.rows[n - 1].scope_kind):
            table.add_section()  # after the city, and before the groups
        table.add_row(
            _row_name(row, lang, n == 0),
            *(_cell(row.cells[t.number], layout, lang) for t in board.tasks),
        )
    return table


def needed_width(console: Console, table: Table) -> int:
    """The narrowest the table can be drawn without cutting a cell: every cell at its full
    width (cells do not wrap), the names wrapped at their longest word."""
    wide = console.options.update_width(10_000)
    n = len(table.columns)
    _, right, _, left = table.padding
    total = (2 if table.box and table.show_edge else 0) + (n - 1 if table.box else 0)
    for i, column in enumerate(table.columns):
        sizes = [Measurement.get(console, wide, c) for c in (column.header, *column.cells)]
        total += max(m.maximum if column.no_wrap else m.minimum for m in sizes)
        total += left if (i or table.pad_edge) else 0
        total += right if (i < n - 1 or table.pad_edge) else 0
    return total


def choose_layout(console: Console, board: Board, lang: str) -> Layout:
    """The most detailed layout that fits the console."""
    for layout in LAYOUTS:
        if needed_width(console, _build(console, board, layout, lang)) <= console.width:
            return layout
    return LAYOUTS[-1]


def board_table(console: Console, plan_name: str, board: Board, lang: str) -> Table:
    """The battle map for this console: as much detail as its width allows."""
    layout = choose_layout(console, board, lang)
    table = _build(console, board, layout, lang)
    table.title = (
        f"{plan_name} — {_t('title', lang)} — {_t('as_of', lang)} {board.as_of.isoformat()}"
    )
    table.caption = _legend(board, layout, lang)
    return table

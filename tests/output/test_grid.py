"""``output.screen.grid`` draws, character by character and style by style, what
``rich.table.Table`` draws for the same cells: the board used a Rich table until it drew
five thousand cells too slowly, and its look must not change with the drawing.

Random grids (seeded): Chinese and English words, names long enough to wrap or fold, cells
of one to three lines in theme styles (a second style on a line under a styled one, as a
``Text`` appended to gives), every box and padding the board uses, lines between rows or
sections, consoles from the grid's needed width (names wrapped) to 200 columns, with and
without a terminal. (Narrower than that, where a cell must be cut, the two differ: the board
says less instead, ``screen.board``.)
"""

from __future__ import annotations

import io
import random
import re

import pytest
from rich import box
from rich.console import Console, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text

from povtrack.output.screen.grid import Cell, Grid
from povtrack.output.screen.tables import THEME

WORDS = ["overdue", "ok", "2/3", "42/60%", "gap 1,070", "大同市", "阳高县", "正常", "滞后 1/8"]
NAMES = [
    "Datong City",
    "Yanggao County",
    "六个贫困县 (合计)",
    "广灵县",
    "a-very-long-unbroken-name",
]
STYLES = ["", "task", "muted", "status.overdue", "status.behind", "status.done", "status.no_data"]


def _cell(rng: random.Random) -> Cell:
    base = rng.choice(STYLES)
    lines: Cell = []
    for n in range(rng.randint(1, 3)):
        words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2)))
        extra = rng.choice(["", "status.no_data"]) if n else ""
        lines.append((words, "+".join(s for s in (base, extra) if s), base))
    return lines


def _text(cell: Cell) -> Text:
    """The cell as the board made it before: one Text in its base style, lines appended."""
    text = Text(cell[0][0], style=cell[0][2])
    for words, style, _ in cell[1:]:
        text.append("\n")
        text.append(words, style=style.split("+")[-1] if style else "")
    return text


def _grid(seed: int) -> tuple[Grid, Table]:
    rng = random.Random(seed)
    columns = rng.randint(2, 8)
    heads = [
        [(f"{n}", "", "")] + ([("任务", "", "")] if rng.random() < 0.5 else [])
        for n in range(columns)
    ]
    rows = [
        [[(" ".join(rng.sample(NAMES, rng.randint(1, 2))), rng.choice(["", "task"]), "")]]
        + [_cell(rng) for _ in range(columns - 1)]
        for _ in range(rng.randint(1, 9))
    ]
    rows = [[[(t, s, s) for t, s, _ in row[0]], *row[1:]] for row in rows]  # a name's own style
    padded, plain = rng.random() < 0.5, rng.random() < 0.5
    lines = rng.random() < 0.5
    ends = set() if lines else {n for n in range(len(rows) - 1) if rng.random() < 0.3}
    style = dict(
        box=box.ASCII if plain or not padded else box.SIMPLE_HEAD,
        show_edge=plain,
        pad_edge=plain if padded else False,
        show_lines=lines,
    )
    grid = Grid(heads=heads, rows=rows, padding=1 if padded else 0, ends=ends, **style)
    grid.title = Text("大同市 — Battle map — as of 2018-07-01", style="table.title")
    grid.caption = Text("  ").join(Text(w) for w in WORDS)
    table = Table(padding=(0, 1) if padded else (0, 0), title_justify="left", **style)
    table.caption_justify = "left"
    table.title = grid.title.plain
    table.caption = grid.caption
    table.add_column(_text(heads[0]).plain, no_wrap=False, overflow="fold")
    for head in heads[1:]:
        table.add_column(_text(head), no_wrap=True)
    for n, row in enumerate(rows):
        table.add_row(*(_text(cell) for cell in row), end_section=n in ends)
    return grid, table


def _drawn(renderable: RenderableType, width: int, terminal: bool) -> list[tuple[str, Style]]:
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=terminal,
        color_system="truecolor" if terminal else None,
        legacy_windows=False,
        theme=THEME,
    )
    # styles count where they are shown: a console without colour shows none
    return [
        (char, (segment.style or Style()) if terminal else Style())
        for segment in console.render(renderable, console.options)
        for char in segment.text
    ]


@pytest.mark.parametrize("seed", range(40))
def test_the_grid_draws_what_a_rich_table_draws(seed: int) -> None:
    grid, table = _grid(seed)
    terminal = seed % 2 == 0
    fits = grid.needed_width()
    for width in sorted({fits, fits + 7, *(w for w in (120, 200) if w > fits)}):
        assert _drawn(grid, width, terminal) == _drawn(table, width, terminal), width


def test_at_the_needed_width_every_word_is_whole() -> None:
    for seed in range(10):
        grid, _ = _grid(seed)
        fits = grid.needed_width()
        text = "".join(c for c, _ in _drawn(grid, fits, False))
        assert "…" not in text
        shown = set(re.split(r"[\s|]+", text))
        cells = [grid.heads, *grid.rows]
        words = {w for row in cells for cell in row for line, *_ in cell for w in line.split()}
        assert words <= shown, (seed, words - shown)

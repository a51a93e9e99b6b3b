"""A table of short cells drawn line by line: what ``rich.table.Table`` draws for a table whose
cells never wrap but for the first column's (names, which fold), with the same box, padding,
widths and annotations, but measured from the cells' text instead of by rendering every cell
(the board of a city of 450 townships has over five thousand cells: Rich's table took most of
the time of ``povtrack board``).

A cell is a list of lines; a line is its text, its style and the style of the spaces that
fill it to the column's width (a ``Text``'s own style, which Rich pads a line with). Styles
are theme names joined by "+" (a line under a styled one in the same ``Text`` has both), or
"". The padding between columns is styled only in the heads (bold, as Rich does). Widths
follow Rich's rule: each column as wide as its widest line; when that is wider than the
console, the first column gives up the difference (its names then wrap between words, a
word longer than the column folds), and only if that is not enough every column shrinks.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from rich._ratio import ratio_reduce
from rich.box import Box
from rich.cells import cell_len, set_cell_size
from rich.console import Console, ConsoleOptions
from rich.segment import Segment
from rich.style import Style
from rich.text import Text

Line = tuple[str, str, str]  # a line of a cell: its text, its style, its filling's style
Cell = list[Line]


@dataclass
class Grid:
    heads: list[Cell]
    rows: list[list[Cell]]
    box: Box
    show_edge: bool = True
    padding: int = 1  # spaces either side of a cell
    pad_edge: bool = True
    show_lines: bool = False
    ends: set[int] = field(default_factory=set)  # rows after which a line is drawn
    title: Text | None = None
    caption: Text | None = None
    # each column's widest line and the first column's longest word, once measured (grids
    # of the same cells in another box share it)
    measured: tuple[list[int], int] | None = None

    # -- widths -------------------------------------------------------------------------

    def _pads(self, i: int) -> int:
        n = len(self.heads)
        left = self.padding if (i or self.pad_edge) else 0
        right = self.padding if (i < n - 1 or self.pad_edge) else 0
        return left + right

    def _extra(self) -> int:
        """Edges and dividers."""
        return (2 if self.show_edge else 0) + len(self.heads) - 1

    def _columns(self) -> Iterator[list[Cell]]:
        for i, head in enumerate(self.heads):
            yield [head, *(row[i] for row in self.rows)]

    def _measure(self) -> tuple[list[int], int]:
        if self.measured is None:
            widest = [
                max((cell_len(text) for cell in cells for text, *_ in cell), default=0)
                for cells in self._columns()
            ]
            first = [w for cell in next(self._columns()) for text, *_ in cell for w in text.split()]
            self.measured = widest, max(map(cell_len, first), default=widest[0] if widest else 0)
        return self.measured

    def _widest(self) -> list[int]:
        return self._measure()[0]

    def needed_width(self) -> int:
        """The narrowest the grid draws without cutting a cell: every cell at its full width,
        the first column's at its longest word."""
        widest, first = self._measure()
        total = first + sum(widest[1:]) + self._extra()
        return total + sum(self._pads(i) for i in range(len(self.heads)))

    def widths(self, max_width: int) -> list[int]:
        """Each column's width, its padding included, for a console ``max_width`` wide."""
        widths = [(w + self._pads(i)) or 1 for i, w in enumerate(self._widest())]
        room = max_width - self._extra()
        excess = sum(widths) - room
        if excess > 0 and widths:
            widths[0] = max(widths[0] - excess, 1 + self._pads(0))  # names wrap
            excess = sum(widths) - room
        if excess > 0:
            widths = ratio_reduce(excess, [1] * len(widths), widths, widths)
        return widths

    # -- drawing ------------------------------------------------------------------------

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        widths = self.widths(options.max_width)
        table_width = sum(widths) + self._extra()
        annotations = options.update(width=table_width, justify="left", highlight=False)
        if self.title is not None:
            yield from console.render(self.title, annotations)
        yield from self._draw(console, options, widths)
        if self.caption is not None:
            yield from console.render(self.caption, annotations)

    def _draw(
        self, console: Console, options: ConsoleOptions, widths: list[int]
    ) -> Iterator[Segment]:
        box = self.box.substitute(options, safe=console.safe_box)
        styles: dict[str, Style] = {}

        def style(name: str) -> Style:
            if name not in styles:
                parts = [console.get_style(n, default=Style.null()) for n in name.split("+") if n]
                styles[name] = Style.combine(parts) if parts else Style.null()
            return styles[name]

        edge, line, head = self.show_edge, Segment.line(), style("table.header")
        plain = console.color_system is None
        if edge:
            yield Segment(box.get_top(widths))
            yield line
        rows = [self.heads, *self.rows]
        last_row = len(rows) - 1
        for index, row in enumerate(rows):
            kind = "head" if index == 0 else ("foot" if index == last_row else "mid")
            left, right, divider = (
                getattr(box, f"{kind}_{p}") for p in ("left", "right", "vertical")
            )
            cells = [
                self._lines(console, i, cell, w)
                for i, (cell, w) in enumerate(zip(row, widths, strict=True))
            ]
            height = max(map(len, cells))
            header = index == 0
            for line_no in range(height):
                pieces: list[tuple[str, Style | None]] = [(left, None)] if edge else []
                add = pieces.append
                for i, (cell, width) in enumerate(zip(cells, widths, strict=True)):
                    if i:
                        add((divider, None))
                    at = line_no - (height - len(cell)) if header else line_no  # heads: bottom
                    text, name, filler = cell[at] if 0 <= at < len(cell) else ("", "", "")
                    pad_left = self.padding if (i or self.pad_edge) else 0
                    body = width - self._pads(i)
                    if cell_len(text) > body:
                        text = set_cell_size(text, body - 1) + "…" if body > 1 else "…"[:body]
                    fill = " " * (body - cell_len(text))
                    if header:  # Rich styles a head whole, its padding too
                        name, filler = f"table.header+{name}", f"table.header+{filler}"
                    pad = head if header else None
                    if pad_left:
                        add((" " * pad_left, pad))
                    if name == filler:
                        add((text + fill, style(name)))
                    else:
                        add((text, style(name)))
                        add((fill, style(filler)))
                    pad_right = width - body - pad_left
                    if pad_right:
                        add((" " * pad_right, pad))
                if edge:
                    add((right, None))
                if plain:  # no style is shown: the line as one segment
                    yield Segment("".join(text for text, _ in pieces))
                else:
                    yield from (Segment(text, st) for text, st in pieces)
                yield line
            if header:
                yield Segment(box.get_row(widths, "head", edge=edge))
                yield line
            elif index != last_row and (self.show_lines or index - 1 in self.ends):
                yield Segment(box.get_row(widths, "row", edge=edge))
                yield line
        if edge:
            yield Segment(box.get_bottom(widths))
            yield line

    def _lines(self, console: Console, i: int, cell: Cell, width: int) -> Cell:
        """The cell's lines at this column width: the first column's names wrapped."""
        body = width - self._pads(i)
        if i or all(cell_len(text) <= body for text, *_ in cell):
            return cell
        out: Cell = []
        for text, name, filler in cell:
            wrapped = Text(text).wrap(console, body, overflow="fold")
            out += [(piece.plain.rstrip(), name, filler) for piece in wrapped]
        return out


def lines_of(texts: Iterable[str], style: str = "") -> Cell:
    """A cell of these lines, each in ``style`` and filled with it (a ``Text`` in it)."""
    return [(text, style, style) for text in texts]

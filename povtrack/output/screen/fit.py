"""Line breaking for the screen: text wrapped to a width in terminal cells, breaking between
words and between Chinese characters, never inside a number, a date or a Latin word.

Rich wraps only at spaces and folds anything longer (so "共16周" in a narrow Chinese column
became "共1" and "6周"). ``wrap`` breaks where a reader would: at spaces, and on either side of
a CJK character — except before closing punctuation (，。）…) and after opening punctuation
(（“…), which stay with their neighbour. A run of non-CJK, non-space characters ("2018-06-24",
"0–878", "#2233", "people") is one piece; only a piece wider than the whole width is folded.

``grid`` lays out rows of cells in fixed widths (each cell wrapped by ``wrap``), for the views
that choose their own column widths (the narrow status view): every line it returns is at most
the sum of the widths and the gaps, in cells.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from rich.cells import cell_len, chop_cells
from rich.text import Text

CLOSING = set("，。、；：！？）》」』】〕”’,.;:!?)]}%…·")  # never at the start of a line
OPENING = set("（《「『【〔“‘([{")  # never at the end of a line


def _cjk(ch: str) -> bool:
    """A character a line may break before or after: wide (CJK ideographs, kana, hangul,
    fullwidth forms)."""
    return unicodedata.east_asian_width(ch) in ("W", "F")


def pieces(text: str) -> list[tuple[int, int]]:
    """The unbreakable pieces of ``text`` as (start, end) offsets, spaces left out."""
    spans: list[list[int]] = []
    i, n = 0, len(text)
    glue = False  # the next piece joins the previous one (after opening punctuation)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            glue = False
            continue
        if _cjk(ch) or ch in OPENING or ch in CLOSING:
            j = i + 1
        else:
            j = i
            while j < n and not text[j].isspace() and not _cjk(text[j]):
                if j > i and (text[j] in OPENING):
                    break
                j += 1
            j = max(j, i + 1)
        joins_before = spans and (glue or (text[i] in CLOSING and spans[-1][1] == i))
        if joins_before:
            spans[-1][1] = j
        else:
            spans.append([i, j])
        glue = ch in OPENING
        i = j
    return [(a, b) for a, b in spans]


def wrap(text: Text | str, width: int, indent: int = 0) -> list[Text]:
    """``text`` in lines of at most ``width`` cells; lines after the first start with
    ``indent`` spaces (a hanging indent, so that they read as the same entry). Breaks at
    spaces and around CJK characters only; a piece wider than a line is folded. Leading and
    repeated spaces are not kept."""
    t = Text(text) if isinstance(text, str) else text
    width = max(1, width)
    indent = max(0, min(indent, width - 2))
    lines: list[Text] = []
    for part in t.split("\n", allow_blank=True):
        plain = part.plain
        line, used, room = Text(), 0, width
        prev_end: int | None = None
        for start, end in pieces(plain):
            piece = part[start:end]
            size = cell_len(piece.plain)
            space = 1 if prev_end is not None and start > prev_end else 0
            if prev_end is not None and used + space + size <= room:
                if space:
                    line.append(" ")
                line.append(piece)
                used += space + size
            else:
                if prev_end is not None:  # break here
                    lines.append(line)
                    line, room = Text(" " * indent), width - indent
                while size > room:  # wider than any line: fold it, the only cut allowed
                    head = chop_cells(piece.plain, room)[0] or piece.plain[0]
                    line.append(piece[: len(head)])
                    lines.append(line)
                    line, room = Text(" " * indent), width - indent
                    piece = piece[len(head) :]
                    size = cell_len(piece.plain)
                line.append(piece)
                used = size
            prev_end = end
        lines.append(line)
    return lines


def pad(line: Text, width: int, right: bool = False) -> Text:
    """``line`` padded with spaces to ``width`` cells (on the left when ``right``)."""
    out = line.copy()
    fill = width - cell_len(out.plain)
    if fill > 0:
        if right:
            out = Text(" " * fill) + out
        else:
            out.append(" " * fill)
    return out


def needed(texts: Sequence[Text | str], lines: int, indent: int = 0, least: int = 1) -> int:
    """The narrowest width (at least ``least``) at which every text wraps into at most
    ``lines`` lines (the widest text's width if none narrower does)."""
    plains = [t if isinstance(t, str) else t.plain for t in texts]
    widest = max((cell_len(p) for p in plains), default=0)
    # no narrower width can do: the text spread evenly, and the widest unbreakable piece
    piece = max((cell_len(p[a:b]) for p in plains for a, b in pieces(p)), default=0)
    start = max(least, piece, -(-widest // lines))
    parts = [
        (part, [(cell_len(part[a:b]), a, b) for a, b in pieces(part)])
        for p in plains
        for part in p.split("\n")
    ]
    for w in range(start, widest + 1):
        if all(_count(part, cut, w, indent) <= lines for part, cut in parts):
            return w
    return max(widest, least)


def _count(text: str, cut: list[tuple[int, int, int]], width: int, indent: int) -> int:
    """How many lines ``wrap`` makes of ``text`` (one line, its pieces given as (cells, start,
    end)): the same rule without building the lines, as ``needed`` asks it for many widths. A
    piece that must be folded is left to ``wrap`` itself."""
    width = max(1, width)
    indent = max(0, min(indent, width - 2))
    count, used, room = 1, 0, width
    prev_end: int | None = None
    for size, start, end in cut:
        space = 1 if prev_end is not None and start > prev_end else 0
        if prev_end is not None and used + space + size <= room:
            used += space + size
        else:
            if prev_end is not None:
                count += 1
                room = width - indent
            if size > room:  # folded: rare, and wrap knows how wide characters fold
                return len(wrap(text, width, indent))
            used = size
        prev_end = end
    return count


def fitted(text: Text | str, width: int, indent: int = 0) -> list[Text]:
    """``text`` as it is when it fits on one line (its spaces kept), else ``wrap``-ped."""
    t = Text(text) if isinstance(text, str) else text
    if "\n" not in t.plain and cell_len(t.plain) <= width:
        return [t]
    return wrap(t, width, indent)


def grid(
    rows: Sequence[Sequence[Text | str]],
    widths: Sequence[int],
    right: Sequence[bool],
    gap: int = 2,
    indent: int = 0,
) -> list[Text]:
    """Rows of cells laid out in the given widths, ``gap`` spaces between columns and
    ``indent`` before the first; cells wrap (``wrap``) and a row is as tall as its tallest
    cell. Trailing spaces are trimmed."""
    out: list[Text] = []
    for row in rows:
        cells = [fitted(c, w, 0 if r else 1) for c, w, r in zip(row, widths, right, strict=True)]
        height = max(len(c) for c in cells)
        for k in range(height):
            line = Text(" " * indent)
            for i, (c, w, r) in enumerate(zip(cells, widths, right, strict=True)):
                if i:
                    line.append(" " * gap)
                line.append(pad(c[k] if k < len(c) else Text(), w, right=r))
            line.rstrip()
            out.append(line)
    return out


def share(
    room: int, natural: Sequence[int], least: Sequence[int], last: int | None = None
) -> list[int] | None:
    """Column widths that add up to at most ``room``: each column its natural width, the
    widest narrowed first, none below its least, column ``last`` (the one that reads best
    wide) only once the others are at their least; None when even the least do not fit."""
    widths = [max(n, m) for n, m in zip(natural, least, strict=True)]
    over = sum(widths) - room
    while over > 0:
        slack = [(w, i) for i, (w, m) in enumerate(zip(widths, least, strict=True)) if w > m]
        if not slack:
            return None
        first = [x for x in slack if x[1] != last]
        _, i = max(first or slack)
        widths[i] -= 1
        over -= 1
    return widths

"""The weekly report as Markdown: every sheet as a table (``output.files``), and under each task
a text chart of progress against the expected pace.

The chart is drawn for a monospaced view in either language: labels padded by display width
(``notation.display_width``: a Chinese character takes two cells; a label wider than
``LABEL_WIDTH`` goes on over an indented second line), and every glyph of the
drawing ASCII — the few ambiguous-width signs the labels carry (``·``, curly quotes, dashes),
which a Chinese terminal draws two cells wide, are written in ASCII too. A bar has
``BAR_CELLS`` cells of 2.5 % each, so that 44 % and 51 % look different; the expected pace is
a ``|`` between two cells, not over one.
"""

from __future__ import annotations

import math

from povtrack.output.files import sheet_bytes
from povtrack.output.notation import display_width, percent_text
from povtrack.output.report import CHART_NOTE, TITLE, Chart, Report
from povtrack.output.wrap import wrap_label

BAR_CELLS = 40
DONE, TO_GO, PACE = "#", ".", "|"
NOT_REPORTED = "--"
LABEL_WIDTH = 48  # display columns at most; a longer label goes on over a second line
# Ambiguous-width signs a label may hold, as ASCII (the rest of a label is Chinese or ASCII).
_ASCII = str.maketrans(
    {"·": "/", "“": '"', "”": '"', "‘": "'", "’": "'", "—": "-", "–": "-", "…": "..."}
)
_KEY = (
    f"{DONE} 已完成  {PACE} 按期应完成  {TO_GO} 未完成（每格 2.5%，{NOT_REPORTED} 未报送）",
    f"{DONE} done  {PACE} expected by now  {TO_GO} to go (a cell is 2.5%; "
    f"{NOT_REPORTED} nothing reported)",
)


def markdown(report: Report, lang: str, pick: int) -> str:
    parts = [f"# {TITLE[pick]} — {report.as_of.isoformat()}", ""]
    for sheet in report.sheets:
        parts.append(sheet_bytes([sheet], "md", lang=lang).decode("utf-8"))
        chart = report.charts.get(sheet.key)
        if chart is not None:
            parts += ["```text", *_text_chart(chart, pick), "```", ""]
    return "\n".join(parts)


def bar(progress: float | None, expected: float | None) -> str:
    """``BAR_CELLS`` cells, ``#`` done and ``.`` to go, with ``|`` inserted at the pace."""
    filled = 0 if progress is None else min(BAR_CELLS, math.floor(progress * BAR_CELLS + 0.5))
    cells = DONE * filled + TO_GO * (BAR_CELLS - filled)
    if expected is None:
        return cells
    at = max(0, min(BAR_CELLS, math.floor(expected * BAR_CELLS + 0.5)))
    return cells[:at] + PACE + cells[at:]


def _text_chart(chart: Chart, pick: int) -> list[str]:
    lines = [CHART_NOTE[pick], _KEY[pick]]
    labels = [
        wrap_label(b.label.translate(_ASCII), LABEL_WIDTH, more="...") or [""] for b in chart.bars
    ]
    width = max((display_width(part) for label in labels for part in label), default=0)
    for b, label in zip(chart.bars, labels, strict=True):
        first, *rest = label
        pad = " " * (width - display_width(first))
        shown = NOT_REPORTED if b.progress is None else percent_text(b.progress)
        # a bar without a pace mark keeps the column of the figures
        drawn = bar(b.progress, b.expected)
        drawn += " " * (BAR_CELLS + 1 - len(drawn))
        lines.append(f"{first}{pad}  {drawn} {shown}")
        lines += [f"  {part}" for part in rest]
    return lines

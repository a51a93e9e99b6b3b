"""HTML for sheets: one self-contained file (inline CSS, no network) that reads on screen and
prints on A4 landscape. The rules shared with the other formats are in ``output.notation``;
``html_section`` and ``html_page`` let the report put charts between the tables.

Invariants of the page:
- no word or number is ever broken mid-way: Latin text wraps only at spaces (``word-break`` and
  ``overflow-wrap`` normal; never ``anywhere`` or ``break-all``), Chinese between characters;
  figures, dates, statuses and id-like columns (every value one token of printable ASCII) do
  not wrap at all, and a wrapping text column keeps a minimum width from its widest value (up to
  ``_MIN_UNITS`` display columns), so a county name is never stacked one character per line;
- figures are rounded to their unit (``notation.value_text`` with ``Sheet.units``);
- printed: A4 landscape, each section after the first on a new page, the table header repeated
  on every page, no row split; a ``Sheet.one_page`` section is set compact, full width and
  unbroken so that it prints on one page; ``Sheet.legend`` lines follow the table;
- a ``Column.status_from`` cell is coloured like a status cell, by the code in that row field.
"""

from __future__ import annotations

import html
import re
from typing import Any

from povtrack.output.notation import (
    NUMBER_KINDS,
    STATUS_COLOURS,
    display_width,
    heading,
    is_number,
    no_rows,
    total_row,
    value_text,
)
from povtrack.sheet import Column, Sheet

_FONTS = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", "SimHei", "SimSun", '
    'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif'
)

# A wrapping text column is at least this many display columns wide (or its widest value, if
# narrower): about seven Chinese characters or fourteen Latin letters a line.
_MIN_UNITS = 14
_ID_LIKE = re.compile(r"[!-~]+")  # one token of printable ASCII: an id, a code, "42/60%"

_CSS = f"""\
@page {{ size: A4 landscape; margin: 12mm }}
* {{ -webkit-print-color-adjust: exact; print-color-adjust: exact }}
body {{ font-family: {_FONTS}; font-size: 10pt; color: #000; background: #fff; margin: 12px;
  word-break: normal; overflow-wrap: normal; line-break: strict }}
h1 {{ font-size: 15pt; margin: 0 0 8px }}
h2 {{ font-size: 13pt; margin: 18px 0 4px }}
section:first-child h2 {{ margin-top: 0 }}
ul.notes, ul.legend {{ list-style: none; margin: 0 0 6px; padding: 0; color: #333;
  font-size: 9pt }}
ul.legend {{ margin: 4px 0 8px }}
table {{ border-collapse: collapse; margin: 0 0 8px; font-size: 9pt }}
th, td {{ border: 1px solid #999; padding: 2px 5px; vertical-align: top;
  white-space: pre-line; word-break: normal; overflow-wrap: normal; hyphens: none }}
thead th {{ background: #eee; font-weight: bold; text-align: center }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap }}
td.date, td.id, span.nw {{ white-space: nowrap }}
td.status {{ text-align: center; white-space: nowrap }}
td.mark {{ text-align: center }}
tr.total td {{ font-weight: bold; border-top: 2px solid #333 }}
thead {{ display: table-header-group }}
tfoot {{ display: table-row-group }}
tr {{ page-break-inside: avoid; break-inside: avoid }}
p.empty {{ color: #666; font-style: italic; margin: 0 0 8px }}
section.one-page table {{ width: 100%; table-layout: fixed }}
section.one-page td {{ vertical-align: middle }}
@media print {{
  body {{ margin: 0; font-size: 9pt }}
  h1 {{ font-size: 14pt }}
  h2 {{ font-size: 12pt; margin: 0 0 3px; break-after: avoid; page-break-after: avoid }}
  section.sheet + section.sheet {{ break-before: page; page-break-before: always }}
  ul.notes, ul.legend {{ font-size: 8.5pt }}
  table {{ font-size: 8.5pt }}
  th, td {{ padding: 1px 3px }}
  section.one-page {{ break-inside: avoid; page-break-inside: avoid }}
  section.one-page table {{ line-height: 1.15 }}
  section.one-page th, section.one-page td {{ padding: 1px 2px }}
}}
"""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _status_attrs(code: Any, base: str) -> str:
    """class and fill of a cell that stands for the status ``code`` (None: not coloured)."""
    if code is None or code == "":
        return f' class="{base}"'
    code = str(code)
    colour = STATUS_COLOURS.get(code)
    style = f' style="background-color: #{colour}"' if colour else ""
    cls = re.sub(r"[^A-Za-z0-9_-]", "_", code)
    return f' class="{base} status-{cls}"{style}'


# A date, a range or a ratio inside text ("100% by 2018-11-25", "0–878", "42/60%"): browsers may
# break a line after a hyphen, dash or slash, so such a run is kept whole in a nowrap span.
_JOINED = re.compile(r"[0-9A-Za-z][0-9A-Za-z.,%]*(?:[-/\u2013][0-9A-Za-z.,%]+)+")


def _keep_whole(text: str) -> str:
    """Escaped cell text with each joined run (``_JOINED``) in a ``span.nw``."""
    return _JOINED.sub(lambda m: f'<span class="nw">{m.group(0)}</span>', text)


def _html_cell(
    column: Column, value: Any, lang: str, unit: str, row: dict[str, Any], id_like: bool
) -> str:
    text = esc(value_text(column, value, lang, unit))
    kind = column.kind
    if kind == "status" and value is not None:
        return f"<td{_status_attrs(value, 'status')}>{text}</td>"
    if column.status_from:
        attrs = _status_attrs(row.get(column.status_from), "mark")
        return f"<td{attrs}>{_keep_whole(text)}</td>"
    if kind in NUMBER_KINDS and is_number(value):
        return f'<td class="num">{text}</td>'
    if kind == "date":
        return f'<td class="date">{text}</td>'
    if id_like:
        return f'<td class="id">{text}</td>'
    return f"<td>{_keep_whole(text)}</td>"


def _texts(sheet: Sheet, column: Column, lang: str) -> list[str]:
    rows = [*sheet.rows, *([sheet.total] if sheet.total else [])]
    return [value_text(column, r.get(column.key), lang) for r in rows]


def _id_like(texts: list[str]) -> bool:
    present = [t for t in texts if t]
    return bool(present) and all(_ID_LIKE.fullmatch(t) for t in present)


def _th(column: Column, texts: list[str], lang: str, id_like: bool) -> str:
    """A heading cell; a wrapping text column gets its minimum width (module docstring)."""
    style = ""
    if column.kind == "text" and not id_like:
        widest = max((display_width(t) for t in texts), default=0)
        units = min(widest, _MIN_UNITS)
        if units > 0:
            style = f' style="min-width: {units / 2:g}em"'
    return f'<th scope="col"{style}>{esc(heading(column, lang))}</th>'


# A4 landscape less the 12 mm margins, in points
_PAGE_W, _PAGE_H = 841.89 - 68.0, 595.28 - 68.0
_SIZES = (11.0, 10.5, 10.0, 9.5, 9.0, 8.5, 8.0)  # pt, the largest that fits wins
_EM_PER_UNIT = 0.55  # a display column in ems: a Chinese character is 0.5, Latin letters less
_ONE_PAGE_CAP = 16  # display columns: a column wider than this wraps rather than widens


def _one_page_layout(sheet: Sheet, texts: list[list[str]], lang: str) -> tuple[float, list[float]]:
    """A one-page sheet's font size (pt) and column widths (% of the page width): each column
    as wide as its rows' widest line or its heading up to ``_ONE_PAGE_CAP`` display columns,
    never narrower than its longest word (the total row's included); the size the largest of
    ``_SIZES`` at which the rows, wrapped to those widths, fit the page under the heading,
    notes and legend (an estimate; the print test measures the real page)."""
    heads = [heading(c, lang) for c in sheet.columns]
    weights = []
    for head, column in zip(heads, texts, strict=True):
        lines = [ln for t in column for ln in t.splitlines()]
        # the rows set the width; the heading and the total row wrap to it
        body = [ln for t in column[: len(sheet.rows)] for ln in t.splitlines()]
        widest = max((display_width(ln) for ln in body), default=1)
        word = max((display_width(w) for t in [head, *lines] for w in t.split()), default=1)
        head_w = min(display_width(head), _ONE_PAGE_CAP)  # a short heading on one line
        weights.append(max(min(widest, _ONE_PAGE_CAP), head_w, word, 2) + 2)  # + padding
    shares = [w / sum(weights) for w in weights]
    rows = [heads, *([t[i] for t in texts] for i in range(len(texts[0]) if texts else 0))]
    # the lines above and below the table, at 8.5pt: notes, and the legend wrapped to the page
    per_line = _PAGE_W / (8.5 * _EM_PER_UNIT)
    around = len(sheet.notes) + sum(-int(-display_width(t) // per_line) for t in sheet.legend)
    for size in _SIZES:
        height = 30.0 + around * 8.5 * 1.3  # the heading, the margins, then those lines
        for cells in rows:
            tallest = 1  # lines of the row's tallest cell
            for text, share in zip(cells, shares, strict=True):
                room = share * _PAGE_W - 6  # padding and borders
                for ln in text.splitlines() or [""]:
                    need = display_width(ln) * size * _EM_PER_UNIT
                    tallest = max(tallest, -int(-need // room)) if room > 0 else tallest
            height += tallest * size * 1.15 + 3  # line height, padding and border
        if height <= _PAGE_H:
            return size, [100 * x for x in shares]
    return _SIZES[-1], [100 * x for x in shares]


def html_section(sheet: Sheet, lang: str, extra: str = "") -> str:
    """One sheet: its heading, notes, table and legend; ``extra`` (e.g. a chart) after them."""
    texts = [_texts(sheet, c, lang) for c in sheet.columns]
    ids = [
        c.kind == "text" and not c.status_from and _id_like(t)
        for c, t in zip(sheet.columns, texts, strict=True)
    ]
    cls = "sheet one-page" if sheet.one_page else "sheet"
    out = [
        f'<section class="{cls}" id="{esc(sheet.key)}">',
        f"<h2>{esc(sheet.heading(lang))}</h2>",
    ]
    if sheet.notes:
        out.append('<ul class="notes">')
        out += [f"<li>{esc(note)}</li>" for note in sheet.notes]
        out.append("</ul>")
    if sheet.one_page:
        size, widths = _one_page_layout(sheet, texts, lang)
        out.append(f'<table style="font-size: {size:g}pt">')
        out.append("<colgroup>")
        out += [f'<col style="width: {w:.1f}%">' for w in widths]
        out.append("</colgroup>")
    else:
        out.append("<table>")
    out.append("<thead>")
    out.append(
        "<tr>"
        + "".join(_th(c, t, lang, i) for c, t, i in zip(sheet.columns, texts, ids, strict=True))
        + "</tr>"
    )
    out.append("</thead>")
    out.append("<tbody>")
    for row in sheet.rows:
        cells = zip(sheet.columns, sheet.values(row), sheet.units(row), ids, strict=True)
        out.append(
            "<tr>" + "".join(_html_cell(c, v, lang, u, row, i) for c, v, u, i in cells) + "</tr>"
        )
    out.append("</tbody>")
    total = total_row(sheet, lang)
    if total is not None and sheet.total is not None:
        units = sheet.units(sheet.total)
        cells = zip(sheet.columns, total, units, ids, strict=True)
        out.append("<tfoot>")
        out.append(
            '<tr class="total">'
            + "".join(_html_cell(c, v, lang, u, sheet.total, i) for c, v, u, i in cells)
            + "</tr>"
        )
        out.append("</tfoot>")
    out.append("</table>")
    if not sheet.rows:
        out.append(f'<p class="empty">{esc(no_rows(lang))}</p>')
    if sheet.legend:
        out.append('<ul class="legend">')
        out += [f"<li>{esc(line)}</li>" for line in sheet.legend]
        out.append("</ul>")
    if extra:
        out.append(extra)
    out.append("</section>")
    return "\n".join(out)


def html_page(title: str, lang: str, body: list[str], css: str = "") -> str:
    """A whole HTML document around ``body`` (already escaped HTML)."""
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(title)}</title>",
        f"<style>\n{_CSS}{css}</style>",
        "</head>",
        "<body>",
        *body,
        "</body>",
        "</html>",
        "",
    ]
    return "\n".join(out)


def html_document(sheets: list[Sheet], lang: str) -> str:
    title = " · ".join(s.heading(lang) for s in sheets)
    return html_page(title, lang, [html_section(s, lang) for s in sheets])

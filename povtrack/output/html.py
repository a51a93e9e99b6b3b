"""HTML for sheets: one self-contained file (inline CSS, no network), A4 landscape, status
cells coloured. The rules shared with the other formats are in ``output.notation``; ``html_section``
and ``html_page`` let the report put charts between the tables."""

from __future__ import annotations

import html
import re
from typing import Any

from povtrack.output.notation import (
    NUMBER_KINDS,
    STATUS_COLOURS,
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

_CSS = f"""\
@page {{ size: A4 landscape; margin: 12mm }}
* {{ -webkit-print-color-adjust: exact; print-color-adjust: exact }}
body {{ font-family: {_FONTS}; font-size: 10pt; color: #000; background: #fff; margin: 12px }}
h2 {{ font-size: 13pt; margin: 18px 0 4px }}
section:first-child h2 {{ margin-top: 0 }}
ul.notes {{ list-style: none; margin: 0 0 6px; padding: 0; color: #444; font-size: 9pt }}
table {{ border-collapse: collapse; margin: 0 0 8px; font-size: 9pt }}
th, td {{ border: 1px solid #999; padding: 2px 6px; vertical-align: top;
  white-space: pre-line; overflow-wrap: anywhere }}
thead th {{ background: #eee; font-weight: bold; text-align: center }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap }}
td.date {{ white-space: nowrap }}
td.status {{ text-align: center; white-space: nowrap }}
tr.total td {{ font-weight: bold; border-top: 2px solid #333 }}
thead {{ display: table-header-group }}
tr {{ page-break-inside: avoid; break-inside: avoid }}
p.empty {{ color: #666; font-style: italic; margin: 0 0 8px }}
"""


def esc(text: str) -> str:
    return html.escape(text, quote=True)


def _html_cell(column: Column, value: Any, lang: str) -> str:
    text = esc(value_text(column, value, lang))
    kind = column.kind
    if kind == "status" and value is not None:
        code = str(value)
        colour = STATUS_COLOURS.get(code)
        style = f' style="background-color: #{colour}"' if colour else ""
        cls = re.sub(r"[^A-Za-z0-9_-]", "_", code)
        return f'<td class="status status-{cls}"{style}>{text}</td>'
    if kind in NUMBER_KINDS and is_number(value):
        return f'<td class="num">{text}</td>'
    if kind == "date":
        return f'<td class="date">{text}</td>'
    return f"<td>{text}</td>"


def html_section(sheet: Sheet, lang: str, extra: str = "") -> str:
    """One sheet: its heading, notes and table; ``extra`` (e.g. a chart) after the table."""
    out = [f'<section class="sheet" id="{esc(sheet.key)}">', f"<h2>{esc(sheet.heading(lang))}</h2>"]
    if sheet.notes:
        out.append('<ul class="notes">')
        out += [f"<li>{esc(note)}</li>" for note in sheet.notes]
        out.append("</ul>")
    out.append("<table>")
    out.append("<thead>")
    out.append(
        "<tr>"
        + "".join(f'<th scope="col">{esc(heading(c, lang))}</th>' for c in sheet.columns)
        + "</tr>"
    )
    out.append("</thead>")
    out.append("<tbody>")
    for row in sheet.rows:
        cells = zip(sheet.columns, sheet.values(row), strict=True)
        out.append("<tr>" + "".join(_html_cell(c, v, lang) for c, v in cells) + "</tr>")
    out.append("</tbody>")
    total = total_row(sheet, lang)
    if total is not None:
        cells = zip(sheet.columns, total, strict=True)
        out.append("<tfoot>")
        out.append(
            '<tr class="total">' + "".join(_html_cell(c, v, lang) for c, v in cells) + "</tr>"
        )
        out.append("</tfoot>")
    out.append("</table>")
    if not sheet.rows:
        out.append(f'<p class="empty">{esc(no_rows(lang))}</p>')
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

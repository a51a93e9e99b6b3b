"""A list of ``Sheet``s as a file's bytes: CSV, Markdown, HTML or XLSX (``sheet_bytes``); one
computation, several views. CSV and Markdown are written here, HTML by ``output.html`` and
XLSX by ``output.xlsx``, all with the notation of ``output.notation``. ``cli.output`` writes the
bytes; JSON and the screen tables are made elsewhere. For users: docs/commands.md, "Exports".
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.output.notation import (
    NUMBER_KINDS,
    display_width,
    finite,
    heading,
    is_number,
    iso_date,
    neutralise,
    no_rows,
    plain_number,
    status_label,
    total_row,
    value_text,
)
from povtrack.sheet import Column, Sheet

FORMATS = ("csv", "md", "html", "xlsx")

_MD_PUNCT = re.compile(r"([\\`*_\[\]<>|~&])")
_MD_LIST_START = re.compile(r"^(\s*)([-+]|#{1,6}|\d{1,9}[.)])(?=\s|$)")


def sheet_bytes(sheets: list[Sheet], fmt: str, *, lang: str) -> bytes:
    """The sheets as a file in ``fmt`` (csv, md, html or xlsx), as bytes."""
    if fmt not in FORMATS:
        formats = ", ".join(FORMATS)
        raise UsageError(
            tr(f"格式“{fmt}”不是 {formats} 之一", f"format '{fmt}' is not one of {formats}")
        )
    if not sheets:
        raise UsageError(tr("没有可写的内容：没有表格", "nothing to write: no table"))
    if fmt == "csv":
        if len(sheets) != 1:
            raise UsageError(
                tr(
                    "csv 只能容纳一张表；多张表请用 xlsx 或 html",
                    "csv holds one table; use xlsx or html for several",
                )
            )
        return _csv(sheets[0], lang)
    if fmt == "md":
        return _markdown(sheets, lang).encode("utf-8", errors="replace")
    if fmt == "html":
        from povtrack.output.html import html_document

        return html_document(sheets, lang).encode("utf-8", errors="replace")
    from povtrack.output.xlsx import save, workbook

    return save(workbook(sheets, lang))


# ---------------------------------------------------------------------------------------------
# Values


def _csv_text(column: Column, value: Any, lang: str) -> str:
    """The cell for CSV: plain numbers, shares as fractions, text neutralised."""
    if value is None:
        return ""
    kind = column.kind
    if kind in NUMBER_KINDS and is_number(value):
        return plain_number(value) if finite(value) else ""
    if kind == "date":
        iso = iso_date(value)
        if iso is not None:
            return iso
    if kind == "status":
        return neutralise(status_label(str(value), lang))
    return neutralise(str(value))


# ---------------------------------------------------------------------------------------------
# CSV


def _csv(sheet: Sheet, lang: str) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow([neutralise(heading(c, lang)) for c in sheet.columns])
    for row in sheet.rows:
        writer.writerow(
            [_csv_text(c, v, lang) for c, v in zip(sheet.columns, sheet.values(row), strict=True)]
        )
    return out.getvalue().encode("utf-8-sig", errors="replace")


# ---------------------------------------------------------------------------------------------
# Markdown


def _md_escape(text: str) -> str:
    """Markdown text for a table cell, heading or list item: punctuation backslash-escaped
    (``|`` as ``\\|``), line breaks as ``<br>``, a leading list or heading marker escaped."""
    text = _MD_PUNCT.sub(r"\\\1", text)
    text = _MD_LIST_START.sub(lambda m: m.group(1) + m.group(2)[:-1] + "\\" + m.group(2)[-1], text)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "<br>".join(lines)


def _md_cell(text: str) -> str:
    """An escaped cell whose own leading and trailing spaces survive the padding: Markdown
    trims a cell, so they are written as ``&#32;`` (a literal ``&`` is always ``\\&``)."""
    body = text.strip(" ")
    if not body:
        return "&#32;" * len(text)
    lead = len(text) - len(text.lstrip(" "))
    trail = len(text) - len(text.rstrip(" "))
    return "&#32;" * lead + body + "&#32;" * trail


def _md_table(headings: list[str], rows: list[list[str]], right: list[bool]) -> list[str]:
    """The table's lines, every column padded to its widest cell in terminal cells
    (``display_width``: a Chinese character takes two), figures right-aligned, so that the
    pipes line up in a monospaced view in either language."""
    widths = [max(3, display_width(h)) for h in headings]
    for cells in rows:
        widths = [max(w, display_width(c)) for w, c in zip(widths, cells, strict=True)]

    def line(cells: list[str]) -> str:
        padded = []
        for text, width, r in zip(cells, widths, right, strict=True):
            pad = " " * (width - display_width(text))
            padded.append(pad + text if r else text + pad)
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + ":" if r else "-" * w for w, r in zip(widths, right, strict=True)]
    return [line(headings), line(rule), *(line(cells) for cells in rows)]


_KEY_HEADING = re.compile(r"(\S{1,3}) (.+)", re.S)


def _md_headings(sheet: Sheet, lang: str) -> tuple[list[str], str]:
    """The headings, and a key line. A one-page sheet (the board) keeps its Markdown narrow:
    each status-coloured column headed "N name" is headed "N" alone, and the key under the
    table says which name each N stands for."""
    headings = [heading(c, lang) for c in sheet.columns]
    if not sheet.one_page:
        return headings, ""
    keys = []
    for i, c in enumerate(sheet.columns):
        m = _KEY_HEADING.fullmatch(headings[i]) if c.status_from else None
        if m:
            headings[i] = m.group(1)
            keys.append(f"{m.group(1)} {m.group(2)}")
    if not keys:
        return headings, ""
    if lang == "zh":
        return headings, "列：" + "；".join(keys)
    return headings, "Columns: " + "; ".join(keys)


def _markdown(sheets: list[Sheet], lang: str) -> str:
    parts: list[str] = []
    for sheet in sheets:
        lines = [f"## {_md_escape(sheet.heading(lang))}", ""]
        if sheet.notes:
            lines += [f"- {_md_escape(note)}" for note in sheet.notes]
            lines.append("")
        headings, key = _md_headings(sheet, lang)
        rows = [(sheet.values(r), sheet.units(r)) for r in sheet.rows]
        total = total_row(sheet, lang)
        if total is not None and sheet.total is not None:
            rows.append((total, sheet.units(sheet.total)))
        cells = [
            [
                _md_cell(_md_escape(value_text(c, v, lang, u)))
                for c, v, u in zip(sheet.columns, values, units, strict=True)
            ]
            for values, units in rows
        ]
        right = [c.kind in NUMBER_KINDS for c in sheet.columns]
        lines += _md_table([_md_cell(_md_escape(h)) for h in headings], cells, right)
        if not sheet.rows:
            lines += ["", _md_escape(no_rows(lang))]
        if key:
            lines += ["", _md_escape(key)]
        if sheet.legend:
            lines.append("")
            lines += [f"- {_md_escape(text)}" for text in sheet.legend]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"

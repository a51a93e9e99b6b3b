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


def _md_row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _markdown(sheets: list[Sheet], lang: str) -> str:
    parts: list[str] = []
    for sheet in sheets:
        lines = [f"## {_md_escape(sheet.heading(lang))}", ""]
        if sheet.notes:
            lines += [f"- {_md_escape(note)}" for note in sheet.notes]
            lines.append("")
        lines.append(_md_row([_md_escape(heading(c, lang)) for c in sheet.columns]))
        lines.append(_md_row(["---:" if c.kind in NUMBER_KINDS else "---" for c in sheet.columns]))
        rows = [sheet.values(r) for r in sheet.rows]
        total = total_row(sheet, lang)
        if total is not None:
            rows.append(total)
        for values in rows:
            cells = [
                _md_escape(value_text(c, v, lang))
                for c, v in zip(sheet.columns, values, strict=True)
            ]
            lines.append(_md_row(cells))
        if not sheet.rows:
            lines += ["", _md_escape(no_rows(lang))]
        parts.append("\n".join(lines))
    return "\n\n".join(parts) + "\n"

"""How a ``Sheet``'s values are written in each file format: the notation every writer shares
(``output.files`` for CSV and Markdown, ``output.html``, ``output.xlsx``).

Every format writes the same rows with the same values; only the notation differs, by these
rules (the format tests hold each format to them):

========  =====================  ==================  ===================  =====================
kind      CSV                    Markdown / HTML     XLSX                 None
========  =====================  ==================  ===================  =====================
integer   ``1234``               ``1,234``           number, ``#,##0``    blank (never 0)
number    ``1234.5`` (exact)     ``1,234.5``         number, ``#,##0``    blank
                                                     or ``#,##0.##``
share     fraction ``0.5``       ``50.0%``           number 0.5,          blank
                                                     ``0.0%``
date      ``2018-06-30``         ``2018-06-30``      date, yyyy-mm-dd     blank
status    label (滞后/behind)    label, HTML: cell   label, cell filled   blank
                                 coloured            with the colour
text      as is, neutralised     as is (escaped)     as is, neutralised   blank
========  =====================  ==================  ===================  =====================

- Numbers are never rounded in CSV, Markdown or HTML: a float is written with its shortest
  exact digits (``repr``), without exponent; ``.`` is the decimal point. CSV has no thousands
  separators (machine-readable); Markdown and HTML group thousands with ``,`` (for people).
  XLSX stores the number itself; whole values get ``#,##0`` and fractional ones ``#,##0.##``
  (so that 5 is not shown as "5."). A value that is not a number in a number column (a
  string, say) is written as text.
- Shares: CSV keeps the fraction (0.5), as ``--json`` does, so scripts read the same value
  from both; Markdown and HTML show one decimal of percent (``50.0%``, as XLSX displays it).
- Headings: ``Column.heading(lang)``, with the unit when ``Column.unit`` is set: ``目标 (人)``,
  ``Target (people)`` (a unit code of ``model.UNITS`` is named in the language; any other
  unit text is written as it is). The same heading in every format (``heading()``).
- Totals: ``Sheet.total`` is the last row of the Markdown, HTML and XLSX table (bold in HTML
  and XLSX); its first cell, when the first column is text and the total has no value for
  it, reads 合计 / Total. The CSV holds ``Sheet.rows`` only: a clean table whose every line is
  a record, so a script that sums a column does not count the total twice.
- Titles and notes (``Sheet.heading(lang)``, ``Sheet.notes``): under ``## title`` in Markdown,
  under ``<h2>`` in HTML, below the table in XLSX (after one blank row; the header row stays
  row 1 and frozen, the title is also the printed page header). CSV has neither: one header
  row, then one line per row, so every CSV reader (and ``povtrack import``) reads it as it is.
- Safe to open: in CSV and XLSX every text cell (text and status columns, headings, notes and
  any string value) that begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets
  a leading ``'`` (``neutralise``), so a spreadsheet never runs it as a formula; numbers stay
  numbers (-5 in a number column is the number -5). XLSX text cells are always stored as
  strings, never formulas. HTML escapes every value (``html.escape``, quote=True); Markdown
  backslash-escapes its punctuation (``\\|`` for ``|``) and writes a line break as ``<br>``.
- XLSX text: line ends are stored as ``\\n`` (XML turns a carriage return into one anyway);
  characters XML cannot hold (C0 controls other than tab and line ends, U+FFFE, U+FFFF, lone
  surrogates) become U+FFFD. CSV, Markdown and HTML are UTF-8 (lone surrogates become ``?``).
- CSV: UTF-8 with BOM (Chinese Excel opens it cleanly), CRLF line ends, ``csv`` quoting
  (QUOTE_MINIMAL), one sheet per file (several: ``UsageError``).
- A sheet with no rows still has its header row; Markdown and HTML add a line "(no rows)"
  (zh "（无记录）"). A number that is not finite (NaN, infinity) is blank, like None.
- HTML is one self-contained file (inline CSS, local CJK font stack, no scripts, links or
  fonts from anywhere), A4 landscape; a line break in a cell shows as one (white-space:
  pre-line). Status cells carry ``class="status status-CODE"`` and an inline background.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from povtrack.i18n import LABELS
from povtrack.model import UNITS
from povtrack.sheet import Column, Sheet

# Status fill colours, "RRGGBB" without "#" (openpyxl's form; HTML adds the "#"). Light
# enough that black text on them stays readable, printed or on screen.
STATUS_COLOURS: dict[str, str] = {
    "done": "63BE7B",  # green
    "on_track": "C6EFCE",  # light green
    "behind": "FFD966",  # amber
    "overdue": "F8696B",  # red
    "no_data": "D9D9D9",  # grey
    "reported": "9BC2E6",  # blue
}

TOTAL_LABEL = {"zh": "合计", "en": "Total"}
NO_ROWS = {"zh": "（无记录）", "en": "(no rows)"}

_DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")
NUMBER_KINDS = ("integer", "number", "share")
XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


# ---------------------------------------------------------------------------------------------
# Every format's rules


def neutralise(text: str) -> str:
    """A text a spreadsheet must not run as a formula gets a leading ``'`` (OWASP CSV
    injection): one beginning with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return."""
    return "'" + text if text.startswith(_DANGEROUS_START) else text


def display_width(text: str) -> int:
    """Columns the text takes in a monospaced or spreadsheet view: East Asian wide and
    full-width characters count 2, combining marks 0, every other character 1. For text over
    several lines, the widest line."""
    widest = 0
    for line in text.splitlines() or [""]:
        width = 0
        for ch in line:
            if unicodedata.combining(ch):
                continue
            width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
        widest = max(widest, width)
    return widest


def heading(column: Column, lang: str) -> str:
    """The column's heading in the language, with its unit: ``目标 (人)``, ``Target (people)``."""
    text = column.heading(lang)
    if not column.unit:
        return text
    unit = UNITS.get(column.unit)
    name = column.unit if unit is None else (unit.name if lang == "zh" else unit.name_en)
    return f"{text} ({name})"


def status_label(code: str, lang: str) -> str:
    """A status code as its label: behind -> 滞后 (zh) / behind (en); an unknown code as is."""
    pair = LABELS.get(f"status.{code}")
    if pair is None:
        return code
    return pair[0] if lang == "zh" else pair[1]


# ---------------------------------------------------------------------------------------------
# Values


def is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def finite(value: Any) -> bool:
    return not (isinstance(value, float | Decimal) and not math.isfinite(value))


def plain_number(value: int | float | Decimal) -> str:
    """Exact digits, no exponent, no separators: 1234, 1234.5, 0.0000001, -5."""
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        value = Decimal(repr(value))
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def grouped(plain: str) -> str:
    """1234567.5 -> 1,234,567.5 (the plain digits with thousands grouped)."""
    sign = "-" if plain.startswith("-") else ""
    digits = plain.lstrip("-")
    whole, dot, frac = digits.partition(".")
    return f"{sign}{int(whole):,}{dot}{frac}"


def iso_date(value: Any) -> str | None:
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return None


def as_date(value: Any) -> date | None:
    """A date value, or an ISO date string, as a date; anything else None."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            return None
    return None


def value_text(column: Column, value: Any, lang: str) -> str:
    """The cell as text for people (Markdown, HTML): '' for None."""
    if value is None:
        return ""
    kind = column.kind
    if kind in NUMBER_KINDS and is_number(value):
        if not finite(value):
            return ""
        if kind == "share":
            return f"{float(value) * 100:.1f}%"
        return grouped(plain_number(value))
    if kind == "date":
        iso = iso_date(value)
        return iso if iso is not None else str(value)
    if kind == "status":
        return status_label(str(value), lang)
    return str(value)


def total_row(sheet: Sheet, lang: str) -> list[Any] | None:
    """The total row's values, with 合计 / Total in a blank first text cell."""
    if sheet.total is None:
        return None
    values = sheet.values(sheet.total)
    if sheet.columns and sheet.columns[0].kind == "text" and values[0] in (None, ""):
        values[0] = TOTAL_LABEL.get(lang, TOTAL_LABEL["en"])
    return values


def no_rows(lang: str) -> str:
    return NO_ROWS.get(lang, NO_ROWS["en"])

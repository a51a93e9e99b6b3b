"""How a ``Sheet``'s values are written in each file format: the notation every writer shares
(``output.files`` for CSV and Markdown, ``output.html``, ``output.xlsx``).

Every format writes the same rows with the same values; only the notation differs. The table
exports that programs read keep every figure exact: CSV plain digits without thousands
separators, JSON as computed, the XLSX table exports as number cells. What people read is
rounded to the figure's unit (``rounded_text``; the unit is the column's, or the row's where
the column has ``unit_from``): HTML, Markdown and the report, with thousands separators, so
111624.21 people reads 111,624 and 52.022222 mu reads 52. Shares are fractions in CSV and
percent elsewhere (rounded to one place for people: 50%, 33.3%). None (and a non-finite
number) is a blank, never 0; headings carry the unit in the chosen language; the total row and
the titles and notes are everywhere but in the CSV. Text that a spreadsheet could run as a
formula is neutralised (a leading ``'``) in CSV and XLSX (``neutralise``). The table of what
each format writes, for users: docs/commands.md, "How each format writes a value"; the format
tests hold each writer to it.
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


def value_text(column: Column, value: Any, lang: str, unit: str | None = None) -> str:
    """The cell as text for people (Markdown, HTML): '' for None; a figure rounded to its
    ``unit`` (the cell's unit code, as ``Sheet.units`` gives it; the column's own when None),
    thousands grouped; a share as percent to one place at most (50%, 33.3%)."""
    if value is None:
        return ""
    kind = column.kind
    if kind in NUMBER_KINDS and is_number(value):
        if not finite(value):
            return ""
        if kind == "share":
            return percent_text(value)
        return rounded_text(value, column.unit if unit is None else unit, column.round_up)
    if kind == "date":
        iso = iso_date(value)
        return iso if iso is not None else str(value)
    if kind == "status":
        return status_label(str(value), lang)
    return str(value)


def percent_text(share: int | float | Decimal) -> str:
    """A share (0.5 is half) as people read it: 50%, 33.3%, 121.8%."""
    return rounded_text(float(share) * 100, "percent") + "%"


# ---------------------------------------------------------------------------------------------
# Figures for people: rounded to their unit (the handouts, HTML, Markdown). CSV, JSON and the
# XLSX table exports keep the exact figures for the programs that read them.

# Places a figure is shown with, by unit: counts of people, villages, households ... whole
# (UNITS' ``integer``); kilowatts, mu and percentages to one place; yuan whole.
_PLACES = {"kW": 1, "mu": 1, "percent": 1, "yuan": 0}
DEFAULT_PLACES = 2  # a figure without a known unit


def places(unit: str) -> int:
    """Decimal places a figure in ``unit`` (a UNITS code, or "") is shown with."""
    known = UNITS.get(unit)
    if known is None:
        return DEFAULT_PLACES
    return 0 if known.integer else _PLACES.get(unit, DEFAULT_PLACES)


def rounded(value: int | float | Decimal, unit: str, up: bool = False) -> int | float:
    """The figure rounded to its unit: 111624.21 people -> 111624, 52.04 mu -> 52.0 shown as 52;
    whole results as ints (so they never print as "111624.0"). ``up``: away from zero (a pace
    that must be kept: 0.4 villages a week needed is 1, never 0)."""
    digits = places(unit)
    exact = float(value)
    if not math.isfinite(exact):
        return exact
    # half away from zero, as people round (Python's round() halves to even)
    scaled = (
        Decimal(repr(exact))
        .scaleb(digits)
        .to_integral_value(rounding="ROUND_UP" if up else "ROUND_HALF_UP")
    )
    result = float(scaled.scaleb(-digits))
    return int(result) if result.is_integer() else result


def rounded_text(value: int | float | Decimal, unit: str, up: bool = False) -> str:
    """A rounded figure as people read it: thousands grouped, no trailing point or zeros
    beyond what the unit shows (1,234; 52.5; 80)."""
    return grouped(plain_number(rounded(value, unit, up)))


def number_format(value: int | float | Decimal, unit: str, up: bool = False) -> str:
    """The XLSX number format for a figure shown rounded to its unit: "#,##0" for a whole
    figure (never "#,##0.##", which Excel shows as "2."), else as many places as the unit."""
    if float(rounded(value, unit, up)).is_integer():
        return "#,##0"
    return "#,##0." + "0" * places(unit)


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

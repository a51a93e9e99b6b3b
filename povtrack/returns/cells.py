"""What one cell of a weekly return may hold: the number grammar, dates, weeks, and the values
an Excel workbook gives.

Values: plain ASCII digits with an optional decimal part, in the indicator's unit. Full-width
digits, signs and points are read as their ASCII forms; nothing else is (no Arabic-Indic digits,
superscripts or circled numbers, which full NFKC would turn into digits). Thousands separators, %
signs and 万/亿 are refused with a message that says how to write the value. For users:
docs/returns.md.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from povtrack.dates import parse_day, parse_week
from povtrack.errors import UsageError
from povtrack.model import UNITS, Indicator
from povtrack.textsafe import shown

_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)
_LARGEST = 10**15  # beyond any count or amount in a return, and still exact as a float
# below any amount anyone reports (a millionth of a yuan, a mu, a kW): a value this small is a
# slip, and a ratio over it would leave the range a figure can be shown in
_SMALLEST = Decimal("0.000001")
_FOLDED = ("<wide>", "<narrow>", "<noBreak>")  # full-/half-width forms, no-break spaces


def fold_width(text: str) -> str:
    """Full-width (and half-width) forms and no-break spaces to their plain forms, as NFKC
    does; every other character as it is (NFKC would also turn ² or ① into a digit)."""
    if text.isascii():
        return text
    return "".join(
        unicodedata.normalize("NFKC", ch)
        if unicodedata.decomposition(ch).startswith(_FOLDED)
        else ch
        for ch in text
    )


def invisible(text: str) -> list[str]:
    """Zero-width and other invisible format characters (Unicode category Cf) in ``text``."""
    found = dict.fromkeys(ch for ch in text if unicodedata.category(ch) == "Cf")
    return [f"U+{ord(ch):04X} {unicodedata.name(ch, 'FORMAT CHARACTER')}" for ch in found]


def _whole_or_fraction(number: Decimal, shown: str, ind: Indicator, integral: bool) -> float:
    if number < 0:
        raise UsageError(f"value {shown} is negative; reported values are totals or counts, ≥ 0")
    if number >= _LARGEST:
        raise UsageError(f"value {shown} is too large for a reported value")
    if 0 < number < _SMALLEST:
        raise UsageError(
            f"value {shown} is too small for a reported value (below 0.000001 {ind.unit}); "
            "report 0 if nothing was done"
        )
    if ind.unit == "percent" and number > 100:
        raise UsageError(f"value {shown} is a rate above 100 (percent); a rate is 0 to 100")
    whole = number == number.to_integral_value()
    if UNITS[ind.unit].integer:
        if not whole:
            raise UsageError(f"value {shown} must be a whole number of {ind.unit}")
        return int(number)
    return int(number) if whole and integral else float(number)


def parse_value(text: str, ind: Indicator) -> float:
    """A reported value: plain digits with an optional decimal part, in the indicator's unit."""
    if text.isdigit() and text.isascii():  # nearly every cell: plain digits, nothing to fold
        return _whole_or_fraction(
            Decimal(text), text if len(text) <= 40 else shown(text), ind, True
        )
    hidden = invisible(text)
    raw = "".join(ch for ch in text if unicodedata.category(ch) != "Cf").strip()
    if hidden:
        raise UsageError(
            f"value '{shown(raw)}' contains an invisible character ({', '.join(hidden)}); "
            "delete the cell's content and type the value again"
        )
    if not raw:
        raise UsageError("value is empty (a value not reported is left out, never written as 0)")
    plain = fold_width(raw).strip()
    if not _NUMBER.fullmatch(plain):
        hint = ""
        if re.search(r"[0-9][,\s][0-9]", plain):
            hint = "; write it without thousands separators, e.g. 12345"
        elif plain.endswith("%"):
            hint = "; write a rate without the % sign, e.g. 80 for 80%"
        elif m := re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([万萬亿億])", plain):
            scaled = Decimal(m.group(1)) * (10**4 if m.group(2) in "万萬" else 10**8)
            hint = f"; write it in {ind.unit}: {raw} is {scaled.normalize():f}"
        elif re.search(r"[万萬亿億]", plain):
            hint = f"; write it in {ind.unit} without 万 or 亿, e.g. 13.98万 as 139800"
        elif _NUMBER.fullmatch(plain.replace("。", ".", 1)):
            hint = "; write the decimal point as '.', e.g. 12.5"
        raise UsageError(f"value '{shown(raw)}' is not a number{hint}")
    return _whole_or_fraction(Decimal(plain), shown(raw), ind, "." not in plain)


def number_cell(value: float, ind: Indicator) -> float:
    """A number cell of a workbook (Excel keeps every number as a float: 5200.0 is whole)."""
    if isinstance(value, int):
        return _whole_or_fraction(Decimal(value), shown(str(value)), ind, True)
    if not math.isfinite(value):
        raise UsageError(f"value {value} is not a number")
    text = shown(str(int(value)) if value.is_integer() else repr(value))
    return _whole_or_fraction(Decimal(value), text, ind, True)


class Percent(float):
    """A workbook's number cell formatted as a percentage: Excel keeps 0.9 for the 90% typed."""


def percent_cell(value: Percent, ind: Indicator) -> float:
    """The percentage the clerk typed (0.9 in a 0% cell is 90), where the unit is percent."""
    if not math.isfinite(value):
        raise UsageError(f"value {value} is not a number")
    typed = Decimal(repr(float(value))) * 100  # exactly: 0.9 * 100 in floats is 90.00000000000001
    text = f"{typed.normalize():f}%"
    if ind.unit != "percent":
        raise UsageError(
            f"the value cell is formatted as a percentage (it shows {shown(text)}), but "
            f"{ind.id} is counted in {ind.unit}; format the cell as a number and type the "
            f"{'count' if UNITS[ind.unit].integer else 'amount'}"
        )
    return _whole_or_fraction(typed, shown(text), ind, True)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_text(value: Any) -> str:
    """A workbook cell as the text a CSV would hold."""
    if type(value) is str:  # every CSV cell
        return value
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime) and value.time() == time():
        return value.date().isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value)


def day_cell(value: Any) -> date:
    if type(value) is str:  # every CSV cell
        return _day_text(value)
    if isinstance(value, datetime):
        if value.time() != time():
            raise UsageError(f"date {value:%Y-%m-%d %H:%M} has a time of day; give the date only")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time | timedelta):
        raise UsageError(f"'{value}' is a time, not a date; write YYYY-MM-DD, e.g. 2018-06-03")
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise UsageError(
            f"the date cell holds the number {cell_text(value)}, not a date; "
            "format the cell as a date or write YYYY-MM-DD, e.g. 2018-06-03"
        )
    return _day_text(cell_text(value))


def _day_text(value: str) -> date:
    text = fold_width(value).strip()
    if not text.isascii():
        raise UsageError(f"'{shown(text)}' is not a date; write YYYY-MM-DD, e.g. 2018-06-03")
    return parse_day(text)


def week_cell(value: Any) -> date:
    if isinstance(value, date):
        raise UsageError(
            f"the week cell holds a date ({cell_text(value)}); write the ISO week, "
            "e.g. 2018-W23, or name the column 'date'"
        )
    text = fold_width(cell_text(value)).strip()
    if not text.isascii():
        raise UsageError(f"'{shown(text)}' is not an ISO week; write YYYY-Www, e.g. 2018-W23")
    return parse_week(text)


def value_cell(value: Any, ind: Indicator) -> float:
    if type(value) is str:  # every CSV cell
        return parse_value(value, ind)
    if isinstance(value, bool):
        raise UsageError(f"value {cell_text(value)} is not a number")
    if isinstance(value, Percent):
        return percent_cell(value, ind)
    if isinstance(value, int | float):
        return number_cell(value, ind)
    if isinstance(value, date | time | timedelta):
        raise UsageError(
            f"the value cell holds a date or time ({cell_text(value)}), not a number; "
            "format the cell as a number"
        )
    return parse_value(cell_text(value), ind)


NOTE_LIMIT = 500


def note_text(text: str) -> str:
    """A note: free text, but one line of a report, not a document."""
    note = text.strip()
    if len(note) > NOTE_LIMIT:
        raise UsageError(
            f"note of {len(note)} characters is longer than {NOTE_LIMIT}; "
            "keep the evidence elsewhere and note where it is"
        )
    return note

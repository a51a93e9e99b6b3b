"""What one cell of a weekly return may hold: the number grammar, dates, weeks, and the values
an Excel workbook gives.

Values: plain ASCII digits with an optional decimal part, in the indicator's unit. Full-width
digits, signs and points are read as their ASCII forms; nothing else is (no Arabic-Indic digits,
superscripts or circled numbers, which full NFKC would turn into digits). Thousands separators, %
signs and 万/亿 are refused with a message that says how to write the value (a grouping that is
plainly thousands, ``1,200``, is given back written plainly, ``1200``).

Dates (``written_day``, the one grammar for a return's dates, also used for a date in a title):
ISO ``2018-06-24``; year first with ``/``, ``-`` or ``.`` and one- or two-digit month and day
(``2018/6/24``, ``2018-6-24``, ``2018.6.24``); ``2018年6月24日``; any of them followed by a
midnight time (``2018/6/24 0:00``, what Excel writes for a date-and-time cell); and in a CSV a
whole number that is an Excel date serial from 2000 to 2099 (``43275`` is 2018-06-24). Never
guessed: a date with the year last (``6/7/2018``) or a two-digit year (``7/6/18``) is refused,
saying why and how to write it. Weeks: ISO ``2018-W26`` and ``2018年第26周`` (the ISO week).
For users: docs/returns.md.
"""

from __future__ import annotations

import contextlib
import math
import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from povtrack.dates import parse_day, parse_week
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import UNITS, Indicator
from povtrack.textsafe import shown

_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?", re.ASCII)
# thousands plainly grouped: 1,200 / 12 345 / 1,234,567.5 (one separator throughout)
_GROUPED = re.compile(r"[+-]?[0-9]{1,3}([, ])[0-9]{3}(?:\1[0-9]{3})*(\.[0-9]+)?", re.ASCII)
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


def _unit_zh(ind: Indicator) -> str:
    return UNITS[ind.unit].name


def _whole_or_fraction(number: Decimal, shown: str, ind: Indicator, integral: bool) -> float:
    if number < 0:
        raise UsageError(
            tr(
                f"数值 {shown} 是负数；填报的是累计数或个数，应 ≥ 0",
                f"value {shown} is negative; reported values are totals or counts, ≥ 0",
            )
        )
    if number >= _LARGEST:
        raise UsageError(
            tr(
                f"数值 {shown} 太大，不是能填报的数值",
                f"value {shown} is too large for a reported value",
            )
        )
    if 0 < number < _SMALLEST:
        raise UsageError(
            tr(
                f"数值 {shown} 太小（小于 0.000001 {_unit_zh(ind)}）；没有完成请填 0",
                f"value {shown} is too small for a reported value (below 0.000001 {ind.unit}); "
                "report 0 if nothing was done",
            )
        )
    if ind.unit == "percent" and number > 100:
        raise UsageError(
            tr(
                f"数值 {shown} 是超过 100 的比率（百分数）；比率在 0 到 100 之间",
                f"value {shown} is a rate above 100 (percent); a rate is 0 to 100",
            )
        )
    whole = number == number.to_integral_value()
    if UNITS[ind.unit].integer:
        if not whole:
            raise UsageError(
                tr(
                    f"数值 {shown} 必须是整数（单位：{_unit_zh(ind)}）",
                    f"value {shown} must be a whole number of {ind.unit}",
                )
            )
        return int(number)
    return int(number) if whole and integral else float(number)


def _not_a_number_hint(plain: str, raw: str, ind: Indicator) -> str:
    """How to write a value that is not plain digits, when it is clear what was meant."""
    if re.search(r"[0-9][,\s][0-9]", plain):
        if _GROUPED.fullmatch(plain):
            digits = plain.replace(",", "").replace(" ", "")
            return tr(
                f"；不要用千位分隔符，写成 {digits}",
                f"; write it without thousands separators: {digits}",
            )
        return tr(
            "；不要用千位分隔符，例如写成 12345",
            "; write it without thousands separators, e.g. 12345",
        )
    if plain.endswith("%"):
        return tr(
            "；比率不带 % 号，例如 80% 写成 80",
            "; write a rate without the % sign, e.g. 80 for 80%",
        )
    if m := re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)\s*([万萬亿億])", plain):
        scaled = (
            f"{(Decimal(m.group(1)) * (10**4 if m.group(2) in '万萬' else 10**8)).normalize():f}"
        )
        return tr(
            f"；请以{_unit_zh(ind)}为单位填写：{raw} 即 {scaled}",
            f"; write it in {ind.unit}: {raw} is {scaled}",
        )
    if re.search(r"[万萬亿億]", plain):
        return tr(
            f"；请以{_unit_zh(ind)}为单位填写，不用万或亿，例如 13.98万 写成 139800",
            f"; write it in {ind.unit} without 万 or 亿, e.g. 13.98万 as 139800",
        )
    if _NUMBER.fullmatch(plain.replace("。", ".", 1)):
        return tr("；小数点请写成 '.'，例如 12.5", "; write the decimal point as '.', e.g. 12.5")
    return ""


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
            tr(
                f"数值 '{shown(raw)}' 含有不可见字符（{', '.join(hidden)}）；"
                "请清空这个单元格，重新输入数值",
                f"value '{shown(raw)}' contains an invisible character ({', '.join(hidden)}); "
                "delete the cell's content and type the value again",
            )
        )
    if not raw:
        raise UsageError(
            tr(
                "数值为空（没有报送的数值不写这一行，绝不写成 0）",
                "value is empty (a value not reported is left out, never written as 0)",
            )
        )
    plain = fold_width(raw).strip()
    if not _NUMBER.fullmatch(plain):
        hint = _not_a_number_hint(plain, raw, ind)
        raise UsageError(
            tr(
                f"数值 '{shown(raw)}' 不是数字{hint}",
                f"value '{shown(raw)}' is not a number{hint}",
            )
        )
    return _whole_or_fraction(Decimal(plain), shown(raw), ind, "." not in plain)


def number_cell(value: float, ind: Indicator) -> float:
    """A number cell of a workbook (Excel keeps every number as a float: 5200.0 is whole)."""
    if isinstance(value, int):
        return _whole_or_fraction(Decimal(value), shown(str(value)), ind, True)
    if not math.isfinite(value):
        raise UsageError(tr(f"数值 {value} 不是数字", f"value {value} is not a number"))
    text = shown(str(int(value)) if value.is_integer() else repr(value))
    return _whole_or_fraction(Decimal(value), text, ind, True)


class Percent(float):
    """A workbook's number cell formatted as a percentage: Excel keeps 0.9 for the 90% typed."""


def percent_cell(value: Percent, ind: Indicator) -> float:
    """The percentage the clerk typed (0.9 in a 0% cell is 90), where the unit is percent."""
    if not math.isfinite(value):
        raise UsageError(tr(f"数值 {value} 不是数字", f"value {value} is not a number"))
    typed = Decimal(repr(float(value))) * 100  # exactly: 0.9 * 100 in floats is 90.00000000000001
    text = f"{typed.normalize():f}%"
    if ind.unit != "percent":
        what_zh = "个数" if UNITS[ind.unit].integer else "数量"
        raise UsageError(
            tr(
                f"数值单元格设成了百分比格式（显示为 {shown(text)}），但 {ind.id} 以"
                f"{_unit_zh(ind)}计；请把单元格设成数字格式，填写{what_zh}",
                f"the value cell is formatted as a percentage (it shows {shown(text)}), but "
                f"{ind.id} is counted in {ind.unit}; format the cell as a number and type the "
                f"{'count' if UNITS[ind.unit].integer else 'amount'}",
            )
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


# ---------------------------------------------------------------------------- dates and weeks

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
_YEAR_FIRST = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_CHINESE_DAY = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?", re.ASCII)
_YEAR_LAST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4}|\d{2})", re.ASCII)
_CLOCK = re.compile(r"(.*?)\s+(\d{1,2}):(\d{2})(?::(\d{2}))?", re.ASCII)
_CHINESE_WEEK = re.compile(r"(\d{4})\s*年\s*第\s*(\d{1,2})\s*[周週]", re.ASCII)
# An Excel date serial read from text: 2000-01-01 to 2099-12-31 (Excel counts from 1899-12-30)
_EXCEL_EPOCH = date(1899, 12, 30)
SERIALS = (36526, 73050)
# A date or a week inside longer text (a title): the forms above, not run into other digits
DAY_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*[日号號]?"
    r"|\d{4}([-/.])\d{1,2}\1\d{1,2})(?![0-9])",
    re.ASCII,
)
WEEK_IN_TEXT = re.compile(
    r"(?<![0-9])(?:\d{4}-?[Ww]\d{1,2}|\d{4}\s*年\s*第\s*\d{1,2}\s*[周週])(?![0-9])",
    re.ASCII,
)


def _real_day(text: str, year: int, month: int, day: int) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise UsageError(tr(f"'{text}' 不是真实的日期", f"'{text}' is not a real date")) from None


def _year_last(text: str, m: re.Match[str]) -> UsageError:
    """Why a date with the year last (or a two-digit year) is refused, and how to write it."""
    first, second, year = int(m.group(1)), int(m.group(3)), m.group(4)
    if len(year) == 2:
        return UsageError(
            tr(
                f"'{text}' 有歧义：年份只有两位，日和月的先后也不确定；"
                "请把完整的年份写在前面：YYYY-MM-DD，例如 2018-06-03",
                f"'{text}' is ambiguous: the year has two digits and the order of day and month "
                "is not known; write the full year first: YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    readings = []
    for month, day in ((second, first), (first, second)):  # day first, then month first
        with contextlib.suppress(ValueError):  # not a day of that month
            readings.append(date(int(year), month, day).isoformat())
    readings = list(dict.fromkeys(readings))
    if not readings:
        return UsageError(tr(f"'{text}' 不是真实的日期", f"'{text}' is not a real date"))
    if len(readings) == 2:
        a, b = readings
        return UsageError(
            tr(
                f"'{text}' 有歧义：可能是 {a}，也可能是 {b}（分不清哪个是日、哪个是月）；"
                "请把年份写在前面：YYYY-MM-DD",
                f"'{text}' is ambiguous: it could be {a} or {b} (day and month cannot be told "
                "apart); write the year first: YYYY-MM-DD",
            )
        )
    return UsageError(
        tr(
            f"'{text}' 把年份写在了后面；请把年份写在前面：{readings[0]}",
            f"'{text}' has the year last; write it year first: {readings[0]}",
        )
    )


def written_day(value: str) -> date:
    """A date as a return writes it (the forms in this module's docstring), never guessed."""
    if len(value) == 10 and value.isascii() and _ISO_DAY.fullmatch(value):  # nearly every cell
        return parse_day(value)
    text = fold_width(value).strip()
    if len(text) > 40:  # no date is this long (and the patterns below need not look)
        raise UsageError(
            tr(
                f"'{shown(text)}' 不是日期；请写成 YYYY-MM-DD，例如 2018-06-03",
                f"'{shown(text)}' is not a date; write YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    clock = _CLOCK.fullmatch(text)
    if clock and (_YEAR_FIRST.fullmatch(clock[1]) or _CHINESE_DAY.fullmatch(clock[1])):
        if any(int(part or 0) for part in clock.groups()[1:]):
            raise UsageError(
                tr(
                    f"日期 {shown(text)} 带有时刻；只填日期",
                    f"date {shown(text)} has a time of day; give the date only",
                )
            )
        text = clock[1]
    if _ISO_DAY.fullmatch(text):
        return parse_day(text)
    if m := _YEAR_FIRST.fullmatch(text) or _CHINESE_DAY.fullmatch(text):
        groups = [g for g in m.groups() if g and g.isdigit()]
        return _real_day(shown(text), int(groups[0]), int(groups[1]), int(groups[2]))
    if m := _YEAR_LAST.fullmatch(text):
        raise _year_last(shown(text), m)
    if (
        text.isdigit()
        and text.isascii()
        and len(text) <= 6
        and SERIALS[0] <= int(text) <= SERIALS[1]
    ):
        return _EXCEL_EPOCH + timedelta(days=int(text))  # an Excel serial, exported as a number
    if not text.isascii():
        raise UsageError(
            tr(
                f"'{shown(text)}' 不是日期；请写成 YYYY-MM-DD，例如 2018-06-03",
                f"'{shown(text)}' is not a date; write YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    return parse_day(text)


def written_week(value: str) -> date:
    """An ISO week as a return writes it: ``2018-W26`` or ``2018年第26周`` -> its Sunday."""
    text = fold_width(value).strip()
    if len(text) <= 40 and (m := _CHINESE_WEEK.fullmatch(text)):
        text = f"{m.group(1)}-W{int(m.group(2)):02d}"
    elif not text.isascii():
        raise UsageError(
            tr(
                f"'{shown(text)}' 不是 ISO 周；请写成 YYYY-Www，例如 2018-W23",
                f"'{shown(text)}' is not an ISO week; write YYYY-Www, e.g. 2018-W23",
            )
        )
    return parse_week(text)


def day_cell(value: Any) -> date:
    if type(value) is str:  # every CSV cell
        return written_day(value)
    if isinstance(value, datetime):
        if value.time() != time():
            raise UsageError(
                tr(
                    f"日期 {value:%Y-%m-%d %H:%M} 带有时刻；只填日期",
                    f"date {value:%Y-%m-%d %H:%M} has a time of day; give the date only",
                )
            )
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time | timedelta):
        raise UsageError(
            tr(
                f"'{value}' 是时刻，不是日期；请写成 YYYY-MM-DD，例如 2018-06-03",
                f"'{value}' is a time, not a date; write YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    if isinstance(value, int | float) and not isinstance(value, bool):
        # a number cell not formatted as a date: the clerk sees the number, so say so
        raise UsageError(
            tr(
                f"日期单元格里是数字 {cell_text(value)}，不是日期；"
                "请把单元格设成日期格式，或写成 YYYY-MM-DD，例如 2018-06-03",
                f"the date cell holds the number {cell_text(value)}, not a date; "
                "format the cell as a date or write YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    return written_day(cell_text(value))


def week_cell(value: Any) -> date:
    if isinstance(value, date):
        raise UsageError(
            tr(
                f"周单元格里是日期（{cell_text(value)}）；请写 ISO 周，例如 2018-W23，"
                "或把这一列命名为 'date'（日期）",
                f"the week cell holds a date ({cell_text(value)}); write the ISO week, "
                "e.g. 2018-W23, or name the column 'date'",
            )
        )
    return written_week(cell_text(value))


def value_cell(value: Any, ind: Indicator) -> float:
    if type(value) is str:  # every CSV cell
        return parse_value(value, ind)
    if isinstance(value, bool):
        raise UsageError(
            tr(f"数值 {cell_text(value)} 不是数字", f"value {cell_text(value)} is not a number")
        )
    if isinstance(value, Percent):
        return percent_cell(value, ind)
    if isinstance(value, int | float):
        return number_cell(value, ind)
    if isinstance(value, date | time | timedelta):
        raise UsageError(
            tr(
                f"数值单元格里是日期或时刻（{cell_text(value)}），不是数字；请把单元格设成数字格式",
                f"the value cell holds a date or time ({cell_text(value)}), not a number; "
                "format the cell as a number",
            )
        )
    return parse_value(cell_text(value), ind)


NOTE_LIMIT = 500


def note_text(text: str) -> str:
    """A note: free text, but one line of a report, not a document."""
    note = text.strip()
    if len(note) > NOTE_LIMIT:
        raise UsageError(
            tr(
                f"备注有 {len(note)} 个字符，超过 {NOTE_LIMIT}；"
                "证明材料请另外保存，备注里写明存放在哪里",
                f"note of {len(note)} characters is longer than {NOTE_LIMIT}; "
                "keep the evidence elsewhere and note where it is",
            )
        )
    return note

"""Dates and ISO weeks as users write them. An ISO week stands for its Sunday. For users:
docs/rules.md, "Dates"."""

from __future__ import annotations

import re
from datetime import date, timedelta

from povtrack.errors import UsageError
from povtrack.i18n import tr

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$", re.ASCII)
_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.IGNORECASE | re.ASCII)


def parse_day(text: str) -> date:
    text = text.strip()
    if not _DAY.match(text):
        raise UsageError(
            tr(
                f"“{text}”不是日期；请写成 YYYY-MM-DD，例如 2018-06-03",
                f"'{text}' is not a date; write YYYY-MM-DD, e.g. 2018-06-03",
            )
        )
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise UsageError(
            tr(f"“{text}”不是真实存在的日期", f"'{text}' is not a real date")
        ) from None


def parse_week(text: str) -> date:
    """'2018-W23' -> the Sunday that ends ISO week 23 of 2018."""
    m = _WEEK.match(text.strip())
    if not m:
        raise UsageError(
            tr(
                f"“{text}”不是 ISO 周；请写成 YYYY-Www，例如 2018-W23",
                f"'{text}' is not an ISO week; write YYYY-Www, e.g. 2018-W23",
            )
        )
    year, week = int(m.group(1)), int(m.group(2))
    try:
        return date.fromisocalendar(year, week, 7)
    except ValueError:
        raise UsageError(
            tr(f"“{text}”：{year}年没有第{week}周", f"'{text}': {year} has no week {week}")
        ) from None


def parse_when(text: str) -> date:
    """A date or an ISO week, whichever the text is."""
    return parse_week(text) if "w" in text.lower() else parse_day(text)


def iso_week(day: date) -> str:
    y, w, _ = day.isocalendar()
    return f"{y}-W{w:02d}"


def monday_of(day: date) -> date:
    """The Monday that starts the ISO week of ``day``."""
    return day - timedelta(days=day.weekday())


def weeks_before(when: date, weeks: int, start: date) -> date:
    """The day ``weeks`` weeks before ``when`` (--weeks N). It may fall in the week before
    the plan starts (as the default week can), no earlier: more weeks is a count no one
    means, and enough of them would overflow the calendar."""
    limit = max(1, -(-(when - start).days // 7))
    if weeks > limit:
        raise UsageError(
            tr(
                f"--weeks {weeks} 早于方案开始日期（{start.isoformat()}）；"
                f"最多为 {when.isoformat()} 之前 {limit} 周",
                f"--weeks {weeks} reaches back before the plan starts ({start.isoformat()}); "
                f"at most {limit} weeks before {when.isoformat()}",
            )
        )
    return when - timedelta(weeks=weeks)


def check_in_window(day: date, start: date, end: date, what: str | None = None) -> date:
    """``day`` within the plan; ``what``: the option or the word the message names it by."""
    what = what or tr("日期", "date")
    if day < start:
        raise UsageError(
            tr(
                f"{what} {day.isoformat()} 早于方案开始日期（{start.isoformat()}）",
                f"{what} {day.isoformat()} is before the plan starts ({start.isoformat()})",
            )
        )
    if day > end:
        raise UsageError(
            tr(
                f"{what} {day.isoformat()} 晚于方案最后截止日期（{end.isoformat()}）",
                f"{what} {day.isoformat()} is after the plan's last due date ({end.isoformat()})",
            )
        )
    return day

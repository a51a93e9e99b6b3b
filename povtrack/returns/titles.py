"""What the rows above a return's header (its title and note rows) may say for the whole
return: the area it is from and the date it reports.

Used only for what the header's columns do not give (columns always win). An area is taken
when the title names exactly one area of the plan by its full name (Simplified or Traditional,
a Chinese alias, or the English name as a whole word), or names an area and areas that hold it
(``大同市脱贫攻坚周报表（灵丘县）`` names the city and 灵丘县: 灵丘县 is taken). A date is taken
when the title holds exactly one date or week in a form ``cells.written_day`` or
``cells.written_week`` reads (``2018年6月24日``, ``2018/6/24``, ``2018-W26``, ``2018年第26周``).
Two areas side by side, two different dates, or a period (``2018年6月18日至6月24日``) are
refused, never guessed. For users: docs/returns.md, "Title rows".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Plan
from povtrack.returns.cells import (
    DAY_IN_TEXT,
    WEEK_IN_TEXT,
    fold_width,
    written_day,
    written_week,
)
from povtrack.textsafe import shown

_CJK = re.compile(r"[\u3400-\u9fff]")
# what, after a date, makes it the start of a period rather than the date of the return
_PERIOD = re.compile(r"\s*(至|到|~|-|—|–)\s*[0-9]")


class TitleError(UsageError):
    """A title that says something it cannot mean: ``row`` is the title row to point at."""

    def __init__(self, row: int, message: str) -> None:
        super().__init__(message)
        self.row = row


@dataclass(frozen=True)
class Found:
    """A value a title row gives: where, the text as written, and what it reads as."""

    row: int
    text: str
    value: str | date  # an area id, or a date


def _names(plan: Plan) -> list[tuple[str, str, bool]]:
    """(name, area id, is English) for every name a title may use for an area."""
    out = []
    for a in plan.areas:
        for name in dict.fromkeys((a.name, a.name_hant, *a.aliases)):
            if _CJK.search(name) and len(name) >= 2:
                out.append((name, a.id, False))
        out.append((a.name_en, a.id, True))
    return out


def _holds(plan: Plan, outer: str, inner: str) -> bool:
    """Whether area ``outer`` holds area ``inner`` (its parent, or the parent's parent ...)."""
    parents = {a.id: a.parent for a in plan.areas}
    at = parents.get(inner)
    while at is not None:
        if at == outer:
            return True
        at = parents.get(at)
    return False


def area_in(plan: Plan, rows: list[tuple[int, str]]) -> Found | None:
    """The area the title rows name, or None. Raises UsageError (at the first row naming one)
    when they name two areas neither of which holds the other."""
    found: dict[str, tuple[int, str]] = {}
    for number, text in rows:
        folded = fold_width(text)
        lowered = folded.casefold()
        for name, area, english in _names(plan):
            hit = (
                re.search(rf"(?<![a-z]){re.escape(name.casefold())}(?![a-z])", lowered)
                if english
                else (name in folded)
            )
            if hit and area not in found:
                found[area] = (number, name)
    innermost = [a for a in found if not any(_holds(plan, a, b) for b in found if b != a)]
    if not innermost:
        return None
    if len(innermost) > 1:
        named = ", ".join(found[a][1] for a in innermost)
        raise TitleError(
            min(found[a][0] for a in innermost),
            tr(
                f"标题行写了几个地区（{named}），不知道是哪一个的报表；请加一列地区",
                f"the title names several areas ({named}), so it does not say whose return "
                "this is; add an area column",
            ),
        )
    row, name = found[innermost[0]]
    return Found(row, name, innermost[0])


def day_in(rows: list[tuple[int, str]]) -> Found | None:
    """The one date (or week, as its Sunday) the title rows give, or None. Raises UsageError
    for a period, two different dates, or a date the grammar refuses (``2018/2/30``)."""
    found: list[Found] = []
    for number, text in rows:
        folded = fold_width(text)
        for pattern, read in ((DAY_IN_TEXT, written_day), (WEEK_IN_TEXT, written_week)):
            for m in pattern.finditer(folded):
                written = m.group()
                if _PERIOD.match(folded, m.end()):
                    raise TitleError(
                        number,
                        tr(
                            f"标题写的是一段时间（从 {shown(written)} 起），不是一个日期；"
                            "请加一列日期，或在标题里只写截止日期",
                            f"the title gives a period (from {shown(written)}), not one date; "
                            "add a date column, or give only the closing date in the title",
                        ),
                    )
                try:
                    day = read(written)
                except UsageError as exc:
                    raise TitleError(
                        number,
                        tr(f"标题里的日期：{exc.message}", f"the date in the title: {exc.message}"),
                    ) from None
                found.append(Found(number, written, day))
    days = sorted({f.value for f in found if isinstance(f.value, date)})
    if len(days) > 1:
        listed = ", ".join(d.isoformat() for d in days)
        raise TitleError(
            found[0].row,
            tr(
                f"标题里有几个不同的日期（{listed}）；请加一列日期",
                f"the title gives several dates ({listed}); add a date column",
            ),
        )
    return found[0] if found else None

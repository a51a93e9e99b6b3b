"""What every quality check shares: the thresholds (the one place they live), the ``Finding``
a check reports, the entries it reads (``Data``), and the wording of numbers and names in a
finding's message. ``quality.rules`` and ``quality.anomalies`` find; ``quality.check`` runs
them all and shapes the findings for JSON and tables. See docs/rules.md, "Checks".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from povtrack.analysis.measure import scope_areas
from povtrack.exact import Exact, shown, to_float
from povtrack.ledger import Ledger
from povtrack.model import CHECK_IDS, UNITS, Entry, Indicator, Plan

# The thresholds of the checks, written as the decimals they are compared as (exactly).
OUTLIER_MIN_INCREMENTS = 6  # unusual-increment: fewer increments say nothing about "usual"
OUTLIER_MADS = 5.0  # ... flagged beyond this many robust standard deviations of the median
MAD_SCALE = 1.4826  # MAD × 1.4826 estimates the standard deviation of normal data
FLAT_FACTOR = 3.0  # MAD = 0: a rise above max(3 × median, median + 10) is flagged
FLAT_MARGIN = 10.0
ABOVE_TARGET = 1.5  # far-above-target: actual > 1.5 × target
DUE_WEEK_DAYS = 7  # on-target-at-due: reports dated up to 7 days before the due date
RUSH_DAYS = 28  # late-rush: the last four weeks before a due date ...
RUSH_SHARE = 0.5  # ... bringing half the target or more
STALE_REPORTS = 4  # stale-value: this many identical consecutive reports ...
MOVING_SHARE = 0.75  # ... in a series whose other steps mostly change (and copied-series)
COPIED_VALUES = 4  # copied-series: series at least this long
RATE_MIN, RATE_MAX = 0, 100  # rate-range, in percent


SEVERITIES = ("error", "warning")


# The severity of each built-in check unless the plan says otherwise.
DEFAULT_SEVERITY = {check: "warning" for check in CHECK_IDS} | {
    "ratio-bounds": "error",
    "rate-range": "error",
    "uncountable-entry": "error",
}


@dataclass(frozen=True)
class Finding:
    rule: str  # a plan rule's id, or a built-in check's (model.CHECK_IDS)
    severity: str  # "error" or "warning"
    area: str  # an area id, or a group id for a group-total target
    indicator: str
    task: int
    explanation: str  # one line, Simplified Chinese
    explanation_en: str  # the same line in English
    entries: tuple[int, ...] = ()  # the ids of the entries involved, oldest first
    value: float | None = None  # the figure found
    expected: float | None = None  # what the rule expected of it (the bound, the target ...)
    date: date | None = None  # the date of the case described


class Data:
    """The entries on or before the as-of date, by indicator and area, one per date (the last
    recorded counts, as in ledger.Ledger), with the ledger for actuals."""

    def __init__(self, plan: Plan, entries: list[Entry], as_of: date) -> None:
        self.plan = plan
        self.as_of = as_of
        kept = [e for e in entries if e.date <= as_of]
        self.ledger = Ledger(kept)
        latest: dict[tuple[str, str, date], Entry] = {}
        for e in sorted(kept, key=lambda e: e.id):
            latest[(e.indicator, e.area, e.date)] = e
        self.series: dict[tuple[str, str], list[Entry]] = defaultdict(list)
        for e in sorted(latest.values(), key=lambda e: (e.date, e.id)):
            self.series[(e.indicator, e.area)].append(e)
        self.areas_with: dict[str, list[str]] = defaultdict(list)  # indicator -> areas
        for ind_id, area in self.series:
            self.areas_with[ind_id].append(area)

    def of(self, ind_id: str, area: str) -> list[Entry]:
        return self.series.get((ind_id, area), [])

    def on(self, ind_id: str, area: str, day: date) -> Entry | None:
        return next((e for e in self.of(ind_id, area) if e.date == day), None)

    def counting(self, ind: Indicator, area: str, day: date) -> list[Entry]:
        """The entries that make up an area's own actual on ``day``."""
        upto = [e for e in self.of(ind.id, area) if e.date <= day]
        if ind.reporting == "increment":
            return upto
        return upto[-1:]

    def scope_counting(self, ind: Indicator, scope: str, day: date) -> list[Entry]:
        areas = [scope] if ind.unit == "percent" else scope_areas(self.plan, scope)
        return [e for a in areas for e in self.counting(ind, a, day)]

    def scope_dates(self, ind: Indicator, scope: str) -> list[date]:
        areas = [scope] if ind.unit == "percent" else scope_areas(self.plan, scope)
        return sorted({e.date for a in areas for e in self.of(ind.id, a)})


def bare(value: Exact | float) -> str:
    """5,200; 12.5; 0.33 (two decimals at most)."""
    v = round(to_float(value), 2)
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def amount(value: Exact | float, unit: str, lang: str) -> str:
    """A figure with its unit: 5,200人 / 5,200 people; 80%."""
    text = bare(value)
    if unit == "percent":
        return f"{text}%"
    u = UNITS[unit]
    return f"{text}{u.name}" if lang == "zh" else f"{text} {u.name_en}"


def whole(value: Exact | float, unit: str, how: Any = round) -> str:
    """A bare figure, a whole number for counts (``how``: round, or math.ceil / math.floor for
    the ends of a range, so that 0 never shows inside a range that starts at 0.3)."""
    return bare(how(value) if UNITS[unit].integer else value)


def indicator_name(plan: Plan, ind_id: str, lang: str) -> str:
    ind = plan.indicator(ind_id)
    return ind.name if lang == "zh" else ind.name_en


def scope_label(plan: Plan, scope: str, lang: str) -> str:
    if plan.is_group(scope):
        g = plan.group(scope)
        return g.name if lang == "zh" else g.name_en
    a = plan.area(scope)
    return a.name if lang == "zh" else a.name_en


def and_more(n: int, lang: str, zh: str, en: str) -> str:
    """How many other cases the finding stands for: (and 2 more dates), （另有2个日期）."""
    if n <= 0:
        return ""
    return f"（另有{n}{zh}）" if lang == "zh" else f" (and {n} more {en}{'s' if n > 1 else ''})"


def entry_ids(entries: Iterable[Entry]) -> tuple[int, ...]:
    return tuple(sorted({e.id for e in entries}))


def make_finding(
    plan: Plan,
    rule: str,
    severity: str,
    area: str,
    indicator: str,
    text: tuple[str, str],
    *,
    entries: Iterable[Entry] = (),
    value: Exact | float | None = None,
    expected: Exact | float | None = None,
    day: date | None = None,
) -> Finding:
    return Finding(
        rule=rule,
        severity=severity,
        area=area,
        indicator=indicator,
        task=plan.indicator(indicator).task,
        explanation=text[0],
        explanation_en=text[1],
        entries=entry_ids(entries),
        value=shown(value),
        expected=shown(expected),
        date=day,
    )

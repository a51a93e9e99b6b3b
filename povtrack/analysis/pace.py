"""Pace and forecast for one status row: what rate the due date needs, what rate the recent
weeks show, and where that rate leads. Pure; no I/O. Done or not is decided exactly (as the
status is); the rates are shown as floats.

- ``needed_per_week``: (target − actual) ÷ weeks from the as-of date to the due date; 0 once
  done (before or after the due date); None with no data, on or after the due date and not
  done (no week is left: the gap is what is missing), or for milestones and activities (they
  are not paced).
- ``recent_per_week``: the change of the scope's actual over its last four reported weeks (the
  last five reporting dates, or as many as there are, at least two), per week.
- ``projected``: actual + recent rate × weeks left to the due date (None past due).
- ``projected_date``: the date the target is reached at the recent rate; None when done, when
  the rate is not positive, or when it would take more than ten years.

For users: docs/rules.md, "Pace and forecast".
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction

from povtrack.analysis.measure import actual, scope_areas
from povtrack.exact import Exact, shown
from povtrack.ledger import Ledger
from povtrack.model import Indicator, Plan

RECENT_WEEKS = 4
_HORIZON_WEEKS = 520  # beyond ten years a "projected date" means nothing


@dataclass(frozen=True)
class Forecast:
    needed_per_week: float | None = None
    recent_per_week: float | None = None
    projected: float | None = None
    projected_date: date | None = None


def reported_dates(
    plan: Plan, ledger: Ledger, ind: Indicator, scope: str, as_of: date
) -> list[date]:
    """Every date up to ``as_of`` on which some area of the scope reported this indicator
    (for a ratio: its numerator or denominator)."""
    ids = [ind.numerator, ind.denominator] if ind.kind == "ratio" else [ind.id]
    days: set[date] = set()
    for ind_id in ids:
        # the reported quantity decides where to look: a rate reported as such is never
        # summed (only the scope's own), a ratio's parts come from every area of the scope
        unit = plan.indicator(ind_id).unit if ind_id else ind.unit
        areas = [scope] if unit == "percent" else scope_areas(plan, scope)
        for area in areas:
            dates = ledger.dates(ind_id or "", area)
            days.update(dates[: bisect_right(dates, as_of)])
    return sorted(days)


def recent_rate(
    plan: Plan, ledger: Ledger, ind: Indicator, scope: str, as_of: date
) -> Fraction | None:
    """The change per week over the last four reported weeks, exactly."""
    days = reported_dates(plan, ledger, ind, scope, as_of)[-(RECENT_WEEKS + 1) :]
    if len(days) < 2 or days[-1] == days[0]:
        return None
    first = actual(plan, ledger, ind, scope, days[0])
    last = actual(plan, ledger, ind, scope, days[-1])
    if first is None or last is None:
        return None
    return (last - first) / Fraction((days[-1] - days[0]).days, 7)


def forecast(
    plan: Plan,
    ledger: Ledger,
    ind: Indicator,
    scope: str,
    *,
    target: Exact | None,
    value: Exact | None,
    due: date | None,
    as_of: date,
) -> Forecast:
    """``target`` and ``value`` exact (``status_rows`` passes them); the figures as floats."""
    if ind.kind in ("milestone", "activity") or target is None or due is None or value is None:
        return Forecast()
    recent = recent_rate(plan, ledger, ind, scope, as_of)
    done = value >= target
    reach = None if done else _reach(value, target, recent, as_of)
    if as_of > due:
        return Forecast(0.0 if done else None, shown(recent), None, reach)
    weeks_left = Fraction((due - as_of).days, 7)
    if done:
        needed: Exact | None = 0
    else:
        needed = (target - value) / weeks_left if weeks_left > 0 else None
    projected = None if recent is None else value + recent * weeks_left
    return Forecast(shown(needed), shown(recent), shown(projected), reach)


def _reach(value: Exact, target: Exact, rate: Fraction | None, as_of: date) -> date | None:
    if rate is None or rate <= 0:
        return None
    weeks = (target - value) / rate
    if weeks > _HORIZON_WEEKS:
        return None
    return as_of + timedelta(days=round(weeks * 7))

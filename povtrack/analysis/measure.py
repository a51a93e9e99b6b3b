"""Measuring one target: which areas a scope covers, the actual figure as of a date, the share
of the way the calendar says it should be, and the status that judges the two; and every target
a plan and its allocations set.

Pure and exact (``povtrack.exact``): actuals are sums of the values as written, shares are
fractions, and a status compares them with no tolerance. ``analysis.status`` makes report rows
of these; ``analysis.pace`` forecasts from them. The rules: docs/rules.md.
"""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from povtrack.exact import Exact, exact, ratio
from povtrack.ledger import Ledger
from povtrack.model import Allocation, Indicator, Plan, Target, TargetSpec

# The one place the status thresholds live.
ON_TRACK_SHARE = 0.9  # on track: progress >= 0.9 x expected (compared as 9/10, exactly)


STATUSES = ("done", "on_track", "behind", "overdue", "no_data", "reported")


_ON_TRACK = exact(ON_TRACK_SHARE)


def scope_areas(plan: Plan, scope: str) -> list[str]:
    """The areas whose entries make up a scope: a group's members, or an area and all below."""
    if plan.is_group(scope):
        members: list[str] = []
        for m in plan.group(scope).members:
            members += [m, *plan.descendants(m)]
        return members
    return [scope, *plan.descendants(scope)]


def actual(plan: Plan, ledger: Ledger, ind: Indicator, scope: str, as_of: date) -> Exact | None:
    """Roll-up of a scope, exactly; None when no area in it has an entry. Ratios are Σnum ÷
    Σden × 100 (None while either side has no entry or the denominator is 0)."""
    if ind.kind == "ratio":
        assert ind.numerator and ind.denominator
        num = actual(plan, ledger, plan.indicator(ind.numerator), scope, as_of)
        den = actual(plan, ledger, plan.indicator(ind.denominator), scope, as_of)
        if num is None or den is None or den == 0:
            return None
        return ratio(num * 100, den)
    # A rate the areas report directly cannot be summed: it counts only where reported.
    areas = [scope] if ind.unit == "percent" else scope_areas(plan, scope)
    values = [v for a in areas if (v := ledger.area_actual(ind, a, as_of)) is not None]
    return sum(values) if values else None


def expected_share(start: date, due: date, as_of: date, milestone: bool) -> Fraction:
    """Share of the target that should be done by ``as_of``, exactly (a milestone: nothing
    until its due date, all of it from then; a window of zero days: all of it at once)."""
    if milestone:
        return Fraction(1 if as_of >= due else 0)
    window = (due - start).days
    if window <= 0:
        return Fraction(1)
    return Fraction(min(window, max(0, (as_of - start).days)), window)


def progress_of(value: Exact, target: Exact) -> Exact:
    """actual ÷ target, exactly; a target of 0 is met by any report (progress 1)."""
    return ratio(value, target) if target else 1


def judge(value: Exact | None, target: Exact, expected: Fraction, as_of: date, due: date) -> str:
    """The status rule, first that applies, on exact figures (no tolerance anywhere)."""
    if value is None:
        return "no_data"
    if value >= target:
        return "done"
    if as_of > due:
        return "overdue"
    if progress_of(value, target) >= _ON_TRACK * expected:
        return "on_track"
    return "behind"


def allocated_whole(plan: Plan, ind: Indicator, area: str) -> TargetSpec | None:
    """The target an allocation to ``area`` is a share of: the city's (its commit target
    first), else the first target on a group in total that has the area as a member."""
    city = sorted((t for t in ind.targets if t.scope == plan.root.id), key=lambda t: t.level)
    if city:
        return city[0]  # "commit" sorts before "stretch"
    groups = set(plan.groups_of(area))
    return next((t for t in ind.targets if t.scope in groups and not t.each), None)


def allocation_due(plan: Plan, ind: Indicator, alloc: Allocation) -> date:
    """An allocation's due: its own, a group rule for its area, that of the target it is a
    share of (``allocated_whole``), else the plan's."""
    if alloc.due:
        return alloc.due
    groups = plan.groups_of(alloc.area)
    for rule in ind.due_rules:
        if rule.group in groups:
            return rule.due
    whole = allocated_whole(plan, ind, alloc.area)
    return whole.due if whole is not None else plan.due


def all_targets(plan: Plan, allocations: list[Allocation]) -> list[Target]:
    """Plan targets plus allocations; the newest allocation for an (indicator, area) counts and
    replaces a plan target on that same area."""
    newest: dict[tuple[str, str], Allocation] = {}
    for alloc in [*plan.allocations, *allocations]:
        newest[(alloc.indicator, alloc.area)] = alloc
    planned = plan.plan_targets()
    rows = [t for t in planned if not (t.scope_kind == "area" and (t.indicator, t.scope) in newest)]
    for (ind_id, area), alloc in newest.items():
        ind = plan.indicator(ind_id)
        replaced = [t for t in planned if (t.indicator, t.scope) == (ind_id, area)]
        base = replaced[0] if replaced else None
        city = [t for t in planned if t.indicator == ind_id]
        rows.append(
            Target(
                indicator=ind_id,
                scope=area,
                scope_kind="area",
                value=alloc.value,
                fraction=alloc.fraction,
                due=allocation_due(plan, ind, alloc),
                level=(base or city[0]).level if (base or city) else "commit",
                citation=base.citation if base else "",
                group=base.group if base else None,
                source="allocation",
            )
        )
    return rows

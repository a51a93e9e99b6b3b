"""The arithmetic: actuals, progress, expected pace and status -> plain report rows.

Pure functions over model objects; no I/O. Every view (Rich table, JSON, exports) is made
from the rows returned here. The rules are written out in the README ("The rules").

Every decision is exact (``povtrack.exact``): actuals are sums of the values as written,
ratios and shares are fractions, and a status compares them with no tolerance. A status row
shows floats (rounded further by each view) and carries the exact figures in ``exact``.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction
from itertools import accumulate
from operator import lt
from typing import Any

from povtrack.exact import Exact, exact, ratio, shown
from povtrack.model import Allocation, Entry, Indicator, Plan, Target, TargetSpec

# The one place the status thresholds live.
ON_TRACK_SHARE = 0.9  # on track: progress >= 0.9 x expected (compared as 9/10, exactly)
STATUSES = ("done", "on_track", "behind", "overdue", "no_data", "reported")
_ON_TRACK = exact(ON_TRACK_SHARE)


@dataclass(frozen=True)
class ExactFigures:
    """A status row's figures exactly, as its status was decided from them."""

    target: Exact | None
    actual: Exact | None
    progress: Exact | None
    expected: Fraction | None


@dataclass(frozen=True)
class StatusRow:
    indicator: str
    task: int
    name: str
    name_en: str
    kind: str
    scope: str
    scope_kind: str
    group: str | None
    unit: str
    target: float | None
    actual: float | None
    progress: float | None
    expected: float | None
    gap: float | None
    status: str
    due: date | None
    level: str | None
    citation: str
    source: str  # "plan", "allocation" or "activity"
    # pace and forecast (povtrack.analysis.pace); None where not computable
    needed_per_week: float | None = None
    recent_per_week: float | None = None
    projected: float | None = None
    projected_date: date | None = None
    exact: ExactFigures | None = field(default=None, repr=False, compare=False)


class Ledger:
    """Entries indexed by (indicator, area): for each date the last recorded value counts."""

    def __init__(self, entries: list[Entry]) -> None:
        latest: dict[tuple[str, str, date], Entry] = {}
        for e in sorted(entries, key=lambda e: e.id):
            latest[(e.indicator, e.area, e.date)] = e
        series: dict[tuple[str, str], list[tuple[date, float]]] = defaultdict(list)
        for (ind, area, day), e in sorted(latest.items(), key=lambda kv: kv[0][2]):
            series[(ind, area)].append((day, e.value))
        self._dates = {k: [d for d, _ in v] for k, v in series.items()}
        self._values = {k: [x for _, x in v] for k, v in series.items()}
        self._sums: dict[tuple[str, str], list[Exact]] = {}  # increments' running sums, exact

    @classmethod
    def from_series(cls, series: Iterable[tuple[str, str, list[str], list[float]]]) -> Ledger:
        """The same ledger from columns: per (indicator, area), the ISO dates and values of
        the entries that count, in id order (so the last one for a date is the one that
        counts). Each distinct date is made once for the whole ledger."""
        ledger = cls([])
        days: dict[str, date] = {}
        for indicator, area, dates, values in series:
            if not dates:
                continue
            if all(map(lt, dates, dates[1:])):  # the usual case: one per date, in order
                texts, kept = dates, list(values)
            else:
                latest = dict(zip(dates, values, strict=True))
                texts = sorted(latest)  # ISO dates sort as text
                kept = [latest[t] for t in texts]
            try:
                made = list(map(days.__getitem__, texts))
            except KeyError:
                days.update((t, date.fromisoformat(t)) for t in texts if t not in days)
                made = list(map(days.__getitem__, texts))
            ledger._dates[(indicator, area)] = made
            ledger._values[(indicator, area)] = kept
        return ledger

    def dates(self, indicator: str, area: str) -> list[date]:
        """The dates with a value for this indicator and area, oldest first."""
        return self._dates.get((indicator, area), [])

    def values(self, indicator: str, area: str) -> list[float]:
        """The values that count, one per date of ``dates``, in the same order."""
        return self._values.get((indicator, area), [])

    def value_on(self, indicator: str, area: str, day: date) -> float | None:
        """The value that counts for exactly this date, if any."""
        key = (indicator, area)
        n = bisect_right(self._dates.get(key, []), day)
        if n and self._dates[key][n - 1] == day:
            return self._values[key][n - 1]
        return None

    def area_actual(self, ind: Indicator, area: str, as_of: date) -> Exact | None:
        """The area's own value as of a date, exactly: latest running total, or sum of
        increments."""
        key = (ind.id, area)
        dates = self._dates.get(key)
        if dates is None:
            return None
        n = bisect_right(dates, as_of)
        if n == 0:
            return None
        if ind.reporting == "increment":
            sums = self._sums.get(key)
            if sums is None:
                sums = self._sums[key] = list(accumulate(map(exact, self._values[key])))
            return sums[n - 1]
        value = self._values[key][n - 1]
        return value if type(value) is int else exact(value)


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


def _about(ind: Indicator) -> dict[str, Any]:
    """The fields of a status row that describe its indicator."""
    return {
        "indicator": ind.id,
        "task": ind.task,
        "name": ind.name,
        "name_en": ind.name_en,
        "kind": ind.kind,
        "unit": ind.unit,
    }


def default_as_of(plan: Plan, entries: list[Entry]) -> date:
    """The newest entry's date, or the plan's start on an empty database."""
    return max((e.date for e in entries), default=plan.start)


def status_rows(
    plan: Plan,
    entries: list[Entry] | Ledger,
    allocations: list[Allocation],
    as_of: date,
    *,
    task: int | None = None,
    scope: str | None = None,
) -> list[StatusRow]:
    """One row per target (and one per activity indicator), ordered by task and plan order.

    ``entries``: the entries that count, or their ledger when the store has built it."""
    from povtrack.analysis.pace import forecast  # pace builds on this module's arithmetic

    ledger = entries if isinstance(entries, Ledger) else Ledger(entries)
    order = {i.id: n for n, i in enumerate(plan.indicators)}
    scope_order = {a.id: n for n, a in enumerate(plan.areas)}
    scope_order.update({g.id: len(scope_order) + n for n, g in enumerate(plan.groups)})
    rows: list[StatusRow] = []
    for t in all_targets(plan, allocations):
        ind = plan.indicator(t.indicator)
        target = t.exact
        value = actual(plan, ledger, ind, t.scope, as_of)
        progress = None if value is None else progress_of(value, target)
        expected = expected_share(plan.start, t.due, as_of, ind.kind == "milestone")
        pace = forecast(
            plan, ledger, ind, t.scope, target=target, value=value, due=t.due, as_of=as_of
        )
        rows.append(
            StatusRow(
                **_about(ind),
                scope=t.scope,
                scope_kind=t.scope_kind,
                group=t.group,
                target=t.value,
                actual=shown(value),
                progress=shown(progress),
                expected=float(expected),
                gap=None if value is None else float(max(0, target - value)),
                status=judge(value, target, expected, as_of, t.due),
                due=t.due,
                level=t.level,
                citation=t.citation,
                source=t.source,
                **asdict(pace),
                exact=ExactFigures(target, value, progress, expected),
            )
        )
    where = scope or plan.root.id
    for ind in (i for i in plan.indicators if i.kind == "activity"):
        value = actual(plan, ledger, ind, where, as_of)
        rows.append(
            StatusRow(
                **_about(ind),
                scope=where,
                scope_kind="group" if plan.is_group(where) else "area",
                group=None,
                target=None,
                actual=shown(value),
                progress=None,
                expected=None,
                gap=None,
                status="no_data" if value is None else "reported",
                due=None,
                level=None,
                citation="",
                source="activity",
                exact=ExactFigures(None, value, None, None),
            )
        )
    if task is not None:
        rows = [r for r in rows if r.task == task]
    if scope is not None:
        rows = [r for r in rows if r.scope == scope]
    rows.sort(key=lambda r: (r.task, order[r.indicator], scope_order.get(r.scope, 0)))
    return rows

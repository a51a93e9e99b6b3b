"""Status rows: every target measured (``analysis.measure``) and forecast (``analysis.pace``)
as of a date, one plain row each.

Pure functions over model objects; no I/O. Every view (Rich table, JSON, exports) is made
from the rows returned here. The rules are written out in docs/rules.md.

Every decision is exact (``povtrack.exact``): actuals are sums of the values as written,
ratios and shares are fractions, and a status compares them with no tolerance. A status row
shows floats (rounded further by each view) and carries the exact figures in ``exact``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from fractions import Fraction
from typing import Any

from povtrack.analysis.measure import (
    actual,
    all_targets,
    expected_share,
    judge,
    progress_of,
)
from povtrack.analysis.pace import Forecast, forecast
from povtrack.exact import Exact, shown
from povtrack.ledger import Ledger
from povtrack.model import Allocation, Entry, Indicator, Plan


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
    pace: bool = True,
) -> list[StatusRow]:
    """One row per target (and one per activity indicator), ordered by task and plan order.

    ``entries``: the entries that count, or their ledger when the store has built it.
    ``pace=False``: without the pace and forecast (None), for a view that shows neither (the
    board): the recent rate is most of a status's arithmetic."""
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
        ahead = (
            forecast(plan, ledger, ind, t.scope, target=target, value=value, due=t.due, as_of=as_of)
            if pace
            else Forecast()
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
                **asdict(ahead),
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

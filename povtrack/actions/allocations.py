"""What ``povtrack target import`` does: a task breakdown (任务分解表, read by
``returns.breakdown``) checked as ``target set`` checks one allocation, then recorded as
allocations, each with who recorded it, when, and the file and line it came from.

All or nothing: any unreadable cell or any allocation ``target set`` would refuse (an activity,
the city itself, a due date outside the plan) and nothing is recorded. Allocations are recorded
as ``target set`` records them, one by one and not as a batch, so ``undo`` does not take them
back: a new allocation does (the newest counts). A row whose value and due date are already the
area's newest allocation is skipped as unchanged. What is worth a look is a warning, never a
refusal, since a breakdown may arrive county by county: a likely 万/亿 slip (``target set``'s
warning) and every finding of the plan's rules on the targets (allocations short of or above
the whole they share, sums of parts against wholes, ≤ rules) that the import brings. Nothing
here prints; the caller commits.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from povtrack.actions.writes import allocatable, allowed_due, not_the_city
from povtrack.analysis.meaning import Slip, allocation_slip
from povtrack.analysis.quality.check import check_plan_rules
from povtrack.analysis.quality.findings import Finding
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import Allocation, Plan
from povtrack.returns.breakdown import Breakdown, BreakdownRow, read_breakdown
from povtrack.storage.base import Backend


@dataclass(frozen=True)
class Planned:
    """One row of the breakdown and what it does."""

    row: BreakdownRow
    allocation: Allocation
    previous: Allocation | None  # the area's newest allocation before, if any
    status: str  # "new", "changed" or "unchanged" (skipped)
    slip: Slip | None  # a likely 万/亿 slip, as target set warns of it


@dataclass
class TargetImport:
    breakdown: Breakdown
    rows: list[Planned] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # new with this import
    recorded: int = 0  # 0 on a dry run

    @property
    def changes(self) -> list[Planned]:
        return [p for p in self.rows if p.status != "unchanged"]


def _checks(plan: Plan, row: BreakdownRow) -> list[str]:
    """``target set``'s own checks of an allocation, each problem at its cell."""
    checks: list[tuple[Callable[[], None], str]] = [
        (lambda: allocatable(plan.indicator(row.indicator)), "indicator"),
        (lambda: not_the_city(plan, row.area), "area"),
        (lambda: allowed_due(plan, row.due), "due"),
    ]
    problems = []
    for check, column in checks:
        try:
            check()
        except UsageError as exc:
            col = row.columns.get(column, row.columns["value"])
            problems.append(f"{row.source}:{col}: {exc.message}")
    return problems


def _line(name: str, problem: str) -> int:
    """The line a problem is at (``NAME:LINE:...``), 0 for the file's own."""
    m = re.match(re.escape(name) + r":(\d+)", problem)
    return int(m.group(1)) if m else 0


def _key(f: Finding) -> tuple[str, str, str, str]:
    return (f.rule, f.area, f.indicator, f.explanation_en)


def new_findings(plan: Plan, before: list[Allocation], after: list[Allocation]) -> list[Finding]:
    """The findings of the plan's rules on the targets with ``after`` that were not there, as
    they were, with ``before``: what the new allocations bring (or change)."""
    known = {_key(f) for f in check_plan_rules(plan, before)}
    return [f for f in check_plan_rules(plan, after) if _key(f) not in known]


def import_breakdown(
    store: Backend,
    path: Path,
    *,
    by: str,
    encoding: str | None = None,
    dry_run: bool = False,
) -> TargetImport:
    """Read, check and (unless ``dry_run``) record a task breakdown."""
    plan = store.plan
    breakdown, problems = read_breakdown(path, plan, encoding=encoding)
    for row in breakdown.rows:
        problems += _checks(plan, row)
    problems.sort(key=lambda p: _line(breakdown.name, p))  # stable: a line's own order kept
    if problems:
        raise UsageError(
            tr(
                f"target import 已拒绝，未写入任何内容：{len(problems)} 个问题",
                f"target import refused, nothing written: {len(problems)} problem(s)",
            ),
            details=problems,
        )
    result = TargetImport(breakdown)
    before = store.allocations()
    newest = {(a.indicator, a.area): a for a in [*plan.allocations, *before]}
    after = list(before)
    for row in breakdown.rows:
        alloc = Allocation(row.indicator, row.area, row.value, row.due, row.note)
        previous = newest.get((row.indicator, row.area))
        if previous is None:
            status = "new"
        elif previous.exact == alloc.exact and previous.due == alloc.due:
            status = "unchanged"
        else:
            status = "changed"
        slip = None
        if status != "unchanged":
            slip = allocation_slip(plan, after, plan.indicator(row.indicator), row.area, row.value)
            after.append(alloc)
        result.rows.append(Planned(row, alloc, previous, status, slip))
    result.findings = new_findings(plan, before, after)
    if not dry_run:
        for p in result.changes:
            store.add_allocation(p.allocation, by=by, source=f"target import {p.row.source}")
        result.recorded = len(result.changes)
    return result

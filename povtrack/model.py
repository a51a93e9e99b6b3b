"""The nouns of povtrack as frozen dataclasses: plan, area, group, task, indicator, target, entry.

Standard library only. Values are kept in base units (yuan, people, mu, kW, ...); rates and ratios
in percent (80 means 80%). A target or allocation the plan writes as a fraction "P/Q" keeps it
exactly (``fraction``) beside its nearest float (``value``, for showing it). For users:
docs/plan.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import cached_property
from typing import Any

from povtrack.exact import Exact
from povtrack.exact import exact as exact_value

AREA_KINDS = ("city", "county", "district", "township", "village")
INDICATOR_KINDS = ("quantity", "ratio", "milestone", "activity")
REPORTING = ("cumulative", "increment")
LEVELS = ("commit", "stretch")
# Plan rules ([[rules]]): "sum" (whole = Σ parts), "le" (left ≤ right) and "check" (the
# severity of one of povtrack.analysis.quality.check's built-in checks, or "off").
RULE_KINDS = ("sum", "le", "check")
SEVERITIES = ("error", "warning")
# The built-in checks of povtrack.analysis.quality.check, by the rule id their findings carry.
CHECK_IDS = (
    "ratio-bounds",
    "rate-range",
    "allocations-total",
    "running-total-down",
    "unusual-increment",
    "far-above-target",
    "on-target-at-due",
    "late-rush",
    "stale-value",
    "copied-series",
    "milestone-no-note",
    "uncountable-entry",
)


# an entry that counts as a report's digest takes it: id, indicator, area, ISO date, value
Digestible = tuple[int, str, str, str, Any]


@dataclass(frozen=True)
class Unit:
    code: str
    name: str  # Simplified Chinese label
    name_en: str
    integer: bool  # counts of things must be whole numbers


UNITS: dict[str, Unit] = {
    u.code: u
    for u in (
        Unit("people", "人", "people", True),
        Unit("households", "户", "households", True),
        Unit("villages", "个村", "villages", True),
        Unit("counties", "个县", "counties", True),
        Unit("stations", "座", "stations", True),
        Unit("projects", "个", "projects", True),
        Unit("organisations", "个单位", "organisations", True),
        Unit("events", "次", "events", True),
        Unit("kW", "千瓦", "kW", False),
        Unit("mu", "亩", "mu", False),
        Unit("yuan", "元", "yuan", False),
        Unit("percent", "%", "%", False),
    )
}


@dataclass(frozen=True)
class Area:
    id: str
    name: str  # Simplified Chinese
    name_hant: str  # Traditional Chinese
    name_en: str
    kind: str
    parent: str | None = None
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Group:
    id: str
    name: str
    name_en: str
    members: tuple[str, ...]
    name_hant: str = ""
    note: str = ""


@dataclass(frozen=True)
class Task:
    number: int
    name: str
    name_en: str


def as_written(value: float | Fraction) -> tuple[float, Fraction | None]:
    """A value as written -> (``value``, ``fraction``) of a target or an allocation: a Fraction
    is kept exactly in ``fraction`` and shown as its float in ``value``."""
    return (float(value), value) if isinstance(value, Fraction) else (value, None)


class _Valued:
    """``value`` as given (a number, or a Fraction: kept in ``fraction``, shown as a float)."""

    value: float
    fraction: Fraction | None

    def __post_init__(self) -> None:
        value, fraction = as_written(self.value)
        if fraction is not None:
            object.__setattr__(self, "fraction", fraction)
            object.__setattr__(self, "value", value)

    @property
    def exact(self) -> Exact:
        """The value as written: what every comparison and sum uses."""
        return exact_value(self.fraction if self.fraction is not None else self.value)


@dataclass(frozen=True)
class TargetSpec(_Valued):
    """A target as the plan file writes it: on one area, a group in total, or each member."""

    scope: str
    value: float
    due: date
    level: str = "commit"
    citation: str = ""
    each: bool = False
    fraction: Fraction | None = None  # the value exactly, when written as "P/Q"


@dataclass(frozen=True)
class DueRule:
    """A due date for allocations to the members of a group (e.g. two years' work in one)."""

    group: str
    due: date
    citation: str = ""


@dataclass(frozen=True)
class Indicator:
    id: str
    task: int
    name: str
    name_en: str
    unit: str
    kind: str = "quantity"
    reporting: str = "cumulative"
    numerator: str | None = None
    denominator: str | None = None
    targets: tuple[TargetSpec, ...] = ()
    due_rules: tuple[DueRule, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Target(_Valued):
    """One target row: an indicator on one scope with its value and due date."""

    indicator: str
    scope: str
    scope_kind: str  # "area" or "group" (a group in total)
    value: float
    due: date
    level: str = "commit"
    citation: str = ""
    group: str | None = None  # set when the row is one member of an "each member" target
    source: str = "plan"  # "plan" or "allocation"
    fraction: Fraction | None = None  # the value exactly, when written as "P/Q"


@dataclass(frozen=True)
class Allocation(_Valued):
    """A city target's share given to one area; the newest for an (indicator, area) counts."""

    indicator: str
    area: str
    value: float
    due: date | None = None
    note: str = ""
    fraction: Fraction | None = None  # the value exactly, when written as "P/Q"


@dataclass(frozen=True)
class Rule:
    """A rule of the plan: ``sum`` (whole = Σ parts, within ``tolerance``), ``le`` (left ≤
    right + ``tolerance``), or ``check`` (``id`` names a built-in check and ``severity`` is
    its severity, or "off"; ``indicators``, when given, limits that to those indicators)."""

    id: str
    kind: str
    severity: str = "error"
    whole: str | None = None
    parts: tuple[str, ...] = ()
    left: str | None = None
    right: str | None = None
    tolerance: float | Fraction = 0.0  # compared exactly (``povtrack.exact``)
    indicators: tuple[str, ...] = ()
    note: str = ""


@dataclass(frozen=True)
class Plan:
    id: str
    name: str
    name_en: str
    start: date
    due: date
    source: str
    areas: tuple[Area, ...]
    groups: tuple[Group, ...]
    tasks: tuple[Task, ...]
    indicators: tuple[Indicator, ...]
    allocations: tuple[Allocation, ...] = ()
    rules: tuple[Rule, ...] = ()

    @cached_property
    def areas_by_id(self) -> dict[str, Area]:
        return {a.id: a for a in self.areas}

    @cached_property
    def groups_by_id(self) -> dict[str, Group]:
        return {g.id: g for g in self.groups}

    @cached_property
    def indicators_by_id(self) -> dict[str, Indicator]:
        return {i.id: i for i in self.indicators}

    @property
    def root(self) -> Area:
        return next(a for a in self.areas if a.parent is None)

    def area(self, area_id: str) -> Area:
        return self.areas_by_id[area_id]

    def group(self, group_id: str) -> Group:
        return self.groups_by_id[group_id]

    def indicator(self, indicator_id: str) -> Indicator:
        return self.indicators_by_id[indicator_id]

    def task(self, number: int) -> Task:
        return {t.number: t for t in self.tasks}[number]

    def is_group(self, scope: str) -> bool:
        return scope in self.groups_by_id

    def groups_of(self, area_id: str) -> list[str]:
        return [g.id for g in self.groups if area_id in g.members]

    @cached_property
    def _children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {}
        for a in self.areas:
            if a.parent is not None:
                children.setdefault(a.parent, []).append(a.id)
        return children

    def descendants(self, area_id: str) -> list[str]:
        """The areas below ``area_id`` (not itself), depth first."""
        known = self._below.get(area_id)
        if known is None:
            out: list[str] = []
            for child in self._children.get(area_id, []):
                out += [child, *self.descendants(child)]
            known = self._below[area_id] = tuple(out)
        return list(known)

    @cached_property
    def _below(self) -> dict[str, tuple[str, ...]]:
        """``descendants`` worked out once per area (a status asks for them per target)."""
        return {}

    @cached_property
    def last_due(self) -> date:
        dues = [self.due]
        for ind in self.indicators:
            dues += [t.due for t in ind.targets] + [r.due for r in ind.due_rules]
        dues += [a.due for a in self.allocations if a.due]
        return max(dues)

    def plan_targets(self) -> list[Target]:
        """Every target of the plan file, "each member" targets expanded to one row per area."""
        rows: list[Target] = []
        for ind in self.indicators:
            for spec in ind.targets:
                places: list[tuple[str, str, str | None]]  # (scope, its kind, its group)
                if spec.each:
                    places = [(m, "area", spec.scope) for m in self.group(spec.scope).members]
                else:
                    kind = "group" if self.is_group(spec.scope) else "area"
                    places = [(spec.scope, kind, None)]
                for scope, scope_kind, group in places:
                    rows.append(
                        Target(
                            ind.id,
                            scope,
                            scope_kind,
                            citation=spec.citation,
                            group=group,
                            value=spec.value,
                            fraction=spec.fraction,
                            due=spec.due,
                            level=spec.level,
                        )
                    )
        return rows


@dataclass(frozen=True)
class Entry:
    """One reported number. Append-only: a later entry for the same key supersedes, never edits."""

    id: int
    indicator: str
    area: str
    date: date
    value: float
    note: str = ""
    source: str = ""
    recorded_at: str = ""
    by: str = ""
    batch: str = ""
    corrects: int | None = None  # a correction: the id of the entry it supersedes
    reason: str = ""  # why a correction was made
    # the name the client gave (--by) where the author is the server's login (PostgreSQL);
    # None where the author is that name itself (JSON, SQLite)
    on_behalf_of: str | None = None

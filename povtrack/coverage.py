"""Who reported what, and how a number was made: gaps in a week (``missing``), reporting rates
over weeks (``completeness``), late entries (``late_entries``) and the working behind one status
row (``explain``). Pure: no I/O, no Rich; every number comes from ``progress``.

**Who is expected to report what.** The reporting areas are the counties and districts
(``REPORTING_KINDS``; never the city). An entry of an area below one (a township) counts for it.
Only reported quantities are expected: a ratio is never reported, its numerator and
denominator are. A reporting area is expected to report an indicator in a week when

1. it has a target on it: its own plan target, an allocation (``target set``), or a target on
   a group it is in (each member, or the group in total); a target on a ratio is a target on
   its numerator and its denominator; or
2. the indicator is a city-wide figure the counties report — not a rate (unit ``percent``),
   and either targeted on the city (itself or through a ratio) or not targeted anywhere (an
   activity, say) — and some county or district has reported it on or before the end of
   that week. The city's figure is the sum of theirs, so every one of them is wanted.

An indicator targeted only on some areas or groups (a milestone of the six poor counties, a
rate of the four relocation areas) is expected only of them.

**Reported in a week**: an entry for the indicator by the area (or an area below it) dated
Monday to Sunday of that ISO week (in ``completeness`` the last week ends at the as-of date).
A gap is a gap: it is listed, never counted as a zero.

**Late**: an entry recorded (``recorded_at``, a UTC timestamp; its UTC calendar date) more than
``LATE_DAYS`` (14) days after its date. Late entries still count as reported.

**Completeness**: for each reporting area and week, reported ÷ expected (the expected
indicators that were reported); the area's total over the weeks and the week's total over the
areas are Σ reported ÷ Σ expected, never an average of rates. No expectation: rate None.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from povtrack.dates import iso_week
from povtrack.export import entry_json, num, scope_names
from povtrack.model import Allocation, Entry, Indicator, Plan
from povtrack.progress import (
    ON_TRACK_SHARE,
    Ledger,
    StatusRow,
    actual,
    all_targets,
    scope_areas,
    status_rows,
)
from povtrack.sheet import Column, Sheet

REPORTING_KINDS = ("county", "district")  # the areas expected to report; never the city
LATE_DAYS = 14
DEFAULT_WEEKS = 8
GREEN, YELLOW = 0.9, 0.5  # completeness colours: >= 90 % green, >= 50 % yellow, else red


# ---------------------------------------------------------------------------- late entries


def recorded_day(e: Entry) -> date | None:
    """The UTC calendar date an entry was recorded, or None when its stamp is missing or bad."""
    text = (e.recorded_at or "").strip()
    if not text:
        return None
    try:
        stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if stamp.tzinfo is not None:  # a naive stamp is taken as UTC already
        stamp = stamp.astimezone(UTC)
    return stamp.date()


def is_late(e: Entry, days: int = LATE_DAYS) -> bool:
    """Recorded more than ``days`` days after its date (an entry without a stamp is not)."""
    day = recorded_day(e)
    return day is not None and (day - e.date).days > days


def late_entries(entries: list[Entry], days: int = LATE_DAYS) -> list[Entry]:
    """The entries recorded more than ``days`` days after their date, in the given order."""
    return [e for e in entries if is_late(e, days)]


# ---------------------------------------------------------------------------- expectations


def reporting_areas(plan: Plan) -> list[str]:
    """The counties and districts, in plan order."""
    return [a.id for a in plan.areas if a.kind in REPORTING_KINDS]


def reported_parts(ind: Indicator) -> list[str]:
    """What is reported for an indicator: itself, or a ratio's numerator and denominator."""
    if ind.kind == "ratio":
        return [x for x in (ind.numerator, ind.denominator) if x]
    return [ind.id]


@dataclass(frozen=True)
class Expectations:
    """Which indicators each reporting area owes (see the module docstring)."""

    plan: Plan
    by_target: dict[str, frozenset[str]]  # area -> indicators it has a target on
    city_wide: frozenset[str]  # indicators the counties report for the city's figure
    first_reported: dict[str, date]  # city-wide indicator -> first date a county reported it
    owner: dict[str, str]  # any area at or below a reporting area -> that reporting area

    def expected(self, area: str, end: date) -> list[str]:
        """The indicators ``area`` owes in a period ending ``end``, in plan order."""
        owed = set(self.by_target.get(area, ()))
        owed |= {i for i in self.city_wide if self.first_reported.get(i, date.max) <= end}
        return [i.id for i in self.plan.indicators if i.id in owed]

    def rule(self, area: str, indicator: str) -> str:
        """Why an area owes an indicator: "target" or "city-wide"."""
        return "target" if indicator in self.by_target.get(area, ()) else "city-wide"


def expectations(plan: Plan, entries: list[Entry], allocations: list[Allocation]) -> Expectations:
    reporting = reporting_areas(plan)
    owner: dict[str, str] = {}
    for area in reporting:
        for a in scope_areas(plan, area):
            owner.setdefault(a, area)
    by_target: dict[str, set[str]] = defaultdict(set)
    on_city: set[str] = set()
    targeted: set[str] = set()
    for t in all_targets(plan, allocations):
        parts = reported_parts(plan.indicator(t.indicator))
        targeted.update(parts)
        if t.scope == plan.root.id:
            on_city.update(parts)
            continue
        for a in scope_areas(plan, t.scope):
            if a in owner:
                by_target[owner[a]].update(parts)
    city_wide = frozenset(
        i.id
        for i in plan.indicators
        if i.kind != "ratio" and i.unit != "percent" and (i.id in on_city or i.id not in targeted)
    )
    first: dict[str, date] = {}
    for e in entries:
        if e.indicator in city_wide and e.area in owner:
            first[e.indicator] = min(e.date, first.get(e.indicator, e.date))
    return Expectations(
        plan,
        {a: frozenset(s) for a, s in by_target.items()},
        city_wide,
        first,
        owner,
    )


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Gap:
    indicator: str
    last_reported: date | None  # the area's newest entry for it up to the end of the period


@dataclass(frozen=True)
class AreaPeriod:
    """One reporting area in one period (a week, or the last week up to the as-of date)."""

    area: str
    expected: list[str]
    reported: list[str]  # the expected indicators it reported
    gaps: list[Gap]
    late: int  # its entries dated in the period and recorded late

    @property
    def rate(self) -> float | None:
        return len(self.reported) / len(self.expected) if self.expected else None


class _Index:
    """The entry dates of each reporting area, by indicator, and of its late entries."""

    def __init__(self, exp: Expectations, entries: list[Entry], late_days: int) -> None:
        self.dates: dict[tuple[str, str], list[date]] = defaultdict(list)
        self.late: dict[str, list[date]] = defaultdict(list)
        for e in sorted(entries, key=lambda e: (e.date, e.id)):
            area = exp.owner.get(e.area)
            if area is None:
                continue
            self.dates[(area, e.indicator)].append(e.date)
            if is_late(e, late_days):
                self.late[area].append(e.date)

    def reported_in(self, area: str, indicator: str, start: date, end: date) -> bool:
        days = self.dates.get((area, indicator), [])
        n = bisect_right(days, end)
        return n > 0 and days[n - 1] >= start

    def last_on_or_before(self, area: str, indicator: str, end: date) -> date | None:
        days = self.dates.get((area, indicator), [])
        n = bisect_right(days, end)
        return days[n - 1] if n else None

    def late_in(self, area: str, start: date, end: date) -> int:
        days = self.late.get(area, [])
        return bisect_right(days, end) - bisect_left(days, start)


def _period(exp: Expectations, index: _Index, area: str, start: date, end: date) -> AreaPeriod:
    owed = exp.expected(area, end)
    reported = [i for i in owed if index.reported_in(area, i, start, end)]
    done = set(reported)
    gaps = [Gap(i, index.last_on_or_before(area, i, end)) for i in owed if i not in done]
    return AreaPeriod(area, owed, reported, gaps, index.late_in(area, start, end))


# ---------------------------------------------------------------------------- missing


@dataclass(frozen=True)
class Missing:
    week: str
    start: date  # Monday
    end: date  # Sunday
    areas: list[AreaPeriod]  # every reporting area, plan order

    @property
    def with_gaps(self) -> list[AreaPeriod]:
        return [a for a in self.areas if a.gaps]


def missing(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    day: date,
    *,
    late_days: int = LATE_DAYS,
) -> Missing:
    """The gaps of the ISO week holding ``day`` (Monday to Sunday)."""
    exp = expectations(plan, entries, allocations)
    index = _Index(exp, entries, late_days)
    start = monday_of(day)
    end = start + timedelta(days=6)
    areas = [_period(exp, index, a, start, end) for a in reporting_areas(plan)]
    return Missing(iso_week(start), start, end, areas)


def _area_about(plan: Plan, area: str) -> dict[str, Any]:
    a = plan.area(area)
    return {"area": area, "name": a.name, "name_en": a.name_en}


def missing_json(plan: Plan, m: Missing) -> dict[str, Any]:
    def gap(g: Gap) -> dict[str, Any]:
        ind = plan.indicator(g.indicator)
        return {
            "indicator": ind.id,
            "name": ind.name,
            "name_en": ind.name_en,
            "last_reported": g.last_reported.isoformat() if g.last_reported else None,
        }

    def counts(a: AreaPeriod) -> dict[str, Any]:
        return {"expected": len(a.expected), "reported": len(a.reported), "late": a.late}

    return {
        "week": m.week,
        "from": m.start.isoformat(),
        "to": m.end.isoformat(),
        "plan": plan.id,
        "missing": [
            {**_area_about(plan, a.area), **counts(a), "indicators": [gap(g) for g in a.gaps]}
            for a in m.with_gaps
        ],
        "areas": [
            {**_area_about(plan, a.area), **counts(a), "missing": len(a.gaps)} for a in m.areas
        ],
        "summary": {
            "areas": len(m.with_gaps),
            "gaps": sum(len(a.gaps) for a in m.areas),
            "late": sum(a.late for a in m.areas),
        },
    }


def missing_sheet(plan: Plan, m: Missing, lang: str = "en") -> Sheet:
    """One row per gap: the same as the JSON's ``missing[].indicators[]``, with the area."""
    data = missing_json(plan, m)
    zh = lang == "zh"
    name = "name" if zh else "name_en"
    rows = [
        {
            "area": a["area"],
            "area_name": a[name],
            "indicator": g["indicator"],
            "indicator_name": g[name],
            "last_reported": g["last_reported"],
        }
        for a in data["missing"]
        for g in a["indicators"]
    ]
    columns = [
        Column("area", "地区编号", "Area id"),
        Column("area_name", "地区", "Area"),
        Column("indicator", "指标编号", "Indicator id"),
        Column("indicator_name", "指标", "Indicator"),
        Column("last_reported", "最近报送", "Last reported", "date"),
    ]
    s = data["summary"]
    notes = [
        f"{m.week} ({data['from']} – {data['to']})",
        (
            f"{s['areas']} 个县区未报 {s['gaps']} 项；迟报 {s['late']} 条"
            if zh
            else f"{s['areas']} areas, {s['gaps']} gaps; {s['late']} late entries"
        ),
    ]
    return Sheet(
        "missing", f"{m.week} 未报送", f"Not reported in {m.week}", columns, rows, notes=notes
    )


# ---------------------------------------------------------------------------- completeness


@dataclass(frozen=True)
class Tally:
    reported: int = 0
    expected: int = 0
    late: int = 0

    @property
    def rate(self) -> float | None:
        return self.reported / self.expected if self.expected else None

    def __add__(self, other: Tally) -> Tally:
        return Tally(
            self.reported + other.reported, self.expected + other.expected, self.late + other.late
        )


@dataclass(frozen=True)
class Week:
    label: str  # "2018-W23"
    start: date  # Monday
    end: date  # Sunday, or the as-of date in the as-of week


@dataclass(frozen=True)
class GridRow:
    area: str | None  # None: the total row
    cells: list[Tally]  # one per week
    total: Tally


@dataclass(frozen=True)
class Completeness:
    as_of: date
    weeks: list[Week]
    rows: list[GridRow]
    total: GridRow


def grid_weeks(plan: Plan, as_of: date, n: int) -> list[Week]:
    """The last ``n`` ISO weeks ending with the as-of week (cut at the as-of date), none before
    the week of the plan's start."""
    last = monday_of(as_of)
    first_allowed = monday_of(plan.start)
    out: list[Week] = []
    for k in range(n - 1, -1, -1):
        start = last - timedelta(days=7 * k)
        if start < first_allowed:
            continue
        out.append(Week(iso_week(start), start, min(start + timedelta(days=6), as_of)))
    return out


def completeness(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    as_of: date,
    *,
    weeks: int = DEFAULT_WEEKS,
    late_days: int = LATE_DAYS,
) -> Completeness:
    exp = expectations(plan, entries, allocations)
    index = _Index(exp, entries, late_days)
    span = grid_weeks(plan, as_of, weeks)
    rows: list[GridRow] = []
    for area in reporting_areas(plan):
        cells = []
        for w in span:
            p = _period(exp, index, area, w.start, w.end)
            cells.append(Tally(len(p.reported), len(p.expected), p.late))
        rows.append(GridRow(area, cells, sum(cells, Tally())))
    columns = [sum((r.cells[k] for r in rows), Tally()) for k in range(len(span))]
    total = GridRow(None, columns, sum(columns, Tally()))
    return Completeness(as_of, span, rows, total)


def _rate(x: float | None) -> float | None:
    return None if x is None else round(x, 6)


def tally_json(t: Tally) -> dict[str, Any]:
    return {"reported": t.reported, "expected": t.expected, "rate": _rate(t.rate), "late": t.late}


TOTAL_NAME = ("合计", "Total")


def completeness_json(plan: Plan, c: Completeness) -> dict[str, Any]:
    def row(r: GridRow) -> dict[str, Any]:
        about = (
            _area_about(plan, r.area)
            if r.area
            else {"area": None, "name": TOTAL_NAME[0], "name_en": TOTAL_NAME[1]}
        )
        return {
            **about,
            "cells": {w.label: tally_json(t) for w, t in zip(c.weeks, r.cells, strict=True)},
            "total": tally_json(r.total),
        }

    return {
        "as_of": c.as_of.isoformat(),
        "plan": plan.id,
        "weeks": [w.label for w in c.weeks],
        "periods": {
            w.label: {"from": w.start.isoformat(), "to": w.end.isoformat()} for w in c.weeks
        },
        "rows": [row(r) for r in c.rows],
        "total": row(c.total),
    }


def completeness_sheet(plan: Plan, c: Completeness, lang: str = "en") -> Sheet:
    """Areas down, weeks across (rates as shares), the area's total rate, reported, expected
    and late over the weeks; the 合计 row is the JSON's ``total``."""
    data = completeness_json(plan, c)
    zh = lang == "zh"
    name = "name" if zh else "name_en"
    columns = [
        Column("area", "地区编号", "Area id"),
        Column("area_name", "地区", "Area"),
        *[Column(w, w, w, "share") for w in data["weeks"]],
        Column("rate", "合计报送率", "Total rate", "share"),
        Column("reported", "已报", "Reported", "integer"),
        Column("expected", "应报", "Expected", "integer"),
        Column("late", "迟报", "Late", "integer"),
    ]

    def flat(r: dict[str, Any], total: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {
            "area": None if total else r["area"],
            "area_name": None if total else r[name],
        }
        for w in data["weeks"]:
            out[w] = r["cells"][w]["rate"]
        out["rate"] = r["total"]["rate"]
        for k in ("reported", "expected", "late"):
            out[k] = r["total"][k]
        return out

    weeks = data["weeks"]
    span = f"{weeks[0]} – {weeks[-1]}" if weeks else ""
    return Sheet(
        "completeness",
        "报送完整率",
        "Reporting completeness",
        columns,
        [flat(r) for r in data["rows"]],
        total=flat(data["total"], total=True),
        notes=[span, f"{'截至' if zh else 'as of'} {data['as_of']}", plan.id],
    )


# ---------------------------------------------------------------------------- explain


@dataclass(frozen=True)
class AreaPart:
    """One area's share of a roll-up: its value as of the date and the entries that make it."""

    area: str
    value: float | None
    entries: list[Entry]  # the entry that counts (running total), or every increment
    superseded: int  # entries on the same dates replaced by a later record (kept in the log)


@dataclass(frozen=True)
class RollUp:
    indicator: Indicator
    actual: float | None
    areas: list[AreaPart]
    summed: bool  # False: a rate reported directly, never summed (only the scope's own)


@dataclass(frozen=True)
class Explained:
    """One status row, taken apart (``row`` None: no target on that scope)."""

    row: StatusRow | None
    target_from: dict[str, Any] | None  # where the target and its due date come from


@dataclass(frozen=True)
class Explanation:
    indicator: Indicator
    scope: str
    scope_kind: str
    as_of: date
    start: date
    actual: float | None
    rollup: RollUp | None  # None for a ratio
    numerator: RollUp | None
    denominator: RollUp | None
    rows: list[Explained] = field(default_factory=list)


def _counting(entries: list[Entry], ind: Indicator, area: str, as_of: date) -> tuple[list, int]:
    """The entries behind ``Ledger.area_actual``: for each date the last recorded one; a
    running total counts only on its newest date, increments on every date."""
    mine = sorted(
        (e for e in entries if e.indicator == ind.id and e.area == area and e.date <= as_of),
        key=lambda e: e.id,
    )
    latest: dict[date, Entry] = {}
    for e in mine:
        latest[e.date] = e
    ordered = [latest[d] for d in sorted(latest)]
    superseded = len(mine) - len(ordered)
    if ind.reporting == "cumulative":
        return ordered[-1:], superseded
    return ordered, superseded


def rollup(
    plan: Plan, entries: list[Entry], ledger: Ledger, ind: Indicator, scope: str, as_of: date
) -> RollUp:
    summed = ind.unit != "percent"
    areas = scope_areas(plan, scope) if summed else [scope]
    parts = []
    for a in areas:
        used, superseded = _counting(entries, ind, a, as_of)
        parts.append(AreaPart(a, ledger.area_actual(ind, a, as_of), used, superseded))
    return RollUp(ind, actual(plan, ledger, ind, scope, as_of), parts, summed)


def _target_from(
    plan: Plan, allocations: list[Allocation], row: StatusRow
) -> dict[str, Any] | None:
    if row.source == "activity":
        return None
    if row.source != "allocation":
        return {"source": "plan", "due_from": "plan", "citation": row.citation}
    newest = None
    for alloc in [*plan.allocations, *allocations]:
        if (alloc.indicator, alloc.area) == (row.indicator, row.scope):
            newest = alloc
    out: dict[str, Any] = {"source": "allocation", "citation": row.citation}
    ind = plan.indicator(row.indicator)
    if newest is not None and newest.due:
        out["due_from"] = "allocation"
    else:
        groups = plan.groups_of(row.scope)
        rule = next((r for r in ind.due_rules if r.group in groups), None)
        city = [t for t in ind.targets if t.scope == plan.root.id]
        if rule is not None:
            out |= {"due_from": "group_rule", "due_rule_group": rule.group}
            if rule.citation:
                out["due_rule_citation"] = rule.citation
        elif city:
            out["due_from"] = "city_target"
        else:
            out["due_from"] = "plan_due"
    if newest is not None and newest.note:
        out["note"] = newest.note
    return out


def explain(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    ind: Indicator,
    scope: str,
    as_of: date,
) -> Explanation:
    """The status rows of ``ind`` on ``scope`` as of a date (exactly ``status_rows``'s, so
    ``status --json`` shows the same numbers) with the entries and arithmetic behind them."""
    ledger = Ledger(entries)
    rows = [
        r
        for r in status_rows(plan, entries, allocations, as_of, scope=scope)
        if r.indicator == ind.id
    ]
    if ind.kind == "ratio":
        assert ind.numerator and ind.denominator
        num_part = rollup(plan, entries, ledger, plan.indicator(ind.numerator), scope, as_of)
        den_part = rollup(plan, entries, ledger, plan.indicator(ind.denominator), scope, as_of)
        main = None
    else:
        num_part = den_part = None
        main = rollup(plan, entries, ledger, ind, scope, as_of)
    explained = [Explained(r, _target_from(plan, allocations, r)) for r in rows]
    if not explained:
        explained = [Explained(None, None)]
    return Explanation(
        ind,
        scope,
        "group" if plan.is_group(scope) else "area",
        as_of,
        plan.start,
        actual(plan, ledger, ind, scope, as_of),
        main,
        num_part,
        den_part,
        explained,
    )


def fmt_number(x: float | None, places: int = 6) -> str:
    """A plain number for the working: 0.42, 1500, 0.405 (no thousands separators)."""
    if x is None:
        return "none"
    v = num(round(x, places))
    if isinstance(v, int):
        return str(v)
    return f"{v:.{places}f}".rstrip("0").rstrip(".")


_RULE_WORDS = {
    "progress": ("完成进度", "progress"),
    "expected": ("应完成", "expected"),
    "actual": ("累计完成", "actual"),
    "target": ("目标", "target"),
    "status.done": ("已完成", "done"),
    "status.on_track": ("进度正常", "on_track"),
    "status.behind": ("滞后", "behind"),
    "status.overdue": ("逾期未完成", "overdue"),
    "status.no_data": ("未报送", "no_data"),
    "status.reported": ("已报送", "reported"),
}


def rule_text(ind: Indicator, row: StatusRow | None, as_of: date, lang: str = "en") -> str:
    """The rule that gave the row its status, with its numbers (the first rule that applies,
    as ``progress.judge`` applies them)."""
    zh = lang == "zh"

    def w(key: str) -> str:
        return _RULE_WORDS[key][0 if zh else 1]

    day = as_of.isoformat()
    if row is None:
        return "该范围无此指标的目标，无状态" if zh else "no target on this scope: no status"
    status = row.status
    head = f"{w('status.' + status)}{'：' if zh else ': '}"
    if status == "reported":
        tail = (
            f"活动类指标，{day} 前范围内有填报（无目标）"
            if zh
            else f"an activity with entries in scope on or before {day} (no target)"
        )
    elif status == "no_data":
        if ind.kind == "ratio":
            tail = (
                f"截至 {day}，分子或分母无填报，或分母为0"
                if zh
                else f"the numerator or the denominator has no entry on or before {day}, "
                "or the denominator is 0"
            )
        else:
            tail = (
                f"截至 {day} 范围内无填报（未报送不计为0）"
                if zh
                else f"no entry in scope on or before {day} (not reported is never zero)"
            )
    elif status == "done":
        tail = f"{w('actual')} {fmt_number(row.actual)} ≥ {w('target')} {fmt_number(row.target)}"
    elif status == "overdue":
        due = row.due.isoformat() if row.due else "?"
        tail = (
            f"{w('actual')} {fmt_number(row.actual)} < {w('target')} {fmt_number(row.target)}"
            + (f"，且 {day} 已过截止日 {due}" if zh else f" and as-of {day} is after due {due}")
        )
    else:
        expected = row.expected or 0.0
        sign = "≥" if status == "on_track" else "<"
        tail = (
            f"{w('progress')} {fmt_number(row.progress)} {sign} {fmt_number(ON_TRACK_SHARE)} × "
            f"{w('expected')} {fmt_number(expected)} = {fmt_number(ON_TRACK_SHARE * expected)}"
        )
    return head + tail


def rollup_text(x: Explanation) -> str:
    """The arithmetic of the actual: Σ over areas, or Σnumerator ÷ Σdenominator × 100."""
    if x.rollup is None:
        assert x.numerator is not None and x.denominator is not None
        n, d = x.numerator.actual, x.denominator.actual
        return f"{fmt_number(n)} ÷ {fmt_number(d)} × 100 = {fmt_number(x.actual)}"
    terms = [p.value for p in x.rollup.areas if p.value is not None]
    if not terms:
        return "none"
    if len(terms) == 1:
        return fmt_number(x.actual)
    return " + ".join(fmt_number(t) for t in terms) + f" = {fmt_number(x.actual)}"


def _entry(e: Entry) -> dict[str, Any]:
    out = entry_json(e)
    out["late"] = is_late(e)
    return out


def _rollup_json(plan: Plan, r: RollUp) -> dict[str, Any]:
    return {
        "indicator": r.indicator.id,
        "name": r.indicator.name,
        "name_en": r.indicator.name_en,
        "unit": r.indicator.unit,
        "reporting": r.indicator.reporting,
        "actual": None if r.actual is None else num(round(r.actual, 6)),
        "areas": _areas_json(plan, r),
    }


def _areas_json(plan: Plan, r: RollUp) -> list[dict[str, Any]]:
    out = []
    for p in r.areas:
        name, name_en = scope_names(plan, p.area)
        out.append(
            {
                "area": p.area,
                "name": name,
                "name_en": name_en,
                "value": None if p.value is None else num(round(p.value, 6)),
                "entries": [_entry(e) for e in p.entries],
                "superseded": p.superseded,
            }
        )
    return out


def _expected_json(x: Explanation, row: StatusRow | None) -> dict[str, Any] | None:
    if row is None or row.due is None or row.expected is None:
        return None
    return {
        "start": x.start.isoformat(),
        "due": row.due.isoformat(),
        "as_of": x.as_of.isoformat(),
        "days_elapsed": (x.as_of - x.start).days,
        "days_total": (row.due - x.start).days,
        "milestone": x.indicator.kind == "milestone",
        "share": round(row.expected, 6),
    }


def _row_json(x: Explanation, e: Explained) -> dict[str, Any]:
    r = e.row
    target = None
    if r is not None and r.target is not None:
        target = {
            "value": num(round(r.target, 6)),
            "due": r.due.isoformat() if r.due else None,
            "level": r.level,
            "scope_kind": r.scope_kind,
            "group": r.group,
            **(e.target_from or {}),
        }
    return {
        "target": target,
        "progress": None if r is None or r.progress is None else round(r.progress, 6),
        "expected": _expected_json(x, r),
        "status": None if r is None else r.status,
        "rule": rule_text(x.indicator, r, x.as_of, "en"),
        "rule_zh": rule_text(x.indicator, r, x.as_of, "zh"),
    }


def explain_json(plan: Plan, x: Explanation) -> dict[str, Any]:
    name, name_en = scope_names(plan, x.scope)
    first, *others = x.rows
    out: dict[str, Any] = {
        "indicator": x.indicator.id,
        "name": x.indicator.name,
        "name_en": x.indicator.name_en,
        "kind": x.indicator.kind,
        "unit": x.indicator.unit,
        "reporting": x.indicator.reporting,
        "scope": x.scope,
        "scope_kind": x.scope_kind,
        "scope_name": name,
        "scope_name_en": name_en,
        "as_of": x.as_of.isoformat(),
        "areas": _areas_json(plan, x.rollup) if x.rollup else [],
        "summed": x.rollup.summed if x.rollup else None,
        "numerator": _rollup_json(plan, x.numerator) if x.numerator else None,
        "denominator": _rollup_json(plan, x.denominator) if x.denominator else None,
        "actual": None if x.actual is None else num(round(x.actual, 6)),
        "rollup": rollup_text(x),
    }
    out |= _row_json(x, first)
    out["also"] = [_row_json(x, e) for e in others]  # further targets on the same scope
    return out

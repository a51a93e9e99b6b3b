"""Who reported what: gaps in a week (``missing``), reporting rates over weeks
(``completeness``) and late entries (``late_entries``). Pure: no I/O, no Rich. How one number
was made is ``explain``.

Who owes what (``expected``): the reporting areas are the counties and districts
(``REPORTING_KINDS``, never the city; an entry of an area below one counts for it); an area owes
an indicator in a week when it has a target on it (its own, an allocation, or a group's; a
ratio's target is one on its numerator and its denominator: a ratio itself is never reported),
or when the indicator is a city-wide figure (not a rate, targeted on the city or nowhere) that
some county or district has reported by the end of that week.

Invariants: a gap is listed, never counted as zero; reported means an entry dated Monday to
Sunday of the ISO week (in ``completeness`` the last week ends at the as-of date); a rate is
Σ reported ÷ Σ expected, never an average of rates, None when nothing was expected; an entry
recorded (UTC date) more than ``LATE_DAYS`` days after its date is late and still counts. The
rules for users: docs/rules.md, "Who is expected to report what".
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from povtrack.analysis.measure import all_targets, scope_areas
from povtrack.dates import iso_week, monday_of
from povtrack.jsonable import share
from povtrack.model import Allocation, Entry, Indicator, Plan
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


def tally_json(t: Tally) -> dict[str, Any]:
    return {"reported": t.reported, "expected": t.expected, "rate": share(t.rate), "late": t.late}


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

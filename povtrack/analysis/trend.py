"""Over time: the weekly series of one indicator in one scope, and what changed between two
dates. Pure: no I/O; every number comes from ``analysis.measure``, ``analysis.status`` and
``analysis.pace``, so a trend agrees with ``status`` at every date.

**Trend** (``trend``): one point per ISO week, from the week of the first report in the scope
(for a ratio: of its numerator or denominator) to the week of the as-of date. ``date`` is the
week's Sunday, or the as-of date inside the last week (a value never counts entries after the
as-of date); ``value`` the scope's actual as of ``date`` (``measure.actual``: carried over weeks
with no report; None while there is nothing to roll up); ``change`` the difference from the
previous week (None when either is None); ``reported`` whether any area of the scope reported
the indicator that week. The target line and the forecast are the status row's
(``status.status_rows``); without a target only the recent rate (``pace.recent_rate``).

**Diff** (``diff``): the status rows at ``since`` against those at ``as_of``: the rows whose
status changed (a row new since, an allocation, has no old status), the ``TOP_MOVERS`` largest
changes of progress (a fall ranks like a rise), and the counties and districts with no entry
dated in (since, as_of], with their last entry and how many indicators they reported in the
period of the same length before.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from povtrack.analysis.measure import actual, scope_areas
from povtrack.analysis.pace import Forecast, recent_rate, reported_dates
from povtrack.analysis.status import StatusRow, status_rows
from povtrack.dates import iso_week, monday_of
from povtrack.exact import Exact, shown
from povtrack.jsonable import figure, num, share
from povtrack.ledger import Ledger
from povtrack.model import UNITS, Allocation, Entry, Indicator, Plan
from povtrack.names import scope_names
from povtrack.sheet import Column, Sheet

TOP_MOVERS = 10
SILENT_KINDS = ("county", "district")  # the areas expected to report; never the city


# ---------------------------------------------------------------------------- trend


@dataclass(frozen=True)
class WeekPoint:
    week: str  # "2018-W23"
    day: date  # the week's Sunday, or the as-of date inside the last week
    value: float | None
    change: float | None
    reported: bool


@dataclass(frozen=True)
class Trend:
    indicator: Indicator
    scope: str
    scope_kind: str  # "area" or "group"
    as_of: date
    row: StatusRow | None  # the status row for this indicator and scope, if any
    forecast: Forecast
    weeks: list[WeekPoint]

    @property
    def has_target(self) -> bool:
        return self.row is not None and self.row.target is not None


def trend(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    ind: Indicator,
    scope: str,
    as_of: date,
) -> Trend:
    ledger = Ledger(entries)
    days = reported_dates(plan, ledger, ind, scope, as_of)
    weeks: list[WeekPoint] = []
    if days:
        reported = {monday_of(d) for d in days}
        monday = monday_of(days[0])
        previous: Exact | None = None
        while monday <= as_of:
            day = min(monday + timedelta(days=6), as_of)
            value = actual(plan, ledger, ind, scope, day)
            change = None if (not weeks or value is None or previous is None) else value - previous
            week = iso_week(monday)
            weeks.append(WeekPoint(week, day, shown(value), shown(change), monday in reported))
            previous = value
            monday += timedelta(days=7)
    rows = [
        r
        for r in status_rows(plan, ledger, allocations, as_of, scope=scope)
        if r.indicator == ind.id
    ]
    row = rows[0] if rows else None
    if row is not None:
        fc = Forecast(row.needed_per_week, row.recent_per_week, row.projected, row.projected_date)
    else:
        fc = Forecast(recent_per_week=shown(recent_rate(plan, ledger, ind, scope, as_of)))
    kind = "group" if plan.is_group(scope) else "area"
    return Trend(ind, scope, kind, as_of, row, fc, weeks)


def trend_json(plan: Plan, t: Trend) -> dict[str, Any]:
    ind = t.indicator
    name, name_en = scope_names(plan, t.scope)
    target = None
    if t.has_target:
        assert t.row is not None
        target = {
            "value": num(t.row.target),
            "due": t.row.due.isoformat() if t.row.due else None,
            "level": t.row.level,
        }
    fc = t.forecast
    return {
        "indicator": ind.id,
        "name": ind.name,
        "name_en": ind.name_en,
        "scope": t.scope,
        "scope_kind": t.scope_kind,
        "scope_name": name,
        "scope_name_en": name_en,
        "unit": ind.unit,
        "reporting": ind.reporting,
        "as_of": t.as_of.isoformat(),
        "status": t.row.status if t.row else None,
        "target": target,
        "forecast": {
            "needed_per_week": figure(fc.needed_per_week, 3),
            "recent_per_week": figure(fc.recent_per_week, 3),
            "projected": figure(fc.projected, 3),
            "projected_date": fc.projected_date.isoformat() if fc.projected_date else None,
        },
        "weeks": [
            {
                "week": w.week,
                "date": w.day.isoformat(),
                "value": num(w.value),
                "change": figure(w.change),
                "reported": w.reported,
            }
            for w in t.weeks
        ],
    }


_FORECAST_ZH = {
    "needed_per_week": "需每周",
    "recent_per_week": "近期每周",
    "projected": "按近期速度截止时可达",
    "projected_date": "预计达标日期",
}


def _figure_kind(unit: str) -> str:
    return "integer" if UNITS[unit].integer else "number"


def trend_sheet(plan: Plan, t: Trend, lang: str = "en") -> Sheet:
    """The weeks as one sheet (every week); ``reported`` as a status: reported / no_data."""
    data = trend_json(plan, t)
    ind, unit = t.indicator, t.indicator.unit
    kind = _figure_kind(unit)
    columns = [
        Column("week", "周", "Week"),
        Column("date", "日期", "Date", "date"),
        Column("value", "累计完成", "Actual", kind, unit),
        Column("change", "周增减", "Change", kind, unit),
        Column("reported", "本周报送", "Reported", "status"),
    ]
    rows = [{**w, "reported": "reported" if w["reported"] else "no_data"} for w in data["weeks"]]
    zh = lang == "zh"
    scope = data["scope_name"] if zh else data["scope_name_en"]
    notes = [
        f"{ind.name if zh else ind.name_en} ({ind.id}) — {scope} ({t.scope})",
        f"{'截至' if zh else 'as of'} {data['as_of']}",
    ]
    if data["target"]:
        tg = data["target"]
        notes.append(
            f"{'目标' if zh else 'target'} {tg['value']} {unit}, "
            f"{'截止' if zh else 'due'} {tg['due']} ({tg['level']})"
        )
    fc = data["forecast"]
    words = _FORECAST_ZH if zh else {k: k.replace("_", " ") for k in fc}
    notes.append("; ".join(f"{words[k]} {v}" for k, v in fc.items() if v is not None))
    return Sheet(
        key="trend",
        title=f"{ind.name} 逐周走势",
        title_en=f"{ind.name_en}: week by week",
        columns=columns,
        rows=rows,
        notes=notes,
    )


# ---------------------------------------------------------------------------- diff


@dataclass(frozen=True)
class StatusChange:
    old: StatusRow | None  # None: the row did not exist at ``since`` (a newer allocation)
    new: StatusRow


@dataclass(frozen=True)
class Mover:
    old: StatusRow
    new: StatusRow

    @property
    def progress_change(self) -> float:
        assert self.old.progress is not None and self.new.progress is not None
        return self.new.progress - self.old.progress

    @property
    def moved(self) -> bool:
        """Did the progress change at all (exactly, not by a float's noise)?"""
        old, new = self.old.exact, self.new.exact
        if old is not None and new is not None:
            return old.progress != new.progress
        return self.old.progress != self.new.progress

    @property
    def actual_change(self) -> float | None:
        if self.old.actual is None or self.new.actual is None:
            return None
        return self.new.actual - self.old.actual


@dataclass(frozen=True)
class SilentArea:
    area: str
    last_reported: date | None  # the newest entry date up to as_of
    previous_indicators: int  # indicators it reported in the period before (same length)


@dataclass(frozen=True)
class Diff:
    since: date
    as_of: date
    status_changes: list[StatusChange]
    movers: list[Mover]
    silent_areas: list[SilentArea]


def _key(r: StatusRow) -> tuple[str, str, str | None]:
    return (r.indicator, r.scope, r.level)


def diff(
    plan: Plan,
    entries: list[Entry],
    allocations: list[Allocation],
    since: date,
    as_of: date,
    *,
    top: int = TOP_MOVERS,
    now: list[StatusRow] | None = None,
    ledgers: tuple[Ledger, Ledger] | None = None,
) -> Diff:
    """``now``: the status rows at ``as_of`` when the caller has them already (the report).
    ``ledgers``: enough of the history for a status at ``since`` and at ``as_of`` (a database
    engine's windows, ``Backend.ledger_at``); ``entries`` then need only be those dated from
    ``since`` less the span on, and each series' newest before (``Backend.entries_between``):
    what ``silent_areas`` looks at. Without them, ``entries`` are every entry that counts."""
    if since >= as_of:
        raise ValueError("since must be before as_of")
    if ledgers is None:
        ledger = Ledger(entries)  # one ledger for both dates
        ledgers = (ledger, ledger)
    before = {_key(r): r for r in status_rows(plan, ledgers[0], allocations, since)}
    after = now if now is not None else status_rows(plan, ledgers[1], allocations, as_of)
    changes: list[StatusChange] = []
    movers: list[tuple[int, Mover]] = []
    for n, new in enumerate(after):
        old = before.get(_key(new))
        if old is None or old.status != new.status:
            changes.append(StatusChange(old, new))
        if old is not None and old.progress is not None and new.progress is not None:
            m = Mover(old, new)
            if m.moved:
                movers.append((n, m))
    movers.sort(key=lambda nm: (-abs(nm[1].progress_change), nm[0]))
    return Diff(
        since,
        as_of,
        changes,
        [m for _, m in movers[:top]],
        silent_areas(plan, entries, since, as_of),
    )


def silent_span(since: date, as_of: date) -> date:
    """The first date ``silent_areas`` looks at (the period before ``since`` as long as the
    period itself)."""
    return since - (as_of - since)


def silent_areas(plan: Plan, entries: list[Entry], since: date, as_of: date) -> list[SilentArea]:
    span = as_of - since
    out: list[SilentArea] = []
    for area in plan.areas:
        if area.kind not in SILENT_KINDS:
            continue
        mine = set(scope_areas(plan, area.id))
        dated = [e for e in entries if e.area in mine and e.date <= as_of]
        if any(e.date > since for e in dated):
            continue
        previous = {e.indicator for e in dated if since - span < e.date <= since}
        last = max((e.date for e in dated), default=None)
        out.append(SilentArea(area.id, last, len(previous)))
    return out


def _row_about(plan: Plan, r: StatusRow) -> dict[str, Any]:
    name, name_en = scope_names(plan, r.scope)
    return {
        "indicator": r.indicator,
        "task": r.task,
        "name": r.name,
        "name_en": r.name_en,
        "scope": r.scope,
        "scope_kind": r.scope_kind,
        "scope_name": name,
        "scope_name_en": name_en,
        "unit": r.unit,
        "target": num(r.target),
        "due": r.due.isoformat() if r.due else None,
        "level": r.level,
    }


def diff_json(plan: Plan, d: Diff) -> dict[str, Any]:
    changes = [
        {
            **_row_about(plan, c.new),
            "old_status": c.old.status if c.old else None,
            "new_status": c.new.status,
            "old_actual": num(c.old.actual) if c.old else None,
            "new_actual": num(c.new.actual),
            "old_progress": share(c.old.progress) if c.old else None,
            "new_progress": share(c.new.progress),
        }
        for c in d.status_changes
    ]
    movers = [
        {
            **_row_about(plan, m.new),
            "old_progress": share(m.old.progress),
            "new_progress": share(m.new.progress),
            "progress_change": share(m.progress_change),
            "old_actual": num(m.old.actual),
            "new_actual": num(m.new.actual),
            "actual_change": figure(m.actual_change),
            "status": m.new.status,
        }
        for m in d.movers
    ]
    silent = []
    for s in d.silent_areas:
        a = plan.area(s.area)
        silent.append(
            {
                "area": s.area,
                "name": a.name,
                "name_en": a.name_en,
                "kind": a.kind,
                "last_reported": s.last_reported.isoformat() if s.last_reported else None,
                "previous_indicators": s.previous_indicators,
            }
        )
    return {
        "since": d.since.isoformat(),
        "as_of": d.as_of.isoformat(),
        "plan": plan.id,
        "status_changes": changes,
        "movers": movers,
        "silent_areas": silent,
    }


DIFF_SECTIONS = ("changes", "movers", "silent")


def diff_sheets(plan: Plan, d: Diff, lang: str = "en") -> list[Sheet]:
    """Three sheets — changes, movers, silent — whose rows are ``diff_json``'s row dicts."""
    data = diff_json(plan, d)
    zh = lang == "zh"
    name = "name" if zh else "name_en"
    scope = "scope_name" if zh else "scope_name_en"
    about = [
        Column("task", "任务", "Task", "integer"),
        Column("indicator", "指标编号", "Indicator id"),
        Column(name, "指标", "Indicator"),
        Column("scope", "范围编号", "Scope id"),
        Column(scope, "范围", "Scope"),
    ]
    period = f"{data['since']} → {data['as_of']}"
    note = f"{'期间' if zh else 'period'} ({period}]"
    changes = Sheet(
        key="changes",
        title="状态变化",
        title_en="Status changes",
        columns=[
            *about,
            Column("old_status", "原状态", "Old status", "status"),
            Column("new_status", "新状态", "New status", "status"),
            Column("old_actual", "原累计完成", "Old actual", "number", unit_from="unit"),
            Column("new_actual", "新累计完成", "New actual", "number", unit_from="unit"),
            Column("unit", "单位", "Unit"),
        ],
        rows=data["status_changes"],
        notes=[note],
    )
    movers = Sheet(
        key="movers",
        title="进度变化最大",
        title_en="Biggest movers",
        columns=[
            *about,
            Column("old_progress", "原完成进度", "Old progress", "share"),
            Column("new_progress", "新完成进度", "New progress", "share"),
            Column("progress_change", "进度变化", "Progress change", "share"),
            Column("old_actual", "原累计完成", "Old actual", "number", unit_from="unit"),
            Column("new_actual", "新累计完成", "New actual", "number", unit_from="unit"),
            Column("actual_change", "完成量变化", "Change in actual", "number", unit_from="unit"),
            Column("unit", "单位", "Unit"),
            Column("status", "状态", "Status", "status"),
        ],
        rows=data["movers"],
        notes=[note, f"top {TOP_MOVERS}"],
    )
    silent = Sheet(
        key="silent",
        title="本期未报送地区",
        title_en="Areas that reported nothing",
        columns=[
            Column("area", "地区编号", "Area id"),
            Column(name, "地区", "Area"),
            Column("last_reported", "最近报送", "Last reported", "date"),
            Column(
                "previous_indicators", "上期报送指标数", "Indicators reported before", "integer"
            ),
        ],
        rows=data["silent_areas"],
        notes=[note],
    )
    return [changes, movers, silent]

"""Data quality: the plan's rules and the anomaly checks -> findings. Pure; no I/O.

``check_plan_rules(plan)`` checks the targets (``povtrack plan check``); ``run_checks(plan,
entries, allocations, as_of)`` checks the targets with the allocations made since and every
entry that counts on or before the as-of date (``povtrack check``). Each finding names its
rule, severity, area (or group), indicator, the entries involved and one line that says why.
Findings about the same rule, area and indicator are one finding: the newest case is the one
described ("and N more" counts the others), every entry of every case is listed.

**Rules** (errors unless the plan says otherwise):

- ``sum`` rules of the plan (``[[rules]]``, kind "sum"): the whole equals the sum of its parts
  within the rule's tolerance — for the targets of every scope where the whole and every part
  have one, and for every area's figures on every date it reported the whole and all the parts
  (the figures of one return; a part reported a week late is not a mismatch).
- ``le`` rules of the plan: left ≤ right (+ tolerance), on the targets of one scope and on an
  area's figures as of every date either side was reported (the other side carried forward).
- ``ratio-bounds``: a ratio's numerator never above its denominator (an ``le`` rule made from
  every ratio indicator whose two sides share a unit).
- ``rate-range``: a rate (unit percent) within 0–100: every target and every reported value.
- ``uncountable-entry``: entries that can never count, which povtrack no longer accepts but an
  older version did: values of a ratio, which is worked out from its numerator and
  denominator. One finding per area and ratio, naming every such entry.
- ``allocations-total`` (warning): the newest allocations of an indicator to areas, summed,
  against the city target (or, without one, the group-total target whose members hold every
  allocated area): say whether they fall short of it or exceed it.

**Anomaly checks** (warnings unless the plan says otherwise; thresholds below):

- ``running-total-down``: a running total lower than on the area's previous reporting date.
  Always reported, though removing ineligible registrations can make it legitimate.
- ``unusual-increment``: a weekly increment far outside the area's own usual range. Increments
  are a running total's changes between consecutive reports, per week (a fall is
  ``running-total-down``'s), or an increment indicator's reported values. Robust: with at
  least OUTLIER_MIN_INCREMENTS increments, median m and MAD (median absolute deviation);
  flagged when |x − m| > OUTLIER_MADS × MAD_SCALE × MAD. When more than half the increments
  are equal the MAD is 0: then only a rise is flagged, x > max(FLAT_FACTOR × m,
  m + FLAT_MARGIN) — a pause in a steady series is not an anomaly, a jump is.
- ``far-above-target``: the actual of a quantity (not a rate, ratio or milestone) above
  ABOVE_TARGET × its target on that scope.
- ``on-target-at-due``: a quantity's actual exactly equal to its target on a reporting date in
  the DUE_WEEK_DAYS days before (and on) the due date.
- ``late-rush``: RUSH_SHARE or more of a quantity's target reported in the RUSH_DAYS days
  before its due date (checked once the as-of date is inside that window).
- ``stale-value``: the same value in STALE_REPORTS or more consecutive reports of a running
  total while the same area moved another indicator in those weeks (a running total up, or a
  positive increment), in a series that usually moves: at least STALE_REPORTS other
  report-to-report steps, of which at least MOVING_SHARE change (a count that grows by less
  than one a week — stations, villages — stands still for weeks by nature). Not flagged
  either: zero (nothing started), a value at or above the area's target or its ratio's
  denominator (finished work stays put), denominators (stock figures).
- ``copied-series``: the same full series (same dates, same values; at least COPIED_VALUES
  reports) of a running total in two areas, in a series that usually moves (at least
  MOVING_SHARE of its steps change): small counts that grow in lumps coincide by chance.
- ``milestone-no-note``: a milestone reported done (the area's value reaches its target) by an
  entry without a note.

A plan's ``[[rules]]`` table with kind "check" sets a built-in check's severity ("error",
"warning" or "off"), for every indicator or only those it lists.

Every comparison is exact (``povtrack.exact``): the values as written, their sums and the
thresholds below as the decimals they are written as; no tolerance but a rule's own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from povtrack.analysis.status import Ledger, all_targets, scope_areas
from povtrack.exact import Exact, shown
from povtrack.model import CHECK_IDS, UNITS, Allocation, Entry, Indicator, Plan
from povtrack.output.shapes import figure
from povtrack.table import Column, Sheet

# ---------------------------------------------------------------- thresholds: the one place

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


# ---------------------------------------------------------------- the entries that count


class _Data:
    """The entries on or before the as-of date, by indicator and area, one per date (the last
    recorded counts, as in progress.Ledger), with the ledger for actuals."""

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


# ---------------------------------------------------------------- words


def _bare(value: Exact | float) -> str:
    """5,200; 12.5; 0.33 (two decimals at most)."""
    v = round(float(value), 2)
    return f"{int(v):,}" if float(v).is_integer() else f"{v:,.2f}".rstrip("0").rstrip(".")


def _fmt(value: Exact | float, unit: str, lang: str) -> str:
    """A figure with its unit: 5,200人 / 5,200 people; 80%."""
    text = _bare(value)
    if unit == "percent":
        return f"{text}%"
    u = UNITS[unit]
    return f"{text}{u.name}" if lang == "zh" else f"{text} {u.name_en}"


def _whole(value: Exact | float, unit: str, how: Any = round) -> str:
    """A bare figure, a whole number for counts (``how``: round, or math.ceil / math.floor for
    the ends of a range, so that 0 never shows inside a range that starts at 0.3)."""
    return _bare(how(value) if UNITS[unit].integer else value)


def _ind_name(plan: Plan, ind_id: str, lang: str) -> str:
    ind = plan.indicator(ind_id)
    return ind.name if lang == "zh" else ind.name_en


def _scope_name(plan: Plan, scope: str, lang: str) -> str:
    if plan.is_group(scope):
        g = plan.group(scope)
        return g.name if lang == "zh" else g.name_en
    a = plan.area(scope)
    return a.name if lang == "zh" else a.name_en


def _more(n: int, lang: str, zh: str, en: str) -> str:
    """How many other cases the finding stands for: (and 2 more dates), （另有2个日期）."""
    if n <= 0:
        return ""
    return f"（另有{n}{zh}）" if lang == "zh" else f" (and {n} more {en}{'s' if n > 1 else ''})"


def _ids(entries: Iterable[Entry]) -> tuple[int, ...]:
    return tuple(sorted({e.id for e in entries}))


def _finding(
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
        entries=_ids(entries),
        value=shown(value),
        expected=shown(expected),
        date=day,
    )


# ---------------------------------------------------------------- together


def _apply_plan(plan: Plan, findings: list[Finding]) -> list[Finding]:
    """The plan's kind = "check" rules: a built-in check's severity, or "off"."""
    out = []
    for f in findings:
        severity = f.severity
        for rule in plan.rules:
            applies = not rule.indicators or f.indicator in rule.indicators
            if rule.kind == "check" and rule.id == f.rule and applies:
                severity = rule.severity
        if severity != "off":
            out.append(f if severity == f.severity else replace(f, severity=severity))
    return out


def sort_findings(plan: Plan, findings: list[Finding]) -> list[Finding]:
    """Errors first, then by task, indicator (plan order), area (plan order, groups after),
    rule and date."""
    ind_order = {i.id: n for n, i in enumerate(plan.indicators)}
    scope_order = {a.id: n for n, a in enumerate(plan.areas)}
    scope_order.update({g.id: len(scope_order) + n for n, g in enumerate(plan.groups)})
    return sorted(
        findings,
        key=lambda f: (
            SEVERITIES.index(f.severity),
            f.task,
            ind_order.get(f.indicator, 0),
            scope_order.get(f.area, 0),
            f.rule,
            f.date or date.min,
        ),
    )


def check_plan_rules(plan: Plan, allocations: list[Allocation] | None = None) -> list[Finding]:
    """The rules on the targets (plan targets, and allocations when given): sum and ≤ rules,
    numerators ≤ denominators, rates within 0–100, allocations against the city target."""
    from povtrack.analysis.quality.rules import _allocation_totals, _target_rules

    allocs = list(allocations or [])
    targets = all_targets(plan, allocs)
    found = _target_rules(plan, targets) + _allocation_totals(plan, allocs)
    return sort_findings(plan, _apply_plan(plan, found))


def run_checks(
    plan: Plan, entries: list[Entry], allocations: list[Allocation], as_of: date
) -> list[Finding]:
    """Every rule and anomaly check on the targets and the entries dated on or before
    ``as_of`` (pass the entries that count: ``Store.entries()``)."""
    from povtrack.analysis.quality import anomalies as a
    from povtrack.analysis.quality.rules import _allocation_totals, _data_rules, _target_rules

    data = _Data(plan, entries, as_of)
    targets = all_targets(plan, allocations)
    found = _target_rules(plan, targets) + _allocation_totals(plan, allocations)
    found += _data_rules(plan, data)
    found += _uncountable_entries(plan, data)
    found += a._running_total_down(plan, data)
    found += a._unusual_increments(plan, data)
    found += a._far_above_target(plan, data, targets)
    found += a._on_target_at_due(plan, data, targets)
    found += a._late_rush(plan, data, targets)
    found += a._stale_values(plan, data, targets)
    found += a._copied_series(plan, data)
    found += a._milestones_without_note(plan, data, targets)
    return sort_findings(plan, _apply_plan(plan, found))


def _uncountable_entries(plan: Plan, data: _Data) -> list[Finding]:
    """``uncountable-entry``: an area's entries for a ratio (an older povtrack took them)."""
    out = []
    for (ind_id, area), series in data.series.items():
        ind = plan.indicator(ind_id)
        if ind.kind != "ratio" or not series:
            continue
        n, last = len(series), series[-1]
        ids_en = ", ".join(f"#{e.id}" for e in series)
        ids_zh = "、".join(f"#{e.id}" for e in series)
        how = f"{ind.numerator} ÷ {ind.denominator}"
        zh = (
            f"{_scope_name(plan, area, 'zh')}有{n}条{ind.name}的记录（{ids_zh}），该指标是比率，"
            f"由 {how} 算出：{'这些记录' if n > 1 else '该记录'}永不计入，请改报分子和分母"
        )
        en = (
            f"{_scope_name(plan, area, 'en')} has {n} {'entries' if n > 1 else 'entry'} "
            f"({ids_en}) for {ind.name_en}, a ratio worked out from {how}: "
            f"{'they never count' if n > 1 else 'it never counts'}; report the numerator and "
            "the denominator instead"
        )
        severity = DEFAULT_SEVERITY["uncountable-entry"]
        out.append(
            _finding(
                plan,
                "uncountable-entry",
                severity,
                area,
                ind_id,
                (zh, en),
                entries=series,
                value=last.value,
                day=last.date,
            )
        )
    return out


# ---------------------------------------------------------------- views: JSON and the sheet


def summary(findings: list[Finding]) -> dict[str, int]:
    return {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES}


def finding_json(f: Finding, lang: str) -> dict[str, Any]:
    """One finding; ``explanation`` in the chosen language."""
    return {
        "rule": f.rule,
        "severity": f.severity,
        "area": f.area,
        "indicator": f.indicator,
        "task": f.task,
        "date": f.date.isoformat() if f.date else None,
        "entries": list(f.entries),
        "explanation": f.explanation if lang == "zh" else f.explanation_en,
        "value": figure(f.value),
        "expected": figure(f.expected),
    }


def findings_json(plan: Plan, findings: list[Finding], as_of: date, lang: str) -> dict[str, Any]:
    return {
        "as_of": as_of.isoformat(),
        "plan": plan.id,
        "summary": summary(findings),
        "findings": [finding_json(f, lang) for f in findings],
    }


SEVERITY_WORDS = {"error": ("错误", "error"), "warning": ("警告", "warning")}


def findings_sheet(plan: Plan, findings: list[Finding], as_of: date, lang: str) -> Sheet:
    """The findings for export: the same rows as ``check --json``, with names beside ids."""
    pick = 0 if lang == "zh" else 1
    rows = []
    for f in findings:
        row = finding_json(f, lang)
        row["severity_name"] = SEVERITY_WORDS[f.severity][pick]
        row["area_name"] = _scope_name(plan, f.area, lang)
        row["indicator_name"] = _ind_name(plan, f.indicator, lang)
        row["entry_ids"] = " ".join(str(i) for i in f.entries)
        rows.append(row)
    columns = [
        Column("severity_name", "级别", "Severity"),
        Column("rule", "规则", "Rule"),
        Column("task", "任务", "Task", "integer"),
        Column("area", "地区编号", "Area id"),
        Column("area_name", "地区", "Area"),
        Column("indicator", "指标编号", "Indicator id"),
        Column("indicator_name", "指标", "Indicator"),
        Column("date", "日期", "Date", "date"),
        Column("value", "数值", "Value", "number"),
        Column("expected", "应为", "Expected", "number"),
        Column("explanation", "说明", "Explanation"),
        Column("entry_ids", "相关记录", "Entries"),
    ]
    counts = summary(findings)
    note = (
        f"截至 {as_of.isoformat()}：错误{counts['error']}条，警告{counts['warning']}条"
        if lang == "zh"
        else f"as of {as_of.isoformat()}: {counts['error']} errors, {counts['warning']} warnings"
    )
    return Sheet("check", "数据检查", "Data checks", columns, rows, notes=[note, plan.id])

"""Data quality: the plan's rules and the anomaly checks, run together -> findings. Pure; no I/O.

``check_plan_rules(plan)`` checks the targets (``povtrack plan check``); ``run_checks(plan,
entries, allocations, as_of)`` checks the targets, the allocations and every entry that counts
on or before the as-of date (``povtrack check``). The rules are found by ``quality.rules`` (and
``uncountable-entry`` here), the anomalies by ``quality.anomalies``; the thresholds and
``Finding`` live in ``quality.findings``. Here the plan's kind = "check" rules set each built-in
check's severity (or turn it off), and the findings are sorted (errors first, then task,
indicator, area) and shaped for JSON and tables.

Each check reports one finding per rule, area and indicator (the newest case described, "and N
more" counting the others, every entry of every case listed), and compares exactly
(``povtrack.exact``), with no tolerance but a rule's own. What each check finds: docs/rules.md,
"Checks".
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from povtrack.analysis.measure import all_targets
from povtrack.analysis.quality import anomalies as a
from povtrack.analysis.quality.findings import (
    DEFAULT_SEVERITY,
    SEVERITIES,
    Data,
    Finding,
    indicator_name,
    make_finding,
    scope_label,
)
from povtrack.analysis.quality.rules import allocation_totals, data_rules, target_rules
from povtrack.jsonable import figure
from povtrack.model import Allocation, Entry, Plan
from povtrack.sheet import Column, Sheet

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
    allocs = list(allocations or [])
    targets = all_targets(plan, allocs)
    found = target_rules(plan, targets) + allocation_totals(plan, allocs)
    return sort_findings(plan, _apply_plan(plan, found))


def run_checks(
    plan: Plan, entries: list[Entry], allocations: list[Allocation], as_of: date
) -> list[Finding]:
    """Every rule and anomaly check on the targets and the entries dated on or before
    ``as_of`` (pass the entries that count: ``Backend.entries()``)."""
    data = Data(plan, entries, as_of)
    targets = all_targets(plan, allocations)
    found = target_rules(plan, targets) + allocation_totals(plan, allocations)
    found += data_rules(plan, data)
    found += _uncountable_entries(plan, data)
    found += a.running_total_down(plan, data)
    found += a.unusual_increments(plan, data)
    found += a.far_above_target(plan, data, targets)
    found += a.on_target_at_due(plan, data, targets)
    found += a.late_rush(plan, data, targets)
    found += a.stale_values(plan, data, targets)
    found += a.copied_series(plan, data)
    found += a.milestones_without_note(plan, data, targets)
    return sort_findings(plan, _apply_plan(plan, found))


def _uncountable_entries(plan: Plan, data: Data) -> list[Finding]:
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
            f"{scope_label(plan, area, 'zh')}有{n}条{ind.name}的记录（{ids_zh}），该指标是比率，"
            f"由 {how} 算出：{'这些记录' if n > 1 else '该记录'}永不计入，请改报分子和分母"
        )
        en = (
            f"{scope_label(plan, area, 'en')} has {n} {'entries' if n > 1 else 'entry'} "
            f"({ids_en}) for {ind.name_en}, a ratio worked out from {how}: "
            f"{'they never count' if n > 1 else 'it never counts'}; report the numerator and "
            "the denominator instead"
        )
        severity = DEFAULT_SEVERITY["uncountable-entry"]
        out.append(
            make_finding(
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


def fails(findings: list[Finding], fail_on: str) -> bool:
    """Whether ``check --fail-on`` (one of SEVERITIES) ends in exit 3: a finding of that
    severity or a graver one (SEVERITIES runs gravest first)."""
    graver = SEVERITIES[: SEVERITIES.index(fail_on) + 1]
    return any(f.severity in graver for f in findings)


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
        row["area_name"] = scope_label(plan, f.area, lang)
        row["indicator_name"] = indicator_name(plan, f.indicator, lang)
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

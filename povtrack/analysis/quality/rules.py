"""The rules of ``quality``: sum and ≤ rules declared in the plan, numerators within their
denominators, rates within 0–100, allocations against the city target — on the targets and on
the reported data. Pure; for users: docs/rules.md, "Checks"."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from povtrack.analysis.quality.findings import (
    DEFAULT_SEVERITY,
    RATE_MAX,
    RATE_MIN,
    Data,
    Finding,
    amount,
    and_more,
    bare,
    indicator_name,
    make_finding,
    scope_label,
)
from povtrack.exact import Exact, exact, exact_sum
from povtrack.model import Allocation, Indicator, Plan, Rule, Target


def _ratio_rules(plan: Plan) -> list[tuple[Rule, Indicator]]:
    """A numerator ≤ denominator rule for every ratio whose two sides share a unit (one per
    pair, reported under the first ratio that uses it)."""
    out: list[tuple[Rule, Indicator]] = []
    seen: set[tuple[str, str]] = set()
    for ind in plan.indicators:
        if ind.kind != "ratio" or not ind.numerator or not ind.denominator:
            continue
        pair = (ind.numerator, ind.denominator)
        if pair in seen or plan.indicator(pair[0]).unit != plan.indicator(pair[1]).unit:
            continue
        seen.add(pair)
        severity = DEFAULT_SEVERITY["ratio-bounds"]
        out.append((Rule("ratio-bounds", "le", severity, left=pair[0], right=pair[1]), ind))
    return out


def _declared(plan: Plan, kind: str) -> list[Rule]:
    return [r for r in plan.rules if r.kind == kind]


def _targets_by(targets: list[Target]) -> dict[tuple[str, str, str], Target]:
    """(indicator, scope, level) -> the target with the latest due date."""
    out: dict[tuple[str, str, str], Target] = {}
    for t in targets:
        key = (t.indicator, t.scope, t.level)
        if key not in out or t.due > out[key].due:
            out[key] = t
    return out


def _both(make: Any, *args: Any) -> tuple[str, str]:
    """``make(*args, lang)`` in Chinese and in English."""
    return make(*args, "zh"), make(*args, "en")


def _at(day: date | None, lang: str) -> str:
    """The prefix naming what a line is about: a date, or the targets."""
    if day is None:
        return "目标：" if lang == "zh" else "targets: "
    return f"{day.isoformat()}：" if lang == "zh" else f"{day.isoformat()}: "


def _apart(a: Exact, b: Exact) -> Exact:
    """|a - b|, exactly (abs() of an int | Fraction is typed as object by mypy)."""
    d = a - b
    return -d if d < 0 else d


def _sum_text(
    plan: Plan, rule: Rule, whole: Exact, parts: list[Exact], day: date | None, lang: str
) -> str:
    unit = plan.indicator(rule.whole or "").unit
    total = sum(parts)
    terms = " + ".join(
        f"{indicator_name(plan, p, lang)} {bare(v)}" for p, v in zip(rule.parts, parts, strict=True)
    )
    head = f"{indicator_name(plan, rule.whole or '', lang)} {bare(whole)}"
    off = amount(_apart(whole, total), unit, lang)
    if lang == "zh":
        return f"{_at(day, lang)}{head} ≠ {terms} = {bare(total)}（相差{off}）"
    return f"{_at(day, lang)}{head} ≠ {terms} = {bare(total)} (off by {off})"


def _le_text(
    plan: Plan,
    rule: Rule,
    left: Exact,
    right: Exact,
    ratio: Indicator | None,
    day: date | None,
    lang: str,
) -> str:
    unit = plan.indicator(rule.left or "").unit
    head = f"{indicator_name(plan, rule.left or '', lang)} {amount(left, unit, lang)}"
    bound = f"{indicator_name(plan, rule.right or '', lang)} {amount(right, unit, lang)}"
    name = indicator_name(plan, ratio.id, lang) if ratio else ""
    if lang == "zh":
        tail = f"（{name}将超过100%）" if ratio else ""
        return f"{_at(day, lang)}{head}大于{bound}{tail}"
    tail = f" ({name} would be over 100%)" if ratio else ""
    return f"{_at(day, lang)}{head} is more than {bound}{tail}"


def target_rules(plan: Plan, targets: list[Target]) -> list[Finding]:
    """Sum and ≤ rules, and rates within 0–100, on the targets."""
    found: list[Finding] = []
    by = _targets_by(targets)
    scopes = sorted({(t.scope, t.level) for t in targets})
    for rule in _declared(plan, "sum"):
        for scope, level in scopes:
            whole = by.get((rule.whole or "", scope, level))
            parts = [by.get((p, scope, level)) for p in rule.parts]
            if whole is None or any(p is None for p in parts):
                continue
            values = [p.exact for p in parts if p is not None]
            if _apart(whole.exact, sum(values)) <= exact(rule.tolerance):
                continue
            found.append(
                make_finding(
                    plan,
                    rule.id,
                    rule.severity,
                    scope,
                    rule.whole or "",
                    _both(_sum_text, plan, rule, whole.exact, values, None),
                    value=whole.exact,
                    expected=sum(values),
                    day=whole.due,
                )
            )
    les = [(r, None) for r in _declared(plan, "le")] + _ratio_rules(plan)
    for rule, ratio in les:
        for scope, level in scopes:
            left = by.get((rule.left or "", scope, level))
            right = by.get((rule.right or "", scope, level))
            if left is None or right is None:
                continue
            if left.exact <= right.exact + exact(rule.tolerance):
                continue
            found.append(
                make_finding(
                    plan,
                    rule.id,
                    rule.severity,
                    scope,
                    ratio.id if ratio else rule.left or "",
                    _both(_le_text, plan, rule, left.exact, right.exact, ratio, None),
                    value=left.exact,
                    expected=right.exact,
                    day=left.due,
                )
            )
    for t in targets:
        if plan.indicator(t.indicator).unit != "percent":
            continue
        if RATE_MIN <= t.exact <= RATE_MAX:
            continue
        found.append(
            make_finding(
                plan,
                "rate-range",
                DEFAULT_SEVERITY["rate-range"],
                t.scope,
                t.indicator,
                (
                    f"目标{bare(t.value)}%超出0–100%",
                    f"target {bare(t.value)}% is outside 0–100%",
                ),
                value=t.value,
                expected=RATE_MAX,
                day=t.due,
            )
        )
    return found


def allocation_totals(plan: Plan, allocations: list[Allocation]) -> list[Finding]:
    """The newest allocations per area of an indicator, summed, against the whole they share."""
    newest: dict[tuple[str, str], Allocation] = {}
    for alloc in [*plan.allocations, *allocations]:
        newest[(alloc.indicator, alloc.area)] = alloc
    by_ind: dict[str, list[Allocation]] = defaultdict(list)
    for (ind_id, _), alloc in newest.items():
        by_ind[ind_id].append(alloc)
    found: list[Finding] = []
    root = plan.root.id
    plan_targets = plan.plan_targets()
    for ind in plan.indicators:
        allocs = by_ind.get(ind.id)
        if not allocs:
            continue
        planned = [t for t in plan_targets if t.indicator == ind.id]
        whole = [t for t in planned if t.scope == root and t.level == "commit"] or [
            t for t in planned if t.scope == root
        ]
        if not whole:
            areas = {a.area for a in allocs}
            whole = [
                t
                for t in planned
                if t.scope_kind == "group" and areas <= set(plan.group(t.scope).members)
            ]
        if not whole:
            continue
        target = whole[0]
        total = exact_sum(a.exact for a in allocs)
        gap = total - target.exact
        if gap == 0:
            continue
        n, unit = len(allocs), ind.unit
        areas_en = "1 area" if n == 1 else f"{n} areas"
        scope_zh = scope_label(plan, target.scope, "zh")
        scope_en = scope_label(plan, target.scope, "en")
        if gap < 0:
            text = (
                f"分配给{n}个地区的任务合计{amount(total, unit, 'zh')}，比{scope_zh}目标"
                f"{amount(target.value, unit, 'zh')}少{amount(-gap, unit, 'zh')}",
                f"allocations to {areas_en} add up to {amount(total, unit, 'en')}, "
                f"{amount(-gap, unit, 'en')} short of the {scope_en} target "
                f"{amount(target.value, unit, 'en')}",
            )
        else:
            text = (
                f"分配给{n}个地区的任务合计{amount(total, unit, 'zh')}，比{scope_zh}目标"
                f"{amount(target.value, unit, 'zh')}多{amount(gap, unit, 'zh')}",
                f"allocations to {areas_en} add up to {amount(total, unit, 'en')}, "
                f"{amount(gap, unit, 'en')} more than the {scope_en} target "
                f"{amount(target.value, unit, 'en')}",
            )
        found.append(
            make_finding(
                plan,
                "allocations-total",
                DEFAULT_SEVERITY["allocations-total"],
                target.scope,
                ind.id,
                text,
                value=total,
                expected=target.value,
                day=target.due,
            )
        )
    return found


def data_rules(plan: Plan, data: Data) -> list[Finding]:
    """Sum and ≤ rules on every area's figures, and every reported rate within 0–100."""
    found: list[Finding] = []
    for rule in _declared(plan, "sum"):
        whole = plan.indicator(rule.whole or "")
        parts = [plan.indicator(p) for p in rule.parts]
        for area in (a.id for a in plan.areas):
            days = {e.date for e in data.of(whole.id, area)}
            for p in parts:
                days &= {e.date for e in data.of(p.id, area)}
            cases = []
            for day in sorted(days):
                w = data.ledger.area_actual(whole, area, day)
                vs = [data.ledger.area_actual(p, area, day) for p in parts]
                if w is None or any(v is None for v in vs):
                    continue
                values = [v for v in vs if v is not None]
                if _apart(w, sum(values)) > exact(rule.tolerance):
                    cases.append((day, w, values))
            if not cases:
                continue
            day, w, values = cases[-1]
            involved = [
                e for d, _, _ in cases for i in (whole, *parts) for e in data.counting(i, area, d)
            ]
            zh, en = _both(_sum_text, plan, rule, w, values, day)
            found.append(
                make_finding(
                    plan,
                    rule.id,
                    rule.severity,
                    area,
                    whole.id,
                    (
                        zh + and_more(len(cases) - 1, "zh", "个日期", "date"),
                        en + and_more(len(cases) - 1, "en", "个日期", "date"),
                    ),
                    entries=involved,
                    value=w,
                    expected=sum(values),
                    day=day,
                )
            )
    les = [(r, None) for r in _declared(plan, "le")] + _ratio_rules(plan)
    for rule, ratio in les:
        left = plan.indicator(rule.left or "")
        right = plan.indicator(rule.right or "")
        for area in (a.id for a in plan.areas):
            over = []  # (date, left, right) where left > right
            for day in sorted({e.date for i in (left, right) for e in data.of(i.id, area)}):
                lv = data.ledger.area_actual(left, area, day)
                rv = data.ledger.area_actual(right, area, day)
                if lv is not None and rv is not None and lv > rv + exact(rule.tolerance):
                    over.append((day, lv, rv))
            if not over:
                continue
            day, lv, rv = over[-1]
            involved = [
                e for d, _, _ in over for i in (left, right) for e in data.counting(i, area, d)
            ]
            zh, en = _both(_le_text, plan, rule, lv, rv, ratio, day)
            found.append(
                make_finding(
                    plan,
                    rule.id,
                    rule.severity,
                    area,
                    ratio.id if ratio else left.id,
                    (
                        zh + and_more(len(over) - 1, "zh", "个日期", "date"),
                        en + and_more(len(over) - 1, "en", "个日期", "date"),
                    ),
                    entries=involved,
                    value=lv,
                    expected=rv,
                    day=day,
                )
            )
    for ind in plan.indicators:
        if ind.unit != "percent" or ind.kind == "ratio":
            continue
        for area in data.areas_with.get(ind.id, []):
            series = data.of(ind.id, area)
            bad = [e for e in series if not RATE_MIN <= e.value <= RATE_MAX]  # single values
            if not bad:
                continue
            e = bad[-1]
            found.append(
                make_finding(
                    plan,
                    "rate-range",
                    DEFAULT_SEVERITY["rate-range"],
                    area,
                    ind.id,
                    (
                        f"{e.date.isoformat()}报{bare(e.value)}%，超出0–100%"
                        + and_more(len(bad) - 1, "zh", "次", "report"),
                        f"{bare(e.value)}% reported on {e.date.isoformat()} is outside 0–100%"
                        + and_more(len(bad) - 1, "en", "次", "report"),
                    ),
                    entries=bad,
                    value=e.value,
                    expected=RATE_MAX if e.value > RATE_MAX else RATE_MIN,
                    day=e.date,
                )
            )
    return found

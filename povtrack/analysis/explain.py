"""How a number on the board was made (``explain``): the target and where it comes from, the
entries that count for each area, the roll-up, the expected pace and the rule that gave the status.
Pure: no I/O, no Rich; every number comes from ``analysis.measure`` and ``analysis.status``, so it
equals ``status``. For users: docs/commands.md (``povtrack explain``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, localcontext
from typing import Any

from povtrack.analysis.coverage import is_late
from povtrack.analysis.measure import ON_TRACK_SHARE, actual, allocated_whole, scope_areas
from povtrack.analysis.status import StatusRow, status_rows
from povtrack.exact import Exact, exact, shown
from povtrack.jsonable import entry_json, num
from povtrack.ledger import REPLACED, Ledger, replacements
from povtrack.model import Allocation, Entry, Indicator, Plan
from povtrack.names import scope_names


@dataclass(frozen=True)
class AreaPart:
    """One area's share of a roll-up: its value as of the date and the entries that make it."""

    area: str
    value: float | None
    entries: list[Entry]  # the entry that counts (running total), or every increment
    superseded: int  # how many entries on the same dates a later report replaced
    replaced: list[tuple[Entry, int]] = field(default_factory=list)  # each, and the id of
    # the entry that replaced it (``povtrack.ledger``: "replaced by #N"), oldest first


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


def _counting(
    entries: list[Entry], ind: Indicator, area: str, as_of: date
) -> tuple[list[Entry], list[tuple[Entry, int]]]:
    """The entries behind ``Ledger.area_actual`` (a running total counts only on its newest
    date, increments on every date), and those a later report for the same date replaced
    (``povtrack.ledger``, rule 3), each with the id of the one that counts."""
    mine = [e for e in entries if e.indicator == ind.id and e.area == area and e.date <= as_of]
    gone = replacements(mine)
    kept = sorted((e for e in mine if e.id not in gone), key=lambda e: e.date)
    replaced = [(e, gone[e.id]) for e in sorted(mine, key=lambda e: e.id) if e.id in gone]
    if ind.reporting == "cumulative":
        return kept[-1:], replaced
    return kept, replaced


def rollup(
    plan: Plan, entries: list[Entry], ledger: Ledger, ind: Indicator, scope: str, as_of: date
) -> RollUp:
    """``entries``: the entries that count, and the replaced ones (they are named)."""
    summed = ind.unit != "percent"
    areas = scope_areas(plan, scope) if summed else [scope]
    parts = []
    for a in areas:
        used, replaced = _counting(entries, ind, a, as_of)
        value = shown(ledger.area_actual(ind, a, as_of))
        parts.append(AreaPart(a, value, used, len(replaced), replaced))
    return RollUp(ind, shown(actual(plan, ledger, ind, scope, as_of)), parts, summed)


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
        whole = allocated_whole(plan, ind, row.scope)
        if rule is not None:
            out |= {"due_from": "group_rule", "due_rule_group": rule.group}
            if rule.citation:
                out["due_rule_citation"] = rule.citation
        elif whole is not None and whole.scope == plan.root.id:
            out["due_from"] = "city_target"
        elif whole is not None:
            out |= {"due_from": "group_target", "due_target_group": whole.scope}
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
    ``status --json`` shows the same numbers) with the entries and arithmetic behind them.

    ``entries``: the entries that count (``Backend.entries()``), and, to have them named, those
    a later report for the same date replaced (neither undone nor superseded)."""
    ledger = Ledger(entries)
    rows = [
        r
        for r in status_rows(plan, ledger, allocations, as_of, scope=scope)
        if r.indicator == ind.id
    ]
    main = num_part = den_part = None
    if ind.kind == "ratio":
        assert ind.numerator and ind.denominator
        num_part = rollup(plan, entries, ledger, plan.indicator(ind.numerator), scope, as_of)
        den_part = rollup(plan, entries, ledger, plan.indicator(ind.denominator), scope, as_of)
    else:
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
        shown(actual(plan, ledger, ind, scope, as_of)),
        main,
        num_part,
        den_part,
        explained,
    )


def fmt_number(x: Exact | float | None, places: int = 6) -> str:
    """A plain number for the working: 0.42, 1500, 0.405 (no thousands separators), rounded
    to ``places`` decimals from the exact figure."""
    if x is None:
        return "none"
    q = exact(x)
    with localcontext() as ctx:
        ctx.prec = 60
        d = Decimal(q) if isinstance(q, int) else Decimal(q.numerator) / q.denominator
        text = f"{d.quantize(Decimal(1).scaleb(-places)):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _apart(a: Exact, b: Exact) -> int:
    """Decimal places enough to show two different figures as different (6 at least, so
    0.449999999 is never shown as 0.45 beside a bound of 0.45)."""
    places = 6
    while a != b and places < 30 and fmt_number(a, places) == fmt_number(b, places):
        places += 1
    return places


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


@dataclass(frozen=True)
class Sides:
    """A ratio's two sides on the scope, for saying why it has no actual."""

    numerator: str  # the indicators' names, in the language of the text
    denominator: str
    numerator_zh: str
    denominator_zh: str
    num: float | None  # the sides' actuals (None: no entry)
    den: float | None


def ratio_sides(x: Explanation) -> Sides | None:
    """The sides of an explained ratio (None for any other indicator)."""
    if x.numerator is None or x.denominator is None:
        return None
    n, d = x.numerator.indicator, x.denominator.indicator
    return Sides(n.name_en, d.name_en, n.name, d.name, x.numerator.actual, x.denominator.actual)


def _no_ratio(sides: Sides | None, day: str, zh: bool) -> str:
    """Why a ratio has no actual: a side without an entry, or a denominator of 0."""
    if sides is None:
        if zh:
            return f"截至 {day}，分子或分母无填报，或分母为0"
        return f"the numerator or the denominator has no entry on or before {day}, or it is 0"
    num, den = sides.num, sides.den
    n, d = sides.numerator, sides.denominator
    if zh:
        n, d = sides.numerator_zh, sides.denominator_zh
    if num is None and den is None:
        if zh:
            return f"截至 {day}，分子{n}和分母{d}均无填报"
        return f"neither the numerator {n} nor the denominator {d} has an entry on or before {day}"
    if num is None:
        return (
            f"截至 {day}，分子{n}无填报"
            if zh
            else (f"the numerator {n} has no entry on or before {day}")
        )
    if den is None:
        return (
            f"截至 {day}，分母{d}无填报"
            if zh
            else (f"the denominator {d} has no entry on or before {day}")
        )
    if zh:
        return f"{day} 分母{d}为0（{fmt_number(num)} ÷ 0），无比率"
    return f"the denominator {d} is 0 on {day} ({fmt_number(num)} ÷ 0)"


def rule_text(
    ind: Indicator,
    row: StatusRow | None,
    as_of: date,
    lang: str = "en",
    sides: Sides | None = None,
) -> str:
    """The rule that gave the row its status, with its numbers (the first rule that applies,
    as ``measure.judge`` applies them). ``sides``: a ratio's two sides (``ratio_sides``), to
    say which one leaves it without an actual."""
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
            tail = _no_ratio(sides, day, zh)
        else:
            tail = (
                f"截至 {day} 范围内无填报（未报送不计为0）"
                if zh
                else f"no entry in scope on or before {day} (not reported is never zero)"
            )
    elif status in ("done", "overdue"):
        figures = row.exact
        assert figures is not None and figures.actual is not None
        assert figures.target is not None
        places = _apart(figures.actual, figures.target)
        sign = "≥" if status == "done" else "<"
        tail = (
            f"{w('actual')} {fmt_number(figures.actual, places)} {sign} "
            f"{w('target')} {fmt_number(figures.target, places)}"
        )
        if status == "overdue":
            due = row.due.isoformat() if row.due else "?"
            tail += f"，且 {day} 已过截止日 {due}" if zh else f" and as-of {day} is after due {due}"
    else:
        sign = "≥" if status == "on_track" else "<"
        figures = row.exact
        assert figures is not None and figures.progress is not None
        assert figures.expected is not None
        bound = exact(ON_TRACK_SHARE) * figures.expected
        places = _apart(figures.progress, bound)
        tail = (
            f"{w('progress')} {fmt_number(figures.progress, places)} {sign} "
            f"{fmt_number(ON_TRACK_SHARE)} × {w('expected')} {fmt_number(figures.expected)} = "
            f"{fmt_number(bound, places)}"
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
                "replaced": [
                    {
                        "id": e.id,
                        "date": e.date.isoformat(),
                        "value": num(e.value),
                        "state": f"{REPLACED}{by}",
                    }
                    for e, by in p.replaced
                ],
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
    sides = ratio_sides(x)
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
        "rule": rule_text(x.indicator, r, x.as_of, "en", sides),
        "rule_zh": rule_text(x.indicator, r, x.as_of, "zh", sides),
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

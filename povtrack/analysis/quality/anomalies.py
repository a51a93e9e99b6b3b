"""The anomaly checks of ``quality`` (the plan warns of 数字脱贫): running totals that go down,
unusual increments (median and MAD), values far above target, landing on target at the due
date, late rushes, stale values, copied series, milestones without a note. Pure; thresholds in
``quality.findings``; each check for users: docs/rules.md, "Checks"."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date, timedelta
from fractions import Fraction
from itertools import pairwise

from povtrack.analysis.measure import actual, scope_areas
from povtrack.analysis.quality.findings import (
    ABOVE_TARGET,
    COPIED_VALUES,
    DEFAULT_SEVERITY,
    DUE_WEEK_DAYS,
    FLAT_FACTOR,
    FLAT_MARGIN,
    MAD_SCALE,
    MOVING_SHARE,
    OUTLIER_MADS,
    OUTLIER_MIN_INCREMENTS,
    RATE_MAX,
    RUSH_DAYS,
    RUSH_SHARE,
    STALE_REPORTS,
    Data,
    Finding,
    amount,
    and_more,
    bare,
    make_finding,
    scope_label,
    whole,
)
from povtrack.exact import Exact, exact, to_float
from povtrack.model import Entry, Indicator, Plan, Target


def _running(ind: Indicator) -> bool:
    """A running total: a cumulative quantity or milestone."""
    return ind.reporting == "cumulative" and ind.kind in ("quantity", "milestone")


def running_total_down(plan: Plan, data: Data) -> list[Finding]:
    found: list[Finding] = []
    for ind in plan.indicators:
        if not _running(ind):
            continue
        for area in data.areas_with.get(ind.id, []):
            series = data.of(ind.id, area)
            drops = [(a, b) for a, b in pairwise(series) if b.value < a.value]
            if not drops:
                continue
            a, b = drops[-1]
            more = len(drops) - 1
            found.append(
                make_finding(
                    plan,
                    "running-total-down",
                    DEFAULT_SEVERITY["running-total-down"],
                    area,
                    ind.id,
                    (
                        f"累计数{b.date.isoformat()}从{amount(a.value, ind.unit, 'zh')}降到"
                        f"{amount(b.value, ind.unit, 'zh')}（上次填报{a.date.isoformat()}）"
                        + and_more(more, "zh", "次下降", "fall"),
                        f"running total fell from {amount(a.value, ind.unit, 'en')} "
                        f"({a.date.isoformat()}) to {amount(b.value, ind.unit, 'en')} on "
                        f"{b.date.isoformat()}" + and_more(more, "en", "次下降", "fall"),
                    ),
                    entries=[e for pair in drops for e in pair],
                    value=b.value,
                    expected=a.value,
                    day=b.date,
                )
            )
    return found


def increments(ind: Indicator, series: list[Entry]) -> list[tuple[Exact, list[Entry]]]:
    """The weekly increments of one area's series, exactly, each with the entries it comes
    from: an increment indicator's values; a running total's rises between consecutive
    reports, per week (falls are running-total-down's)."""
    if ind.reporting == "increment":
        return [(exact(e.value), [e]) for e in series]
    out: list[tuple[Exact, list[Entry]]] = []
    for a, b in pairwise(series):
        low, high = a.value, b.value
        if high >= low:
            if type(low) is int and type(high) is int:  # the usual case: counts
                rise: Exact = high - low
            else:
                rise = exact(high) - exact(low)
            days = (b.date - a.date).days
            out.append((rise if days == 7 else exact(Fraction(rise * 7, days)), [a, b]))
    return out


def _scaled(values: list[Exact]) -> tuple[list[int], int]:
    """The values as whole numbers over one common denominator: ``value = scaled / den``
    (sorting and comparing whole numbers is fast, and as exact)."""
    if not all(type(x) is int for x in values):  # a float given is taken as written
        values = [exact(x) for x in values]
    den = 1
    for x in values:
        if type(x) is not int:
            den = math.lcm(den, x.denominator)
    if den == 1:
        return values, 1  # type: ignore[return-value]
    return [x.numerator * (den // x.denominator) for x in map(Fraction, values)], den


def _twice_median(ordered: list[int]) -> int:
    """Twice the median of sorted whole numbers: a whole number, whatever the count."""
    mid = len(ordered) // 2
    return 2 * ordered[mid] if len(ordered) % 2 else ordered[mid - 1] + ordered[mid]


def usual_range(values: list[Exact]) -> tuple[Exact, Exact | None, Exact] | None:
    """The median m and the range of usual increments, m ± OUTLIER_MADS × MAD_SCALE × MAD,
    exactly, or None with fewer than OUTLIER_MIN_INCREMENTS increments. With a MAD of 0 the
    range has no low end (None: a pause is not flagged) and ends at max(FLAT_FACTOR × m, m +
    FLAT_MARGIN). For users: docs/rules.md, "Checks" (``unusual-increment``)."""
    if len(values) < OUTLIER_MIN_INCREMENTS:
        return None
    scaled, den = _scaled(values)
    m2 = _twice_median(sorted(scaled))  # 2 × den × median
    mad4 = _twice_median(sorted(abs(2 * x - m2) for x in scaled))  # 4 × den × MAD
    m = exact(Fraction(m2, 2 * den))
    if mad4 > 0:
        limit = exact(OUTLIER_MADS) * exact(MAD_SCALE) * Fraction(mad4, 4 * den)
        return m, exact(m - limit), exact(m + limit)
    return m, None, exact(max(exact(FLAT_FACTOR) * m, m + exact(FLAT_MARGIN)))


def outside(values: list[Exact], usual: tuple[Exact, Exact | None, Exact]) -> list[int]:
    """The indexes of the values below the usual range's low end or above its high end."""
    _, low, high = usual
    scaled, den = _scaled(values)
    # for a whole number x: x > h exactly when x > floor(h), x < l exactly when x < ceil(l)
    top = math.floor(high * den)
    bottom = None if low is None else math.ceil(low * den)
    return [n for n, x in enumerate(scaled) if x > top or (bottom is not None and x < bottom)]


def unusual(values: list[Exact]) -> list[int]:
    """The indexes of the values far outside the usual range."""
    usual = usual_range(values)
    return [] if usual is None else outside(values, usual)


def unusual_increments(plan: Plan, data: Data) -> list[Finding]:
    found: list[Finding] = []
    for ind in plan.indicators:
        if ind.kind == "ratio":
            continue
        for area in data.areas_with.get(ind.id, []):
            incs = increments(ind, data.of(ind.id, area))
            values = [x for x, _ in incs]
            usual = usual_range(values)
            if usual is None:
                continue
            flagged = outside(values, usual)
            if not flagged:
                continue
            m, low, high = usual
            x, entries = incs[flagged[-1]]
            day, u, n, more = entries[-1].date, ind.unit, len(values), len(flagged) - 1
            if low is None:  # a steady series: only a jump is flagged
                top = whole(high, u)
                zh = f"，远高于本地区平常每周{amount(m, u, 'zh')}（超过{top}即提示，共{n}周）"
                en = (
                    f" is far above this area's steady {amount(m, u, 'en')} a week "
                    f"(flagged above {top}; {n} weeks)"
                )
            else:
                span = f"{whole(max(0.0, low), u, math.ceil)}–{whole(high, u, math.floor)}"
                mid = whole(m, u)
                zh = f"，超出本地区平常每周{span}的范围（中位数{mid}，共{n}周）"
                en = f" is outside this area's usual {span} a week (median {mid}; {n} weeks)"
            found.append(
                make_finding(
                    plan,
                    "unusual-increment",
                    DEFAULT_SEVERITY["unusual-increment"],
                    area,
                    ind.id,
                    (
                        f"{day.isoformat()}周增{amount(x, u, 'zh')}{zh}"
                        + and_more(more, "zh", "周", "week"),
                        f"weekly increase of {amount(x, u, 'en')} on {day.isoformat()}{en}"
                        + and_more(more, "en", "周", "week"),
                    ),
                    entries=[e for k in flagged for e in incs[k][1]],
                    value=x,
                    expected=m,
                    day=day,
                )
            )
    return found


def _quantity_targets(plan: Plan, targets: list[Target]) -> list[tuple[Target, Indicator]]:
    return [
        (t, ind)
        for t in targets
        if (ind := plan.indicator(t.indicator)).kind == "quantity" and t.exact > 0
    ]


def far_above_target(plan: Plan, data: Data, targets: list[Target]) -> list[Finding]:
    found: list[Finding] = []
    for t, ind in _quantity_targets(plan, targets):
        if ind.unit == "percent":
            continue
        value = actual(plan, data.ledger, ind, t.scope, data.as_of)
        if value is None or value <= exact(ABOVE_TARGET) * t.exact:
            continue
        times = to_float(value / t.exact)
        found.append(
            make_finding(
                plan,
                "far-above-target",
                DEFAULT_SEVERITY["far-above-target"],
                t.scope,
                ind.id,
                (
                    f"完成{amount(value, ind.unit, 'zh')}，"
                    f"是目标{amount(t.value, ind.unit, 'zh')}的{times:.1f}倍"
                    f"（超过{ABOVE_TARGET:g}倍）",
                    f"actual {amount(value, ind.unit, 'en')} is {times:.1f}× the target "
                    f"{amount(t.value, ind.unit, 'en')} (more than {ABOVE_TARGET:g}×)",
                ),
                entries=data.scope_counting(ind, t.scope, data.as_of),
                value=value,
                expected=t.value,
                day=data.as_of,
            )
        )
    return found


def on_target_at_due(plan: Plan, data: Data, targets: list[Target]) -> list[Finding]:
    found: list[Finding] = []
    for t, ind in _quantity_targets(plan, targets):
        start = t.due - timedelta(days=DUE_WEEK_DAYS)
        for day in data.scope_dates(ind, t.scope):
            if not start <= day <= t.due:
                continue
            value = actual(plan, data.ledger, ind, t.scope, day)
            if value is None or value != t.exact:
                continue
            areas = [t.scope] if ind.unit == "percent" else scope_areas(plan, t.scope)
            on_day = [e for a in areas if (e := data.on(ind.id, a, day)) is not None]
            found.append(
                make_finding(
                    plan,
                    "on-target-at-due",
                    DEFAULT_SEVERITY["on-target-at-due"],
                    t.scope,
                    ind.id,
                    (
                        f"{day.isoformat()}恰好达到目标{amount(t.value, ind.unit, 'zh')}，正是截止"
                        f"（{t.due.isoformat()}）前一周",
                        f"exactly the target {amount(t.value, ind.unit, 'en')} on "
                        f"{day.isoformat()}, in the week it is due ({t.due.isoformat()})",
                    ),
                    entries=on_day,
                    value=value,
                    expected=t.value,
                    day=day,
                )
            )
            break
    return found


def late_rush(plan: Plan, data: Data, targets: list[Target]) -> list[Finding]:
    found: list[Finding] = []
    for t, ind in _quantity_targets(plan, targets):
        start = t.due - timedelta(days=RUSH_DAYS)
        if data.as_of <= start:
            continue
        end = min(t.due, data.as_of)
        after = actual(plan, data.ledger, ind, t.scope, end)
        if after is None:
            continue
        before = actual(plan, data.ledger, ind, t.scope, start) or 0
        gain = after - before
        if gain < exact(RUSH_SHARE) * t.exact:
            continue
        areas = [t.scope] if ind.unit == "percent" else scope_areas(plan, t.scope)
        involved = [e for a in areas for e in data.of(ind.id, a) if start < e.date <= end]
        share = to_float(gain / t.exact)
        u = ind.unit
        found.append(
            make_finding(
                plan,
                "late-rush",
                DEFAULT_SEVERITY["late-rush"],
                t.scope,
                ind.id,
                (
                    f"截止日{t.due.isoformat()}前4周内报了{amount(gain, u, 'zh')}，占目标"
                    f"{amount(t.value, u, 'zh')}的{share:.0%}",
                    f"{amount(gain, u, 'en')} of the target {amount(t.value, u, 'en')} "
                    f"({share:.0%}) reported in the 4 weeks before it is due "
                    f"({t.due.isoformat()})",
                ),
                entries=involved,
                value=gain,
                expected=t.value,
                day=end,
            )
        )
    return found


def _moved(plan: Plan, data: Data, area: str, skip: str, first: date, last: date) -> bool:
    """Did the area move any other indicator between two dates (a running total up, or a
    positive increment reported after ``first``, up to ``last``)?"""
    for ind in plan.indicators:
        if ind.id == skip or ind.kind == "ratio":
            continue
        series = data.of(ind.id, area)
        if not series:
            continue
        if ind.reporting == "increment":
            if any(first < e.date <= last and e.value > 0 for e in series):
                return True
            continue
        before = data.ledger.area_actual(ind, area, first)
        after = data.ledger.area_actual(ind, area, last)
        if after is not None and after > (before or 0):
            return True
    return False


def _done_level(
    plan: Plan, data: Data, targets: list[Target], ind: Indicator, area: str, day: date
) -> Exact | None:
    """The value at which an area's running total is finished: its target on the area, or,
    for a ratio's numerator, the area's denominator on that date (a rate: 100)."""
    levels = [t.exact for t in targets if t.indicator == ind.id and t.scope == area]
    if ind.unit == "percent":
        levels.append(RATE_MAX)
    for ratio in plan.indicators:
        if ratio.kind == "ratio" and ratio.numerator == ind.id and ratio.denominator:
            den = data.ledger.area_actual(plan.indicator(ratio.denominator), area, day)
            if den is not None:
                levels.append(den)
    return min(levels) if levels else None


def _usually_moves(series: list[Entry], run: Sequence[Entry] = (), least: int = 1) -> bool:
    """Do at least MOVING_SHARE of the series' report-to-report steps (outside ``run``; at
    least ``least`` of them) change the value?"""
    inside = {e.id for e in run}
    steps = [(a, b) for a, b in pairwise(series) if not (a.id in inside and b.id in inside)]
    moving = sum(1 for a, b in steps if b.value != a.value)  # single values: exact as floats
    return len(steps) >= least and moving >= exact(MOVING_SHARE) * len(steps)


def stale_values(plan: Plan, data: Data, targets: list[Target]) -> list[Finding]:
    denominators = {i.denominator for i in plan.indicators if i.kind == "ratio"}
    found: list[Finding] = []
    for ind in plan.indicators:
        if not _running(ind) or ind.id in denominators:
            continue
        for area in data.areas_with.get(ind.id, []):
            series = data.of(ind.id, area)
            runs: list[list[Entry]] = []
            for e in series:
                if runs and e.value == runs[-1][0].value:
                    runs[-1].append(e)
                else:
                    runs.append([e])
            stale = []
            for run in runs:
                if len(run) < STALE_REPORTS or run[0].value <= 0:
                    continue
                done = _done_level(plan, data, targets, ind, area, run[-1].date)
                if done is not None and exact(run[0].value) >= done:
                    continue
                if not _usually_moves(series, run, least=STALE_REPORTS):
                    continue
                if _moved(plan, data, area, ind.id, run[0].date, run[-1].date):
                    stale.append(run)
            if not stale:
                continue
            run = stale[-1]
            first, last, u = run[0].date.isoformat(), run[-1].date.isoformat(), ind.unit
            more = len(stale) - 1
            found.append(
                make_finding(
                    plan,
                    "stale-value",
                    DEFAULT_SEVERITY["stale-value"],
                    area,
                    ind.id,
                    (
                        f"{first}至{last}连续{len(run)}次报同一数{amount(run[0].value, u, 'zh')}，"
                        f"而本地区其他指标同期有进展" + and_more(more, "zh", "段", "run"),
                        f"the same {amount(run[0].value, u, 'en')} reported {len(run)} times in a "
                        f"row ({first} to {last}) while this area's other figures moved"
                        + and_more(more, "en", "段", "run"),
                    ),
                    entries=[e for r in stale for e in r],
                    value=run[0].value,
                    day=run[-1].date,
                )
            )
    return found


def copied_series(plan: Plan, data: Data) -> list[Finding]:
    found: list[Finding] = []
    order = {a.id: n for n, a in enumerate(plan.areas)}
    for ind in plan.indicators:
        if not _running(ind):
            continue
        first_with: dict[tuple[tuple[date, float], ...], str] = {}
        for area in sorted(data.areas_with.get(ind.id, []), key=lambda a: order.get(a, 0)):
            series = data.of(ind.id, area)
            if len(series) < COPIED_VALUES:
                continue
            if not _usually_moves(series):
                continue
            key = tuple((e.date, e.value) for e in series)
            if key not in first_with:
                first_with[key] = area
                continue
            other = first_with[key]
            found.append(
                make_finding(
                    plan,
                    "copied-series",
                    DEFAULT_SEVERITY["copied-series"],
                    area,
                    ind.id,
                    (
                        f"全部{len(series)}次填报（{series[0].date.isoformat()}至"
                        f"{series[-1].date.isoformat()}）与{scope_label(plan, other, 'zh')}"
                        "的日期和数值完全相同",
                        f"all {len(series)} reports ({series[0].date.isoformat()} to "
                        f"{series[-1].date.isoformat()}) have the same dates and values as "
                        f"{scope_label(plan, other, 'en')}'s",
                    ),
                    entries=[*series, *data.of(ind.id, other)],
                    value=series[-1].value,
                    day=series[-1].date,
                )
            )
    return found


def milestones_without_note(plan: Plan, data: Data, targets: list[Target]) -> list[Finding]:
    found: list[Finding] = []
    for t in targets:
        ind = plan.indicator(t.indicator)
        if ind.kind != "milestone" or t.scope_kind != "area":
            continue
        for e in data.of(ind.id, t.scope):
            value = data.ledger.area_actual(ind, t.scope, e.date)
            if value is None or value < t.exact:
                continue
            if not e.note.strip():
                found.append(
                    make_finding(
                        plan,
                        "milestone-no-note",
                        DEFAULT_SEVERITY["milestone-no-note"],
                        t.scope,
                        ind.id,
                        (
                            f"{e.date.isoformat()}报已完成（{bare(value)}/{bare(t.value)}），"
                            "但没有备注说明依据",
                            f"reported done ({bare(value)} of {bare(t.value)}) on "
                            f"{e.date.isoformat()} with no note saying what shows it",
                        ),
                        entries=[e],
                        value=value,
                        expected=t.value,
                        day=e.date,
                    )
                )
            break  # the report that first says "done" is the one that needs the note
    return found

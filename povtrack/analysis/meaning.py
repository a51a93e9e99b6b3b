"""What a value just written means against its target, and whether it looks like a 万/亿 slip.

Pure: no I/O, no words (``povtrack.cli.confirm`` says it). Used by ``record``, ``correct`` and
``target set``:

- the **standing** of an area after a report: its own figure on the report's date (the running
  total, or the sum of its increments to that date, as status counts it) against the area's
  own target (a plan target on it, or its allocation: ``whose`` is ``own`` or ``allocation``),
  else the city's (``city``); an allocation's standing is its share of the city target;
- a **slip**: a value a thousand times or more away from the area's previous value (else its
  target; for an allocation, the area's previous allocation, else the city target) — 万 or 亿
  typed as a plain number (``below``), or a figure multiplied by 万 or 亿 twice (``above``).
  Compared exactly, as the values were written. Not for rates (unit percent, 0 to 100).

For users: docs/commands.md (``record``).
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from povtrack.analysis.measure import all_targets
from povtrack.ledger import Ledger
from povtrack.model import Allocation, Indicator, Plan

SLIP_FACTOR = 1000  # a value this many times (or more) away from its reference is a slip
WAN, YI = 10**4, 10**8
Number = int | float | Fraction | Decimal


@dataclass(frozen=True)
class Standing:
    area: str
    actual: Number | None  # the area's figure (for an allocation: the allocation)
    target: Number | None  # what it is measured against; None: no target
    whose: str | None  # "own" (a plan target on the area), "allocation", "city" or None
    share: Fraction | None  # actual ÷ target; None without a target or with a target of 0


@dataclass(frozen=True)
class Slip:
    value: Number
    reference: Number
    against: str  # "previous", "target" or "previous_allocation"
    reference_date: date | None  # the previous value's date
    direction: str  # "below": 万/亿 typed as a plain number; "above": the reverse
    factor: Fraction  # how many times away (≥ SLIP_FACTOR)
    scale: int  # the likely slip: WAN (10^4) or YI (10^8)


def exact(x: Number) -> Fraction:
    """A value as it was written: 0.1 is one tenth, not the float nearest to it."""
    return Fraction(str(x)) if isinstance(x, float) else Fraction(x)


def _share(actual: Number | None, target: Number | None) -> Fraction | None:
    if actual is None or target is None or target == 0:
        return None
    return exact(actual) / exact(target)


def area_target(
    plan: Plan, allocations: list[Allocation], ind: Indicator, area: str
) -> tuple[Number | None, str | None]:
    """The area's own target (a plan target on it, or its newest allocation), else the city's:
    (value, whose) with whose ``own``, ``allocation`` or ``city``; (None, None) when neither."""
    rows = [t for t in all_targets(plan, allocations) if t.indicator == ind.id]
    mine = next((t for t in rows if t.scope == area and t.scope_kind == "area"), None)
    if mine is not None:
        return mine.value, "allocation" if mine.source == "allocation" else "own"
    city = next((t for t in rows if t.scope == plan.root.id), None)
    return (city.value, "city") if city is not None else (None, None)


def _area_figure(ledger: Ledger, ind: Indicator, area: str, day: date, value: Number) -> Number:
    """The area's figure on ``day`` once ``value`` is reported for it (``Ledger.area_actual``
    of the ledger with it): the value itself, or the sum of the increments with it, summed
    in date order."""
    if ind.reporting != "increment":
        return value
    dates, values = ledger.dates(ind.id, area), ledger.values(ind.id, area)
    return sum([v for d, v in zip(dates, values, strict=True) if d < day] + [value])


def value_standing(
    plan: Plan,
    ledger: Ledger,
    allocations: list[Allocation],
    ind: Indicator,
    area: str,
    day: date,
    value: Number | None = None,
) -> Standing:
    """The area's standing on ``day``: from ``ledger`` as it is, or, given ``value``, from the
    ledger before that value was reported for ``day`` (a record or a correction)."""
    figure: Number | None
    if value is None:
        figure = ledger.area_actual(ind, area, day)
    else:
        figure = _area_figure(ledger, ind, area, day, value)
    target, whose = area_target(plan, allocations, ind, area)
    return Standing(area, figure, target, whose, _share(figure, target))


def allocation_standing(plan: Plan, ind: Indicator, area: str, value: Number) -> Standing:
    """An allocation against the city target (None without one)."""
    city = next(
        (t.value for t in plan.plan_targets() if t.indicator == ind.id and t.scope == plan.root.id),
        None,
    )
    return Standing(area, value, city, "city" if city is not None else None, _share(value, city))


def slip(
    value: Number, reference: Number, against: str, reference_date: date | None = None
) -> Slip | None:
    """A likely 万/亿 slip: ``value`` SLIP_FACTOR times or more above or below ``reference``
    (never when either is 0); 亿 when it is a million times or more away, else 万."""
    v, ref = exact(value), exact(reference)
    if v <= 0 or ref <= 0:
        return None
    if v >= SLIP_FACTOR * ref:
        direction, factor = "above", v / ref
    elif ref >= SLIP_FACTOR * v:
        direction, factor = "below", ref / v
    else:
        return None
    scale = YI if factor >= 10**6 else WAN
    return Slip(value, reference, against, reference_date, direction, factor, scale)


def value_slip(
    plan: Plan,
    ledger: Ledger,
    allocations: list[Allocation],
    ind: Indicator,
    area: str,
    day: date,
    value: Number,
) -> Slip | None:
    """A reported value against the area's value on its latest earlier date (when not 0),
    else against its target (``area_target``). Never for a rate (0 to 100: no 万 in it)."""
    if ind.unit == "percent":
        return None
    dates = ledger.dates(ind.id, area)
    n = bisect_left(dates, day)
    if n:
        previous = ledger.values(ind.id, area)[n - 1]
        if previous:
            return slip(value, previous, "previous", dates[n - 1])
    target, _ = area_target(plan, allocations, ind, area)
    return None if target is None else slip(value, target, "target")


def allocation_slip(
    plan: Plan, allocations: list[Allocation], ind: Indicator, area: str, value: Number
) -> Slip | None:
    """An allocation against the area's previous one (``allocations``: those made before),
    else against the city target. Never for a rate."""
    if ind.unit == "percent":
        return None
    earlier = [
        a for a in [*plan.allocations, *allocations] if (a.indicator, a.area) == (ind.id, area)
    ]
    if earlier:
        return slip(value, earlier[-1].value, "previous_allocation")
    city = allocation_standing(plan, ind, area, value).target
    return None if city is None else slip(value, city, "target")

"""How record, correct and target set say what they did: the unit, what the value now means
against the target and a likely 万/亿 slip, in English or Chinese (the numbers:
``povtrack.analysis.meaning``)."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import TYPE_CHECKING

from povtrack.analysis.meaning import WAN, Number, Slip, Standing, exact
from povtrack.i18n import Labels
from povtrack.model import UNITS, Indicator, Plan
from povtrack.names import scope_names

if TYPE_CHECKING:
    from povtrack.actions.writes import Recorded

_SCALE = {WAN: "万", 10**8: "亿"}


def plain(x: Number) -> str:
    """A value as it is typed: 5300, 12.5 (no separators, no exponent)."""
    f = exact(x)
    if f.denominator == 1:
        return str(f.numerator)
    text = format(Decimal(f.numerator) / Decimal(f.denominator), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _grouped(x: Number) -> str:
    """5,300; 12.5; 0.33 (two places at most)."""
    f = round(exact(x), 2)
    if f.denominator == 1:
        return f"{f.numerator:,}"
    return f"{float(f):,.2f}".rstrip("0").rstrip(".")


def _compact(x: Number) -> str:
    """An amount in 亿 or 万 (5.32亿, 13.98万), or grouped when smaller than 1万."""
    f = exact(x)
    for scale, word in ((10**8, "亿"), (WAN, "万")):
        if f >= scale:
            text = f"{float(f / scale):.4f}".rstrip("0").rstrip(".")
            return text + word
    return _grouped(x)


def _unit(unit: str, labels: Labels) -> tuple[str, str]:
    """What goes between a number and its unit, and the unit: (" ", "people"), ("", "人")."""
    if unit == "percent":
        return "", "%"
    u = UNITS[unit]
    return ("", u.name) if labels.lang == "zh" else (" ", u.name_en)


def amount(x: Number, unit: str, labels: Labels) -> str:
    """A figure with its unit for a sentence: 5,300 people, 5,300人, 10亿 yuan, 30%."""
    gap, name = _unit(unit, labels)
    text = _compact(x) if unit == "yuan" else _grouped(x)
    return f"{text}{gap}{name}"


def typed(x: Number, unit: str, labels: Labels, *, compact: bool = True) -> str:
    """A value as written, with its unit: 532000000 yuan (5.32亿), 5300人; ``compact``: with
    the amount in 万 or 亿 beside a sum of yuan."""
    gap, name = _unit(unit, labels)
    text = f"{plain(x)}{gap}{name}"
    if compact and unit == "yuan" and exact(x) >= WAN:
        text += f"（{_compact(x)}）" if labels.lang == "zh" else f" ({_compact(x)})"
    return text


def percent(share: Fraction, labels: Labels) -> str:
    """53.2 % (en) or 53.2% (zh): one place, more for a tiny share so it never shows as 0."""
    pct = share * 100
    places = 1
    if 0 < pct < Fraction(1, 10):
        places = -math.floor(math.log10(pct)) + 1
    text = f"{float(pct):.{places}f}"
    return f"{text}%" if labels.lang == "zh" else f"{text} %"


def _area(plan: Plan, area: str, labels: Labels) -> str:
    return labels.pick(*scope_names(plan, area))


def standing_text(plan: Plan, ind: Indicator, s: Standing, labels: Labels) -> str:
    """Yanggao County's total on that date: 5,300 people = 8.3 % of the 63,824 people city
    target (Yanggao County has no target of its own)."""
    zh, name, unit = labels.lang == "zh", _area(plan, s.area, labels), ind.unit
    summed = ind.reporting == "increment"
    if unit == "percent":  # a rate reported as such: never a total
        head = f"{name}该日为" if zh else f"{name}'s rate on that date: "
    elif zh:
        head = f"{name}截至该日合计{'（各期之和）' if summed else ''}"
    else:
        head = f"{name}'s total on that date{' (the sum of its increments)' if summed else ''}: "
    head += "—" if s.actual is None else amount(s.actual, unit, labels)
    if s.target is None:
        tail = f"；{name}及全市均无此指标目标" if zh else "; no target for it or the city"
        return head + tail
    return head + _against(s, unit, name, labels)


def allocation_text(ind: Indicator, s: Standing, labels: Labels) -> str:
    """= 14.1 % of the 63,824 people city target."""
    zh = labels.lang == "zh"
    if s.target is None:
        return "全市无此指标目标" if zh else "there is no city target for it"
    if s.share is None:
        city = amount(s.target, ind.unit, labels)
        return f"全市目标为{city}" if zh else f"the city target is {city}"
    city = amount(s.target, ind.unit, labels)
    return (
        f"占全市目标{city}的{percent(s.share, labels)}"
        if zh
        else (f"= {percent(s.share, labels)} of the {city} city target")
    )


def _against(s: Standing, unit: str, name: str, labels: Labels) -> str:
    assert s.target is not None
    target = amount(s.target, unit, labels)
    if labels.lang == "zh":
        what = {"own": "本地目标", "allocation": "分解任务", "city": "全市目标"}[s.whose or "city"]
        share = f"的{percent(s.share, labels)}" if s.share is not None else ""
        tail = f"（{name}无本地目标）" if s.whose == "city" else ""
        return f"，占{what}{target}{share}{tail}"
    what = {
        "own": f"its own {target} target",
        "allocation": f"its {target} allocation",
        "city": f"the {target} city target",
    }[s.whose or "city"]
    tail = f" ({name} has no target of its own)" if s.whose == "city" else ""
    if s.share is None:
        return f", against {what}{tail}"
    return f" = {percent(s.share, labels)} of {what}{tail}"


def slip_text(
    plan: Plan,
    ind: Indicator,
    area: str,
    slip: Slip,
    labels: Labels,
    *,
    whose: str | None,
    command: str,
    again: bool = False,
) -> str:
    """The warning for a likely slip (without "warning: "): the value against what, the slip
    named, the value it would be and ``command`` to put it right (FIXED: that value, SCALE:
    万 or 亿); ``again``: the command sets it again (target set) rather than correcting."""
    zh, name, unit = labels.lang == "zh", _area(plan, area, labels), ind.unit
    word = _SCALE[slip.scale]
    v, value = plain(slip.value), typed(slip.value, unit, labels, compact=False)
    scaled = exact(slip.value) * slip.scale if slip.direction == "below" else None
    fixed = plain(scaled if scaled is not None else exact(slip.value) / slip.scale)
    ref = _reference(slip, name, unit, labels, whose)
    times = f"{round(slip.factor):,}"
    fix = command.replace("FIXED", fixed).replace("SCALE", word)
    uname = _unit(unit, labels)[1]
    if zh:
        hint = f"如是请重新设定：{fix}" if again else f"如是：{fix}"
        if slip.direction == "below":
            return (
                f"{value}仅为{ref}的{times}分之一：是否把{v}{word}误填为{v}？"
                f"{v}{word}应填{fixed}；{hint}"
            )
        return (
            f"{value}是{ref}的{times}倍：是否把已按{uname}填写的数又乘了{word}？"
            f"除以{word}为{fixed}；{hint}"
        )
    hint = f"if so, set it again: {fix}" if again else f"if so: {fix}"
    if slip.direction == "below":
        return (
            f"{value} is {times} times less than {ref}: {v}{word} typed as a plain number? "
            f"{v}{word} is {fixed}; {hint}"
        )
    return (
        f"{value} is {times} times more than {ref}: a figure in {uname} multiplied by {word} "
        f"again? {v} ÷ {word} is {fixed}; {hint}"
    )


def _reference(slip: Slip, name: str, unit: str, labels: Labels, whose: str | None) -> str:
    zh = labels.lang == "zh"
    ref = typed(slip.reference, unit, labels, compact=False)
    if slip.against == "previous":
        assert slip.reference_date is not None
        day = slip.reference_date.isoformat()
        return (
            f"{name}上一数值（{ref}，{day}）"
            if zh
            else (f"{name}'s previous value ({ref} on {day})")
        )
    if slip.against == "previous_allocation":
        return f"{name}上一次分解任务（{ref}）" if zh else f"{name}'s previous allocation ({ref})"
    target = amount(slip.reference, unit, labels)
    if zh:
        return {"own": "本地目标", "allocation": "分解任务"}.get(whose or "", "全市目标") + target
    return {
        "own": f"{name}'s own {target} target",
        "allocation": f"{name}'s {target} allocation",
    }.get(whose or "", f"the {target} city target")


def warning(text: str, labels: Labels) -> str:
    return f"警告：{text}" if labels.lang == "zh" else f"warning: {text}"


def slip_warning(plan: Plan, done: Recorded, labels: Labels) -> str | None:
    """The warning line for a recorded or corrected value that looks like a slip, if it does."""
    if done.slip is None:
        return None
    e = done.entry
    ind = plan.indicator(e.indicator)
    command = f"povtrack correct {e.id} FIXED --reason 'SCALE'"
    whose = done.standing.whose
    return warning(
        slip_text(plan, ind, e.area, done.slip, labels, whose=whose, command=command), labels
    )

"""Exact numbers for everything that decides a status, a "done", a finding or a rule.

A value is kept as it was written: a whole number as an ``int``, a decimal as the ``Fraction`` of
the decimal it was written as (a stored float 0.1 counts as one tenth: its shortest form, which is
what was typed, never the binary float nearest to it), and a plan's "P/Q" as that fraction. Sums,
ratios and their comparisons with targets and thresholds are made over these, so parts that add up
to a whole equal it at any magnitude, and nothing is decided by a tolerance. Floats remain for
showing figures (rounded, as ever). Pure. For users: docs/rules.md, "Exact figures".
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from decimal import Decimal
from fractions import Fraction

from povtrack.i18n import tr

Exact = int | Fraction  # a value as written: whole numbers stay ints (the fast, usual case)

_CACHE_LIMIT = 100_000
_decimals: dict[float, Fraction] = {}  # float -> its decimal, made once per distinct value
_FRACTION = re.compile(r"\s*([+-]?[0-9]+)\s*/\s*([+-]?[0-9]+)\s*", re.ASCII)
LARGEST = 10**15  # a plan's fraction, like a reported value, stays below this


def exact(x: int | float | Fraction | Decimal) -> Exact:
    """The value as it was written: 5200 and 5200.0 are 5200, 0.1 is Fraction(1, 10)."""
    kind = type(x)
    if kind is int:
        return x  # type: ignore[return-value]
    if kind is float:
        if x.is_integer():  # type: ignore[union-attr]
            return int(x)
        found = _decimals.get(x)  # type: ignore[arg-type]
        if found is None:
            if len(_decimals) >= _CACHE_LIMIT:
                _decimals.clear()
            # repr is the shortest decimal that reads back as this float: the one written
            found = _decimals[x] = Fraction(Decimal(repr(x)))  # type: ignore[index]
        return found
    if isinstance(x, Fraction):
        return x.numerator if x.denominator == 1 else x
    if isinstance(x, Decimal):
        return exact(Fraction(x))
    if isinstance(x, int):  # an int subclass; bool is refused by the callers' type checks
        return int(x)
    raise TypeError(f"not a number: {x!r}")


def exact_sum(values: Iterable[int | float | Fraction]) -> Exact:
    """The exact sum of values as written (ints add as ints)."""
    total: Exact = 0
    for v in values:
        total += v if type(v) is int else exact(v)
    return total


def ratio(numerator: Exact, denominator: Exact) -> Exact:
    """numerator ÷ denominator, exactly (the denominator is not 0)."""
    q = Fraction(numerator) / denominator
    return q.numerator if q.denominator == 1 else q


def shown(x: Exact | float | None) -> float | None:
    """The nearest float, for showing a figure (JSON, screens, exports round it further)."""
    return None if x is None else to_float(x)


def to_float(x: Exact | float) -> float:
    """The nearest float; a figure beyond the float range (a ratio over a tiny denominator left
    by an older povtrack or a hand edit) shows as the largest float of its sign, never raises."""
    try:
        return float(x)
    except OverflowError:
        return sys.float_info.max if x > 0 else -sys.float_info.max


def parse_fraction(text: str) -> Fraction:
    """A value written as a fraction: "P/Q" of whole numbers, spaces around either allowed
    ("200/3" is two thirds of 100). ValueError says what is wrong."""
    m = _FRACTION.fullmatch(text) if len(text) <= 80 else None
    if m is None:
        raise ValueError(
            tr(
                f"应为数字或由整数组成的分数“P/Q”，实为 {text!r}",
                f'must be a number or a fraction "P/Q" of whole numbers, got {text!r}',
            )
        )
    p, q = int(m.group(1)), int(m.group(2))
    if p < 0 or q < 0:
        raise ValueError(
            tr(f"不能为负数，实为 {text.strip()!r}", f"must not be negative, got {text.strip()!r}")
        )
    if q == 0:
        raise ValueError(
            tr(
                f"{text.strip()!r} 的分母为零：分数 P/Q 的 Q 应大于 0",
                f"{text.strip()!r} divides by zero: write a fraction P/Q with Q > 0",
            )
        )
    if Fraction(p, q) >= LARGEST:
        raise ValueError(
            tr(
                f"{text.strip()!r} 太大（达到 10^15 或更多）",
                f"{text.strip()!r} is too large (10^15 or more)",
            )
        )
    return Fraction(p, q)

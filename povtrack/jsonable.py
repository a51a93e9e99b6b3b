"""Figures and entries as JSON gives them: whole numbers as ints, shares to six places, exact
figures as their nearest float. The one place these forms live, shared by the analysis rows and
every view (``output.shapes`` builds the rest of the JSON shapes on them).

The forms are a promise to users' scripts: add fields freely, rename none.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from povtrack.exact import to_float
from povtrack.model import Entry


def num(x: float | Fraction | None) -> float | int | None:
    """265.0 -> 265, so whole numbers print as whole numbers (an exact figure is shown as
    its nearest float)."""
    if isinstance(x, Fraction):
        x = to_float(x)
    if isinstance(x, float) and x.is_integer():
        return int(x)
    return x


def share(x: float | None) -> float | None:
    """A share (0.5 is half) for JSON: six places, so float noise never shows."""
    return None if x is None else round(x, 6)


def figure(x: float | Fraction | None, places: int = 6) -> float | int | None:
    """A figure for JSON: rounded (a ratio's 56.00000000000001 is 56), whole ones as ints."""
    return None if x is None else num(round(to_float(x), places))


def entry_json(e: Entry) -> dict[str, Any]:
    return {
        "id": e.id,
        "indicator": e.indicator,
        "area": e.area,
        "date": e.date.isoformat(),
        "value": num(e.value),
        "note": e.note,
        "source": e.source,
        "recorded_at": e.recorded_at,
        "by": e.by,
        "batch": e.batch,
        "corrects": e.corrects,
        "reason": e.reason,
        "on_behalf_of": e.by if e.on_behalf_of is None else e.on_behalf_of,
    }

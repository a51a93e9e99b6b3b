"""The fields of a plan document, each read and checked with an error that names the
origin, the key path and what is wrong, and which keys each table takes (``KEYS``): what
``planbuild`` builds a ``model.Plan`` from. A document is hostile input (``planshape`` has
checked its shape and types first)."""

from __future__ import annotations

import difflib
import re
from datetime import date
from fractions import Fraction
from typing import Any

from povtrack.errors import PlanError
from povtrack.exact import parse_fraction
from povtrack.i18n import tr

SLUG = re.compile(r"^[a-z0-9][a-z0-9_.-]*$")

KEYS: dict[str, tuple[set[str], set[str]]] = {
    # section: (required keys, optional keys)
    "plan": ({"id", "name", "name_en", "start", "due"}, {"source"}),
    "areas": ({"id", "name", "name_hant", "name_en", "kind"}, {"parent", "aliases"}),
    "groups": ({"id", "name", "name_en", "members"}, {"name_hant", "note"}),
    "tasks": ({"number", "name", "name_en"}, set()),
    "indicators": (
        {"id", "task", "name", "name_en", "unit"},
        {"kind", "reporting", "numerator", "denominator", "targets", "due_rules", "note"},
    ),
    "targets": ({"scope", "value"}, {"due", "level", "citation", "each"}),
    "due_rules": ({"group", "due"}, {"citation"}),
    "allocations": ({"indicator", "area", "value"}, {"due", "note"}),
    "rules": (
        {"id", "kind"},
        {"severity", "whole", "parts", "left", "right", "tolerance", "indicators", "note"},
    ),
}
# The keys each kind of rule takes beside id, kind, severity and note.
RULE_KEYS = {
    "sum": {"whole", "parts", "tolerance"},
    "le": {"left", "right", "tolerance"},
    "check": {"indicators"},
}


def did_you_mean(close: list[str]) -> str:
    if not close:
        return ""
    return tr(f"；是不是指“{close[0]}”？", f"; did you mean '{close[0]}'?")


class Fields:
    """Reads a document's fields for ``planbuild.PlanBuilder``."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, key: str, why: str) -> PlanError:
        return PlanError(f"{self.origin}: {key}: {why}")

    # -- field helpers -------------------------------------------------------------------

    def table(self, data: Any, key: str, section: str) -> dict[str, Any]:
        if not isinstance(data, dict):
            raise self.fail(key, tr("应为表", "must be a table"))
        required, optional = KEYS[section]
        for k in data:
            if k not in required | optional:
                close = difflib.get_close_matches(k, sorted(required | optional), n=1)
                hint = did_you_mean(close)
                raise self.fail(f"{key}.{k}", tr(f"未知的键{hint}", f"unknown key{hint}"))
        for k in sorted(required):
            if k not in data:
                raise self.fail(f"{key}.{k}", tr("缺少", "missing"))
        return data

    def tables(self, data: dict[str, Any], section: str, required: bool = True) -> list[Any]:
        items = data.get(section, [])
        if not isinstance(items, list) or (required and not items):
            raise self.fail(
                section,
                tr(
                    "应为非空的表数组（[[" + section + "]]）",
                    "must be a non-empty array of tables ([[" + section + "]])",
                ),
            )
        return items

    def text(self, d: dict[str, Any], k: str, key: str, default: str | None = None) -> str:
        v = d.get(k, default)
        if not isinstance(v, str) or (default is None and not v.strip()):
            raise self.fail(f"{key}.{k}", tr("应为非空字符串", "must be a non-empty string"))
        return v

    def slug(self, d: dict[str, Any], k: str, key: str) -> str:
        v = self.text(d, k, key)
        if not SLUG.match(v):
            raise self.fail(
                f"{key}.{k}",
                tr(
                    f"“{v}”只能由小写字母、数字和 . _ - 组成",
                    f"'{v}' must be lower-case letters, digits, . _ -",
                ),
            )
        return v

    def day(self, d: dict[str, Any], k: str, key: str, default: date | None = None) -> date:
        v = d.get(k, default)
        if isinstance(v, str):
            try:
                v = date.fromisoformat(v)
            except ValueError:
                raise self.fail(
                    f"{key}.{k}",
                    tr(f"“{v}”不是日期（YYYY-MM-DD）", f"'{v}' is not a date (YYYY-MM-DD)"),
                ) from None
        if not isinstance(v, date):
            raise self.fail(
                f"{key}.{k}", tr("应为日期（YYYY-MM-DD）", "must be a date (YYYY-MM-DD)")
            )
        return v

    def number(self, d: dict[str, Any], k: str, key: str) -> float:
        v = d.get(k)
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise self.fail(
                f"{key}.{k}", tr(f"应为数字，实为 {v!r}", f"must be a number, got {v!r}")
            )
        if v < 0:
            raise self.fail(
                f"{key}.{k}", tr(f"不能为负数，实为 {v}", f"must not be negative, got {v}")
            )
        return v

    def exact_number(self, d: dict[str, Any], k: str, key: str) -> float | Fraction:
        """A number, or a fraction written as the string "P/Q", kept exact (a target, an
        allocation, a rule's tolerance)."""
        v = d.get(k)
        if not isinstance(v, str):
            return self.number(d, k, key)
        try:
            return parse_fraction(v)
        except ValueError as e:
            raise self.fail(f"{key}.{k}", str(e)) from None

    def choice(self, d: dict[str, Any], k: str, key: str, options: tuple[str, ...]) -> str:
        v = d.get(k, options[0])
        if not isinstance(v, str) or v not in options:
            listed = ", ".join(options)
            raise self.fail(
                f"{key}.{k}", tr(f"{v!r} 不是 {listed} 之一", f"{v!r} is not one of {listed}")
            )
        return v

    def unique(self, ids: list[Any], section: str) -> None:
        seen: set[Any] = set()
        for n, i in enumerate(ids):
            if i in seen:
                raise self.fail(f"{section}[{n}]", tr(f"编号 {i!r} 重复", f"duplicate id {i!r}"))
            seen.add(i)

    # -- sections ------------------------------------------------------------------------

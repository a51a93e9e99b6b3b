"""What a value in a database file must be, and how a problem with one is said: shared by
the checks of a file (``checks``) and of its series (``seriescheck``). Pure."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any, TypeGuard

from povtrack.i18n import tr
from povtrack.model import Plan


def not_in_plan(doc: dict[str, Any], where: str, plan: Plan) -> list[str]:
    """A record's indicator and area must be the plan's."""
    bad = []
    if doc["indicator"] not in plan.indicators_by_id:
        bad.append(
            tr(
                f"{where}/indicator：方案中没有“{doc['indicator']}”",
                f"{where}/indicator: '{doc['indicator']}' is not in the plan",
            )
        )
    if doc["area"] not in plan.areas_by_id:
        bad.append(
            tr(
                f"{where}/area：方案中没有“{doc['area']}”",
                f"{where}/area: '{doc['area']}' is not in the plan",
            )
        )
    return bad


def missing_text(doc: dict[str, Any], where: str, keys: tuple[str, ...]) -> list[str]:
    return [
        tr(f"缺少 {where}/{k}", f"{where}/{k} is missing")
        if k not in doc
        else tr(f"{where}/{k} 应为文本", f"{where}/{k} must be text")
        for k in keys
        if not isinstance(doc.get(k), str)
    ]


def optional_text(doc: dict[str, Any], where: str, keys: tuple[str, ...]) -> list[str]:
    return [
        tr(f"{where}/{k} 应为文本", f"{where}/{k} must be text")
        for k in keys
        if not isinstance(doc.get(k, ""), str)
    ]


def date_at(value: Any, where: str, bad: list[str]) -> date | None:
    try:
        return day_of(value)
    except (TypeError, ValueError):
        bad.append(
            tr(
                f"{where} 应为 YYYY-MM-DD 格式的日期，而不是 {show(value)}",
                f"{where} must be a date YYYY-MM-DD, not {show(value)}",
            )
        )
        return None


DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def day_of(text: str) -> date:
    """A date written exactly YYYY-MM-DD: the fast paths compare dates as text, which is only
    right for that form (Python also reads 20180304 and 2018-W09-7)."""
    if not DAY_TEXT.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def kind_of(value: Any) -> str:
    words = {list: tr("列表", "a list"), str: tr("文本", "text"), type(None): "null"}
    return words.get(type(value), type(value).__name__)


def entry_label(entry_id: object) -> str:
    """`` (entry 5)`` after a JSON path: the entry id users see in ``povtrack log``."""
    return tr(f"（第{entry_id}条记录）", f" (entry {entry_id})")


def show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

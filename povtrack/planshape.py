"""A plan file as hostile input: its size, TOML nesting, the type of every key, finite numbers,
the depth of the area tree and overlapping group members, each refused with the key path.

These checks run before and beside ``planfile``'s reading of the plan, so that nothing a plan
file can hold makes a later command fail (docs/plan.md, "What a plan file may not do").
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from povtrack.errors import PlanError
from povtrack.exact import parse_fraction
from povtrack.i18n import tr

MAX_PLAN_BYTES = 4 * 1024 * 1024  # a plan of 10,000 villages is about 2 MB
MAX_NESTING = 8  # arrays and inline tables inside one another
MAX_KEY_PARTS = 8  # a.b.c: dotted parts of one key or table header
DOTS_WITHOUT_SCAN = 2_000  # fewer dots than this in a plan cannot make a slow dotted key
MAX_DEPTH = 8  # levels of the area tree, the top area being level 1
MAX_TEXT = 500  # characters in any one string
MAX_TASK = 999  # task numbers run from 0 to this
LARGEST = 10**15  # target, allocation and tolerance values stay below it (as reported values)
FIRST_DAY, LAST_DAY = date(1900, 1, 1), date(2199, 12, 31)
MAX_TARGET_ROWS = 100_000  # targets once "each member" targets are expanded
# How many tables a section, or a list, may hold.
MAX_COUNT = {
    "areas": 10_000,
    "groups": 1_000,
    "tasks": 1_000,
    "indicators": 1_000,
    "allocations": 100_000,
    "rules": 1_000,
    "targets": 1_000,  # per indicator
    "due_rules": 1_000,  # per indicator
    "aliases": 20,  # per area
    "members": 10_000,
    "parts": 1_000,
    "indicators-listed": 1_000,  # a check rule's indicators
}
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # Unicode's category Cc

Fail = Callable[[str, str], PlanError]

# The type of every key of every table (what planfields.KEYS allows, and nothing else):
# text, date, number, value (a number or an exact fraction "P/Q"), whole, bool, texts (a list of
# strings), or a list of tables of the named section.
_TYPES: dict[str, dict[str, str]] = {
    "plan": dict.fromkeys(("id", "name", "name_en", "source"), "text")
    | {"start": "date", "due": "date"},
    "areas": dict.fromkeys(("id", "name", "name_hant", "name_en", "kind", "parent"), "text")
    | {"aliases": "texts"},
    "groups": dict.fromkeys(("id", "name", "name_en", "name_hant", "note"), "text")
    | {"members": "texts"},
    "tasks": {"number": "whole", "name": "text", "name_en": "text"},
    "indicators": dict.fromkeys(
        ("id", "name", "name_en", "unit", "kind", "reporting", "numerator", "denominator", "note"),
        "text",
    )
    | {"task": "whole", "targets": "tables", "due_rules": "tables"},
    "targets": dict.fromkeys(("scope", "level", "citation"), "text")
    | {"value": "value", "due": "date", "each": "bool"},
    "due_rules": {"group": "text", "due": "date", "citation": "text"},
    "allocations": dict.fromkeys(("indicator", "area", "note"), "text")
    | {"value": "number", "due": "date"},
    "rules": dict.fromkeys(("id", "kind", "severity", "whole", "left", "right", "note"), "text")
    | {"parts": "texts", "indicators": "texts", "tolerance": "number"},
}

# -- the text, before TOML reads it ---------------------------------------------------------

_INTEREST = re.compile(r"[\n\[\]{},.=#\"']")
_BASIC_END = re.compile(r'["\\\n]')
_BASIC_MULTI_END = re.compile(r'["\\]')
_BLANK = re.compile(r"[ \t\r]*")


def _closed(text: str, at: int, quote: str) -> int:
    """Just after the three quotes that close a multi-line string at ``at``, taking up to two
    more quotes (which belong to the string)."""
    end = at + 3
    while end < len(text) and end < at + 5 and text[end] == quote:
        end += 1
    return end


def _after_string(text: str, i: int) -> int:
    """Where the TOML string starting at ``i`` ends (its end if it does not: TOML says why)."""
    quote = text[i]
    multi = text.startswith(quote * 3, i)
    j = i + (3 if multi else 1)
    if quote == "'":
        end = text.find("'''" if multi else "'", j)
        if not multi:
            newline = text.find("\n", j)
            end = newline if end < 0 or 0 <= newline < end else end
        if end < 0:
            return len(text)
        return _closed(text, end, quote) if multi else end + 1
    pattern = _BASIC_MULTI_END if multi else _BASIC_END
    while (m := pattern.search(text, j)) is not None:
        j = m.start()
        if text[j] == "\\":
            j += 2
        elif text[j] == "\n":
            return j
        elif not multi:
            return j + 1
        elif text.startswith('"""', j):
            return _closed(text, j, quote)
        else:
            j += 1
    return len(text)


def nesting_problem(text: str) -> tuple[int, str, str] | None:
    """(line, key, why) where the TOML ``text`` nests arrays and inline tables more than
    MAX_NESTING deep or has a key of more than MAX_KEY_PARTS dotted parts, which would make
    Python's TOML reader fail or take hours; None if it does neither. One pass over the text;
    anything else malformed is left to the TOML reader."""
    stack: list[str] = []
    line, key, parts, key_at = 1, "", 1, 0
    mode = "line"  # line (start of a line), key, header ([table]), value
    i, n = 0, len(text)
    while i < n:
        if mode == "line":
            i = _BLANK.match(text, i).end()  # type: ignore[union-attr]
            if i >= n:
                break
            if text[i] not in "\n#":
                mode, parts, key_at = ("header" if text[i] == "[" else "key"), 1, i
                i += text[i] == "["
        m = _INTEREST.search(text, i)
        if m is None:
            break
        i, c = m.end(), m.group()
        if c == "\n":
            line += 1
            mode = mode if stack else "line"
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
        elif c in "\"'":
            end = _after_string(text, i - 1)
            line += text.count("\n", i, end)
            i = end
        elif mode in ("key", "header"):
            if c == ".":
                parts += 1
                if parts > MAX_KEY_PARTS:
                    where = text[key_at:i].strip().lstrip("[") if not stack else key
                    return (
                        line,
                        where,
                        tr(
                            f"键由超过 {MAX_KEY_PARTS} 个点分部分组成",
                            f"a key of more than {MAX_KEY_PARTS} dotted parts",
                        ),
                    )
            elif (c == "=" and mode == "key") or (c == "]" and mode == "header"):
                key = text[key_at : i - 1].strip().strip("[]") if not stack else key
                mode = "value"
            elif c == "}" and stack:
                stack.pop()
                mode = "value"
        elif c in "[{":
            stack.append(c)
            if len(stack) > MAX_NESTING:
                return (
                    line,
                    key,
                    tr(
                        f"数组或内联表嵌套超过 {MAX_NESTING} 层",
                        f"arrays or inline tables nested more than {MAX_NESTING} deep",
                    ),
                )
            if c == "{":
                mode, parts, key_at = "key", 1, i
        elif c in "]}":
            if stack:
                stack.pop()
        elif c == "," and stack and stack[-1] == "{":
            mode, parts, key_at = "key", 1, i
    return None


def too_large(origin: str) -> PlanError:
    return PlanError(
        tr(
            f"{origin}：超过 4 MiB（{MAX_PLAN_BYTES} 字节），这是方案文件的上限",
            f"{origin}: larger than 4 MiB ({MAX_PLAN_BYTES} bytes), the most a plan file may be",
        )
    )


def check_text(text: str, origin: str, *, scan: bool = False) -> None:
    """The plan text within MAX_PLAN_BYTES and, when it has dots enough for a dotted key to
    matter (Python's TOML reader takes time in the square of its parts; a plan's own dots are
    inside strings) or ``scan``, within MAX_NESTING and MAX_KEY_PARTS."""
    if len(text) > MAX_PLAN_BYTES or len(text.encode("utf-8", "surrogatepass")) > MAX_PLAN_BYTES:
        raise too_large(origin)
    if scan or text.count(".") > DOTS_WITHOUT_SCAN:
        problem = nesting_problem(text)
        if problem is not None:
            line, key, why = problem
            shown = key if len(key) <= 60 else key[:59] + "…"
            raise PlanError(
                tr(
                    f"{origin}：第{line}行，键“{shown}”：{why}",
                    f"{origin}: line {line}, key '{shown}': {why}",
                )
            )


# -- the type of every key ------------------------------------------------------------------


def _text_problem(value: Any) -> str | None:
    if not isinstance(value, str):
        return tr(f"应为字符串，实为 {_kind(value)}", f"must be a string, got {_kind(value)}")
    if len(value) > MAX_TEXT:
        return tr(
            f"长 {len(value)} 个字符；最多 {MAX_TEXT} 个",
            f"is {len(value)} characters long; at most {MAX_TEXT}",
        )
    bad = _CONTROL.search(value)
    if bad is not None:
        return tr(
            f"含有控制字符（U+{ord(bad.group()):04X}）",
            f"contains a control character (U+{ord(bad.group()):04X})",
        )
    return None


def number_problem(value: Any) -> str | None:
    """Why ``value`` is not a plan number (finite, 0 or more, below LARGEST), or None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return tr(f"应为数字，实为 {_kind(value)}", f"must be a number, got {_kind(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        return tr(f"应为有限的数字，实为 {value}", f"must be a finite number, got {value}")
    if value < 0:
        return tr(f"不能为负数，实为 {value}", f"must not be negative, got {value}")
    if value >= LARGEST:
        return tr(
            f"{value:g} 太大；方案中的数值应小于 10^15",
            f"{value:g} is too large; a plan's values stay below 10^15",
        )
    return None


def value_problem(value: Any) -> str | None:
    """A target value: a number, or an exact fraction written "P/Q" (bounded by the one
    reader of fractions, ``exact.parse_fraction``)."""
    if not isinstance(value, str):
        return number_problem(value)
    try:
        parse_fraction(value)
    except ValueError as e:
        return str(e)
    return None


def day_problem(value: date) -> str | None:
    if not FIRST_DAY <= value <= LAST_DAY:
        return tr(
            f"{value.isoformat()} 不在 {FIRST_DAY.year}-{LAST_DAY.year} 年之间",
            f"{value.isoformat()} is outside {FIRST_DAY.year}-{LAST_DAY.year}",
        )
    return None


def _kind(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:39] + "…")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return tr("表", "a table")
    if isinstance(value, list):
        return tr("数组", "an array")
    if isinstance(value, datetime):
        return tr("日期和时间", "a date and time")
    if isinstance(value, date):
        return tr("日期", "a date")
    if isinstance(value, int | float):
        return repr(value) if math.isfinite(value) else str(value)
    return tr("一天中的时刻", "a time of day")


def _field_problem(kind: str, value: Any) -> str | None:
    if kind == "text":
        return _text_problem(value)
    if kind == "number":
        return number_problem(value)
    if kind == "value":
        return value_problem(value)
    if kind == "bool":
        if isinstance(value, bool):
            return None
        return tr(
            f"应为 true 或 false，实为 {_kind(value)}", f"must be true or false, got {_kind(value)}"
        )
    if kind == "whole":
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_TASK:
            return tr(
                f"应为 0 到 {MAX_TASK} 之间的整数，实为 {_kind(value)}",
                f"must be a whole number from 0 to {MAX_TASK}, got {_kind(value)}",
            )
        return None
    # a date: a TOML date, or a string planfile reads as one (and says why if it is none)
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return _text_problem(value)
    if isinstance(value, datetime) or not isinstance(value, date):
        return tr(
            f"应为日期（YYYY-MM-DD），实为 {_kind(value)}",
            f"must be a date (YYYY-MM-DD), got {_kind(value)}",
        )
    return day_problem(value)


def _tables(raw: Any, key: str, section: str, fail: Fail) -> None:
    if not isinstance(raw, list):
        header = section if section == key else f"indicators.{section}"
        raise fail(
            key,
            tr(
                f"应为表数组（[[{header}]]），实为 {_kind(raw)}",
                f"must be an array of tables ([[{header}]]), got {_kind(raw)}",
            ),
        )
    limit = MAX_COUNT[section]
    if len(raw) > limit:
        raise fail(
            key, tr(f"有 {len(raw)} 个表；最多 {limit} 个", f"{len(raw)} tables; at most {limit}")
        )
    for n, table in enumerate(raw):
        _table(table, f"{key}[{n}]", section, fail)


def _table(raw: Any, key: str, section: str, fail: Fail) -> None:
    if not isinstance(raw, dict):
        raise fail(key, tr(f"应为表，实为 {_kind(raw)}", f"must be a table, got {_kind(raw)}"))
    types = _TYPES[section]
    for k, value in raw.items():
        kind = types.get(k)
        if kind is None:  # an unknown key: planfile names it, with "did you mean"
            continue
        where = f"{key}.{k}"
        if kind == "tables":
            _tables(value, where, k, fail)
        elif kind == "texts":
            _texts(value, where, "indicators-listed" if k == "indicators" else k, fail)
        elif (why := _field_problem(kind, value)) is not None:
            raise fail(where, why)


def _texts(raw: Any, key: str, what: str, fail: Fail) -> None:
    if not isinstance(raw, list):
        raise fail(
            key,
            tr(
                f"应为字符串列表，实为 {_kind(raw)}", f"must be a list of strings, got {_kind(raw)}"
            ),
        )
    limit = MAX_COUNT[what]
    if len(raw) > limit:
        raise fail(
            key, tr(f"有 {len(raw)} 项；最多 {limit} 项", f"{len(raw)} items; at most {limit}")
        )
    for n, item in enumerate(raw):
        if (why := _text_problem(item)) is not None:
            raise fail(f"{key}[{n}]", why)


def check_shape(data: dict[str, Any], fail: Fail) -> None:
    """Every known key of the parsed TOML ``data`` has its type, within the limits above."""
    for section in _TYPES:
        if section not in data:
            continue
        raw = data[section]
        if section == "plan":
            _table(raw, "plan", "plan", fail)
        elif section in MAX_COUNT and section not in ("targets", "due_rules"):
            _tables(raw, section, section, fail)


def check_target_rows(indicators: list[Any], members: dict[str, int], fail: Fail) -> None:
    """At most MAX_TARGET_ROWS targets once each "each member" target is one per member."""
    rows = sum(
        members[t.scope] if t.each else 1 for indicator in indicators for t in indicator.targets
    )
    if rows > MAX_TARGET_ROWS:
        raise fail(
            "indicators",
            tr(
                f"'each' 目标展开后共有 {rows} 行目标；最多 {MAX_TARGET_ROWS} 行",
                f"{rows} target rows once 'each' targets are expanded; at most {MAX_TARGET_ROWS}",
            ),
        )


# -- the area tree and the groups ------------------------------------------------------------


def check_tree(parents: list[tuple[str, str | None]], fail: Fail) -> None:
    """No area is its own ancestor and none lies more than MAX_DEPTH levels down.
    ``parents``: (area id, parent id) in file order, every parent a known area."""
    parent_of = dict(parents)
    for n, (area, parent) in enumerate(parents):
        seen, up, level = {area}, parent, 1
        while up is not None:
            if up in seen:
                raise fail(
                    f"areas[{n}].parent",
                    tr(f"“{area}”是它自己的上级", f"'{area}' is its own ancestor"),
                )
            level += 1
            if level > MAX_DEPTH:
                raise fail(
                    f"areas[{n}].parent",
                    tr(
                        f"“{area}”距顶层地区超过 {MAX_DEPTH} 级；方案最多 {MAX_DEPTH} 级",
                        f"'{area}' lies more than {MAX_DEPTH} levels down from the top area; "
                        f"a plan has at most {MAX_DEPTH} levels",
                    ),
                )
            seen.add(up)
            up = parent_of[up]


def check_members(
    members: list[str], key: str, parent_of: dict[str, str | None], fail: Fail
) -> None:
    """A group's members are distinct areas, none the top area and none inside another member:
    the group's total adds up each member's area and all below it, so each counts once."""
    listed: set[str] = set()
    for n, m in enumerate(members):
        if parent_of[m] is None:
            raise fail(
                f"{key}[{n}]",
                tr(
                    f"“{m}”是顶层地区，包含所有其他地区",
                    f"'{m}' is the top area, which holds every other area",
                ),
            )
        if m in listed:
            raise fail(f"{key}[{n}]", tr(f"“{m}”列出了两次", f"'{m}' is listed twice"))
        listed.add(m)
    for n, m in enumerate(members):
        up = parent_of[m]
        while up is not None:
            if up in listed:
                raise fail(
                    f"{key}[{n}]",
                    tr(
                        f"“{m}”位于同为成员的“{up}”之内；组会把它计算两次",
                        f"'{m}' lies within '{up}', also a member; the group would count it twice",
                    ),
                )
            up = parent_of[up]

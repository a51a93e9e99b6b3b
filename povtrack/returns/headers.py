"""A return's header: which row it is, what each of its columns reads as, and the layout.

The names a header may give each column (``SYNONYMS``) are matched after folding: full-width
forms to ASCII (NFKC), spaces removed (``日  期``), case ignored, and Traditional characters
to Simplified (``填報日期``, ``縣區``, ``週``). ``单位`` is the area (the reporting unit), unless
another column is the area: then it is the unit of measure, checked against the indicator's.
``序号`` is read as nothing.

The header is the first of the first ``SCAN_ROWS`` rows that hold something which is a
header: for the long layout (one value a row) it names an indicator column and a value
column; for the wide layout (indicators across) it names at least one indicator, by id or
name, in any language the plan names it, and an area, date or week column or a second
indicator. ``layout`` forces one of them. The rows above the header are its title and notes
(``povtrack.returns.titles`` reads an area or a date from them when no column gives one).
When no row is a header, the row that comes nearest is checked as one, so that its problems
are the ones reported (for today's English header: the very same messages as ever).

Invariant: a header found here names every column it reads as something; the reader refuses
any value in a column the header leaves unnamed. For users: docs/returns.md, "Headers".
"""

from __future__ import annotations

import difflib
import functools
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.model import UNITS, Indicator, Plan
from povtrack.names import reportable, resolve_indicator
from povtrack.returns import titles
from povtrack.returns.cells import cell_text
from povtrack.textsafe import shown

SCAN_ROWS = 10  # rows holding something, from the top, among which the header is looked for
LAYOUTS = ("long", "wide")
COLUMNS = ("date", "week", "area", "indicator", "value", "note")  # the English names
REQUIRED = ("area", "indicator", "value")  # and one of date/week
SYNONYMS: dict[str, tuple[str, ...]] = {
    "date": ("日期", "填报日期", "报送日期", "上报日期", "统计日期", "截止日期", "截至日期"),
    "week": ("周", "周次", "第几周", "填报周次", "报送周次"),
    "area": (
        "地区",
        "县区",
        "区县",
        "县市区",
        "县(区)",
        "县(市、区)",
        "单位",
        "填报单位",
        "报送单位",
        "地区名称",
        "单位名称",
    ),
    "indicator": ("指标", "指标名称", "项目", "项目名称", "指标项目"),
    "value": (
        "数值",
        "数量",
        "本周累计",
        "截至本周累计",
        "累计",
        "累计完成",
        "累计完成数",
        "完成数",
        "完成值",
        "实际完成",
    ),
    "note": ("备注", "说明", "备注说明", "情况说明"),
    "unit": ("unit", "计量单位"),
}
IGNORED = ("序号",)
_AREA_OR_UNIT = "单位"
_CJK = re.compile(r"[\u3400-\u9fff]")
_IN_PARENS = re.compile(r"(.+?)\s*\(([^()]*)\)")  # after NFKC: （万元） is (万元)
_LONGEST_NAME = 200  # an indicator's name and its unit, with room to spare


def key(text: str) -> str:
    """A header cell as it is matched: NFKC, no spaces, case folded."""
    return "".join(unicodedata.normalize("NFKC", text).split()).casefold()


@functools.cache
def _t2s() -> Any:
    from opencc_purepy import OpenCC  # loaded only for a short Chinese name not found as it is

    return OpenCC("t2s")


_CHINESE = [n for names in SYNONYMS.values() for n in names if not n.isascii()]
_BY_KEY = {key(n): f for f, names in SYNONYMS.items() for n in names} | {c: c for c in COLUMNS}


def field_of(text: str) -> str | None:
    """The field a header cell names (``date``, ..., ``unit``, ``ignored``), or None."""
    k = key(text)
    if k in _BY_KEY:
        return _BY_KEY[k]
    if k in IGNORED:
        return "ignored"
    if _CJK.search(k) and len(k) <= 8:  # synonyms are short; a title row is not converted
        k = key(_t2s().convert(k))
        return _BY_KEY.get(k, "ignored" if k in IGNORED else None)
    return None


def unit_names(ind: Indicator) -> set[str]:
    """How a header or a unit cell may name the unit ``ind`` is counted in."""
    unit = UNITS[ind.unit]
    names = {key(unit.code), key(unit.name), key(unit.name_en)}
    if unit.name.startswith("个"):
        names.add("个")
    if unit.code == "percent":
        names.add("百分比")
    return names


def unit_problem(text: str, ind: Indicator) -> str | None:
    """Why ``text`` (a unit written in a header or a unit cell) is not ``ind``'s unit."""
    if not text.strip() or key(text) in unit_names(ind):
        return None
    unit = UNITS[ind.unit]
    return tr(
        f"写的单位是 '{shown(text)}'，但 {ind.id} 以{unit.name}（{unit.code}）计；"
        f"请换算成{unit.name}填写",
        f"the unit given is '{shown(text)}', but {ind.id} is counted in {unit.code} "
        f"({unit.name}); give the value in {unit.code}",
    )


@dataclass
class Column:
    number: int  # 1 = column A
    text: str  # the header cell as written
    reads_as: str  # a field (date, week, area, indicator, value, note, unit), or "ignored"
    indicator: Indicator | None = None  # wide: the indicator the column holds

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"column": self.number, "header": self.text}
        out["reads_as"] = None if self.reads_as == "ignored" else self.reads_as
        if self.indicator is not None:
            out["indicator"] = self.indicator.id
        return out


@dataclass
class Header:
    row: int  # the header's row (CSV line, Excel row)
    layout: str  # "long" or "wide"
    columns: list[Column]
    first: bool = True  # the first row holding something (nothing above it)
    fields: dict[str, int] = field(default_factory=dict)  # field -> column number
    given: dict[str, titles.Found] = field(default_factory=dict)  # "area"/"date" by the title

    @property
    def indicators(self) -> list[Column]:
        return [c for c in self.columns if c.indicator is not None]

    @functools.cached_property
    def read(self) -> frozenset[int]:
        """The columns whose cells are read (a value anywhere else is refused); asked only
        once the header is built."""
        return frozenset(c.number for c in self.columns)

    @functools.cached_property
    def named(self) -> int:
        """How many columns from A on are all read: a row no longer holds nothing else."""
        n = 0
        while n + 1 in self.read:
            n += 1
        return n

    def cells(self, values: tuple[Any, ...] | list[Any]) -> dict[str, tuple[int, Any]]:
        """A row's cells by field, as (column, value); what the title gives, at column 0."""
        out = {
            f: (col, values[col - 1] if col <= len(values) else None)
            for f, col in self.fields.items()
        }
        for f, found in self.given.items():
            out[f] = (0, found.value)
        return out


class _Indicators:
    """The plan's indicators by id and names, matched as a header cell is (no suggestions:
    this runs on every row looked at)."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self.by_key: dict[str, Indicator] = {}
        for ind in plan.indicators:
            for name in (ind.id, ind.name, ind.name_en):
                self.by_key.setdefault(key(name), ind)

    def find(self, text: str, *, convert: bool) -> Indicator | None:
        k = key(text)
        bracketed = _IN_PARENS.fullmatch(k) if len(k) <= _LONGEST_NAME else None
        for candidate in (k, bracketed.group(1) if bracketed else None):
            if candidate is None:
                continue
            if candidate in self.by_key:
                return self.by_key[candidate]
            if convert and _CJK.search(candidate):
                simplified = key(_t2s().convert(candidate))
                if simplified in self.by_key:
                    return self.by_key[simplified]
        return None


def _texts(values: tuple[Any, ...] | list[Any]) -> list[str]:
    return [cell_text(v).strip().lstrip("\ufeff") for v in values]


def _kind(texts: list[str], inds: _Indicators, layout: str | None) -> str | None:
    """ "long", "wide" or None: whether this row is a header, and of which layout."""
    named = [t for t in texts if t]
    if len(named) < 2:  # a title, a note, a blank row
        return None
    fields = {field_of(t) for t in named}
    if layout != "wide" and {"indicator", "value"} <= fields:
        return "long"
    if layout == "long" or fields & {"indicator", "value"}:
        return None
    rest = [t for t in named if field_of(t) is None]
    found = sum(1 for t in rest if inds.find(t, convert=True) is not None)
    if found and (found >= 2 or fields & {"area", "date", "week"}):
        return "wide"
    return None


def _nearness(texts: list[str]) -> int:
    """How many cells name a column, or nearly do (a misspelling)."""
    return sum(
        1
        for t in texts
        if t and (field_of(t) or difflib.get_close_matches(t.lower(), COLUMNS, n=1))
    )


def find(
    rows: list[tuple[int, tuple[Any, ...] | list[Any]]], plan: Plan, layout: str | None
) -> tuple[int, str | None]:
    """Which of ``rows`` (the first rows holding something, at most SCAN_ROWS) is the header,
    as an index into ``rows``, and its layout; the layout is None when no row is a header and
    the index is the row that comes nearest (the first, when none names any column)."""
    inds = _Indicators(plan)
    texts = [_texts(values) for _, values in rows]
    for i, row in enumerate(texts):
        kind = _kind(row, inds, layout)
        if kind is not None:
            return i, kind
    near = [_nearness(row) for row in texts]
    best = max(near, default=0)
    return (near.index(best) if best else 0), None


def check_english(header: list[str]) -> list[str]:
    """The problems of a row taken as a long header when no row was found to be one."""
    if not any(
        name in COLUMNS or field_of(name) or difflib.get_close_matches(name, COLUMNS, n=1)
        for name in header
    ):
        return [
            tr(
                f"这不是表头：前 {SCAN_ROWS} 行里没有一行写出 日期/周、地区、指标、数值 这些列"
                "（date/week, area, indicator, value）；请看 docs/returns.md 里可用的列名",
                "this is not the header: it names none of the columns date/week, area, "
                f"indicator, value, and no row of the first {SCAN_ROWS} is a header (the "
                "column names povtrack reads: docs/returns.md)",
            )
        ]
    return _check_long(header, {})


def _check_long(header: list[str], given: dict[str, titles.Found]) -> list[str]:
    """Today's header checks, in their order, on names already lowercased (English names are
    reported as they were; a synonym counts as the column it names)."""
    bad = []
    fields = _fields(header)
    for name, f in dict.fromkeys(zip(header, fields, strict=True)):
        if name and f is None:
            if name.isascii():
                close = difflib.get_close_matches(name, COLUMNS, n=1)
            else:  # a name of two characters, one of them mistyped, is half right
                close = difflib.get_close_matches(name, _CHINESE, n=3, cutoff=0.5)
            said = "', '".join(close)
            hint = tr(f"；是不是 '{said}'？", f"; did you mean '{said}'?") if close else ""
            bad.append(
                tr(f"未知的列 '{shown(name)}'{hint}", f"unknown column '{shown(name)}'{hint}")
            )
    for name in {n for n in header if n and header.count(n) > 1}:
        bad.append(tr(f"列 '{shown(name)}' 出现了两次", f"column '{shown(name)}' appears twice"))
    for f in {f for f in fields if f and f != "ignored" and fields.count(f) > 1}:
        names = [n for n, g in zip(header, fields, strict=True) if g == f]
        if len(set(names)) > 1:
            listed = "', '".join(shown(n) for n in names)
            bad.append(tr(f"列 '{listed}' 都是 {f}", f"columns '{listed}' all read as {f}"))
    dated = ("date" in fields) + ("week" in fields) + ("date" in given)
    if dated != 1:
        bad.append(
            tr(
                "表头要有 'date'（日期）或 'week'（周）列（二者之一）",
                "the header needs a 'date' or a 'week' column (one of them)",
            )
        )
    for name in REQUIRED:
        if name not in fields and name not in given:
            bad.append(
                tr(
                    f"缺少 '{name}' 列（表头：date,area,indicator,value[,note]，"
                    "或 日期,地区,指标,数值[,备注]）",
                    f"missing column '{name}' (header: date,area,indicator,value[,note])",
                )
            )
    return bad


def _fields(texts: list[str]) -> list[str | None]:
    """Each cell's field; 单位 is the unit of measure when another column is the area."""
    fields = [field_of(t) if t else None for t in texts]
    if fields.count("area") > 1:
        fields = [
            "unit" if f == "area" and key(t) in (_AREA_OR_UNIT, "單位") else f
            for t, f in zip(texts, fields, strict=True)
        ]
    return fields


def _given(
    plan: Plan, above: list[tuple[int, str]], fields: list[str | None]
) -> tuple[dict[str, titles.Found], list[tuple[int, str]]]:
    """What the title rows give that no column does, and the problems of reading them."""
    given: dict[str, titles.Found] = {}
    problems: list[tuple[int, str]] = []
    try:
        if "area" not in fields and (area := titles.area_in(plan, above)) is not None:
            given["area"] = area
    except titles.TitleError as exc:
        problems.append((exc.row, exc.message))
    try:
        if not {"date", "week"} & set(fields) and (day := titles.day_in(above)) is not None:
            given["date"] = day
    except titles.TitleError as exc:
        problems.append((exc.row, exc.message))
    return given, problems


def build(
    rows: list[tuple[int, tuple[Any, ...] | list[Any]]], at: int, layout: str, plan: Plan
) -> tuple[Header, list[tuple[int, str]]]:
    """The header at ``rows[at]`` read in ``layout``, with what the rows above it give; and its
    problems as (row, message)."""
    number, values = rows[at]
    texts = _texts(values)
    above = [(n, " ".join(t for t in _texts(v) if t)) for n, v in rows[:at]]
    fields = _fields(texts)
    given, problems = _given(plan, above, fields)
    header = Header(number, layout, [], first=at == 0, given=given)
    if layout == "long":
        lowered = [t.lower() for t in texts]
        problems += [(number, p) for p in _check_long(lowered, given)]
        for col, (text, f) in enumerate(zip(texts, fields, strict=True), start=1):
            if f is not None:
                header.columns.append(Column(col, text, f))
                if f != "ignored":
                    header.fields[f] = col
        return header, problems
    problems += [(number, p) for p in _check_wide(header, texts, fields, plan)]
    return header, problems


def _check_wide(
    header: Header, texts: list[str], fields: list[str | None], plan: Plan
) -> list[str]:
    bad: list[str] = []
    seen: dict[str, str] = {}
    for col, (text, f) in enumerate(zip(texts, fields, strict=True), start=1):
        if not text:
            continue
        if f in ("indicator", "value", "unit"):
            bad.append(
                tr(
                    f"列 '{shown(text)}'：横表（指标横排）每个指标一列，没有指标列、数值列或单位列",
                    f"column '{shown(text)}': a wide return has a column per indicator, and "
                    "no indicator, value or unit column",
                )
            )
            continue
        if f is not None:
            if f != "ignored" and f in header.fields:
                bad.append(
                    tr(f"列 '{shown(text)}' 出现了两次", f"column '{shown(text)}' appears twice")
                )
            header.columns.append(Column(col, text, f))
            if f != "ignored":
                header.fields[f] = col
            continue
        try:
            ind = _wide_indicator(text, plan)
        except UsageError as exc:
            bad.append(
                tr(f"列 '{shown(text)}'：{exc.message}", f"column '{shown(text)}': {exc.message}")
            )
            continue
        if ind.id in seen:
            bad.append(
                tr(
                    f"列 '{seen[ind.id]}' 和 '{shown(text)}' 是同一个指标 {ind.id}",
                    f"columns '{seen[ind.id]}' and '{shown(text)}' are the same indicator {ind.id}",
                )
            )
            continue
        seen[ind.id] = shown(text)
        header.columns.append(Column(col, text, "indicator", ind))
    if "date" in header.fields and "week" in header.fields:
        bad.append(
            tr(
                "表头要有 'date'（日期）或 'week'（周）列（二者之一）",
                "the header needs a 'date' or a 'week' column (one of them)",
            )
        )
    for what, wanted in (("date", ("date", "week")), ("area", ("area",))):
        if not set(wanted) & set(header.fields) and what not in header.given:
            bad.append(_wide_missing(what))
    return bad


def _wide_missing(what: str) -> str:
    if what == "date":
        return tr(
            "横表要有一列日期（或周），或在标题里写明日期，例如 2018年6月24日",
            "a wide return needs a date (or week) column, or the date in its title, "
            "e.g. 2018年6月24日",
        )
    return tr(
        "横表要有一列地区，或在标题里写明地区，例如（灵丘县）",
        "a wide return needs an area column, or the area in its title, e.g. （灵丘县）",
    )


def _wide_indicator(text: str, plan: Plan) -> Indicator:
    """The indicator a wide header's column names, with its unit in brackets or without."""
    try:
        return reportable(plan, resolve_indicator(plan, text))
    except UsageError as first:
        plain = unicodedata.normalize("NFKC", text).strip()
        m = _IN_PARENS.fullmatch(plain) if len(plain) <= _LONGEST_NAME else None
        if m is None:
            raise
        try:
            ind = resolve_indicator(plan, m.group(1))
        except UsageError:
            raise first from None
        why = unit_problem(m.group(2), ind)
        if why is not None:
            raise UsageError(why) from None
        return reportable(plan, ind)

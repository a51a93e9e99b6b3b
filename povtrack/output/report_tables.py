"""The tables of the printed report (``output.report_xlsx``): which columns a handout shows and
what each cell holds, in the report's language. Pure: no openpyxl.

- a task's sheet (the status rows of the headline goals or of a task): names, not ids; the unit
  in its own column; figures rounded to the row's unit; a projection beyond the target shown
  as the target, with the date it is reached ("100% by 2018-10-03"), never as 121 %;
- a task whose rows are all activities (no numeric target): which areas reported each activity
  up to the as-of date and which are silent (``activity_table``);
- any other sheet (the board, the week's changes, what is missing): its own columns without
  the id columns that sit beside a name; a ``status`` column and a ``status_from`` column are
  coloured by their status.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from povtrack.i18n import LABELS
from povtrack.ledger import Ledger
from povtrack.model import UNITS, Plan
from povtrack.output.notation import TOTAL_LABEL, heading, status_label
from povtrack.sheet import Column, Sheet

# Id columns a handout leaves out: each sits beside a column with the name.
ID_KEYS = ("scope", "indicator", "area")

WORDS: dict[str, tuple[str, str]] = {
    "forecast": ("预计", "Forecast"),
    "full_by": ("{date} 达到100%", "100% by {date}"),
    "at_due": ("到期约{pct}%", "{pct}% at due"),
    "area": ("地区", "Area"),
    "last": ("最近报送", "Last reported"),
    "to_date": ("累计", "To date"),
    "reporting": ("各地报送情况（截至{date}）", "Reporting by area (to {date})"),
    "silent": ("未报送", "silent"),
}


def word(key: str, pick: int, **values: Any) -> str:
    return WORDS[key][pick].format(**values)


@dataclass(frozen=True)
class Cell:
    value: Any = None
    unit: str = ""  # the UNITS code the figure is rounded to
    status: str = ""  # the status whose colour fills the cell
    centre: bool = False  # a small number beside text (a task's number): centred, apart
    up: bool = False  # a pace that must be kept: rounded up (``notation.rounded``)


@dataclass
class Table:
    headings: list[str]
    kinds: list[str]  # a ``Column.kind`` each ("status" cells hold their label as text)
    rows: list[list[Cell]] = field(default_factory=list)
    total: list[Cell] | None = None
    caps: list[float] = field(default_factory=list)  # widest each column may be (units)
    # columns that must show their text on one line (a unit, a date in a sentence): never
    # narrowed to make the table fit
    whole: set[int] = field(default_factory=set)
    title: str = ""  # a heading printed above the table, when a sheet holds several


def _label(key: str, pick: int) -> str:
    return LABELS[key][pick]


def _unit_name(code: str, pick: int) -> str:
    unit = UNITS.get(code)
    return code if unit is None else (unit.name, unit.name_en)[pick]


def _pct(share: float) -> int:
    return int(share * 100 + 0.5)


def forecast(row: dict[str, Any], pick: int) -> tuple[float | None, str]:
    """The projected figure as shown (never beyond the target, nor a rate beyond 100) and the
    text beside it: the date the target is reached when it is, else the share at the due
    date."""
    projected, target, day = row.get("projected"), row.get("target"), row.get("projected_date")
    if projected is None:
        return None, ""
    cap = target if target else None
    if row.get("unit") == "percent":
        cap = min(cap, 100.0) if cap is not None else 100.0
    if cap is not None and projected >= cap:
        if row.get("status") == "done" or not day:
            return cap, ""
        return cap, word("full_by", pick, date=day)
    if target:  # short of the target: never rounded up to "100%"
        return projected, word("at_due", pick, pct=min(99, int(projected / target * 100)))
    return projected, ""


def task_table(sheet: Sheet, pick: int) -> Table:
    """A task's status rows as the handout shows them (the module docstring)."""
    name, scope = ("name", "scope_name") if pick == 0 else ("name_en", "scope_name_en")
    spec = [
        (_label("indicator", pick), "text", 30.0),
        (_label("scope", pick), "text", 18.0),
        (_label("unit", pick), "text", 16.0),
        (_label("target", pick), "number", 12.0),
        (_label("actual", pick), "number", 12.0),
        (_label("progress", pick), "share", 9.0),
        (_label("expected", pick), "share", 9.0),
        (_label("status", pick), "status", 10.0),
        (_label("due", pick), "date", 11.0),
        (_label("gap", pick), "number", 12.0),
        (_label("needed_per_week", pick), "number", 11.0),
        (_label("recent_per_week", pick), "number", 11.0),
        (_label("projected", pick), "number", 12.0),
        (word("forecast", pick), "text", 24.0),
    ]
    table = Table([s[0] for s in spec], [s[1] for s in spec], caps=[s[2] for s in spec])
    table.whole = {2, 13}
    for row in sheet.rows:
        unit = str(row.get("unit") or "")
        projected, note = forecast(row, pick)
        status = str(row.get("status") or "")
        table.rows.append(
            [
                Cell(row.get(name)),
                Cell(row.get(scope)),
                Cell(_unit_name(unit, pick)),
                Cell(row.get("target"), unit),
                Cell(row.get("actual"), unit),
                Cell(row.get("progress")),
                Cell(row.get("expected")),
                Cell(status_label(status, ("zh", "en")[pick]), status=status),
                Cell(row.get("due")),
                Cell(row.get("gap"), unit),
                Cell(row.get("needed_per_week"), unit, up=True),
                Cell(row.get("recent_per_week"), unit),
                Cell(projected, unit),
                Cell(note),
            ]
        )
    return table


def activity_rows(sheet: Sheet, pick: int) -> Table:
    """A task without numeric targets: what each activity reported to date (the city's
    figure) and its status, in few columns (the targets' columns would all be blank)."""
    full = task_table(sheet, pick)
    keep = [0, 1, 2, 4, 7]  # indicator, scope, unit, actual, status
    table = Table(
        [full.headings[j] for j in keep],
        [full.kinds[j] for j in keep],
        caps=[full.caps[j] for j in keep],
        whole={2},
    )
    table.rows = [[row[j] for j in keep] for row in full.rows]
    return table


def only_activities(sheet: Sheet) -> bool:
    return bool(sheet.rows) and all(r.get("kind") == "activity" for r in sheet.rows)


def activity_table(
    plan: Plan, ledger: Ledger | None, task: int, since: date, as_of: date, pick: int
) -> Table:
    """Per area (the city first, then its counties and districts), per activity of the task:
    reported or silent up to the as-of date, the figure to date, the last date reported.
    ``ledger``: enough of the history for a status at ``as_of`` (a window of it will do)."""
    del since  # the table covers everything to the as-of date; "this week" is in the changes
    lang = ("zh", "en")[pick]
    ledger = ledger if ledger is not None else Ledger([])
    indicators = [i for i in plan.indicators if i.task == task and i.kind == "activity"]
    headings, kinds, caps = [word("area", pick)], ["text"], [18.0]
    for ind in indicators:
        name = (ind.name, ind.name_en)[pick]
        headings += [name, f"{word('to_date', pick)} ({_unit_name(ind.unit, pick)})"]
        headings.append(word("last", pick))
        kinds += ["status", "number", "date"]
        caps += [16.0, 12.0, 11.0]
    table = Table(headings, kinds, caps=caps, title=word("reporting", pick, date=as_of.isoformat()))
    for area in plan.areas:
        cells = [Cell((area.name, area.name_en)[pick])]
        for ind in indicators:
            days = [d for d in ledger.dates(ind.id, area.id) if d <= as_of]
            value = ledger.area_actual(ind, area.id, as_of) if days else None
            status = "reported" if days else "no_data"
            text = status_label("reported", lang) if days else word("silent", pick)
            cells += [
                Cell(text, status=status),
                Cell(None if value is None else float(value), ind.unit),
                Cell(max(days).isoformat() if days else None),
            ]
        table.rows.append(cells)
    return table


def sheet_table(sheet: Sheet, pick: int) -> Table:
    """Any other sheet: its own columns, less the ids that sit beside a name; units and
    statuses as the report's language says them."""
    lang = ("zh", "en")[pick]
    named = len([c for c in sheet.columns if c.kind == "text" and c.key not in ID_KEYS])
    columns = [c for c in sheet.columns if not (c.key in ID_KEYS and named)]
    table = Table(
        [heading(c, lang) for c in columns],
        ["text" if c.status_from else c.kind for c in columns],
        caps=[_cap(c) for c in columns],
    )
    for row in sheet.rows:
        table.rows.append([_cell(c, row, lang) for c in columns])
    if sheet.total is not None:
        total = [_cell(c, sheet.total, lang) for c in columns]
        if columns and columns[0].kind == "text" and total[0].value in (None, ""):
            total[0] = Cell(TOTAL_LABEL[lang])
        table.total = total
    return table


def _cap(column: Column) -> float:
    if column.kind in ("integer", "number"):
        return 12.0
    if column.kind in ("share", "status"):
        return 10.0
    if column.kind == "date":
        return 11.0
    return 16.0 if column.status_from else 26.0


def _unit_of(column: Column, row: dict[str, Any]) -> str:
    if column.unit_from:
        return str(row.get(column.unit_from) or "")
    if column.unit:
        return column.unit
    code = row.get("unit")
    return code if isinstance(code, str) and code in UNITS else ""


def _cell(column: Column, row: dict[str, Any], lang: str) -> Cell:
    value = row.get(column.key)
    if column.status_from:
        status = str(row.get(column.status_from) or "")
        return Cell(value, status=status)
    if column.kind == "status":
        code = str(value or "")
        return Cell(status_label(code, lang) if code else None, status=code)
    if column.key == "task":
        return Cell(value, centre=True)
    if column.key == "unit" and isinstance(value, str) and value in UNITS:
        return Cell(_unit_name(value, ("zh", "en").index(lang)))
    return Cell(value, _unit_of(column, row), up=column.round_up)

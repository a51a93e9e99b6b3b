"""Report rows -> JSON-ready dicts. The shapes here are a promise to users' scripts:
add fields freely, rename none. For users: docs/commands.md, "JSON"."""

from __future__ import annotations

from dataclasses import fields
from datetime import date
from typing import Any

from povtrack.analysis.status import StatusRow
from povtrack.jsonable import entry_json, figure, num, share
from povtrack.model import UNITS, Allocation, Entry, Plan, Target
from povtrack.names import scope_names
from povtrack.sheet import Column, Sheet


def target_json(t: Target) -> dict[str, Any]:
    out: dict[str, Any] = {
        "scope": t.scope,
        "scope_kind": t.scope_kind,
        "value": num(t.value),
        "due": t.due.isoformat(),
        "level": t.level,
        "citation": t.citation,
        "source": t.source,
    }
    if t.group:
        out["group"] = t.group
    return out


def plan_json(plan: Plan, targets: list[Target], task: int | None = None) -> dict[str, Any]:
    indicators = []
    for ind in plan.indicators:
        if task is not None and ind.task != task:
            continue
        entry: dict[str, Any] = {
            "id": ind.id,
            "task": ind.task,
            "name": ind.name,
            "name_en": ind.name_en,
            "unit": ind.unit,
            "kind": ind.kind,
            "reporting": ind.reporting,
            "targets": [target_json(t) for t in targets if t.indicator == ind.id],
        }
        if ind.kind == "ratio":
            entry["numerator"] = ind.numerator
            entry["denominator"] = ind.denominator
        if ind.due_rules:
            entry["due_rules"] = [
                {"group": r.group, "due": r.due.isoformat(), "citation": r.citation}
                for r in ind.due_rules
            ]
        if ind.note:
            entry["note"] = ind.note
        indicators.append(entry)
    return {
        "plan": {
            "id": plan.id,
            "name": plan.name,
            "name_en": plan.name_en,
            "start": plan.start.isoformat(),
            "due": plan.due.isoformat(),
            "last_due": plan.last_due.isoformat(),
            "source": plan.source,
        },
        "tasks": [
            {"number": t.number, "name": t.name, "name_en": t.name_en}
            for t in plan.tasks
            if task is None or t.number == task
        ],
        "indicators": indicators,
    }


def areas_json(plan: Plan) -> dict[str, Any]:
    return {
        "areas": [
            {
                "id": a.id,
                "name": a.name,
                "name_en": a.name_en,
                "name_hant": a.name_hant,
                "kind": a.kind,
                "parent": a.parent,
                "groups": plan.groups_of(a.id),
                "aliases": list(a.aliases),
            }
            for a in plan.areas
        ],
        "groups": [
            {
                "id": g.id,
                "name": g.name,
                "name_en": g.name_en,
                "members": list(g.members),
                "note": g.note,
            }
            for g in plan.groups
        ],
    }


def allocation_json(a: Allocation) -> dict[str, Any]:
    return {
        "indicator": a.indicator,
        "area": a.area,
        "value": num(a.value),
        "due": a.due.isoformat() if a.due else None,
    }


def status_row_json(plan: Plan, r: StatusRow) -> dict[str, Any]:
    # every field but the exact figures (they decided the status; JSON shows rounded ones)
    d = {f.name: getattr(r, f.name) for f in fields(r) if f.name != "exact"}
    for k in ("target", "actual", "gap"):  # a ratio's float noise (56.00000000000001) goes
        d[k] = figure(d[k])
    for k in ("progress", "expected"):
        d[k] = share(d[k])
    for k in ("needed_per_week", "recent_per_week", "projected"):
        d[k] = figure(d[k], 3)
    d["due"] = r.due.isoformat() if r.due else None
    d["projected_date"] = r.projected_date.isoformat() if r.projected_date else None
    d["scope_name"], d["scope_name_en"] = scope_names(plan, r.scope)
    return d


def status_json(plan: Plan, rows: list[StatusRow], as_of: date) -> dict[str, Any]:
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.status] = counts.get(r.status, 0) + 1
    return {
        "as_of": as_of.isoformat(),
        "plan": plan.id,
        "summary": counts,
        "rows": [status_row_json(plan, r) for r in rows],
    }


# ---------------------------------------------------------------------------- sheets


def _label(key: str) -> tuple[str, str]:
    from povtrack.i18n import LABELS

    return LABELS[key]


def _col(
    key: str,
    kind: str = "text",
    label: str | None = None,
    unit: str = "",
    unit_from: str = "",
    round_up: bool = False,
) -> Column:
    zh, en = _label(label or key)
    return Column(key, zh, en, kind, unit, unit_from, round_up=round_up)


def status_sheet(plan: Plan, rows: list[StatusRow], as_of: date, lang: str) -> Sheet:
    """The status table for export: the same rows and numbers as ``status --json``."""
    name, scope_name = ("name", "scope_name") if lang == "zh" else ("name_en", "scope_name_en")
    columns = [
        _col("task", "integer"),
        _col("indicator", label="indicator_id"),
        _col(name, label="indicator"),
        _col("scope", label="scope_id"),
        _col(scope_name, label="scope"),
        _col("unit_name", label="unit"),
        _col("target", "number", unit_from="unit"),
        _col("actual", "number", unit_from="unit"),
        _col("progress", "share"),
        _col("expected", "share"),
        _col("status", "status"),
        _col("due", "date"),
        _col("level_name", label="level"),
        _col("gap", "number", unit_from="unit"),
        _col("needed_per_week", "number", unit_from="unit", round_up=True),
        _col("recent_per_week", "number", unit_from="unit"),
        _col("projected", "number", unit_from="unit"),
        _col("projected_date", "date"),
    ]
    pick = 0 if lang == "zh" else 1
    out = []
    for r in rows:
        row = status_row_json(plan, r)
        unit = UNITS[r.unit]
        row["unit_name"] = (unit.name, unit.name_en)[pick]  # the JSON keeps the unit's code
        row["level_name"] = _label(f"level.{r.level}")[pick] if r.level else None
        out.append(row)
    zh, en = _label("status_table")
    return Sheet(
        "status",
        f"{plan.name} — {zh}",
        f"{plan.name_en} — {en}",
        columns,
        out,
        notes=[f"{_label('as_of')[pick]} {as_of.isoformat()}", f"{plan.id}"],
    )


def log_sheet(
    plan: Plan, entries: list[Entry], lang: str, states: dict[int, str] | None = None
) -> Sheet:
    """The entries for export: the same rows as ``log --json``, with names beside the ids."""
    pick = 0 if lang == "zh" else 1
    rows = []
    for e in entries:
        row = entry_json(e)
        ind = plan.indicator(e.indicator)
        row["area_name"] = scope_names(plan, e.area)[pick]
        row["indicator_name"] = (ind.name, ind.name_en)[pick]
        row["unit"] = (UNITS[ind.unit].name, UNITS[ind.unit].name_en)[pick]
        row["entry"] = str(e.id)  # an id, not a quantity: never written as 3,145
        if states is not None:
            row["state"] = states[e.id]
        rows.append(row)
    columns = [
        _col("entry", label="id"),
        _col("date", "date"),
        _col("area", label="scope_id"),
        _col("area_name", label="area"),
        _col("indicator", label="indicator_id"),
        _col("indicator_name", label="indicator"),
        _col("value", "number"),
        _col("unit"),
        _col("note"),
        _col("source"),
        _col("recorded_at"),
        _col("by"),
        _col("batch"),
    ]
    if states is not None:
        columns += [_col("state", label="entry_state"), _col("reason")]
    zh, en = _label("log_table")
    return Sheet("log", zh, en, columns, rows, notes=[f"plan {plan.id}"])

"""No plan that `plan check` accepts makes a later command fail (issue 11, item 6).

The bundled plan is read into a Python structure, changed in one to four random ways (a value
swapped for a hostile one or for a name used elsewhere in the plan, a key or a table dropped or
copied, areas moved or chained, members, targets, allocations or rules added), and written
back as TOML. For every such plan, `plan check` either refuses it (exit 2, every line an
"error:" line naming the file, one line unless the targets break the plan's rules) or accepts
it, and then `init`, `record`, `status`, `board`, `plan show` and `check` all succeed.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import tempfile
import tomllib
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.model import AREA_KINDS, INDICATOR_KINDS, LEVELS, REPORTING, UNITS
from povtrack.planfile import bundled_text, parse_plan

BUNDLED = tomllib.loads(bundled_text())
EXAMPLES = int(os.environ.get("POVTRACK_FUZZ_EXAMPLES", "60"))

# --------------------------------------------------------------------------- TOML out

_BARE = re.compile(r"[A-Za-z0-9_-]+")


def _string(text: str) -> str:
    out = []
    for ch in text:
        if ch in '"\\':
            out.append("\\" + ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) <= 0x9F:
            out.append(f"\\u{ord(ch):04X}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _key(key: str) -> str:
    return key if _BARE.fullmatch(key) else _string(key)


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, date | time):  # datetime too
        return value.isoformat()
    if isinstance(value, list):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    return "{" + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + "}"


def dumps(data: dict[str, Any]) -> str:
    """TOML for a plan structure: [tables] and [[arrays of tables]], every value inline."""
    head, body = [], []
    for key, value in data.items():
        if isinstance(value, dict):
            body.append(f"[{_key(key)}]")
            body += [f"{_key(k)} = {_value(v)}" for k, v in value.items()]
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            for item in value:
                body.append(f"[[{_key(key)}]]")
                body += [f"{_key(k)} = {_value(v)}" for k, v in item.items()]
        else:
            head.append(f"{_key(key)} = {_value(value)}")
    return "\n".join([*head, *body]) + "\n"


def test_the_writer_gives_back_the_bundled_plan() -> None:
    assert parse_plan(dumps(BUNDLED), "x") == parse_plan(bundled_text(), "x")


# --------------------------------------------------------------------------- mutations

HOSTILE: list[Any] = [
    math.nan,
    math.inf,
    -math.inf,
    -1,
    0,
    0.5,
    99.999,
    1e15,
    1e300,
    10**20,
    True,
    False,
    "",
    " ",
    "x",
    "\x1b[31m",
    "200/3",
    "1/0",
    "2018-06-01",
    "2018-13-01",
    "y" * 600,
    [],
    [1],
    ["x"],
    {},
    {"a": 1},
    date(1, 1, 1),
    date(9999, 12, 31),
    date(2017, 12, 31),
    date(2018, 1, 1),
    date(2018, 6, 30),
    date(2019, 12, 31),
    datetime(2018, 1, 1, 8, 0),
    time(8, 0),
]
CHOICES = {
    "unit": list(UNITS),
    "kind": [*INDICATOR_KINDS, *AREA_KINDS],
    "reporting": list(REPORTING),
    "level": list(LEVELS),
    "severity": ["error", "warning", "off"],
}
DATES = [
    date(1899, 12, 31),
    date(1900, 1, 1),
    date(2017, 6, 1),
    date(2018, 1, 1),
    date(2018, 1, 2),
    date(2018, 1, 8),
    date(2018, 12, 31),
    date(2030, 1, 1),
    date(2199, 12, 31),
]
FITTING_NUMBERS = [0, 1, 3, 1e-9, 0.1, 66.66666666666667, 100, 101, 12345, 1e14, 999999999999999]


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every place in the structure: each key of each table, each item of each list."""
    found = []
    items = node.items() if isinstance(node, dict) else enumerate(node)
    for k, v in items:
        found.append((*path, k))
        if isinstance(v, dict | list):
            found += _paths(v, (*path, k))
    return found


def _at(data: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        data = data[k]
    return data


def entry_ids(data: dict[str, Any], section: str) -> list[Any]:
    items = data.get(section)
    if not isinstance(items, list):
        return []
    return [t.get("id") for t in items if isinstance(t, dict) and "id" in t]


def _tables(data: dict[str, Any], section: str) -> list[dict[str, Any]]:
    items = data.get(section)
    return [t for t in items if isinstance(t, dict)] if isinstance(items, list) else []


def mutate(data: dict[str, Any], draw: Any) -> str:
    """One random change to ``data``; returns what it did (for the failure message)."""
    op = draw(st.sampled_from(OPERATIONS))
    areas, groups = entry_ids(data, "areas"), entry_ids(data, "groups")
    indicators = entry_ids(data, "indicators")
    names = areas + groups + indicators + ["nowhere"]
    paths = _paths(data)
    if not paths:
        return "nothing left to change"
    if op == "set":
        path = draw(st.sampled_from(paths))
        leaf = path[-1] if isinstance(path[-1], str) else None
        pool = HOSTILE + names + CHOICES.get(leaf, []) + DATES
        _at(data, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(pool)))
        return f"set {path} "
    if op == "fit":  # a value of the kind the key holds, often one the plan accepts
        path = draw(st.sampled_from(paths))
        old = _at(data, path)
        if isinstance(old, bool):
            pool: list[Any] = [True, False]
        elif isinstance(old, int | float):
            pool = FITTING_NUMBERS
        elif isinstance(old, date):
            pool = DATES
        elif isinstance(old, str):
            pool = names + CHOICES.get(path[-1] if isinstance(path[-1], str) else "", [])
        else:
            return f"leave {path}"
        _at(data, path[:-1])[path[-1]] = draw(st.sampled_from(pool))
        return f"fit {path}"
    if op == "window":
        plan = data.get("plan")
        if isinstance(plan, dict):
            plan[draw(st.sampled_from(["start", "due"]))] = draw(st.sampled_from(DATES))
        return "move the plan's window"
    if op == "delete":
        path = draw(st.sampled_from(paths))
        del _at(data, path[:-1])[path[-1]]
        return f"delete {path}"
    if op == "copy":
        lists = [p for p in paths if isinstance(_at(data, p), list) and _at(data, p)]
        if not lists:
            return "no list to copy from"
        path = draw(st.sampled_from(lists))
        items = _at(data, path)
        items.append(copy.deepcopy(draw(st.sampled_from(items))))
        return f"copy an item of {path}"
    if op == "parent":
        tables = _tables(data, "areas")
        if tables:
            table = draw(st.sampled_from(tables))
            table["parent"] = draw(st.sampled_from(areas or ["nowhere"]))
        return "move an area"
    if op == "chain":
        under = draw(st.sampled_from(areas or ["nowhere"]))
        for n in range(draw(st.integers(1, 12))):
            new = f"z{len(data.get('areas', []))}-{n}"
            kind = draw(st.sampled_from(AREA_KINDS))
            area = {"id": new, "name": new, "name_hant": new, "name_en": new, "kind": kind}
            data.setdefault("areas", []).append(area | {"parent": under})
            under = new
        return "chain areas"
    if op == "member":
        tables = _tables(data, "groups")
        if tables and isinstance(members := draw(st.sampled_from(tables)).get("members"), list):
            members.append(draw(st.sampled_from(areas or ["nowhere"])))
        return "add a member"
    if op == "target":
        tables = _tables(data, "indicators")
        if tables:
            target = {
                "scope": draw(st.sampled_from(areas + groups or ["nowhere"])),
                "value": draw(st.sampled_from([0, 1, 50, 100, 100.5, 12345, 1e14])),
                "each": draw(st.booleans()),
            }
            if draw(st.booleans()):
                target["due"] = draw(st.sampled_from(DATES))
            draw(st.sampled_from(tables)).setdefault("targets", []).append(target)
        return "add a target"
    if op == "allocation":
        allocation = {
            "indicator": draw(st.sampled_from(indicators or ["nowhere"])),
            "area": draw(st.sampled_from(areas or ["nowhere"])),
            "value": draw(st.sampled_from([0, 1, 7.5, 5000, 1e14])),
        }
        if draw(st.booleans()):
            allocation["due"] = draw(st.sampled_from(DATES))
        data.setdefault("allocations", []).append(allocation)
        return "add an allocation"
    # a rule
    kind = draw(st.sampled_from(["sum", "le", "check"]))
    pick = st.sampled_from(indicators or ["nowhere"])
    rule: dict[str, Any] = {"id": draw(st.sampled_from(["r1", "ratio-bounds", "stale-value"]))}
    rule["kind"] = kind
    if kind == "sum":
        rule |= {"whole": draw(pick), "parts": draw(st.lists(pick, min_size=1, max_size=3))}
    elif kind == "le":
        rule |= {"left": draw(pick), "right": draw(pick)}
    else:
        rule |= {"severity": draw(st.sampled_from(CHOICES["severity"]))}
    if kind != "check" and draw(st.booleans()):
        rule["tolerance"] = draw(st.sampled_from([0, 0.5, 10, math.inf]))
    data.setdefault("rules", []).append(rule)
    return f"add a {kind} rule"


OPERATIONS = [
    "set",
    "fit",
    "fit",
    "fit",
    "window",
    "delete",
    "copy",
    "parent",
    "chain",
    "member",
    "target",
    "allocation",
    "rule",
]


# --------------------------------------------------------------------------- the property


def _lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def _ok(result: Any, what: str, *codes: int) -> None:
    out = result.stdout + result.stderr
    assert "Traceback" not in out and "internal error" not in out, (what, out)
    assert result.exit_code in (codes or (0,)), (what, result.exit_code, result.stderr)


def _record_args(plan: Any) -> list[str]:
    quantity = next((i for i in plan.indicators if i.kind == "quantity"), plan.indicators[0])
    area = plan.areas[-1].id
    return ["record", quantity.id, "1", "--area", area, "--date", plan.start.isoformat()]


@pytest.mark.slow  # runs every command on each generated plan (10 s): CI runs it with -m slow
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_a_plan_that_checks_ok_never_makes_a_later_command_fail(run, data: Any) -> None:
    plan_data = copy.deepcopy(BUNDLED)
    done = [mutate(plan_data, data.draw) for _ in range(data.draw(st.integers(1, 4)))]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.toml"
        path.write_text(dumps(plan_data), encoding="utf-8")
        result = run("plan", "check", str(path))
        _ok(result, f"plan check after {done}", 0, 2)
        errors = [line for line in _lines(result.stderr) if not line.startswith("warning: ")]
        if result.exit_code == 2:
            assert errors and all(e.startswith(f"error: {path}: ") for e in errors), errors
            assert len(errors) == 1 or "break the plan's rules" in errors[0], errors
            return
        db = ["--db", str(Path(folder) / "tracker.json")]
        _ok(run(*db, "init", "--plan", str(path)), f"init after {done}")
        plan = parse_plan(path.read_text("utf-8"), "x")
        _ok(run(*db, *_record_args(plan)), f"record after {done}")
        for command in (
            ["status", "--json"],
            ["board", "--json"],
            ["plan", "show", "--json"],
            ["areas", "--json"],
        ):
            result = run(*db, *command)
            _ok(result, f"{command} after {done}")
            json.loads(result.stdout)
        for command in (["status"], ["board"], ["plan", "show"]):
            _ok(run(*db, *command), f"{command} after {done}")
        _ok(run(*db, "check"), f"check after {done}", 0, 3)

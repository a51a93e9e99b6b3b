"""The entries of a database file as it keeps them, column by column per series
(``entrytable``): every column of every series checked on every open, and the entries of an
older file (one document per entry) read and checked. Each problem names its JSON path."""

from __future__ import annotations

import math
from datetime import date
from operator import lt
from typing import Any

from povtrack.i18n import tr
from povtrack.model import Entry, Plan
from povtrack.storage.json.values import (
    date_at,
    day_of,
    entry_label,
    is_count,
    is_number,
    missing_text,
    not_in_plan,
    optional_text,
    show,
)


def load_entries(data: dict[str, Any], plan: Plan) -> tuple[list[Entry], list[str]]:
    """Every entry as a model object, or the problems of the ones that are not sound.

    Runs on every open, so the common case is one tight loop; a record that fails it is looked
    at again, slowly, to say exactly what is wrong."""
    entries: list[Entry] = []
    problems: list[str] = []
    indicators, areas = plan.indicators_by_id, plan.areas_by_id
    days: dict[str, date] = {}
    for doc_id, doc in data.get("entries", {}).items():
        try:
            value = doc["value"]
            text = (doc.get(k, "") for k in ("note", "source", "recorded_at", "by", "batch"))
            note, source, recorded_at, by, batch = text
            day = days.get(doc["date"]) or days.setdefault(
                doc["date"], date.fromisoformat(doc["date"])
            )
            corrects = doc.get("corrects")
            if (
                doc["indicator"] in indicators
                and doc["area"] in areas
                and type(value) in (int, float)
                and 0 <= value < math.inf
                and type(note) is type(source) is type(recorded_at) is type(by) is type(batch)
                and type(note) is str
                and (corrects is None or type(corrects) is int)
                and type(doc.get("reason", "")) is str
            ):
                entries.append(
                    Entry(
                        int(doc_id),
                        doc["indicator"],
                        doc["area"],
                        day,
                        value,
                        note,
                        source,
                        recorded_at,
                        by,
                        batch,
                        corrects,
                        doc.get("reason", ""),
                    )
                )
                continue
        except (KeyError, TypeError, ValueError):
            pass
        problems += _entry_problems(doc_id, doc, plan) or [
            tr(f"/entries/{doc_id} 不完好", f"/entries/{doc_id} is not sound")
        ]
    return entries, problems


def check_series(data: dict[str, Any], plan: Plan) -> list[str]:
    """The ``series`` table (schema 4): per (indicator, area), parallel columns in id order.

    Runs on every open of a big database, so each column is checked whole, with ``map``; a
    series that fails is looked at again, row by row, to say exactly what is wrong."""
    problems: list[str] = []
    seen: set[tuple[str, str]] = set()
    total = 0
    ids: set[int] = set()
    days: set[str] = set()
    sound: list[str] = []
    indicators, areas = plan.indicators_by_id, plan.areas_by_id
    for key, doc in data.get("series", {}).items():
        if not (_sound_series(doc, indicators, areas, seen) and _sound_columns(doc)):
            problems += _series_problems(key, doc, plan, seen)
            continue
        seen.add((doc["indicator"], doc["area"]))
        total += len(doc["id"])
        ids.update(doc["id"])
        days.update(doc["date"])
        sound.append(key)
    if len(ids) != total:
        problems.append(_twice(data, sound))
    try:
        for day in days:  # each distinct date once, for the whole table
            day_of(day)
    except ValueError:
        for key in sound:
            doc = data["series"][key]
            for n, (entry_id, day) in enumerate(zip(doc["id"], doc["date"], strict=True)):
                date_at(day, f"/series/{key}/date/{n}{entry_label(entry_id)}", problems)
    return problems


def _sound_series(
    doc: dict[str, Any], indicators: Any, areas: Any, seen: set[tuple[str, str]]
) -> bool:
    """The shape of one series, in one expression (the fast path of ``check_series``)."""
    try:
        n = len(doc["id"])
        return (
            doc["indicator"] in indicators
            and doc["area"] in areas
            and (doc["indicator"], doc["area"]) not in seen
            and type(doc["id"]) is type(doc["date"]) is type(doc["value"]) is list
            and type(doc["batch"]) is list
            and len(doc["date"]) == len(doc["value"]) == len(doc["batch"]) == n
            and type(doc["audit"]) is str
            and ("corrects" not in doc or (type(doc["corrects"]) is list))
            and len(doc.get("corrects", doc["id"])) == n
        )
    except (KeyError, TypeError):
        return False


def _series_problems(
    key: str, doc: dict[str, Any], plan: Plan, seen: set[tuple[str, str]]
) -> list[str]:
    """What is wrong with one series, said exactly (the slow path of ``check_series``)."""
    from povtrack.storage.json.entrytable import COLUMNS

    where = f"/series/{key}"
    bad = missing_text(doc, where, ("indicator", "area"))
    if not bad:
        bad += not_in_plan(doc, where, plan)
        if (doc["indicator"], doc["area"]) in seen:
            ind, area = doc["indicator"], doc["area"]
            bad.append(
                tr(
                    f"{where}：{area} 的 {ind} 有第二个序列",
                    f"{where}: a second series for {ind} in {area}",
                )
            )
        seen.add((doc["indicator"], doc["area"]))
    columns = [*COLUMNS, *(["corrects"] if "corrects" in doc else [])]
    bad += [
        tr(f"缺少 {where}/{c}", f"{where}/{c} is missing")
        if c not in doc
        else tr(f"{where}/{c} 应为列表", f"{where}/{c} must be a list")
        for c in columns
        if not isinstance(doc.get(c), list)
    ]
    if not isinstance(doc.get("audit"), str):
        bad.append(
            tr(
                f"{where}/audit 应为审计列的 JSON 文本",
                f"{where}/audit must be the JSON text of the audit columns",
            )
        )
    if bad:
        return bad
    n = len(doc["id"])
    uneven = [
        tr(
            f"{where}/{c} 有 {len(doc[c])} 行，/id 有 {n} 行",
            f"{where}/{c} has {len(doc[c])} rows, /id has {n}",
        )
        for c in columns
        if len(doc[c]) != n
    ]
    if uneven:
        return uneven
    return _series_row_problems(where, doc) or [tr(f"{where} 不完好", f"{where} is not sound")]


_NUMBER_TYPES = frozenset({int, float})
_TEXT_COLUMNS = ("date", "batch")


def _sound_columns(doc: dict[str, Any]) -> bool:
    """The fast whole-column check of one series (see ``check_series``); dates are parsed
    afterwards, once per distinct date of the whole table."""
    ids, values = doc["id"], doc["value"]
    if ids and not (set(map(type, ids)) == {int} and ids[0] >= 1 and all(map(lt, ids, ids[1:]))):
        return False
    if values and not (set(map(type, values)) <= _NUMBER_TYPES and min(values) >= 0):
        return False
    try:  # min() skips past a NaN; isfinite does not (and refuses inf)
        if not all(map(math.isfinite, values)):
            return False
    except OverflowError:  # a whole number too big for a float
        return False
    try:  # str.join refuses anything but text, at C speed
        for column in _TEXT_COLUMNS:
            "".join(doc[column])
    except TypeError:
        return False
    if "corrects" not in doc:
        return True
    targets = [c for c in doc["corrects"] if c is not None]
    return set(map(type, targets)) <= {int} and (not targets or min(targets) >= 1)


def _series_row_problems(where: str, doc: dict[str, Any]) -> list[str]:
    """Row by row, each problem with the entry id users see in ``povtrack log``."""
    bad: list[str] = []
    ids = doc["id"]

    def at(column: str, n: int) -> str:
        entry = ids[n] if n < len(ids) and is_count(ids[n]) else None
        return f"{where}/{column}/{n}" + (entry_label(entry) if entry else "")

    previous = 0
    for n, entry_id in enumerate(ids):
        if not is_count(entry_id) or entry_id < 1:
            bad.append(
                tr(
                    f"{where}/id/{n} 应为记录编号（≥ 1 的整数）",
                    f"{where}/id/{n} must be an entry id (a whole number ≥ 1)",
                )
            )
        elif entry_id <= previous:
            bad.append(
                tr(
                    f"{where}/id/{n}：编号应递增（{entry_id} 在 {previous} 之后）",
                    f"{where}/id/{n}: ids must rise ({entry_id} after {previous})",
                )
            )
        else:
            previous = entry_id
    for n, value in enumerate(doc["value"]):
        if not is_number(value) or value < 0:
            bad.append(
                tr(
                    f"{at('value', n)} 应为 ≥ 0 的数字，而不是 {show(value)}",
                    f"{at('value', n)} must be a number ≥ 0, not {show(value)}",
                )
            )
    for n, day in enumerate(doc["date"]):
        date_at(day, at("date", n), bad)
    bad += [
        tr(f"{at('batch', n)} 应为文本", f"{at('batch', n)} must be text")
        for n, text in enumerate(doc["batch"])
        if not isinstance(text, str)
    ]
    bad += [
        tr(f"{at('corrects', n)} 应为记录编号", f"{at('corrects', n)} must be an entry id")
        for n, target in enumerate(doc.get("corrects", []))
        if target is not None and (not is_count(target) or target < 1)
    ]
    return bad


def _twice(data: dict[str, Any], sound: list[str]) -> str:
    """The first entry id found in two places, said with both."""
    where: dict[int, str] = {}
    for key in sound:
        for n, entry_id in enumerate(data["series"][key]["id"]):
            here = f"/series/{key}/id/{n}"
            if entry_id in where:
                return tr(
                    f"{here}：第{entry_id}条记录也在 {where[entry_id]}（编号重复）",
                    f"{here}: entry {entry_id} is also at {where[entry_id]} (an id used twice)",
                )
            where[entry_id] = here
    return tr("/series：有记录编号重复", "/series: an entry id is used twice")


def entry_count(data: dict[str, Any]) -> int | None:
    """How many entries a database holds, whichever way they are stored."""
    series = data.get("series", {})
    ids = [d.get("id") if isinstance(d, dict) else None for d in series.values()]
    lists = [i for i in ids if isinstance(i, list)]
    if len(lists) != len(ids):
        return None  # unknowable; check_series says why
    return sum(len(i) for i in lists) + len(data.get("entries", {}))


def _entry_problems(doc_id: str, doc: dict[str, Any], plan: Plan) -> list[str]:
    where = f"/entries/{doc_id}"
    bad = missing_text(doc, where, ("indicator", "area", "date"))
    bad += optional_text(doc, where, ("note", "source", "recorded_at", "by", "batch", "reason"))
    if doc.get("corrects") is not None and not is_count(doc["corrects"]):
        bad.append(tr(f"{where}/corrects 应为记录编号", f"{where}/corrects must be an entry id"))
    if not bad:
        bad += not_in_plan(doc, where, plan)
    if isinstance(doc.get("date"), str):
        date_at(doc["date"], f"{where}/date", bad)
    value = doc.get("value")
    if not is_number(value) or value < 0:
        bad.append(
            tr(
                f"{where}/value 应为 ≥ 0 的数字，而不是 {show(value)}",
                f"{where}/value must be a number ≥ 0, not {show(value)}",
            )
        )
    return bad

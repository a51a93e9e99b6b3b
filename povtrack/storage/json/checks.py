"""What a database file must look like, checked before anything trusts it.

Pure functions over the parsed JSON (no TinyDB, no I/O). Each problem names its JSON path, such as
``/entries/12/value``, so a hand-broken file can be found and fixed. The backend runs these on every
open (a bad file is refused, never half-used); ``povtrack db verify`` prints them all. For users:
docs/storage.md, "A bad file is never used".
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date
from operator import lt
from typing import Any, TypeGuard

from povtrack import loops
from povtrack.i18n import tr
from povtrack.model import Allocation, Entry, Plan

TABLES = ("meta", "entries", "series", "allocations", "batches")
APPEND_ONLY = ("entries", "allocations", "batches")  # entries: counted across ``series``
_DOC_ID = re.compile(r"^[1-9][0-9]*$")


def check_shape(data: Any) -> list[str]:
    """Top-level structure and the meta record; enough to know which schema the file is."""
    if not isinstance(data, dict):
        return [tr(f"/ 应为对象，而不是{_kind(data)}", f"/ must be an object, not {_kind(data)}")]
    problems = []
    for name, table in data.items():
        if name not in TABLES:
            continue  # unknown tables are kept as they are, never dropped
        if not isinstance(table, dict):
            problems.append(
                tr(
                    f"/{name} 应为对象，而不是{_kind(table)}",
                    f"/{name} must be an object, not {_kind(table)}",
                )
            )
            continue
        for doc_id, doc in table.items():
            if not _DOC_ID.match(doc_id):
                problems.append(
                    tr(
                        f"/{name}/{doc_id}：记录编号应为整数",
                        f"/{name}/{doc_id}: record ids must be whole numbers",
                    )
                )
            elif not isinstance(doc, dict):
                problems.append(
                    tr(
                        f"/{name}/{doc_id} 应为对象，而不是{_kind(doc)}",
                        f"/{name}/{doc_id} must be an object, not {_kind(doc)}",
                    )
                )
    if problems:
        return problems
    meta = data.get("meta", {}).get("1")
    if meta is None:
        return [
            tr(
                "缺少 /meta/1：没有格式版本（不是 povtrack 数据库？）",
                "/meta/1 is missing: no schema version (not a povtrack database?)",
            )
        ]
    if not isinstance(meta.get("schema"), int) or isinstance(meta.get("schema"), bool):
        problems.append(tr("/meta/1/schema 应为整数", "/meta/1/schema must be a whole number"))
    if not isinstance(meta.get("plan_text"), str):
        problems.append(
            tr(
                "/meta/1/plan_text 应为文本（建立数据库时使用的方案）",
                "/meta/1/plan_text must be text (the plan the database was made with)",
            )
        )
    if "generation" in meta and not _is_count(meta["generation"]):
        problems.append(
            tr(
                "/meta/1/generation 应为 ≥ 0 的整数",
                "/meta/1/generation must be a whole number ≥ 0",
            )
        )
    return problems


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
            _day(day)
    except ValueError:
        for key in sound:
            doc = data["series"][key]
            for n, (entry_id, day) in enumerate(zip(doc["id"], doc["date"], strict=True)):
                _date(day, f"/series/{key}/date/{n}{_entry(entry_id)}", problems)
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
    bad = _missing_text(doc, where, ("indicator", "area"))
    if not bad:
        bad += _not_in_plan(doc, where, plan)
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
        entry = ids[n] if n < len(ids) and _is_count(ids[n]) else None
        return f"{where}/{column}/{n}" + (_entry(entry) if entry else "")

    previous = 0
    for n, entry_id in enumerate(ids):
        if not _is_count(entry_id) or entry_id < 1:
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
        if not _is_number(value) or value < 0:
            bad.append(
                tr(
                    f"{at('value', n)} 应为 ≥ 0 的数字，而不是 {_show(value)}",
                    f"{at('value', n)} must be a number ≥ 0, not {_show(value)}",
                )
            )
    for n, day in enumerate(doc["date"]):
        _date(day, at("date", n), bad)
    bad += [
        tr(f"{at('batch', n)} 应为文本", f"{at('batch', n)} must be text")
        for n, text in enumerate(doc["batch"])
        if not isinstance(text, str)
    ]
    bad += [
        tr(f"{at('corrects', n)} 应为记录编号", f"{at('corrects', n)} must be an entry id")
        for n, target in enumerate(doc.get("corrects", []))
        if target is not None and (not _is_count(target) or target < 1)
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
    bad = _missing_text(doc, where, ("indicator", "area", "date"))
    bad += _optional_text(doc, where, ("note", "source", "recorded_at", "by", "batch", "reason"))
    if doc.get("corrects") is not None and not _is_count(doc["corrects"]):
        bad.append(tr(f"{where}/corrects 应为记录编号", f"{where}/corrects must be an entry id"))
    if not bad:
        bad += _not_in_plan(doc, where, plan)
    if isinstance(doc.get("date"), str):
        _date(doc["date"], f"{where}/date", bad)
    value = doc.get("value")
    if not _is_number(value) or value < 0:
        bad.append(
            tr(
                f"{where}/value 应为 ≥ 0 的数字，而不是 {_show(value)}",
                f"{where}/value must be a number ≥ 0, not {_show(value)}",
            )
        )
    return bad


def load_allocations(data: dict[str, Any], plan: Plan) -> tuple[list[Allocation], list[str]]:
    out: list[Allocation] = []
    problems: list[str] = []
    for doc_id, doc in data.get("allocations", {}).items():
        where = f"/allocations/{doc_id}"
        bad = _missing_text(doc, where, ("indicator", "area"))
        bad += _optional_text(doc, where, ("note",))
        if not bad:
            bad += _not_in_plan(doc, where, plan)
        due = None if doc.get("due") is None else _date(doc["due"], f"{where}/due", bad)
        if not _is_number(doc.get("value")) or doc["value"] < 0:
            shown = _show(doc.get("value"))
            bad.append(
                tr(
                    f"{where}/value 应为 ≥ 0 的数字，而不是 {shown}",
                    f"{where}/value must be a number ≥ 0, not {shown}",
                )
            )
        if bad:
            problems += bad
            continue
        out.append(
            Allocation(doc["indicator"], doc["area"], doc["value"], due, doc.get("note", ""))
        )
    return out, problems


def check_batches(data: dict[str, Any]) -> list[str]:
    problems = []
    for doc_id, doc in data.get("batches", {}).items():
        where = f"/batches/{doc_id}"
        problems += _missing_text(doc, where, ("id", "kind"))
        files = doc.get("files", [])
        if not isinstance(files, list) or not all(
            isinstance(f, dict) and isinstance(f.get("sha256"), str) for f in files
        ):
            problems.append(
                tr(
                    f"{where}/files 应为文件列表，每个文件带有 sha256",
                    f"{where}/files must be a list of files, each with a sha256",
                )
            )
    return problems


def check_counts(data: dict[str, Any]) -> list[str]:
    """Nothing is ever removed: fewer records than the last commit counted means a hand edit
    (or a bad copy) lost some, and writing on top would make the loss permanent."""
    meta = data["meta"]["1"]
    problems = []
    for table in APPEND_ONLY:
        recorded = meta.get(f"{table}_count")
        present = entry_count(data) if table == "entries" else len(data.get(table, {}))
        name = "series" if table == "entries" and "series" in data else table
        what = "entries" if name == "series" else "records"
        if _is_count(recorded) and present is not None and present < recorded:
            problems.append(
                tr(
                    f"/{name}：现有 {present} 条，但上次提交写入了 {recorded} 条"
                    "（有记录在 povtrack 之外被删除？）",
                    f"/{name}: {present} {what}, but the last commit wrote {recorded} "
                    f"({what} removed outside povtrack?)",
                )
            )
    return problems


def check_loops(data: dict[str, Any]) -> list[str]:
    """Corrections and undos that do not name an earlier record (``loops``): on every open,
    from the series holding corrections and the batches only."""
    corrections: dict[int, int] = {}
    where: dict[int, str] = {}
    for doc_id, doc in data.get("entries", {}).items():  # schema 1-3
        target = doc.get("corrects")
        if _is_count(target) and _DOC_ID.match(doc_id):
            corrections[int(doc_id)], where[int(doc_id)] = target, f"/entries/{doc_id}/corrects"
    for key, doc in data.get("series", {}).items():
        ids, targets = doc.get("id"), doc.get("corrects")
        if isinstance(ids, list) and isinstance(targets, list) and len(ids) == len(targets):
            for n, (entry_id, target) in enumerate(zip(ids, targets, strict=True)):
                if target is not None and _is_count(target) and _is_count(entry_id):
                    corrections[entry_id] = target
                    where[entry_id] = f"/series/{key}/corrects/{n}{_entry(entry_id)}"
    problems: list[str] = []
    if any(target >= entry_id for entry_id, target in corrections.items()):
        ids = {entry_id for _, entry_id, _, _ in _entry_refs(data)}
        found = loops.bad_corrections(corrections, ids.__contains__)
        problems += [f"{where[entry_id]}: {what}" for entry_id, what in found]
    order: dict[str, int] = {}
    undos: dict[str, str] = {}
    at: dict[str, str] = {}
    batches = data.get("batches", {})
    for doc_id in sorted((k for k in batches if _DOC_ID.match(k)), key=int):
        doc, batch_id = batches[doc_id], batches[doc_id].get("id")
        if isinstance(batch_id, str):
            order.setdefault(batch_id, int(doc_id))
            reverts = doc.get("reverts")
            if doc.get("kind") == "undo" and isinstance(reverts, str) and reverts:
                undos[batch_id] = reverts
                at[batch_id] = tr(
                    f"/batches/{doc_id}（批次 {batch_id}）", f"/batches/{doc_id} (batch {batch_id})"
                )
    return problems + [f"{at[b]}: {what}" for b, what in loops.bad_undos(undos, order)]


def check_references(data: dict[str, Any]) -> list[str]:
    """Entries name batches and entries that exist, an undo names a batch (for ``db verify``;
    opening does not need it)."""
    batches = {doc.get("id") for doc in data.get("batches", {}).values()}
    refs = list(_entry_refs(data))
    ids = {entry_id for _, entry_id, _, _ in refs}
    problems = [
        tr(
            f"{where.format('batch')}：“{batch}”不是已记录的批次",
            f"{where.format('batch')}: '{batch}' is not a recorded batch",
        )
        for where, _, batch, _ in refs
        if batch and batch not in batches
    ]
    problems += [
        tr(
            f"{where.format('corrects')}：第{target}条记录不存在",
            f"{where.format('corrects')}: entry {target} does not exist",
        )
        for where, _, _, target in refs
        if target is not None and target not in ids
    ]
    problems += [
        tr(
            f"/batches/{doc_id}/reverts：“{doc['reverts']}”不是已记录的批次",
            f"/batches/{doc_id}/reverts: '{doc['reverts']}' is not a recorded batch",
        )
        for doc_id, doc in data.get("batches", {}).items()
        if doc.get("reverts") and doc["reverts"] not in batches
    ]
    return problems


# ---------------------------------------------------------------------------- helpers


def _entry_refs(data: dict[str, Any]) -> Iterator[tuple[str, Any, Any, Any]]:
    """(where, id, batch, corrects) of every entry, whichever way the entries are stored;
    ``where`` is a JSON path with ``{}`` for the field."""
    for doc_id, doc in data.get("entries", {}).items():
        batch, target = doc.get("batch"), doc.get("corrects")
        if isinstance(batch, str | None):  # a batch of the wrong type is reported elsewhere
            target = target if isinstance(target, int) else None
            yield f"/entries/{doc_id}/{{}}", int(doc_id), batch, target
    for key, doc in data.get("series", {}).items():
        ids, batches = doc.get("id"), doc.get("batch")
        corrects = doc.get("corrects", [None] * len(ids) if isinstance(ids, list) else None)
        columns = (ids, batches, corrects)
        if not all(isinstance(c, list) for c in columns) or not len(ids) == len(batches) == len(
            corrects
        ):
            continue  # a series of the wrong shape is reported by check_series
        for n, (entry_id, batch, target) in enumerate(zip(ids, batches, corrects, strict=True)):
            if isinstance(entry_id, int) and isinstance(batch, str | None):
                target = target if isinstance(target, int) else None
                yield f"/series/{key}/{{}}/{n}{_entry(entry_id)}", entry_id, batch, target


def _not_in_plan(doc: dict[str, Any], where: str, plan: Plan) -> list[str]:
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


def _missing_text(doc: dict[str, Any], where: str, keys: tuple[str, ...]) -> list[str]:
    return [
        tr(f"缺少 {where}/{k}", f"{where}/{k} is missing")
        if k not in doc
        else tr(f"{where}/{k} 应为文本", f"{where}/{k} must be text")
        for k in keys
        if not isinstance(doc.get(k), str)
    ]


def _optional_text(doc: dict[str, Any], where: str, keys: tuple[str, ...]) -> list[str]:
    return [
        tr(f"{where}/{k} 应为文本", f"{where}/{k} must be text")
        for k in keys
        if not isinstance(doc.get(k, ""), str)
    ]


def _date(value: Any, where: str, bad: list[str]) -> date | None:
    try:
        return _day(value)
    except (TypeError, ValueError):
        bad.append(
            tr(
                f"{where} 应为 YYYY-MM-DD 格式的日期，而不是 {_show(value)}",
                f"{where} must be a date YYYY-MM-DD, not {_show(value)}",
            )
        )
        return None


_DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


def _day(text: str) -> date:
    """A date written exactly YYYY-MM-DD: the fast paths compare dates as text, which is only
    right for that form (Python also reads 20180304 and 2018-W09-7)."""
    if not _DAY_TEXT.fullmatch(text):
        raise ValueError(text)
    return date.fromisoformat(text)


def _is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _is_count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _kind(value: Any) -> str:
    words = {list: tr("列表", "a list"), str: tr("文本", "text"), type(None): "null"}
    return words.get(type(value), type(value).__name__)


def _entry(entry_id: object) -> str:
    """`` (entry 5)`` after a JSON path: the entry id users see in ``povtrack log``."""
    return tr(f"（第{entry_id}条记录）", f" (entry {entry_id})")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."

"""What a database file must look like, checked before anything trusts it.

Pure functions over the parsed JSON (no TinyDB, no I/O). Each problem names its JSON path, such as
``/entries/12/value``, so a hand-broken file can be found and fixed. The backend runs these on every
open (a bad file is refused, never half-used); ``povtrack db verify`` prints them all. For users:
docs/storage.md, "A bad file is never used".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from povtrack import loops
from povtrack.i18n import tr
from povtrack.model import Allocation, Plan
from povtrack.storage.json.seriescheck import entry_count
from povtrack.storage.json.values import (
    date_at,
    entry_label,
    is_count,
    is_number,
    kind_of,
    missing_text,
    not_in_plan,
    optional_text,
    show,
)

TABLES = ("meta", "entries", "series", "allocations", "batches")
APPEND_ONLY = ("entries", "allocations", "batches")  # entries: counted across ``series``
_DOC_ID = re.compile(r"^[1-9][0-9]*$")


def check_shape(data: Any) -> list[str]:
    """Top-level structure and the meta record; enough to know which schema the file is."""
    if not isinstance(data, dict):
        return [
            tr(f"/ 应为对象，而不是{kind_of(data)}", f"/ must be an object, not {kind_of(data)}")
        ]
    problems = []
    for name, table in data.items():
        if name not in TABLES:
            continue  # unknown tables are kept as they are, never dropped
        if not isinstance(table, dict):
            problems.append(
                tr(
                    f"/{name} 应为对象，而不是{kind_of(table)}",
                    f"/{name} must be an object, not {kind_of(table)}",
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
                        f"/{name}/{doc_id} 应为对象，而不是{kind_of(doc)}",
                        f"/{name}/{doc_id} must be an object, not {kind_of(doc)}",
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
    if "generation" in meta and not is_count(meta["generation"]):
        problems.append(
            tr(
                "/meta/1/generation 应为 ≥ 0 的整数",
                "/meta/1/generation must be a whole number ≥ 0",
            )
        )
    return problems


def load_allocations(data: dict[str, Any], plan: Plan) -> tuple[list[Allocation], list[str]]:
    out: list[Allocation] = []
    problems: list[str] = []
    for doc_id, doc in data.get("allocations", {}).items():
        where = f"/allocations/{doc_id}"
        bad = missing_text(doc, where, ("indicator", "area"))
        bad += optional_text(doc, where, ("note",))
        if not bad:
            bad += not_in_plan(doc, where, plan)
        due = None if doc.get("due") is None else date_at(doc["due"], f"{where}/due", bad)
        if not is_number(doc.get("value")) or doc["value"] < 0:
            shown = show(doc.get("value"))
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
        problems += missing_text(doc, where, ("id", "kind"))
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
        if is_count(recorded) and present is not None and present < recorded:
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
        if is_count(target) and _DOC_ID.match(doc_id):
            corrections[int(doc_id)], where[int(doc_id)] = target, f"/entries/{doc_id}/corrects"
    for key, doc in data.get("series", {}).items():
        ids, targets = doc.get("id"), doc.get("corrects")
        if isinstance(ids, list) and isinstance(targets, list) and len(ids) == len(targets):
            for n, (entry_id, target) in enumerate(zip(ids, targets, strict=True)):
                if target is not None and is_count(target) and is_count(entry_id):
                    corrections[entry_id] = target
                    where[entry_id] = f"/series/{key}/corrects/{n}{entry_label(entry_id)}"
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
                yield f"/series/{key}/{{}}/{n}{entry_label(entry_id)}", entry_id, batch, target

"""The entries of a JSON database, stored column by column, one document per series.

A series is one (indicator, area). Its document in the ``series`` table holds, as parallel
lists in id order, what every report needs: ``id``, ``date``, ``value``, ``batch`` and, once
one of its entries is a correction, ``corrects`` (None for the others). The audit detail,
which only the commands that show single entries need (note, source, recorded_at, by, and
a correction's reason), is kept apart in ``audit``: one JSON text per series holding those
columns, decoded on demand.

Why: parsing many small objects is what made a big file slow to open, and most of that time
and memory went to text no status report shows. Columns parse far faster than objects, and the
audit text parses as one string per series until it is asked for. The ledger is read straight
from the columns, without an ``Entry`` per row.

No I/O here. ``seriescheck.check_series`` checks the columns on every open; the audit of a
series is checked when it is first decoded (``AuditError``), and in full by every command that
writes and by ``db verify`` (``check_audits``).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from operator import lt
from typing import Any

import orjson

from povtrack.i18n import tr
from povtrack.model import Entry

# Every series document has these lists, all of the same length, and the ``audit`` text.
COLUMNS = ("id", "date", "value", "batch")
# The columns inside ``audit``; ``reason`` only once the series holds a correction, ``extra``
# only once an entry has fields povtrack does not know (kept from an older file, never dropped).
AUDIT = ("note", "source", "recorded_at", "by")
KNOWN = frozenset({"id", "indicator", "area", "date", "value", "batch", "corrects", "reason"})


# The fields of an ordinary entry record (no correction, nothing unknown).
_PLAIN_RECORD = frozenset({"indicator", "area", *COLUMNS, *AUDIT})


class AuditError(ValueError):
    """A series' audit text is not what it must be; the message starts with its JSON path."""


class EntryTable:
    """The ``series`` table of a parsed database (a dict of documents), changed in place."""

    def __init__(self, series: dict[str, dict[str, Any]]) -> None:
        self.series = series
        self._by_key = {(d["indicator"], d["area"]): k for k, d in series.items()}
        self._audits: dict[str, dict[str, list[Any]]] = {}  # decoded, by series key
        self._changed: set[str] = set()  # series whose audit must be encoded again
        self._days: dict[str, date] = {}
        self.count = sum(len(d["id"]) for d in series.values())
        self.last_id = max((d["id"][-1] for d in series.values() if d["id"]), default=0)

    # -- the audit text ----------------------------------------------------------------

    def audit(self, key: str) -> dict[str, list[Any]]:
        """The decoded audit columns of one series (checked the first time)."""
        found = self._audits.get(key)
        if found is None:
            found = self._audits[key] = _decode_audit(key, self.series[key])
        return found

    def check_audits(self) -> list[str]:
        """Every series' audit decoded and checked; the problems, one per bad series."""
        problems = []
        for key in self.series:
            try:
                self.audit(key)
            except AuditError as exc:
                problems.append(str(exc))
        return problems

    def flush(self) -> None:
        """Encode the audit text of every series changed since the last flush."""
        for key in self._changed:
            self.series[key]["audit"] = _encode(self._audits[key])
        self._changed.clear()

    # -- reading -----------------------------------------------------------------------

    def day(self, text: str) -> date:
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = date.fromisoformat(text)
        return found

    def entries(self, skip: set[int] | frozenset[int] = frozenset()) -> list[Entry]:
        """Every entry as a model object, in id order, but those in ``skip``."""
        out: list[Entry] = []
        for key in self.series:
            out += self._entries_of(key, skip)
        out.sort(key=lambda e: e.id)
        return out

    def _entries_of(self, key: str, skip: set[int] | frozenset[int]) -> list[Entry]:
        doc, audit, day = self.series[key], self.audit(key), self.day
        ind, area, n = doc["indicator"], doc["area"], len(doc["id"])
        rows = zip(
            doc["id"],
            doc["date"],
            doc["value"],
            audit["note"],
            audit["source"],
            audit["recorded_at"],
            audit["by"],
            doc["batch"],
            doc.get("corrects") or [None] * n,
            audit.get("reason") or [""] * n,
            strict=True,
        )
        return [
            Entry(i, ind, area, day(d), v, note, src, at, by, b, c, why)
            for i, d, v, note, src, at, by, b, c, why in rows
            if i not in skip
        ]

    def not_counting(self, undone: set[str]) -> set[int]:
        """Ids of the entries that do not count: in an undone batch, or superseded by a
        correction in force (the newest correction in force wins; corrections chain): rules
        1 and 2 of ``povtrack.ledger``, worked out from the columns. (The ledger applies rule
        3 itself; ``replaced`` names the entries it leaves out.)"""
        out: set[int] = set()
        corrections: list[tuple[int, int]] = []
        for doc in self.series.values():
            if undone and not undone.isdisjoint(doc["batch"]):
                out.update(i for i, b in zip(doc["id"], doc["batch"], strict=True) if b in undone)
            if "corrects" in doc:
                corrections += [
                    (i, c) for i, c in zip(doc["id"], doc["corrects"], strict=True) if c is not None
                ]
        for entry_id, target in sorted(corrections):
            if entry_id not in out and target not in out:
                out.add(target)
        return out

    def replaced(self, skip: set[int] | frozenset[int]) -> set[int]:
        """Ids of the entries replaced by a later report for the same date (rule 3 of
        ``povtrack.ledger``), among those not in ``skip`` (``not_counting``'s)."""
        out: set[int] = set()
        for doc in self.series.values():
            dates = doc["date"]
            if all(map(lt, dates, dates[1:])):  # the usual case: one entry per date, in order
                continue
            newest: dict[str, int] = {}
            kept = [(i, d) for i, d in zip(doc["id"], dates, strict=True) if i not in skip]
            for i, d in kept:
                newest[d] = i
            out.update(i for i, d in kept if newest[d] != i)
        return out

    def series_values(
        self, skip: set[int] | frozenset[int] = frozenset()
    ) -> Iterator[tuple[str, str, list[str], list[float]]]:
        """Per series, the ISO dates and values of the entries that count, in id order."""
        for doc in self.series.values():
            if skip and not skip.isdisjoint(doc["id"]):
                kept = [
                    (d, v)
                    for i, d, v in zip(doc["id"], doc["date"], doc["value"], strict=True)
                    if i not in skip
                ]
                yield doc["indicator"], doc["area"], [d for d, _ in kept], [v for _, v in kept]
            else:
                yield doc["indicator"], doc["area"], doc["date"], doc["value"]

    def latest_date(self, skip: set[int] | frozenset[int] = frozenset()) -> date | None:
        """The newest date of an entry that counts (ISO dates sort as text)."""
        newest = ""
        for doc in self.series.values():
            if skip and not skip.isdisjoint(doc["id"]):
                dates = [d for i, d in zip(doc["id"], doc["date"], strict=True) if i not in skip]
            else:
                dates = doc["date"]
            if dates:
                newest = max(newest, max(dates))
        return self.day(newest) if newest else None

    def find(self, entry_id: int) -> Entry | None:
        for key, doc in self.series.items():
            if entry_id in doc["id"]:
                return next(e for e in self._entries_of(key, frozenset()) if e.id == entry_id)
        return None

    def records(self) -> list[dict[str, Any]]:
        """Every entry as a plain record (``storage.base.Records.entries``), in id order, with any
        fields povtrack does not know."""
        extras: dict[int, dict[str, Any]] = {}
        for key, doc in self.series.items():
            found = self.audit(key).get("extra")
            if found:
                extras.update((i, x) for i, x in zip(doc["id"], found, strict=True) if x)
        return [extras.get(e.id, {}) | entry_record(e) for e in self.entries()]

    # -- writing -----------------------------------------------------------------------

    def extend(self, recs: list[dict[str, Any]]) -> None:
        """Many entries, as ``append`` would add them one by one (their ids rising), a
        series' plain rows a column at a time."""
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for rec in recs:
            groups.setdefault((rec["indicator"], rec["area"]), []).append(rec)
        for (indicator, area), group in groups.items():
            key = self._by_key.get((indicator, area))
            plain = key is not None and all(r.keys() == _PLAIN_RECORD for r in group)
            audit = self.audit(key) if plain and key is not None else {}
            if (
                key is None
                or not plain
                or "corrects" in self.series[key]
                or "reason" in audit
                or "extra" in audit
            ):
                for rec in group:  # a new series, a correction or unknown fields: one by one
                    self.append(rec)
                continue
            doc = self.series[key]
            for column in COLUMNS:
                doc[column] += [r[column] for r in group]
            for column in AUDIT:
                audit[column] += [r[column] for r in group]
            self._changed.add(key)
            self.count += len(group)
            self.last_id = max(self.last_id, group[-1]["id"])

    def append(self, rec: dict[str, Any]) -> None:
        """One entry (a plain record, as ``entry_record`` makes), its id above every id so far."""
        where = (rec["indicator"], rec["area"])
        key = self._by_key.get(where)
        if key is None:
            key = str(len(self.series) + 1)
            while key in self.series:  # keys are never reused, even after a hand edit
                key = str(int(key) + 1)
            self.series[key] = {"indicator": where[0], "area": where[1]}
            self.series[key] |= {c: [] for c in COLUMNS} | {"audit": ""}
            self._audits[key] = {c: [] for c in AUDIT}
            self._by_key[where] = key
        doc, audit = self.series[key], self.audit(key)
        corrects = rec.get("corrects")
        if corrects is not None and "corrects" not in doc:
            doc["corrects"] = [None] * len(doc["id"])
        if corrects is not None and "reason" not in audit:
            audit["reason"] = [""] * len(doc["id"])
        extra = {k: v for k, v in rec.items() if k not in KNOWN and k not in AUDIT}
        if extra and "extra" not in audit:
            audit["extra"] = [None] * len(doc["id"])
        for column in COLUMNS:
            doc[column].append(rec[column])
        for column in AUDIT:
            audit[column].append(rec[column])
        if "corrects" in doc:
            doc["corrects"].append(corrects)
        if "reason" in audit:
            audit["reason"].append(rec.get("reason", "") if corrects is not None else "")
        if "extra" in audit:
            audit["extra"].append(extra or None)
        self._changed.add(key)
        self.count += 1
        self.last_id = max(self.last_id, rec["id"])


def _encode(audit: dict[str, list[Any]]) -> str:
    try:
        return orjson.dumps(audit).decode("utf-8")
    except TypeError:  # a lone surrogate (from a hand edit) that orjson will not write
        return json.dumps(audit, separators=(",", ":"))


def _decode_audit(key: str, doc: dict[str, Any]) -> dict[str, list[Any]]:
    where = f"/series/{key}/audit"
    try:
        audit = orjson.loads(doc["audit"])
    except (TypeError, orjson.JSONDecodeError):
        raise AuditError(
            tr(
                f"{where} 不是审计列的 JSON 文本",
                f"{where} is not the JSON text of the audit columns",
            )
        ) from None
    if not isinstance(audit, dict):
        raise AuditError(
            tr(f"{where} 应为由各列组成的对象", f"{where} must hold an object of columns")
        )
    n = len(doc["id"])
    extra = audit.get("extra", [None] * n)
    if not isinstance(extra, list) or len(extra) != n:
        raise AuditError(
            tr(
                f"{where}/extra 应为列表，每条记录一行",
                f"{where}/extra must be a list with a row per entry",
            )
        )
    if not all(x is None or isinstance(x, dict) for x in extra):
        raise AuditError(
            tr(
                f"{where}/extra 的各行应为对象或 null",
                f"{where}/extra rows must be objects or null",
            )
        )
    for column in (*AUDIT, *(("reason",) if "reason" in audit else ())):
        values = audit.get(column)
        if not isinstance(values, list):
            raise AuditError(
                tr(f"{where}/{column} 缺少或不是列表", f"{where}/{column} is missing or not a list")
            )
        if len(values) != n:
            raise AuditError(
                tr(
                    f"{where}/{column} 有 {len(values)} 行，/series/{key}/id 有 {n} 行",
                    f"{where}/{column} has {len(values)} rows, /series/{key}/id has {n}",
                )
            )
        try:
            "".join(values)  # refuses anything but text, at C speed
        except TypeError:
            bad = next(i for i, v in enumerate(values) if not isinstance(v, str))
            entry_id = doc["id"][bad]
            raise AuditError(
                tr(
                    f"{where}/{column}/{bad}（第{entry_id}条记录）应为文本",
                    f"{where}/{column}/{bad} (entry {entry_id}) must be text",
                )
            ) from None
    return audit


def entry_record(e: Entry) -> dict[str, Any]:
    """An entry as a plain record (``storage.base.Records.entries``)."""
    rec = {
        "id": e.id,
        "indicator": e.indicator,
        "area": e.area,
        "date": e.date.isoformat(),
        "value": e.value,
        "note": e.note,
        "source": e.source,
        "recorded_at": e.recorded_at,
        "by": e.by,
        "batch": e.batch,
    }
    if e.corrects is not None:
        rec |= {"corrects": e.corrects, "reason": e.reason}
    return rec


def series_from_records(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The ``series`` table for entry records (any order; stored in id order)."""
    table = EntryTable({})
    for rec in sorted(records, key=lambda r: r["id"]):
        table.append(rec)
    table.flush()
    return table.series

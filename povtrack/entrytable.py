"""The entries of a JSON database, stored column by column, one document per series.

A series is one (indicator, area): its document in the ``series`` table holds the ids, dates,
values and audit fields of all its entries as parallel lists, in id order. Parsing a hundred
thousand short lists of numbers and text is some ten times faster, and takes a fraction of the
memory, of parsing a hundred thousand small objects; and the numbers every report needs (the
ledger) are read straight from the columns without making an ``Entry`` per row. ``Entry``
objects are still made, on demand, for the commands that look at single entries.

Corrections are rare: a series gets ``corrects`` and ``reason`` columns only once one of its
entries is a correction (earlier rows get None and "").

No I/O here: ``dbfile`` checks the columns (``integrity.check_series``) before this is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from povtrack.model import Entry

# Every series document has these, all of the same length.
COLUMNS = ("id", "date", "value", "note", "source", "recorded_at", "by", "batch")
# Present only in a series that holds a correction.
CORRECTION_COLUMNS = ("corrects", "reason")
ENTRY_FIELDS = ("indicator", "area", *COLUMNS, *CORRECTION_COLUMNS)


class EntryTable:
    """The ``series`` table of a parsed database (a dict of documents), changed in place."""

    def __init__(self, series: dict[str, dict[str, Any]]) -> None:
        self.series = series
        self._by_key = {(d["indicator"], d["area"]): d for d in series.values()}
        self._days: dict[str, date] = {}
        self.count = sum(len(d["id"]) for d in series.values())
        self.last_id = max((d["id"][-1] for d in series.values() if d["id"]), default=0)

    # -- reading -----------------------------------------------------------------------

    def day(self, text: str) -> date:
        found = self._days.get(text)
        if found is None:
            found = self._days[text] = date.fromisoformat(text)
        return found

    def entries(self, skip: set[int] | frozenset[int] = frozenset()) -> list[Entry]:
        """Every entry as a model object, in id order, but those in ``skip``."""
        out: list[Entry] = []
        day = self.day
        for doc in self.series.values():
            ind, area = doc["indicator"], doc["area"]
            corrects = doc.get("corrects") or [None] * len(doc["id"])
            reasons = doc.get("reason") or [""] * len(doc["id"])
            rows = zip(
                doc["id"],
                doc["date"],
                doc["value"],
                doc["note"],
                doc["source"],
                doc["recorded_at"],
                doc["by"],
                doc["batch"],
                corrects,
                reasons,
                strict=True,
            )
            out += [
                Entry(i, ind, area, day(d), v, n, s, r, b, bt, c, why)
                for i, d, v, n, s, r, b, bt, c, why in rows
                if i not in skip
            ]
        out.sort(key=lambda e: e.id)
        return out

    def not_counting(self, undone: set[str]) -> set[int]:
        """Ids of the entries that do not count: in an undone batch, or superseded by a
        correction in force (the newest correction in force wins; corrections chain). The
        same rule as ``progress.entry_states``, worked out from the columns."""
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
        for doc in self.series.values():
            if entry_id in doc["id"]:
                return next(e for e in self._one(doc) if e.id == entry_id)
        return None

    def _one(self, doc: dict[str, Any]) -> list[Entry]:
        return EntryTable({"1": doc}).entries()

    def records(self) -> list[dict[str, Any]]:
        """Every entry as a plain record (``store.Records.entries``), in id order."""
        return [entry_record(e) for e in self.entries()]

    # -- writing -----------------------------------------------------------------------

    def append(self, rec: dict[str, Any]) -> None:
        """One entry (a record with every field of ``ENTRY_FIELDS`` but the optional
        correction ones), its id above every id so far."""
        key = (rec["indicator"], rec["area"])
        doc = self._by_key.get(key)
        if doc is None:
            doc = {"indicator": key[0], "area": key[1]} | {c: [] for c in COLUMNS}
            self.series[str(len(self.series) + 1)] = doc
            self._by_key[key] = doc
        if rec.get("corrects") is not None and "corrects" not in doc:
            doc["corrects"] = [None] * len(doc["id"])
            doc["reason"] = [""] * len(doc["id"])
        for column in COLUMNS:
            doc[column].append(rec[column])
        if "corrects" in doc:
            doc["corrects"].append(rec.get("corrects"))
            doc["reason"].append(rec.get("reason", "") if rec.get("corrects") is not None else "")
        self.count += 1
        self.last_id = max(self.last_id, rec["id"])


def entry_record(e: Entry) -> dict[str, Any]:
    """An entry as a plain record (``store.Records.entries``)."""
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
    return table.series

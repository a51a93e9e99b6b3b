"""A new PostgreSQL database filled in bulk (``postgres.bulk``: COPY, as ``db migrate`` fills
one): every record reads back exactly as given, text that COPY must escape included, from
entries given as a one-pass stream; a row the schema refuses aborts the whole creation; and
the filled database is guarded as one made by ``init``: the author trigger is in place for
the writes that follow, and records still cannot be changed.

Needs the throwaway cluster of tests/helpers/pg.py (skipped without the server, failed in CI).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from povtrack.errors import WriteError
from povtrack.planfile import bundled_text
from povtrack.storage import Database
from povtrack.storage.base import Records
from povtrack.storage.pgurl import PgUrl
from tests.helpers.pg import PgDatabase

# what COPY's text format must escape, and what it must not mangle
TRICKY = ["tab\there", "line\nbreak", "back\\slash", "\\N", "carriage\rreturn", "引号 \"'", ""]


def _entry(n: int, note: str, value: Any, **more: Any) -> dict[str, Any]:
    return {
        "id": n,
        "indicator": "housing.relocated_people",
        "area": "yanggao",
        "date": f"2018-03-{n:02d}",
        "value": value,
        "note": note,
        "source": f"w{n}.csv:{n + 1}",
        "recorded_at": "2018-03-05T08:00:00+00:00",
        "by": "cron",
        "batch": "b1" if n < 5 else "b2",
    } | more


def _records() -> Records:
    values: list[Any] = [5200, 13.0, 0.1, 12.5, 1e15, 0, 7]
    pairs = enumerate(zip(TRICKY, values, strict=True), 1)
    entries = [_entry(n, note, v) for n, (note, v) in pairs]
    entries.append(_entry(8, "", 5300, corrects=1, reason="county\tresubmitted"))
    files = [{"name": "w1\t.csv", "sha256": "a" * 64, "rows": 4, "encoding": "utf-8"}]
    batches: list[dict[str, Any]] = [
        {"id": "b1", "kind": "import", "by": "cron", "at": "2018-03-05", "files": files},
        {"id": "b2", "kind": "command", "by": "clerk", "at": "2018-03-06", "note": "x\\y"},
        {"id": "b3", "kind": "undo", "by": "clerk", "at": "2018-03-07", "reverts": "b2",
         "reason": "wrong\nweek"},
    ]  # fmt: skip
    allocations = [
        {"indicator": "jobs.trained", "area": "lingqiu", "value": 1200, "due": None,
         "note": "share\t1", "source": "a.csv:2", "recorded_at": "2018-03-05", "by": "cron"},
        {"indicator": "jobs.trained", "area": "yanggao", "value": 300.5, "due": "2018-06-30",
         "note": "", "source": "a.csv:3", "recorded_at": "2018-03-05", "by": "cron"},
    ]  # fmt: skip
    return Records({"generation": 3}, entries, batches, allocations)


class _Stream:
    """Entries that can be read once, with a length: what a generator of millions passes."""

    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items, self.reads = items, 0

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        self.reads += 1
        assert self.reads == 1, "the entries were read twice"
        return iter(self.items)


def _create(url: PgUrl, records: Records) -> None:
    with Database.creating(url, bundled_text(), records=records) as (store, _):
        store.commit()


def test_a_bulk_fill_reads_back_exactly(pg_database: PgDatabase) -> None:
    given = _records()
    stream = _Stream([dict(e) for e in given.entries])
    url = PgUrl(pg_database.url())
    _create(url, Records(given.meta, stream, given.batches, given.allocations))  # type: ignore[arg-type]
    got = Database.open(url).records()
    assert stream.reads == 1
    for e in got.entries:
        e.pop("on_behalf_of", None)
    assert got.entries == given.entries
    assert [type(e["value"]) for e in got.entries] == [type(e["value"]) for e in given.entries]
    assert got.batches == given.batches
    assert got.allocations == given.allocations
    assert got.meta["entries_count"] == len(given.entries)
    assert got.meta["batches_count"] == 3 and got.meta["allocations_count"] == 2
    with pg_database.connect() as conn:
        seqs = conn.execute("SELECT id FROM povtrack.batches ORDER BY seq").fetchall()
        assert [s[0] for s in seqs] == ["b1", "b2", "b3"]
        files = conn.execute("SELECT sha256, after, batch FROM povtrack.imported_files")
        assert files.fetchall() == [("a" * 64, "", "b1")]


def test_a_row_the_schema_refuses_leaves_nothing(pg_database: PgDatabase) -> None:
    given = _records()
    given.entries[3]["value"] = -1  # the CHECK on value refuses it
    url = PgUrl(pg_database.url())
    with pytest.raises(WriteError):
        _create(url, given)
    with pg_database.connect() as conn:
        found = conn.execute("SELECT to_regnamespace('povtrack') IS NOT NULL").fetchone()
        assert found == (False,)


def test_a_bulk_filled_database_is_guarded_as_one_made_by_init(pg_database: PgDatabase) -> None:
    from psycopg import errors as pg_errors  # the test extra: imported only where needed

    url = PgUrl(pg_database.url())
    _create(url, _records())
    row = {"indicator": "jobs.trained", "area": "yanggao", "date": date(2018, 4, 1)}
    with Database.writing(url, lock_timeout=5) as store:
        batch = store.add_batch("command", "somebody")
        row |= {"value": 4, "source": "cli"}
        (new,) = store.add_entries([row], by="somebody", batch=batch)
        store.commit()
    with pg_database.connect() as conn:
        sql = 'SELECT "by", on_behalf_of FROM povtrack.entries WHERE id = %s'
        assert conn.execute(sql, (new,)).fetchone() == ("postgres", "somebody")  # session_user
        assert conn.execute(sql, (1,)).fetchone() == ("cron", None)  # moved: its own author
        for statement in (
            "UPDATE povtrack.entries SET value = 1 WHERE id = 1",
            "DELETE FROM povtrack.batches WHERE id = 'b1'",
        ):
            with pytest.raises(pg_errors.InsufficientPrivilege):  # owner, even
                conn.execute(statement)

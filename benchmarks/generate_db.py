"""Writing one generated database (``generate.py`` makes the data): its records, the naive
floor's file beside it, and the returns (CSV) that ``import`` reads.

* A file (JSON or SQLite): through ``povtrack.storage.Database`` as povtrack writes, one
  ``add_batch`` and ``add_entries`` per return, in one commit.
* PostgreSQL: a fresh database of the given name (dropped first if it exists; the URL's login
  must be allowed to create databases), filled as ``db migrate`` fills one: the whole database
  as ``storage.base.Records`` given to ``Database.creating``, which moves them in by COPY
  (``povtrack.storage.postgres.bulk``) in the transaction that makes the schema. Ten million
  entries are never held at once: a first pass over the returns makes the batches and the
  naive file, a second pass (the same seeded stream, made afresh) streams the entries into
  COPY. The records are what povtrack's own writes would have stored there: the author is the
  login (the server's ``session_user``), the generator's name (``cron``) is ``on_behalf_of``.
  Afterwards ``VACUUM (ANALYZE)`` and a checkpoint, as a database in use would have had, so
  that no timed command pays for them.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

from generate import BY, Return, Row, Shaped, allocations, database_part, fmt, remove_database


def csv_text(day: date, rows: list[Row], names: dict[str, str]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["date", "area", "indicator", "value", "note"])
    w.writerows((day.isoformat(), names[a], i, fmt(v), n) for a, i, v, n in rows)
    return out.getvalue()


def write_csv(path: Path, rows: list[tuple[date, Row]], names: dict[str, str]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "area", "indicator", "value", "note"])
        w.writerows((d.isoformat(), names[a], i, fmt(v), n) for d, (a, i, v, n) in rows)


class Naive:
    """The naive floor's file: every entry as one JSON object, all fields, in one list
    (``path`` None: nothing is written)."""

    def __init__(self, path: Path | None) -> None:
        self.count = 0
        self.file = open(path, "w", encoding="utf-8") if path else None  # noqa: SIM115
        if self.file:
            self.file.write("[")

    def add(self, docs: list[dict[str, Any]]) -> None:
        if self.file and docs:
            text = json.dumps(docs, ensure_ascii=False)[1:-1]
            self.file.write((", " if self.count else "") + text)
            self.count += len(docs)

    def close(self) -> None:
        if self.file:
            self.file.write("]")
            self.file.close()


def stamp() -> str:
    from povtrack.storage.base import now_stamp

    return now_stamp()


def docs_of(
    ids: list[int], day: date, name: str, rows: list[Row], batch: str, at: str
) -> list[dict[str, Any]]:
    """A return's entries as the naive file has them."""
    return [
        {"id": e, "indicator": i, "area": a, "date": day.isoformat(), "value": v,
         "source": f"{name}:{k}", "note": n, "recorded_at": at, "by": BY, "batch": batch}
        for k, (e, (a, i, v, n)) in enumerate(zip(ids, rows, strict=True), start=2)
    ]  # fmt: skip


def files_of(day: date, name: str, rows: list[Row], names: dict[str, str]) -> list[dict[str, Any]]:
    """The batch's file, as ``import`` records it (its sha256 decides "imported once")."""
    sha = hashlib.sha256(csv_text(day, rows, names).encode("utf-8")).hexdigest()
    return [{"name": name, "sha256": sha, "rows": len(rows), "encoding": "utf-8"}]


Held = list[tuple[date, int]]  # the database's returns: (day, rows)


def write_store(db: Path, data: Shaped, entries: int, naive: Naive) -> Held:
    """A JSON or SQLite file through ``Database``, one return per batch, in one commit."""
    from povtrack.storage import Database

    remove_database(db)
    held: Held = []
    with Database.creating(db, data.plan_text, lock_timeout=5) as (store, _moved):
        for alloc, source in allocations(data.plan, data.series):
            store.add_allocation(alloc, by=BY, source=source)
        for day, name, rows in database_part(data.stream, entries):
            batch = store.add_batch("import", BY, files=files_of(day, name, rows, data.names))
            new = [
                dict(indicator=i, area=a, date=day, value=v, source=f"{name}:{k}", note=n)
                for k, (a, i, v, n) in enumerate(rows, start=2)
            ]
            ids = store.add_entries(new, by=BY, batch=batch)
            naive.add(docs_of(ids, day, name, rows, batch, stamp()))
            held.append((day, len(rows)))
        store.commit()
    return held


class _Entries:
    """``Records.entries`` that are made while COPY reads them: a length, and one pass."""

    def __init__(self, count: int, make: Callable[[], Iterator[dict[str, Any]]]) -> None:
        self.count, self.make = count, make

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return self.make()


def _entries(returns: Iterator[Return], login: str, at: str) -> Iterator[dict[str, Any]]:
    entry = 1
    for n, (day, name, rows) in enumerate(returns, start=1):
        iso = day.isoformat()
        for k, (a, i, v, note) in enumerate(rows, start=2):
            yield {"id": entry, "indicator": i, "area": a, "date": iso, "value": v, "note": note,
                   "source": f"{name}:{k}", "recorded_at": at, "by": login, "batch": f"b{n}",
                   "on_behalf_of": BY}  # fmt: skip
            entry += 1


def fresh_database(url: str) -> str:
    """Drop the URL's database if it exists and create it empty; the login's name."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict, make_conninfo

    params = conninfo_to_dict(url)
    name = str(params.get("dbname") or "")
    if not name or name in ("postgres", "template0", "template1"):
        raise SystemExit(f"--db must name a database of its own, not {name!r}")
    admin = make_conninfo("", **{**params, "dbname": "postgres"})
    with psycopg.connect(admin, autocommit=True) as conn:
        quoted = '"' + name.replace('"', '""') + '"'
        conn.execute(f"DROP DATABASE IF EXISTS {quoted} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {quoted}")
        row = conn.execute("SELECT session_user").fetchone()
    return str(row[0]) if row else ""


def write_postgresql(
    url: str, data: Shaped, again: Callable[[], Shaped], entries: int, naive: Naive
) -> tuple[Held, dict[str, float]]:
    """A fresh PostgreSQL database filled by COPY (see the module docstring); the returns
    it holds and how long each step took, in seconds."""
    import psycopg

    from povtrack.storage import Database
    from povtrack.storage.base import Records
    from povtrack.storage.pgurl import PgUrl

    t0 = time.perf_counter()
    login, at = fresh_database(url), stamp()
    batches: list[dict[str, Any]] = []
    held: Held = []
    first = 1
    for n, (day, name, rows) in enumerate(database_part(data.stream, entries), start=1):
        files = files_of(day, name, rows, data.names)
        batches.append({"id": f"b{n}", "kind": "import", "by": login, "at": at, "files": files,
                        "on_behalf_of": BY})  # fmt: skip
        ids = list(range(first, first + len(rows)))
        naive.add(docs_of(ids, day, name, rows, f"b{n}", at))
        held.append((day, len(rows)))
        first += len(rows)
    moved = [
        {"indicator": a.indicator, "area": a.area, "value": a.value, "due": None,
         "note": a.note, "source": source, "recorded_at": at, "by": login}
        for a, source in allocations(data.plan, data.series)
    ]  # fmt: skip
    t1 = time.perf_counter()
    stream = _Entries(
        first - 1, lambda: _entries(database_part(again().stream, entries), login, at)
    )
    records = Records({}, stream, batches, moved)  # type: ignore[arg-type]
    with Database.creating(PgUrl(url), data.plan_text, records=records) as (store, _):
        store.commit()
    t2 = time.perf_counter()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        conn.execute("CHECKPOINT")
    t3 = time.perf_counter()
    seconds = {"batches_and_naive": t1 - t0, "copy": t2 - t1, "vacuum_analyze": t3 - t2}
    return held, {k: round(v, 1) for k, v in seconds.items()}

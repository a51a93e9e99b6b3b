"""Filling a new povtrack schema on PostgreSQL in bulk: the records ``PgBackend.creating`` is
given (``db migrate``, the benchmarks' generator) go in by ``COPY ... FROM STDIN``, a stream of
rows, instead of one INSERT per row. Records are converted one at a time as they stream, so
the entries may be any iterable that has a length (nothing here keeps them all).

Only for the schema ``creating`` makes, in that same transaction, by the login that owns it:

* the owner bypasses row-level security (COPY FROM refuses a table whose policies apply to
  the login), and every later write by anyone is an INSERT that the policies decide;
* the author trigger does not exist yet (``schema.AUTHOR_DDL`` comes after the fill), so moved
  records keep the authors they had, exactly as the INSERTs of the fill did;
* the constraints (NOT NULL, CHECK, keys) and the append-only triggers hold for COPY as for
  INSERT; a row that breaks one aborts the whole transaction.

The rows are the INSERTs' own parameters (``rows.entry_params``, ``sqlite.file.batch_row``,
``rows.allocation_params``), written in COPY's text format: psycopg escapes tabs, newlines and
backslashes, a None is NULL, and a value is the NUMERIC text ``schema.value_param`` gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from povtrack.storage.postgres.rows import allocation_params, entry_params
from povtrack.storage.postgres.schema import (
    ALLOCATION_COLUMNS,
    BATCH_COLUMNS,
    ENTRY_COLUMNS,
    FIGURES,
    NAME,
    WORKED_OUT,
)
from povtrack.storage.sqlite.file import batch_row

if TYPE_CHECKING:
    import psycopg

    from povtrack.storage.base import Records


def copy_rows(
    conn: psycopg.Connection[Any], table: str, columns: str, rows: Iterable[tuple[Any, ...]]
) -> int:
    """Stream ``rows`` into ``table``'s ``columns`` with one COPY; how many went in."""
    count = 0
    with conn.cursor() as cur, cur.copy(f"COPY {NAME}.{table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def fill(conn: psycopg.Connection[Any], records: Records) -> None:
    """The entries, batches and allocations of ``records``, in their order (the identity
    columns number batches and allocations as the INSERTs did)."""
    # the series' running figures (``schema``) from one pass after the COPY, rather than by
    # their trigger once a row: the same figures (``db verify`` compares them), far sooner
    conn.execute(f"ALTER TABLE {NAME}.entries DISABLE TRIGGER entries_series")
    copy_rows(conn, "entries", ENTRY_COLUMNS, map(entry_params, records.entries))
    conn.execute(f"INSERT INTO {NAME}.series ({FIGURES}) {WORKED_OUT}")
    conn.execute(f"ALTER TABLE {NAME}.entries ENABLE TRIGGER entries_series")
    copy_rows(conn, "batches", BATCH_COLUMNS, (batch_row(b)[1:] for b in records.batches))
    copy_rows(conn, "allocations", ALLOCATION_COLUMNS, map(allocation_params, records.allocations))

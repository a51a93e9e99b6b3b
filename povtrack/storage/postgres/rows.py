"""povtrack's records as rows of its PostgreSQL tables and back (``postgres.schema``), the
meta a database is recognised by, and how ``storage.window`` asks the server. Pure conversions
and one read; nothing here writes.
"""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING, Any

from povtrack.errors import DatabaseError
from povtrack.i18n import tr
from povtrack.model import Entry
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.connection import errors
from povtrack.storage.postgres.schema import ENTRY_COLUMNS, NAME, SCHEMA, value_of, value_param

if TYPE_CHECKING:
    import psycopg

    from povtrack.storage.tail import Columns
    from povtrack.storage.window import Dialect


def read_meta(conn: psycopg.Connection[Any], url: PgUrl) -> dict[str, Any]:
    """The database's meta; a database without povtrack's schema, or of a newer schema, is
    refused (exit 4)."""
    with errors(url):
        row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (f"{NAME}.meta",)).fetchone()
        if not (row and row[0]):
            raise DatabaseError(
                tr(
                    f"{url}：这里没有 povtrack 数据库；请用 'povtrack init' 新建（或设置 --db）",
                    f"{url}: no povtrack database here; create one with 'povtrack init' "
                    "(or set --db)",
                )
            )
        rows = conn.execute(f"SELECT key, value FROM {NAME}.meta").fetchall()
    try:
        meta = {key: json.loads(value) for key, value in rows}
    except ValueError:
        raise DatabaseError(
            tr(f"{url}：meta 不是 JSON", f"{url}: the meta table is not JSON")
        ) from None
    schema = meta.get("schema")
    if not isinstance(schema, int) or schema > SCHEMA or "plan_text" not in meta:
        raise DatabaseError(
            tr(
                f"{url}：povtrack 数据库格式 {schema!r} 无法识别（本 povtrack 为 {SCHEMA}）",
                f"{url}: povtrack schema {schema!r} not understood (this povtrack: {SCHEMA})",
            )
        )
    return meta


def entry_of(row: tuple[Any, ...]) -> Entry:
    i, ind, area, day, v, n, s, r, b, bt, c, why, behalf = row
    return Entry(i, ind, area, day, v, n, s, r, b, bt, c, why or "", behalf)


def entry_params(rec: dict[str, Any]) -> tuple[Any, ...]:
    """An entry record (``Records.entries``) as the parameters of ``INSERT_ENTRY``."""
    corrects = rec.get("corrects")
    return (
        rec["id"],
        rec["indicator"],
        rec["area"],
        rec["date"],
        value_param(rec["value"]),
        rec.get("note", ""),
        rec.get("source", ""),
        rec.get("recorded_at", ""),
        rec.get("by", ""),
        rec.get("batch", ""),
        corrects,
        None if corrects is None else rec.get("reason", ""),
        rec.get("on_behalf_of"),
    )


def allocation_params(rec: dict[str, Any]) -> tuple[Any, ...]:
    """An allocation record as the parameters of ``INSERT_ALLOCATION``."""
    text = ("note", "source", "recorded_at", "by")
    return (
        rec["indicator"],
        rec["area"],
        value_param(rec["value"]),
        rec.get("due"),
        *(rec.get(k, "") for k in text),
    )


def unpacked(texts: tuple[Any, ...]) -> Columns:
    """A tail read packed (``tail.packed``) as its rows: the values as NUMERIC text reads
    (``value_of``), whole numbers all at once."""
    days, values, ids = texts
    if "." in values or "e" in values or "E" in values:
        numbers = tuple(map(value_of, values.split(" ")))
    else:
        numbers = tuple(map(int, values.split(" ")))
    return tuple(days.split(" ")), numbers, tuple(map(int, ids.split(" ")))


@functools.cache  # one per process: it never changes
def dialect() -> Dialect:
    """How ``storage.window`` asks a PostgreSQL database: the series and their running
    figures from ``series`` (``schema``), NUMERIC sums read as exact decimal text."""
    from datetime import date
    from decimal import Decimal

    from povtrack.exact import exact
    from povtrack.storage import tail, window

    def total(columns: tuple[Any, ...]) -> tuple[Any, bool]:
        (text,) = columns
        if "." not in text:  # a sum of whole numbers (NUMERIC shows no exponent)
            return int(text), True
        return exact(Decimal(text)), True

    return window.Dialect(
        entries=f"{NAME}.entries",
        batches=f"{NAME}.batches",
        series=f"SELECT indicator, area, newest FROM {NAME}.series",
        mark="%s",
        lowest="'-infinity'::date",
        materialized="MATERIALIZED",
        day=lambda d: d,
        text=date.isoformat,
        sums="sum(e.value)::text",
        exact_total=total,
        totals=(  # dates as ISO text, as SQLite has them; the tail packed (``tail.packed``)
            "SELECT indicator, area, newest::text, n_rows, repeats, total::text, "
            + ", ".join(map(tail.packed, tail.PARTS))
            + f" FROM {NAME}.series"
        ),
        sum_columns=1,
        tail=unpacked,
        columns=", ".join(f"e.{c.strip()}" for c in ENTRY_COLUMNS.split(",")),
        entry=entry_of,
    )

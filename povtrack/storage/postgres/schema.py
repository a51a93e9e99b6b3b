"""povtrack's tables on PostgreSQL, made by ``init`` (or ``db migrate --to postgresql://...``)
in a schema of their own, ``povtrack``, so the database may hold other things beside them.

The layout follows the SQLite file's (``sqlite.file``): ``meta`` (key -> JSON text), and the
three append-only tables ``entries``, ``batches`` and ``allocations``. Differences, and why:

* values are ``NUMERIC``, never floating point: an int is stored as written, a decimal as the
  shortest text that reads back as the float it was given (``value_param``), and read back as
  an int when it has no fractional digits, else as that float (``NumericLoader``), so a value
  round-trips exactly and ``5200`` and ``13.0`` stay an int and a float as on the other
  backends;
* dates are ``date`` columns (the server checks them), shown as ISO text in the records;
* append-only is the server's business twice over: UPDATE, DELETE and TRUNCATE are revoked
  from everyone, the owner included, and a trigger refuses them anyway (an owner can grant
  itself the privilege back; the trigger must then be dropped too, which ``db verify`` sees).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

SCHEMA = 1  # the layout's version, kept in meta as "schema"
NAME = "povtrack"  # the PostgreSQL schema that holds the tables
APPEND_ONLY = ("entries", "allocations", "batches")
TABLES = ("meta", *APPEND_ONLY)
LARGEST = "1e308"  # as on SQLite: below the largest finite double

_NUMBER = "{c} >= 0 AND {c} < " + LARGEST

DDL = [
    f"CREATE SCHEMA {NAME}",
    f"CREATE TABLE {NAME}.meta (key text PRIMARY KEY, value text NOT NULL)",
    f"""CREATE TABLE {NAME}.entries (
        id bigint PRIMARY KEY CHECK (id > 0),
        indicator text NOT NULL,
        area text NOT NULL,
        date date NOT NULL,
        value numeric NOT NULL CHECK ({_NUMBER.format(c="value")}),
        note text NOT NULL DEFAULT '',
        source text NOT NULL DEFAULT '',
        recorded_at text NOT NULL DEFAULT '',
        "by" text NOT NULL DEFAULT '',
        batch text NOT NULL DEFAULT '',
        corrects bigint,
        reason text
    )""",
    f"CREATE INDEX entries_series ON {NAME}.entries (indicator, area)",
    f"CREATE INDEX entries_batch ON {NAME}.entries (batch)",
    f"CREATE INDEX entries_corrections ON {NAME}.entries (corrects) WHERE corrects IS NOT NULL",
    f"""CREATE TABLE {NAME}.batches (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        id text NOT NULL UNIQUE,
        kind text NOT NULL,
        "by" text,
        at text,
        files text,
        reverts text,
        reason text,
        extra text NOT NULL DEFAULT '{{}}'
    )""",
    f"""CREATE TABLE {NAME}.allocations (
        seq bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        indicator text NOT NULL,
        area text NOT NULL,
        value numeric NOT NULL CHECK ({_NUMBER.format(c="value")}),
        due date,
        note text NOT NULL DEFAULT '',
        source text NOT NULL DEFAULT '',
        recorded_at text NOT NULL DEFAULT '',
        "by" text NOT NULL DEFAULT ''
    )""",
    f"""CREATE FUNCTION {NAME}.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'povtrack: % are append-only, never changed or removed', TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$""",
    *(
        f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {NAME}.{t} "
        f"FOR EACH ROW EXECUTE FUNCTION {NAME}.append_only()"
        for t in APPEND_ONLY
    ),
    *(
        f"CREATE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {NAME}.{t} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {NAME}.append_only()"
        for t in APPEND_ONLY
    ),
    f"REVOKE ALL ON ALL TABLES IN SCHEMA {NAME} FROM PUBLIC",
    *(
        f"REVOKE UPDATE, DELETE, TRUNCATE ON {NAME}.{t} FROM PUBLIC, CURRENT_USER"
        for t in APPEND_ONLY
    ),
]

# What db verify expects to find: the triggers by table
TRIGGERS = {(t, name) for t in APPEND_ONLY for name in (f"{t}_append_only", f"{t}_no_truncate")}

ENTRY_COLUMNS = (
    'id, indicator, area, date, value, note, source, recorded_at, "by", batch, corrects, reason'
)
BATCH_COLUMNS = 'id, kind, "by", at, files, reverts, reason, extra'
ALLOCATION_COLUMNS = 'indicator, area, value, due, note, source, recorded_at, "by"'
INSERT_ENTRY = f"INSERT INTO {NAME}.entries ({ENTRY_COLUMNS}) VALUES ({', '.join(['%s'] * 12)})"
INSERT_BATCH = f"INSERT INTO {NAME}.batches ({BATCH_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})"
INSERT_ALLOCATION = (
    f"INSERT INTO {NAME}.allocations ({ALLOCATION_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})"
)


def value_param(value: Any) -> Any:
    """A value as the NUMERIC it is stored as: an int as is, a float as the shortest decimal
    that reads back as it (what was typed; never the binary expansion, never 15 digits)."""
    if isinstance(value, float):
        return Decimal(repr(value))
    return value


def value_of(text: str) -> int | float:
    """A NUMERIC's text as the value it was given: an int without a decimal point, else the
    float whose shortest form this is."""
    if "." in text or "e" in text or "E" in text:
        return float(text)
    return int(text)

"""povtrack's SQLite schema as every file must hold it, and what a file's schema has added,
dropped or altered.

The schema is never written out twice: ``canonical`` runs the very statements a new database
is made with (``sqlite.file.create_schema``) on an empty in-memory database and reads back
what SQLite keeps in its ``sqlite_master`` table: each table, index (the one SQLite makes for
a UNIQUE column included), trigger and view, by type and name, with its SQL text. A file's
``sqlite_master`` is compared with that, the SQL with runs of whitespace made one space (so
only a change of meaning shows). Anything else, a trigger added (one that changes each value
written, say), a trigger dropped (the append-only guard), an index or a table altered, a view
added, is a change made outside povtrack.

Only what the file keeps counts: a ``TEMP`` trigger or view lives in the connection that made it and
never reaches the file, and SQLite's settings per connection (``recursive_triggers``,
``foreign_keys``) are povtrack's own on its connections. For users: docs/storage.md, "SQLite: a
schema changed by hand".
"""

from __future__ import annotations

import functools
import sqlite3

from povtrack.i18n import tr
from povtrack.storage.sqlite.file import SCHEMA, create_schema

# (type, name) -> SQL with its whitespace made single spaces (None for SQLite's own indexes)
Schema = dict[tuple[str, str], str | None]


@functools.cache
def canonical(version: int = SCHEMA) -> Schema:
    """What ``create_schema`` makes in layout ``version``, read back from SQLite, in the
    order it was made."""
    conn = sqlite3.connect(":memory:")
    try:
        create_schema(conn, version)
        return read(conn)
    finally:
        conn.close()


def read(conn: sqlite3.Connection) -> Schema:
    """A database's schema, in ``sqlite_master`` order."""
    sql = "SELECT type, name, sql FROM main.sqlite_master ORDER BY rowid"
    return {(kind, name): _normal(text) for kind, name, text in conn.execute(sql)}


def _normal(sql: str | None) -> str | None:
    return None if sql is None else " ".join(sql.split())


def changes(conn: sqlite3.Connection, version: int = SCHEMA) -> tuple[list[str], bool]:
    """Each way this database's schema differs from povtrack's: what is missing or altered
    (in povtrack's order), then what was added (in the file's); and whether one of
    povtrack's tables is missing or altered (its records then cannot be read as povtrack's,
    where a changed trigger, index or view leaves them readable)."""
    found, wanted = read(conn), canonical(version)
    out: list[str] = []
    tables = False
    for (kind, name), sql in wanted.items():
        if (kind, name) not in found:
            out.append(
                tr(
                    f"{_changed()}：缺少 {kind} {name}",
                    f"{_changed()}: {kind} {name} is missing",
                )
            )
        elif found[(kind, name)] != sql:
            out.append(
                tr(
                    f"{_changed()}：{kind} {name} 与 povtrack 的不同",
                    f"{_changed()}: {kind} {name} differs from povtrack's",
                )
            )
        else:
            continue
        tables = tables or kind == "table"
    out += [
        tr(f"{_changed()}：增加了 {kind} {name}", f"{_changed()}: {kind} {name} was added")
        for kind, name in found
        if (kind, name) not in wanted
    ]
    return out, tables


def _changed() -> str:
    return tr("数据库结构在 povtrack 之外被改动", "schema changed outside povtrack")

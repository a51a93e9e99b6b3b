"""``db verify`` on a PostgreSQL database: povtrack's tables, their append-only and author
triggers, revoked privileges, row-level security and its policies are there, the meta and plan
read, and every record is sound and refers to what exists. The server already checks each
value and date on every write (``schema``); this is the full scan that the other backends make too.
Backups and restore of a server's database: ``postgres.backup``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from povtrack.errors import DatabaseError
from povtrack.i18n import tr
from povtrack.planstore import doc_problem
from povtrack.storage import tail
from povtrack.storage.backups import Verdict
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.connection import errors
from povtrack.storage.postgres.schema import (
    GUARDED,
    NAME,
    POLICIES,
    TABLES,
    TRIGGERS,
    WORKED_OUT,
)


def verify(url: PgUrl) -> Verdict:
    """Every problem found, not just the first."""
    from povtrack.storage.postgres.backend import PgBackend

    verdict = Verdict(str(url))
    try:
        store = PgBackend.open(url)
    except DatabaseError as exc:
        verdict.problems.append(exc.message)
        return verdict
    try:
        conn = store._require()
        with errors(url):
            problems = schema_problems(conn) + record_problems(conn)
            plan = doc_problem(store.meta, tr(f"{url}（方案）", f"{url} (plan)"))
            problems += [plan] if plan else []
            counts = {  # counted, not as the meta says
                t: conn.execute(f"SELECT count(*) FROM {NAME}.{t}").fetchall()[0][0]
                for t in ("entries", "allocations", "batches")
            }
    except DatabaseError as exc:
        verdict.problems.append(exc.message)
        return verdict
    finally:
        store.close()
    verdict.schema = store.meta.get("schema")
    verdict.generation = store.generation
    verdict.entries = counts["entries"]
    verdict.allocations = counts["allocations"]
    verdict.batches = counts["batches"]
    verdict.problems += [f"{url}: {p}" for p in problems]
    return verdict


def _changed() -> str:
    return tr("数据库结构在 povtrack 之外被改动", "schema changed outside povtrack")


def schema_problems(conn: Any) -> list[str]:
    """povtrack's tables and triggers present and enabled; nobody granted UPDATE, DELETE or
    TRUNCATE on an append-only table."""
    out = []
    tables = {
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (NAME,)
        ).fetchall()
    }
    out += [
        tr(f"{_changed()}：缺少表 {t}", f"{_changed()}: table {t} is missing")
        for t in TABLES
        if t not in tables
    ]
    found = {
        (table, name)
        for table, name in conn.execute(
            "SELECT c.relname, t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND NOT t.tgisinternal AND t.tgenabled <> 'D'",
            (NAME,),
        ).fetchall()
    }
    out += [
        tr(
            f"{_changed()}：表 {t} 缺少（或停用了）触发器 {name}",
            f"{_changed()}: trigger {name} on {t} is missing or disabled",
        )
        for t, name in sorted(TRIGGERS - found)
    ]
    out += policy_problems(conn, tables)
    granted = conn.execute(
        "SELECT table_name, grantee, privilege_type FROM information_schema.table_privileges "
        "WHERE table_schema = %s AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') "
        "ORDER BY 1, 2, 3",
        (NAME,),
    ).fetchall()
    out += [
        tr(
            f"{_changed()}：{who} 可以对只增不改的表 {t} 执行 {what}",
            f"{_changed()}: {who} may {what} on the append-only table {t}",
        )
        for t, who, what in granted
        if t in GUARDED
    ]
    return out


def policy_problems(conn: Any, tables: set[str]) -> list[str]:
    """Row-level security on for each of povtrack's tables, and povtrack's policies there (what
    each office may write: ``postgres.users``)."""
    off = [
        row[0]
        for row in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = %s AND c.relkind = 'r' AND NOT c.relrowsecurity ORDER BY 1",
            (NAME,),
        ).fetchall()
    ]
    out = [
        tr(
            f"{_changed()}：表 {t} 的行级安全已关闭",
            f"{_changed()}: row-level security is off on {t}",
        )
        for t in off
        if t in TABLES
    ]
    found = {
        (table, name)
        for table, name in conn.execute(
            "SELECT tablename, policyname FROM pg_policies WHERE schemaname = %s", (NAME,)
        ).fetchall()
    }
    out += [
        tr(
            f"{_changed()}：表 {t} 缺少策略 {name}",
            f"{_changed()}: policy {name} on {t} is missing",
        )
        for t, name in sorted(POLICIES - found)
        if t in tables
    ]
    return out


def record_problems(conn: Any) -> list[str]:
    """Corrections of entries that do not exist, entries of batches that do not exist, and
    repeated batch ids (the schema's constraints check the rest)."""
    out = []
    for entry_id, target in conn.execute(
        f"SELECT e.id, e.corrects FROM {NAME}.entries e WHERE e.corrects IS NOT NULL "
        f"AND NOT EXISTS (SELECT 1 FROM {NAME}.entries t WHERE t.id = e.corrects "
        "AND t.id < e.id) ORDER BY e.id"
    ).fetchall():
        out.append(
            tr(
                f"记录 #{entry_id} 更正的 #{target} 不是它之前的记录",
                f"entry #{entry_id} corrects #{target}, which is not an earlier entry",
            )
        )
    for batch, count in conn.execute(
        f"SELECT e.batch, count(*) FROM {NAME}.entries e WHERE e.batch <> '' AND NOT EXISTS "
        f"(SELECT 1 FROM {NAME}.batches b WHERE b.id = e.batch) GROUP BY e.batch ORDER BY 1"
    ).fetchall():
        out.append(
            tr(
                f"{count} 条记录属于不存在的批次 {batch}",
                f"{count} entries belong to batch {batch}, which does not exist",
            )
        )
    # the sums compared as exact decimals; the tails' values as read (``NumericLoader``)
    figures = f"indicator, area, n_rows, repeats, total::text, newest, {', '.join(tail.COLUMNS)}"
    kept = {
        (ind, area): (n, repeats, Decimal(total), *rest)
        for ind, area, n, repeats, total, *rest in conn.execute(
            f"SELECT {figures} FROM {NAME}.series"
        ).fetchall()
    }
    for ind, area, n, repeats, total, *rest in conn.execute(
        f"SELECT {figures} FROM ({WORKED_OUT}) w ORDER BY 1, 2"
    ).fetchall():
        had = kept.pop((ind, area), None)
        if had != (n, repeats, Decimal(total), *rest):
            out.append(
                tr(
                    f"series：{ind} {area} 的汇总与其记录不符",
                    f"series: the running figures of {ind} {area} differ from its entries",
                )
            )
    out += [
        tr(f"series：{ind} {area} 没有记录", f"series: {ind} {area} has no entries")
        for ind, area in sorted(kept)
    ]
    return out

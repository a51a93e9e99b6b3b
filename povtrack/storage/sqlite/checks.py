"""What a povtrack SQLite file must be before anything trusts it: povtrack's, a layout this
povtrack knows, a plan that parses, sound records.

Runs on every open (``sqlite.opening``, ``sqlite.backend``), so it reads with SQL what it needs and
no more: the (indicator, area) pairs in use and the counts from one pass over the index, the values
(a number ≥ 0) in one pass over the rows, each distinct date once; only a row that fails is looked
at in Python, to say what is wrong. The CHECK constraints of the tables keep all of this true for
every row povtrack or any other program writes, short of a hand edit that switches them off.
``db verify`` (``sqlite.maintenance``) tests every row whole (field types too) and the references
between records, and lists every problem.
"""

from __future__ import annotations

import datetime
import json
import math
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from povtrack import __version__, loops
from povtrack.errors import DatabaseError, UsageError
from povtrack.i18n import tr
from povtrack.model import Plan
from povtrack.planstore import doc_problem, stored_plan
from povtrack.storage import safefile
from povtrack.storage.sqlite import schema as sqliteschema
from povtrack.storage.sqlite.file import (
    APPEND_ONLY,
    APPLICATION_ID,
    BATCH_COLUMNS,
    DAY,
    NUMBER,
    SCHEMA,
    batch_doc,
    sql_errors,
)

_TEXT = " AND ".join(
    f"typeof({c}) = 'text'"
    for c in ("indicator", "area", "note", "source", "recorded_at", '"by"', "batch")
)
_DAY_TEXT = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# What a sound row is; a row that is not is named by ``record_problems``.
ENTRY_OK = (
    f"{NUMBER.format(c='value')} AND {DAY.format(c='date')} AND {_TEXT} "
    "AND typeof(corrects) IN ('null', 'integer') AND typeof(reason) IN ('null', 'text')"
)
ALLOCATION_OK = (
    f"{NUMBER.format(c='value')} AND (due IS NULL OR {DAY.format(c='due')}) "
    "AND typeof(indicator) = 'text' AND typeof(area) = 'text' AND typeof(note) = 'text'"
)


@dataclass
class Checked:
    """A database that passed the checks on open: its meta, plan and record counts."""

    meta: dict[str, Any]
    plan: Plan
    counts: dict[str, int]
    schema: int


def refuse_empty(path: Path) -> None:
    """An empty file would open as a new, empty SQLite database: never use one (call it before
    connecting)."""
    try:
        empty = os.stat(safefile.real_path(path)).st_size == 0
    except OSError as exc:
        raise DatabaseError(
            tr(
                f"{path}：无法读取数据库：{exc.strerror}",
                f"{path}: cannot read the database: {exc.strerror}",
            )
        ) from None
    if empty:
        raise DatabaseError(
            tr(
                f"{path}：数据库文件是空的（0 字节）；不会把它当作新数据库",
                f"{path}: the database file is empty (0 bytes); "
                "refusing to treat it as a new database",
            )
        )


def check(
    conn: sqlite3.Connection, path: Path, *, every: bool = False
) -> tuple[Checked, list[str]]:
    """Check an open database; raises DatabaseError when it is not usable at all (not
    povtrack's, newer, no plan) and returns the problems of its records: the first one only,
    unless ``every`` (``db verify``). Runs inside the caller's transaction."""
    with sql_errors(path):
        return _check(conn, str(path), every=every)


def _check(conn: sqlite3.Connection, where: str, *, every: bool) -> tuple[Checked, list[str]]:
    app_id = conn.execute("PRAGMA application_id").fetchone()[0]
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    if app_id != APPLICATION_ID:
        raise DatabaseError(
            tr(
                f"{where}：不是 povtrack 数据库（是其他程序建立的 SQLite 文件，"
                f"application id {app_id}）",
                f"{where}: not a povtrack database (a SQLite file made by another program, "
                f"application id {app_id})",
            )
        )
    if version > SCHEMA:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        meta = read_meta(conn, where) if "meta" in tables else {}
        by = meta.get("written_by", "?")
        raise DatabaseError(
            tr(
                f"{where}：由更新版本的 povtrack 写入（{by}，SQLite 布局版本 {version}）；本程序是 "
                f"povtrack {__version__}（布局版本 {SCHEMA}）：请升级 povtrack；数据库未改动",
                f"{where}: written by a newer povtrack ({by}, SQLite "
                f"layout {version}); this is povtrack {__version__} (layout {SCHEMA}): upgrade "
                "povtrack; the database was not changed",
            )
        )
    if version < 1:
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：未知的布局版本 {version}",
                f"{where}: corrupt database: layout {version} is unknown",
            )
        )
    # before any record is read: a table altered (or replaced by a view) would change what
    # is read, a foreign trigger what is written
    problems, tables_changed = sqliteschema.changes(conn, version)
    if problems and (tables_changed or not every):
        raise SchemaChanged(where, problems)
    meta = read_meta(conn, where)
    if not isinstance(meta.get("plan_text"), str):
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：缺少 meta 'plan_text'",
                f"{where}: corrupt database: meta 'plan_text' is missing",
            )
        )
    generation = meta.get("generation", 0)
    if not isinstance(generation, int) or isinstance(generation, bool) or generation < 0:
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：meta 'generation' 应为计数",
                f"{where}: corrupt database: meta 'generation' must be a count",
            )
        )
    try:
        plan = stored_plan(meta, tr(f"{where}（保存的方案）", f"{where} (stored plan)"))
    except UsageError as exc:
        raise DatabaseError(
            tr(
                f"{where}：数据库已损坏：保存的方案无法读取：{exc}",
                f"{where}: corrupt database: stored plan unreadable: {exc}",
            )
        ) from None
    # Layout 2 (``sqlite.file``): the engine's constraints and triggers hold every record
    # to the rules as it is written, so an open reads the series and the meta, not the
    # entries; the walk of every entry is ``db verify``'s (``every``)
    quick = version >= 2 and not every
    counts, named = _counts_and_names(conn, plan, quick=quick)
    problems += named
    for table in APPEND_ONLY:
        recorded = meta.get(f"{table}_count")
        if isinstance(recorded, int) and counts[table] < recorded:
            problems.append(
                tr(
                    f"{table}：现有 {counts[table]} 条，但上次提交写入了 {recorded} 条"
                    "（有记录在 povtrack 之外被删除？）",
                    f"{table}: {counts[table]} records, but the last commit wrote {recorded} "
                    "(records removed outside povtrack?)",
                )
            )
    if every or not problems:
        problems += record_problems(conn, every=every, quick=quick)
    if every or not problems:
        problems += loop_problems(conn)
    if every and version >= 2:
        from povtrack.storage.sqlite.series import series_problems

        problems += series_problems(conn)
    if every and (wrong := doc_problem(meta, where)):
        problems.append(wrong)
    return Checked(meta, plan, counts, version), problems


class SchemaChanged(DatabaseError):
    """The file's schema is not povtrack's (``sqlite.schema``): refused before any record is
    read; ``problems`` says every change, the message the first."""

    def __init__(self, where: str, problems: list[str]) -> None:
        n = len(problems) - 1
        more = tr(
            f"（另有{n}处；见 'povtrack db verify'）", f" (and {n} more; see 'povtrack db verify')"
        )
        more = more if problems[1:] else ""
        super().__init__(tr(f"{where}：{problems[0]}{more}", f"{where}: {problems[0]}{more}"))
        self.problems = problems


def read_meta(conn: sqlite3.Connection, where: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    for key, value in conn.execute("SELECT key, value FROM meta"):
        try:
            meta[key] = json.loads(value)
        except (TypeError, ValueError):
            raise DatabaseError(
                tr(
                    f"{where}：数据库已损坏：meta '{key}' 不是 JSON",
                    f"{where}: corrupt database: meta '{key}' is not JSON",
                )
            ) from None
    return meta


def _counts_and_names(
    conn: sqlite3.Connection, plan: Plan, *, quick: bool = False
) -> tuple[dict[str, int], list[str]]:
    """Records per table, and every (indicator, area) the plan does not have: one pass over
    the (indicator, area) index, and one over the few allocations. ``quick`` (a layout-2
    file opened for a command): the entries are not walked: their series come from the
    ``series`` table (the walk, and the messages naming entries, only when a series is not
    in the plan)."""
    counts = {"entries": 0, "allocations": 0}
    problems: list[str] = []
    walk = True
    if quick:
        series = conn.execute("SELECT indicator, area FROM series").fetchall()
        walk = not all(i in plan.indicators_by_id and a in plan.areas_by_id for i, a in series)
        if not walk:
            counts["entries"] = conn.execute("SELECT count(*) FROM entries").fetchone()[0]
    for table in ("entries", "allocations") if walk else ("allocations",):
        order = "id" if table == "entries" else "seq"
        sql = f"SELECT indicator, area, count(*), min({order}) FROM {table} GROUP BY 1, 2"
        for indicator, area, n, first in conn.execute(sql):
            counts[table] += n
            what = tr("记录", "entry") if table == "entries" else tr("分解任务", "allocation")
            more = tr(f"及另外{n - 1}条", f" and {n - 1} more") if n > 1 else ""
            if indicator not in plan.indicators_by_id:
                problems.append(
                    tr(
                        f"{table}：方案中没有指标“{indicator}”（{what} {first}{more}）",
                        f"{table}: indicator '{indicator}' is not in the plan "
                        f"({what} {first}{more})",
                    )
                )
            if area not in plan.areas_by_id:
                problems.append(
                    tr(
                        f"{table}：方案中没有地区“{area}”（{what} {first}{more}）",
                        f"{table}: area '{area}' is not in the plan ({what} {first}{more})",
                    )
                )
    counts["batches"] = conn.execute("SELECT count(*) FROM batches").fetchone()[0]
    return counts, problems


def record_problems(conn: sqlite3.Connection, *, every: bool, quick: bool = False) -> list[str]:
    """Rows that are not sound: values, dates and field types. For ``db verify`` (``every``)
    the whole test, row by row. On open, the first problem only, and the test in cheap parts:
    the values in SQL, each distinct date once; the text fields' types (kept by the columns'
    affinity, short of a BLOB written by hand) are left to ``db verify``. ``quick`` (a
    layout-2 file on open): only what the indexes answer, the ids."""
    sql = "SELECT id, date, value FROM entries WHERE NOT ({}) ORDER BY id"
    if quick:  # layout 2 on open: the CHECK constraints held each row as it was written
        bad = []
    elif every:
        bad = conn.execute(sql.format(ENTRY_OK)).fetchall()
    else:
        bad = conn.execute(sql.format(NUMBER.format(c="value")) + " LIMIT 1").fetchall()
        days = [d for (d,) in conn.execute("SELECT DISTINCT date FROM entries") if not is_day(d)]
        if days and not bad:
            sql = "SELECT id, date, value FROM entries WHERE date IS ? ORDER BY id LIMIT 1"
            bad = conn.execute(sql, (days[0],)).fetchall()
    problems = [bad_entry(entry_id, day, value) for entry_id, day, value in bad]
    # ids another SQLite program may have written: an entry id, and what a correction names,
    # are whole numbers ≥ 1 (the JSON file refuses anything else)
    # (two queries, each on an index: the rowid, and the partial index of corrections)
    for sql in (
        "SELECT id, corrects FROM entries WHERE id < 1 ORDER BY id",
        "SELECT id, corrects FROM entries WHERE corrects IS NOT NULL AND corrects < 1 ORDER BY id",
    ):
        problems += [
            _not_an_id(entry_id, target)
            for entry_id, target in conn.execute(sql if every else sql + " LIMIT 1")
        ]
    sql = f"SELECT seq, due, value FROM allocations WHERE NOT ({ALLOCATION_OK}) ORDER BY seq"
    for seq, due, value in conn.execute(sql if every else sql + " LIMIT 1"):
        problems.append(
            tr(
                f"分解任务 {seq}：{_why(due, value, 'due')}",
                f"allocation {seq}: {_why(due, value, 'due')}",
            )
        )
    return problems


def bad_entry(entry_id: int, day: Any, value: Any) -> str:
    """What is wrong with an entry whose value or date is not sound."""
    return tr(
        f"第{entry_id}条记录：{_why(day, value)}（数值应为 ≥ 0 的数字，日期为 YYYY-MM-DD，"
        "其他字段为文本）",
        f"entry {entry_id}: {_why(day, value)} (values are numbers ≥ 0, dates YYYY-MM-DD, "
        "other fields text)",
    )


def _not_an_id(entry_id: int, target: Any) -> str:
    if entry_id < 1:
        return tr(
            f"第{entry_id}条记录：id {entry_id} 不是记录编号（≥ 1 的整数）",
            f"entry {entry_id}: id {entry_id} is not an entry id (a whole number ≥ 1)",
        )
    return tr(
        f"第{entry_id}条记录：corrects {target} 不是记录编号（≥ 1 的整数）",
        f"entry {entry_id}: corrects {target} is not an entry id (a whole number ≥ 1)",
    )


def is_day(text: Any) -> bool:
    """A real date written YYYY-MM-DD (as the CHECK constraint of the date columns has it)."""
    if not isinstance(text, str) or not _DAY_TEXT.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _why(day: Any, value: Any, name: str = "date") -> str:
    if type(value) not in (int, float) or not 0 <= value < math.inf:
        return tr(
            f"value 应为 ≥ 0 的数字，而不是 {value!r}", f"value must be a number ≥ 0, not {value!r}"
        )
    if (day is not None or name == "date") and not is_day(day):
        return tr(
            f"{name} 应为 YYYY-MM-DD 格式的日期，而不是 {day!r}",
            f"{name} must be a date YYYY-MM-DD, not {day!r}",
        )
    return tr("有字段类型不对", "a field has the wrong type")


def loop_problems(conn: sqlite3.Connection) -> list[str]:
    """Corrections and undos that do not name an earlier record (``loops``): on every open,
    from the few corrections (a partial index) and the batches."""
    problems: list[str] = []
    sql = "SELECT {} FROM entries WHERE corrects IS NOT NULL AND typeof(corrects) = 'integer'"
    if conn.execute(sql.format("count(*)") + " AND corrects >= id").fetchone()[0]:
        corrections = dict(conn.execute(sql.format("id, corrects")))
        later = [t for i, t in corrections.items() if t > i]
        ids = set(corrections)
        for n in range(0, len(later), 500):
            chunk = later[n : n + 500]
            marks = ", ".join("?" * len(chunk))
            ids.update(
                i for (i,) in conn.execute(f"SELECT id FROM entries WHERE id IN ({marks})", chunk)
            )
        problems += [
            tr(f"第{entry_id}条记录：{what}", f"entry {entry_id}: {what}")
            for entry_id, what in loops.bad_corrections(corrections, ids.__contains__)
        ]
    order = {b: seq for seq, b in conn.execute("SELECT seq, id FROM batches")}
    undos = dict(
        conn.execute(
            "SELECT id, reverts FROM batches WHERE kind = 'undo' AND typeof(reverts) = 'text' "
            "AND reverts != ''"
        )
    )
    problems += [
        tr(f"批次 {b}：{what}", f"batch {b}: {what}") for b, what in loops.bad_undos(undos, order)
    ]
    return problems


def reference_problems(conn: sqlite3.Connection) -> list[str]:
    """Entries name batches and entries that exist, an undo names a batch, batches' files are
    JSON lists (for ``db verify``; opening does not need it)."""
    problems = [
        tr(
            f"第{i}条记录：批次“{b}”不是已记录的批次",
            f"entry {i}: batch '{b}' is not a recorded batch",
        )
        for i, b in conn.execute(
            "SELECT id, batch FROM entries WHERE batch != '' "
            "AND batch NOT IN (SELECT id FROM batches) ORDER BY id"
        )
    ]
    problems += [
        tr(
            f"第{i}条记录：更正的第{c}条记录不存在",
            f"entry {i}: corrects entry {c}, which does not exist",
        )
        for i, c in conn.execute(
            "SELECT id, corrects FROM entries WHERE corrects IS NOT NULL "
            "AND corrects NOT IN (SELECT id FROM entries) ORDER BY id"
        )
    ]
    problems += [
        tr(
            f"批次 {b}：撤销的“{r}”不是已记录的批次",
            f"batch {b}: reverts '{r}', which is not a recorded batch",
        )
        for b, r in conn.execute(
            "SELECT id, reverts FROM batches WHERE reverts IS NOT NULL "
            "AND reverts NOT IN (SELECT id FROM batches) ORDER BY seq"
        )
    ]
    for row in conn.execute(f"SELECT {BATCH_COLUMNS} FROM batches ORDER BY seq"):
        try:
            batch_doc(row)
        except DatabaseError as exc:
            problems.append(exc.message)
    return problems

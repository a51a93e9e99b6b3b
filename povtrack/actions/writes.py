"""What the write commands do (record, import, target set, the demo; correct and undo in
``actions.corrections``), between the command line and the database (``storage.Database``).

Each function validates everything first, then changes the store in memory; the caller commits
once. Nothing here prints. For users: docs/commands.md.
"""

from __future__ import annotations

import csv
import getpass
import io
import os
from bisect import bisect_left
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

from povtrack.analysis.meaning import (
    Slip,
    Standing,
    allocation_slip,
    allocation_standing,
    value_slip,
    value_standing,
)
from povtrack.dates import check_in_window
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.jsonable import num
from povtrack.ledger import Ledger, files_in_force
from povtrack.model import Allocation, Entry, Indicator, Plan
from povtrack.names import reportable, resolve_area, resolve_indicator
from povtrack.returns import reading
from povtrack.returns.cells import note_text, parse_value
from povtrack.returns.reader import read_returns
from povtrack.storage import Database
from povtrack.storage.base import AlreadyImported, Backend


def readable(text: str, what: str) -> str:
    """Text to be stored must be real Unicode. Bytes that were not UTF-8 reach Python as
    lone surrogates (a note typed in a GBK terminal, a script saved as GBK): refuse them here
    rather than fail at the commit."""
    bad = next((ch for ch in text if "\udc80" <= ch <= "\udcff"), None)
    if bad is not None:
        byte = f"0x{ord(bad) - 0xDC00:02x}"
        raise UsageError(
            tr(
                f"{what} 不是有效的 UTF-8 文本（字节 {byte}）；请把终端或脚本设为 UTF-8",
                f"{what} is not valid UTF-8 text (byte {byte}); "
                "set the terminal or the script to UTF-8",
            )
        )
    return text


def current_user(by: str | None = None) -> str:
    """Who is recording: --by, else POVTRACK_USER, else the login name."""
    from povtrack.textsafe import refuse_controls

    if by:
        return refuse_controls(readable(by, "--by"), "--by")
    if os.environ.get("POVTRACK_USER"):
        user = readable(os.environ["POVTRACK_USER"], "POVTRACK_USER")
        return refuse_controls(user, "POVTRACK_USER")
    try:
        return readable(getpass.getuser(), tr("登录名", "the login name"))
    except (KeyError, OSError):
        return "unknown"


@dataclass(frozen=True)
class RunWarning:
    """Something accepted but worth a look, as stderr says it (``message``) and as
    ``--json`` carries it: ``kind`` and ``message``, and the fields of its kind."""

    kind: str  # "running-total-down", or "database" (the store's own: a stale temp file ...)
    message: str
    fields: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message} | self.fields


def database_warnings(messages: Iterable[str]) -> list[RunWarning]:
    """The store's own warnings (``Backend.warnings``) as a run's warnings."""
    return [RunWarning("database", m) for m in messages]


@dataclass
class ImportResult:
    batch: str | None = None
    added: int = 0
    unchanged: int = 0
    files: list[str] = field(default_factory=list)
    already: list[str] = field(default_factory=list)  # "FILE (already imported: batch b3, …)"
    already_when: list[str] = field(default_factory=list)  # "batch b3, 2018-…", for each
    encodings: dict[str, str] = field(default_factory=dict)
    per_file: list[dict[str, Any]] = field(default_factory=list)  # for --json
    # how each file of per_file was read (returns.reading): its JSON fields, given with
    # --dry-run; the lines saying it for every file read, and for those read otherwise than
    # as the plain English long header on the first row
    readings: list[dict[str, Any]] = field(default_factory=list)
    read_lines: list[str] = field(default_factory=list)
    read_notes: list[str] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)  # what the entries change
    warnings: list[RunWarning] = field(default_factory=list)  # accepted, but worth a look

    def as_json(self, *, dry_run: bool = False, database: Iterable[str] = ()) -> dict[str, Any]:
        """``database``: the store's own warnings of the run, carried after the rows'."""
        out = {
            "batch": self.batch,
            "added": self.added,
            "unchanged": self.unchanged,
            "files": self.per_file,
            "warnings": [w.as_json() for w in [*self.warnings, *database_warnings(database)]],
        }
        if dry_run:
            out["files"] = [
                report | how for report, how in zip(self.per_file, self.readings, strict=True)
            ]
            out |= {"dry_run": True, "changes": self.changes}
        return out


def import_returns(
    store: Backend,
    paths: list[Path],
    *,
    by: str,
    encoding: str | None = None,
    base: Path | None = None,
    tick: Callable[[int], None] | None = None,
    reader: Callable[[Path], bytes] | None = None,
    layout: str | None = None,
    again: bool = False,
) -> ImportResult:
    """All files are one batch: any bad row in any file and nothing is imported.
    ``tick`` is called once per row read (for a progress bar); ``reader`` and ``layout``: see
    read_returns. When the database's own constraint finds a file imported meanwhile by
    another writer (``AlreadyImported``: nothing of this batch was kept), the import is done
    once more on what the database now holds (``again``), so it says "already imported"."""
    imported = files_in_force(store.batches())
    files, problems = read_returns(
        paths,
        store.plan,
        encoding=encoding,
        base=base,
        known=frozenset(imported),
        tick=tick,
        reader=reader,
        plan_digest=store.meta.get("plan_sha256"),
        layout=layout,
    )
    if problems:
        raise UsageError(
            tr(
                f"拒绝导入，未写入任何内容：共 {len(problems)} 处问题",
                f"import refused, nothing written: {len(problems)} problem(s)",
            ),
            details=problems,
        )
    result = ImportResult()
    ledger = store.series_ledger({(r["indicator"], r["area"]) for rf in files for r in rf.rows})
    rows = []
    batch_files: list[dict[str, Any]] = []
    for rf in files:
        result.encodings[rf.name] = rf.encoding
        earlier = imported.get(rf.sha256)
        report = {"file": rf.name, "encoding": rf.encoding or None, "rows": len(rf.rows)}
        result.per_file.append(report)
        if rf.header is None:  # not read: imported before
            result.readings.append(reading.empty_json())
        else:
            result.readings.append(reading.as_json(rf.header, rf.sheet))
            said = reading.lines(rf.name, rf.encoding, rf.header, rf.sheet)
            result.read_lines += said
            if not reading.plain(rf.header):
                result.read_notes += said
        first = next(
            (
                f
                for f in [*batch_files, *(earlier or {}).get("files", [])]
                if f["sha256"] == rf.sha256
            ),
            None,
        )
        if first is not None:  # say what the first import of this content read
            report |= {"encoding": first.get("encoding"), "rows": first.get("rows", 0)}
        if earlier is not None or rf.sha256 in {f["sha256"] for f in batch_files}:
            when = (
                tr(
                    f"批次 {earlier['id']}，{earlier['at']}",
                    f"batch {earlier['id']}, {earlier['at']}",
                )
                if earlier
                else tr(
                    "与本次导入的另一个文件内容相同",
                    "the same content as another file of this import",
                )
            )
            result.already.append(
                tr(f"{rf.name}（已导入过：{when}）", f"{rf.name} (already imported: {when})")
            )
            result.already_when.append(when)
            report |= {"status": "already", "earlier_batch": earlier["id"] if earlier else None}
            continue
        report["status"] = "imported"
        before = [ledger.value_on(r["indicator"], r["area"], r["date"]) for r in rf.rows]
        fresh = [r for r, was in zip(rf.rows, before, strict=True) if was != r["value"]]
        result.unchanged += len(rf.rows) - len(fresh)
        rows += fresh
        result.warnings += going_down(store.plan, ledger, fresh)
        result.changes += [
            {
                "indicator": r["indicator"],
                "area": r["area"],
                "date": r["date"].isoformat(),
                "value": r["value"],
                "previous": was,
                "source": r["source"],
            }
            for r, was in zip(rf.rows, before, strict=True)
            if was != r["value"]
        ]
        result.files.append(rf.name)
        batch_files.append(
            {
                "name": rf.name,
                "sha256": rf.sha256,
                "rows": len(rf.rows),
                "encoding": rf.encoding,
            }
        )
    if batch_files:
        try:
            result.batch = store.add_batch("import", by, batch_files)
        except AlreadyImported:
            if again:  # the database and the batches it shows disagree: never loop
                raise
            return import_returns(
                store, paths, by=by, encoding=encoding, base=base, reader=reader,
                layout=layout, again=True,
            )  # fmt: skip
        store.add_entries(rows, by=by, batch=result.batch)
        result.added = len(rows)
    return result


def going_down(plan: Any, ledger: Ledger, rows: list[dict[str, Any]]) -> list[RunWarning]:
    """New running totals lower than the area's value on the date before (what is recorded
    already, with the other new rows): accepted — removing ineligible registrations is
    legitimate — but said, and always reported by ``check``."""
    series: dict[tuple[str, str], dict[date, float]] = {}
    for r in rows:
        key = (r["indicator"], r["area"])
        if key not in series:
            ind = plan.indicator(key[0])
            if ind.reporting != "cumulative" or ind.kind == "ratio" or ind.unit == "percent":
                continue
            series[key] = dict(zip(ledger.dates(*key), ledger.values(*key), strict=True))
        series[key][r["date"]] = r["value"]
    ordered = {key: sorted(values) for key, values in series.items()}
    out = []
    for r in rows:
        key = (r["indicator"], r["area"])
        values = series.get(key)
        if not values:
            continue
        days = ordered[key]
        n = bisect_left(days, r["date"])  # the dates before this row's
        if n == 0:
            continue
        day = days[n - 1]
        if r["value"] < values[day]:
            where = f"{r['source']}: {r['area']} {r['indicator']} {r['date'].isoformat()}"
            message = tr(
                f"{where}：{num(r['value'])} 低于 {day.isoformat()} 的 {num(values[day])}"
                "（累计数下降：已接受；'povtrack check' 会报告）",
                f"{where}: "
                f"{num(r['value'])} is below {num(values[day])} on {day.isoformat()} (a running "
                "total going down: accepted; 'povtrack check' reports it)",
            )
            fields = {
                "source": r["source"],
                "area": r["area"],
                "indicator": r["indicator"],
                "date": r["date"].isoformat(),
                "value": num(r["value"]),
                "previous": num(values[day]),
                "previous_date": day.isoformat(),
            }
            out.append(RunWarning("running-total-down", message, fields))
    return out


def record_value(
    store: Backend,
    indicator: str,
    value: str,
    area: str,
    day: date,
    *,
    note: str = "",
    by: str,
) -> Recorded:
    """Validate and add one entry; returns it as stored (resolved ids, parsed value) and what
    it means against the area's target."""
    plan = store.plan
    ind = reportable(plan, resolve_indicator(plan, indicator))
    area_id = resolve_area(plan, area)
    check_in_window(day, plan.start, plan.last_due)
    number = parse_value(value, ind)
    note = note_text(readable(note, "--note"))
    batch = store.add_batch("record", by)
    source = f"record {ind.id} {value} --area {area_id}"
    rows = [
        {
            "indicator": ind.id,
            "area": area_id,
            "date": day,
            "value": number,
            "note": note,
            "source": source,
        }
    ]
    ledger = store.series_ledger([(ind.id, area_id)])
    store.warnings += [w.message for w in going_down(plan, ledger, rows)]
    entry_id = store.add_entries(rows, by=by, batch=batch)[0]
    entry = Entry(entry_id, ind.id, area_id, day, number, note, source, by=by, batch=batch)
    return recorded(store, ledger, entry)


@dataclass(frozen=True)
class Recorded:
    """An entry just written by ``record`` or ``correct``, and what it means."""

    entry: Entry
    standing: Standing  # the area's figure on the entry's date against its target
    slip: Slip | None  # a likely 万/亿 slip, or None


def recorded(store: Backend, before: Ledger, entry: Entry) -> Recorded:
    """``before``: the ledger before ``entry`` was added."""
    plan, allocations = store.plan, store.allocations()
    ind, area, day, value = plan.indicator(entry.indicator), entry.area, entry.date, entry.value
    return Recorded(
        entry,
        value_standing(plan, before, allocations, ind, area, day, value),
        value_slip(plan, before, allocations, ind, area, day, value),
    )


@dataclass(frozen=True)
class Allocated:
    """An allocation just made by ``target set``, and what it means."""

    indicator: Indicator
    allocation: Allocation
    standing: Standing  # its share of the city target
    slip: Slip | None


# What an allocation may be, for ``target set`` and ``target import`` alike.


def allocatable(ind: Indicator) -> None:
    if ind.kind == "activity":
        raise UsageError(
            tr(
                f"{ind.id} 是活动类指标：没有数值目标",
                f"{ind.id} is an activity indicator: it has no numeric target",
            )
        )


def not_the_city(plan: Plan, area_id: str) -> None:
    if area_id == plan.root.id:
        raise UsageError(
            tr(
                f"{area_id} 就是全市；分解任务是把目标分给下辖地区",
                f"{area_id} is the city itself; allocations give a share to an area",
            )
        )


def allowed_due(plan: Plan, due: date | None) -> None:
    if due is not None:
        check_in_window(due, plan.start, plan.last_due, tr("截止日期", "due date"))
        if due <= plan.start:  # as for the plan's own targets: a window of at least a day
            raise UsageError(
                tr(
                    f"截止日期 {due.isoformat()} 不晚于方案开始日期（{plan.start.isoformat()}）："
                    "目标至少要有一天",
                    f"due date {due.isoformat()} is not after the plan's start "
                    f"({plan.start.isoformat()}): a target needs at least one day",
                )
            )


def set_target(
    store: Backend, indicator: str, value: str, area: str, due: date | None, *, by: str, source: str
) -> Allocated:
    plan = store.plan
    ind = resolve_indicator(plan, indicator)
    allocatable(ind)
    area_id = resolve_area(plan, area)
    not_the_city(plan, area_id)
    allowed_due(plan, due)
    alloc = Allocation(ind.id, area_id, parse_value(value, ind), due)
    slipped = allocation_slip(plan, store.allocations(), ind, area_id, alloc.value)
    store.add_allocation(alloc, by=by, source=source)
    return Allocated(ind, alloc, allocation_standing(plan, ind, area_id, alloc.value), slipped)


def sample_dir() -> Path:
    """sample_data/: inside the installed package, or beside it in a source checkout."""
    packaged = Path(str(resources.files("povtrack"))) / "sample_data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "sample_data"


def load_allocations_csv(store: Backend, path: Path, *, by: str) -> int:
    """indicator,area,value[,due] rows, each recorded like ``target set``."""
    text = path.read_text(encoding="utf-8-sig")
    count = 0
    for n, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        if not row.get("indicator", "").strip() or row["indicator"].startswith("#"):
            continue
        try:
            due = date.fromisoformat(row["due"]) if row.get("due") else None
            set_target(
                store,
                row["indicator"],
                row["value"],
                row["area"],
                due,
                by=by,
                source=f"{path.name}:{n}",
            )
        except (UsageError, ValueError) as exc:
            raise UsageError(f"{path}:{n}: {exc}") from None
        count += 1
    return count


def build_demo(path: Path, *, protect: list[Path], lock_timeout: float) -> tuple[Backend, str]:
    """A demo database from scratch: the bundled plan, sample allocations, sample returns."""
    from povtrack.planfile import bundled_text

    if any(path.resolve() == p.resolve() for p in protect if p):
        raise UsageError(
            tr(
                f"{path}：这是你的 povtrack 数据库；演示使用它自己的文件",
                f"{path}: that is your povtrack database; the demo uses its own file",
            )
        )
    samples = sample_dir()
    returns = sorted((samples / "returns").glob("*.csv"))
    if not returns:
        raise UsageError(
            tr(
                f"{samples}：找不到示例报表（安装包完整吗？）",
                f"{samples}: no sample returns found (is the package complete?)",
            )
        )
    with Database.creating(path, bundled_text(), demo=True, lock_timeout=lock_timeout) as (
        store,
        _,
    ):
        by = "demo"
        allocations = load_allocations_csv(store, samples / "allocations.csv", by=by)
        result = import_returns(store, returns, by=by, base=samples.parent)
        store.commit()
    summary = tr(
        f"演示：{allocations} 项示例分解任务，来自 {len(result.files)} 份示例周报的 "
        f"{result.added} 条记录（示意数据，并非来自方案）",
        f"demo: {allocations} sample allocations, {result.added} entries from "
        f"{len(result.files)} sample weekly returns (illustrative data, not from the plan)",
    )
    return store, summary

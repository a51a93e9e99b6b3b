"""``povtrack target set``, ``target import`` and ``target list``: allocations of a target to
areas, one at a time or a whole task breakdown (任务分解表)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    choose_db,
    choose_lang,
    labels,
    open_store,
    print_json,
    say,
    target_app,
    writing_store,
)
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.actions.allocations import TargetImport
    from povtrack.model import Plan

# ---------------------------------------------------------------------------- writing


@target_app.command("set")
def target_set(
    indicator: str = typer.Argument(
        ..., help="Indicator id or name.", autocompletion=complete.indicators
    ),
    value: str = typer.Argument(..., help="The area's share, in the indicator's unit."),
    area: str = typer.Option(..., "--area", help="Area id or name.", autocompletion=complete.areas),
    due: str | None = typer.Option(None, "--due", help="Due date (default: the plan's rule)."),
    by: str | None = typer.Option(None, "--by", help="Who sets it [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Allocate a city target to an area (the newest allocation counts; none is overwritten).

    Example: povtrack target set housing.relocated_people 9000 --area 阳高县
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.writes import current_user, set_target
    from povtrack.analysis.measure import allocation_due
    from povtrack.cli.confirm import allocation_text, amount, slip_text, warning
    from povtrack.dates import parse_day

    with writing_store() as store:
        made = set_target(
            store,
            indicator,
            value,
            area,
            parse_day(due) if due else None,
            by=current_user(by),
            source="target set",
        )
        store.commit()
    ind, alloc, words = made.indicator, made.allocation, labels()
    due_day = allocation_due(store.plan, ind, alloc).isoformat()
    meaning = allocation_text(ind, made.standing, words)
    figure = amount(alloc.value, ind.unit, words)
    if words.lang == "zh":
        say(f"分解任务 {ind.id}，{alloc.area}：{figure}，截止{due_day}；{meaning}")
    else:
        say(f"target {ind.id} for {alloc.area}: {figure} by {due_day}; {meaning}")
    if made.slip is not None:
        command = f"povtrack target set {ind.id} FIXED --area {alloc.area}"
        text = slip_text(
            store.plan, ind, alloc.area, made.slip, words, whose="city", command=command, again=True
        )
        say(warning(text, words))


@target_app.command("import")
def target_import(
    file: Path = typer.Argument(..., help="A CSV or XLSX task breakdown (任务分解表)."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check everything and say what would be recorded; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the rows and warnings as JSON."),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection (CSV)."),
    by: str | None = typer.Option(None, "--by", help="Who records it [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Allocate city targets to areas from a task breakdown table, all or nothing: long
    (area,indicator,value[,due]; 地区,指标,数值,截止日期) or wide (one row per area, one column
    per indicator, by id or name), as 'povtrack template --allocations' writes it. Each row is
    checked and recorded as 'target set' records one allocation; shares short of or above the
    city target and parts against wholes are warnings.

    Example: povtrack target import 任务分解表-datong-2018.xlsx --dry-run
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.allocations import import_breakdown
    from povtrack.actions.writes import current_user
    from povtrack.returns.reader import display_name
    from povtrack.textsafe import escape, refuse_controls

    refuse_controls(display_name(file), f"FILE {escape(display_name(file))}")
    if dry_run:
        store = open_store()
        done = import_breakdown(store, file, by=current_user(by), encoding=encoding, dry_run=True)
    else:
        with writing_store() as store:
            done = import_breakdown(store, file, by=current_user(by), encoding=encoding)
            store.commit()
    _say_import(store.plan, done, dry_run)
    if as_json:
        print_json(_import_json(store.plan, done, dry_run))


def _layout(done: TargetImport) -> str:
    b = done.breakdown
    layout = tr({"long": "长表", "wide": "宽表"}[b.layout], b.layout)
    skipped = ""
    if b.skipped:
        rows = ", ".join(str(n) for n in b.skipped)
        skipped = tr(f"；跳过合计行 {rows}", f"; total rows {rows} skipped")
    return tr(
        f"{b.name}：{layout}，表头在第 {b.header_row} 行，{len(done.rows)} 条分解任务{skipped}",
        f"{b.name}: {layout} layout, header on row {b.header_row}, {len(done.rows)} "
        f"allocations{skipped}",
    )


def _warnings(plan: Plan, done: TargetImport) -> list[tuple[str, dict[str, Any]]]:
    """Every warning as it is said and as --json carries it."""
    from povtrack.analysis.quality.findings import scope_label
    from povtrack.cli.confirm import slip_text
    from povtrack.jsonable import num

    words = labels()
    out = []
    for p in done.rows:
        if p.slip is None:
            continue
        a, ind = p.allocation, plan.indicator(p.allocation.indicator)
        command = f"povtrack target set {ind.id} FIXED --area {a.area}"
        text = slip_text(
            plan, ind, a.area, p.slip, words, whose="city", command=command, again=True
        )
        fields: dict[str, Any] = {"kind": "slip", "source": p.row.source, "area": a.area}
        fields |= {"indicator": ind.id, "value": num(a.value), "against": p.slip.against}
        out.append((f"{p.row.source}: {text}", fields))
    for f in done.findings:
        said = tr(f.explanation, f.explanation_en)
        ind = plan.indicator(f.indicator)
        name = words.pick(ind.name, ind.name_en)
        about = scope_label(plan, f.area, words.lang)
        about += "" if name in said else tr(f"，{name}", f", {name}")
        text = f"{about}{tr('：', ': ')}{said}"
        fields = {"kind": f.rule, "severity": f.severity, "area": f.area}
        fields |= {"indicator": f.indicator, "value": num(f.value), "expected": num(f.expected)}
        out.append((text, fields))
    return out


def _say_import(plan: Plan, done: TargetImport, dry_run: bool) -> None:
    from povtrack.cli.confirm import warning
    from povtrack.jsonable import num

    say(_layout(done))
    for text, _ in _warnings(plan, done):
        say(warning(text, labels()))
    changes = done.changes
    new = sum(1 for p in changes if p.status == "new")
    unchanged = len(done.rows) - len(changes)
    if dry_run:
        say(
            tr(
                f"试运行，未写入：将记录 {len(changes)} 条分解任务（新增 {new} 条，"
                f"更改 {len(changes) - new} 条）；{unchanged} 条与现有相同，将跳过",
                f"dry run, nothing written: would record {len(changes)} allocations ({new} new, "
                f"{len(changes) - new} changing one already recorded); {unchanged} unchanged "
                "rows would be skipped",
            )
        )
        for p in done.rows[:20]:
            a = p.allocation
            due = f" {tr('截止', 'due')} {a.due.isoformat()}" if a.due else ""
            was = {"new": tr("新增", "new"), "unchanged": tr("不变", "unchanged")}.get(
                p.status,
                tr(f"原为 {num(p.previous.value)}", f"was {num(p.previous.value)}")
                if p.previous
                else "",
            )
            say(f"  {p.row.source}: {a.indicator} {a.area} = {num(a.value)}{due} ({was})")
        if len(done.rows) > 20:
            more = len(done.rows) - 20
            say(
                tr(
                    f"  …… 另有 {more} 条（--json 全部列出）",
                    f"  … and {more} more (--json lists them all)",
                )
            )
        return
    if done.recorded:
        say(
            tr(
                f"已记录 {done.recorded} 条分解任务（来自 {done.breakdown.name}）"
                + (f"；{unchanged} 条与现有相同，已跳过" if unchanged else ""),
                f"recorded {done.recorded} allocations from {done.breakdown.name}"
                + (f"; {unchanged} unchanged rows skipped" if unchanged else ""),
            )
        )
    else:
        say(
            tr(
                "没有新的分解任务：每一行都与现有的相同",
                "nothing new to record: every row is the allocation already recorded",
            )
        )


def _import_json(plan: Plan, done: TargetImport, dry_run: bool) -> dict[str, Any]:
    from povtrack.jsonable import num

    b = done.breakdown
    rows = [
        {
            "source": p.row.source,
            "area": p.allocation.area,
            "indicator": p.allocation.indicator,
            "value": num(p.allocation.value),
            "due": p.allocation.due.isoformat() if p.allocation.due else None,
            "note": p.allocation.note,
            "status": p.status,
            "previous": num(p.previous.value) if p.previous else None,
        }
        for p in done.rows
    ]
    return {
        "file": b.name,
        "layout": b.layout,
        "header_row": b.header_row,
        "encoding": b.encoding,
        "dry_run": dry_run,
        "recorded": done.recorded,
        "unchanged": len(done.rows) - len(done.changes),
        "rows": rows,
        "warnings": [{**fields, "message": text} for text, fields in _warnings(plan, done)],
    }


@target_app.command("list")
def target_list(
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """List the allocations recorded so far, oldest first.

    Example: povtrack target list --json
    """
    choose_db(db)
    from povtrack.output.shapes import allocation_json

    store = open_store()
    allocations = store.allocations()
    if as_json:
        print_json({"allocations": [allocation_json(a) for a in allocations]})
        return
    for a in allocations:
        due = a.due.isoformat() if a.due else tr("（按方案规则）", "(plan rule)")
        typer.echo(f"{a.indicator}\t{a.area}\t{a.value}\t{due}")

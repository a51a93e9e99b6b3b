"""Commands about the numbers: target set|list, record, import, log, status."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer

from povtrack.cli.app import (
    AS_OF_OPTION,
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    app,
    as_of_date,
    choose_db,
    choose_lang,
    labels,
    make_console,
    open_store,
    print_json,
    print_status,
    progress,
    require_task,
    say,
    target_app,
    writing_store,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)
from povtrack.errors import UsageError

# ---------------------------------------------------------------------------- writing


def _when(day: str | None, week: str | None) -> date:
    """--date or --week, else today."""
    from povtrack.dates import parse_day, parse_week

    if day and week:
        raise UsageError("give --date or --week, not both")
    if week:
        return parse_week(week)
    return parse_day(day) if day else date.today()


@target_app.command("set")
def target_set(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    value: str = typer.Argument(..., help="The area's share, in the indicator's unit."),
    area: str = typer.Option(..., "--area", help="Area id or name."),
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
        due = a.due.isoformat() if a.due else "(plan rule)"
        typer.echo(f"{a.indicator}\t{a.area}\t{a.value}\t{due}")


@app.command()
def record(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    value: str = typer.Argument(..., help="Running total to date (or the increment)."),
    area: str = typer.Option(..., "--area", help="Area id or name (简体, 繁體 or English)."),
    day: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today)."),
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2018-W23 (its Sunday)."),
    note: str = typer.Option("", "--note", help="A note or evidence reference."),
    by: str | None = typer.Option(None, "--by", help="Who reports it [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Record one reported value for one area.

    Example: povtrack record housing.relocated_people 5200 --area 阳高县 --week 2018-W23
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.writes import current_user, record_value
    from povtrack.cli.confirm import slip_warning, standing_text, typed
    from povtrack.dates import iso_week
    from povtrack.names import scope_names
    from povtrack.textsafe import refuse_controls

    refuse_controls(note, "--note", allow="\t\n")
    when = _when(day, week)
    with writing_store() as store:
        done = record_value(store, indicator, value, area, when, note=note, by=current_user(by))
        store.commit()
    entry, words, plan = done.entry, labels(), store.plan
    ind = plan.indicator(entry.indicator)
    area_name = words.pick(*scope_names(plan, entry.area))
    figure = typed(entry.value, ind.unit, words)
    day_text = f"{entry.date.isoformat()}（{iso_week(entry.date)}）"
    meaning = standing_text(plan, ind, done.standing, words)
    if words.lang == "zh":
        say(
            f"已记录第{entry.id}条：{entry.indicator} = {figure}，{area_name}（{entry.area}），"
            f"{day_text}；{meaning}"
        )
    else:
        say(
            f"recorded entry {entry.id}: {entry.indicator} = {figure} for {area_name} "
            f"({entry.area}) on {entry.date.isoformat()} ({iso_week(entry.date)}); {meaning}"
        )
    slipped = slip_warning(plan, done, words)
    if slipped:
        say(slipped)


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(
        ..., help="CSV or XLSX files: date,area,indicator,value[,note]."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection."),
    by: str | None = typer.Option(None, "--by", help="Who imports [env POVTRACK_USER]."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check everything and say what would change; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Import weekly returns; all files are one batch, all or nothing.

    Example: povtrack import returns/2018-W23-*.csv
    """
    choose_db(db, lock_wait)
    from povtrack.actions.writes import current_user, import_returns
    from povtrack.returns.reader import display_name
    from povtrack.textsafe import escape, refuse_controls

    for f in files:  # a file's name is kept with every entry it brings (and shown by 'log')
        name = display_name(f)
        refuse_controls(name, f"FILES {escape(name)}")
    if dry_run:  # the same checks and the same arithmetic, on a database opened to read
        store = open_store()
        with progress("reading rows") as tick:
            result = import_returns(store, files, by=current_user(by), encoding=encoding, tick=tick)
        _say_dry_run(result)
        if as_json:
            print_json(result.as_json(dry_run=True, database=store.warnings))
        return
    with writing_store() as store, progress("reading rows") as tick:
        result = import_returns(store, files, by=current_user(by), encoding=encoding, tick=tick)
        store.commit()
    for line in result.already:
        say(line)
    for w in result.warnings:
        say(f"warning: {w.message}")
    for report in result.per_file:
        if report["status"] == "imported":
            say(f"{report['file']}: {report['rows']} rows, read as {report['encoding']}")
    if result.batch:
        say(
            f"imported {result.added} entries from {len(result.files)} file(s) as batch "
            f"{result.batch}"
            + (f"; {result.unchanged} unchanged rows skipped" if result.unchanged else "")
        )
    else:
        say("nothing new to import")
    if as_json:
        print_json(result.as_json(database=store.warnings))


def _say_dry_run(result: Any) -> None:
    for line in result.already:
        say(line)
    for w in result.warnings:
        say(f"warning: {w.message}")
    new = sum(1 for c in result.changes if c["previous"] is None)
    say(
        f"dry run, nothing written: would add {result.added} entries "
        f"({new} new, {result.added - new} changing a value already recorded for that date)"
        + (f"; {result.unchanged} unchanged rows would be skipped" if result.unchanged else "")
    )
    for c in result.changes[:20]:
        before = "new" if c["previous"] is None else f"was {c['previous']}"
        say(f"  {c['source']}: {c['indicator']} {c['area']} {c['date']} = {c['value']} ({before})")
    if len(result.changes) > 20:
        say(f"  … and {len(result.changes) - 20} more (--json lists them all)")


# ---------------------------------------------------------------------------- reading


@app.command()
def log(
    area: str | None = typer.Option(None, "--area", help="Only this area."),
    indicator: str | None = typer.Option(None, "--indicator", help="Only this indicator."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many entries."),
    everything: bool = typer.Option(
        False,
        "--all",
        help="The whole history: corrected, replaced and undone entries too, with why.",
    ),
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Show the entries that count, newest first, with where each came from; --all shows every
    entry ever recorded, in the order recorded, with its state (counts, superseded, replaced,
    undone).

    Example: povtrack log --area 天镇 --indicator housing.relocated_people
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.jsonable import entry_json
    from povtrack.names import resolve_area, resolve_indicator
    from povtrack.output.shapes import log_sheet

    store = open_store()
    entries = store.all_entries() if everything else store.entries()
    states: dict[int, str] | None = None
    if everything:
        from povtrack.ledger import entry_states

        states = entry_states(entries, store.batches())
    if area:
        area_id = resolve_area(store.plan, area)
        entries = [e for e in entries if e.area == area_id]
    if indicator:
        ind_id = resolve_indicator(store.plan, indicator).id
        entries = [e for e in entries if e.indicator == ind_id]
    if everything:  # the history, as it was recorded
        entries.sort(key=lambda e: e.id, reverse=True)
    else:
        entries.sort(key=lambda e: (e.date, e.id), reverse=True)
    entries = entries[:limit] if limit else entries

    def table() -> None:
        from povtrack.output.screen.tables import log_table

        console = make_console()
        console.print(log_table(console, store.plan, entries, labels(), states))

    def payload() -> dict[str, Any]:
        rows = [entry_json(e) for e in entries]
        if states is None:
            return {"entries": rows}
        for row in rows:
            row["state"] = states[row["id"]]
        return {"entries": rows, "batches": store.batches()}

    emit(
        chosen,
        output=output,
        sheets=lambda: [log_sheet(store.plan, entries, labels().lang, states)],
        payload=payload,
        table=table,
    )


@app.command()
def status(
    as_of: str | None = AS_OF_OPTION,
    task: int | None = typer.Option(None, "--task", help="Only this task (0 = headline goals)."),
    area: str | None = typer.Option(None, "--area", help="Only rows for this area or group."),
    forecast: bool = typer.Option(
        False, "--forecast", help="Add the pace needed, the recent pace and the projected date."
    ),
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Where every target stands against the pace its due date demands.

    Example: povtrack status --as-of 2018-W26 --task 2 --forecast
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.status import status_rows
    from povtrack.output.shapes import status_json, status_sheet

    store = open_store()
    plan = store.plan
    when = as_of_date(store, as_of)
    scope = None
    if area:
        from povtrack.names import resolve_scope  # only with --area (names, cells, difflib)

        scope = resolve_scope(plan, area)
    require_task(plan, task)
    rows = status_rows(plan, store.ledger(), store.allocations(), when, task=task, scope=scope)
    emit(
        chosen,
        output=output,
        sheets=lambda: [status_sheet(plan, rows, when, labels().lang)],
        payload=lambda: status_json(plan, rows, when),
        table=lambda: print_status(plan, rows, when, forecast=forecast),
    )

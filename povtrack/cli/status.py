"""``povtrack status``: every target against the pace its due date demands."""

from __future__ import annotations

from pathlib import Path

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    AS_OF_OPTION,
    DB_OPTION,
    LANG_OPTION,
    app,
    as_of_date,
    choose_db,
    choose_lang,
    labels,
    open_store,
    print_status,
    require_task,
    say,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)

# ---------------------------------------------------------------------------- writing


@app.command()
def status(
    as_of: str | None = AS_OF_OPTION,
    task: int | None = typer.Option(
        None, "--task", help="Only this task (0 = headline goals).", autocompletion=complete.tasks
    ),
    area: str | None = typer.Option(
        None, "--area", help="Only rows for this area or group.", autocompletion=complete.scopes
    ),
    indicator: str | None = typer.Option(
        None,
        "--indicator",
        help="Only rows for this indicator.",
        autocompletion=complete.indicators,
    ),
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
    ind = None
    if indicator:
        from povtrack.names import resolve_indicator

        ind = resolve_indicator(plan, indicator)
    require_task(plan, task)
    allocations = store.allocations()
    rows = status_rows(plan, store.ledger_at(when), allocations, when, task=task, scope=scope)
    if ind is not None:
        rows = [r for r in rows if r.indicator == ind.id]
    emit(
        chosen,
        output=output,
        sheets=lambda: [status_sheet(plan, rows, when, labels().lang)],
        payload=lambda: status_json(plan, rows, when),
        table=lambda: print_status(plan, rows, when, forecast=forecast),
    )
    from povtrack.analysis.empty import no_entries_note, status_note

    note = status_note(plan, allocations, rows, task=task, scope=scope, indicator=ind)
    if note is None and all(r.actual is None for r in rows):  # then ask the database
        note = no_entries_note(len(store.entries()))
    if note:  # an empty table says why, under it (stderr: stdout stays the data)
        say(note)

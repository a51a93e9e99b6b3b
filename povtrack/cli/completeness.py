"""``povtrack completeness``: who reported, week by week."""

from __future__ import annotations

from pathlib import Path

import typer

from povtrack.cli.app import (
    AS_OF_OPTION,
    DB_OPTION,
    LANG_OPTION,
    app,
    as_of_date,
    choose_db,
    choose_lang,
    labels,
    make_console,
    open_store,
    state,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)


@app.command()
def completeness(
    weeks: int = typer.Option(8, "--weeks", min=1, max=104, help="How many weeks, newest last."),
    as_of: str | None = AS_OF_OPTION,
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Reporting rates, counties and districts by week: indicators reported ÷ indicators
    expected (as `missing` decides), with a total per area and a total row (合计) per week.

    The weeks are the last N ISO weeks ending with the as-of week (which counts entries up to
    the as-of date); none before the plan starts. Totals are Σ reported ÷ Σ expected, never an
    average of rates; "—": nothing expected. JSON rates are fractions (0.5 is 50%).

    Example: povtrack completeness --weeks 12 --format xlsx -o completeness.xlsx
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.coverage import completeness as make_grid
    from povtrack.analysis.coverage import completeness_json, completeness_sheet, grid_weeks

    store = open_store()
    plan = store.plan
    when = as_of_date(store, as_of)
    span = grid_weeks(plan, when, weeks)
    first = span[0].start if span else when
    entries = store.entries_between(first, when)  # what the grid reads
    c = make_grid(plan, entries, store.allocations(), when, weeks=weeks)

    def table() -> None:
        from povtrack.output.screen.coverage import completeness_view

        console = make_console()
        console.print(completeness_view(console, plan, c, labels()))

    emit(
        chosen,
        output=output,
        sheets=lambda: [completeness_sheet(plan, c, state.lang)],
        payload=lambda: completeness_json(plan, c),
        table=table,
    )

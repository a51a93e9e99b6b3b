"""``povtrack trend``: one target's figures week by week."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
    make_console,
    open_store,
    say,
    state,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)

if TYPE_CHECKING:
    pass


@app.command()
def trend(
    indicator: str = typer.Argument(
        ..., help="Indicator id or name.", autocompletion=complete.indicators
    ),
    area: str | None = typer.Option(
        None,
        "--area",
        help="An area or group (default: the city, all areas summed).",
        autocompletion=complete.scopes,
    ),
    as_of: str | None = AS_OF_OPTION,
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """One indicator week by week: the actual as of each Sunday, the change on the week before,
    whether the scope reported that week; with the target and the forecast at the recent pace.

    From the week of the first report to the as-of week. The screen shows the newest 26 weeks;
    JSON and the exports (csv, md, html, xlsx: one table) hold every week.

    Example: povtrack trend housing.relocated_people --area 阳高县 --as-of 2018-W26
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.trend import trend as make_trend
    from povtrack.analysis.trend import trend_json, trend_sheet
    from povtrack.ledger import effective_entries
    from povtrack.names import resolve_indicator, resolve_scope

    store = open_store()
    plan = store.plan
    ind = resolve_indicator(plan, indicator)
    # only the series looked at: the indicator, or a ratio's two parts
    read = [ind.id, *(i for i in (ind.numerator, ind.denominator) if i)]
    entries = effective_entries(store.series_entries(read), store.batches())
    scope = resolve_scope(plan, area) if area else plan.root.id
    when = as_of_date(store, as_of)
    t = make_trend(plan, entries, store.allocations(), ind, scope, when)

    def table() -> None:
        from povtrack.output.screen.trend import trend_view

        console = make_console()
        console.print(trend_view(console, plan, t, labels()))

    emit(
        chosen,
        output=output,
        sheets=lambda: [trend_sheet(plan, t, state.lang)],
        payload=lambda: trend_json(plan, t),
        table=table,
    )
    from povtrack.analysis.empty import target_note

    note = target_note(plan, store.allocations(), ind, scope, f"povtrack trend {ind.id}")
    if note:  # no target here: say what to do, under the view (stderr)
        say(note)

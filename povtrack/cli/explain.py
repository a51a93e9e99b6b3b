"""``povtrack explain``: how one figure of status was worked out."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    AS_OF_OPTION,
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    app,
    as_of_date,
    choose_db,
    choose_lang,
    labels,
    make_console,
    open_store,
    print_json,
    say,
)

if TYPE_CHECKING:
    pass


@app.command()
def explain(
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
    as_json: bool = JSON_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """How a number in status and on the board was made: the target and where it comes from,
    the entries behind the actual in every area of the scope, the roll-up, the expected pace
    and the rule that gave the status. The numbers are status's own.

    Example: povtrack explain housing.dangerous_houses --area 阳高县 --as-of 2018-W26
    """
    choose_db(db)
    choose_lang(lang)
    from povtrack.analysis.explain import explain as make_explanation
    from povtrack.analysis.explain import explain_json
    from povtrack.ledger import counting_or_replaced
    from povtrack.names import resolve_indicator, resolve_scope

    store = open_store()
    plan = store.plan
    ind = resolve_indicator(plan, indicator)
    # only the series looked at (a ratio's two parts); those replaced are named
    read = [ind.id, *(i for i in (ind.numerator, ind.denominator) if i)]
    entries = counting_or_replaced(store.series_entries(read), store.batches())
    scope = resolve_scope(plan, area) if area else plan.root.id
    when = as_of_date(store, as_of)
    allocations = store.allocations()
    x = make_explanation(plan, entries, allocations, ind, scope, when)
    if as_json:
        print_json(explain_json(plan, x))
    else:
        from povtrack.output.screen.explain import explain_view

        console = make_console()
        console.print(explain_view(console, plan, x, labels()))
    from povtrack.analysis.empty import target_note

    note = target_note(plan, allocations, ind, scope, f"povtrack explain {ind.id}")
    if note:  # no target here: say what to do, under the view (stderr)
        say(note)

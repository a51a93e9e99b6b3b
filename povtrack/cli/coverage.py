"""Commands: missing (who has not reported what this week), completeness (reporting rates,
areas by weeks) and explain (how one number on the board or in status was made)."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

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
    state,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)
from povtrack.errors import UsageError

if TYPE_CHECKING:
    from povtrack.model import Entry, Plan


def _week(plan: Plan, entries: list[Entry], text: str | None) -> date:
    """--week: an ISO week or a date in it (default: the week of the newest entry); the week
    must overlap the plan's window."""
    from povtrack.analysis.status import default_as_of
    from povtrack.dates import monday_of, parse_when

    day = parse_when(text) if text else default_as_of(plan, entries)
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    if sunday < plan.start:
        raise UsageError(
            f"--week {text}: the week ends {sunday.isoformat()}, before the plan starts "
            f"({plan.start.isoformat()})"
        )
    if monday > plan.last_due:
        raise UsageError(
            f"--week {text}: the week begins {monday.isoformat()}, after the plan's last due "
            f"date ({plan.last_due.isoformat()})"
        )
    return day


@app.command()
def missing(
    week: str | None = typer.Option(
        None, "--week", help="ISO week (2018-W23) or a date in it (default: newest entry's)."
    ),
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Which counties and districts have not reported which indicators in a week (Monday to
    Sunday). A gap is listed, never counted as zero. Exit 0: a listing, not a check.

    Expected of an area: every indicator it has a target on (its own, an allocation, or a
    group's — each member or the group in total; a ratio's target means its numerator and
    denominator), and every city-wide figure (targeted on the city or nowhere, not a rate)
    once some county or district has reported it. Late entries (recorded more than 14 days
    after their date) are counted per area.

    Example: povtrack missing --week 2018-W23 --lang zh
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.coverage import missing as make_missing
    from povtrack.analysis.coverage import missing_json, missing_sheet

    store = open_store()
    plan = store.plan
    entries = store.entries()
    day = _week(plan, entries, week)
    m = make_missing(plan, entries, store.allocations(), day)

    def table() -> None:
        from povtrack.output.screen.coverage import missing_view

        console = make_console()
        console.print(missing_view(console, plan, m, labels()))

    emit(
        chosen,
        output=output,
        sheets=lambda: [missing_sheet(plan, m, state.lang)],
        payload=lambda: missing_json(plan, m),
        table=table,
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
    from povtrack.analysis.coverage import completeness_json, completeness_sheet

    store = open_store()
    plan = store.plan
    entries = store.entries()
    when = as_of_date(store, as_of)
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


@app.command()
def explain(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    area: str | None = typer.Option(
        None, "--area", help="An area or group (default: the city, all areas summed)."
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
    entries = counting_or_replaced(store.all_entries(), store.batches())  # replaced: named
    ind = resolve_indicator(plan, indicator)
    scope = resolve_scope(plan, area) if area else plan.root.id
    when = as_of_date(store, as_of)
    x = make_explanation(plan, entries, store.allocations(), ind, scope, when)
    if as_json:
        print_json(explain_json(plan, x))
        return
    from povtrack.output.screen.coverage import explain_view

    console = make_console()
    console.print(explain_view(console, plan, x, labels()))

"""``povtrack missing``: who has not reported this week."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    DB_OPTION,
    LANG_OPTION,
    app,
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
from povtrack.errors import UsageError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.model import Plan


def _week(plan: Plan, newest: date, text: str | None) -> date:
    """--week: an ISO week or a date in it (default: the week of ``newest``, the newest entry's
    date); the week must overlap the plan's window."""
    from povtrack.dates import monday_of, parse_when

    day = parse_when(text) if text else newest
    monday = monday_of(day)
    sunday = monday + timedelta(days=6)
    if sunday < plan.start:
        raise UsageError(
            tr(
                f"--week {text}：该周止于 {sunday.isoformat()}，早于方案开始日期"
                f"（{plan.start.isoformat()}）",
                f"--week {text}: the week ends {sunday.isoformat()}, before the plan starts "
                f"({plan.start.isoformat()})",
            )
        )
    if monday > plan.last_due:
        raise UsageError(
            tr(
                f"--week {text}：该周始于 {monday.isoformat()}，晚于方案最后截止日期"
                f"（{plan.last_due.isoformat()}）",
                f"--week {text}: the week begins {monday.isoformat()}, after the plan's last due "
                f"date ({plan.last_due.isoformat()})",
            )
        )
    return day


@app.command()
def missing(
    week: str | None = typer.Option(
        None, "--week", help="ISO week (2018-W23) or a date in it (default: newest entry's)."
    ),
    area: str | None = typer.Option(
        None,
        "--area",
        help="Only this county or district (or a group's members).",
        autocompletion=complete.scopes,
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
    day = _week(plan, store.latest_date(), week)
    from povtrack.dates import monday_of

    monday = monday_of(day)
    entries = store.entries_between(monday, monday + timedelta(days=6))  # what coverage reads
    m = make_missing(plan, entries, store.allocations(), day)
    if area:
        from dataclasses import replace

        from povtrack.names import resolve_scope

        scope = resolve_scope(plan, area)
        if scope != plan.root.id:  # the city: every county and district, as without --area
            wanted = set(plan.group(scope).members) if plan.is_group(scope) else {scope}
            m = replace(m, areas=[a for a in m.areas if a.area in wanted])
            if not m.areas:
                from povtrack.names import scope_names

                name = tr(*scope_names(plan, scope))
                say(
                    tr(
                        f"{name}不是报送的县区：没有要报的指标",
                        f"{name} is not a county or district that reports: nothing is owed",
                    )
                )

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
    from povtrack.analysis.empty import no_entries_note

    note = no_entries_note(len(entries))
    if note:  # every gap listed because nothing was ever reported: say so (stderr)
        say(note)

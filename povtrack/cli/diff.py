"""``povtrack diff``: what changed between two weeks."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

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
from povtrack.errors import UsageError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.sheet import Sheet


@app.command()
def diff(
    since: str | None = typer.Option(
        None, "--since", help="Compare with this date or ISO week (default: a week earlier)."
    ),
    weeks: int | None = typer.Option(
        None, "--weeks", min=1, help="Compare with N weeks before the as-of date."
    ),
    as_of: str | None = AS_OF_OPTION,
    section: str | None = typer.Option(
        None,
        "--section",
        help="Only one table: changes, movers or silent (needed for csv, one table per file).",
    ),
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """What changed since last week: the targets whose status changed, the ten rows whose
    progress moved most (either way), and the counties and districts that reported nothing.

    The period is (since, as-of]: the as-of date (default: the newest entry) back to --since,
    or --weeks N (N x 7 days; default 7 days). The three tables go to the screen, to md, html
    and xlsx (one sheet each), and to JSON. csv holds one table: give --section changes,
    movers or silent with it; --section also narrows the screen, md, html and xlsx to that
    table (JSON always holds all three).

    Example: povtrack diff --weeks 2 --format xlsx -o diff.xlsx
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.trend import DIFF_SECTIONS, diff_json, diff_sheets
    from povtrack.analysis.trend import diff as make_diff
    from povtrack.dates import check_in_window, parse_when, weeks_before

    if since is not None and weeks is not None:
        raise UsageError(tr("--since 和 --weeks 只能给一个", "give --since or --weeks, not both"))
    sections = list(DIFF_SECTIONS)
    if section is not None:
        picked = section.strip().lower()
        if picked not in DIFF_SECTIONS:
            known = ", ".join(DIFF_SECTIONS)
            raise UsageError(
                tr(
                    f"--section“{section}”不是 {known} 之一",
                    f"--section '{section}' is not one of {known}",
                )
            )
        sections = [picked]
    if chosen == "csv" and len(sections) > 1:
        raise UsageError(
            tr(
                "diff 有三张表，而 csv 只能容纳一张：请加 --section changes、movers 或 silent，"
                "或改用 json、md、html 或 xlsx",
                "diff has three tables and csv holds one: give --section changes, movers or "
                "silent, or use json, md, html or xlsx",
            )
        )
    store = open_store()
    plan = store.plan
    when = as_of_date(store, as_of)
    if since is not None:
        start = check_in_window(parse_when(since), plan.start, plan.last_due, "--since")
    else:
        start = weeks_before(when, weeks or 1, plan.start)
    if start >= when:
        raise UsageError(
            tr(
                f"--since {start.isoformat()} 不早于 --as-of {when.isoformat()}；"
                "统计期是从 --since 到 --as-of",
                f"--since {start.isoformat()} is not before --as-of {when.isoformat()}; "
                "the period runs from --since to --as-of",
            )
        )
    from povtrack.analysis.trend import silent_span

    # what the database's engine reads for the two dates (every entry on a JSON file)
    entries = store.entries_between(silent_span(start, when), when)
    ledgers = (store.ledger_at(start), store.ledger_at(when))
    d = make_diff(plan, entries, store.allocations(), start, when, ledgers=ledgers)

    def table() -> None:
        from povtrack.output.screen.trend import diff_view

        console = make_console()
        console.print(diff_view(console, plan, d, labels(), sections))

    def sheets() -> list[Sheet]:
        return [s for s in diff_sheets(plan, d, state.lang) if s.key in sections]

    emit(
        chosen,
        output=output,
        sheets=sheets,
        payload=lambda: diff_json(plan, d),
        table=table,
    )

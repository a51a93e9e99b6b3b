"""The report command: the weekly summary in one document."""

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
    open_store,
    progress,
)
from povtrack.cli.output import deliver, require_output
from povtrack.errors import UsageError
from povtrack.i18n import tr


@app.command()
def report(
    fmt: str = typer.Option(..., "--format", help="md, html or xlsx."),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="Write to this file (needed for xlsx)."
    ),
    as_of: str | None = AS_OF_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """The weekly report: headline goals, the board, every task with a chart of progress
    against the pace, what changed since the week before and what is missing, stamped with
    the as-of date, the plan and a digest of the data it was made from.

    Example: povtrack report --format xlsx -o weekly.xlsx
    """
    choose_db(db)
    choose_lang(lang)
    from povtrack.output.report import REPORT_FORMATS, build
    from povtrack.output.report_files import write

    chosen = fmt.strip().lower()
    if chosen not in REPORT_FORMATS:
        known = ", ".join(REPORT_FORMATS)
        raise UsageError(
            tr(f"--format“{fmt}”不是 {known} 之一", f"--format '{fmt}' is not one of {known}")
        )
    require_output(chosen, output)
    store = open_store()
    plan = store.plan
    when = as_of_date(store, as_of)
    with progress(tr("正在写周报", "writing the report"), total=2) as tick:
        from povtrack.analysis.trend import silent_span
        from povtrack.output.report import digest, since_of

        # what the database's engine reads: the history at the two dates, the weeks the
        # silent areas are judged on, and for the digest every entry that counts, lean
        since, allocations = since_of(plan, when), store.allocations()
        ledgers = (store.ledger_at(since), store.ledger_at(when))
        recent = store.entries_between(silent_span(since, when), when)
        made_of = digest(store.meta["plan_sha256"], store.counting_rows(when), allocations, when)
        built = build(plan, made_of, ledgers, recent, allocations, when, labels().lang)
        tick(1)
        data = write(built, chosen, labels().lang)
        tick(1)
    deliver(chosen, data, output)
    typer.echo(tr(f"数据摘要 {built.digest}", f"data digest {built.digest}"), err=True)

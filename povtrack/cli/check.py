"""Command: check (the plan's rules and the anomaly checks on the reported data).

Silent with exit 0 when nothing is found, so a cron job can run ``povtrack check || mail …``;
otherwise the findings on stdout (a table, JSON or an export) and exit 3. ``--fail-on error``
keeps exit 3 for errors: warnings are still printed (or written), with exit 0, so a weekly
script stops only on what must not be published and still mails the rest.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
    encode,
    require_output,
    write_file,
)
from povtrack.errors import ExitCode, UsageError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.analysis.quality.findings import Finding
    from povtrack.model import Plan
    from povtrack.sheet import Sheet


def print_findings(plan: Plan, findings: list[Finding], as_of: date) -> None:
    """The findings as a table on stdout, errors first (``output.screen.findings``)."""
    from povtrack.output.screen.findings import findings_table

    console = make_console()
    console.print(findings_table(console, plan, findings, as_of, labels()))


@app.command()
def check(
    as_of: str | None = AS_OF_OPTION,
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    fail_on: str = typer.Option(
        "warning",
        "--fail-on",
        help="Exit 3 on any finding (warning, the default) or only on errors (error).",
        autocompletion=lambda: ["error", "warning"],
    ),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Check the data: the plan's rules and the anomaly checks; exit 3 when anything is found.

    Rules (errors): parts that must add up to their whole (relocated people = registered poor
    + moved alongside), a ratio's numerator above its denominator, a rate outside 0–100; and
    (a warning) allocations that fall short of or exceed the city target. Anomalies
    (warnings): a running total that goes down, a weekly increment far outside the area's
    usual range, an actual far above its target, a target met exactly in the week it is due
    or mostly in its last four weeks, the same value week after week while other figures
    move, the same series in two areas, a milestone done without a note. Each finding names
    its rule, severity, area, indicator, the entries involved and why.

    Nothing found: no output and exit 0, so a cron job can mail only when there is news
    (with -o the file is still written, empty of findings). With --fail-on error, warnings
    alone are printed (or written) as usual but exit 0: exit 3 means an error was found.

    Example: povtrack check --as-of 2018-W26 --json
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    require_output(chosen, output)  # whether or not anything is found
    from povtrack.analysis.quality.check import fails, findings_json, findings_sheet, run_checks
    from povtrack.analysis.quality.findings import SEVERITIES

    given, fail_on = fail_on, fail_on.strip().lower()
    if fail_on not in SEVERITIES:
        raise UsageError(
            tr(
                f"--fail-on '{given}' 不是 {'、'.join(SEVERITIES)} 之一",
                f"--fail-on '{given}' is not one of {', '.join(SEVERITIES)}",
            )
        )

    store = open_store()
    plan = store.plan
    entries = store.entries()  # the entries that count (undone and superseded ones left out)
    when = as_of_date(store, as_of)
    findings = run_checks(plan, entries, store.allocations(), when)
    lang_now = labels().lang

    def sheets() -> list[Sheet]:
        return [findings_sheet(plan, findings, when, lang_now)]

    def payload() -> dict[str, Any]:
        return findings_json(plan, findings, when, lang_now)

    if not findings:
        if output is not None:
            # a scheduled job must never read last week's findings as this week's; written
            # without a word on stderr (cron mails any output)
            write_file(output, encode(chosen, sheets, payload))
        return
    emit(
        chosen,
        output=output,
        sheets=sheets,
        payload=payload,
        table=lambda: print_findings(plan, findings, when),
    )
    if fails(findings, fail_on):
        raise typer.Exit(int(ExitCode.FINDINGS))

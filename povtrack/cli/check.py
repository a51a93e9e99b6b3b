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

SHOWN_ENTRIES = 6  # entry ids shown in a table cell; JSON and exports list them all


def print_findings(plan: Plan, findings: list[Finding], as_of: date) -> None:
    """The findings as a table on stdout, errors first."""
    from rich.text import Text

    from povtrack.analysis.quality.check import SEVERITY_WORDS, summary
    from povtrack.output.screen.tables import new_table

    lab = labels()
    zh = lab.lang == "zh"
    counts = summary(findings)
    if zh:
        title = (
            f"数据检查 — 截至 {as_of.isoformat()}：错误{counts['error']}条，"
            f"警告{counts['warning']}条"
        )
    else:
        title = (
            f"Data checks — as of {as_of.isoformat()}: {counts['error']} errors, "
            f"{counts['warning']} warnings"
        )
    console = make_console()
    table = new_table(console, title)
    for key, zh_label, en_label in (
        ("severity", "级别", "Severity"),
        ("rule", "规则", "Rule"),
        ("area", "地区", "Area"),
        ("indicator", "指标", "Indicator"),
        ("explanation", "说明", "Explanation"),
        ("entries", "相关记录", "Entries"),
    ):
        table.add_column(
            lab.pick(zh_label, en_label),
            no_wrap=key in ("severity", "rule"),
            max_width={"indicator": 28, "entries": 20}.get(key),
            overflow="fold",  # Chinese has no spaces to wrap at: break it, never cut it
        )
    for f in findings:
        ind = plan.indicator(f.indicator)
        if plan.is_group(f.area):
            g = plan.group(f.area)
            area = lab.pick(g.name, g.name_en) + f" ({lab('summary')})"
        else:
            a = plan.area(f.area)
            area = lab.pick(a.name, a.name_en)
        ids = [f"#{i}" for i in f.entries[:SHOWN_ENTRIES]]
        if len(f.entries) > SHOWN_ENTRIES:
            more = len(f.entries) - SHOWN_ENTRIES
            ids.append(f"…+{more}" if not zh else f"…另{more}条")
        style = "error" if f.severity == "error" else "status.behind"
        table.add_row(
            Text(lab.pick(*SEVERITY_WORDS[f.severity]), style=style),
            f.rule,
            area,
            lab.pick(ind.name, ind.name_en),
            lab.pick(f.explanation, f.explanation_en),
            " ".join(ids),
        )
    console.print(table)


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

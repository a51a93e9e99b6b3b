"""Commands about the plan and the database itself: init, plan show|check, areas, demo."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    choose_lang,
    db_path,
    default_db_path,
    labels,
    lock_timeout,
    make_console,
    open_store,
    plan_app,
    print_json,
    print_status,
    require_task,
    say,
)
from povtrack.errors import DatabaseError

# ---------------------------------------------------------------------------- init / plan


@app.command()
def init(
    plan: Path | None = typer.Option(
        None, "--plan", help="A plan file instead of the bundled plan."
    ),
    force: bool = typer.Option(False, "--force", help="Move an existing database aside first."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Create the database with the bundled plan (datong-2018) or a plan file.

    Example: povtrack init --db ~/povtrack/datong.json
    """
    choose_db(db, lock_wait)
    from povtrack.planfile import bundled_text, read_plan_file
    from povtrack.storage import Database

    # A plan file is checked here, so errors name the file; the store parses the text once.
    text = read_plan_file(plan)[1] if plan is not None else bundled_text()
    path = db_path()
    with Database.creating(path, text, force=force, lock_timeout=lock_timeout()) as (store, moved):
        store.commit()
    parsed = store.plan
    if moved:
        say(f"moved the old database aside to {moved}")
    say(
        f"created {path} with plan {parsed.id}: {len(parsed.areas)} areas, "
        f"{len(parsed.indicators)} indicators, {len(parsed.plan_targets())} targets"
    )


def _plan_and_allocations(plan_file: Path | None) -> tuple[Any, list[Any]]:
    from povtrack.planfile import BUNDLED, bundled_text, parse_plan, read_plan_file

    if plan_file is not None:
        return read_plan_file(plan_file)[0], []
    try:
        store = open_store()
    except DatabaseError:
        if db_path().exists():
            raise
        say(f"no database at {db_path()}: showing the bundled plan {BUNDLED}")
        return parse_plan(bundled_text(), BUNDLED), []
    return store.plan, store.allocations()


@plan_app.command("show")
def plan_show(
    task: int | None = typer.Option(None, "--task", help="Only this task (0 = headline goals)."),
    plan_file: Path | None = typer.Option(None, "--plan", help="Show a plan file instead."),
    as_json: bool = JSON_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Show the plan: tasks, indicators and every target with its citation.

    Example: povtrack plan show --task 2
    """
    choose_db(db)
    choose_lang(lang)
    from povtrack.analysis.measure import all_targets
    from povtrack.output.shapes import plan_json

    plan, allocations = _plan_and_allocations(plan_file)
    require_task(plan, task)
    targets = all_targets(plan, allocations)
    if as_json:
        print_json(plan_json(plan, targets, task))
        return
    from povtrack.output.screen.tables import plan_table

    console = make_console()
    console.print(plan_table(console, plan, targets, labels(), task))


@plan_app.command("check")
def plan_check(file: Path = typer.Argument(..., help="The plan file (TOML).")) -> None:
    """Check a plan file; errors name the file, the key and what is wrong.

    Example: povtrack plan check my-plan.toml
    """
    from povtrack.analysis.quality.check import check_plan_rules
    from povtrack.errors import PlanError
    from povtrack.planfile import read_plan_file

    plan, _ = read_plan_file(file)
    findings = check_plan_rules(plan)  # parts that do not add up, rates beyond 100, ...
    said = {
        id(f): f"{file}: {f.rule}: {labels().pick(f.explanation, f.explanation_en)}"
        for f in findings
    }
    errors = [said[id(f)] for f in findings if f.severity == "error"]
    for f in findings:
        if f.severity == "warning":
            say(f"warning: {said[id(f)]}")
    if errors:
        raise PlanError(f"{file}: {len(errors)} target(s) break the plan's rules", details=errors)
    typer.echo(
        f"{file}: ok — plan {plan.id}: {len(plan.areas)} areas, {len(plan.groups)} groups, "
        f"{len(plan.tasks)} tasks, {len(plan.indicators)} indicators, "
        f"{len(plan.plan_targets())} targets"
    )


@app.command()
def areas(
    as_json: bool = JSON_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """List the areas and groups of the plan, with the names they can be given by.

    Example: povtrack areas --json
    """
    choose_db(db)
    choose_lang(lang)
    from povtrack.output.shapes import areas_json

    plan, _ = _plan_and_allocations(None)
    if as_json:
        print_json(areas_json(plan))
        return
    from povtrack.output.screen.tables import areas_table, groups_table

    console = make_console()
    console.print(areas_table(console, plan, labels()))
    console.print(groups_table(console, plan, labels()))


# ---------------------------------------------------------------------------- demo


@app.command()
def demo(
    db: str | None = typer.Option(
        None, "--db", help="Where to build the demo database (a file or sqlite:///PATH)."
    ),
    lang: str | None = LANG_OPTION,
) -> None:
    """Build a demo database from the bundled plan and the sample returns; show the status of
    every target, then the board.

    The demo never touches your own database (POVTRACK_DB or the default).
    Example: povtrack demo --db /tmp/povtrack-demo.json
    """
    choose_lang(lang)
    from povtrack.actions.writes import build_demo
    from povtrack.storage import db_location

    path = db_location(db) if db else default_db_path().with_name("demo.json")
    store, summary = build_demo(
        path, protect=[db_path(), default_db_path()], lock_timeout=lock_timeout()
    )
    from povtrack.analysis.status import status_rows
    from povtrack.cli.board import print_board

    when = store.latest_date()
    rows = status_rows(store.plan, store.ledger(), store.allocations(), when)
    print_status(store.plan, rows, when)
    print_board(store.plan, rows, when)  # the battle map last: what the meeting looks at
    say(summary)
    say(f"demo database: {path}")
    say(f"try: povtrack --db {path} status --task 2 --forecast")
    say(f"     povtrack --db {path} report --format html -o weekly.html")

"""``povtrack plan show`` and ``plan check``: the plan's targets, and a plan file checked."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    choose_db,
    choose_lang,
    db_file,
    db_path,
    labels,
    make_console,
    open_store,
    plan_app,
    print_json,
    require_task,
    say,
    warning_line,
)
from povtrack.errors import DatabaseError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.model import Allocation, Plan

# ---------------------------------------------------------------------------- init / plan


def plan_and_allocations(plan_file: Path | None) -> tuple[Plan, list[Allocation]]:
    from povtrack.planfile import BUNDLED, bundled_text, parse_plan, read_plan_file

    if plan_file is not None:
        return read_plan_file(plan_file)[0], []
    try:
        store = open_store()
    except DatabaseError:
        file = db_file()
        if file is None or file.exists():  # a server's database: never the bundled plan
            raise
        say(
            tr(
                f"{db_path()} 没有数据库：显示内置方案 {BUNDLED}",
                f"no database at {db_path()}: showing the bundled plan {BUNDLED}",
            )
        )
        return parse_plan(bundled_text(), BUNDLED), []
    return store.plan, store.allocations()


@plan_app.command("show")
def plan_show(
    task: int | None = typer.Option(
        None, "--task", help="Only this task (0 = headline goals).", autocompletion=complete.tasks
    ),
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

    plan, allocations = plan_and_allocations(plan_file)
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
            say(warning_line(said[id(f)]))
    if errors:
        raise PlanError(
            tr(
                f"{file}：有 {len(errors)} 个目标违反方案规则",
                f"{file}: {len(errors)} target(s) break the plan's rules",
            ),
            details=errors,
        )
    typer.echo(
        tr(
            f"{file}：完好 — 方案 {plan.id}：{len(plan.areas)} 个地区，{len(plan.groups)} 个组，"
            f"{len(plan.tasks)} 项任务，{len(plan.indicators)} 个指标，"
            f"{len(plan.plan_targets())} 个目标",
            f"{file}: ok — plan {plan.id}: {len(plan.areas)} areas, {len(plan.groups)} groups, "
            f"{len(plan.tasks)} tasks, {len(plan.indicators)} indicators, "
            f"{len(plan.plan_targets())} targets",
        )
    )

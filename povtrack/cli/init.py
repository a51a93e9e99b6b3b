"""``povtrack init``: a new database with the bundled plan or a plan file."""

from __future__ import annotations

from pathlib import Path

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    db_target,
    lock_timeout,
    say,
)
from povtrack.i18n import tr

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
    path = db_target()
    with Database.creating(path, text, force=force, lock_timeout=lock_timeout()) as (store, moved):
        store.commit()
    parsed = store.plan
    if moved:
        say(tr(f"已把旧数据库移到 {moved}", f"moved the old database aside to {moved}"))
    say(
        tr(
            f"已新建 {path}，方案 {parsed.id}：{len(parsed.areas)} 个地区，"
            f"{len(parsed.indicators)} 个指标，{len(parsed.plan_targets())} 个目标",
            f"created {path} with plan {parsed.id}: {len(parsed.areas)} areas, "
            f"{len(parsed.indicators)} indicators, {len(parsed.plan_targets())} targets",
        )
    )

"""``povtrack areas``: the city, its counties and districts, and their groups."""

from __future__ import annotations

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    app,
    choose_db,
    choose_lang,
    labels,
    make_console,
    print_json,
)
from povtrack.cli.plan import plan_and_allocations

# ---------------------------------------------------------------------------- init / plan


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

    plan, _ = plan_and_allocations(None)
    if as_json:
        print_json(areas_json(plan))
        return
    from povtrack.output.screen.tables import areas_table, groups_table

    console = make_console()
    console.print(areas_table(console, plan, labels()))
    console.print(groups_table(console, plan, labels()))

"""``povtrack target set`` and ``target list``: allocations of a target to areas."""

from __future__ import annotations

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    choose_db,
    choose_lang,
    labels,
    open_store,
    print_json,
    say,
    target_app,
    writing_store,
)
from povtrack.i18n import tr

# ---------------------------------------------------------------------------- writing


@target_app.command("set")
def target_set(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    value: str = typer.Argument(..., help="The area's share, in the indicator's unit."),
    area: str = typer.Option(..., "--area", help="Area id or name."),
    due: str | None = typer.Option(None, "--due", help="Due date (default: the plan's rule)."),
    by: str | None = typer.Option(None, "--by", help="Who sets it [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Allocate a city target to an area (the newest allocation counts; none is overwritten).

    Example: povtrack target set housing.relocated_people 9000 --area 阳高县
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.writes import current_user, set_target
    from povtrack.analysis.measure import allocation_due
    from povtrack.cli.confirm import allocation_text, amount, slip_text, warning
    from povtrack.dates import parse_day

    with writing_store() as store:
        made = set_target(
            store,
            indicator,
            value,
            area,
            parse_day(due) if due else None,
            by=current_user(by),
            source="target set",
        )
        store.commit()
    ind, alloc, words = made.indicator, made.allocation, labels()
    due_day = allocation_due(store.plan, ind, alloc).isoformat()
    meaning = allocation_text(ind, made.standing, words)
    figure = amount(alloc.value, ind.unit, words)
    if words.lang == "zh":
        say(f"分解任务 {ind.id}，{alloc.area}：{figure}，截止{due_day}；{meaning}")
    else:
        say(f"target {ind.id} for {alloc.area}: {figure} by {due_day}; {meaning}")
    if made.slip is not None:
        command = f"povtrack target set {ind.id} FIXED --area {alloc.area}"
        text = slip_text(
            store.plan, ind, alloc.area, made.slip, words, whose="city", command=command, again=True
        )
        say(warning(text, words))


@target_app.command("list")
def target_list(
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """List the allocations recorded so far, oldest first.

    Example: povtrack target list --json
    """
    choose_db(db)
    from povtrack.output.shapes import allocation_json

    store = open_store()
    allocations = store.allocations()
    if as_json:
        print_json({"allocations": [allocation_json(a) for a in allocations]})
        return
    for a in allocations:
        due = a.due.isoformat() if a.due else tr("（按方案规则）", "(plan rule)")
        typer.echo(f"{a.indicator}\t{a.area}\t{a.value}\t{due}")

"""``povtrack record``: one value, typed by hand, with a confirmation of what it means."""

from __future__ import annotations

from datetime import date

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    DB_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    choose_lang,
    labels,
    say,
    writing_store,
)
from povtrack.errors import UsageError
from povtrack.i18n import tr

# ---------------------------------------------------------------------------- writing


def _when(day: str | None, week: str | None) -> date:
    """--date or --week, else today."""
    from povtrack.dates import parse_day, parse_week

    if day and week:
        raise UsageError(tr("--date 和 --week 只能给一个", "give --date or --week, not both"))
    if week:
        return parse_week(week)
    return parse_day(day) if day else date.today()


@app.command()
def record(
    indicator: str = typer.Argument(
        ..., help="Indicator id or name.", autocompletion=complete.indicators
    ),
    value: str = typer.Argument(..., help="Running total to date (or the increment)."),
    area: str = typer.Option(
        ...,
        "--area",
        help="Area id or name (简体, 繁體 or English).",
        autocompletion=complete.areas,
    ),
    day: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today)."),
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2018-W23 (its Sunday)."),
    note: str = typer.Option("", "--note", help="A note or evidence reference."),
    by: str | None = typer.Option(None, "--by", help="Who reports it [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Record one reported value for one area.

    Example: povtrack record housing.relocated_people 5200 --area 阳高县 --week 2018-W23
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.writes import current_user, record_value
    from povtrack.cli.confirm import slip_warning, standing_text, typed
    from povtrack.dates import iso_week
    from povtrack.names import scope_names
    from povtrack.textsafe import refuse_controls

    refuse_controls(note, "--note", allow="\t\n")
    when = _when(day, week)
    with writing_store(adds_only=True) as store:
        done = record_value(store, indicator, value, area, when, note=note, by=current_user(by))
        store.commit()
    entry, words, plan = done.entry, labels(), store.plan
    ind = plan.indicator(entry.indicator)
    area_name = words.pick(*scope_names(plan, entry.area))
    figure = typed(entry.value, ind.unit, words)
    day_text = f"{entry.date.isoformat()}（{iso_week(entry.date)}）"
    meaning = standing_text(plan, ind, done.standing, words)
    if words.lang == "zh":
        say(
            f"已记录第{entry.id}条：{entry.indicator} = {figure}，{area_name}（{entry.area}），"
            f"{day_text}；{meaning}"
        )
    else:
        say(
            f"recorded entry {entry.id}: {entry.indicator} = {figure} for {area_name} "
            f"({entry.area}) on {entry.date.isoformat()} ({iso_week(entry.date)}); {meaning}"
        )
    slipped = slip_warning(plan, done, words)
    if slipped:
        say(slipped)

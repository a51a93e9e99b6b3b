"""``povtrack correct``: a corrected value for an entry, with a reason (nothing is overwritten)."""

from __future__ import annotations

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LANG_OPTION,
    LOCK_OPTION,
    MAX_ENTRY_ID,
    app,
    choose_db,
    choose_lang,
    labels,
    say,
    writing_store,
)


@app.command()
def correct(
    entry: int = typer.Argument(
        ...,
        min=1,
        max=MAX_ENTRY_ID,
        help="The id of the entry to correct (see 'povtrack log').",
    ),
    value: str = typer.Argument(..., help="The right value, in the indicator's unit."),
    reason: str = typer.Option(..., "--reason", help="Why: kept with the correction."),
    by: str | None = typer.Option(None, "--by", help="Who corrects [env POVTRACK_USER]."),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Correct an entry: a new entry supersedes it; both stay in 'log --all', with who, when
    and why.

    Example: povtrack correct 1042 5230 --reason "county resubmitted: 30 households counted twice"
    """
    choose_db(db, lock_wait)
    choose_lang(lang)
    from povtrack.actions.corrections import correct_entry
    from povtrack.actions.writes import current_user
    from povtrack.cli.confirm import plain, slip_warning, standing_text, typed
    from povtrack.textsafe import refuse_controls

    refuse_controls(reason, "--reason", allow="\t\n")
    with writing_store() as store:
        old = store.entry(entry)
        done = correct_entry(store, entry, value, reason=reason, by=current_user(by))
        store.commit()
    assert old is not None  # correct_entry refused an unknown id
    new, words, plan = done.entry, labels(), store.plan
    ind = plan.indicator(new.indicator)
    change = f"{plain(old.value)} -> {typed(new.value, ind.unit, words)}"
    meaning = standing_text(plan, ind, done.standing, words)
    if words.lang == "zh":
        say(
            f"第{new.id}条更正第{entry}条：{new.indicator}，{new.area}，{new.date.isoformat()}："
            f"{change}（{new.reason}）；{meaning}"
        )
    else:
        say(
            f"entry {new.id} corrects entry {entry}: {new.indicator} for {new.area} on "
            f"{new.date.isoformat()}: {change} ({new.reason}); {meaning}"
        )
    slipped = slip_warning(plan, done, words)
    if slipped:
        say(slipped)

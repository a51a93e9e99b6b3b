"""``povtrack log``: the entries, and which of them count."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from povtrack.cli import complete
from povtrack.cli.app import (
    DB_OPTION,
    LANG_OPTION,
    app,
    choose_db,
    choose_lang,
    labels,
    make_console,
    open_store,
    say,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)

# ---------------------------------------------------------------------------- writing


@app.command()
def log(
    area: str | None = typer.Option(
        None, "--area", help="Only this area.", autocompletion=complete.areas
    ),
    indicator: str | None = typer.Option(
        None, "--indicator", help="Only this indicator.", autocompletion=complete.indicators
    ),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many entries."),
    everything: bool = typer.Option(
        False,
        "--all",
        help="The whole history: corrected, replaced and undone entries too, with why.",
    ),
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Show the entries that count, newest first, with where each came from; --all shows every
    entry ever recorded, in the order recorded, with its state (counts, superseded, replaced,
    undone).

    Example: povtrack log --area 天镇 --indicator housing.relocated_people
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.jsonable import entry_json
    from povtrack.names import resolve_area, resolve_indicator
    from povtrack.output.shapes import log_sheet

    store = open_store()
    entries = store.all_entries() if everything else store.entries()
    pool = len(entries)  # before the filters
    area_id: str | None = None
    ind_id: str | None = None
    states: dict[int, str] | None = None
    if everything:
        from povtrack.ledger import entry_states

        states = entry_states(entries, store.batches())
    if area:
        area_id = resolve_area(store.plan, area)
        entries = [e for e in entries if e.area == area_id]
    if indicator:
        ind_id = resolve_indicator(store.plan, indicator).id
        entries = [e for e in entries if e.indicator == ind_id]
    if everything:  # the history, as it was recorded
        entries.sort(key=lambda e: e.id, reverse=True)
    else:
        entries.sort(key=lambda e: (e.date, e.id), reverse=True)
    entries = entries[:limit] if limit else entries

    def table() -> None:
        from povtrack.output.screen.tables import log_table

        console = make_console()
        console.print(log_table(console, store.plan, entries, labels(), states))

    def payload() -> dict[str, Any]:
        rows = [entry_json(e) for e in entries]
        if states is None:
            return {"entries": rows}
        for row in rows:
            row["state"] = states[row["id"]]
        return {"entries": rows, "batches": store.batches()}

    emit(
        chosen,
        output=output,
        sheets=lambda: [log_sheet(store.plan, entries, labels().lang, states)],
        payload=payload,
        table=table,
    )
    if not entries:  # an empty table says why, under it (stderr: stdout stays the data)
        from povtrack.analysis.empty import log_note

        counting = len(store.entries()) if everything else pool
        recorded = pool if everything else len(store.all_entries())
        note = log_note(
            store.plan,
            shown=0,
            counting=counting,
            recorded=recorded,
            area=area_id,
            indicator=ind_id,
            everything=everything,
        )
        if note:
            say(note)

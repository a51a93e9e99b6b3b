"""Commands: board (the battle map, 挂图作战)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

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
    say,
)
from povtrack.cli.output import (
    FORMAT_OPTION,
    JSON_FORMAT_OPTION,
    OUTPUT_OPTION,
    choose_format,
    emit,
)

if TYPE_CHECKING:
    from povtrack.analysis.status import StatusRow
    from povtrack.model import Plan


def print_board(plan: Plan, rows: list[StatusRow], as_of: date) -> None:
    """The battle map on stdout, from ``status_rows(plan, entries, allocations, as_of)`` with
    no task or scope filter (used by `board`; `demo` may show it too)."""
    from povtrack.analysis.board import make_board
    from povtrack.output.screen.board import board_table

    lang = labels().lang
    console = make_console()
    name = labels().pick(plan.name, plan.name_en)
    console.print(board_table(console, name, make_board(plan, rows, as_of), lang))


@app.command()
def board(
    as_of: str | None = AS_OF_OPTION,
    as_json: bool = JSON_FORMAT_OPTION,
    fmt: str | None = FORMAT_OPTION,
    output: Path | None = OUTPUT_OPTION,
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """The battle map (挂图作战): every area and group against every task, one cell each.

    A cell is the worst status of that area's targets in that task (overdue, behind, on
    track, done), how many rows share it, and the figure that matters: progress against the
    pace expected by now (42/60%), or what is still missing once past due. "—": no target.

    Example: povtrack board --as-of 2018-W26 --lang zh
    """
    choose_db(db)
    choose_lang(lang)
    chosen = choose_format(fmt, as_json, output)
    from povtrack.analysis.board import board_json, board_sheet, make_board
    from povtrack.analysis.status import status_rows

    store = open_store()
    plan = store.plan
    when = as_of_date(store, as_of)
    rows = status_rows(plan, store.ledger_at(when), store.allocations(), when, pace=False)
    made = make_board(plan, rows, when)
    emit(
        chosen,
        output=output,
        sheets=lambda: [board_sheet(made, labels().lang)],
        payload=lambda: board_json(made),
        table=lambda: print_board(plan, rows, when),
    )
    if all(r.actual is None for r in rows):  # a board of "no data" says why (stderr)
        from povtrack.analysis.empty import no_entries_note

        note = no_entries_note(len(store.entries()))
        if note:
            say(note)

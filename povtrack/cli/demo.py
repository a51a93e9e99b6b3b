"""``povtrack demo``: a database filled with the sample returns, and its board."""

from __future__ import annotations

from unicodedata import east_asian_width

import typer

from povtrack.cli.app import (
    LANG_OPTION,
    app,
    choose_lang,
    db_path,
    default_db_path,
    lock_timeout,
    print_status,
    say,
)
from povtrack.i18n import tr

# ---------------------------------------------------------------------------- init / plan


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
    rows = status_rows(store.plan, store.ledger_at(when), store.allocations(), when)
    print_status(store.plan, rows, when)
    print_board(store.plan, rows, when)  # the battle map last: what the meeting looks at
    say(summary)
    say(tr(f"演示数据库：{path}", f"demo database: {path}"))
    head = tr("试试：", "try: ")
    say(f"{head}povtrack --db {path} status --task 2 --forecast")
    under = " " * sum(2 if east_asian_width(c) in "WF" else 1 for c in head)  # as wide as head
    say(under + f"povtrack --db {path} report --format html -o weekly.html")

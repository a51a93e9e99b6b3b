"""``povtrack import``: the week's return files (CSV, XLSX), all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    open_store,
    print_json,
    progress,
    say,
    writing_store,
)

if TYPE_CHECKING:
    from povtrack.actions.writes import ImportResult

LAYOUTS = ("long", "wide")  # as povtrack.returns.headers.LAYOUTS (not imported at start-up)
LAYOUT_OPTION = typer.Option(
    None,
    "--layout",
    help="long (one value a row) or wide (indicators across) [default: from each header].",
)


def check_layout(layout: str | None) -> None:
    """--layout is long, wide or not given; refused before any file is read."""
    if layout is not None and layout not in LAYOUTS:
        from povtrack.errors import UsageError
        from povtrack.i18n import tr

        raise UsageError(
            tr(
                f"--layout '{layout}' 不是 long 或 wide",
                f"--layout '{layout}' is not one of long, wide",
            )
        )


# ---------------------------------------------------------------------------- writing


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(
        ..., help="CSV or XLSX files: date,area,indicator,value[,note], or indicators across."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection."),
    layout: str | None = LAYOUT_OPTION,
    by: str | None = typer.Option(None, "--by", help="Who imports [env POVTRACK_USER]."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check everything and say what would change; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Import weekly returns; all files are one batch, all or nothing.

    Example: povtrack import returns/2018-W23-*.csv
    """
    choose_db(db, lock_wait)
    check_layout(layout)
    from povtrack.actions.writes import current_user, import_returns
    from povtrack.returns.reader import display_name
    from povtrack.textsafe import escape, refuse_controls

    for f in files:  # a file's name is kept with every entry it brings (and shown by 'log')
        name = display_name(f)
        refuse_controls(name, f"FILES {escape(name)}")
    if dry_run:  # the same checks and the same arithmetic, on a database opened to read
        store = open_store()
        with progress("reading rows") as tick:
            result = import_returns(
                store, files, by=current_user(by), encoding=encoding, tick=tick, layout=layout
            )
        _say_dry_run(result)
        if as_json:
            print_json(result.as_json(dry_run=True, database=store.warnings))
        return
    with writing_store() as store, progress("reading rows") as tick:
        result = import_returns(
            store, files, by=current_user(by), encoding=encoding, tick=tick, layout=layout
        )
        store.commit()
    for line in result.already:
        say(line)
    for w in result.warnings:
        say(f"warning: {w.message}")
    for report in result.per_file:
        if report["status"] == "imported":
            say(f"{report['file']}: {report['rows']} rows, read as {report['encoding']}")
    for line in result.read_notes:  # a title row, Chinese names, the wide layout
        say(line)
    if result.batch:
        say(
            f"imported {result.added} entries from {len(result.files)} file(s) as batch "
            f"{result.batch}"
            + (f"; {result.unchanged} unchanged rows skipped" if result.unchanged else "")
        )
    else:
        say("nothing new to import")
    if as_json:
        print_json(result.as_json(database=store.warnings))


def _say_dry_run(result: ImportResult) -> None:
    for line in result.already:
        say(line)
    for line in result.read_lines:  # how each file was read, before what it would change
        say(line)
    for w in result.warnings:
        say(f"warning: {w.message}")
    new = sum(1 for c in result.changes if c["previous"] is None)
    say(
        f"dry run, nothing written: would add {result.added} entries "
        f"({new} new, {result.added - new} changing a value already recorded for that date)"
        + (f"; {result.unchanged} unchanged rows would be skipped" if result.unchanged else "")
    )
    for c in result.changes[:20]:
        before = "new" if c["previous"] is None else f"was {c['previous']}"
        say(f"  {c['source']}: {c['indicator']} {c['area']} {c['date']} = {c['value']} ({before})")
    if len(result.changes) > 20:
        say(f"  … and {len(result.changes) - 20} more (--json lists them all)")

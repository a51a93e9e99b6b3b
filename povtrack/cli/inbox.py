"""``povtrack inbox``: take every return waiting in a shared folder, one by one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LOCK_OPTION,
    MAX_LOCK_TIMEOUT,
    app,
    choose_db,
    db_path,
    lock_timeout,
    print_json,
    say,
)
from povtrack.cli.import_ import LAYOUT_OPTION, check_layout
from povtrack.errors import ExitCode


@app.command()
def inbox(
    folder: Path = typer.Argument(..., help="The inbox folder offices drop their returns into."),
    settle: float = typer.Option(
        5.0,
        "--settle",
        min=0,
        max=MAX_LOCK_TIMEOUT,
        help="Leave files changed in the last N seconds (still arriving); at most a day.",
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection."),
    layout: str | None = LAYOUT_OPTION,
    by: str | None = typer.Option(None, "--by", help="Who imports [env POVTRACK_USER]."),
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Import every return waiting in a folder, oldest first, each on its own.

    Each file moves to FOLDER/done/ or FOLDER/rejected/ (with NAME.reason.txt beside it);
    links, pipes and other non-files are rejected unread. Exit 2 when any file was rejected
    or left in place, or the inbox's own folders are unusable.

    Example: povtrack inbox /mnt/share/returns-inbox
    """
    choose_db(db, lock_wait)
    check_layout(layout)
    from povtrack.actions.inbox import take_inbox
    from povtrack.actions.writes import current_user

    run = take_inbox(
        db_path(),
        folder,
        by=current_user(by),
        encoding=encoding,
        settle=settle,
        lock_timeout=lock_timeout(),
        layout=layout,
    )
    if as_json:
        doc: dict[str, Any] = {"inbox": str(folder), "files": [o.as_json() for o in run.outcomes]}
        if run.problems:
            doc["problems"] = run.problems
        print_json(doc)
    else:
        for o in run.outcomes:
            where = f" -> {o.moved_to}" if o.moved_to else ""
            say(f"{o.status}: {o.name}: {o.message}{where}")
            for w in o.warnings:
                say(f"warning: {o.name}: {w.message}")
        left = run.count("left")
        say(
            f"inbox {folder}: {run.count('imported')} imported, {run.count('already')} already "
            f"imported, {run.count('rejected')} rejected, {run.count('waiting')} still arriving"
            + (f", {left} left in place" if left else "")
        )
    for line in run.problems:
        say(f"error: {line}")
    if run.stopped is not None:
        raise run.stopped  # after saying what was done: the rest stay for the next run
    if run.count("rejected") or run.count("left") or run.problems:
        raise typer.Exit(int(ExitCode.USAGE))

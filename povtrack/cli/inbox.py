"""``povtrack inbox``: take every return waiting in a shared folder, one by one, into a
database file or a PostgreSQL server (``actions.inbox``)."""

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
    db_target,
    error_line,
    lock_timeout,
    print_json,
    say,
    warning_line,
)
from povtrack.cli.import_ import LAYOUT_OPTION, check_layout
from povtrack.errors import ExitCode
from povtrack.i18n import tr

# an outcome's status as the screen says it (JSON keeps the English codes)
_STATUS_ZH = {
    "imported": "已导入",
    "already": "已导入过",
    "rejected": "已退回",
    "waiting": "等待中",
    "left": "留在原处",
}


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
    by: str | None = typer.Option(
        None,
        "--by",
        help="Who imports [env POVTRACK_USER]; on a PostgreSQL server the login is the author "
        "and each return is recorded on behalf of its area.",
    ),
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Import every return waiting in a folder, oldest first, each on its own.

    Each file moves to FOLDER/done/ or FOLDER/rejected/ (with NAME.reason.txt beside it);
    links, pipes and other non-files are rejected unread. Exit 2 when any file was rejected
    or left in place, or the inbox's own folders are unusable; exit 7 when a PostgreSQL server
    refused this login a file (it stays in FOLDER).

    Example: povtrack inbox /mnt/share/returns-inbox
    """
    choose_db(db, lock_wait)
    check_layout(layout)
    from povtrack.actions.inbox import take_inbox
    from povtrack.actions.writes import current_user

    run = take_inbox(
        db_target(),
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
            status = tr(_STATUS_ZH.get(o.status, o.status), o.status)
            say(
                tr(
                    f"{status}：{o.name}：{o.message}{where}",
                    f"{o.status}: {o.name}: {o.message}{where}",
                )
            )
            for w in o.warnings:
                say(warning_line(f"{o.name}: {w.message}"))
        left = run.count("left")
        counts = {k: run.count(k) for k in ("imported", "already", "rejected", "waiting")}
        say(
            tr(
                f"收件箱 {folder}：已导入 {counts['imported']} 个，"
                f"之前已导入 {counts['already']} 个，退回 {counts['rejected']} 个，"
                f"仍在传送 {counts['waiting']} 个" + (f"，留在原处 {left} 个" if left else ""),
                f"inbox {folder}: {counts['imported']} imported, {counts['already']} already "
                f"imported, {counts['rejected']} rejected, {counts['waiting']} still arriving"
                + (f", {left} left in place" if left else ""),
            )
        )
    for line in run.problems:
        say(error_line(line))
    if run.stopped is not None:
        raise run.stopped  # after saying what was done: the rest stay for the next run
    if run.refused:  # the server's refusal outranks a rejected file: it needs another login
        raise typer.Exit(int(ExitCode.NOT_PERMITTED))
    if run.count("rejected") or run.count("left") or run.problems:
        raise typer.Exit(int(ExitCode.USAGE))

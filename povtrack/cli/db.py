"""Commands that look after the database file (db verify|backup|backups|restore|migrate) and
the shared-drive inbox importer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LOCK_OPTION,
    MAX_LOCK_TIMEOUT,
    _Group,
    _Typer,
    app,
    choose_db,
    db_path,
    lock_timeout,
    print_json,
    say,
)
from povtrack.errors import ExitCode

db_app = _Typer(
    cls=_Group,
    help="Verify, back up and restore the database file.\n\nExample: povtrack db verify",
    no_args_is_help=True,
)
app.add_typer(db_app, name="db")


def _maintenance(path: Path) -> Any:
    """The maintenance module of the database's backend (the same functions in each)."""
    from povtrack.storage import backend_of

    if backend_of(path) == "sqlite":
        from povtrack.storage.sqlite import maintenance as maintenance_sqlite

        return maintenance_sqlite
    from povtrack.storage.json import maintenance

    return maintenance


@db_app.command("verify")
def db_verify(
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Check the whole database: structure, schema, every record and what it refers to.

    Exit 0 when sound, 4 with every problem listed when not.

    Example: povtrack db verify
    """
    choose_db(db)
    verdict = _maintenance(db_path()).verify(db_path())
    if as_json:
        print_json(verdict.as_json())
    if verdict.problems:
        if not as_json:
            for line in verdict.problems:
                say(f"error: {line}")
        raise typer.Exit(int(ExitCode.DATABASE))
    if not as_json:
        say(
            f"{verdict.path}: ok — schema {verdict.schema}, generation {verdict.generation}, "
            f"{verdict.entries} entries, {verdict.allocations} allocations, "
            f"{verdict.batches} batches, {verdict.backups} backups"
        )


@db_app.command("backup")
def db_backup(db: str | None = DB_OPTION, lock_wait: float | None = LOCK_OPTION) -> None:
    """Keep a copy of the database now (kept until you remove it; commits keep their own).

    Example: povtrack db backup
    """
    choose_db(db, lock_wait)
    dest = _maintenance(db_path()).backup_now(db_path(), lock_timeout=lock_timeout())
    typer.echo(str(dest))
    say(f"backed up {db_path()} to {dest}")


@db_app.command("backups")
def db_backups(
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """List the backups, newest first, with their generation and whether each is usable.

    Example: povtrack db backups
    """
    choose_db(db)
    rows = _maintenance(db_path()).describe_backups(db_path())
    if as_json:
        print_json({"backups": rows})
        return
    if not rows:
        say(f"no backups of {db_path()} yet (each write keeps one)")
    for row in rows:
        if row["ok"]:
            typer.echo(
                f"{row['name']}\tgeneration {row['generation']}\t{row['entries']} entries\t"
                f"{row['committed_at']}"
            )
        else:
            typer.echo(f"{row['name']}\tunusable: {row['problem']}")


@db_app.command("restore")
def db_restore(
    backup: str | None = typer.Argument(
        None, help="Backup file, its name, or a generation number (default: newest good one)."
    ),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Put a backup back in place, atomically; the current file is kept as a backup first.

    Example: povtrack db restore gen-000012.json
    """
    choose_db(db, lock_wait)
    path = db_path()
    maintenance = _maintenance(path)
    chosen = maintenance.find_backup(path, backup)
    done = maintenance.restore(path, chosen, lock_timeout=lock_timeout())
    if done.kept:
        say(f"kept the current file as {done.kept}")
    say(f"restored {path} from {done.backup} (now generation {done.generation})")


@db_app.command("migrate")
def db_migrate(
    to: str = typer.Option(
        ..., "--to", help="The new database: a .json file, a .sqlite file or sqlite:///PATH."
    ),
    as_json: bool = JSON_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Copy the database, every entry, correction, batch and allocation, into a new database
    of another backend (chosen by the new file's name); the database itself is not changed.

    Exit 2, nothing written, when PATH exists or is this database.

    Example: povtrack db migrate --to tracker.sqlite
    """
    choose_db(db, lock_wait)
    from povtrack.storage import db_location
    from povtrack.storage.migrate import migrate

    moved = migrate(db_path(), db_location(to), lock_timeout=lock_timeout())
    if as_json:
        print_json(moved.as_json())
    summary = moved.as_json()
    say(
        f"migrated {summary['source']} ({summary['source_backend']}) to {summary['target']} "
        f"({summary['target_backend']}): {moved.entries} entries, {moved.batches} batches, "
        f"{moved.allocations} allocations; generation {moved.generation} "
        f"(was {moved.source_generation})"
    )


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
    from povtrack.actions.inbox import take_inbox
    from povtrack.actions.writes import current_user

    run = take_inbox(
        db_path(),
        folder,
        by=current_user(by),
        encoding=encoding,
        settle=settle,
        lock_timeout=lock_timeout(),
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

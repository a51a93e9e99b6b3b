"""``povtrack db``: verify, back up, list backups, restore, migrate between backends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LOCK_OPTION,
    _Group,
    _Typer,
    app,
    choose_db,
    db_path,
    db_target,
    error_line,
    lock_timeout,
    print_json,
    say,
)
from povtrack.errors import ExitCode
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl

if TYPE_CHECKING:
    from types import ModuleType

db_app = _Typer(
    cls=_Group,
    help="Verify, back up and restore the database file.\n\nExample: povtrack db verify",
    no_args_is_help=True,
)


app.add_typer(db_app, name="db")


def _maintenance(path: Path) -> ModuleType:
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
    target = db_target()
    if isinstance(target, PgUrl):
        from povtrack.storage.postgres.maintenance import verify

        verdict = verify(target)
    else:
        verdict = _maintenance(target).verify(target)
    if as_json:
        print_json(verdict.as_json())
    if verdict.problems:
        if not as_json:
            for line in verdict.problems:
                say(error_line(line))
        raise typer.Exit(int(ExitCode.DATABASE))
    if not as_json:
        v = verdict
        say(
            tr(
                f"{v.path}：完好 — 格式版本 {v.schema}，第 {v.generation} 版，{v.entries} 条记录，"
                f"{v.allocations} 项分解任务，{v.batches} 个批次，{v.backups} 个备份",
                f"{verdict.path}: ok — schema {verdict.schema}, generation {verdict.generation}, "
                f"{verdict.entries} entries, {verdict.allocations} allocations, "
                f"{verdict.batches} batches, {verdict.backups} backups",
            )
        )


@db_app.command("backup")
def db_backup(db: str | None = DB_OPTION, lock_wait: float | None = LOCK_OPTION) -> None:
    """Keep a copy of the database now (kept until you remove it; commits keep their own).

    Example: povtrack db backup
    """
    choose_db(db, lock_wait)
    dest = _maintenance(db_path()).backup_now(db_path(), lock_timeout=lock_timeout())
    typer.echo(str(dest))
    say(tr(f"已把 {db_path()} 备份到 {dest}", f"backed up {db_path()} to {dest}"))


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
        say(
            tr(
                f"{db_path()} 还没有备份（每次写入都会保留一份）",
                f"no backups of {db_path()} yet (each write keeps one)",
            )
        )
    for row in rows:
        if row["ok"]:
            name, generation, entries = row["name"], row["generation"], row["entries"]
            typer.echo(
                tr(
                    f"{name}\t第 {generation} 版\t{entries} 条记录\t{row['committed_at']}",
                    f"{name}\tgeneration {generation}\t{entries} entries\t{row['committed_at']}",
                )
            )
        else:
            typer.echo(
                tr(
                    f"{row['name']}\t无法使用：{row['problem']}",
                    f"{row['name']}\tunusable: {row['problem']}",
                )
            )


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
        say(tr(f"已把当前文件保留为 {done.kept}", f"kept the current file as {done.kept}"))
    say(
        tr(
            f"已用 {done.backup} 恢复 {path}（现为第 {done.generation} 版）",
            f"restored {path} from {done.backup} (now generation {done.generation})",
        )
    )


@db_app.command("migrate")
def db_migrate(
    to: str = typer.Option(
        ...,
        "--to",
        help="The new database: a .json file, a .sqlite file, sqlite:///PATH or postgresql://...",
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
    from povtrack.storage import db_target as target_of
    from povtrack.storage.migrate import migrate

    moved = migrate(db_target(), target_of(to), lock_timeout=lock_timeout())
    if as_json:
        print_json(moved.as_json())
    summary = moved.as_json()
    s, m = summary, moved
    say(
        tr(
            f"已把 {s['source']}（{s['source_backend']}）迁移到 {s['target']}"
            f"（{s['target_backend']}）：{m.entries} 条记录，{m.batches} 个批次，"
            f"{m.allocations} 项分解任务；第 {m.generation} 版（原为第 {m.source_generation} 版）",
            f"migrated {summary['source']} ({summary['source_backend']}) to {summary['target']} "
            f"({summary['target_backend']}): {moved.entries} entries, {moved.batches} batches, "
            f"{moved.allocations} allocations; generation {moved.generation} "
            f"(was {moved.source_generation})",
        )
    )

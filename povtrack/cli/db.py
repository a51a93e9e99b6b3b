"""``povtrack db``: verify, back up, list backups, restore, migrate between backends.

Backups of a database file live beside it (``storage.json``/``storage.sqlite`` maintenance);
those of a PostgreSQL database are files in a folder of the client's (``--folder``), restored
into a new database only (``storage.postgres.backup``)."""

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
    warning_line,
)
from povtrack.errors import ExitCode, UsageError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl

if TYPE_CHECKING:
    from types import ModuleType

db_app = _Typer(
    cls=_Group,
    help="Verify, back up and restore the database; move it to another backend.\n\n"
    "Example: povtrack db verify",
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


FOLDER_OPTION = typer.Option(
    None,
    "--folder",
    help="PostgreSQL only: the folder of backups (default: postgresql-backups in your user "
    "data directory). A database file keeps its backups in NAME.backups/.",
)


def _pg_folder(folder: Path | None) -> Path:
    from povtrack.storage.postgres.backup import default_folder

    return folder if folder is not None else default_folder()


def _no_folder(folder: Path | None) -> None:
    if folder is not None:
        raise UsageError(
            tr(
                f"--folder 只用于 PostgreSQL 数据库；数据库文件的备份在 {db_path()}.backups/ 中",
                f"--folder is for a PostgreSQL database; the backups of a database file are in "
                f"{db_path()}.backups/",
            )
        )


@db_app.command("backup")
def db_backup(
    folder: Path | None = FOLDER_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Keep a copy of the database now (kept until you remove it; commits keep their own).

    On PostgreSQL: the whole database, its offices included, as a file in --folder that
    povtrack alone can restore ('db restore --to'); any login that may read may back up.

    Example: povtrack db backup

    Example: povtrack --db postgresql://clerk@db.example/povtrack db backup --folder /srv/backups
    """
    choose_db(db, lock_wait)
    target = db_target()
    if isinstance(target, PgUrl):
        from povtrack.storage.postgres.backup import backup_now

        taken = backup_now(target, _pg_folder(folder))
        typer.echo(str(taken.path))
        t = taken
        say(
            tr(
                f"已把 {target} 备份到 {t.path}：第 {t.generation} 版，{t.entries} 条记录，"
                f"{t.batches} 个批次，{t.allocations} 项分解任务，{t.offices} 个办公账号",
                f"backed up {target} to {taken.path}: generation {taken.generation}, "
                f"{taken.entries} entries, {taken.batches} batches, {taken.allocations} "
                f"allocations, {taken.offices} offices",
            )
        )
        return
    _no_folder(folder)
    dest = _maintenance(db_path()).backup_now(db_path(), lock_timeout=lock_timeout())
    typer.echo(str(dest))
    say(tr(f"已把 {db_path()} 备份到 {dest}", f"backed up {db_path()} to {dest}"))


@db_app.command("backups")
def db_backups(
    as_json: bool = JSON_OPTION,
    folder: Path | None = FOLDER_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """List the backups, newest first, with their generation and whether each is usable.

    On PostgreSQL: the backups of this database in --folder (other databases' backups there
    are not listed).

    Example: povtrack db backups
    """
    choose_db(db)
    target = db_target()
    if isinstance(target, PgUrl):
        from povtrack.storage.postgres.backup import describe_backups

        where = _pg_folder(folder)
        rows = describe_backups(target, where)
        none_yet = tr(
            f"{where} 中还没有 {target} 的备份（用 'povtrack db backup' 备份）",
            f"no backups of {target} in {where} yet (make one with 'povtrack db backup')",
        )
    else:
        _no_folder(folder)
        rows = _maintenance(db_path()).describe_backups(db_path())
        none_yet = tr(
            f"{db_path()} 还没有备份（每次写入都会保留一份）",
            f"no backups of {db_path()} yet (each write keeps one)",
        )
    if as_json:
        print_json({"backups": rows})
        return
    if not rows:
        say(none_yet)
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
    to: str | None = typer.Option(
        None,
        "--to",
        help="PostgreSQL only: the new database to restore into, postgresql://.../NEWDB (made "
        "with createdb, without povtrack data); the database backed up is never changed.",
    ),
    folder: Path | None = FOLDER_OPTION,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Put a backup back in place, atomically; the current file is kept as a backup first.

    On PostgreSQL, a backup goes into a new database (--to), never over the rows of one: the
    offices it recorded get their grants back where their logins exist; the command then says
    how to switch to the new database.

    Example: povtrack db restore gen-000012.json

    Example: povtrack --db postgresql://admin@db.example/povtrack db restore --to
    postgresql://admin@db.example/povtrack_restored
    """
    choose_db(db, lock_wait)
    target = db_target()
    if to is not None or isinstance(target, PgUrl):
        _restore_pg(backup, to, target if isinstance(target, PgUrl) else None, folder)
        return
    _no_folder(folder)
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


def _restore_pg(
    backup: str | None, to: str | None, source: PgUrl | None, folder: Path | None
) -> None:
    """``db restore`` of a PostgreSQL backup into the new database ``to``."""
    import shlex

    from povtrack.storage import db_target as target_of

    if to is None:
        raise UsageError(
            tr(
                f"{source}：PostgreSQL 数据库的备份恢复到新数据库，绝不就地覆盖：请加 "
                "--to postgresql://…/新数据库（用 createdb 建立的空数据库）",
                f"{source}: a PostgreSQL backup is restored into a new database, never in "
                "place: add --to postgresql://.../NEWDB (an empty database made with createdb)",
            )
        )
    new = target_of(to)
    if not isinstance(new, PgUrl):
        raise UsageError(
            tr(
                f"{new}：--to 应为新的 PostgreSQL 数据库（postgresql://…/新数据库）；备份本身是 "
                "povtrack 的 JSON 数据库：可用 'povtrack --db 备份 db migrate --to 文件' 转为文件",
                f"{new}: --to names a new PostgreSQL database (postgresql://.../NEWDB); a "
                "backup is itself a povtrack JSON database: 'povtrack --db BACKUP db migrate "
                "--to FILE' makes a file of it",
            )
        )
    from povtrack.storage.postgres.backup import find_backup, restore

    chosen = find_backup(source, _pg_folder(folder), backup)
    done = restore(chosen, new, lock_timeout=lock_timeout())
    for user in done.missing:
        area = f" --area {user.area}" if user.area else ""
        say(
            warning_line(
                tr(
                    f"{new}：服务器上没有账号 {user.login}（备份中为 {user.role} 办公账号），"
                    f"未授权；可用 'povtrack db user add {user.login} --role {user.role}{area}' "
                    "新建",
                    f"{new}: no login {user.login} on this server (a {user.role} office in the "
                    f"backup): not granted; make it with 'povtrack db user add {user.login} "
                    f"--role {user.role}{area}'",
                )
            )
        )
    d = done
    say(
        tr(
            f"已用 {d.backup} 恢复到新数据库 {new}：{d.entries} 条记录，{d.batches} 个批次，"
            f"{d.allocations} 项分解任务，{len(d.granted)} 个办公账号已授权；第 {d.generation} 版"
            f"（备份为第 {d.backup_generation} 版）",
            f"restored {done.backup} into the new database {new}: {done.entries} entries, "
            f"{done.batches} batches, {done.allocations} allocations, {len(done.granted)} "
            f"offices granted; generation {done.generation} (the backup's "
            f"{done.backup_generation})",
        )
    )
    hidden = str(new) != new.conninfo
    secret = tr("（密码已隐去：请放在 ~/.pgpass 中）", " (password hidden: keep it in ~/.pgpass)")
    unchanged = tr(f"；{source} 未改动", f"; {source} is unchanged") if source else ""
    say(
        tr(
            f"改用新数据库：export POVTRACK_DB={shlex.quote(str(new))}（或 --db）"
            f"{secret if hidden else ''}{unchanged}",
            f"to use it: export POVTRACK_DB={shlex.quote(str(new))} (or --db)"
            f"{secret if hidden else ''}{unchanged}",
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

"""``povtrack db user``: the offices (login roles) of a PostgreSQL database. Thin: the work is
in ``storage.postgres.users``; a password is read from a file or prompted for (hidden, twice),
never taken as an argument. On a JSON or SQLite database: exit 2 (one user, the file's owner).
"""

from __future__ import annotations

from pathlib import Path

import typer

from povtrack.cli.app import (
    DB_OPTION,
    JSON_OPTION,
    LOCK_OPTION,
    _Group,
    _Typer,
    choose_db,
    db_target,
    lock_timeout,
    print_json,
    say,
)
from povtrack.cli.db import db_app
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl

user_app = _Typer(
    cls=_Group,
    help="Offices of a PostgreSQL database: logins and what each may write.\n\n"
    "Example: povtrack db user add yanggao_office --role county --area yanggao",
    no_args_is_help=True,
)
db_app.add_typer(user_app, name="user")

PASSWORD_FILE = typer.Option(
    None, "--password-file", help="Read the password from the first line of FILE."
)


def _server() -> PgUrl:
    target = db_target()
    if not isinstance(target, PgUrl):
        raise UsageError(
            tr(
                f"{target}：办公账号只存在于 PostgreSQL 数据库（此数据库只有一个用户：文件的主人）",
                f"{target}: offices and logins exist only on a PostgreSQL database "
                "(this one has one user: the file's owner)",
            )
        )
    return target


def _password(password_file: Path | None) -> str:
    if password_file is not None:
        try:
            lines = password_file.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise UsageError(
                tr(
                    f"无法读取密码文件 {password_file}：{exc.strerror}",
                    f"cannot read the password file {password_file}: {exc.strerror}",
                )
            ) from None
        if not lines or not lines[0]:
            raise UsageError(
                tr(
                    f"密码文件 {password_file} 是空的",
                    f"the password file {password_file} is empty",
                )
            )
        return lines[0]
    return str(
        typer.prompt(
            tr("密码", "Password"),
            hide_input=True,
            confirmation_prompt=tr("再输入一次密码", "Repeat the password"),
        )
    )


@user_app.command("add")
def user_add(
    name: str = typer.Argument(..., help="The new login's name."),
    role: str = typer.Option(..., "--role", help="city, county or viewer."),
    area: str | None = typer.Option(None, "--area", help="A county office's own area."),
    password_file: Path | None = PASSWORD_FILE,
    no_password: bool = typer.Option(
        False, "--no-password", help="No password (peer or certificate authentication)."
    ),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Make a login for an office; only the login that ran init may.

    Example: povtrack db user add yanggao_office --role county --area yanggao
    """
    choose_db(db, lock_wait)
    url = _server()
    if no_password and password_file is not None:
        raise UsageError(
            tr(
                "--no-password 与 --password-file 不能同时使用",
                "--no-password and --password-file cannot be used together",
            )
        )
    from povtrack.storage.postgres.users import add_user

    password = None if no_password else _password(password_file)
    user = add_user(url, name, role, area, password, lock_timeout=lock_timeout())
    where = f" ({user.area})" if user.area else ""
    say(
        tr(
            f"已添加账号 {user.login}：{user.role}{where}",
            f"added {user.login}: {user.role}{where}",
        )
    )


@user_app.command("passwd")
def user_passwd(
    name: str = typer.Argument(..., help="The login."),
    password_file: Path | None = PASSWORD_FILE,
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Set a login's password (prompted for, hidden, twice).

    Example: povtrack db user passwd yanggao_office
    """
    choose_db(db, lock_wait)
    url = _server()
    from povtrack.storage.postgres.users import set_password

    user = set_password(url, name, _password(password_file), lock_timeout=lock_timeout())
    say(tr(f"已为 {user.login} 设置密码", f"set the password of {user.login}"))


@user_app.command("list")
def user_list(as_json: bool = JSON_OPTION, db: str | None = DB_OPTION) -> None:
    """List the offices: login, kind and area.

    Example: povtrack db user list
    """
    choose_db(db)
    url = _server()
    from povtrack.storage.postgres.users import list_users

    users = list_users(url, lock_timeout=lock_timeout())
    if as_json:
        print_json({"users": [u.as_json() for u in users]})
        return
    if not users:
        say(tr("还没有办公账号", "no offices yet"))
    for u in users:
        typer.echo(f"{u.login}\t{u.role}\t{u.area or ''}")


@user_app.command("remove")
def user_remove(
    name: str = typer.Argument(..., help="The login."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Remove an office's login and its grants; what it wrote stays.

    Example: povtrack db user remove yanggao_office
    """
    choose_db(db, lock_wait)
    url = _server()
    from povtrack.storage.postgres.users import remove_user

    user = remove_user(url, name, lock_timeout=lock_timeout())
    say(tr(f"已删除账号 {user.login}", f"removed {user.login}"))

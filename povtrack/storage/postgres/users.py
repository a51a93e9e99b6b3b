"""Offices on a PostgreSQL database (``db user add/passwd/list/remove``): each office is a
login role of the server, listed in ``povtrack.users`` (a history; ``offices`` is its newest
row per login) with its kind (city, county or viewer)
and, for a county office, its area. What each kind may do is decided by the server on every
statement (grants here, row-level security in ``schema.RLS_DDL``):

* city: read; insert entries and batches for any area, set targets and allocations, write meta;
* county: read; insert entries for its own area and the areas under it, and undo or correct
  only batches it wrote itself (an undo or a correction is an INSERT that names them);
* viewer: read only.

Nobody may UPDATE or DELETE an entry, batch or allocation (``schema``). The grants go to each
login itself, not to a group role: roles belong to the whole server, which may hold several
povtrack databases, while the grants and the users table belong to this database.

Only the login that owns the ``povtrack`` schema (the one that ran ``init``) manages offices;
it needs the server's CREATEROLE to make logins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg import sql

from povtrack.errors import NotPermittedError, UsageError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.connection import connect, errors
from povtrack.storage.postgres.rows import read_meta
from povtrack.storage.postgres.schema import NAME, ROLES

_LOGIN = re.compile(r"[a-z_][a-z0-9_]{0,62}")


@dataclass(frozen=True)
class User:
    login: str
    role: str
    area: str | None

    def as_json(self) -> dict[str, Any]:
        return {"login": self.login, "role": self.role, "area": self.area}


def _check_login(name: str) -> None:
    if not _LOGIN.fullmatch(name) or name.startswith("pg_"):
        raise UsageError(
            tr(
                f"账号名 {name!r} 无效：须为小写字母、数字和下划线，以字母或下划线开头，"
                "不以 pg_ 开头，至多 63 个字符",
                f"login name {name!r} is not valid: lower-case letters, digits and underscores, "
                "starting with a letter or underscore, not with pg_, at most 63 characters",
            )
        )


def _administering(url: PgUrl, *, lock_timeout: float) -> Any:
    """A connection in a transaction, as the login that owns povtrack's schema; exit 7 else."""
    conn = connect(url, timeout=lock_timeout)
    try:
        with errors(url, writing=True):
            conn.execute("BEGIN")
            row = conn.execute(
                "SELECT session_user, (SELECT pg_get_userbyid(nspowner) FROM pg_namespace "
                "WHERE nspname = %s)",
                (NAME,),
            ).fetchone()
        assert row is not None
        if row[1] is None:
            read_meta(conn, url)  # says there is no povtrack database here (exit 4)
        if row[0] != row[1]:
            raise NotPermittedError(
                tr(
                    f"{url}：不允许：只有运行 init 的账号 {row[1]} 可管理办公账号"
                    f"（当前为 {row[0]}）",
                    f"{url}: not permitted: only {row[1]}, the login that ran init, manages "
                    f"offices (this is {row[0]})",
                )
            )
    except BaseException:
        conn.close()
        raise
    return conn


def _grants(role: str, login: str) -> list[sql.Composed]:
    who = sql.Identifier(login)
    out = [
        sql.SQL("GRANT USAGE ON SCHEMA {} TO {}").format(sql.Identifier(NAME), who),
        sql.SQL("GRANT SELECT ON ALL TABLES IN SCHEMA {} TO {}").format(sql.Identifier(NAME), who),
        sql.SQL("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {} TO {}").format(
            sql.Identifier(NAME), who
        ),
    ]
    writes = {
        "city": ("entries", "batches", "imported_files", "allocations"),
        "county": ("entries", "batches", "imported_files"),
    }
    for table in writes.get(role, ()):
        out.append(sql.SQL("GRANT INSERT ON {} TO {}").format(sql.Identifier(NAME, table), who))
    if role in writes:  # every commit writes the meta's bookkeeping (row-level security)
        out.append(
            sql.SQL("GRANT INSERT, UPDATE ON {} TO {}").format(sql.Identifier(NAME, "meta"), who)
        )
    return out


def _set_password(conn: Any, login: str, password: str) -> None:
    # hashed by the client (libpq), so the password itself never reaches the server's logs
    hashed = conn.pgconn.encrypt_password(password.encode(), login.encode(), b"scram-sha-256")
    conn.execute(
        sql.SQL("ALTER ROLE {} PASSWORD {}").format(
            sql.Identifier(login), sql.Literal(hashed.decode("ascii"))
        )
    )


def add_user(
    url: PgUrl,
    login: str,
    role: str,
    area: str | None,
    password: str | None,
    *,
    lock_timeout: float,
) -> User:
    """A new login for an office, with its grants; one transaction."""
    from povtrack.names import resolve_area

    _check_login(login)
    if role not in ROLES:
        raise UsageError(tr(f"未知的账号类型 {role!r}", f"unknown kind of login {role!r}"))
    conn = _administering(url, lock_timeout=lock_timeout)
    try:
        if role == "county":
            if not area:
                raise UsageError(
                    tr("县级账号需要 --area", "a county login needs --area (its own area)")
                )
            from povtrack.planfile import parse_plan

            plan = parse_plan(read_meta(conn, url)["plan_text"], str(url))
            area = resolve_area(plan, area)
        elif area:
            raise UsageError(
                tr(
                    f"{role} 账号不属于某个地区：--area 只用于县级账号",
                    f"a {role} login has no area: --area is for county logins only",
                )
            )
        with errors(url, writing=True):
            taken = conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,))
            if taken.fetchone():
                raise UsageError(
                    tr(
                        f"{url}：服务器上已有名为 {login} 的账号",
                        f"{url}: the server already has a role named {login}",
                    )
                )
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN").format(sql.Identifier(login)))
            if password is not None:
                _set_password(conn, login, password)
            conn.execute(
                f"INSERT INTO {NAME}.users (login, role, area) VALUES (%s, %s, %s)",
                (login, role, area),
            )
            for grant in _grants(role, login):
                conn.execute(grant)
            conn.execute("COMMIT")
    finally:
        conn.close()
    return User(login, role, area)


def _known(conn: Any, url: PgUrl, login: str) -> User:
    row = conn.execute(
        f"SELECT login, role, area FROM {NAME}.offices WHERE login = %s AND role IS NOT NULL",
        (login,),
    ).fetchone()
    if row is None:
        raise UsageError(
            tr(
                f"{url}：{login} 不是此数据库的办公账号（见 'povtrack db user list'）",
                f"{url}: {login} is not an office of this database (see 'povtrack db user list')",
            )
        )
    return User(*row)


def set_password(url: PgUrl, login: str, password: str, *, lock_timeout: float) -> User:
    conn = _administering(url, lock_timeout=lock_timeout)
    try:
        with errors(url, writing=True):
            user = _known(conn, url, login)
            _set_password(conn, login, password)
            conn.execute("COMMIT")
    finally:
        conn.close()
    return user


def remove_user(url: PgUrl, login: str, *, lock_timeout: float) -> User:
    """The login's grants go, and the login itself; the users table records the removal (it is
    append-only: the offices' history). What the login wrote stays (authors are names)."""
    conn = _administering(url, lock_timeout=lock_timeout)
    try:
        with errors(url, writing=True):
            user = _known(conn, url, login)
            who = sql.Identifier(login)
            conn.execute(f"INSERT INTO {NAME}.users (login) VALUES (%s)", (login,))  # removed
            # the grants of _grants, taken back one by one: DROP OWNED BY would need membership
            # of the role, which a CREATEROLE administrator does not have
            schema = sql.Identifier(NAME)
            for what in ("ALL TABLES IN SCHEMA {}", "ALL FUNCTIONS IN SCHEMA {}", "SCHEMA {}"):
                conn.execute(sql.SQL(f"REVOKE ALL ON {what} FROM {{}}").format(schema, who))
            conn.execute(sql.SQL("DROP ROLE {}").format(who))
            conn.execute("COMMIT")
    finally:
        conn.close()
    return user


def list_users(url: PgUrl, *, lock_timeout: float) -> list[User]:
    conn = connect(url, timeout=lock_timeout)
    try:
        read_meta(conn, url)
        with errors(url):
            rows = conn.execute(
                f"SELECT login, role, area FROM {NAME}.offices WHERE role IS NOT NULL "
                "ORDER BY login"
            ).fetchall()
    finally:
        conn.close()
    return [User(*row) for row in rows]


def is_login(conn: Any, login: str) -> bool:
    """Whether the server has a role of that name (roles belong to the whole server)."""
    return (
        conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (login,)).fetchone() is not None
    )


def enrol(conn: Any, user: User) -> None:
    """An existing login made an office of this database (``db restore``): its row in the users
    table and its grants, in the caller's transaction; the caller owns povtrack's schema."""
    conn.execute(
        f"INSERT INTO {NAME}.users (login, role, area) VALUES (%s, %s, %s)",
        (user.login, user.role, user.area),
    )
    for grant in _grants(user.role, user.login):
        conn.execute(grant)

"""What each kind of office may do on a PostgreSQL database, in one line for a refusal (exit
7). The server decides (``schema.RLS_DDL``, grants in ``postgres.users``); this only says it.
"""

from __future__ import annotations

from typing import Any

from povtrack.errors import NotPermittedError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.schema import NAME


def whoami(conn: Any) -> tuple[str, str | None, str | None]:
    """The server's session_user, and its kind of office and area (None, None: not an office,
    such as the administrator)."""
    row = conn.execute(
        f"SELECT session_user, u.role, u.area FROM (SELECT 1) one "
        f"LEFT JOIN {NAME}.offices u ON u.login = session_user"
    ).fetchone()
    return str(row[0]), row[1], row[2]


def may_do(login: str, role: str | None, area: str | None) -> str:
    """One line: what this login may do on the database (``area`` as a person reads it)."""
    if role == "city":
        return tr(
            f"{login} 是市级账号：可录入、导入、更正、撤销任何地区的数据，设定目标，查看",
            f"{login} is a city login: it may record, import, correct and undo for any area, "
            "set targets, and read",
        )
    if role == "county":
        return tr(
            f"{login} 是 {area} 的县级账号：只可为 {area} 及其下属地区录入、导入，"
            "只可更正、撤销自己的批次，并可查看",
            f"{login} is a county login for {area}: it may record and import only for {area} "
            "and the areas under it, correct and undo only its own batches, and read",
        )
    if role == "viewer":
        return tr(f"{login} 是只读账号：只可查看", f"{login} is a viewer login: it may only read")
    return tr(
        f"{login} 不是此数据库的办公账号（请联系运行 init 的管理账号）",
        f"{login} is not an office of this database (ask the login that ran init)",
    )


def refusal(
    url: PgUrl, login: str, role: str | None, area: str | None, plan: Any = None
) -> NotPermittedError:
    """The server refused what a login tried to write: exit 7, saying what it may do (the
    area by its name when the ``plan`` knows it)."""
    place = plan.areas_by_id.get(area) if plan is not None and area else None
    if place is not None:
        area = tr(f"{place.name}（{place.id}）", f"{place.name_en} ({place.id})")
    said = may_do(login, role, area)
    return NotPermittedError(tr(f"{url}：不允许：{said}", f"{url}: not permitted: {said}"))

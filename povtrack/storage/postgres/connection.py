"""Connections to a PostgreSQL database and its errors as povtrack's. The only module that
calls ``psycopg.connect``; every message it makes shows the URL masked (``pgurl.PgUrl``).

A connection is in autocommit mode and begins its transactions explicitly, as the SQLite
backend does: a reader one ``REPEATABLE READ READ ONLY`` transaction (one snapshot for the
whole command), a writer one ``READ COMMITTED`` transaction per commit, holding the
database's writer lock (``WRITER_LOCK``, a session-level advisory lock: one povtrack writer at a
time, as the lock file is for a file) from before it reads until it closes.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader

from povtrack.errors import BusyError, DatabaseError, NotPermittedError, WriteError
from povtrack.i18n import tr
from povtrack.storage.pgurl import PgUrl

# psycopg logs what it ignores while unwinding a refused write ("error ignored terminating
# <Pipeline ...>"); povtrack says the refusal itself, in one line: no second, raw one
logging.getLogger("psycopg").addHandler(logging.NullHandler())
logging.getLogger("psycopg").propagate = False

# pg_advisory_lock's two-int key: "povt" and "writ" in ASCII, so another program's advisory
# locks are unlikely to collide with it.
WRITER_LOCK = (0x706F7674, 0x77726974)


class NumericLoader(Loader):
    """NUMERIC as the int or float it was given (``schema.value_of``), never a Decimal."""

    def load(self, data: Any) -> int | float:
        # ``schema.value_of`` on the bytes themselves (int() and float() read ASCII bytes):
        # called for every value read, so no text is made first
        raw = bytes(data)
        if b"." in raw or b"e" in raw or b"E" in raw:
            return float(raw)
        return int(raw)


def connect(url: PgUrl, *, timeout: float) -> psycopg.Connection[Any]:
    """A connection (autocommit; transactions begun explicitly); waits for locks at most
    ``timeout`` seconds."""
    with errors(url):
        conn = psycopg.connect(
            url.conninfo,
            autocommit=True,
            connect_timeout=max(int(timeout), 2),
            application_name="povtrack",
        )
    conn.adapters.register_loader("numeric", NumericLoader)
    with errors(url):
        # lock_timeout bounds every wait for a lock, the writer lock included
        conn.execute(f"SET lock_timeout = {max(int(timeout * 1000), 1)}")
        conn.execute("SET TIME ZONE 'UTC'")
    return conn


def take_writer_lock(
    conn: psycopg.Connection[Any], url: PgUrl, timeout: float, *, shared: bool = False
) -> None:
    """Wait (at most ``timeout`` s, then exit 5) for the database's writer lock: ``shared``
    by a writer that only adds entries (``import``, ``inbox``, ``record``: many at once, the
    server's keys and sequences keep them apart), else alone."""
    try:
        take = "pg_advisory_lock_shared" if shared else "pg_advisory_lock"
        conn.execute(f"SELECT {take}(%s, %s)", WRITER_LOCK)
    except pg_errors.LockNotAvailable:
        raise BusyError(
            tr(
                f"{url}：数据库正忙：另一个 povtrack 正在写入；已等待 {timeout:g} 秒"
                "（可用 --lock-timeout 延长）",
                f"{url}: database busy: another povtrack is writing; waited {timeout:g} s "
                "(wait longer with --lock-timeout)",
            )
        ) from None
    except psycopg.Error as exc:
        raise translate(url, exc, writing=True) from None


@contextlib.contextmanager
def errors(url: PgUrl, *, writing: bool = False) -> Iterator[None]:
    """psycopg's errors as povtrack's, the URL's password masked in every message."""
    try:
        yield
    except psycopg.Error as exc:
        raise translate(url, exc, writing=writing) from None


def translate(url: PgUrl, exc: psycopg.Error, *, writing: bool) -> Exception:
    text = url.hide(" ".join(str(exc).split()))
    if isinstance(exc, pg_errors.LockNotAvailable | pg_errors.SerializationFailure):
        return BusyError(tr(f"{url}：数据库正忙：{text}", f"{url}: database busy: {text}"))
    if isinstance(exc, pg_errors.InsufficientPrivilege):  # a privilege, a policy, a trigger
        return NotPermittedError(
            tr(f"{url}：服务器拒绝：{text}", f"{url}: not permitted by the server: {text}")
        )
    if type(exc) is psycopg.OperationalError:  # the connection itself, not a statement
        return DatabaseError(
            tr(f"{url}：无法连接数据库：{text}", f"{url}: cannot reach the database: {text}")
        )
    if writing:
        return WriteError(
            tr(f"{url}：写入失败，未改动：{text}", f"{url}: write failed, nothing changed: {text}")
        )
    return DatabaseError(tr(f"{url}：无法读取：{text}", f"{url}: cannot read: {text}"))

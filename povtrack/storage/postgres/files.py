"""The files each import took, as rows of ``imported_files`` (``schema``): written with their
batch, in its transaction, where the server's unique key decides that the same file imported
twice counts once. The only module that writes that table after ``creating`` fills it.
"""

from __future__ import annotations

from typing import Any

from psycopg import errors as pg_errors

from povtrack.ledger import undone_batches
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.postgres.connection import translate
from povtrack.storage.postgres.schema import IMPORTED_FILES_KEY, INSERT_FILE, imported_after


def insert_files(conn: Any, url: PgUrl, earlier: list[dict[str, Any]], doc: dict[str, Any]) -> bool:
    """The files of batch ``doc`` (after the batches ``earlier``) into ``imported_files``;
    False when the server's key finds one imported already: the transaction is then aborted
    and must be rolled back. A refusal by row-level security is raised as povtrack's error."""
    rows = imported_after([*earlier, doc], undone_batches(earlier))[-len(doc["files"]) :]
    try:
        with conn.cursor() as cur:
            cur.executemany(INSERT_FILE, rows)
    except pg_errors.UniqueViolation as exc:
        if exc.diag.constraint_name == IMPORTED_FILES_KEY:
            return False
        raise translate(url, exc, writing=True) from None
    except pg_errors.Error as exc:
        raise translate(url, exc, writing=True) from None
    return True


def fill_files(conn: Any, batches: list[dict[str, Any]]) -> None:
    """``imported_files`` for batches moved in (``db migrate``), in their order."""
    with conn.cursor() as cur:
        cur.executemany(INSERT_FILE, imported_after(batches, undone_batches(batches)))

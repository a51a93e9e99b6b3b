"""The PostgreSQL backend's own promises, beyond giving the same outputs as the others
(test_backends_pg.py): a password in the URL is never shown, the server refuses to change or
remove a record whoever asks, a second writer waits for the first and gives up with exit 5,
and ``init`` never touches a database that already holds povtrack's schema.

Needs the throwaway cluster of tests/helpers/pg.py (skipped without the server, failed in CI).
"""

from __future__ import annotations

import json
from datetime import date
from urllib.parse import quote

import pytest

from povtrack.errors import WriteError
from povtrack.storage.pgurl import MASK, PgUrl, mask
from tests.helpers.pg import PgDatabase

RELOCATED = "housing.relocated_people"
SECRET = "s3cret-Pa55"
DAY = "2018-03-04"


def _with_password(db: PgDatabase) -> str:
    """The test database's URL with a password in it (the cluster trusts local logins, so it
    connects all the same, and every message that names the database shows it)."""
    url = db.url()
    return url.replace("postgresql://postgres@", f"postgresql://postgres:{quote(SECRET)}@", 1)


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            "postgresql://u:pw@h:5432/db?sslmode=verify-full",
            "postgresql://u:***@h:5432/db?sslmode=verify-full",
        ),
        (
            "postgres://u@/db?host=%2Fs&password=pw&port=5",
            "postgres://u@/db?host=%2Fs&password=***&port=5",
        ),
        ("postgresql://h1,h2:5433/db", "postgresql://h1,h2:5433/db"),
        ("postgresql://u:p%40ss@h/db", "postgresql://u:***@h/db"),
    ],
)
def test_the_password_is_masked(url: str, shown: str) -> None:
    assert mask(url) == shown
    assert str(PgUrl(url)) == shown
    assert shown in repr(PgUrl(url))
    assert PgUrl(url).hide(f"failed: {url}") == f"failed: {shown}"


def test_a_driver_message_loses_the_password_decoded_too() -> None:
    url = PgUrl("postgresql://u:p%40ss@h/db")
    assert url.hide("password p@ss rejected") == f"password {MASK} rejected"


def test_no_password_shows_in_any_message(run, pg_database: PgDatabase) -> None:
    url = _with_password(pg_database)
    said = [
        run("--db", url, "init"),
        run("--db", url, "record", RELOCATED, "5200", "--area", "yanggao", "--date", "2018-03-04"),
        run("--db", url, "db", "verify", "--json"),
        run("--db", url, "init"),  # refused: already there
        run("--db", url, "db", "backup"),  # a file on the client (test_pg_backup.py)
        run("--db", url.replace(pg_database.name, "no_such_db"), "status"),  # cannot connect
    ]
    assert [r.exit_code for r in said] == [0, 0, 0, 2, 0, 4]
    for result in said:
        assert SECRET not in result.stdout + result.stderr
        assert quote(SECRET) not in result.stdout + result.stderr
    assert f"postgres:{MASK}@" in said[0].stderr
    assert json.loads(said[2].stdout)["database"].startswith(f"postgresql://postgres:{MASK}@")


def test_the_server_keeps_records_append_only(run, pg_database: PgDatabase) -> None:
    """Connected with psycopg directly, as the superuser even, no record changes or goes."""
    import psycopg

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    assert run("--db", url, "target", "set", RELOCATED, "9000", "--area", "yanggao").exit_code == 0
    assert (
        run("--db", url, "record", RELOCATED, "52", "--area", "yanggao", "--date", DAY).exit_code
        == 0
    )
    with pg_database.connect() as conn:
        for table in ("entries", "batches", "allocations"):
            for sql in (
                f"UPDATE povtrack.{table} SET note = 'x'"
                if table != "batches"
                else f"UPDATE povtrack.{table} SET kind = 'x'",
                f"DELETE FROM povtrack.{table}",
                f"TRUNCATE povtrack.{table}",
            ):
                with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                    conn.execute(sql)
        privileges = conn.execute(
            "SELECT count(*) FROM information_schema.table_privileges WHERE table_schema = "
            "'povtrack' AND privilege_type IN ('UPDATE', 'DELETE', 'TRUNCATE') "
            "AND table_name <> 'meta' AND (table_name, privilege_type) <> ('series', 'UPDATE')"
        ).fetchone()
        assert privileges == (0,)
        for sql in ("DELETE FROM povtrack.series", "TRUNCATE povtrack.series"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(sql)
        assert conn.execute("SELECT count(*) FROM povtrack.entries").fetchone() == (1,)
    verdict = run("--db", url, "db", "verify", "--json")
    assert verdict.exit_code == 0 and json.loads(verdict.stdout)["entries"] == 1


def test_db_verify_sees_a_trigger_dropped(run, pg_database: PgDatabase) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    with pg_database.connect() as conn:
        conn.execute("DROP TRIGGER entries_append_only ON povtrack.entries")
    verdict = run("--db", url, "db", "verify", "--json")
    assert verdict.exit_code == 4
    assert any("entries_append_only" in p for p in json.loads(verdict.stdout)["problems"])


def test_a_second_writer_waits_then_exits_5(run, pg_database: PgDatabase) -> None:
    from povtrack.storage.postgres.connection import WRITER_LOCK

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    with pg_database.connect() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", WRITER_LOCK)
        busy = run(
            "--db", url, "--lock-timeout", "0.3", "record", RELOCATED, "1", "--area", "yanggao",
            "--date", DAY,
        )  # fmt: skip
        read = run("--db", url, "log", "--json")  # readers take no lock
    assert busy.exit_code == 5 and "database busy" in busy.stderr
    assert read.exit_code == 0 and json.loads(read.stdout)["entries"] == []
    after = run("--db", url, "record", RELOCATED, "1", "--area", "yanggao", "--date", DAY)
    assert after.exit_code == 0


def test_a_failed_write_leaves_nothing(run, pg_database: PgDatabase) -> None:
    """A write the server refuses half way (a value over its CHECK) rolls the whole command
    back: no batch without its entries."""
    from povtrack.storage import Database

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    row = {"indicator": RELOCATED, "area": "yanggao", "date": date(2018, 3, 4), "value": -1}
    with (
        pytest.raises(WriteError, match="write failed"),
        Database.writing(PgUrl(url), lock_timeout=5) as store,
    ):
        batch = store.add_batch("command", "tester")
        store.add_entries([row | {"source": "test"}], by="tester", batch=batch)
        store.commit()
    log = run("--db", url, "log", "--all", "--json")
    assert json.loads(log.stdout)["entries"] == []
    with pg_database.connect() as conn:
        assert conn.execute("SELECT count(*) FROM povtrack.batches").fetchone() == (0,)


def test_libpq_fills_in_what_the_url_leaves_out(
    run, pg_database: PgDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``postgresql://`` alone: host, port, user and database from PGHOST, PGPORT, PGUSER and
    PGDATABASE, as libpq reads them (povtrack adds nothing of its own)."""
    for key, value in pg_database.cluster.env(pg_database.name).items():
        monkeypatch.setenv(key, value)
    assert run("--db", "postgresql://", "init").exit_code == 0
    record = ["record", RELOCATED, "7", "--area", "yanggao", "--date", DAY]
    assert run("--db", "postgresql://", *record).exit_code == 0
    with pg_database.connect() as conn:  # it landed in the database the variables name
        assert conn.execute("SELECT value::text FROM povtrack.entries").fetchall() == [("7",)]


def test_a_client_killed_before_its_commit_leaves_nothing(run, pg_database: PgDatabase) -> None:
    """kill -9 of an import after every row was sent, just before COMMIT: the server rolls
    the transaction back (no batch, no entry) and frees the writer lock with the session."""
    import os
    import subprocess
    import sys

    from tests.helpers.scenario import RETURNS

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    env = os.environ | {"POVTRACK_TEST_CRASH_AT": "pg_before_commit", "POVTRACK_LANG": "en"}
    killed = subprocess.run(
        [sys.executable, "-m", "povtrack", "--db", url, "import", str(RETURNS[0])],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert killed.returncode == -9, killed.stderr
    with pg_database.connect() as conn:
        for table in ("entries", "batches"):
            assert conn.execute(f"SELECT count(*) FROM povtrack.{table}").fetchone() == (0,)
    again = run("--db", url, "--lock-timeout", "5", "import", str(RETURNS[0]))
    assert again.exit_code == 0, again.stderr
    assert len(json.loads(run("--db", url, "log", "--json").stdout)["entries"]) > 0

"""The throwaway PostgreSQL cluster of tests/helpers/pg.py does what the PostgreSQL tests rely
on: a server of version 15 or later, run by an unprivileged user, reachable through its own
socket only (never over TCP), a fresh database per test that nothing else sees and that is gone
afterwards, and login roles that connect as themselves and get only what they are granted.

Every test here talks to the server with psycopg directly; povtrack is not involved.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import pg
from tests.helpers.pg import PgCluster, PgDatabase


def test_the_superuser_connects_to_a_postgresql_15_server(pg_database: PgDatabase) -> None:
    with pg_database.connect() as conn:
        version, number, who, db = conn.execute(
            "SELECT version(), current_setting('server_version_num')::int, session_user,"
            " current_database()"
        ).fetchone()
        superuser = conn.execute(
            "SELECT rolsuper FROM pg_roles WHERE rolname = session_user"
        ).fetchone()[0]
    assert version.startswith("PostgreSQL "), version
    assert number >= pg.MIN_VERSION * 10000, version
    assert (who, db) == (pg_database.cluster.superuser, pg_database.name)
    assert superuser is True


def test_a_table_keeps_what_is_written(pg_database: PgDatabase) -> None:
    rows = [("阳高县", "5200"), ("天镇县", "1234.5")]
    with pg_database.connect() as conn:
        conn.execute("CREATE TABLE entry (area text NOT NULL, value numeric NOT NULL)")
        with conn.cursor() as cur:
            cur.executemany("INSERT INTO entry VALUES (%s, %s::numeric)", rows)
        back = conn.execute("SELECT area, value::text FROM entry ORDER BY value").fetchall()
    assert back == sorted(rows, key=lambda row: float(row[1]))


def test_two_databases_are_separate(pg_cluster: PgCluster, pg_database: PgDatabase) -> None:
    with pg.fresh_database(pg_cluster) as other:
        assert other != pg_database.name
        with pg_database.connect() as first, pg_cluster.connect(other) as second:
            first.execute("CREATE TABLE entry (n int)")
            first.execute("INSERT INTO entry VALUES (1), (2)")
            assert second.execute("SELECT to_regclass('entry')").fetchone()[0] is None
            second.execute("CREATE TABLE entry (n int)")
            second.execute("INSERT INTO entry VALUES (3)")
            mine = "SELECT array_agg(n ORDER BY n) FROM entry"
            assert first.execute(mine).fetchone()[0] == [1, 2]
            assert second.execute(mine).fetchone()[0] == [3]


def test_a_test_database_and_its_roles_are_gone_afterwards(pg_cluster: PgCluster) -> None:
    psycopg = pytest.importorskip("psycopg")
    with pg.fresh_database(pg_cluster) as name:
        with pg_cluster.connect(name) as conn:
            conn.execute("CREATE ROLE county_gone LOGIN")
            conn.execute("CREATE TABLE entry (n int)")
        still_open = pg_cluster.connect(name)  # a session left open does not keep it alive
    try:
        with pg_cluster.connect() as admin:
            databases = admin.execute("SELECT datname FROM pg_database").fetchall()
            roles = admin.execute("SELECT rolname FROM pg_roles").fetchall()
        assert (name,) not in databases
        assert ("county_gone",) not in roles
        with pytest.raises(psycopg.OperationalError):  # its session was ended by the drop
            still_open.execute("SELECT 1")
    finally:
        still_open.close()


def test_a_login_role_connects_as_itself_and_gets_only_its_grants(
    pg_database: PgDatabase,
) -> None:
    """Local connections are trusted, so the role needs no password and no OS user; what it
    may do is still the server's to decide."""
    psycopg = pytest.importorskip("psycopg")
    with pg_database.connect() as admin:
        admin.execute("CREATE ROLE county_yanggao LOGIN")
        admin.execute("CREATE ROLE no_login")  # NOLOGIN, the default
        admin.execute("CREATE TABLE entry (n int)")
        admin.execute("GRANT SELECT ON entry TO county_yanggao")
    with pg_database.connect("county_yanggao") as county:
        who = county.execute("SELECT session_user, current_user").fetchone()
        assert who == ("county_yanggao", "county_yanggao")
        assert county.execute("SELECT count(*) FROM entry").fetchone()[0] == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            county.execute("INSERT INTO entry VALUES (1)")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            county.execute("CREATE TABLE mine (n int)")  # PostgreSQL 15: public is not open
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        pg_database.connect("no_login")


def test_the_cluster_listens_on_its_own_socket_and_no_tcp(pg_cluster: PgCluster) -> None:
    psycopg = pytest.importorskip("psycopg")
    with pg_cluster.connect() as conn:
        listen = conn.execute("SHOW listen_addresses").fetchone()[0]
        sockets = conn.execute("SHOW unix_socket_directories").fetchone()[0]
    assert listen == ""
    assert sockets == str(pg_cluster.socket_dir)
    assert (pg_cluster.socket_dir / f".s.PGSQL.{pg_cluster.port}").is_socket()
    assert oct(pg_cluster.socket_dir.stat().st_mode & 0o777) == oct(0o700)
    for host in ("localhost", "127.0.0.1"):
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(
                host=host,
                port=pg_cluster.port,
                user=pg_cluster.superuser,
                dbname="postgres",
                connect_timeout=2,
            ).close()


def test_the_server_runs_as_an_unprivileged_user(pg_cluster: PgCluster) -> None:
    pid = int((pg_cluster.data_dir / "postmaster.pid").read_text().split()[0])
    status = Path(f"/proc/{pid}/status")
    if not status.exists():
        pytest.skip("no /proc to read the server's user from")
    uid = next(line for line in status.read_text().splitlines() if line.startswith("Uid:"))
    real, effective = (int(n) for n in uid.split()[1:3])
    assert real != 0 and effective != 0, uid
    assert effective == (os.geteuid() or pg_cluster.data_dir.stat().st_uid)


@pytest.mark.parametrize("ci", ["", "1"])
def test_missing_server_programs_skip_or_fail_in_ci(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ci: str
) -> None:
    """Without initdb on the PATH or under the versions folder: a skip that says which package
    to install, or a failure where CI must run every test."""
    (tmp_path / "9.6" / "bin").mkdir(parents=True)  # a version folder without the programs
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setenv("CI", ci)
    outcome = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(outcome, match="Debian package postgresql"):
        pg.server_bin(tmp_path)

"""Offices on a PostgreSQL database, enforced by the server: each kind of login connects with
psycopg directly, bypassing povtrack, and the server refuses what it may not do (a county
office writing another county's entry, correcting or undoing another office's batch, setting a
target; a viewer writing anything; anyone changing or removing a record), and names the login
that wrote a row as its author whatever the client sends.

The throwaway cluster (tests/helpers/pg.py) trusts local logins, so a role created with LOGIN
(here with ``db user add --no-password``) connects with ``user=NAME`` in the URL and no
password; what it may do is still decided by its grants and the row-level security policies.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.helpers.pg import PgDatabase

RELOCATED = "housing.relocated_people"
DAY = "2018-03-04"
OFFICES = {
    "city_office": ("city", None),
    "yanggao_office": ("county", "yanggao"),
    "tianzhen_office": ("county", "tianzhen"),
    "viewer_office": ("viewer", None),
}


@pytest.fixture
def offices(run: Any, pg_database: PgDatabase) -> PgDatabase:
    """A povtrack database made by the superuser, with one login per kind of office and one
    entry of each county written by its own office."""
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    for login, (role, area) in OFFICES.items():
        args = ["--db", url, "db", "user", "add", login, "--role", role, "--no-password"]
        result = run(*args, *(["--area", area] if area else []))
        assert result.exit_code == 0, result.stderr
    for login, area in (("yanggao_office", "yanggao"), ("tianzhen_office", "tianzhen")):
        said = run(
            "--db", pg_database.url(login), "record", RELOCATED, "10", "--area", area,
            "--date", DAY,
        )  # fmt: skip
        assert said.exit_code == 0, said.stderr
    return pg_database


def _insert_entry(conn: Any, area: str, **fields: Any) -> None:
    row = conn.execute("SELECT coalesce(max(id), 0) + 1 FROM povtrack.entries").fetchone()
    values = {"id": row[0], "indicator": RELOCATED, "area": area, "date": DAY, "value": 1}
    values |= fields
    columns = ", ".join(f'"{k}"' for k in values)
    conn.execute(
        f"INSERT INTO povtrack.entries ({columns}) VALUES ({', '.join(['%s'] * len(values))})",
        list(values.values()),
    )


def _refused(conn: Any, sql: str, params: Any = ()) -> None:
    import psycopg

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        conn.execute(sql, params)


def _batch_of(conn: Any, login: str) -> str:
    row = conn.execute(
        'SELECT id FROM povtrack.batches WHERE "by" = %s ORDER BY seq LIMIT 1', (login,)
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_a_county_writes_only_its_own_areas(offices: PgDatabase) -> None:
    import psycopg

    with offices.connect("yanggao_office") as conn:
        _insert_entry(conn, "yanggao")  # its own area: allowed
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            _insert_entry(conn, "tianzhen")
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_entry(conn, "datong")  # the city above it is not under it
    with offices.connect() as admin:  # an area under yanggao (the plan has none: add one)
        admin.execute("INSERT INTO povtrack.areas (id, parent) VALUES ('yanggao-v1', 'yanggao')")
    with offices.connect("yanggao_office") as conn:
        _insert_entry(conn, "yanggao-v1")
    with offices.connect() as admin:
        areas = admin.execute(
            "SELECT area, count(*) FROM povtrack.entries GROUP BY area ORDER BY 1"
        ).fetchall()
    assert areas == [("tianzhen", 1), ("yanggao", 2), ("yanggao-v1", 1)]


def test_a_county_undoes_and_corrects_only_its_own_batches(offices: PgDatabase) -> None:
    with offices.connect() as admin:
        admin_batch = admin.execute(
            "INSERT INTO povtrack.batches (id, kind) VALUES ('b90', 'record') RETURNING id"
        ).fetchone()[0]
        _insert_entry(admin, "yanggao", batch=admin_batch)
        city_entry = admin.execute("SELECT max(id) FROM povtrack.entries").fetchone()[0]
    with offices.connect("yanggao_office") as conn:
        own_batch = _batch_of(conn, "yanggao_office")
        own_entry = conn.execute(
            "SELECT id FROM povtrack.entries WHERE batch = %s", (own_batch,)
        ).fetchone()[0]
        other_batch = _batch_of(conn, "tianzhen_office")
        undo = "INSERT INTO povtrack.batches (id, kind, reverts) VALUES (%s, 'undo', %s)"
        _refused(conn, undo, ("b91", other_batch))
        _refused(conn, undo, ("b92", admin_batch))
        conn.execute(undo, ("b93", own_batch))
        with pytest.raises(Exception, match="row-level security"):
            _insert_entry(conn, "yanggao", corrects=city_entry, reason="x")
        _insert_entry(conn, "yanggao", corrects=own_entry, reason="resubmitted")


def test_nobody_changes_or_removes_a_record(offices: PgDatabase) -> None:
    columns = {"entries": "note", "batches": "kind", "allocations": "note"}
    columns |= {"users": "login", "areas": "parent"}
    for login in OFFICES:
        with offices.connect(login) as conn:
            for table, column in columns.items():
                _refused(conn, f"UPDATE povtrack.{table} SET {column} = {column}")
                _refused(conn, f"DELETE FROM povtrack.{table}")
                _refused(conn, f"TRUNCATE povtrack.{table}")
            _refused(conn, "DELETE FROM povtrack.meta")
            # the series' running figures: kept by their trigger alone, never by a login
            _refused(conn, "UPDATE povtrack.series SET total = total + 1")
            _refused(conn, "INSERT INTO povtrack.series VALUES ('x', 'yanggao', 1, 0, 1, now())")
            _refused(conn, "DELETE FROM povtrack.series")


def test_only_the_city_sets_targets_and_the_plan(offices: PgDatabase) -> None:
    allocation = "INSERT INTO povtrack.allocations (indicator, area, value) VALUES (%s, %s, 5)"
    plan = "UPDATE povtrack.meta SET value = value WHERE key = 'plan_text'"
    for login in ("yanggao_office", "viewer_office"):
        with offices.connect(login) as conn:
            _refused(conn, allocation, (RELOCATED, "yanggao"))
            _refused(conn, "INSERT INTO povtrack.meta (key, value) VALUES ('plan_text', '\"x\"')")
            if login == "yanggao_office":  # may update bookkeeping keys, never the plan
                assert conn.execute(plan).rowcount == 0
            else:
                _refused(conn, plan)
    with offices.connect("city_office") as conn:
        conn.execute(allocation, (RELOCATED, "yanggao"))
        assert conn.execute(plan).rowcount == 1
        _insert_entry(conn, "tianzhen")


def test_a_viewer_only_reads(offices: PgDatabase) -> None:
    with offices.connect("viewer_office") as conn:
        assert conn.execute("SELECT count(*) FROM povtrack.entries").fetchone() == (2,)
        _refused(conn, "INSERT INTO povtrack.batches (id, kind) VALUES ('b99', 'record')")
        _refused(conn, "INSERT INTO povtrack.users (login, role) VALUES ('viewer_office', 'city')")
        import psycopg

        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            _insert_entry(conn, "yanggao")


def test_the_author_is_the_login_whatever_the_client_says(offices: PgDatabase) -> None:
    with offices.connect("yanggao_office") as conn:
        _insert_entry(conn, "yanggao", by="city_office", on_behalf_of="clerk")
        conn.execute(
            "INSERT INTO povtrack.batches (id, kind, \"by\") VALUES ('b80', 'record', 'mayor')"
        )
    with offices.connect() as admin:
        newest = admin.execute(
            'SELECT "by", on_behalf_of FROM povtrack.entries ORDER BY id DESC LIMIT 1'
        ).fetchone()
        batch = admin.execute("SELECT \"by\" FROM povtrack.batches WHERE id = 'b80'").fetchone()
    assert newest == ("yanggao_office", "clerk")
    assert batch == ("yanggao_office",)


def test_db_verify_sees_the_walls_taken_down(run: Any, offices: PgDatabase) -> None:
    url = offices.url()
    assert run("--db", url, "db", "verify").exit_code == 0
    with offices.connect() as admin:
        admin.execute("DROP POLICY entries_write ON povtrack.entries")
        admin.execute("ALTER TABLE povtrack.allocations DISABLE ROW LEVEL SECURITY")
        admin.execute("DROP TRIGGER batches_author ON povtrack.batches")
    verdict = run("--db", url, "db", "verify", "--json")
    assert verdict.exit_code == 4
    problems = json.loads(verdict.stdout)["problems"]
    assert any("policy entries_write on entries is missing" in p for p in problems)
    assert any("row-level security is off on allocations" in p for p in problems)
    assert any("batches_author" in p for p in problems)

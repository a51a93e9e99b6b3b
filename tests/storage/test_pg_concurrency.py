"""Offices importing at once into one PostgreSQL database (issue 15, item 4): eleven imports
started together all land, each row exactly once; the same file imported by two at once counts
once; and that "once" is the server's own constraint (``imported_files``), not only the
client's check: a client that did not see the earlier import is refused by the server and says
"already imported" as a repeated import does, and a psycopg client inserting the same file's
row twice is refused outright.

Needs the throwaway cluster of tests/helpers/pg.py (skipped without the server, failed in CI).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

import pytest

from tests.helpers.pg import PgDatabase
from tests.helpers.scenario import RETURNS

# generous: the eleven wait for each other's writer lock in turn on a 2-core machine
_WAIT = ["--lock-timeout", "120"]


def _start(url: str, *args: str) -> subprocess.Popen[str]:
    env = os.environ | {"POVTRACK_LANG": "en"}
    return subprocess.Popen(
        [sys.executable, "-m", "povtrack", "--db", url, *_WAIT, *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _finish(procs: list[subprocess.Popen[str]]) -> list[tuple[int, str]]:
    """Each process's exit code and its output (stdout and stderr together)."""
    out = []
    for p in procs:
        stdout, stderr = p.communicate(timeout=180)
        out.append((p.returncode, stdout + stderr))
    return out


def _one(conn: Any, sql: str) -> Any:
    row = conn.execute(sql).fetchone()
    assert row is not None
    return row[0]


def _batch_files(conn: Any) -> list[tuple[str, list[dict[str, Any]]]]:
    rows = conn.execute("SELECT id, files FROM povtrack.batches WHERE kind = 'import'")
    return [(batch, json.loads(files)) for batch, files in rows.fetchall()]


def test_eleven_offices_importing_at_once_all_land_once(run, pg_database: PgDatabase) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    files = RETURNS[:11]
    assert len(files) == 11
    done = _finish([_start(url, "import", str(f)) for f in files])
    assert [code for code, _ in done] == [0] * 11, done
    with pg_database.connect() as conn:
        batches = _batch_files(conn)
        assert sorted(f["name"] for _, fs in batches for f in fs) == sorted(map(str, files))
        assert len(batches) == 11  # one batch per office
        doubled = conn.execute(
            "SELECT indicator, area, date, count(*) FROM povtrack.entries "
            "GROUP BY indicator, area, date HAVING count(*) > 1"
        ).fetchall()
        assert doubled == []
        # every row of every file, once: the weeks differ, so none was skipped as unchanged
        rows = sum(f["rows"] for _, fs in batches for f in fs)
        assert rows > 0
        assert _one(conn, "SELECT count(*) FROM povtrack.entries") == rows
        assert _one(conn, "SELECT count(*) FROM povtrack.imported_files") == 11
        # each batch's entries are its own file's rows
        per_batch = dict(
            conn.execute("SELECT batch, count(*) FROM povtrack.entries GROUP BY batch").fetchall()
        )
        assert per_batch == {b: fs[0]["rows"] for b, fs in batches}
    check = run("--db", url, "db", "verify", "--json")
    assert check.exit_code == 0, check.stdout + check.stderr


def test_the_same_file_imported_by_two_at_once_counts_once(run, pg_database: PgDatabase) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    done = _finish([_start(url, "import", str(RETURNS[0])) for _ in range(2)])
    assert [code for code, _ in done] == [0, 0], done
    said = [out for _, out in done]
    assert sum("already imported" in out for out in said) == 1, said
    assert sum("nothing new to import" in out for out in said) == 1, said
    with pg_database.connect() as conn:
        batches = _batch_files(conn)
        assert len(batches) == 1
        assert _one(conn, "SELECT count(*) FROM povtrack.imported_files") == 1
        assert _one(conn, "SELECT count(*) FROM povtrack.entries") == batches[0][1][0]["rows"]


def test_a_client_that_missed_the_earlier_import_is_refused_by_the_server(
    run, pg_database: PgDatabase, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The client's own check is blinded once (as if it had read before the other office
    committed): the server's key refuses the batch, nothing of it is kept, and the command
    says and exits exactly what a plain repeated import does."""
    from povtrack.actions import writes

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    assert run("--db", url, "import", str(RETURNS[0])).exit_code == 0
    plain = run("--db", url, "import", str(RETURNS[0]))
    with pg_database.connect() as conn:
        before = [_one(conn, f"SELECT count(*) FROM povtrack.{t}") for t in ("entries", "batches")]
    real = writes.files_in_force
    calls: list[int] = []

    def blind_once(batches: list[dict[str, Any]]) -> dict[str, Any]:
        calls.append(1)
        return {} if len(calls) == 1 else real(batches)

    monkeypatch.setattr(writes, "files_in_force", blind_once)
    blinded = run("--db", url, "import", str(RETURNS[0]))
    assert len(calls) == 2  # the server refused the first try; the second read afresh
    assert (blinded.exit_code, blinded.stdout, blinded.stderr) == (
        plain.exit_code,
        plain.stdout,
        plain.stderr,
    )
    assert "already imported" in plain.stdout + plain.stderr
    with pg_database.connect() as conn:
        after = [_one(conn, f"SELECT count(*) FROM povtrack.{t}") for t in ("entries", "batches")]
        assert after == before
        assert _one(conn, "SELECT count(*) FROM povtrack.imported_files") == 1


def test_the_server_refuses_a_file_row_twice(run, pg_database: PgDatabase) -> None:
    import psycopg

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    assert run("--db", url, "import", str(RETURNS[0])).exit_code == 0
    with pg_database.connect() as conn:
        sha, batch = conn.execute("SELECT sha256, batch FROM povtrack.imported_files").fetchone()
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute(
                "INSERT INTO povtrack.imported_files (sha256, batch) VALUES (%s, %s)", (sha, batch)
            )
        # a file never imported goes in once, and not a second time
        row = ("0" * 64, batch)
        conn.execute("INSERT INTO povtrack.imported_files (sha256, batch) VALUES (%s, %s)", row)
        with pytest.raises(psycopg.errors.UniqueViolation):
            conn.execute("INSERT INTO povtrack.imported_files (sha256, batch) VALUES (%s, %s)", row)


def _undo_and_again(run, db: str) -> None:
    """Import a file, undo that import, import the file again (allowed: its import was
    undone), then once more (refused: the second import is in force)."""
    assert run("--db", db, "import", str(RETURNS[0])).exit_code == 0
    assert run("--db", db, "undo", "--batch", "b1", "--reason", "wrong file").exit_code == 0
    again = run("--db", db, "import", str(RETURNS[0]))
    assert again.exit_code == 0 and "as batch b3" in again.stdout + again.stderr


def _assert_chain(run, db: str, pg_database: PgDatabase) -> None:
    with pg_database.connect() as conn:
        rows = conn.execute(
            "SELECT after, batch FROM povtrack.imported_files ORDER BY batch"
        ).fetchall()
    assert rows == [("", "b1"), ("b1", "b3")]
    once_more = run("--db", db, "import", str(RETURNS[0]))
    said = once_more.stdout + once_more.stderr
    assert once_more.exit_code == 0 and "already imported: batch b3" in said


def test_an_undone_file_may_be_imported_again_once(run, pg_database: PgDatabase) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    _undo_and_again(run, url)
    _assert_chain(run, url, pg_database)


def test_migrate_fills_the_imported_files(run, pg_database: PgDatabase, tmp_path) -> None:
    source = str(tmp_path / "city.json")
    assert run("--db", source, "init").exit_code == 0
    _undo_and_again(run, source)
    moved = run("--db", source, "db", "migrate", "--to", pg_database.url())
    assert moved.exit_code == 0, moved.stdout + moved.stderr
    _assert_chain(run, pg_database.url(), pg_database)


def test_offices_write_file_rows_only_for_their_own_batches(run, pg_database: PgDatabase) -> None:
    """Row-level security on ``imported_files`` as on the batches: a county office adds the
    files of its own batch only, a viewer none; the city may."""
    import psycopg

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    assert run("--db", url, "import", str(RETURNS[0])).exit_code == 0  # b1, the administrator's
    for login, role in (("county_office", "county"), ("viewer_office", "viewer")):
        extra = ["--area", "yanggao"] if role == "county" else []
        add = ["db", "user", "add", login, "--role", role, "--no-password", *extra]
        assert run("--db", url, *add).exit_code == 0
    insert = "INSERT INTO povtrack.imported_files (sha256, batch) VALUES (%s, %s)"
    with pg_database.connect("county_office") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(insert, ("1" * 64, "b1"))  # not its batch
        conn.execute("INSERT INTO povtrack.batches (id, kind) VALUES ('c1', 'import')")
        conn.execute(insert, ("1" * 64, "c1"))  # its own
    with (
        pg_database.connect("viewer_office") as conn,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute(insert, ("2" * 64, "b1"))

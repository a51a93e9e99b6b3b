"""The PostgreSQL backend behind the same interface: the scenario of tests/helpers/scenario.py
(writes that leave every kind of record and every way an entry stops counting, then every read
command at many dates, and the files they write) run on a database in the throwaway cluster
says, command by command, exactly what it says on the JSON file once the database's own name
and the clock are taken out (``MORE_READS`` under ``-m slow``); and ``db migrate`` carries a
database from JSON to PostgreSQL to SQLite and back to JSON with every record equal.

Skipped where the PostgreSQL server programs are missing (failed in CI): tests/helpers/pg.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from povtrack.storage import Database, db_target
from tests.helpers.backends import (
    Said,
    cli,
    ids,
    more_reads,
    outputs,
    said_in,
    scenario,
)
from tests.helpers.pg import PgCluster, fresh_database
from tests.helpers.scenario import MORE_READS, READS, WRITES


@pytest.fixture(scope="module")
def pg_url(pg_cluster: PgCluster) -> Iterator[str]:
    """A fresh database of the module's own, reached without the caller's PG* settings, as a
    login named as the scenario's POVTRACK_USER: on a server the author is the login, so the
    same name gives the same outputs. The throwaway cluster trusts local logins, so the role
    connects without a password."""
    with pytest.MonkeyPatch.context() as mp:
        for key in [k for k in os.environ if k.startswith("PG")]:
            mp.delenv(key)
        with fresh_database(pg_cluster) as name:
            with pg_cluster.connect(name) as admin:
                admin.execute("CREATE ROLE tester LOGIN CREATEROLE")
                admin.execute(f'GRANT CREATE ON DATABASE "{name}" TO tester')
            yield pg_cluster.url(name, "tester")


@pytest.fixture(scope="module")
def said(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Said, Said, Path]:
    """What each command of the scenario said on PostgreSQL and on the JSON file."""
    folder = scenario(tmp_path_factory)
    on_json = said_in(folder)[".json"]
    files = tmp_path_factory.mktemp("pg-scenario")
    with cli(files) as run:
        on_pg = outputs(run, pg_url, files=files)
    return on_pg, on_json, folder


@pytest.fixture(scope="module")
def more_said(
    said: Any, pg_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Said, Said]:
    """What ``MORE_READS`` say on PostgreSQL (after the scenario's writes) and on JSON."""
    files = tmp_path_factory.mktemp("pg-scenario-more")
    with cli(files) as run:
        on_pg = outputs(run, pg_url, MORE_READS, files=files)
    return on_pg, more_reads(tmp_path_factory)[".json"]


@pytest.mark.parametrize("n", range(len(WRITES) + len(READS)), ids=ids([*WRITES, *READS]))
def test_same_command_same_output_on_postgresql(said: Any, n: int) -> None:
    on_pg, on_json, _ = said
    assert on_pg[n] == on_json[n]


@pytest.mark.slow  # the rest of the reads: CI runs -m slow
@pytest.mark.parametrize("n", range(len(MORE_READS)), ids=ids(MORE_READS))
def test_same_command_same_output_on_postgresql_more_reads(more_said: Any, n: int) -> None:
    on_pg, on_json = more_said
    assert on_pg[n] == on_json[n]


def test_the_values_are_numeric_on_the_server(said: Any, pg_url: str, pg_cluster: Any) -> None:
    """Exact on the server: NUMERIC columns, a fraction kept as the decimal it was written."""
    import psycopg

    with psycopg.connect(pg_url) as conn:
        kinds = conn.execute(
            "SELECT table_name, data_type FROM information_schema.columns "
            "WHERE table_schema = 'povtrack' AND column_name = 'value' "
            "AND table_name <> 'meta' ORDER BY 1"
        ).fetchall()
        texts = {
            row[0]
            for row in conn.execute("SELECT value::text FROM povtrack.entries WHERE value % 1 <> 0")
        }
    assert kinds == [("allocations", "numeric"), ("entries", "numeric")]
    assert "12.5" in texts


def _records(target: str | Path) -> dict[str, Any]:
    """A database's records without what says where it has been (compared separately)."""
    store = Database.open(db_target(str(target)))
    try:
        records = store.records()
    finally:
        store.close()
    meta = {k: v for k, v in records.meta.items() if k in ("plan_text", "demo", "created_at")}
    return {
        "meta": meta,
        "entries": records.entries,
        "batches": records.batches,
        "allocations": records.allocations,
    }


def test_migrate_round_trip_json_postgresql_sqlite_json(
    said: Any, pg_cluster: PgCluster, tmp_path: Path
) -> None:
    """JSON -> PostgreSQL -> SQLite -> JSON: every entry, batch and allocation equal, and the
    generation counts on by one per move."""
    _, _, folder = said
    source = folder / "db.json"
    with fresh_database(pg_cluster) as name, cli(tmp_path) as run:
        url = pg_cluster.url(name)
        steps = [
            (source, url),
            (url, tmp_path / "db.sqlite"),
            (tmp_path / "db.sqlite", tmp_path / "back.json"),
        ]
        generations = []
        for src, dst in steps:
            result = run("--db", str(src), "db", "migrate", "--to", str(dst), "--json")
            assert result.exit_code == 0, result.stderr
            generations.append(json.loads(result.stdout)["generation"])
        again = run("--db", str(source), "db", "migrate", "--to", url)
        assert again.exit_code == 2 and "already holds povtrack data" in again.stderr
        on_pg = _records(url)
    first = _records(source)
    assert len(first["entries"]) > 1000
    assert on_pg == first
    assert _records(tmp_path / "back.json") == first
    assert generations == [generations[0], generations[0] + 1, generations[0] + 2]

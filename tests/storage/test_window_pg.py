"""Reads by the server (``storage.window`` on PostgreSQL) answer what reading every entry
answers: the histories of test_window.py, in a PostgreSQL database and in a JSON file, give
equal status rows at every as-of date and equal series for a write. Also: the server keeps
the series' running figures as rows arrive, and ``db verify`` notices when they are altered."""

from __future__ import annotations

import json
from typing import Any

import pytest

from povtrack.analysis.status import status_rows
from povtrack.planfile import parse_plan
from povtrack.storage import Database
from povtrack.storage.pgurl import PgUrl
from tests.helpers.pg import PgDatabase
from tests.storage.test_window import (
    EDGES,
    PLAN,
    _as_of_dates,
    _made,
    coverage_equal,
    records_for,
)


@pytest.mark.parametrize("seed", [0, 3, *EDGES])
def test_status_from_the_server_equals_status_from_every_entry(
    seed: int | str, pg_database: PgDatabase, tmp_path: Any
) -> None:
    records = records_for(seed)
    url = PgUrl(pg_database.url())
    with Database.creating(url, PLAN, records=records) as (store, _):
        store.commit()
    from povtrack.storage.postgres.maintenance import verify

    assert verify(url).problems == []  # the series' figures of the bulk fill are its entries'
    pg, js = Database.open(url), Database.open(_made(tmp_path / "h.json", records))
    plan, allocations, whole = parse_plan(PLAN, "plan"), js.allocations(), js.ledger()
    assert pg.latest_date() == js.latest_date()
    for day in _as_of_dates(records):
        assert status_rows(plan, pg.ledger_at(day), allocations, day) == status_rows(
            plan, whole, allocations, day
        ), day
    for day in _as_of_dates(records):  # what a report's digest hashes, streamed
        assert list(pg.counting_rows(day)) == list(js.counting_rows(day)), day
    keys = {(e["indicator"], e["area"]) for e in records.entries}
    some = pg.series_ledger(keys)
    assert all(some.values(*k) == whole.values(*k) for k in keys)
    window = pg.ledger_at(pg.latest_date())
    assert records.meta["rough"] or any(k[0] == "jobs.trained" for k in window._first)
    coverage_equal(pg, js, records)


@pytest.mark.parametrize("change", ["total = total + 1", "last2_value = last2_value + 1"])
def test_db_verify_sees_running_figures_altered(run, pg_database: PgDatabase, change: str) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    for day, value in (("2018-03-04", "120"), ("2018-03-11", "80")):
        done = run("--db", url, "record", "jobs.trained", value, "--area", "yanggao", "--date", day)
        assert done.exit_code == 0, done.stderr
    with pg_database.connect() as conn:
        kept = conn.execute(
            "SELECT n_rows, repeats, total::text, newest::text FROM povtrack.series "
            "WHERE indicator = 'jobs.trained' AND area = 'yanggao'"
        ).fetchone()
        assert kept == (2, 0, "200", "2018-03-11")
        assert run("--db", url, "db", "verify").exit_code == 0
        conn.execute(f"UPDATE povtrack.series SET {change}")  # by hand, outside povtrack
    verdict = run("--db", url, "db", "verify", "--json")
    assert verdict.exit_code == 4
    assert any("jobs.trained yanggao" in p for p in json.loads(verdict.stdout)["problems"])


def test_a_date_reported_twice_at_once_is_counted_as_a_repeat(run, pg_database: PgDatabase) -> None:
    """Two writers adding a report of the same date at once: the second to take the series'
    row waits for the first to commit and counts the repeat, so the running figures stay what
    the entries give (and reads by the server treat the date by the rules)."""
    import threading
    import time

    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    earlier = ["record", "jobs.trained", "3", "--area", "yanggao", "--date", "2018-02-25"]
    assert run("--db", url, *earlier).exit_code == 0  # the series' row exists already
    insert = (
        "INSERT INTO povtrack.entries (id, indicator, area, date, value, batch) "
        "SELECT povtrack.next_ids('entries', 1), 'jobs.trained', 'yanggao', '2018-03-04', %s, ''"
    )
    first, second = pg_database.connect(), pg_database.connect()
    first.execute("BEGIN")
    first.execute(insert, (5,))
    second.execute("BEGIN")
    done = threading.Event()

    def add() -> None:
        second.execute(insert, (7,))  # waits for the series' row
        done.set()

    worker = threading.Thread(target=add)
    worker.start()
    time.sleep(0.5)
    assert not done.is_set()  # the second waits for the first
    first.execute("COMMIT")
    worker.join(10)
    second.execute("COMMIT")
    kept = first.execute(
        "SELECT n_rows, repeats, total::text FROM povtrack.series WHERE indicator = 'jobs.trained'"
    ).fetchone()
    assert kept == (3, 1, "15")
    verdict = run("--db", url, "db", "verify", "--json")
    assert verdict.exit_code == 0, verdict.stdout
    first.close()
    second.close()

"""``povtrack db user`` and offices through the CLI: add, list and remove a login (and its
password, set from a file or typed twice at a hidden prompt); a county office records for its
own area and is refused another with exit 7 and one line saying what it may do; ``log --json``
names the login as ``by`` and the name it was given as ``on_behalf_of``.

The throwaway cluster (tests/helpers/pg.py) trusts local logins: a login made with
``--no-password`` (or with a password) connects as ``user=NAME`` in the URL without one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

from povtrack.actions.writes import sample_dir
from tests.helpers.pg import PgDatabase

RELOCATED = "housing.relocated_people"
DAY = "2018-03-04"


def _init(run: Any, db: PgDatabase) -> str:
    url = db.url()
    assert run("--db", url, "init").exit_code == 0
    return url


def _add(run: Any, url: str, login: str, role: str, *more: str) -> Any:
    return run("--db", url, "db", "user", "add", login, "--role", role, *more)


def _has_password(db: PgDatabase, login: str) -> bool:
    with db.connect() as admin:  # pg_authid is the superuser's to read
        row = admin.execute(
            "SELECT rolpassword IS NOT NULL FROM pg_authid WHERE rolname = %s", (login,)
        ).fetchone()
    assert row is not None
    return bool(row[0])


def test_add_list_remove_round_trip(run: Any, pg_database: PgDatabase) -> None:
    url = _init(run, pg_database)
    added = _add(run, url, "yanggao_office", "county", "--area", "阳高县", "--no-password")
    assert added.exit_code == 0, added.stderr
    assert _add(run, url, "watcher", "viewer", "--no-password").exit_code == 0
    listed = run("--db", url, "db", "user", "list", "--json")
    assert listed.exit_code == 0
    assert json.loads(listed.stdout)["users"] == [
        {"login": "watcher", "role": "viewer", "area": None},
        {"login": "yanggao_office", "role": "county", "area": "yanggao"},
    ]
    assert "yanggao_office\tcounty\tyanggao" in run("--db", url, "db", "user", "list").stdout
    assert not _has_password(pg_database, "watcher")
    again = _add(run, url, "watcher", "viewer", "--no-password")
    assert again.exit_code == 2 and "already has a role named watcher" in again.stderr
    removed = run("--db", url, "db", "user", "remove", "watcher")
    assert removed.exit_code == 0, removed.stderr
    listed = json.loads(run("--db", url, "db", "user", "list", "--json").stdout)
    assert [u["login"] for u in listed["users"]] == ["yanggao_office"]
    with pg_database.connect() as admin:
        gone = admin.execute("SELECT count(*) FROM pg_roles WHERE rolname = 'watcher'")
        assert gone.fetchone() == (0,)
    assert run("--db", url, "db", "verify").exit_code == 0


def test_bad_requests_exit_2(run: Any, pg_database: PgDatabase, tmp_path: Path) -> None:
    url = _init(run, pg_database)
    said = [
        _add(run, url, "a", "county", "--no-password"),  # no area
        _add(run, url, "b", "county", "--area", "nowhere", "--no-password"),
        _add(run, url, "c", "viewer", "--area", "yanggao", "--no-password"),
        _add(run, url, "Bad-Name", "viewer", "--no-password"),
        _add(run, url, "d", "mayor", "--no-password"),
        run("--db", url, "db", "user", "remove", "nobody"),
    ]
    assert [r.exit_code for r in said] == [2] * len(said), [r.stderr for r in said]
    on_file = run("--db", str(tmp_path / "t.json"), "db", "user", "list")
    assert on_file.exit_code == 2
    assert "only on a PostgreSQL database" in on_file.stderr
    assert len(on_file.stderr.strip().splitlines()) == 1


def test_passwords_from_a_file_or_the_prompt(
    run: Any, pg_database: PgDatabase, tmp_path: Path
) -> None:
    url = _init(run, pg_database)
    secret = tmp_path / "pw"
    secret.write_text("correct horse\n", encoding="utf-8")
    result = _add(run, url, "filed", "viewer", "--password-file", str(secret))
    assert result.exit_code == 0, result.stderr
    assert _has_password(pg_database, "filed")
    with pg_database.connect() as admin:  # hashed by the client: the server never saw it plain
        stored = admin.execute("SELECT rolpassword FROM pg_authid WHERE rolname = 'filed'")
        assert stored.fetchone()[0].startswith("SCRAM-SHA-256$")
    prompted = run("--db", url, "db", "user", "add", "typed", "--role", "city", input="pw\npw\n")
    assert prompted.exit_code == 0, prompted.stderr
    assert "pw" not in prompted.stdout.replace("Password", "")  # hidden input is not echoed
    assert _has_password(pg_database, "typed")
    assert _add(run, url, "later", "viewer", "--no-password").exit_code == 0
    assert not _has_password(pg_database, "later")
    changed = run("--db", url, "db", "user", "passwd", "later", "--password-file", str(secret))
    assert changed.exit_code == 0, changed.stderr
    assert _has_password(pg_database, "later")


def test_a_county_office_through_the_cli(run: Any, pg_database: PgDatabase) -> None:
    url = _init(run, pg_database)
    assert _add(run, url, "yanggao_office", "county", "--area", "yanggao", "--no-password")
    assert _add(run, url, "watcher", "viewer", "--no-password").exit_code == 0
    county = pg_database.url("yanggao_office")
    own = run(
        "--db", county, "record", RELOCATED, "5200", "--area", "yanggao", "--date", DAY,
        "--by", "clerk wang",
    )  # fmt: skip
    assert own.exit_code == 0, own.stderr
    other = run("--db", county, "record", RELOCATED, "5", "--area", "tianzhen", "--date", DAY)
    assert other.exit_code == 7
    assert len(other.stderr.strip().splitlines()) == 1
    assert "not permitted" in other.stderr
    assert "county login for Yanggao County (yanggao)" in other.stderr  # the area by name
    returns = sorted((sample_dir() / "returns").glob("2018-W*.csv"))
    every_county = subprocess.run(  # rows of other counties too; a process, as users run it
        [sys.executable, "-m", "povtrack", "--db", county, "import", str(returns[0])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert every_county.returncode == 7
    # one line, no noise of the driver unwinding
    assert len(every_county.stderr.strip().splitlines()) == 1, every_county.stderr
    target = run("--db", county, "target", "set", RELOCATED, "9000", "--area", "yanggao")
    assert target.exit_code == 7
    viewer = run(
        "--db", pg_database.url("watcher"), "record", RELOCATED, "5", "--area", "yanggao",
        "--date", DAY,
    )  # fmt: skip
    assert viewer.exit_code == 7 and "may only read" in viewer.stderr
    not_admin = _add(run, county, "sneaky", "city", "--no-password")
    assert not_admin.exit_code == 7 and "the login that ran init" in not_admin.stderr
    log = json.loads(run("--db", url, "log", "--json").stdout)
    rows = log if isinstance(log, list) else log.get("entries", log)
    assert [(e["by"], e["on_behalf_of"], e["area"]) for e in rows] == [
        ("yanggao_office", "clerk wang", "yanggao")
    ]


def test_a_county_office_undoes_and_corrects_only_its_own(
    run: Any, pg_database: PgDatabase
) -> None:
    url = _init(run, pg_database)
    added = _add(run, url, "yanggao_office", "county", "--area", "yanggao", "--no-password")
    assert added.exit_code == 0, added.stderr
    county = pg_database.url("yanggao_office")
    for db, day in ((county, DAY), (url, "2018-03-11")):  # its own entry, then the admin's
        said = run("--db", db, "record", RELOCATED, "10", "--area", "yanggao", "--date", day)
        assert said.exit_code == 0, said.stderr
    rows = json.loads(run("--db", url, "log", "--json").stdout)["entries"]
    mine, theirs = (next(e for e in rows if e["date"] == d) for d in (DAY, "2018-03-11"))
    assert (mine["by"], theirs["by"]) == ("yanggao_office", "postgres")
    refused = [
        run("--db", county, "correct", str(theirs["id"]), "11", "--reason", "x"),
        run("--db", county, "undo", "--batch", theirs["batch"], "--reason", "x"),
    ]
    assert [r.exit_code for r in refused] == [7, 7], [r.stderr for r in refused]
    assert all("only its own batches" in r.stderr for r in refused)
    fixed = run("--db", county, "correct", str(mine["id"]), "12", "--reason", "resubmitted")
    assert fixed.exit_code == 0, fixed.stderr
    undone = run("--db", county, "undo", "--batch", mine["batch"], "--reason", "wrong week")
    assert undone.exit_code == 0, undone.stderr


def test_an_administrator_that_is_not_a_superuser(run: Any, pg_database: PgDatabase) -> None:
    """The deployment's case: the city's clerk login (CREATEROLE, not superuser) runs init and
    manages the offices."""
    with pg_database.connect() as admin:
        admin.execute("CREATE ROLE clerk LOGIN CREATEROLE")
        admin.execute(f'GRANT CREATE ON DATABASE "{pg_database.name}" TO clerk')
    url = pg_database.url("clerk")
    assert run("--db", url, "init").exit_code == 0
    added = _add(run, url, "hunyuan_office", "county", "--area", "hunyuan", "--no-password")
    assert added.exit_code == 0, added.stderr
    said = run(
        "--db", pg_database.url("hunyuan_office"), "record", RELOCATED, "3", "--area", "hunyuan",
        "--date", DAY,
    )  # fmt: skip
    assert said.exit_code == 0, said.stderr
    removed = run("--db", url, "db", "user", "remove", "hunyuan_office")
    assert removed.exit_code == 0, removed.stderr
    assert run("--db", url, "db", "verify").exit_code == 0

"""Backups of a PostgreSQL database (``db backup``, ``db backups``, ``db restore --to``): a
backup taken by any login that may read restores into a fresh database with every record
equal (values of the same type, authors and ``on_behalf_of`` kept) and its offices granted
again; the database backed up is never changed; a database that holds povtrack data is
refused and left as it was; a damaged or edited backup is refused with one line and nothing
written; the backups of a database are listed and others' are not; a password in a URL never
shows, in any output or in the backup.

Needs the throwaway cluster of tests/helpers/pg.py (skipped without the server, failed in CI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from povtrack.storage import Database, db_target
from tests.helpers.backends import scenario
from tests.helpers.pg import PgCluster, PgDatabase, fresh_database

RELOCATED = "housing.relocated_people"
DAY = "2018-03-04"
SECRET = "s3cret-Pa55"


@pytest.fixture
def spare(pg_cluster: PgCluster) -> Iterator[str]:
    """Another empty database in the cluster, for a restore to go into (its name)."""
    with fresh_database(pg_cluster) as name:
        yield name


def _records(url: str) -> dict[str, Any]:
    """A database's records as JSON text (so 5200 and 5200.0 differ), without the meta that
    says where the data has been, and each entry's author and ``on_behalf_of`` as the server
    keeps them."""
    store = Database.open(db_target(url))
    try:
        records = store.records()
        rows = store._require().execute(  # type: ignore[attr-defined]
            'SELECT id, "by", on_behalf_of FROM povtrack.entries ORDER BY id'
        )
        authors = [list(row) for row in rows.fetchall()]
    finally:
        store.close()
    meta = {k: records.meta[k] for k in ("plan_text", "demo", "created_at")}
    return {
        "meta": meta,
        "records": json.dumps(
            [records.entries, records.batches, records.allocations], sort_keys=True
        ),
        "authors": authors,
        "generation": records.meta["generation"],
    }


def _backup(run: Any, url: str, folder: Path) -> Path:
    made = run("--db", url, "db", "backup", "--folder", str(folder))
    assert made.exit_code == 0, made.stderr
    return Path(made.stdout.strip())


def _has_povtrack(db: PgDatabase | PgCluster, name: str | None = None) -> bool:
    conn = db.connect(name) if isinstance(db, PgCluster) else db.connect()
    with conn:
        row = conn.execute("SELECT to_regnamespace('povtrack') IS NOT NULL").fetchone()
    return bool(row and row[0])


def test_a_backup_restores_into_a_new_database_with_every_record(
    run: Any, pg_database: PgDatabase, pg_cluster: PgCluster, tmp_path_factory: Any, tmp_path: Path
) -> None:
    """The scenario's database (every kind of record) moved to the server, offices added and
    an entry recorded by a county office on someone's behalf; a viewer backs it up; the
    restore holds the same records and the offices may do there what they did."""
    url = pg_database.url()
    source = scenario(tmp_path_factory) / "db.json"
    assert run("--db", str(source), "db", "migrate", "--to", url).exit_code == 0
    for login, role, *more in (
        ("yanggao_office", "county", "--area", "yanggao"),
        ("watcher", "viewer"),
    ):
        added = run("--db", url, "db", "user", "add", login, "--role", role, *more, "--no-password")
        assert added.exit_code == 0, added.stderr
    county = pg_database.url("yanggao_office")
    entry = ("record", RELOCATED, "5300", "--area", "yanggao", "--date", DAY, "--by", "张三")
    said = run("--db", county, *entry)
    assert said.exit_code == 0, said.stderr
    before = _records(url)
    folder = tmp_path / "backups"
    backup = _backup(run, pg_database.url("watcher"), folder)  # a viewer may back up
    assert backup.parent == folder and backup.name.startswith(f"{pg_database.name}-manual-")
    with fresh_database(pg_cluster) as name:
        new = pg_cluster.url(name)
        restored = run(
            "--db", url, "db", "restore", backup.name, "--folder", str(folder), "--to", new
        )
        assert restored.exit_code == 0, restored.stderr
        assert f"export POVTRACK_DB='{new}'" in restored.stderr
        assert "2 offices granted" in restored.stderr
        after = _records(new)
        offices = run("--db", new, "db", "user", "list", "--json")
        assert offices.exit_code == 0
        assert json.loads(offices.stdout) == json.loads(
            run("--db", url, "db", "user", "list", "--json").stdout
        )
        # the grants are back: the county office records for its own area, not for another
        own = ("record", RELOCATED, "13", "--area", "yanggao", "--date", DAY)
        assert run("--db", pg_cluster.url(name, "yanggao_office"), *own).exit_code == 0
        other = ("record", RELOCATED, "13", "--area", "tianzhen", "--date", DAY)
        assert run("--db", pg_cluster.url(name, "yanggao_office"), *other).exit_code == 7
        assert run("--db", pg_cluster.url(name, "watcher"), *own).exit_code == 7
    values = [e["value"] for e in json.loads(before["records"])[0]]
    assert any(isinstance(v, float) for v in values) and any(isinstance(v, int) for v in values)
    assert ["yanggao_office", "张三"] in [a[1:] for a in before["authors"]]
    assert {k: after[k] for k in ("meta", "records", "authors")} == {
        k: before[k] for k in ("meta", "records", "authors")
    }
    assert after["generation"] == before["generation"] + 1
    assert _records(url) == before  # the database backed up is unchanged


def test_a_database_with_povtrack_data_is_refused_and_left_as_it_was(
    run: Any, pg_database: PgDatabase, tmp_path: Path
) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    record = ("record", RELOCATED, "5200", "--area", "yanggao", "--date", DAY)
    assert run("--db", url, *record).exit_code == 0
    folder = tmp_path / "backups"
    backup = _backup(run, url, folder)
    before = _records(url)
    onto = run("--db", url, "db", "restore", str(backup), "--to", url)
    assert onto.exit_code == 2 and "already holds povtrack data" in onto.stderr
    assert len(onto.stderr.splitlines()) == 1
    in_place = run("--db", url, "db", "restore", "--folder", str(folder))  # no --to
    assert in_place.exit_code == 2 and "never in place" in in_place.stderr
    to_file = run("--db", url, "db", "restore", str(backup), "--to", str(tmp_path / "x.json"))
    assert to_file.exit_code == 2 and not (tmp_path / "x.json").exists()
    with pg_database.connect() as admin:
        admin.execute("CREATE ROLE stranger LOGIN")  # a login that is no office here
    stranger = run("--db", pg_database.url("stranger"), "db", "backup", "--folder", str(folder))
    assert stranger.exit_code == 7 and "not permitted" in stranger.stderr
    assert len(stranger.stderr.splitlines()) == 1
    assert sorted(folder.iterdir()) == [backup]
    assert _records(url) == before
    # and the backup is itself a povtrack database, read as one
    status = run("--db", str(backup), "log", "--json")
    assert status.exit_code == 0 and len(json.loads(status.stdout)["entries"]) == 1


def test_the_backups_of_this_database_are_listed_and_picked(
    run: Any, pg_database: PgDatabase, pg_cluster: PgCluster, spare: str, tmp_path: Path
) -> None:
    url = pg_database.url()
    folder = tmp_path / "backups"
    listed = run("--db", url, "db", "backups", "--folder", str(folder))
    assert listed.exit_code == 4  # no povtrack database there yet
    assert run("--db", url, "init").exit_code == 0
    first = _backup(run, url, folder)
    record = ("record", RELOCATED, "5200", "--area", "yanggao", "--date", DAY)
    assert run("--db", url, *record).exit_code == 0
    second = _backup(run, url, folder)
    other_url = pg_cluster.url(spare)  # a copy: the same created_at and plan, another name
    assert run("--db", url, "db", "migrate", "--to", other_url).exit_code == 0
    others = _backup(run, other_url, folder)  # another database's, in the same folder
    broken = folder / f"{pg_database.name}-manual-broken.json"
    broken.write_text('{"meta": ', encoding="utf-8")
    (folder / f"{pg_database.name}-planted.json").symlink_to(second)  # a link is no backup
    listed = run("--db", url, "db", "backups", "--folder", str(folder), "--json")
    assert listed.exit_code == 0, listed.stderr
    rows = json.loads(listed.stdout)["backups"]
    by_name = {row["name"]: row for row in rows}
    assert others.name not in by_name and f"{pg_database.name}-planted.json" not in by_name
    assert not by_name.pop(broken.name)["ok"]
    assert [row["name"] for row in rows if row["name"] in by_name] == [second.name, first.name]
    gen_first, gen_second = (by_name[p.name]["generation"] for p in (first, second))
    assert gen_second == gen_first + 1
    assert [by_name[p.name]["entries"] for p in (first, second)] == [0, 1]
    assert all(by_name[p.name]["ok"] for p in (first, second))
    assert "unusable" in run("--db", url, "db", "backups", "--folder", str(folder)).stdout
    # by generation number: the older one
    with fresh_database(pg_cluster) as name:
        new = pg_cluster.url(name)
        chosen = ("db", "restore", str(gen_first), "--folder", str(folder), "--to", new)
        restored = run("--db", url, *chosen)
        assert restored.exit_code == 0, restored.stderr
        assert first.name in restored.stderr
        assert json.loads(run("--db", new, "log", "--json").stdout)["entries"] == []
    file_db = run("--db", str(tmp_path / "db.json"), "db", "backups", "--folder", str(folder))
    assert file_db.exit_code == 2 and "--folder" in file_db.stderr


def test_a_damaged_or_edited_backup_is_refused_with_one_line(
    run: Any, pg_database: PgDatabase, pg_cluster: PgCluster, spare: str, tmp_path: Path
) -> None:
    url = pg_database.url()
    assert run("--db", url, "init").exit_code == 0
    record = ("record", RELOCATED, "5200", "--area", "yanggao", "--date", DAY)
    assert run("--db", url, *record).exit_code == 0
    backup = _backup(run, url, tmp_path / "backups")
    good = backup.read_bytes()
    edited = json.loads(good)
    [series] = edited["series"].values()
    series["value"][0] += 1  # still a sound database, with another number
    cases = {
        "edited": json.dumps(edited).encode(),
        "truncated": good[: len(good) // 2],
        "a plain database": json.dumps(
            {k: v for k, v in edited.items()}
            | {"meta": {"1": {k: v for k, v in edited["meta"]["1"].items() if k != "pg_backup"}}}
        ).encode(),
    }
    new = pg_cluster.url(spare)
    for what, content in cases.items():
        bad = tmp_path / f"{what}.json"
        bad.write_bytes(content)
        refused = run("--db", url, "db", "restore", str(bad), "--to", new)
        assert refused.exit_code == 4, (what, refused.stderr)
        assert len(refused.stderr.strip().splitlines()) == 1, what
        assert str(bad) in refused.stderr
        assert "Traceback" not in refused.stderr
    assert (
        "SHA-256 does not match"
        in run("--db", url, "db", "restore", str(tmp_path / "edited.json"), "--to", new).stderr
    )
    assert not _has_povtrack(pg_cluster, spare)  # nothing was written
    assert run("--db", url, "db", "restore", str(backup), "--to", new).exit_code == 0


def test_no_password_shows_and_a_removed_login_is_not_granted(
    run: Any, pg_database: PgDatabase, pg_cluster: PgCluster, spare: str, tmp_path: Path
) -> None:
    def secret(url: str) -> str:
        return url.replace("postgresql://postgres@", f"postgresql://postgres:{quote(SECRET)}@", 1)

    url = secret(pg_database.url())
    new = secret(pg_cluster.url(spare))
    folder = str(tmp_path / "backups")
    assert run("--db", url, "init").exit_code == 0
    add = ("db", "user", "add", "gone_office", "--role", "viewer", "--no-password")
    assert run("--db", url, *add).exit_code == 0
    made = run("--db", url, "db", "backup", "--folder", folder)
    assert run("--db", url, "db", "user", "remove", "gone_office").exit_code == 0
    said = [
        made,
        run("--db", url, "db", "backups", "--folder", folder),
        run("--db", url, "db", "backups", "--folder", folder, "--json"),
        run("--db", url, "db", "restore", "--folder", folder, "--to", new),
        run("--db", url, "db", "restore", "--folder", folder, "--to", new),  # refused now
    ]
    assert [r.exit_code for r in said] == [0, 0, 0, 0, 2]
    for result in said:
        assert SECRET not in result.stdout + result.stderr
        assert quote(SECRET) not in result.stdout + result.stderr
    assert SECRET not in Path(made.stdout.strip()).read_text(encoding="utf-8")
    restored = said[3].stderr
    assert "warning: " in restored and "no login gone_office" in restored
    assert "0 offices granted" in restored and "password hidden" in restored
    assert "postgres:***@" in restored
    users = json.loads(run("--db", new, "db", "user", "list", "--json").stdout)["users"]
    assert users == []

"""`povtrack inbox DIR` into a PostgreSQL database: the folder stays on this disk, each return is
one transaction on the server written by the login running the inbox (``by``), recorded on
behalf of the area it is for (``on_behalf_of``); a return the server refuses this login stays
where it was (exit 7) with nothing of it written; the server's key decides that a file imported
twice counts once; a run killed before or after a commit leaves a state the next run finishes.

The throwaway cluster (tests/helpers/pg.py) trusts local logins: a login made with ``db user
add --no-password`` connects as ``user=NAME`` in the URL. Each test makes one database (~0.3 s);
the checks on the server are made as its superuser, through psycopg.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.actions.test_inbox import set_age, tree
from tests.helpers.faults import pov
from tests.helpers.paths import SAMPLE_RETURNS
from tests.helpers.pg import PgDatabase

OFFICES = {
    "city_hq": ("city", None),
    "yanggao_office": ("county", "yanggao"),
    "watcher": ("viewer", None),
}


@pytest.fixture
def server(run: Any, pg_database: PgDatabase) -> PgDatabase:
    """A povtrack database made by the superuser (the administrator) with a login per kind."""
    assert run("--db", pg_database.url(), "init").exit_code == 0
    for login, (role, area) in OFFICES.items():
        args = ["db", "user", "add", login, "--role", role, "--no-password"]
        said = run("--db", pg_database.url(), *args, *(["--area", area] if area else []))
        assert said.exit_code == 0, said.stderr
    return pg_database


def sample_rows(week: int) -> tuple[str, list[str]]:
    """A sample return's header and rows (every county's, with the city's own)."""
    header, *rows = (SAMPLE_RETURNS / f"2018-W{week}.csv").read_text("utf-8").splitlines()
    return header, rows


def drop(folder: Path, name: str, text: str, age: float = 100.0) -> Path:
    """A return in the inbox whose last change was ``age`` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, "utf-8")
    set_age(path, age)
    return path


def county_return(folder: Path, week: int, area: str, age: float = 100.0) -> Path:
    """One county's rows of a sample return: what a county e-mails the city."""
    header, rows = sample_rows(week)
    own = [r for r in rows if r.split(",")[1] == area]
    assert own, (week, area)
    return drop(folder, f"{area}-W{week}.csv", "\n".join([header, *own]) + "\n", age)


def inbox(run: Any, url: str, folder: Path) -> tuple[int, dict[str, Any]]:
    said = run("--db", url, "inbox", str(folder), "--json", "--settle", "0")
    return said.exit_code, json.loads(said.stdout)


def rows_of(db: PgDatabase, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    with db.connect() as conn:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]


def counts(db: PgDatabase) -> list[int]:
    tables = ("entries", "batches", "imported_files")
    return [rows_of(db, f"SELECT count(*) FROM povtrack.{t}")[0][0] for t in tables]


def work_folders(folder: Path) -> list[str]:
    return [p.name for p in folder.iterdir() if p.name.startswith(".povtrack-work")]


def test_the_city_takes_returns_in_on_behalf_of_their_areas(
    run: Any, server: PgDatabase, tmp_path: Path
) -> None:
    """A whole sample return and two county returns e-mailed to the city: each lands as its
    own batch written by the city's login, on behalf of the area it is for (the city's own id
    for a return of every county)."""
    folder = tmp_path / "inbox"
    files = {
        "2018-W20.csv": drop(
            folder, "2018-W20.csv", (SAMPLE_RETURNS / "2018-W20.csv").read_text("utf-8"), age=300
        ),
        "yanggao-W21.csv": county_return(folder, 21, "yanggao", age=200),
        "lingqiu-W21.csv": county_return(folder, 21, "lingqiu", age=100),
    }
    rows = {name: len(path.read_text("utf-8").splitlines()) - 1 for name, path in files.items()}
    code, doc = inbox(run, server.url("city_hq"), folder)
    assert code == 0, doc
    assert [(o["file"], o["status"]) for o in doc["files"]] == [
        (name, "imported") for name in files
    ]
    assert tree(folder) == ["done", *sorted(f"done/{name}" for name in files)]
    behalf = {"2018-W20.csv": "datong", "yanggao-W21.csv": "yanggao", "lingqiu-W21.csv": "lingqiu"}
    found = rows_of(
        server,
        'SELECT e.area, e."by", e.on_behalf_of, b.files FROM povtrack.entries e '
        "JOIN povtrack.batches b ON b.id = e.batch ORDER BY e.id",
    )
    per_file: dict[str, int] = {}
    for area, by, on_behalf_of, batch_files in found:
        [name] = [f["name"] for f in json.loads(batch_files)]
        per_file[name] = per_file.get(name, 0) + 1
        assert (by, on_behalf_of) == ("city_hq", behalf[name]), (name, area)
        if name != "2018-W20.csv":  # a county's return holds its own rows only
            assert area == behalf[name]
    assert per_file == rows  # every row of every file, once (a fresh database: none unchanged)
    batches = rows_of(server, 'SELECT "by", extra FROM povtrack.batches ORDER BY seq')
    assert [(by, json.loads(extra).get("on_behalf_of")) for by, extra in batches] == [
        ("city_hq", behalf[name]) for name in files
    ]
    # and as povtrack shows it to any office: lingqiu's entries came in both returns
    log = run("--db", server.url("watcher"), "log", "--json", "--area", "灵丘县")
    assert log.exit_code == 0, log.stderr
    shown = {(e["by"], e["on_behalf_of"]) for e in json.loads(log.stdout)["entries"]}
    assert shown == {("city_hq", "datong"), ("city_hq", "lingqiu")}


def test_a_county_login_is_refused_another_countys_return(
    run: Any, server: PgDatabase, tmp_path: Path
) -> None:
    """yanggao's own inbox holds tianzhen's return too: the server refuses it (exit 7), nothing
    of it is written, it stays where it was, and yanggao's own return is taken in. The city's
    inbox then takes tianzhen's in; a viewer's run stops at its first return."""
    folder = tmp_path / "inbox"
    other = county_return(folder, 22, "tianzhen", age=300)
    other_bytes = other.read_bytes()
    own = county_return(folder, 22, "yanggao", age=100)
    said = run(
        "--db", server.url("yanggao_office"), "inbox", str(folder), "--json", "--settle", "0"
    )
    assert said.exit_code == 7, said.stderr
    doc = json.loads(said.stdout)
    outcomes = {o["file"]: o for o in doc["files"]}
    assert outcomes["yanggao-W22.csv"]["status"] == "imported"
    refused = outcomes["tianzhen-W22.csv"]
    assert refused["status"] == "left" and refused["moved_to"] is None
    assert "nothing written" in refused["message"]
    assert "yanggao_office is a county login for Yanggao County (yanggao)" in refused["message"]
    assert other.read_bytes() == other_bytes  # where it was, as it was
    assert not own.exists()
    assert tree(folder) == ["done", "done/yanggao-W22.csv", "tianzhen-W22.csv"]
    assert work_folders(folder) == []
    assert rows_of(server, "SELECT count(*) FROM povtrack.entries WHERE area = 'tianzhen'") == [
        (0,)
    ]
    assert rows_of(server, 'SELECT DISTINCT "by" FROM povtrack.batches') == [("yanggao_office",)]
    # the refusal said on screen too, in one line, with the exit code
    again = run("--db", server.url("yanggao_office"), "inbox", str(folder), "--settle", "0")
    assert again.exit_code == 7
    [line] = [ln for ln in again.stderr.splitlines() if "tianzhen-W22.csv" in ln]
    assert line.startswith("left: tianzhen-W22.csv: left where it was, nothing written:")
    assert "Traceback" not in again.stderr
    # a viewer may import nothing: the run stops at the first return, the rest stay
    county_return(folder, 23, "tianzhen", age=50)
    before = counts(server)
    viewer = run("--db", server.url("watcher"), "inbox", str(folder), "--json", "--settle", "0")
    assert viewer.exit_code == 7
    assert [o["status"] for o in json.loads(viewer.stdout)["files"]] == ["left"]
    assert "the run stopped" in viewer.stderr
    assert tree(folder) == ["done", "done/yanggao-W22.csv", "tianzhen-W22.csv", "tianzhen-W23.csv"]
    assert counts(server) == before
    # the city's inbox takes them in, on behalf of tianzhen
    code, doc = inbox(run, server.url("city_hq"), folder)
    assert code == 0, doc
    assert [o["status"] for o in doc["files"]] == ["imported", "imported"]
    assert rows_of(
        server, "SELECT DISTINCT \"by\", on_behalf_of FROM povtrack.entries WHERE area = 'tianzhen'"
    ) == [("city_hq", "tianzhen")]


def test_the_same_return_twice_counts_once(
    run: Any, server: PgDatabase, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dropped again under another name, a return is "already imported"; also when the
    client's own check is blinded (as if another office had committed it after this run read
    the server): the server's key on imported_files refuses the batch and nothing is kept."""
    from povtrack.actions import writes

    folder = tmp_path / "inbox"
    first = county_return(folder, 24, "yanggao")
    text = first.read_text("utf-8")
    url = server.url("yanggao_office")
    assert inbox(run, url, folder)[0] == 0
    before = counts(server)
    drop(folder, "again.csv", text)
    code, doc = inbox(run, url, folder)
    assert code == 0
    [o] = doc["files"]
    assert o["status"] == "already" and o["moved_to"].endswith("done/again.csv")
    assert counts(server) == before
    real, calls = writes.files_in_force, []

    def blind_once(batches: list[dict[str, Any]]) -> dict[str, Any]:
        calls.append(1)
        return {} if len(calls) == 1 else real(batches)

    monkeypatch.setattr(writes, "files_in_force", blind_once)
    drop(folder, "third.csv", text)
    code, doc = inbox(run, server.url("city_hq"), folder)
    assert len(calls) == 2  # the server refused the first try; the second read afresh
    assert code == 0
    assert [o["status"] for o in doc["files"]] == ["already"]
    assert counts(server) == before
    assert sorted(p.name for p in (folder / "done").iterdir()) == [
        "again.csv",
        "third.csv",
        "yanggao-W24.csv",
    ]


@pytest.mark.parametrize(
    ("crash_at", "next_run"),
    [("pg_before_commit", "imported"), ("inbox_after_commit", "already")],
)
def test_a_run_killed_around_its_commit(
    run: Any, server: PgDatabase, tmp_path: Path, crash_at: str, next_run: str
) -> None:
    """Killed before the commit: the server rolled the return back and the next run imports
    it; killed after it: the next run finds it already imported. Either way the return sits
    in the run's private folder meanwhile and ends in done/, its rows on the server once."""
    folder = tmp_path / "inbox"
    path = county_return(folder, 25, "yanggao")
    raw = path.read_bytes()
    url = server.url("city_hq")
    killed = pov(
        tmp_path / "unused.json", "--db", url, "inbox", str(folder), "--settle", "0",
        env={"POVTRACK_TEST_CRASH_AT": crash_at},
    )  # fmt: skip
    assert killed.returncode == -9, killed.stderr
    [work] = work_folders(folder)
    assert tree(folder) == [work, f"{work}/{path.name}"]  # taken, not moved
    written = counts(server)[0]
    assert written == (0 if crash_at == "pg_before_commit" else len(raw.splitlines()) - 1)
    code, doc = inbox(run, url, folder)
    assert code == 0, doc
    assert [o["status"] for o in doc["files"]] == [next_run]
    assert (folder / "done" / path.name).read_bytes() == raw
    assert work_folders(folder) == []
    assert counts(server) == [len(raw.splitlines()) - 1, 1, 1]

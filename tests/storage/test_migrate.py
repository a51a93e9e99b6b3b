"""povtrack db migrate --to PATH: every record moved to a new database of another backend and
back without a loss (ids, values and their types, corrections, undos, batches, allocations,
meta), the source never changed, and a target that exists or is the source refused with
exit 2 before anything is written.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from povtrack.storage import Database
from tests.helpers.backends import outputs, scenario
from tests.helpers.paths import FIXTURES
from tests.helpers.scenario import READS

# What each database says of itself rather than of its data.
OWN_META = {"schema", "generation", "written_by", "committed_at", "migrated_from"}
OWN_META |= {f"{t}_count" for t in ("entries", "batches", "allocations")}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON database after the whole scenario of tests/helpers/backends.py (its writes, then
    reads, which change nothing), built once for the run."""
    return scenario(tmp_path_factory) / "db.json"


@pytest.fixture
def source(built: Path, tmp_path: Path) -> Path:
    db = tmp_path / "source.json"
    shutil.copyfile(built, db)
    return db


def migrate(run, db: Path, to: str, *more: str):
    return run("--db", str(db), "db", "migrate", "--to", to, *more)


def records(db: Path):
    store = Database.open(db)
    try:
        return store.records()
    finally:
        getattr(store, "close", lambda: None)()


def data_meta(meta: dict) -> dict:
    return {k: v for k, v in meta.items() if k not in OWN_META}


def test_json_to_sqlite_to_json_keeps_every_record(run, source: Path, tmp_path: Path) -> None:
    sq, back = tmp_path / "moved.sqlite", tmp_path / "back.json"
    assert migrate(run, source, str(sq)).exit_code == 0
    assert migrate(run, sq, str(back)).exit_code == 0
    original, middle, final = records(source), records(sq), records(back)
    for other in (middle, final):
        assert other.entries == original.entries
        assert other.batches == original.batches
        assert other.allocations == original.allocations
        assert data_meta(other.meta) == data_meta(original.meta)
    assert middle.meta["generation"] == original.meta["generation"] + 1
    assert final.meta["generation"] == original.meta["generation"] + 2
    assert str(source) in middle.meta["migrated_from"]
    assert str(sq) in final.meta["migrated_from"]
    # what is being compared is the whole history, of every kind
    assert len(original.entries) > 1000
    assert any("corrects" in e for e in original.entries)
    assert any(b["kind"] == "undo" for b in original.batches)
    assert {type(e["value"]) for e in original.entries} == {int, float}
    assert original.allocations


@pytest.mark.slow  # every read command three times over (15 s): CI runs it with -m slow
def test_the_round_trip_reports_the_same(run, source: Path, tmp_path: Path) -> None:
    sq, back = tmp_path / "moved.sqlite", tmp_path / "back.json"
    assert migrate(run, source, str(sq)).exit_code == 0
    assert migrate(run, sq, str(back)).exit_code == 0
    own = ("schema", "backups", "generation")
    shown = [outputs(run, db, READS, own=own) for db in (source, sq, back)]
    assert shown[1] == shown[0]
    assert shown[2] == shown[0]


def test_the_source_is_never_changed(run, source: Path, tmp_path: Path) -> None:
    before = source.read_bytes()
    sq = tmp_path / "moved.sqlite"
    assert migrate(run, source, str(sq)).exit_code == 0
    assert source.read_bytes() == before
    sq_before = sq.read_bytes()
    assert migrate(run, sq, str(tmp_path / "again.sqlite")).exit_code == 0
    assert sq.read_bytes() == sq_before


def test_migrate_says_what_it_moved(run, source: Path, tmp_path: Path) -> None:
    sq = tmp_path / "moved.sqlite"
    result = migrate(run, source, str(sq), "--json")
    assert result.exit_code == 0, result.stderr
    original = records(source)
    assert json.loads(result.stdout) == {
        "source": str(source),
        "source_backend": "json",
        "target": str(sq),
        "target_backend": "sqlite",
        "entries": len(original.entries),
        "batches": len(original.batches),
        "allocations": len(original.allocations),
        "generation": original.meta["generation"] + 1,
        "source_generation": original.meta["generation"],
    }
    assert f"{len(original.entries)} entries" in result.stderr


def test_a_sqlite_url_names_the_target(run, source: Path, tmp_path: Path) -> None:
    target = tmp_path / "by-url.sqlite"
    result = migrate(run, source, f"sqlite:///{target}")  # sqlite:////abs/path: absolute
    assert result.exit_code == 0, result.stderr
    assert len(records(target).entries) == len(records(source).entries)


@pytest.mark.parametrize("suffix", [".sqlite", ".json"])
def test_an_existing_target_is_refused_and_nothing_is_written(
    run, source: Path, tmp_path: Path, suffix: str
) -> None:
    target = tmp_path / f"there{suffix}"
    target.write_text("keep me", encoding="utf-8")
    before = sorted(p.name for p in tmp_path.iterdir())
    result = migrate(run, source, str(target))
    assert result.exit_code == 2
    [line] = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert str(target) in line and "already exists" in line
    assert target.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # not even a lock file


def test_the_source_itself_is_refused(run, source: Path, tmp_path: Path) -> None:
    link = tmp_path / "same.json"
    link.symlink_to(source)
    before = sorted(p.name for p in tmp_path.iterdir())
    for to in (str(source), str(link)):
        result = migrate(run, source, to)
        assert result.exit_code == 2
        assert "being migrated" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_a_missing_source_is_exit_4(run, tmp_path: Path) -> None:
    result = migrate(run, tmp_path / "none.json", str(tmp_path / "new.sqlite"))
    assert result.exit_code == 4
    assert not (tmp_path / "new.sqlite").exists()


def test_the_new_database_counts_on_from_the_old_ids(run, source: Path, tmp_path: Path) -> None:
    sq = tmp_path / "moved.sqlite"
    assert migrate(run, source, str(sq)).exit_code == 0
    old = records(source)
    result = run("--db", str(sq), "record", "housing.relocated_people", "6000",
                 "--area", "tianzhen", "--date", "2018-06-10")  # fmt: skip
    assert result.exit_code == 0, result.stderr
    new = records(sq)
    assert new.entries[:-1] == old.entries
    assert new.entries[-1]["id"] == old.entries[-1]["id"] + 1
    assert new.batches[-1]["id"] == f"b{len(old.batches) + 1}"


def test_an_old_schema_json_file_moves_whole(run, tmp_path: Path) -> None:
    old = tmp_path / "v1.json"
    shutil.copyfile(FIXTURES / "db_v1.json", old)
    fixture = json.loads(old.read_text(encoding="utf-8"))
    sq = tmp_path / "v1.sqlite"
    result = migrate(run, old, str(sq))
    assert result.exit_code == 0, result.stderr
    moved = records(sq)
    expected = sorted(
        (int(i), d["indicator"], d["area"], d["date"], d["value"])
        for i, d in fixture["entries"].items()
    )
    assert [(e["id"], e["indicator"], e["area"], e["date"], e["value"]) for e in moved.entries] == (
        expected
    )
    assert [b["id"] for b in moved.batches] == [b["id"] for b in fixture["batches"].values()]

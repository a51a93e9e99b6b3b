"""What every commit leaves behind — the generation counter and the gen-NNNNNN.json backups
with their rotation — the privacy of the database and its backups, and the commands
`povtrack db backup`, `db backups` and `db restore`.

Expectations are read straight from the JSON files on disk, never from povtrack's own code.
"""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from tests.helpers import db as helpers_db
from tests.helpers.db import (
    DANGEROUS,
    RELOCATED,
    backups_dir,
    doc,
    entry_docs,
    gen_file,
    generation,
    hand_break,
    lines,
    meta,
    record,
    returns_csv,
    snapshot,
    write_doc,
)
from tests.helpers.faults import hold_lock, stray_temps
from tests.helpers.paths import FIXTURES
from tests.helpers.refusals import record_args, refused, succeeded

three_gens = helpers_db.three_gens  # the fixture, found by pytest under this name


def backup_names(db: Path, prefix: str = "") -> list[str]:
    folder = backups_dir(db)
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(prefix))


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# ---------------------------------------------------------------------------- generations


def test_init_starts_at_generation_1_with_nothing_to_back_up(
    run, db_path: Path, tmp_path: Path
) -> None:
    result = run("init")
    assert result.exit_code == 0, result.stderr
    m = meta(db_path)
    assert m["schema"] == 4
    assert m["generation"] == 1
    assert backup_names(db_path, "gen-") == []


WRITES = {
    "record": ["record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-01"],
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9000", "--area", "tianzhen"],
}


@pytest.mark.parametrize("name", list(WRITES))
def test_each_write_bumps_the_generation_and_keeps_the_old_file(
    run, initialised, db_path: Path, tmp_path: Path, name: str
) -> None:
    csv = returns_csv(tmp_path / "returns")
    args = [str(csv) if a == "{csv}" else a for a in WRITES[name]]
    for step in range(3):  # the same kind of write three times over
        if name == "import":
            args[-1] = str(returns_csv(tmp_path / "returns", f"w{step}.csv", value=step + 1))
        before = db_path.read_bytes()
        old = generation(db_path)
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        assert generation(db_path) == old + 1
        assert gen_file(db_path, old).read_bytes() == before  # byte for byte the old file
        assert json.loads(before)["meta"]["1"]["generation"] == old
    assert backup_names(db_path, "gen-") == [f"gen-{n:06d}.json" for n in (1, 2, 3)]


def test_mixed_writes_count_up_one_each(run, db_path: Path, tmp_path: Path) -> None:
    assert run("init").exit_code == 0
    seen = [generation(db_path)]
    record(run, "1")
    seen.append(generation(db_path))
    assert run("import", str(returns_csv(tmp_path / "r"))).exit_code == 0
    seen.append(generation(db_path))
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    seen.append(generation(db_path))
    assert seen == [1, 2, 3, 4]
    m = meta(db_path)
    data = doc(db_path)
    assert m["entries_count"] == len(entry_docs(data)) == 2
    assert m["allocations_count"] == len(data["allocations"]) == 1
    assert m["batches_count"] == len(data["batches"]) == 2


def test_writes_that_change_nothing_leave_no_trace(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    csv = returns_csv(tmp_path / "returns")
    assert run("import", str(csv)).exit_code == 0
    bad = tmp_path / "returns" / "bad.csv"
    bad.write_text(f"date,area,indicator,value\n2018-07-01,yanggao,{DANGEROUS},-3\n", "utf-8")
    before = snapshot(tmp_path)
    gen_before = generation(db_path)

    again = run("import", str(csv))  # the same file again: adds nothing, success
    assert again.exit_code == 0, again.stderr
    assert "already imported" in again.stderr
    refused = run("import", str(bad))  # a bad row: nothing written
    assert refused.exit_code == 2
    assert "bad.csv:2:4:" in refused.stderr
    unknown = run("record", DANGEROUS, "5", "--area", "atlantis", "--date", "2018-07-01")
    assert unknown.exit_code == 2

    assert snapshot(tmp_path) == before  # no backup, no new file, db byte for byte
    assert generation(db_path) == gen_before


def test_backups_rotate_to_the_env_limit(
    run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POVTRACK_BACKUPS", "3")
    assert run("init").exit_code == 0  # write 1: generation 1, nothing to back up
    for n in range(5):  # writes 2..6: generations 2..6, backups gen-1..gen-5
        record(run, str(n + 1))
    assert generation(db_path) == 6
    assert backup_names(db_path, "gen-") == [
        "gen-000003.json",
        "gen-000004.json",
        "gen-000005.json",
    ]


def test_default_keeps_ten_backups(run, initialised, db_path: Path) -> None:
    for n in range(12):
        record(run, str(n + 1))
    assert generation(db_path) == 13
    assert backup_names(db_path, "gen-") == [f"gen-{n:06d}.json" for n in range(3, 13)]


def test_rotation_never_prunes_manual_pre_migrate_or_before_restore(
    run, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POVTRACK_BACKUPS", "3")
    fixture = FIXTURES / "db_v1.json"
    db_path.write_bytes(fixture.read_bytes())
    record(run, "1")  # migrates: pre-migrate-schema1-*.json and gen-000000.json
    backup = run("db", "backup")
    assert backup.exit_code == 0, backup.stderr
    restored = run("db", "restore", "0")
    assert restored.exit_code == 0, restored.stderr
    keepers = [n for n in backup_names(db_path) if not n.startswith("gen-")]
    assert [n.split("-")[0] for n in keepers] == ["before", "manual", "pre"]
    for n in range(6):
        record(run, str(n + 2))
    assert [n for n in backup_names(db_path) if not n.startswith("gen-")] == keepers
    last = generation(db_path)
    assert backup_names(db_path, "gen-") == [
        f"gen-{n:06d}.json" for n in (last - 3, last - 2, last - 1)
    ]


# ---------------------------------------------------------------------------- privacy


def test_new_database_and_its_backups_are_private(run, initialised, db_path: Path) -> None:
    assert mode(db_path) == 0o600
    record(run, "1")
    record(run, "2")
    assert mode(db_path) == 0o600
    assert mode(backups_dir(db_path)) == 0o700
    for name in backup_names(db_path):
        assert mode(backups_dir(db_path) / name) == 0o600, name
    lock = db_path.with_name(db_path.name + ".lock")
    assert mode(lock) == 0o600


def test_backups_stay_private_when_the_database_is_shared(run, initialised, db_path: Path) -> None:
    os.chmod(db_path, 0o664)
    for n in range(3):
        record(run, str(n + 1))
        assert mode(db_path) == 0o664  # a shared file stays shared
    assert mode(backups_dir(db_path)) == 0o700
    names = backup_names(db_path)
    assert names == ["gen-000001.json", "gen-000002.json", "gen-000003.json"]
    for name in names:
        assert mode(backups_dir(db_path) / name) == 0o600, name


def test_manual_backup_is_private_when_the_database_is_shared(
    run, initialised, db_path: Path
) -> None:
    os.chmod(db_path, 0o664)
    result = run("db", "backup")
    assert result.exit_code == 0, result.stderr
    assert mode(Path(result.stdout.strip())) == 0o600
    assert mode(db_path) == 0o664


def test_before_restore_copy_is_private_when_the_database_is_shared(run, three_gens: Path) -> None:
    db_path = three_gens
    os.chmod(db_path, 0o664)
    result = run("db", "restore", "2")
    assert result.exit_code == 0, result.stderr
    [kept] = backup_names(db_path, "before-restore-")
    assert mode(db_path) == 0o664
    assert mode(backups_dir(db_path) / kept) == 0o600


# ---------------------------------------------------------------------------- db restore


def test_restore_newest_good_after_hand_break(run, three_gens: Path, tmp_path: Path) -> None:
    db_path = three_gens
    good = doc(gen_file(db_path, 2))
    corrupt = hand_break(db_path)
    seen = {generation(db_path)} | {
        doc(gen_file(db_path, n))["meta"]["1"]["generation"] for n in (1, 2)
    }
    result = run("db", "restore")
    assert result.exit_code == 0, result.stderr
    [kept] = backup_names(db_path, "before-restore-")
    kept_path = backups_dir(db_path) / kept
    assert kept_path.read_bytes() == corrupt  # the corrupt file, byte for byte
    assert f"kept the current file as {kept_path}" in result.stderr
    assert f"restored {db_path} from {gen_file(db_path, 2)}" in result.stderr
    now = doc(db_path)
    assert now["meta"]["1"]["generation"] > max(seen)
    assert f"(now generation {now['meta']['1']['generation']})" in result.stderr
    for table in ("series", "allocations", "batches"):
        assert now.get(table) == good.get(table)
    assert "entries" not in now
    status = run("status", "--json")
    assert status.exit_code == 0, status.stderr
    json.loads(status.stdout)
    # the next commit backs the restored file up under its own, new generation
    restored = db_path.read_bytes()
    n = now["meta"]["1"]["generation"]
    assert not gen_file(db_path, n).exists()
    record(run, "300", day="2018-07-15")
    assert gen_file(db_path, n).read_bytes() == restored
    assert generation(db_path) == n + 1


def test_restore_after_truncation_never_reuses_a_generation(run, three_gens: Path) -> None:
    db_path = three_gens
    seen = generation(db_path)  # 3, before the file is cut short
    db_path.write_bytes(db_path.read_bytes()[:200])
    result = run("db", "restore")
    assert result.exit_code == 0, result.stderr
    assert generation(db_path) > seen


def test_restore_after_truncation_works(run, three_gens: Path) -> None:
    db_path = three_gens
    cut = db_path.read_bytes()[:200]
    db_path.write_bytes(cut)
    result = run("db", "restore")
    assert result.exit_code == 0, result.stderr
    [kept] = backup_names(db_path, "before-restore-")
    assert (backups_dir(db_path) / kept).read_bytes() == cut
    assert entry_docs(doc(db_path)) == entry_docs(doc(gen_file(db_path, 2)))
    assert run("status", "--json").exit_code == 0


@pytest.mark.parametrize("how", ["number", "name", "path"])
def test_restore_a_chosen_backup(run, three_gens: Path, how: str) -> None:
    db_path = three_gens
    chosen = gen_file(db_path, 2)  # after the first record: one entry
    outside = db_path.parent / "elsewhere.json"
    outside.write_bytes(chosen.read_bytes())
    arg = {"number": "2", "name": chosen.name, "path": str(outside)}[how]
    wanted = doc(chosen)
    old = generation(db_path)
    result = run("db", "restore", arg)
    assert result.exit_code == 0, result.stderr
    assert f"from {outside if how == 'path' else chosen}" in result.stderr
    now = doc(db_path)
    assert entry_docs(now) == entry_docs(wanted)
    assert len(entry_docs(now)) == 1
    assert now["meta"]["1"]["generation"] == old + 1
    assert now["meta"]["1"]["schema"] == 4


@pytest.mark.usefixtures("three_gens")
def test_restore_unknown_name_exit_2(run, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    for arg in ["gen-000042.json", "42", "nonsense"]:
        result = run("db", "restore", arg)
        assert result.exit_code == 2, result.stderr
        [line] = lines(result.stderr)
        assert line.startswith("error: ")
        assert arg in line
        assert "gen-000002.json" in line and "gen-000001.json" in line  # the newest names
    assert snapshot(tmp_path) == before


def test_restore_corrupt_backup_exit_4_nothing_changed(
    run, three_gens: Path, tmp_path: Path
) -> None:
    db_path = three_gens
    bad = gen_file(db_path, 1)
    data = doc(bad)
    data["meta"]["1"]["plan_text"] = None
    write_doc(bad, data)
    before = snapshot(tmp_path)
    result = run("db", "restore", "1")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert str(bad) in line
    assert "/meta/1/plan_text" in line
    assert snapshot(tmp_path) == before


def test_restore_without_any_backup(run, initialised, db_path: Path, tmp_path: Path) -> None:
    before = snapshot(tmp_path)
    result = run("db", "restore")
    assert result.exit_code == 2
    [line] = lines(result.stderr)
    assert "no good backup" in line and str(db_path) in line
    assert snapshot(tmp_path) == before


# ---------------------------------------------------------------------------- db backup(s)


def test_backup_prints_the_path_and_copies_the_bytes(run, three_gens: Path) -> None:
    db_path = three_gens
    raw = db_path.read_bytes()
    result = run("db", "backup")
    assert result.exit_code == 0, result.stderr
    [out] = lines(result.stdout)
    copy = Path(out)
    assert copy.parent == backups_dir(db_path)
    assert copy.name.startswith("manual-") and copy.name.endswith("-gen-000003.json")
    assert copy.read_bytes() == raw
    assert db_path.read_bytes() == raw
    assert generation(db_path) == 3  # a backup is not a commit
    assert f"backed up {db_path} to {copy}" in result.stderr
    second = run("db", "backup")  # twice in one second: a second file, nothing overwritten
    assert second.exit_code == 0
    assert Path(second.stdout.strip()) != copy
    assert len(backup_names(db_path, "manual-")) == 2


def test_manual_backup_survives_an_edit_in_place(run, three_gens: Path) -> None:
    db_path = three_gens
    raw = db_path.read_bytes()
    copy = Path(run("db", "backup").stdout.strip())
    hand_break(db_path)  # an editor writing the same file in place
    assert copy.read_bytes() == raw


def test_write_after_manual_backup_has_no_hard_link_warning(run, three_gens: Path) -> None:
    assert run("db", "backup").exit_code == 0
    # 300 after 200: a running total going up, so no warning of any kind is expected
    result = run("record", DANGEROUS, "300", "--area", "yanggao", "--date", "2018-07-15")
    assert result.exit_code == 0
    assert "warning" not in result.stderr


def test_backups_json_newest_first(run, three_gens: Path) -> None:
    db_path = three_gens
    result = run("db", "backups", "--json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)["backups"]
    assert [r["name"] for r in rows] == ["gen-000002.json", "gen-000001.json"]
    for r in rows:
        path = backups_dir(db_path) / r["name"]
        data = doc(path)
        assert r["path"] == str(path)
        assert r["ok"] is True
        assert r["generation"] == data["meta"]["1"]["generation"]
        assert r["entries"] == len(entry_docs(data))
    assert [r["entries"] for r in rows] == [1, 0]


def test_backups_json_marks_a_corrupt_backup(run, three_gens: Path) -> None:
    db_path = three_gens
    bad = gen_file(db_path, 1)
    bad.write_bytes(bad.read_bytes()[:50])
    rows = json.loads(run("db", "backups", "--json").stdout)["backups"]
    [row] = [r for r in rows if r["name"] == bad.name]
    assert row["ok"] is False
    assert str(bad) in row["problem"] and "corrupt" in row["problem"]
    text = run("db", "backups")
    assert text.exit_code == 0
    assert any(ln.startswith("gen-000001.json\tunusable: ") for ln in lines(text.stdout))
    assert any(
        ln.startswith("gen-000002.json\tgeneration 2\t1 entries") for ln in lines(text.stdout)
    )


def test_backups_none_yet(run, initialised, db_path: Path) -> None:
    result = run("db", "backups")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert f"no backups of {db_path} yet" in result.stderr
    assert json.loads(run("db", "backups", "--json").stdout) == {"backups": []}


def test_init_force_keeps_the_old_backups(run, three_gens: Path) -> None:
    """The old database and its backups move aside together; the new one starts its own."""
    db_path = three_gens
    old = {n: gen_file(db_path, n).read_bytes() for n in (1, 2)}
    assert run("init", "--force").exit_code == 0
    [moved] = [p for p in db_path.parent.glob("db.json.*.bak") if p.is_file()]
    record(run, "555")
    record(run, "666", day="2018-07-08")
    moved_backups = moved.with_name(moved.name + ".backups")
    for n, raw in old.items():
        assert (moved_backups / f"gen-{n:06d}.json").read_bytes() == raw
    # the new database's own backups: generation 2 is the file after its first record
    newer = doc(gen_file(db_path, 2))
    assert [e["value"] for e in entry_docs(newer).values()] == [555]


def test_copies_made_in_the_same_second_never_overwrite_each_other(
    run, three_gens: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backup names carry a timestamp to the second; two in one second get distinct names."""
    from povtrack.storage import safefile

    monkeypatch.setattr(safefile, "stamp", lambda: "20180601T120000")
    db_path = three_gens
    assert run("db", "backup").exit_code == 0
    first = db_path.read_bytes()
    assert run("record", RELOCATED, "777", "--area", "yanggao", "--week", "2018-W30").exit_code == 0
    assert run("db", "backup").exit_code == 0
    manual = backup_names(db_path, "manual-")
    assert len(manual) == 2
    assert {(db_path.parent / "db.json.backups" / m).read_bytes() for m in manual} == {
        first,
        db_path.read_bytes(),
    }
    assert run("db", "restore", "1").exit_code == 0
    assert run("db", "restore", "2").exit_code == 0
    assert len(backup_names(db_path, "before-restore-")) == 2


# --------------------------------------------------- restore while the lock is held (catalogue D18)


def test_restore_while_the_lock_is_held_is_busy(run, initialised, db_path: Path):
    succeeded(run(*record_args()))  # one write: a backup to restore
    backups = db_path.with_name(db_path.name + ".backups")
    listing = {p.name: p.read_bytes() for p in sorted(backups.iterdir())}
    assert any(name.startswith("gen-") for name in listing), listing
    before = db_path.read_bytes()
    with hold_lock(db_path):
        err = refused(run("db", "restore", "--lock-timeout", "1"), 5)
    [line] = err
    assert "database busy" in line
    assert f"pid {os.getpid()}" in line  # who holds it
    assert db_path.read_bytes() == before
    assert {p.name: p.read_bytes() for p in sorted(backups.iterdir())} == listing
    assert stray_temps(db_path) == []

"""`povtrack inbox DIR`: every return waiting in a shared folder, oldest first, each its own
import; each file ends in DIR/done/ or DIR/rejected/ (with NAME.reason.txt), files still
arriving wait for the next run.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.db import drop_entry, entry_docs
from tests.helpers.paths import SAMPLE_RETURNS

RELOCATED = "housing.relocated_people"
HEADER = "week,area,indicator,value\n"
SAMPLE = SAMPLE_RETURNS
W20 = date.fromisocalendar(2018, 20, 7).isoformat()  # an ISO week stands for its Sunday


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_bytes().decode("utf-8"))


def tree(folder: Path) -> list[str]:
    """Everything under the folder, except the inbox run's own lock files."""
    return sorted(
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if not p.name.startswith(".povtrack-inbox")
    )


def put(folder: Path, name: str, rows: list[str], age: float = 100.0) -> Path:
    """A return file whose last change was ``age`` seconds ago."""
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(HEADER + "".join(r + "\n" for r in rows), "utf-8")
    set_age(f, age)
    return f


def set_age(path: Path, age: float) -> None:
    t = time.time() - age
    os.utime(path, (t, t))


def row(area: str, value: int, week: str = "2018-W20", indicator: str = RELOCATED) -> str:
    return f"{week},{area},{indicator},{value}"


def entries(run) -> list[dict[str, Any]]:
    result = run("log", "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)["entries"]


def inbox_json(run, inbox: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    result = run("inbox", str(inbox), "--json", *extra)
    return result.exit_code, json.loads(result.stdout)


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


# ---------------------------------------------------------------------------- a mixed inbox


def test_mixed_inbox(run, initialised, db_path: Path, inbox: Path) -> None:
    good1 = put(inbox, "yanggao.csv", [row("阳高县", 100), row("天镇县", 40)], age=400)
    good2 = put(inbox, "guangling.csv", [row("广灵县", 70)], age=300)
    put(
        inbox,
        "bad.csv",
        [row("阳高县", 100), row("天镇县", -5), row("atlantis", 1)],
        age=200,
    )
    dup = inbox / "yanggao-copy.csv"
    shutil.copyfile(good1, dup)
    set_age(dup, 150)
    (inbox / "minutes.docx").write_bytes(b"PK\x03\x04 not a return")
    set_age(inbox / "minutes.docx", 120)
    hidden = put(inbox, ".x.csv", [row("阳高县", 1)])
    lock = inbox / "~$book.xlsx"
    lock.write_bytes(b"owner")
    set_age(lock, 100)
    sub = inbox / "later"
    put(sub, "w21.csv", [row("阳高县", 200, week="2018-W21")])
    good_bytes = {p.name: p.read_bytes() for p in (good1, good2, dup)}
    gen_before = doc(db_path)["meta"]["1"]["generation"]

    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2  # something was rejected
    assert out["inbox"] == str(inbox)
    keys = {"file", "status", "message", "moved_to", "warnings"}
    assert [set(f) for f in out["files"]] == [keys] * 5
    got = {f["file"]: f for f in out["files"]}
    # oldest first
    assert [f["file"] for f in out["files"]] == [
        "yanggao.csv",
        "guangling.csv",
        "bad.csv",
        "yanggao-copy.csv",
        "minutes.docx",
    ]
    assert {n: f["status"] for n, f in got.items()} == {
        "yanggao.csv": "imported",
        "guangling.csv": "imported",
        "bad.csv": "rejected",
        "yanggao-copy.csv": "already",
        "minutes.docx": "rejected",
    }
    done, rejected = inbox / "done", inbox / "rejected"
    for name in ("yanggao.csv", "guangling.csv", "yanggao-copy.csv"):
        assert got[name]["moved_to"] == str(done / name)
        assert (done / name).read_bytes() == good_bytes[name]
    for name in ("bad.csv", "minutes.docx"):
        assert got[name]["moved_to"] == str(rejected / name)
    assert got["yanggao.csv"]["message"].startswith("imported 2 entries as batch ")
    assert got["guangling.csv"]["message"].startswith("imported 1 entries as batch ")
    assert "already imported" in got["yanggao-copy.csv"]["message"]
    assert got["bad.csv"]["message"].startswith("bad.csv:3:4: ")
    assert "negative" in got["bad.csv"]["message"]

    reason = (rejected / "bad.csv.reason.txt").read_text("utf-8")
    reason_lines = lines(reason)
    assert any(ln.startswith("bad.csv:3:4: ") and "negative" in ln for ln in reason_lines)
    assert any(ln.startswith("bad.csv:4:2: ") and "atlantis" in ln for ln in reason_lines)
    assert reason.endswith("\n")
    docx_reason = (rejected / "minutes.docx.reason.txt").read_text("utf-8")
    assert docx_reason.startswith("minutes.docx: ")
    assert "not a return file" in docx_reason

    # not returns: left exactly where they were
    assert hidden.exists() and lock.exists() and (sub / "w21.csv").exists()
    assert tree(inbox) == [
        ".x.csv",
        "done",
        "done/guangling.csv",
        "done/yanggao-copy.csv",
        "done/yanggao.csv",
        "later",
        "later/w21.csv",
        "rejected",
        "rejected/bad.csv",
        "rejected/bad.csv.reason.txt",
        "rejected/minutes.docx",
        "rejected/minutes.docx.reason.txt",
        "~$book.xlsx",
    ]

    # the good files, and only they, are in the database: one commit each
    got_rows = {(e["area"], e["indicator"], e["date"], e["value"]) for e in entries(run)}
    assert got_rows == {
        ("yanggao", RELOCATED, W20, 100),
        ("tianzhen", RELOCATED, W20, 40),
        ("guangling", RELOCATED, W20, 70),
    }
    assert doc(db_path)["meta"]["1"]["generation"] == gen_before + 2


def test_text_output_and_exit_0(run, initialised, inbox: Path) -> None:
    put(inbox, "a.csv", [row("阳高县", 100)])
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert lines(result.stderr) == [
        f"imported: a.csv: imported 1 entries as batch b1 -> {inbox / 'done' / 'a.csv'}",
        f"inbox {inbox}: 1 imported, 0 already imported, 0 rejected, 0 still arriving",
    ]


def test_sample_returns(run, initialised, inbox: Path) -> None:
    names = ["2018-W20.csv", "2018-W21.csv", "2018-W22.csv"]
    expected = 0
    for age, name in zip((300, 200, 100), names, strict=True):
        shutil.copyfile(SAMPLE / name, inbox / name)
        set_age(inbox / name, age)
        text = (SAMPLE / name).read_text("utf-8-sig")
        expected += len([ln for ln in text.splitlines()[1:] if ln.strip()])
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert [f["status"] for f in out["files"]] == ["imported"] * 3
    assert sorted(p.name for p in (inbox / "done").iterdir()) == names
    assert len(entries(run)) == expected


def test_unchanged_rows_are_skipped(run, initialised, inbox: Path) -> None:
    assert run("record", RELOCATED, "100", "--area", "yanggao", "--week", "2018-W20").exit_code == 0
    put(inbox, "a.csv", [row("阳高县", 100), row("天镇县", 40)])
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    [f] = out["files"]
    assert f["status"] == "imported"
    assert f["message"] == "imported 1 entries as batch b2; 1 unchanged rows skipped"


# ---------------------------------------------------------------------------- order


def test_oldest_first_by_mtime(run, initialised, db_path: Path, inbox: Path) -> None:
    # names sort a < b < c; ages make the order c, a, b
    put(inbox, "a.csv", [row("阳高县", 1)], age=200)
    put(inbox, "b.csv", [row("天镇县", 2)], age=100)
    put(inbox, "c.csv", [row("广灵县", 3)], age=300)
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert [f["file"] for f in out["files"]] == ["c.csv", "a.csv", "b.csv"]
    batch_of = {e["source"].split(":")[0]: e["batch"] for e in entries(run)}
    assert batch_of == {"c.csv": "b1", "a.csv": "b2", "b.csv": "b3"}
    # and the batches were recorded in that order
    batches = doc(db_path)["batches"]
    assert [b["files"][0]["name"] for b in batches.values()] == ["c.csv", "a.csv", "b.csv"]


def test_same_mtime_by_name(run, initialised, inbox: Path) -> None:
    t = time.time() - 100
    for name, area in (("b.csv", "天镇县"), ("a.csv", "阳高县")):
        put(inbox, name, [row(area, 1)])
        os.utime(inbox / name, (t, t))
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert [f["file"] for f in out["files"]] == ["a.csv", "b.csv"]


# ---------------------------------------------------------------------------- settle


def test_files_still_arriving_wait(run, initialised, db_path: Path, inbox: Path) -> None:
    old = put(inbox, "old.csv", [row("阳高县", 1)], age=60)
    new = put(inbox, "new.csv", [row("天镇县", 2)], age=0)
    new_bytes = new.read_bytes()
    result = run("inbox", str(inbox), "--json")  # the default settle: 5 seconds
    assert result.exit_code == 0, result.stderr
    out = json.loads(result.stdout)
    got = {f["file"]: f for f in out["files"]}
    assert got["old.csv"]["status"] == "imported"
    assert got["new.csv"]["status"] == "waiting"
    assert got["new.csv"]["moved_to"] is None
    assert new.read_bytes() == new_bytes  # left in place for the next run
    assert not old.exists()
    assert [e["area"] for e in entries(run)] == ["yanggao"]
    text = run("inbox", str(inbox))
    assert text.exit_code == 0
    assert "still arriving" in text.stderr
    assert "1 still arriving" in lines(text.stderr)[-1]


# ---------------------------------------------------------------------------- names, reruns


def test_name_collision_in_done(run, initialised, inbox: Path) -> None:
    put(inbox, "W23.csv", [row("阳高县", 1)])
    assert run("inbox", str(inbox), "--settle", "0").exit_code == 0
    second = put(inbox, "W23.csv", [row("阳高县", 2)])  # another office, the same name
    raw = second.read_bytes()
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    [f] = out["files"]
    assert f["status"] == "imported"
    assert f["moved_to"] == str(inbox / "done" / "W23-2.csv")
    assert (inbox / "done" / "W23-2.csv").read_bytes() == raw
    assert sorted(p.name for p in (inbox / "done").iterdir()) == ["W23-2.csv", "W23.csv"]
    put(inbox, "W23.csv", [row("阳高县", 3)])
    _, out = inbox_json(run, inbox, "--settle", "0")
    assert out["files"][0]["moved_to"] == str(inbox / "done" / "W23-3.csv")


def test_name_collision_in_rejected(run, initialised, inbox: Path) -> None:
    put(inbox, "bad.csv", [row("atlantis", 1)])
    assert run("inbox", str(inbox), "--settle", "0").exit_code == 2
    put(inbox, "bad.csv", [row("阳高县", -1)])
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    assert out["files"][0]["moved_to"] == str(inbox / "rejected" / "bad-2.csv")
    first = (inbox / "rejected" / "bad.csv.reason.txt").read_text("utf-8")
    second = (inbox / "rejected" / "bad-2.csv.reason.txt").read_text("utf-8")
    assert "atlantis" in first and "bad.csv:2:2: " in first
    assert "negative" in second and "bad.csv:2:4: " in second


def test_imported_earlier_by_hand_is_moved_on(run, initialised, db_path: Path, inbox: Path) -> None:
    """As after a crash between the commit and the move: the next run says 'already'."""
    f = put(inbox, "a.csv", [row("阳高县", 1)])
    assert run("import", str(f)).exit_code == 0
    gen = doc(db_path)["meta"]["1"]["generation"]
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    [o] = out["files"]
    assert o["status"] == "already"
    assert o["moved_to"] == str(inbox / "done" / "a.csv")
    assert doc(db_path)["meta"]["1"]["generation"] == gen  # nothing written
    assert len(entries(run)) == 1


def test_empty_inbox_and_rerun(run, initialised, db_path: Path, inbox: Path) -> None:
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 0
    assert lines(result.stderr) == [
        f"inbox {inbox}: 0 imported, 0 already imported, 0 rejected, 0 still arriving"
    ]
    put(inbox, "a.csv", [row("阳高县", 1)])
    put(inbox, "b.csv", [row("atlantis", 1)])
    assert run("inbox", str(inbox), "--settle", "0").exit_code == 2
    raw = db_path.read_bytes()
    before = tree(inbox)
    again = run("inbox", str(inbox), "--settle", "0", "--json")  # done/ and rejected/ stay put
    assert again.exit_code == 0
    assert json.loads(again.stdout) == {"inbox": str(inbox), "files": []}
    assert tree(inbox) == before
    assert db_path.read_bytes() == raw


# ---------------------------------------------------------------------------- failures


def test_missing_inbox_folder_exit_2(run, initialised, tmp_path: Path) -> None:
    missing = tmp_path / "no-inbox"
    result = run("inbox", str(missing), "--settle", "0")
    assert result.exit_code == 2
    [line] = lines(result.stderr)
    assert line.startswith("error: ") and str(missing) in line
    assert not missing.exists()


def test_inbox_is_a_file_exit_2(run, initialised, tmp_path: Path) -> None:
    f = tmp_path / "inbox.csv"
    f.write_text(HEADER, "utf-8")
    result = run("inbox", str(f), "--settle", "0")
    assert result.exit_code == 2
    assert str(f) in result.stderr


def test_missing_database_exit_4_nothing_moved(run, db_path: Path, inbox: Path) -> None:
    put(inbox, "a.csv", [row("阳高县", 1)], age=200)
    put(inbox, "b.csv", [row("atlantis", 1)], age=100)
    before = tree(inbox)
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert line.startswith("error: ") and str(db_path) in line
    assert tree(inbox) == before
    assert not db_path.exists()


def test_missing_database_moves_not_even_a_non_return(run, db_path: Path, inbox: Path) -> None:
    (inbox / "minutes.docx").write_bytes(b"PK\x03\x04")
    set_age(inbox / "minutes.docx", 200)
    put(inbox, "a.csv", [row("阳高县", 1)], age=100)
    before = tree(inbox)
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 4
    assert tree(inbox) == before


@pytest.mark.parametrize("damage", ["truncated", "records-removed"])
def test_bad_database_exit_4_nothing_moved(
    run, initialised, db_path: Path, inbox: Path, damage: str
) -> None:
    assert run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10").exit_code == 0
    if damage == "truncated":
        db_path.write_bytes(db_path.read_bytes()[:300])
    else:
        data = doc(db_path)
        for entry_id in entry_docs(data):
            drop_entry(data, entry_id)
        assert entry_docs(data) == {}
        db_path.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    raw = db_path.read_bytes()
    put(inbox, "a.csv", [row("阳高县", 1)])
    before = tree(inbox)
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 4
    [line] = lines(result.stderr)
    assert str(db_path) in line
    assert "newest good backup: " in line
    if damage == "records-removed":
        assert "entries removed" in line
    assert tree(inbox) == before
    assert db_path.read_bytes() == raw


def test_lock_timeout_after_the_command(run, initialised, inbox: Path) -> None:
    put(inbox, "a.csv", [row("阳高县", 1)])
    assert run("inbox", str(inbox), "--settle", "0", "--lock-timeout", "1").exit_code == 0
    bad = run("inbox", str(inbox), "--settle", "0", "--lock-timeout", "-1")
    assert bad.exit_code == 2
    assert "--lock-timeout" in bad.stderr
    negative = run("inbox", str(inbox), "--settle", "-1")
    assert negative.exit_code == 2
    assert "--settle" in negative.stderr


def test_a_busy_database_stops_the_run_and_leaves_the_files(
    run, initialised, db_path: Path, inbox: Path
) -> None:
    import fcntl

    put(inbox, "a.csv", [row("yanggao", 100)])
    put(inbox, "b.csv", [row("tianzhen", 200)])
    before = db_path.read_bytes()
    lock = db_path.with_name(db_path.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        result = run("inbox", str(inbox), "--settle", "0", "--json", "--lock-timeout", "0.2")
    finally:
        os.close(fd)
    assert result.exit_code == 5, result.stderr
    assert json.loads(result.stdout)["files"] == []  # what was done is still reported
    assert "database busy" in result.stderr
    assert sorted(p.name for p in inbox.iterdir() if not p.name.startswith(".")) == [
        "a.csv",
        "b.csv",
    ]
    assert db_path.read_bytes() == before
    # the next run, with the lock free, takes both
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert [f["status"] for f in out["files"]] == ["imported", "imported"]

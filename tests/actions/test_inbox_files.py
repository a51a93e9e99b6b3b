"""Issue 11, item 5: the inbox treats everything in its folder as untrusted.

County offices can write to the inbox; nothing they put there may be followed, read or used to
redirect a write: symbolic links (to the database, to a private file, to a FIFO), hard links,
special files, planted `done`/`rejected` entries and reason notes, names with control
characters or too long to be moved and noted. A return is taken out of the shared folder before
it is read, so what lands in done/ is exactly what was imported; a file that cannot be moved is
reported and the run goes on.
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import povtrack
from tests.actions.test_inbox import entries, inbox_json, put, row, set_age
from tests.helpers.faults import pov

RELOCATED = "housing.relocated_people"


@pytest.fixture
def inbox(tmp_path: Path) -> Path:
    folder = tmp_path / "inbox"
    folder.mkdir()
    return folder


def names(folder: Path) -> list[str]:
    """Everything in the folder but the run's lock, work folders and done/rejected contents."""
    return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".povtrack-"))


def by_file(out: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["file"]: f for f in out["files"]}


def note(inbox: Path, name: str) -> str:
    return (inbox / "rejected" / f"{name}.reason.txt").read_text("utf-8")


def aged_link(link: Path, target: Path, age: float = 100.0) -> None:
    link.symlink_to(target)
    t = os.lstat(link).st_mtime - age
    os.utime(link, (t, t), follow_symlinks=False)


# ---------------------------------------------------------------------------- links


def test_a_link_to_the_database_is_never_followed(
    run, initialised, db_path: Path, inbox: Path
) -> None:
    before = db_path.read_bytes()
    aged_link(inbox / "w23.csv", db_path)
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    [f] = out["files"]
    reason = (
        "w23.csv: a symbolic link, not a regular file; the inbox takes only regular files and "
        "never follows a link (nothing was read)"
    )
    assert f == {
        "file": "w23.csv",
        "status": "rejected",
        "message": reason,
        "moved_to": str(inbox / "rejected" / "w23.csv"),
        "warnings": [],
    }
    assert (inbox / "rejected" / "w23.csv").is_symlink()  # the link itself, moved
    assert note(inbox, "w23.csv") == reason + "\n"
    assert db_path.read_bytes() == before
    assert run("db", "verify").exit_code == 0


def test_a_private_file_never_reaches_a_reason_note(
    run, initialised, inbox: Path, tmp_path: Path
) -> None:
    secret = tmp_path / "private.csv"
    secret.write_text("password,hunter2\n1,2\n", "utf-8")
    secret.chmod(0o600)
    aged_link(inbox / "secret.csv", secret)
    os.link(secret, inbox / "hard.csv")
    set_age(inbox / "hard.csv", 50)
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    got = by_file(out)
    assert got["secret.csv"]["status"] == "rejected"
    assert got["hard.csv"]["status"] == "rejected"
    assert got["hard.csv"]["message"] == (
        "hard.csv: has 2 names (a hard link to a file elsewhere); the inbox takes only files "
        "with one name (nothing was read)"
    )
    for name in ("secret.csv", "hard.csv"):
        assert "hunter2" not in note(inbox, name)
        assert "password" not in note(inbox, name)
        assert "hunter2" not in json.dumps(out)
    assert secret.read_text("utf-8") == "password,hunter2\n1,2\n"


def test_a_link_planted_at_the_inbox_lock_note_never_writes_the_database(
    run, initialised, db_path: Path, inbox: Path
) -> None:
    before = db_path.read_bytes()
    (inbox / ".povtrack-inbox.lock.owner").symlink_to(db_path)
    put(inbox, "a.csv", [row("阳高县", 100)])
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert [f["status"] for f in out["files"]] == ["imported"]
    assert run("db", "verify").exit_code == 0
    assert [e["value"] for e in entries(run)] == [100]
    assert len(db_path.read_bytes()) > len(before) // 2  # whole, not an owner note


def test_a_link_planted_as_a_reason_note_never_writes_the_database(
    run, initialised, db_path: Path, inbox: Path
) -> None:
    rejected = inbox / "rejected"
    rejected.mkdir()
    (rejected / "bad.csv.reason.txt").symlink_to(db_path)
    before = db_path.read_bytes()
    put(inbox, "bad.csv", [row("atlantis", 1)])
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    [f] = out["files"]
    assert f["status"] == "rejected"
    assert f["moved_to"] == str(rejected / "bad-2.csv")
    assert "atlantis" in note(inbox, "bad-2.csv")
    assert db_path.read_bytes() == before
    assert (rejected / "bad.csv.reason.txt").is_symlink()


@pytest.mark.parametrize("folder", ["rejected", "done"])
def test_a_linked_inbox_folder_never_plants_a_backup(
    run, initialised, db_path: Path, inbox: Path, tmp_path: Path, folder: str
) -> None:
    """`rejected` (or `done`) made a link to the database's backups folder: a forged
    database dropped in would land there and be trusted by `db restore`."""
    assert run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10").exit_code == 0
    backups = tmp_path / "db.json.backups"
    (inbox / folder).symlink_to(backups)
    forged = inbox / "manual-29991231T000000-gen-000099.json"
    shutil.copyfile(db_path, forged)
    set_age(forged, 100)
    put(inbox, "a.csv", [row("阳高县", 100)], age=50)
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    assert all(p.name.startswith("gen-0000") for p in backups.iterdir())  # the commits' own
    assert out["problems"] == [
        f"{inbox / folder}: a symbolic link where the inbox's own {folder} folder belongs; "
        + (
            "files to reject are left in the inbox until it is moved away"
            if folder == "rejected"
            else "returns are left in the inbox until it is moved away"
        )
    ]
    restored = run("db", "restore")
    assert restored.exit_code == 0
    assert "manual-2999" not in restored.stderr


# ---------------------------------------------------------------------------- own folders


@pytest.mark.parametrize("folder", ["done", "rejected"])
def test_a_plain_file_named_like_an_inbox_folder_stops_no_run(
    run, initialised, inbox: Path, folder: str
) -> None:
    (inbox / folder).write_text("not a folder", "utf-8")
    put(inbox, "good.csv", [row("阳高县", 100)], age=200)
    put(inbox, "bad.csv", [row("atlantis", 1)], age=100)
    (inbox / "minutes.docx").write_bytes(b"PK")
    set_age(inbox / "minutes.docx", 50)
    runs = []
    for _ in range(2):  # the same on every run: reported, never a crash
        result = run("inbox", str(inbox), "--settle", "0", "--json")
        assert result.exit_code == 2, result.stderr
        out = json.loads(result.stdout)
        problem = f"{inbox / folder}: a file where the inbox's own {folder} folder belongs; " + (
            "returns are left in the inbox until it is moved away"
            if folder == "done"
            else "files to reject are left in the inbox until it is moved away"
        )
        assert out["problems"] == [problem]
        assert result.stderr.splitlines()[-1] == f"error: {problem}"
        assert (inbox / folder).read_text("utf-8") == "not a folder"
        runs.append(by_file(out))
    got = runs[0]
    if folder == "done":  # no return is read: none could be moved on
        assert {n: f["status"] for n, f in got.items()} == {
            "good.csv": "left",
            "bad.csv": "left",
            "minutes.docx": "rejected",
        }
        assert got["good.csv"]["message"] == (
            "left where it is: the inbox's done folder is unusable"
        )
        assert entries(run) == []
        assert {n: f["status"] for n, f in runs[1].items()} == {
            "good.csv": "left",
            "bad.csv": "left",
        }
    else:  # returns are imported; what is refused stays
        assert {n: f["status"] for n, f in got.items()} == {
            "good.csv": "imported",
            "bad.csv": "left",
            "minutes.docx": "left",
        }
        assert got["bad.csv"]["message"] == (
            "left where it is: the inbox's rejected folder is unusable"
        )
        assert [e["value"] for e in entries(run)] == [100]
        assert {n: f["status"] for n, f in runs[1].items()} == {
            "bad.csv": "left",
            "minutes.docx": "left",
        }
    assert (inbox / "bad.csv").read_text("utf-8").endswith("atlantis,housing.relocated_people,1\n")
    (inbox / folder).unlink()  # once it is moved away, the next run takes them
    _, out = inbox_json(run, inbox, "--settle", "0")
    assert "problems" not in out
    assert names(inbox) == ["done", "rejected"]


# ---------------------------------------------------------------------------- names


def test_a_name_with_control_characters_is_rejected_unread(run, initialised, inbox: Path) -> None:
    name = "w23\x1b[31mred\x07.csv"
    put(inbox, name, [row("阳高县", 100)])
    result = run("inbox", str(inbox), "--settle", "0")
    assert result.exit_code == 2
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    shown = "w23\\x1b[31mred\\x07.csv"
    reason = (
        f"{shown}: the file name has a control character (U+001B at position 4); rename it "
        "(nothing was read)"
    )
    assert result.stderr.splitlines()[0] == (
        f"rejected: {shown}: {reason} -> {inbox / 'rejected' / 'w23_[31mred_.csv'}"
    )
    assert (inbox / "rejected" / "w23_[31mred_.csv").exists()
    assert note(inbox, "w23_[31mred_.csv") == reason + "\n"
    assert entries(run) == []


def test_a_name_too_long_to_move_and_note_is_rejected_under_a_shorter_one(
    run, initialised, inbox: Path
) -> None:
    long = "返" * 80 + ".csv"  # 244 bytes: + ".reason.txt" is past 255
    put(inbox, long, [row("阳高县", 100)])
    for _ in range(2):  # a second file of that name: still no crash
        put(inbox, long, [row("阳高县", 100)])
        code, out = inbox_json(run, inbox, "--settle", "0")
        assert code == 2
        [f] = out["files"]
        assert f["status"] == "rejected"
        assert f["message"] == (
            f"{long}: the file name is too long to be moved and noted (244 bytes; at most "
            "240); give it a shorter name (nothing was read)"
        )
        moved = Path(f["moved_to"])
        assert moved.parent == inbox / "rejected"
        assert len(os.fsencode(moved.name + ".reason.txt")) <= 255
        assert moved.with_name(moved.name + ".reason.txt").read_text("utf-8").startswith(long)
    assert len(list((inbox / "rejected").iterdir())) == 4
    assert entries(run) == []


# ---------------------------------------------------------------------------- special files


def test_a_fifo_is_never_opened(run, initialised, inbox: Path) -> None:
    fifo = inbox / "w23.csv"
    os.mkfifo(fifo)
    t = os.lstat(fifo).st_mtime - 100
    os.utime(fifo, (t, t))
    put(inbox, "a.csv", [row("阳高县", 100)], age=50)
    code, out = inbox_json(run, inbox, "--settle", "0")
    assert code == 2
    got = by_file(out)
    assert got["w23.csv"]["message"] == (
        "w23.csv: a named pipe, not a regular file; the inbox takes only regular files and "
        "never follows a link (nothing was read)"
    )
    assert stat.S_ISFIFO(os.lstat(inbox / "rejected" / "w23.csv").st_mode)
    assert got["a.csv"]["status"] == "imported"


# ---------------------------------------------------------------------------- replaced


def test_a_return_replaced_while_it_is_imported(
    run, initialised, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another office saves a new file under the same name during the import: what goes to
    done/ is what was imported; the newcomer waits for the next run."""
    import povtrack.actions.inbox

    f = put(inbox, "w23.csv", [row("阳高县", 100)])
    original = f.read_bytes()
    newer = put(inbox.parent, "newer.csv", [row("阳高县", 999)])
    real = povtrack.actions.inbox.import_returns

    def swapping(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        os.replace(newer, inbox / "w23.csv")
        return result

    monkeypatch.setattr(povtrack.actions.inbox, "import_returns", swapping)
    code, _ = inbox_json(run, inbox, "--settle", "0")
    assert code == 0
    assert (inbox / "done" / "w23.csv").read_bytes() == original
    assert (inbox / "w23.csv").read_text("utf-8").endswith(",999\n")  # left for the next run
    assert [e["value"] for e in entries(run)] == [100]


def test_a_return_written_to_while_it_is_imported(
    run, initialised, inbox: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An office still writing into the file it dropped: done/ gets exactly the bytes that
    were imported, and the changed file goes to rejected/ with why."""
    import povtrack.actions.inbox

    f = put(inbox, "w23.csv", [row("阳高县", 100)])
    original = f.read_bytes()
    writer = os.open(f, os.O_WRONLY | os.O_APPEND)
    real = povtrack.actions.inbox.import_returns

    def appending(*args: Any, **kwargs: Any) -> Any:
        result = real(*args, **kwargs)
        os.write(writer, (row("天镇县", 40) + "\n").encode())
        return result

    monkeypatch.setattr(povtrack.actions.inbox, "import_returns", appending)
    try:
        code, out = inbox_json(run, inbox, "--settle", "0")
    finally:
        os.close(writer)
    assert code == 2
    [o] = out["files"]
    assert o["status"] == "imported"
    assert o["moved_to"] == str(inbox / "done" / "w23.csv")
    assert (inbox / "done" / "w23.csv").read_bytes() == original
    changed = inbox / "rejected" / "w23.csv"
    assert changed.read_bytes() == original + (row("天镇县", 40) + "\n").encode()
    assert out["problems"] == [
        f"w23.csv: changed while it was being imported; the version imported is "
        f"{inbox / 'done' / 'w23.csv'}, the changed file is {changed} (not imported: drop it "
        "in again to import it)"
    ]
    assert [e["value"] for e in entries(run)] == [100]


# ---------------------------------------------------------------------------- unprivileged


@pytest.fixture
def reachable() -> Iterator[None]:
    """The interpreter and povtrack readable by nobody (CI's venv may sit in a 0700 folder):
    search permission added to their folders for the test, taken away again after."""
    changed: list[tuple[Path, int]] = []
    for start in (Path(sys.prefix), Path(povtrack.__file__).parent):
        for folder in [start, *start.parents]:
            st = os.stat(folder)
            if not st.st_mode & stat.S_IXOTH:
                changed.append((folder, stat.S_IMODE(st.st_mode)))
                os.chmod(folder, stat.S_IMODE(st.st_mode) | stat.S_IXOTH)
    try:
        yield
    finally:
        for folder, mode in reversed(changed):
            os.chmod(folder, mode)


NOBODY = ("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups")


def as_nobody(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POVTRACK_")}
    env |= {"POVTRACK_DB": str(db), "POVTRACK_LANG": "en", "POVTRACK_USER": "tester"}
    env |= {"HOME": str(db.parent), "XDG_DATA_HOME": str(db.parent)}
    env["PYTHONPATH"] = str(Path(povtrack.__file__).parent.parent)
    return subprocess.run(
        [*NOBODY, sys.executable, "-m", "povtrack", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        cwd="/",
    )


def test_a_file_that_cannot_be_moved_is_reported_and_the_run_goes_on(reachable) -> None:
    """A shared inbox with the sticky bit (as /tmp): povtrack, running as its own user, may not
    move another user's file out of it. That file is reported; the next one is taken."""
    base = Path(tempfile.mkdtemp(prefix="povtrack-inbox-"))
    try:
        base.chmod(0o755)
        home = base / "db"
        home.mkdir()
        os.chown(home, 65534, 65534)
        db = home / "db.json"
        made = as_nobody(db, "init")
        assert made.returncode == 0, made.stderr
        inbox = base / "inbox"
        inbox.mkdir()
        inbox.chmod(0o1777)
        theirs = put(inbox, "a.csv", [row("阳高县", 100)], age=200)  # root's file
        mine = put(inbox, "b.csv", [row("天镇县", 40)], age=100)
        os.chown(mine, 65534, 65534)
        proc = as_nobody(db, "inbox", str(inbox), "--settle", "0", "--json")
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
        got = by_file(json.loads(proc.stdout))
        assert got["a.csv"]["status"] == "left"
        assert got["a.csv"]["message"] == (
            "cannot be taken out of the inbox (Operation not permitted); left where it is"
        )
        assert got["b.csv"]["status"] == "imported"
        assert theirs.exists() and not mine.exists()
        assert (inbox / "done" / "b.csv").exists()
    finally:
        shutil.rmtree(base)


# ---------------------------------------------------------------------------- crashes


def test_killed_between_the_commit_and_the_move(initialised, db_path: Path, inbox: Path) -> None:
    """The return sits in the run's private folder; the next run finds it already imported
    and moves it on."""
    f = put(inbox, "w23.csv", [row("阳高县", 100)])
    raw = f.read_bytes()
    proc = pov(
        db_path, "inbox", str(inbox), "--settle", "0",
        env={"POVTRACK_TEST_CRASH_AT": "after_replace"},
    )  # fmt: skip
    assert proc.returncode == -9
    assert names(inbox) == []  # taken, not yet moved
    again = pov(db_path, "inbox", str(inbox), "--settle", "0", "--json")
    assert again.returncode == 0, again.stderr
    [o] = json.loads(again.stdout)["files"]
    assert o["status"] == "already"
    assert (inbox / "done" / "w23.csv").read_bytes() == raw
    assert [p.name for p in inbox.iterdir() if p.name.startswith(".povtrack-work")] == []
    log = pov(db_path, "log", "--json")
    assert [e["value"] for e in json.loads(log.stdout)["entries"]] == [100]


def test_a_failed_commit_puts_the_return_back(initialised, db_path: Path, inbox: Path) -> None:
    f = put(inbox, "w23.csv", [row("阳高县", 100)])
    raw = f.read_bytes()
    before = db_path.read_bytes()
    proc = pov(db_path, "inbox", str(inbox), "--settle", "0", fsize_limit=len(before) // 2)
    assert proc.returncode == 6, proc.stderr
    assert db_path.read_bytes() == before
    assert f.read_bytes() == raw  # back where it was dropped, for the next run
    assert [p.name for p in inbox.iterdir() if p.name.startswith(".povtrack-work")] == []

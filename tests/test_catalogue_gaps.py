"""Reliability catalogue items not covered elsewhere (IDs from reliability.md): empty and
header-only returns (E-2), quoted line breaks (E-6), title rows (E-9), bad headers (E-3), bad
paths (E-1), rates and long text (G7, G9), invisible and wide spaces in names (F9, G8), a
writer without the lock (B7/B8), no flock (B9), a stale temp file that cannot go (A9), a
failure part-way through an import (A6), an unwritable file or folder (C4/C5), a restore
while the lock is held (D18) and parser usage errors (K5).

All in-process (the ``run`` fixture); faults are injected with monkeypatch. Every refusal
leaves the database byte for byte as it was.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from helpers_faults import hold_lock, lines, no_crash_text, stray_temps, write_returns

RELOCATED = "housing.relocated_people"  # unit: people (whole numbers)
RATE = "goals.people_exit_rate"  # unit: percent
WEEK = "2018-W23"
HEADER = "week,area,indicator,value"


def record_args(*extra: str, value: str = "5", area: str = "yanggao") -> list[str]:
    return ["record", RELOCATED, value, "--area", area, "--week", WEEK, *extra]


def write_csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def refused(result: Any, code: int) -> list[str]:
    """A refusal: this exit code, nothing on stdout, no crash text; its stderr lines."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    no_crash_text(result.stdout, result.stderr)
    assert result.stdout == ""
    err = lines(result.stderr)
    assert err, "a refusal must say why"
    assert all(ln.startswith("error: ") for ln in err), result.stderr
    return err


def succeeded(result: Any) -> None:
    assert result.exit_code == 0, result.stderr
    no_crash_text(result.stdout, result.stderr)


def log_entries(run) -> list[dict[str, Any]]:
    result = run("log", "--json")
    succeeded(result)
    return json.loads(result.stdout)["entries"]


def about(err: list[str], name: object) -> list[str]:
    return [ln for ln in err if str(name) in ln]


# ---------------------------------------------------------------------------- E-2


def test_csv_with_only_the_header_is_refused(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(tmp_path / "in" / "w21.csv", HEADER + "\r\n")
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line == f"error: {csv}: no data rows, only the header (nothing to import)"
    assert db_path.read_bytes() == before


def test_xlsx_with_only_a_header_row_is_refused(run, initialised, db_path: Path, tmp_path: Path):
    path = tmp_path / "in" / "w21.xlsx"
    path.parent.mkdir()
    wb = openpyxl.Workbook()
    wb.active.append(["week", "area", "indicator", "value"])
    wb.save(path)
    before = db_path.read_bytes()
    err = refused(run("import", str(path)), 2)
    [line] = about(err, path)
    assert "no data rows, only the header" in line
    assert db_path.read_bytes() == before


def test_zero_byte_csv_is_refused_as_empty(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(tmp_path / "in" / "w21.csv", "")
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}: empty file"), line
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- E-6


def test_line_break_inside_a_quoted_name_names_the_record_start(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w22.csv",
        f'{HEADER}\n2018-W22,"yang\ngao",{RELOCATED},5\n',
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)  # one line: the break is echoed as \n, not printed
    assert line.startswith(f"error: {csv}:2:2: unknown area 'yang\\ngao'"), line
    assert "\n" not in line
    assert db_path.read_bytes() == before


def test_record_spanning_lines_imports_and_the_next_keeps_its_own_line(
    run, initialised, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w22.csv",
        f"{HEADER},note\n"
        f'2018-W22,yanggao,{RELOCATED},5,"first line\nsecond line"\n'
        f"2018-W22,tianzhen,{RELOCATED},6,plain\n",
    )
    succeeded(run("import", str(csv)))
    by_area = {e["area"]: e for e in log_entries(run)}
    assert by_area["yanggao"]["source"] == f"{csv}:2"
    assert by_area["yanggao"]["note"] == "first line\nsecond line"
    assert by_area["tianzhen"]["source"] == f"{csv}:4"  # its physical first line
    assert by_area["tianzhen"]["value"] == 6


# ---------------------------------------------------------------------------- E-9


def test_title_row_above_the_header_is_one_problem(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"Datong returns week 21,,,\n{HEADER}\n2018-W21,yanggao,{RELOCATED},5\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:1: "), line
    assert "title row above the header" in line
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- E-3


def test_duplicated_column_is_named_once(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{HEADER},value\n2018-W21,yanggao,{RELOCATED},5,5\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    assert about(err, csv) == [f"error: {csv}:1: column 'value' appears twice"]
    assert db_path.read_bytes() == before


def test_misspelled_column_gets_a_suggestion(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"week,area,indicator,valeu\n2018-W21,yanggao,{RELOCATED},5\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, "valeu")
    assert line == f"error: {csv}:1: unknown column 'valeu'; did you mean 'value'?"
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- E-1


@pytest.mark.parametrize("kind", ["directory", "missing"])
def test_import_of_a_directory_or_a_missing_path(
    run, initialised, db_path: Path, tmp_path: Path, kind: str
):
    target = tmp_path / "returns"
    if kind == "directory":
        target.mkdir()
    before = db_path.read_bytes()
    err = refused(run("import", str(target)), 2)
    [line] = about(err, target)
    expected = "cannot read: Is a directory" if kind == "directory" else "no such file"
    assert line == f"error: {target}: {expected}"
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- G7


def test_the_rate_indicator_is_in_percent(run, initialised):
    result = run("plan", "show", "--json")
    succeeded(result)
    [ind] = [i for i in json.loads(result.stdout)["indicators"] if i["id"] == RATE]
    assert ind["unit"] == "percent"


def test_rate_above_100_is_refused(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    args = ["record", RATE, "250", "--area", "yanggao", "--week", WEEK]
    [line] = refused(run(*args), 2)
    assert "value 250 is a rate above 100" in line
    assert db_path.read_bytes() == before


def test_rate_of_100_is_accepted(run, initialised):
    succeeded(run("record", RATE, "100", "--area", "yanggao", "--week", WEEK))
    [entry] = log_entries(run)
    assert (entry["indicator"], entry["value"]) == (RATE, 100)


# ---------------------------------------------------------------------------- G9


def test_note_of_501_characters_is_refused(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args("--note", "注" * 501)), 2)
    assert "note of 501 characters is longer than 500" in line
    assert db_path.read_bytes() == before


def test_note_of_500_characters_is_accepted(run, initialised):
    succeeded(run(*record_args("--note", "注" * 500)))
    [entry] = log_entries(run)
    assert entry["note"] == "注" * 500


def test_csv_note_of_600_characters_names_file_line_column(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{HEADER},note\n2018-W21,yanggao,{RELOCATED},5,{'n' * 600}\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:2:5: note of 600 characters is longer than 500"), line
    assert db_path.read_bytes() == before


def test_unknown_5000_character_area_gets_a_short_message(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args(area="nowhere" * 714 + "xx")), 2)
    assert "unknown area 'nowhere" in line
    assert len(line) < 300, len(line)
    assert db_path.read_bytes() == before


def test_unknown_5000_character_area_in_a_csv_gets_a_short_message(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(tmp_path / "in" / "w21.csv", f"{HEADER}\n2018-W21,{'x' * 5000},{RELOCATED},5\n")
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:2:2: unknown area 'xxx"), line
    assert len(line) < 300 + len(str(csv)), len(line)
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- F9 / G8


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("阳高县\u3000", id="ideographic-space"),
        pytest.param("阳高县\u00a0", id="nbsp"),
        pytest.param("\u00a0阳高县", id="leading-nbsp"),
    ],
)
def test_wide_or_no_break_space_around_an_area_name_is_trimmed(run, initialised, name: str):
    succeeded(run(*record_args(area="阳高县")))
    succeeded(run(*record_args(area=name, value="6")))
    first, second = sorted(log_entries(run), key=lambda e: e["id"])
    assert first["area"] == second["area"] == "yanggao"


def test_wide_space_after_an_area_name_in_a_csv_is_trimmed(run, initialised, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{HEADER}\n2018-W21,阳高县\u3000,{RELOCATED},5\n2018-W22,阳高县\u00a0,{RELOCATED},6\n",
    )
    succeeded(run("import", str(csv)))
    assert {e["area"] for e in log_entries(run)} == {"yanggao"}


def test_zero_width_space_in_an_area_name_is_named(run, initialised, db_path: Path):
    before = db_path.read_bytes()
    [line] = refused(run(*record_args(area="阳高\u200b县")), 2)
    assert "U+200B ZERO WIDTH SPACE" in line
    assert "\u200b" not in line  # echoed escaped, never invisibly
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- B7 / B8


def _rewrite_in_place(db: Path) -> None:
    data = json.loads(db.read_bytes())
    data["other_writer"] = {"1": {"note": "written without the lock"}}
    db.write_bytes(json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))


def _replace_file(db: Path) -> None:
    data = json.loads(db.read_bytes())
    data["other_writer"] = {"1": {"note": "written without the lock"}}
    fresh = db.with_name("other.json")
    fresh.write_bytes(json.dumps(data, ensure_ascii=False).encode("utf-8"))
    os.replace(fresh, db)


@pytest.mark.parametrize("how", [_rewrite_in_place, _replace_file], ids=["in-place", "replace"])
def test_a_writer_without_the_lock_is_detected(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch, how
):
    import povtrack.ops

    real = povtrack.ops.record_value
    theirs: list[bytes] = []

    def record_then_interfere(store: Any, *args: Any, **kwargs: Any) -> Any:
        entry = real(store, *args, **kwargs)
        how(db_path)  # between this command's read and its commit
        theirs.append(db_path.read_bytes())
        return entry

    monkeypatch.setattr(povtrack.ops, "record_value", record_then_interfere)
    [line] = refused(run(*record_args()), 5)
    assert "changed while this command ran" in line
    assert "nothing written" in line
    assert db_path.read_bytes() == theirs[0]  # the other writer's bytes are kept
    assert stray_temps(db_path) == []
    monkeypatch.setattr(povtrack.ops, "record_value", real)
    succeeded(run("db", "verify"))


# ---------------------------------------------------------------------------- B9


def test_no_flock_refuses_a_write_and_readers_still_work(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    calls: list[int] = []

    def no_flock(fd: Any, operation: int) -> None:
        calls.append(operation)
        raise OSError(errno.ENOSYS, os.strerror(errno.ENOSYS))

    before = db_path.read_bytes()
    monkeypatch.setattr(fcntl, "flock", no_flock)
    [line] = refused(run(*record_args()), 6)
    assert calls, "the lock was never attempted"
    assert "cannot take the database lock" in line
    assert "locking may not work on this filesystem" in line
    assert db_path.read_bytes() == before
    result = run("status", "--json")  # readers take no lock
    succeeded(result)
    assert "rows" in json.loads(result.stdout)


# ---------------------------------------------------------------------------- A9


def test_stale_temp_file_that_cannot_be_removed_warns_and_the_write_goes_on(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    stale = db_path.with_name(f".{db_path.name}.123.tmp")
    stale.write_bytes(b'{"meta": {"1": {"sch')  # what a killed writer leaves
    real_unlink = Path.unlink

    def unlink(self: Path, *args: Any, **kwargs: Any) -> None:
        if self.name.endswith(".tmp") and self == stale:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = run(*record_args())
    succeeded(result)
    warnings = [ln for ln in lines(result.stderr) if ln.startswith("warning: ")]
    assert len(warnings) == 1, result.stderr
    assert str(stale) in warnings[0]
    assert "could not remove a stale temp file" in warnings[0]
    assert stale.exists()
    monkeypatch.setattr(Path, "unlink", real_unlink)
    succeeded(run("db", "verify"))
    [entry] = log_entries(run)
    assert (entry["area"], entry["value"]) == ("yanggao", 5)


# ---------------------------------------------------------------------------- A6


def test_exception_half_way_through_an_import_writes_nothing(
    run, initialised, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import povtrack.returns

    returns = write_returns(tmp_path / "in" / "w.csv", 100)
    real = povtrack.returns._take_row
    calls = [0]

    def take_row(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 50:
            raise RuntimeError("row handler failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(povtrack.returns, "_take_row", take_row)
    before = db_path.read_bytes()
    result = run("import", str(returns.path))
    assert result.exit_code == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("internal error: RuntimeError: row handler failed"), line
    assert calls[0] == 50
    assert db_path.read_bytes() == before
    assert stray_temps(db_path) == []


# ---------------------------------------------------------------------------- C4 / C5


def _deny_access(monkeypatch: pytest.MonkeyPatch, denied: Path) -> None:
    real_access = os.access

    def access(path: Any, mode: int, *args: Any, **kwargs: Any) -> bool:
        if mode & os.W_OK and os.path.realpath(path) == os.path.realpath(denied):
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)


def test_read_only_database_file_is_refused_up_front(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    before = db_path.read_bytes()
    _deny_access(monkeypatch, db_path)
    [line] = refused(run(*record_args()), 6)
    assert line == f"error: {db_path}: the database file is read-only; nothing written"
    assert db_path.read_bytes() == before
    assert stray_temps(db_path) == []


def test_unwritable_database_folder_is_refused_up_front(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    before = db_path.read_bytes()
    _deny_access(monkeypatch, db_path.parent)
    [line] = refused(run(*record_args()), 6)
    folder = os.path.realpath(db_path.parent)
    assert line == f"error: {folder}: cannot write in the database's directory; nothing written"
    assert db_path.read_bytes() == before


def test_temp_file_that_cannot_be_created_names_the_folder(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
):
    folder = os.path.realpath(db_path.parent)

    def mkstemp(suffix: Any = None, prefix: Any = None, dir: Any = None, text: bool = False):
        # what mkstemp raises in a folder it may not write in: the would-be temp file's path
        raise PermissionError(
            errno.EACCES, os.strerror(errno.EACCES), os.path.join(dir, f"{prefix}x1y2z3{suffix}")
        )

    before = db_path.read_bytes()
    backups_before = sorted(p.name for p in db_path.with_name("db.json.backups").glob("*"))
    monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    [line] = refused(run(*record_args()), 6)
    assert line.startswith(f"error: {folder}/"), line
    assert "Permission denied" in line
    assert line.endswith("database unchanged")
    assert db_path.read_bytes() == before
    assert sorted(p.name for p in db_path.with_name("db.json.backups").glob("*")) == (
        backups_before
    )


# ---------------------------------------------------------------------------- D18


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


# ---------------------------------------------------------------------------- K5


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        pytest.param(["record", "--nope"], "--nope", id="unknown-option"),
        pytest.param(
            ["record", RELOCATED, "--area", "yanggao"],
            "Missing argument 'value'",
            id="missing-argument",
        ),
        pytest.param(["record"], "Missing argument 'indicator'", id="no-arguments"),
    ],
)
def test_usage_error_opens_no_database_and_takes_no_lock(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], fragment: str
):
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    monkeypatch.setenv("POVTRACK_DB", str(fresh / "db.json"))
    [line] = refused(run(*args), 2)
    assert fragment in line
    assert list(fresh.iterdir()) == []  # no database, no lock file, no owner note

"""Exit codes and error messages: 1 internal, 2 usage/invalid input, 4 database trouble.

Every refused command must leave the database file byte for byte as it was (or not create it).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.faults import stray_temps, write_returns
from tests.helpers.refusals import refused

DANGEROUS = "housing.dangerous_houses"
RELOCATED = "housing.relocated_people"  # people: whole numbers only
RECORD_OK = ["record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-01"]


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder), except the
    lock's side files, which a writer creates before it can know the database is bad."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith((".lock", ".lock.owner"))
    }


def returns_csv(tmp_path: Path) -> Path:
    f = tmp_path / "returns" / "w27.csv"
    f.parent.mkdir(exist_ok=True)
    f.write_text(f"date,area,indicator,value\n2018-07-01,yanggao,{DANGEROUS},5\n", "utf-8")
    return f


# ---------------------------------------------------------------------------- exit 1


def _boom(*args: Any, **kwargs: Any) -> Any:
    raise RuntimeError("boom")


def test_internal_error_is_one_line_exit_1(
    run, initialised, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("povtrack.analysis.status.status_rows", _boom)
    result = run("status")
    assert result.exit_code == 1
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("internal error: ")
    assert "boom" in line
    assert line.endswith("(run with --debug for details)")
    assert "Traceback" not in result.stderr


def test_internal_error_with_debug_propagates(
    run, initialised, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("povtrack.analysis.status.status_rows", _boom)
    with pytest.raises(RuntimeError, match="boom"):
        run("--debug", "status")


def test_internal_error_in_record_writes_nothing(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("povtrack.actions.writes.record_value", _boom)
    before = db_path.read_bytes()
    result = run(*RECORD_OK)
    assert result.exit_code == 1
    assert "internal error: " in result.stderr
    assert db_path.read_bytes() == before


def test_debug_flag_does_not_leak_into_the_next_command(
    run, initialised, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--debug", "status", "--json").exit_code == 0
    monkeypatch.setattr("povtrack.analysis.status.status_rows", _boom)
    result = run("status")
    assert result.exit_code == 1
    assert "internal error: " in result.stderr


# ---------------------------------------------------------------------------- exit 2: record


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(
            [DANGEROUS, "5", "--area", "nowhere", "--date", "2018-07-01"],
            ["unknown area", "nowhere"],
            id="unknown-area",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "大同", "--date", "2018-07-01"],
            ["ambiguous", "datong", "yunzhou"],  # the city, or the former 大同县
            id="ambiguous-area",
        ),
        pytest.param(
            ["housing.dangerous_housez", "5", "--area", "yanggao", "--date", "2018-07-01"],
            ["housing.dangerous_housez", "did you mean", DANGEROUS],
            id="unknown-indicator",
        ),
        pytest.param(
            [DANGEROUS, "abc", "--area", "yanggao", "--date", "2018-07-01"],
            ["abc", "not a number"],
            id="abc",
        ),
        pytest.param(
            [DANGEROUS, "1,234", "--area", "yanggao", "--date", "2018-07-01"],
            ["1,234", "not a number"],
            id="thousands",
        ),
        pytest.param(
            [DANGEROUS, "--area", "yanggao", "--date", "2018-07-01", "--", "-5"],
            ["-5", "negative"],
            id="negative",
        ),
        pytest.param(
            [RELOCATED, "12.5", "--area", "yanggao", "--date", "2018-07-01"],
            ["12.5", "whole number"],
            id="decimal-people",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--date", "2017-12-31"],
            ["2017-12-31", "before"],
            id="before-window",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--date", "2020-01-01"],
            ["2020-01-01", "after"],
            id="after-window",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--date", "2018-02-30"],
            ["2018-02-30"],
            id="no-such-day",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--date", "2018/07/01"],
            ["2018/07/01", "YYYY-MM-DD"],
            id="bad-date-format",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--week", "2018-W60"],
            ["2018-W60"],
            id="no-such-week",
        ),
        pytest.param(
            [DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-01", "--week", "2018-W23"],
            ["--date", "--week"],
            id="date-and-week",
        ),
    ],
)
def test_record_invalid_input_exit_2(
    run, initialised, db_path: Path, args: list[str], fragments: list[str]
) -> None:
    before = db_path.read_bytes()
    result = run("record", *args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)  # one problem, one line
    assert line.startswith("error: ")
    for fragment in fragments:
        assert fragment in line, line
    assert db_path.read_bytes() == before


def test_record_negative_without_separator_is_refused(run, initialised, db_path: Path) -> None:
    before = db_path.read_bytes()
    result = run("record", DANGEROUS, "-5", "--area", "yanggao", "--date", "2018-07-01")
    assert result.exit_code == 2
    assert "-5" in result.stderr
    assert db_path.read_bytes() == before


def test_parser_usage_errors_start_with_error(run, initialised, db_path: Path) -> None:
    """A missing option is a usage error too: exit 2, and its lines start "error: "."""
    before = db_path.read_bytes()
    result = run("record", DANGEROUS, "5", "--date", "2018-07-01")  # no --area
    assert result.exit_code == 2
    assert "--area" in result.stderr
    assert db_path.read_bytes() == before
    assert all(ln.startswith("error: ") for ln in lines(result.stderr)), result.stderr


# ---------------------------------------------------------------------------- exit 2: others


@pytest.mark.parametrize(
    ("args", "fragments"),
    [
        pytest.param(
            ["target", "set", RELOCATED, "9000", "--area", "nowhere"],
            ["nowhere"],
            id="target-unknown-area",
        ),
        pytest.param(
            ["target", "set", RELOCATED, "9000", "--area", "大同"],
            ["ambiguous"],
            id="target-ambiguous-area",
        ),
        pytest.param(
            ["target", "set", "housing.relocated_peeple", "9000", "--area", "tianzhen"],
            ["did you mean", RELOCATED],
            id="target-unknown-indicator",
        ),
        pytest.param(
            ["target", "set", RELOCATED, "abc", "--area", "tianzhen"],
            ["abc"],
            id="target-bad-value",
        ),
        pytest.param(
            ["target", "set", RELOCATED, "9000", "--area", "tianzhen", "--due", "2020-06-30"],
            ["2020-06-30"],
            id="target-due-after-window",
        ),
        pytest.param(
            ["target", "set", RELOCATED, "9000", "--area", "tianzhen", "--due", "next year"],
            ["next year"],
            id="target-bad-due",
        ),
        pytest.param(["status", "--as-of", "yesterday"], ["yesterday"], id="status-bad-as-of"),
        pytest.param(["status", "--task", "11"], ["11"], id="status-no-task-11"),
        pytest.param(["status", "--area", "nowhere"], ["nowhere"], id="status-unknown-area"),
        pytest.param(["status", "--area", "大同"], ["ambiguous"], id="status-ambiguous-area"),
        pytest.param(["log", "--area", "大同"], ["ambiguous"], id="log-ambiguous-area"),
        pytest.param(
            ["log", "--indicator", "housing.dangerous_housez"],
            ["did you mean"],
            id="log-unknown-indicator",
        ),
        pytest.param(["plan", "show", "--task", "11"], ["11"], id="plan-no-task-11"),
        pytest.param(["--lang", "fr", "status"], ["fr"], id="bad-lang"),
    ],
)
def test_invalid_input_exit_2(
    run, initialised, db_path: Path, args: list[str], fragments: list[str]
) -> None:
    before = db_path.read_bytes()
    result = run(*args)
    assert result.exit_code == 2, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("error: ")
    for fragment in fragments:
        assert fragment in line, line
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- exit 4: missing


MISSING_DB_COMMANDS = {
    "record": RECORD_OK,
    "status": ["status"],
    "status-json": ["status", "--json"],
    "log": ["log"],
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9000", "--area", "tianzhen"],
    "target-list": ["target", "list"],
}


@pytest.mark.parametrize("name", list(MISSING_DB_COMMANDS))
def test_missing_database_exit_4(run, tmp_path: Path, db_path: Path, name: str) -> None:
    csv = returns_csv(tmp_path)
    args = [str(csv) if a == "{csv}" else a for a in MISSING_DB_COMMANDS[name]]
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("error: ")
    assert str(db_path) in line
    assert not db_path.exists()
    assert snapshot(tmp_path) == before  # no file created anywhere


# ---------------------------------------------------------------------------- exit 4: broken


def _schema_99(data: bytes) -> bytes:
    db = json.loads(data)
    db["meta"]["1"]["schema"] = 99
    return json.dumps(db, ensure_ascii=False).encode("utf-8")


BROKEN = {
    "empty": lambda data: b"",
    "blank": lambda data: b"  \n",
    "truncated": lambda data: data[: len(data) // 2],
    "garbled": lambda data: b'{"meta": {"1": {"schema": 1, ',
    "not-json": lambda data: b"date,area,indicator,value\n",
    "not-utf8": lambda data: b"\xff\xfe\x00garbage\x81",
    "no-meta": lambda data: b'{"entries": {}}',
    "schema-99": _schema_99,
}

BROKEN_DB_COMMANDS = {
    **MISSING_DB_COMMANDS,
    "areas": ["areas", "--json"],
    "plan-show": ["plan", "show", "--json"],
}


@pytest.mark.parametrize("command", list(BROKEN_DB_COMMANDS))
@pytest.mark.parametrize("damage", list(BROKEN))
def test_broken_database_exit_4(
    run, initialised, tmp_path: Path, db_path: Path, damage: str, command: str
) -> None:
    db_path.write_bytes(BROKEN[damage](db_path.read_bytes()))
    csv = returns_csv(tmp_path)
    args = [str(csv) if a == "{csv}" else a for a in BROKEN_DB_COMMANDS[command]]
    before = snapshot(tmp_path)
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stdout == ""
    [line] = lines(result.stderr)
    assert line.startswith("error: ")
    assert str(db_path) in line
    assert snapshot(tmp_path) == before  # nothing written, nothing created


def test_newer_schema_message(run, initialised, db_path: Path) -> None:
    db_path.write_bytes(_schema_99(db_path.read_bytes()))
    result = run("status")
    assert result.exit_code == 4
    assert "99" in result.stderr
    assert "newer" in result.stderr


@pytest.mark.parametrize("command", ["status", "record", "log"])
def test_database_path_is_a_directory_exit_4(
    run, tmp_path: Path, db_path: Path, command: str
) -> None:
    db_path.mkdir()
    args = RECORD_OK if command == "record" else [command]
    result = run(*args)
    assert result.exit_code == 4, result.stderr
    assert result.stderr.startswith("error: ")
    assert str(db_path) in result.stderr
    assert db_path.is_dir()
    assert list(db_path.iterdir()) == []


# ---------------------------------------------------------------------------- real entry point


def _python_m(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "povtrack", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        env=dict(os.environ),  # POVTRACK_DB etc. from the autouse fixture
        timeout=120,
    )


def test_python_m_version(tmp_path: Path) -> None:
    proc = _python_m(tmp_path, "--version")
    assert proc.returncode == 0, proc.stderr
    assert re.fullmatch(r"povtrack \d+\.\d+\S*\n", proc.stdout), proc.stdout


def test_python_m_status_on_missing_database(tmp_path: Path, db_path: Path) -> None:
    proc = _python_m(tmp_path, "status")
    assert proc.returncode == 4, proc.stderr
    assert proc.stdout == ""
    [line] = lines(proc.stderr)
    assert line.startswith("error: ")
    assert str(db_path) in line
    assert "Traceback" not in proc.stderr
    assert not db_path.exists()


def test_python_m_usage_error_exit_2(tmp_path: Path, db_path: Path) -> None:
    assert _python_m(tmp_path, "init").returncode == 0
    before = db_path.read_bytes()
    proc = _python_m(
        tmp_path, "record", DANGEROUS, "abc", "--area", "yanggao", "--date", "2018-07-01"
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ")
    assert db_path.read_bytes() == before


# ------------------------------------------- an exception part-way through an import (catalogue A6)


def test_exception_half_way_through_an_import_writes_nothing(
    run, initialised, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    import povtrack.returns.reader

    returns = write_returns(tmp_path / "in" / "w.csv", 100)
    real = povtrack.returns.reader._take_row
    calls = [0]

    def take_row(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] == 50:
            raise RuntimeError("row handler failed")
        return real(*args, **kwargs)

    monkeypatch.setattr(povtrack.returns.reader, "_take_row", take_row)
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


# ---------------------------------------------------- usage errors touch no database (catalogue K5)


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

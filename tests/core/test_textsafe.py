"""Issue 11, item 9: terminal control characters are refused at input and escaped on screen.

`record --note`, `correct --reason`, `undo --reason`, `--by` / POVTRACK_USER and the names of
imported files refuse C0 controls (a note may keep tabs and line breaks), DEL, C1 controls and
the bidirectional overrides with exit 2, naming the option and the position; text that an older
database already holds (notes, sources, who) is shown escaped by `log`, `explain`, `check` and
every message, never sent raw to the terminal.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from povtrack.textsafe import escape
from tests.helpers.db import doc, edit_entry, write_doc

RELOCATED = "housing.relocated_people"
TAIL = "; terminal control characters and escape sequences are not accepted\n"


def record(run, *extra: str):
    return run("record", RELOCATED, "5", "--area", "yanggao", "--week", "2018-W10", *extra)


# ---------------------------------------------------------------------------- at input


@pytest.mark.parametrize(
    ("note", "code", "position"),
    [
        ("red \x1b[31malert", "U+001B", 5),
        ("ring\x07", "U+0007", 5),
        ("back\rwards", "U+000D", 5),
        ("csi \x9b2J", "U+009B", 5),
        ("del\x7f", "U+007F", 4),
        ("evil \u202etxt.exe", "U+202E", 6),
        ("isolate \u2066x\u2069", "U+2066", 9),
    ],
)
def test_record_note_refuses_control_characters(
    run, initialised, db_path: Path, note: str, code: str, position: int
) -> None:
    before = db_path.read_bytes()
    result = record(run, "--note", note)
    assert result.exit_code == 2
    assert result.stderr == f"error: --note: control character {code} at position {position}{TAIL}"
    assert db_path.read_bytes() == before


def test_a_note_may_hold_tabs_and_line_breaks(run, initialised) -> None:
    result = record(run, "--note", "line one\n\tline two")
    assert result.exit_code == 0, result.stderr
    [entry] = json.loads(run("log", "--json").stdout)["entries"]
    assert entry["note"] == "line one\n\tline two"


def test_by_and_povtrack_user_refuse_control_characters(
    run, initialised, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = db_path.read_bytes()
    result = record(run, "--by", "clerk\x1b]0;owned\x07")
    assert result.exit_code == 2
    assert result.stderr == f"error: --by: control character U+001B at position 6{TAIL}"
    monkeypatch.setenv("POVTRACK_USER", "cron\tjob")  # not even a tab in a name
    result = record(run)
    assert result.exit_code == 2
    assert result.stderr == f"error: POVTRACK_USER: control character U+0009 at position 5{TAIL}"
    assert db_path.read_bytes() == before


def test_correct_and_undo_reasons_refuse_control_characters(
    run, initialised, db_path: Path
) -> None:
    assert record(run).exit_code == 0
    before = db_path.read_bytes()
    result = run("correct", "1", "6", "--reason", "typo\x1b[2J")
    assert result.exit_code == 2
    assert result.stderr == f"error: --reason: control character U+001B at position 5{TAIL}"
    result = run("undo", "--reason", "\x9bwrong file")
    assert result.exit_code == 2
    assert result.stderr == f"error: --reason: control character U+009B at position 1{TAIL}"
    assert db_path.read_bytes() == before


def test_import_refuses_a_file_name_with_control_characters(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    name = "w10\x1b[8m.csv"
    f = tmp_path / name
    f.write_text(f"week,area,indicator,value\n2018-W10,yanggao,{RELOCATED},5\n", "utf-8")
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    shown = escape(str(f))
    position = len(str(tmp_path)) + 5
    assert result.stderr == (
        f"error: FILES {shown}: control character U+001B at position {position}{TAIL}"
    )
    assert db_path.read_bytes() == before


# ---------------------------------------------------------------------------- on screen


@pytest.fixture
def planted(run, initialised, db_path: Path) -> Path:
    """An older database whose first entry holds control characters in its note, source and
    who recorded it (written before povtrack refused them)."""
    assert record(run, "--note", "plain").exit_code == 0
    data = doc(db_path)
    edit_entry(
        data,
        1,
        note="see \x1b[2J\x1b[31mCLEARED\u202e",
        source="w10\x1b]0;pwned\x07.csv:2",
        by="clerk\x9b1m",
    )
    write_doc(db_path, data)
    return db_path


def no_raw_controls(text: str) -> None:
    for ch in ("\x1b", "\x07", "\x9b", "\u202e"):
        assert ch not in text, repr(text)


def test_log_shows_them_escaped(run, planted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")  # one line per entry
    for args in (["log"], ["log", "--all"]):
        result = run(*args)
        assert result.exit_code == 0, result.stderr
        no_raw_controls(result.stdout)
        assert " see \\x1b[2J\\x1b[31mCLEARED\\u202e " in result.stdout
        assert " w10\\x1b]0;pwned\\x07.csv:2 " in result.stdout
    assert " clerk\\x9b1m " in run("log", "--all").stdout


def test_json_keeps_them_as_they_are(run, planted: Path) -> None:
    """JSON is for programs: its own escapes carry the text exactly."""
    [entry] = json.loads(run("log", "--json").stdout)["entries"]
    assert entry["note"] == "see \x1b[2J\x1b[31mCLEARED\u202e"


def test_explain_shows_them_escaped(run, planted: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "300")
    result = run("explain", RELOCATED, "--area", "yanggao")
    assert result.exit_code == 0, result.stderr
    no_raw_controls(result.stdout)
    assert " w10\\x1b]0;pwned\\x07.csv:2 " in result.stdout
    assert " clerk\\x9b1m " in result.stdout


def test_messages_show_them_escaped(run, initialised, db_path: Path, tmp_path: Path) -> None:
    """`undo` names the files of the batch it undoes, as the database holds them."""
    f = tmp_path / "w10.csv"
    f.write_text(f"week,area,indicator,value\n2018-W10,yanggao,{RELOCATED},5\n", "utf-8")
    assert run("import", str(f)).exit_code == 0
    data = doc(db_path)
    [batch] = data["batches"].values()
    batch["files"][0]["name"] = "w10\x1b[2J\x1b]0;pwned\x07.csv"
    write_doc(db_path, data)
    result = run("undo", "--reason", "test")
    assert result.exit_code == 0, result.stderr
    no_raw_controls(result.stderr)
    assert "(w10\\x1b[2J\\x1b]0;pwned\\x07.csv)" in result.stderr


def test_escape_is_shared_by_messages_and_tables() -> None:
    assert escape("a\x1b[1mb\tc\nd\u202e") == "a\\x1b[1mb\\tc\\nd\\u202e"
    assert escape("a\tb", keep_tab=True) == "a\tb"
    assert escape("大同\u3000市") == "大同\u3000市"  # ideographic space is text, not control

"""Catalogue rows about bad input (E, F, G): see tests/CATALOGUE.md.

Reliability catalogue items not covered elsewhere (IDs from reliability.md): empty and
header-only returns (E-2), quoted line breaks (E-6), title rows (E-9), bad headers (E-3), bad
paths (E-1), rates and long text (G7, G9), invisible and wide spaces in names (F9, G8), a
writer without the lock (B7/B8), no flock (B9), a stale temp file that cannot go (A9), a
failure part-way through an import (A6), an unwritable file or folder (C4/C5), a restore
while the lock is held (D18) and parser usage errors (K5).

All in-process (the ``run`` fixture); faults are injected with monkeypatch. Every refusal
leaves the database byte for byte as it was.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest

from tests.helpers.refusals import (
    HEADER,
    RATE,
    RELOCATED,
    WEEK,
    about,
    log_entries,
    record_args,
    refused,
    succeeded,
    write_csv,
)

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
    first, second = sorted(log_entries(run, "--all"), key=lambda e: e["id"])
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

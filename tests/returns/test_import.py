"""`povtrack import`: weekly return CSV files, all files of one command one batch.

Columns are numbered from 1 in the header: date=1, area=2, indicator=3, value=4, note=5.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.refusals import (
    RELOCATED,
    WEEK_HEADER,
    about,
    refused,
    succeeded,
    write_csv,
)
from tests.helpers.refusals import log_entries as logged_entries

DANGEROUS = "housing.dangerous_houses"  # city target 17554 households
HEADER = "date,area,indicator,value,note\n"


def write(path: Path, text: str, encoding: str = "utf-8", bom: bool = False) -> Path:
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode(encoding))
    return path


def ok_json(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def log_entries(run, *args: str) -> list[dict[str, Any]]:
    return ok_json(run("log", "--json", *args))["entries"]


def city_actual(run, indicator: str = DANGEROUS) -> Any:
    rows = ok_json(run("status", "--json"))["rows"]
    [row] = [r for r in rows if r["indicator"] == indicator and r["scope"] == "datong"]
    return row["actual"]


def error_lines(result: Any) -> list[str]:
    return [ln for ln in result.stderr.splitlines() if ln.strip()]


def has_line(result: Any, prefix: str, why: str) -> bool:
    """A line `FILE:LINE:COLUMN: why...` (an "error: " in front is allowed)."""
    for ln in error_lines(result):
        body = ln.removeprefix("error: ")
        if body.startswith(prefix) and why in body:
            return True
    return False


# ---------------------------------------------------------------------------- good files


def test_import_date_file(run, initialised, tmp_path: Path) -> None:
    f = write(
        tmp_path / "w27.csv",
        HEADER
        + f"2018-07-01,yanggao,{DANGEROUS},4000,住建局\n"
        + f"2018-07-01,tianzhen,{DANGEROUS},3000,\n",
    )
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    entries = log_entries(run)
    assert sorted((e["area"], e["value"], e["note"]) for e in entries) == [
        ("tianzhen", 3000, ""),
        ("yanggao", 4000, "住建局"),
    ]
    assert city_actual(run) == 7000  # 4000 + 3000


def test_import_week_column_and_source(run, initialised, tmp_path: Path) -> None:
    f = write(
        tmp_path / "week.csv",
        "week,area,indicator,value\n"
        + f"2018-W23,yanggao,{DANGEROUS},100\n"
        + f"2018-W23,tianzhen,{DANGEROUS},50\n",
    )
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    by_area = {e["area"]: e for e in log_entries(run)}
    # 2018-W23 runs Mon 4 June .. Sun 10 June
    assert by_area["tianzhen"]["date"] == "2018-06-10"
    assert by_area["yanggao"]["date"] == "2018-06-10"
    assert by_area["tianzhen"]["source"].endswith("week.csv:3")
    assert by_area["yanggao"]["source"].endswith("week.csv:2")


def test_import_several_files_one_command(run, initialised, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},4000,\n")
    b = write(tmp_path / "b.csv", HEADER + f"2018-07-01,tianzhen,{DANGEROUS},3000,\n")
    result = run("import", str(a), str(b))
    assert result.exit_code == 0, result.stderr
    assert len(log_entries(run)) == 2


def test_import_utf8_bom(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "bom.csv", HEADER + f"2018-07-01,阳高县,{DANGEROUS},12,\n", bom=True)
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    [entry] = log_entries(run)
    assert (entry["area"], entry["value"], entry["date"]) == ("yanggao", 12, "2018-07-01")


def test_import_gbk_file(run, initialised, tmp_path: Path) -> None:
    text = (
        HEADER
        + "2018-07-01,阳高县,农村危房改造,4000,县住建局报送\n"
        + "2018-07-01,天镇县,农村危房改造,3000,乡镇汇总\n"
    )
    f = write(tmp_path / "gbk.csv", text, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        f.read_bytes().decode("utf-8")  # really not UTF-8
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    by_area = {e["area"]: e for e in log_entries(run)}
    assert set(by_area) == {"yanggao", "tianzhen"}
    assert by_area["yanggao"]["indicator"] == DANGEROUS
    assert by_area["yanggao"]["note"] == "县住建局报送"
    assert by_area["tianzhen"]["note"] == "乡镇汇总"
    assert city_actual(run) == 7000  # 4000 + 3000


def test_import_skips_blank_lines(run, initialised, tmp_path: Path) -> None:
    f = write(
        tmp_path / "blank.csv",
        "\n"  # line 1
        + HEADER  # line 2
        + "\n"  # line 3
        + f"2018-07-01,yanggao,{DANGEROUS},4000,\n"  # line 4
        + "   \n"  # line 5
        + f"2018-07-01,tianzhen,{DANGEROUS},3000,\n"  # line 6
        + "\n\n",
    )
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    by_area = {e["area"]: e for e in log_entries(run)}
    assert len(by_area) == 2
    assert by_area["yanggao"]["source"].endswith("blank.csv:4")
    assert by_area["tianzhen"]["source"].endswith("blank.csv:6")


def test_reimport_same_file_adds_nothing(run, initialised, tmp_path: Path, db_path: Path) -> None:
    f = write(tmp_path / "w27.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},4000,\n")
    assert run("import", str(f)).exit_code == 0
    assert len(log_entries(run)) == 1
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert "already imported" in result.stderr
    assert len(log_entries(run)) == 1


def test_reimport_with_a_new_file(run, initialised, tmp_path: Path) -> None:
    a = write(tmp_path / "a.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},4000,\n")
    b = write(tmp_path / "b.csv", HEADER + f"2018-07-08,yanggao,{DANGEROUS},4500,\n")
    assert run("import", str(a)).exit_code == 0
    result = run("import", str(a), str(b))
    assert result.exit_code == 0, result.stderr
    assert [e["value"] for e in log_entries(run)] == [4500, 4000]


def test_different_file_with_repeated_values_adds_only_changes(
    run, initialised, tmp_path: Path
) -> None:
    a = write(
        tmp_path / "a.csv",
        HEADER
        + f"2018-07-01,yanggao,{DANGEROUS},100,\n"
        + f"2018-07-01,tianzhen,{DANGEROUS},50,\n",
    )
    b = write(
        tmp_path / "b.csv",
        HEADER
        + f"2018-07-01,yanggao,{DANGEROUS},100,\n"  # same as before
        + f"2018-07-01,tianzhen,{DANGEROUS},60,\n"  # corrected
        + f"2018-07-01,lingqiu,{DANGEROUS},30,\n",  # new
    )
    assert run("import", str(a)).exit_code == 0
    assert len(log_entries(run)) == 2
    result = run("import", str(b))
    assert result.exit_code == 0, result.stderr
    entries = log_entries(run, "--all")
    assert len(entries) == 4  # 2 + tianzhen's correction + lingqiu
    assert [e["id"] for e in log_entries(run)] == [4, 3, 1]  # tianzhen's 50 is replaced
    assert sorted((e["area"], e["value"]) for e in entries if e["source"].startswith(str(b))) == [
        ("lingqiu", 30),
        ("tianzhen", 60),
    ]
    assert city_actual(run) == 190  # 100 + 60 + 30


# ---------------------------------------------------------------------------- bad files


def test_every_bad_row_of_every_file_is_listed(
    run, initialised, tmp_path: Path, db_path: Path
) -> None:
    good = write(tmp_path / "good.csv", HEADER + f"2018-07-01,hunyuan,{DANGEROUS},10,\n")
    bad = write(
        tmp_path / "bad.csv",
        HEADER  # line 1
        + f"2018-07-01,yanggao,{DANGEROUS},100,\n"  # line 2: fine
        + f"2018-07-01,nowhere,{DANGEROUS},100,\n"  # line 3: column 2, unknown area
        + f"2018-07-01,tianzhen,{DANGEROUS},abc,\n"  # line 4: column 4, not a number
        + f"2018-13-01,lingqiu,{DANGEROUS},5,\n",  # line 5: column 1, no month 13
    )
    bad2 = write(
        tmp_path / "bad2.csv",
        HEADER
        + f"2020-01-01,guangling,{DANGEROUS},5,\n"  # line 2: column 1, after 2019-12-31
        + "2018-07-01,guangling,housing.dangerous_housez,5,\n",  # line 3: column 3
    )
    before = db_path.read_bytes()
    result = run("import", str(good), str(bad), str(bad2))
    assert result.exit_code == 2
    assert result.stdout == ""
    assert has_line(result, f"{bad}:3:2: ", "nowhere")
    assert has_line(result, f"{bad}:4:4: ", "abc")
    assert has_line(result, f"{bad}:5:1: ", "2018-13-01")
    assert has_line(result, f"{bad2}:2:1: ", "2020-01-01")
    assert has_line(result, f"{bad2}:3:3: ", "did you mean")
    row_lines = [ln for ln in error_lines(result) if str(tmp_path) in ln]
    assert len(row_lines) == 5  # one line per bad row, nothing about the good rows
    assert db_path.read_bytes() == before
    assert log_entries(run) == []


def test_bad_import_lines_start_with_error(run, initialised, tmp_path: Path) -> None:
    """Errors go to stderr one line per problem, each starting "error: "."""
    bad = write(
        tmp_path / "bad.csv",
        HEADER
        + f"2018-07-01,nowhere,{DANGEROUS},100,\n"
        + f"2018-07-01,tianzhen,{DANGEROUS},abc,\n",
    )
    result = run("import", str(bad))
    assert result.exit_code == 2
    lines = error_lines(result)
    assert lines
    assert all(ln.startswith("error: ") for ln in lines), lines


def test_misspelled_column(run, initialised, tmp_path: Path, db_path: Path) -> None:
    f = write(
        tmp_path / "typo.csv",
        "date,area,indicator,vaule\n" + f"2018-07-01,yanggao,{DANGEROUS},100\n",
    )
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert "did you mean 'value'" in result.stderr
    assert has_line(result, f"{f}:1", "vaule")
    assert db_path.read_bytes() == before


def test_missing_date_column(run, initialised, tmp_path: Path, db_path: Path) -> None:
    f = write(tmp_path / "nodate.csv", "area,indicator,value\n" + f"yanggao,{DANGEROUS},1\n")
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert str(f) in result.stderr
    assert "date" in result.stderr
    assert db_path.read_bytes() == before


def test_ragged_row(run, initialised, tmp_path: Path, db_path: Path) -> None:
    f = write(
        tmp_path / "ragged.csv",
        "date,area,indicator,value\n"
        + f"2018-07-01,yanggao,{DANGEROUS},100\n"
        + f"2018-07-01,tianzhen,{DANGEROUS},100,extra\n",  # line 3: 5 fields, header has 4
    )
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert has_line(result, f"{f}:3:", "")
    assert db_path.read_bytes() == before
    assert log_entries(run) == []


def test_duplicate_key_in_one_file(run, initialised, tmp_path: Path, db_path: Path) -> None:
    f = write(
        tmp_path / "dup.csv",
        HEADER
        + f"2018-07-01,yanggao,{DANGEROUS},100,\n"
        + f"2018-07-01,阳高县,{DANGEROUS},120,\n",  # line 3: same area/indicator/date
    )
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert has_line(result, f"{f}:3:", "")
    assert db_path.read_bytes() == before


def test_duplicate_key_across_files(run, initialised, tmp_path: Path, db_path: Path) -> None:
    a = write(tmp_path / "a.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},100,\n")
    # a different file (identical bytes would be the same file, taken once)
    b = write(tmp_path / "b.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},120,\n")
    before = db_path.read_bytes()
    result = run("import", str(a), str(b))
    assert result.exit_code == 2
    assert has_line(result, f"{b}:2:", "")
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    ("cell", "column", "why"),
    [
        ("2018-W60", 1, "2018-W60"),  # 2018 has 52 weeks
        ("2017-W52", 1, "2017"),  # before the plan starts
        ("June 10", 1, "June 10"),
    ],
)
def test_bad_week(
    run, initialised, tmp_path: Path, db_path: Path, cell: str, column: int, why: str
) -> None:
    f = write(tmp_path / "w.csv", "week,area,indicator,value\n" + f"{cell},yanggao,{DANGEROUS},1\n")
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert has_line(result, f"{f}:2:{column}: ", why)
    assert db_path.read_bytes() == before


@pytest.mark.parametrize(
    ("value", "why"),
    [
        ('"1,234"', "1,234"),  # thousands separator
        ("-5", "negative"),
        ("12.5", "whole number"),  # households are counted whole
        ("", "empty"),
    ],
)
def test_bad_value_cell(
    run, initialised, tmp_path: Path, db_path: Path, value: str, why: str
) -> None:
    f = write(
        tmp_path / "v.csv",
        "date,area,indicator,value\n" + f"2018-07-01,yanggao,{DANGEROUS},{value}\n",
    )
    before = db_path.read_bytes()
    result = run("import", str(f))
    assert result.exit_code == 2
    assert has_line(result, f"{f}:2:4: ", why)
    assert db_path.read_bytes() == before


def test_missing_file(run, initialised, tmp_path: Path, db_path: Path) -> None:
    good = write(tmp_path / "good.csv", HEADER + f"2018-07-01,yanggao,{DANGEROUS},100,\n")
    missing = tmp_path / "nope.csv"
    before = db_path.read_bytes()
    result = run("import", str(good), str(missing))
    assert result.exit_code == 2
    assert str(missing) in result.stderr
    assert db_path.read_bytes() == before


def test_a_field_over_the_csv_size_limit_is_a_bad_row(run, initialised, tmp_path) -> None:
    import csv

    huge = "x" * (csv.field_size_limit() + 10)
    path = tmp_path / "huge.csv"
    path.write_text(
        f"date,area,indicator,value,note\n2018-06-10,yanggao,jobs.placed,5,{huge}\n",
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:2: not valid CSV" in result.stderr


# ----------------------------------------------------- line breaks in quoted fields (catalogue E-6)


def test_line_break_inside_a_quoted_name_names_the_record_start(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w22.csv",
        f'{WEEK_HEADER}\n2018-W22,"yang\ngao",{RELOCATED},5\n',
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
        f"{WEEK_HEADER},note\n"
        f'2018-W22,yanggao,{RELOCATED},5,"first line\nsecond line"\n'
        f"2018-W22,tianzhen,{RELOCATED},6,plain\n",
    )
    succeeded(run("import", str(csv)))
    by_area = {e["area"]: e for e in logged_entries(run)}
    assert by_area["yanggao"]["source"] == f"{csv}:2"
    assert by_area["yanggao"]["note"] == "first line\nsecond line"
    assert by_area["tianzhen"]["source"] == f"{csv}:4"  # its physical first line
    assert by_area["tianzhen"]["value"] == 6


# ----------------------------------------------------------- a path that is no file (catalogue E-1)


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


# ---------------------------------------- long text and padded names in a return (catalogue G9, F9)


def test_csv_note_of_600_characters_names_file_line_column(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{WEEK_HEADER},note\n2018-W21,yanggao,{RELOCATED},5,{'n' * 600}\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:2:5: note of 600 characters is longer than 500"), line
    assert db_path.read_bytes() == before


def test_unknown_5000_character_area_in_a_csv_gets_a_short_message(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w21.csv", f"{WEEK_HEADER}\n2018-W21,{'x' * 5000},{RELOCATED},5\n"
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:2:2: unknown area 'xxx"), line
    assert len(line) < 300 + len(str(csv)), len(line)
    assert db_path.read_bytes() == before


def test_wide_space_after_an_area_name_in_a_csv_is_trimmed(run, initialised, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{WEEK_HEADER}\n2018-W21,阳高县\u3000,{RELOCATED},5\n2018-W22,阳高县\u00a0,{RELOCATED},6\n",
    )
    succeeded(run("import", str(csv)))
    assert {e["area"] for e in logged_entries(run)} == {"yanggao"}

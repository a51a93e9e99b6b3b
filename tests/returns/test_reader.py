"""Weekly returns as text: files that are not CSV text at all (a workbook or zip under a .csv
name, an old .xls, binary data), Chinese and Unicode encodings, Excel's CSV dialects (sep=
lines, other separators), full-width and invisible characters in cells, parse_value's value
grammar, and property tests that any bytes, text or cell give problems, never exceptions.

Every fixture file is written here, in the test. Expected messages and values are written out
by hand; nothing is computed with the code under test.
"""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.errors import UsageError
from povtrack.returns.cells import parse_value
from povtrack.returns.reader import decode
from tests.helpers.refusals import (
    RELOCATED,
    WEEK_HEADER,
    about,
    log_entries,
    refused,
    succeeded,
    write_csv,
)
from tests.helpers.returns import (
    HEADER,
    MU,
    PEOPLE,
    PLAN,
    WORKBOOK_HEADER,
    only_problem,
    read,
    row,
    workbook,
)

# ---------------------------------------------------------------------------- not CSV text


def test_workbook_under_a_csv_name(tmp_path: Path) -> None:
    f = workbook(tmp_path / "w27.csv", [WORKBOOK_HEADER])
    assert (
        only_problem(f)
        == f"{f}: this is an Excel workbook saved under a .csv name; rename it to .xlsx"
    )


def test_other_zip_under_a_csv_name(tmp_path: Path) -> None:
    f = tmp_path / "w27.csv"
    with zipfile.ZipFile(f, "w") as zf:
        zf.writestr("content.xml", "<x/>")
    assert only_problem(f) == (
        f"{f}: this is a zip archive, not CSV text (an .ods or Word file?); "
        "save the return as .xlsx or CSV UTF-8"
    )


@pytest.mark.parametrize("name", ["w27.xls", "w27.csv", "w27.xlsx"])
def test_old_xls_or_protected_workbook(tmp_path: Path, name: str) -> None:
    f = tmp_path / name
    f.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    assert only_problem(f) == (
        f"{f}: this is an Excel 97-2003 (.xls) or password-protected workbook; povtrack reads "
        ".xlsx and CSV: open it in Excel and save it as .xlsx (Excel Workbook) or CSV UTF-8, "
        "without a password"
    )


def test_control_character_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes(b"date,area,indicator,value\r\n2018-07-01,yang\x1bgao,x,1\r\n")
    assert only_problem(f) == (
        f"{f}:2:16: binary data (control character U+001B); not a CSV text file"
    )


def test_nul_byte_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes(b"date,area\x00,indicator,value\n")
    assert only_problem(f) == f"{f}: not a CSV text file (binary data)"


def test_nul_in_utf16_text_is_binary_data(tmp_path: Path) -> None:
    f = tmp_path / "junk.csv"
    f.write_bytes("date\tarea\nx\x00y\n".encode("utf-16"))
    assert only_problem(f) == (
        f"{f}:2:2: binary data (control character U+0000); not a CSV text file"
    )


# ---------------------------------------------------------------------------- encodings


def test_gbk_csv(tmp_path: Path) -> None:
    f = tmp_path / "gbk.csv"
    f.write_bytes((HEADER + "2018-07-01,阳高县,易地扶贫搬迁人口,5200,县发改局\n").encode("gbk"))
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "gb18030"
    assert rf.rows == [row(date(2018, 7, 1), "yanggao", PEOPLE, 5200, "县发改局", f"{f}:2")]


def test_gb18030_csv_beyond_gbk(tmp_path: Path) -> None:
    """𠮷 (U+20BB7) is not in GBK; GB18030 writes it in four bytes."""
    data = (HEADER + f"2018-07-01,天镇县,{PEOPLE},7,𠮷家村\n").encode("gb18030")
    # U+20BB7 - U+10000 = 68535 = ((5 * 10 + 4) * 126 + 49) * 10 + 5: 95 34 B2 35
    assert "𠮷".encode("gb18030") == b"\x95\x34\xb2\x35"
    with pytest.raises(UnicodeEncodeError):
        "𠮷".encode("gbk")
    f = tmp_path / "gb18030.csv"
    f.write_bytes(data)
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "gb18030"
    assert rf.rows == [row(date(2018, 7, 1), "tianzhen", PEOPLE, 7, "𠮷家村", f"{f}:2")]


def test_utf16_tab_separated(tmp_path: Path) -> None:
    """Excel's "Unicode text": UTF-16 little-endian with a BOM, tabs, CRLF."""
    text = "date\tarea\tindicator\tvalue\tnote\r\n2018-07-01\t灵丘县\t" + PEOPLE + "\t88\t备注\r\n"
    f = tmp_path / "unicode.txt"
    f.write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "utf-16"
    assert rf.rows == [row(date(2018, 7, 1), "lingqiu", PEOPLE, 88, "备注", f"{f}:2")]


def test_utf8_bom(tmp_path: Path) -> None:
    f = tmp_path / "bom.csv"
    f.write_bytes(b"\xef\xbb\xbf" + (HEADER + f"2018-07-01,广灵县,{PEOPLE},3,\n").encode())
    [rf], problems = read(f)
    assert problems == []
    assert rf.encoding == "utf-8-sig"
    assert rf.rows == [row(date(2018, 7, 1), "guangling", PEOPLE, 3, "", f"{f}:2")]


def test_undecodable_byte_has_line_and_column(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    # line 1 is 31 bytes; \xff is neither UTF-8 nor GB18030, 36th character of line 2
    f.write_bytes(HEADER.encode() + b"2018-07-01,yanggao,jobs.placed,5,ab\xff\n")
    assert only_problem(f) == (
        f"{f}: cannot read the text: not UTF-8 or GB18030 at line 2, column 36 "
        "(byte offset 66); save it as CSV UTF-8 or pass --encoding"
    )


def test_undecodable_gbk_file_counts_characters(tmp_path: Path) -> None:
    """A GBK file with one bad byte: GB18030 reads furthest, so its position is given, in
    characters (阳高县 is 3 characters, 6 bytes)."""
    f = tmp_path / "bad.csv"
    f.write_bytes(("date,area\n阳高县,").encode("gbk") + b"\xff\n")
    assert only_problem(f) == (
        f"{f}: cannot read the text: not UTF-8 or GB18030 at line 2, column 5 "
        "(byte offset 17); save it as CSV UTF-8 or pass --encoding"
    )


def test_explicit_encoding_error_has_a_position() -> None:
    with pytest.raises(UsageError) as caught:
        decode(b"date\r\nab\xe9", "utf-8")
    assert caught.value.message == "not utf-8 text at line 2, column 3 (byte offset 8)"
    with pytest.raises(UsageError) as caught:
        decode(b"x", "no-such-codec")
    assert caught.value.message == "unknown encoding 'no-such-codec'"
    assert decode("陽高".encode("big5"), "big5") == ("陽高", "big5")


# ---------------------------------------------------------------------------- CSV dialects


def test_excel_sep_line_semicolon(tmp_path: Path) -> None:
    f = tmp_path / "sep.csv"
    f.write_text(
        "sep=;\r\ndate;area;indicator;value;note\r\n"
        f"2018-07-01;yanggao;{PEOPLE};5;a,b\r\n"
        f"2018-07-01;tianzhen;{PEOPLE};6;\r\n",
        encoding="utf-8",
        newline="",
    )
    [rf], problems = read(f)
    assert problems == []
    assert rf.rows == [  # line numbers count the sep= line
        row(date(2018, 7, 1), "yanggao", PEOPLE, 5, "a,b", f"{f}:3"),
        row(date(2018, 7, 1), "tianzhen", PEOPLE, 6, "", f"{f}:4"),
    ]


def test_excel_sep_line_tab_and_comma(tmp_path: Path) -> None:
    tab = tmp_path / "tab.csv"
    tab.write_text(f"sep=\t\ndate\tarea\tindicator\tvalue\n2018-07-01\tyanggao\t{PEOPLE}\t5\n")
    comma = tmp_path / "comma.csv"
    comma.write_text(f"SEP=,\n\ndate,area,indicator,value\n2018-07-08,yanggao,{PEOPLE},9\n")
    files, problems = read(tab, comma)
    assert problems == []
    assert [r["source"] for rf in files for r in rf.rows] == [f"{tab}:3", f"{comma}:4"]
    assert [r["value"] for rf in files for r in rf.rows] == [5, 9]


def test_unsupported_sep_line(tmp_path: Path) -> None:
    f = tmp_path / "sep.csv"
    f.write_text(f"sep=|\ndate|area|indicator|value\n2018-07-01|yanggao|{PEOPLE}|5\n")
    assert only_problem(f) == (
        f"{f}:1: the separator line 'sep=|' names no separator povtrack reads; "
        "write sep=, or sep=; or sep= and a tab"
    )


@pytest.mark.parametrize(("sep", "shown"), [(";", "';'"), ("，", "'，'")])
def test_one_column_header_with_another_separator(tmp_path: Path, sep: str, shown: str) -> None:
    f = tmp_path / "semi.csv"
    f.write_text(
        sep.join(["date", "area", "indicator", "value"])
        + "\n"
        + sep.join(["2018-07-01", "yanggao", PEOPLE, "5"])
        + "\n",
        encoding="utf-8",
    )
    assert only_problem(f) == (
        f"{f}:1: found 1 column; the file appears to be {shown}-separated (povtrack reads "
        "comma- or tab-separated CSV; save as CSV UTF-8)"
    )


def test_full_width_and_padded_cells(tmp_path: Path) -> None:
    f = tmp_path / "fw.csv"
    f.write_text(
        HEADER
        + f"２０１８-０７-０１,阳高县,{PEOPLE},５２００,\n"
        + f"2018-07-01,天镇县,{MU},\u3000１２．５\u00a0,\n"
        + f"2018-07-01,灵丘县,{PEOPLE}, +7 ,\n",
        encoding="utf-8",
    )
    [rf], problems = read(f)
    assert problems == []
    assert [(r["area"], r["date"], r["value"]) for r in rf.rows] == [
        ("yanggao", date(2018, 7, 1), 5200),
        ("tianzhen", date(2018, 7, 1), 12.5),
        ("lingqiu", date(2018, 7, 1), 7),
    ]


def test_bad_value_texts_in_csv(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(
        HEADER
        + f"2018-07-01,yanggao,{PEOPLE},52\u200b00,\n"  # line 2
        + f"2018-07-01,tianzhen,{PEOPLE},٥٢,\n"  # line 3: Arabic-Indic digits
        + f"2018-07-01,lingqiu,{PEOPLE},#DIV/0!,\n"  # line 4
        + f"2018-07-01,hunyuan,{PEOPLE},N/A,\n"  # line 5
        + f"٢٠١٨-٠٧-٠١,guangling,{PEOPLE},1,\n"  # line 6
        + f"2018-07-01,tianzhen,{PEOPLE},\ufeff3,\n"  # line 7: a BOM inside the cell
        + f"2018-07-01,yunzhou,{PEOPLE},5²,\n",  # line 8: not 52
        encoding="utf-8",
    )
    files, problems = read(f)
    assert problems == [
        f"{f}:2:4: value '5200' contains an invisible character (U+200B ZERO WIDTH SPACE); "
        "delete the cell's content and type the value again",
        f"{f}:3:4: value '٥٢' is not a number",
        f"{f}:4:4: Excel error value #DIV/0! in the value cell; fix the formula in the return",
        f"{f}:5:4: value 'N/A' is not a number",
        f"{f}:6:1: '٢٠١٨-٠٧-٠١' is not a date; write YYYY-MM-DD, e.g. 2018-06-03",
        f"{f}:7:4: value '3' contains an invisible character (U+FEFF ZERO WIDTH NO-BREAK "
        "SPACE); delete the cell's content and type the value again",
        f"{f}:8:4: value '5²' is not a number",
    ]
    assert files[0].rows == []


# ---------------------------------------------------------------------------- parse_value


@pytest.mark.parametrize(
    ("text", "unit_indicator", "value"),
    [
        ("５２００", PEOPLE, 5200),
        ("\u3000５２００\u00a0", PEOPLE, 5200),
        ("１２．５", MU, 12.5),
        ("12345678901234", PEOPLE, 12345678901234),  # exact, no float rounding
        ("5.0", PEOPLE, 5),
        ("+0", PEOPLE, 0),
    ],
)
def test_parse_value_accepts(text: str, unit_indicator: str, value: float) -> None:
    got = parse_value(text, PLAN.indicator(unit_indicator))
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("٥٢٠٠", "value '٥٢٠٠' is not a number"),
        ("۵۲", "value '۵۲' is not a number"),  # Persian digits
        ("①", "value '①' is not a number"),
        ("-", "value '-' is not a number"),
        ("—", "value '—' is not a number"),
        ("待填", "value '待填' is not a number"),
        (
            "1，234",
            "value '1，234' is not a number; write it without thousands separators: 1234",
        ),
        (
            "5 200",
            "value '5 200' is not a number; write it without thousands separators: 5200",
        ),
        ("80％", "value '80％' is not a number; write a rate without the % sign, e.g. 80 for 80%"),
        ("１.２万", "value '１.２万' is not a number; write it in people: １.２万 is 12000"),
        (
            "约3万",
            "value '约3万' is not a number; write it in people without 万 or 亿, "
            "e.g. 13.98万 as 139800",
        ),
        ("12。5", "value '12。5' is not a number; write the decimal point as '.', e.g. 12.5"),
        (
            "\u200d",
            "value '' contains an invisible character (U+200D ZERO WIDTH JOINER); "
            "delete the cell's content and type the value again",
        ),
        ("1000000000000000", "value 1000000000000000 is too large for a reported value"),
        ("－３", "value －３ is negative; reported values are totals or counts, ≥ 0"),
        ("\u3000", "value is empty (a value not reported is left out, never written as 0)"),
    ],
)
def test_parse_value_refuses(text: str, message: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_value(text, PLAN.indicator(PEOPLE))
    assert caught.value.message == message


@given(st.text())
def test_parse_value_fuzz(text: str) -> None:
    for indicator in (PEOPLE, MU):
        try:
            value = parse_value(text, PLAN.indicator(indicator))
        except UsageError:
            continue
        assert isinstance(value, int | float)
        assert value >= 0


# ---------------------------------------------------------------------------- never raises


@pytest.fixture(scope="module")
def fuzz_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".txt", ".xlsx"]))
def test_any_bytes_give_problems_not_exceptions(fuzz_dir: Path, data: bytes, suffix: str) -> None:
    f = fuzz_dir / f"any{suffix}"
    f.write_bytes(data)
    files, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)
    assert len(files) <= 1


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    prefix=st.sampled_from([b"", b"\xef\xbb\xbf", b"PK\x03\x04", b"\xff\xfe", b"sep=;\n"]),
    text=st.text(max_size=200),
)
def test_any_text_gives_problems_not_exceptions(fuzz_dir: Path, prefix: bytes, text: str) -> None:
    f = fuzz_dir / "text.csv"
    f.write_bytes(prefix + text.encode("utf-8", errors="surrogatepass"))
    _, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)


CELL = st.text(st.characters(exclude_categories=("Cs",)), max_size=30)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.tuples(CELL, CELL, CELL, CELL, CELL), column=st.integers(0, 4))
def test_any_cell_text_gives_problems_not_exceptions(
    fuzz_dir: Path, cells: tuple[str, ...], column: int
) -> None:
    good = ["2018-07-01", "yanggao", PEOPLE, "5", "note"]
    fields = [*good[:column], cells[column], *good[column + 1 :]]
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(WORKBOOK_HEADER)
    writer.writerow(fields)
    writer.writerow(list(cells))
    f = fuzz_dir / "cells.csv"
    f.write_bytes(out.getvalue().encode("utf-8"))
    files, problems = read(f)
    assert all(isinstance(p, str) and p.startswith(str(f)) for p in problems)
    if files:
        for r in files[0].rows:
            assert r["value"] >= 0
            assert r["area"] in {a.id for a in PLAN.areas}


# ------------------------- header-only, empty, title rows and bad headers (catalogue E-2, E-3, E-9)


def test_csv_with_only_the_header_is_refused(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(tmp_path / "in" / "w21.csv", WEEK_HEADER + "\r\n")
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line == f"error: {csv}: no data rows, only the header (nothing to import)"
    assert db_path.read_bytes() == before


def test_zero_byte_csv_is_refused_as_empty(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(tmp_path / "in" / "w21.csv", "")
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}: empty file"), line
    assert db_path.read_bytes() == before


def test_title_row_above_the_header_is_skipped_and_said(
    run, initialised, db_path: Path, tmp_path: Path
):
    """Issue 13: the header may sit below a title row; the import says which row it took."""
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"Datong returns week 21,,,\n{WEEK_HEADER}\n2018-W21,yanggao,{RELOCATED},5\n",
    )
    result = run("import", str(csv))
    succeeded(result)
    assert f"{csv}: read as utf-8; long layout (one value a row); header on row 2" in (
        result.stderr
    )
    [entry] = log_entries(run)
    assert (entry["area"], entry["value"], entry["source"]) == ("yanggao", 5, f"{csv}:3")


def test_no_header_in_the_first_rows_is_one_problem(
    run, initialised, db_path: Path, tmp_path: Path
):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        "Datong returns week 21,,,\n"
        + "prepared by the county office,,,\n" * 10
        + f"{WEEK_HEADER}\n",
    )
    before = db_path.read_bytes()
    err = refused(run("import", str(csv)), 2)
    [line] = about(err, csv)
    assert line.startswith(f"error: {csv}:1: this is not the header"), line
    assert "no row of the first 10 is a header" in line
    assert db_path.read_bytes() == before


def test_duplicated_column_is_named_once(run, initialised, db_path: Path, tmp_path: Path):
    csv = write_csv(
        tmp_path / "in" / "w21.csv",
        f"{WEEK_HEADER},value\n2018-W21,yanggao,{RELOCATED},5,5\n",
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

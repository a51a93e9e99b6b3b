"""Excel returns are read in bounded time and memory (issue 11, item 7), and a cell formatted as
a percentage is read as the percentage the clerk typed (item 2).

Limits (docs/returns.md): values in columns A to Z only, at most 50,000 rows holding
something, at most 32,767 characters in a cell (Excel's own limit), and the workbook's parts
at most 16 MiB each, 64 MiB together and 1,000 in number once unpacked, checked before any is
parsed. Beyond them the workbook is refused with one line naming it, exit 2.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import zipfile
from datetime import date
from pathlib import Path

import openpyxl
import pytest

from povtrack.returns import xlsx as xlsx_in
from tests.helpers.db import lines
from tests.helpers.returns import PEOPLE, WORKBOOK_HEADER, only_problem, read, row, workbook

RATE = "housing.relocation_works_completion"  # a percent quantity: tianzhen's target is 80
DAY = "2018-07-01"


def rewrite(path: Path, change: dict[str, bytes]) -> Path:
    """The workbook at ``path`` with some of its zip parts replaced or added."""
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    parts |= change
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return path


def wide(path: Path, rows: int) -> Path:
    """A header, then ``rows`` rows each holding one number in column XFD (the last one)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(WORKBOOK_HEADER)
    for r in range(2, rows + 2):
        ws.cell(row=r, column=16384, value=1)
    wb.save(path)
    return path


# ---------------------------------------------------------------------------- bounded work


def test_a_small_workbook_with_far_right_cells_is_refused_quickly_and_small(
    tmp_path: Path,
) -> None:
    # 20,000 rows each with a cell in column XFD: a 100 KB file that once took minutes and
    # gigabytes while the write lock was held. In a real process, held to 1 GB of memory.
    book = wide(tmp_path / "wide.xlsx", 20_000)
    assert book.stat().st_size < 200_000
    db = tmp_path / "db.json"
    env = {**os.environ, "POVTRACK_DB": str(db), "POVTRACK_LANG": "en"}
    subprocess.run([sys.executable, "-m", "povtrack", "init"], env=env, check=True)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))

    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "povtrack", "import", str(book)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=cap,
    )
    assert time.monotonic() - start < 30
    assert proc.returncode == 2, proc.stderr
    assert lines(proc.stderr) == [
        "error: import refused, nothing written: 1 problem(s)",
        f"error: {book}: cell XFD2 holds a value beyond column Z; a return's values are in "
        "columns A to Z (move it, or delete it)",
    ]


def test_a_value_just_beyond_column_z(tmp_path: Path) -> None:
    book = workbook(tmp_path / "r.xlsx", [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5]])
    wb = openpyxl.load_workbook(book)
    wb.active["AA2"] = "x"
    wb.save(book)
    assert only_problem(book) == (
        f"{book}: cell AA2 holds a value beyond column Z; a return's values are in "
        "columns A to Z (move it, or delete it)"
    )


def test_empty_formatted_cells_far_right_cost_nothing(tmp_path: Path) -> None:
    book = workbook(tmp_path / "r.xlsx", [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5]])
    wb = openpyxl.load_workbook(book)
    for r in range(1, 3):
        wb.active.cell(row=r, column=16384).number_format = "0%"  # styled, no value
    wb.save(book)
    files, problems = read(book)
    assert problems == []
    assert files[0].rows == [row(date(2018, 7, 1), "yanggao", PEOPLE, 5, "", f"{book}:2")]


def test_more_rows_than_the_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xlsx_in, "MAX_ROWS", 3)
    rows = [WORKBOOK_HEADER] + [[DAY, a, PEOPLE, 5] for a in ("yanggao", "tianzhen", "lingqiu")]
    book = workbook(tmp_path / "r.xlsx", rows)
    assert only_problem(book) == (
        f"{book}: more than 3 rows hold something (row 4 is one too many); "
        "split the return into several workbooks"
    )
    monkeypatch.setattr(xlsx_in, "MAX_ROWS", 4)
    assert read(book)[1] == []


def test_a_cell_longer_than_excel_allows(tmp_path: Path) -> None:
    rows = [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5, "@@E2"]]
    book = workbook(tmp_path / "r.xlsx", rows)
    with zipfile.ZipFile(book) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml").decode()
    long = "备" * 32_768
    rewrite(book, {"xl/worksheets/sheet1.xml": xml.replace("@@E2", long).encode()})
    assert only_problem(book) == (
        f"{book}: cell E2 holds 32768 characters; Excel itself keeps at most 32767 in a cell"
    )


def test_a_part_that_unpacks_beyond_the_limit_is_refused_before_parsing(
    tmp_path: Path,
) -> None:
    book = workbook(tmp_path / "r.xlsx", [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5]])
    with zipfile.ZipFile(book) as zf:
        xml = zf.read("xl/worksheets/sheet1.xml")
    padded = xml.replace(b"<sheetData>", b"<sheetData>" + b" " * (17 << 20))
    rewrite(book, {"xl/worksheets/sheet1.xml": padded})
    assert book.stat().st_size < 1 << 20  # a small file that unpacks to 17 MiB
    size = len(padded)
    assert only_problem(book) == (
        f"{book}: not a workbook povtrack reads: its part xl/worksheets/sheet1.xml unpacks to "
        f"{size} bytes, more than 16 MiB"
    )


def test_parts_that_together_unpack_beyond_the_limit(tmp_path: Path) -> None:
    book = workbook(tmp_path / "r.xlsx", [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5]])
    rewrite(book, {f"extra/{n}.bin": b"\0" * (15 << 20) for n in range(5)})
    problem = only_problem(book)
    assert problem.startswith(f"{book}: not a workbook povtrack reads: its parts unpack to ")
    assert problem.endswith(" bytes, more than 64 MiB together")


def test_too_many_parts(tmp_path: Path) -> None:
    book = workbook(tmp_path / "r.xlsx", [WORKBOOK_HEADER, [DAY, "yanggao", PEOPLE, 5]])
    rewrite(book, {f"extra/{n}.txt": b"" for n in range(1000)})
    problem = only_problem(book)
    assert problem.startswith(f"{book}: not a workbook povtrack reads: it has ")
    assert problem.endswith(" parts, more than 1000")


# ---------------------------------------------------------------------------- percent cells


def percent_book(path: Path, value: float, fmt: str, indicator: str = RATE) -> Path:
    book = workbook(path, [WORKBOOK_HEADER, [DAY, "tianzhen", indicator, value]])
    wb = openpyxl.load_workbook(book)
    wb.active["D2"].number_format = fmt
    wb.save(book)
    return book


@pytest.mark.parametrize(
    ("value", "fmt", "read_as"),
    [
        (0.9, "0%", 90),
        (0.905, "0.0%", 90.5),
        (0.07, "0.00%", 7),
        (1, "0%", 100),
        (0, "0%", 0),
        (0.9, '0%;[Red]-0%;"-"', 90),
        (0.9, "General", 0.9),
        (90, '0"%"', 90),  # a % sign in quotes is only shown: the value is not scaled
        (90, "0\\%", 90),
    ],
)
def test_a_percent_cell_is_the_percentage_typed(
    tmp_path: Path, value: float, fmt: str, read_as: float
) -> None:
    book = percent_book(tmp_path / "r.xlsx", value, fmt)
    files, problems = read(book)
    assert problems == []
    [parsed] = files[0].rows
    assert parsed["value"] == read_as
    assert type(parsed["value"]) is type(read_as)


def test_a_percent_cell_above_100_percent_is_a_rate_above_100(tmp_path: Path) -> None:
    book = percent_book(tmp_path / "r.xlsx", 1.5, "0%")
    assert only_problem(book) == (
        f"{book}:2:4: value 150% is a rate above 100 (percent); a rate is 0 to 100"
    )


def test_a_percent_cell_for_a_count_is_refused(tmp_path: Path) -> None:
    book = percent_book(tmp_path / "r.xlsx", 0.9, "0%", indicator=PEOPLE)
    assert only_problem(book) == (
        f"{book}:2:4: the value cell is formatted as a percentage (it shows 90%), but "
        f"{PEOPLE} is counted in people; format the cell as a number and type the count"
    )


def test_cli_imports_a_percent_cell_as_the_percentage(run, initialised, tmp_path) -> None:
    book = percent_book(tmp_path / "r.xlsx", 0.9, "0%")
    result = run("import", str(book))
    assert result.exit_code == 0, result.stderr
    result = run("status", "--json")
    [rate] = [
        r
        for r in json.loads(result.stdout)["rows"]
        if r["indicator"] == RATE and r["scope"] == "tianzhen"
    ]
    assert rate["actual"] == 90

"""status and log exported with --format/-o: every format holds exactly the --json rows."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.cli import ok_json
from tests.helpers.readback import about


@pytest.fixture
def demo(run, tmp_path: Path) -> Path:
    db = tmp_path / "demo.json"
    assert run("demo", "--db", str(db)).exit_code == 0
    return db


def _csv_rows(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf")  # Chinese Excel opens UTF-8 only with a BOM
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def _cell(value: Any) -> str:
    """How the CSV writes a JSON value: numbers plain, None blank."""
    if value is None:
        return ""
    return str(value)


STATUS_KEYS = ["task", "indicator", "scope", "target", "actual", "progress", "expected", "due"]


def test_status_csv_equals_json(run, demo: Path) -> None:
    rows = ok_json(run("--db", str(demo), "status", "--json", "--task", "2"))["rows"]
    result = run("--db", str(demo), "--lang", "en", "status", "--task", "2", "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = _csv_rows(result.stdout_bytes)
    header, body = table[0], table[1:]
    assert len(body) == len(rows)
    index = {
        "task": header.index("Task"),
        "indicator": header.index("Indicator id"),
        "scope": header.index("Scope id"),
        "target": header.index("Target"),
        "actual": header.index("Actual"),
        "progress": header.index("Progress"),
        "expected": header.index("Expected"),
        "due": header.index("Due"),
        "status": header.index("Status"),
        "needed_per_week": header.index("Needed/week"),
        "projected_date": header.index("Projected done"),
    }
    for line, row in zip(body, rows, strict=True):
        for key in [*STATUS_KEYS, "needed_per_week", "projected_date"]:
            assert line[index[key]] == _cell(row[key]), (key, line, row)
        assert line[index["status"]] == row["status"].replace("_", " ")


def test_status_xlsx_equals_json(run, demo: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    rows = ok_json(run("--db", str(demo), "status", "--json"))["rows"]
    out = tmp_path / "status.xlsx"
    result = run("--db", str(demo), "--lang", "zh", "status", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    col = {h: i for i, h in enumerate(header)}
    body = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=len(rows) + 1)]
    assert ws.freeze_panes == "A2"
    for line, row in zip(body, rows, strict=True):
        assert line[col["指标编号"]] == row["indicator"]
        assert line[col["范围编号"]] == row["scope"]
        # number cells; XLSX keeps 15-16 significant digits, as Excel does
        for key, value in (("目标", row["target"]), ("累计完成", row["actual"])):
            assert line[col[key]] == (None if value is None else pytest.approx(value, rel=1e-12))
        assert line[col["完成进度"]] == (  # shown as a percent
            None if row["progress"] is None else pytest.approx(row["progress"], rel=1e-12)
        )
        due = line[col["截止"]]
        assert (due.date() if isinstance(due, datetime) else due) == (
            date.fromisoformat(row["due"]) if row["due"] else None
        )
    progress_cell = ws.cell(row=2, column=col["完成进度"] + 1)
    assert progress_cell.number_format.endswith("%")


class _Cells(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._in = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "tr":
            self.rows.append([])
        if tag in ("td", "th"):
            self._in = True
            self.rows[-1].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th"):
            self._in = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self.rows[-1][-1] += data


def test_log_html_and_md_hold_the_json_entries(run, demo: Path, tmp_path: Path) -> None:
    entries = ok_json(run("--db", str(demo), "log", "--json", "--limit", "20"))["entries"]
    out = tmp_path / "log.html"
    assert (
        run("--db", str(demo), "--lang", "en", "log", "--limit", "20", "-o", str(out)).exit_code
        == 0
    )
    page = out.read_text(encoding="utf-8")
    assert "http://" not in page and "https://" not in page  # self-contained
    parser = _Cells()
    parser.feed(page)
    header, body = parser.rows[0], parser.rows[1:]
    ids = [int(r[header.index("Id")]) for r in body]
    assert ids == [e["id"] for e in entries]
    sources = [r[header.index("Source")] for r in body]
    assert sources == [e["source"] for e in entries]
    md = run("--db", str(demo), "--lang", "en", "log", "--limit", "20", "--format", "md")
    assert md.exit_code == 0
    table = [ln for ln in md.stdout.splitlines() if ln.startswith("| ")]
    assert len(table) == 2 + len(entries)  # header, separator, one line per entry


def test_format_errors(run, demo: Path, tmp_path: Path) -> None:
    args = ["--db", str(demo), "status"]
    bad = run(*args, "--format", "pdf")
    assert bad.exit_code == 2 and "not one of" in bad.stderr
    both = run(*args, "--json", "--format", "csv")
    assert both.exit_code == 2 and "not both" in both.stderr
    binary = run(*args, "--format", "xlsx")
    assert binary.exit_code == 2 and "-o FILE.xlsx" in binary.stderr
    unknown = run(*args, "-o", str(tmp_path / "x.pdf"))
    assert unknown.exit_code == 2 and "give --format" in unknown.stderr
    assert not (tmp_path / "x.pdf").exists()


def test_json_to_a_file_equals_stdout(run, demo: Path, tmp_path: Path) -> None:
    out = tmp_path / "status.json"
    assert run("--db", str(demo), "status", "-o", str(out)).exit_code == 0
    printed = ok_json(run("--db", str(demo), "status", "--json"))
    assert json.loads(out.read_text(encoding="utf-8")) == printed


def test_board_xlsx_has_a_totals_row_counting_the_areas(run, demo: Path, tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    data = ok_json(run("--db", str(demo), "board", "--json"))
    out = tmp_path / "board.xlsx"
    assert run("--db", str(demo), "--lang", "en", "board", "-o", str(out)).exit_code == 0
    ws = openpyxl.load_workbook(out)["board"]
    assert ws.max_row == 1 + len(data["rows"])  # the totals are not a data row
    # but on the About sheet, heading by heading under "Total"
    total = about(out, "en")["board"]["total"]
    # task 4 (training and jobs): count the areas by status from the JSON
    areas = [r for r in data["rows"] if r["scope_kind"] == "area"]
    statuses = [r["cells"]["4"]["status"] for r in areas if r["cells"]["4"]["status"]]
    counted = total["4 Jobs"]
    for status in set(statuses):
        assert f" {statuses.count(status)}" in counted
    assert sum(int(part.split()[-1]) for part in counted.split(", ")) == len(statuses)

"""The weekly report (`report --format md|html|xlsx`): the stamp, the sections in order, the
charts, the tables against `status --json` and `board --json`, the digest, and the errors.

The demo database is built once for the module; every report of it is written once too (the
tests only read them). Tests that add records work on a copy.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from povtrack.cli import app
from tests.helpers.cli import ok_json, rec
from tests.helpers.progress import HEADER, INDICATORS

AS_OF = "2018-07-01"  # the demo's newest entry
PLAN_ID = "datong-2018"
DIGEST = re.compile(r"(?:data digest|数据摘要) ([0-9a-f]{64})\n")  # stderr says it in --lang
FORMATS = ("md", "html", "xlsx")
KEYS = ["headline", "board", *(f"task{n}" for n in range(1, 11))]
KEYS += ["changes", "movers", "silent", "missing"]


def _invoke(*args: str, home: Path) -> Any:
    env = {"POVTRACK_LANG": "en", "XDG_DATA_HOME": str(home), "COLUMNS": None}
    env["POVTRACK_DB"] = str(home / "unused.json")
    return CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo database, its reports in every format, and the JSON they should agree with."""
    folder = tmp_path_factory.mktemp("report")
    db = folder / "demo.json"
    home = folder / "xdg"

    def invoke(*args: str) -> Any:
        result = _invoke(*args, "--db", str(db), home=home)
        assert result.exit_code == 0, result.stderr
        return result

    invoke("demo")
    out: dict[str, Any] = {"db": db, "home": home, "results": {}, "files": {}}
    for fmt in FORMATS:
        path = folder / f"weekly.{fmt}"
        out["results"][fmt] = invoke("report", "--format", fmt, "-o", str(path))
        out["files"][fmt] = path.read_bytes()
    out["status"] = ok_json(invoke("status", "--json"))
    out["headline"] = ok_json(invoke("status", "--json", "--task", "0"))
    out["board"] = ok_json(invoke("board", "--json"))
    out["plan"] = ok_json(invoke("plan", "show", "--json"))
    return out


def digest_of(result: Any) -> str:
    found = DIGEST.findall(result.stderr)
    assert len(found) == 1, result.stderr
    return found[0]


def charted_tasks(demo: dict[str, Any]) -> set[int]:
    """The tasks with at least one target (a number to chart against)."""
    return {r["task"] for r in demo["status"]["rows"] if r["target"] is not None}


def task_key(n: int) -> str:
    return f"task{n}" if n else "headline"


def workbook(data: bytes) -> Any:
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(data))


def md_sections(text: str) -> list[tuple[str, str]]:
    """(heading without Markdown escapes, body) for every '## ' section, in order."""
    parts = re.split(r"^## (.*)$", text, flags=re.M)
    return [(parts[i].replace("\\", ""), parts[i + 1]) for i in range(1, len(parts), 2)]


def html_sections(text: str) -> list[tuple[str, str]]:
    """(id, body) for every <section>, in order."""
    return re.findall(r'<section class="sheet[^"]*" id="([^"]*)">(.*?)</section>', text, flags=re.S)


# --------------------------------------------------------------------------- every format


def test_the_demo_has_tasks_with_and_without_numeric_targets(demo) -> None:
    # the chart tests below mean something only if both kinds are there
    charted = charted_tasks(demo)
    assert 0 in charted
    assert charted < set(range(11))


@pytest.mark.parametrize("fmt", FORMATS)
def test_report_is_stamped_with_date_plan_and_digest(demo, fmt: str) -> None:
    result = demo["results"][fmt]
    assert result.stdout == ""  # -o: the document goes to the file only
    digest = digest_of(result)
    data = demo["files"][fmt]
    if fmt == "xlsx":
        wb = workbook(data)
        rows = [row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)]
        text = "\n".join(str(c) for row in rows for c in row if c is not None)
    else:
        text = data.decode("utf-8")
    assert AS_OF in text
    assert PLAN_ID in text
    assert digest in text


def test_the_digest_is_the_same_in_every_format(demo) -> None:
    assert len({digest_of(demo["results"][fmt]) for fmt in FORMATS}) == 1


# --------------------------------------------------------------------------- Markdown


def expected_headings(demo) -> list[str]:
    tasks = {t["number"]: t["name_en"] for t in demo["plan"]["tasks"]}
    return [
        f"0. {tasks[0]}",
        "Battle map",
        *(f"{n}. {tasks[n]}" for n in range(1, 11)),
        "Status changes",
        "Biggest movers",
        "Areas that reported nothing",
        "Not reported",
    ]


def test_markdown_sections_in_order(demo) -> None:
    text = demo["files"]["md"].decode("utf-8")
    assert text.startswith(f"# Weekly poverty-alleviation report — {AS_OF}")
    assert [h for h, _ in md_sections(text)] == expected_headings(demo)


def test_markdown_has_a_text_chart_per_task_with_targets(demo) -> None:
    text = demo["files"]["md"].decode("utf-8")
    sections = md_sections(text)
    charted = charted_tasks(demo)
    task_sections = [sections[0], *sections[2:12]]  # 0, then 1..10 (the board is second)
    for n, (heading, body) in enumerate(task_sections):
        assert heading.startswith(f"{n}. ")
        blocks = re.findall(r"^```text\n(.*?)^```$", body, flags=re.S | re.M)
        assert len(blocks) == (1 if n in charted else 0), heading
        if blocks:
            bars = [r for r in demo["status"]["rows"] if r["task"] == n and r["kind"] != "activity"]
            lines = blocks[0].splitlines()
            assert lines[0] == "Progress (bar) against the expected pace (line)"
            assert lines[1].startswith("# done  | expected by now  . to go")  # the key
            # one line per bar; a long label goes on over an indented line without a bar
            drawn = [line for line in lines[2:] if not line.startswith("  ")]
            assert len(drawn) == len(bars), heading
            for line in drawn:
                assert re.search(r"  [#.|]{40,41} +(?:[\d.,]+%|--)$", line), line
    for heading, body in [sections[1], *sections[12:]]:
        assert "```text" not in body, heading


# --------------------------------------------------------------------------- HTML


def test_html_sections_in_order(demo) -> None:
    text = demo["files"]["html"].decode("utf-8")
    sections = html_sections(text)
    assert [key for key, _ in sections] == KEYS
    headings = [re.search(r"<h2>(.*?)</h2>", body).group(1) for _, body in sections]
    assert headings == expected_headings(demo)


def test_html_is_self_contained(demo) -> None:
    text = demo["files"]["html"].decode("utf-8")
    lowered = text.lower()
    for banned in ("http://", "https://", "<script", "<link", "<img", "<iframe", "@import"):
        assert banned not in lowered, banned
    assert text.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in text


def test_html_prints_on_a4_landscape(demo) -> None:
    text = demo["files"]["html"].decode("utf-8")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4 landscape", text)


def test_html_has_one_inline_svg_per_task_with_targets(demo) -> None:
    text = demo["files"]["html"].decode("utf-8")
    charted = charted_tasks(demo)
    by_key = dict(html_sections(text))
    for n in range(11):
        assert by_key[task_key(n)].count("<svg") == (1 if n in charted else 0), n
    for key in ("board", "changes", "movers", "silent", "missing"):
        assert "<svg" not in by_key[key], key
    assert text.count("<svg") == len(charted)


def test_html_table_cells_hold_no_raw_markup(demo) -> None:
    text = demo["files"]["html"].decode("utf-8")
    cells = re.findall(r"<(td|th)(?:\s[^>]*)?>(.*?)</\1>", text, flags=re.S)
    assert len(cells) > 100
    for _, cell in cells:
        # the only markup inside a cell: a span keeping a date or range whole (nowrap)
        cell = re.sub(r'<span class="nw">([^<>]*)</span>', r"\1", cell)
        assert "<" not in cell and ">" not in cell, cell
        assert not re.search(r"&(?!amp;|lt;|gt;|quot;|#x27;)", cell), cell


def test_html_projections_stop_at_the_target_with_the_date_it_is_reached(demo) -> None:
    """The printed HTML gives a projection as the XLSX handout does: never beyond the target
    (status --json has some that are), and the date it is reached beside it."""
    text = demo["files"]["html"].decode("utf-8")
    headline = dict(html_sections(text))["headline"]
    head = re.findall(r"<th[^>]*>(.*?)</th>", headline)
    col = {h: i for i, h in enumerate(head)}
    assert "Forecast" in col and not any(h.startswith("Projected date") for h in head)
    headline = re.sub(r'<span class="nw">([^<>]*)</span>', r"\1", headline)
    rows = [
        re.findall(r"<td[^>]*>(.*?)</td>", tr) for tr in re.findall(r"<tr>(.*?)</tr>", headline)
    ]
    rows = [r for r in rows if r]
    beyond = [
        r for r in demo["headline"]["rows"]
        if r["projected"] is not None and r["target"] and r["projected"] > r["target"]
        and r["status"] != "done" and r["projected_date"]
    ]  # fmt: skip
    assert beyond, "the demo has no projection beyond its target to show"
    proj = next(h for h in head if h.startswith("Projected"))
    shown = {(r[col["Indicator"]], r[col["Scope"]]): r for r in rows}
    for r in beyond:
        cells = shown[(r["name_en"], r["scope_name_en"])]
        assert cells[col[proj]].replace(",", "") == str(r["target"]), cells
        assert cells[col["Forecast"]] == f"100% by {r['projected_date']}", cells


def test_html_escapes_names_with_markup(run, tmp_path: Path) -> None:
    """A plan whose names hold '&' and '<…>': every cell and chart label escapes them."""
    text = (HEADER + INDICATORS).replace('name_en = "Roads"', 'name_en = "Roads & <b>ridges"')
    text = text.replace('name_en = "North County"', 'name_en = "North & <i>County"')
    plan = tmp_path / "tiny.toml"
    plan.write_text(text, encoding="utf-8")
    db = str(tmp_path / "tiny.json")
    assert run("init", "--plan", str(plan), "--db", db).exit_code == 0
    rec(run, "roads", "3", "north", "2018-06-17", "--db", db)
    rec(run, "people", "40", "north", "2018-06-17", "--db", db)
    out = tmp_path / "tiny.html"
    result = run("report", "--format", "html", "-o", str(out), "--db", db)
    assert result.exit_code == 0, result.stderr
    html = out.read_text("utf-8")
    assert "<b>" not in html and "<i>" not in html
    assert "Roads &amp; &lt;b&gt;ridges" in html
    assert "North &amp; &lt;i&gt;County" in html
    cells = re.findall(r"<td[^>]*>(.*?)</td>", html, flags=re.S)
    assert "Roads &amp; &lt;b&gt;ridges" in cells
    assert "North &amp; &lt;i&gt;County" in cells
    labels = re.findall(r"<text[^>]*>(.*?)</text>", html, flags=re.S)
    assert any("North &amp; &lt;i&gt;County" in label for label in labels)


# --------------------------------------------------------------------------- XLSX


# The English workbook's worksheets: named in English, the week's changes on one sheet, the
# charts' data on a hidden last sheet.
XLSX_SHEETS = ["Headline goals", "Battle map", *(f"Task {n}" for n in range(1, 11))]
XLSX_SHEETS += ["Changes", "Not reported", "Chart data"]


def xlsx_sheet(wb: Any, n: int) -> Any:
    return wb["Headline goals" if n == 0 else f"Task {n}"]


def test_xlsx_sheets_in_order_with_charts(demo) -> None:
    wb = workbook(demo["files"]["xlsx"])
    assert wb.sheetnames == XLSX_SHEETS
    assert wb["Chart data"].sheet_state == "hidden"
    charted = charted_tasks(demo)
    for n in range(11):
        assert len(xlsx_sheet(wb, n)._charts) == (1 if n in charted else 0), n
    for name in ("Battle map", "Not reported", "Chart data"):
        assert len(wb[name]._charts) == 0, name
    assert len(wb["Changes"]._charts) == 1  # the biggest movers, before and after


def test_xlsx_prints_on_a4_landscape(demo) -> None:
    wb = workbook(demo["files"]["xlsx"])
    for ws in wb.worksheets:
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == "9", ws.title  # 9 is A4


def _header(ws: Any, *first: str) -> tuple[int, dict[str, int]]:
    """The table's header row (the first row whose first cell is one of ``first``) and
    heading -> column number."""
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value in first:
            r = row[0].row
            return r, {c.value: c.column for c in ws[r] if isinstance(c.value, str)}
    raise AssertionError(f"no header row starting {first!r} on {ws.title}")


def test_xlsx_headline_rows_equal_status_json_task_0(demo) -> None:
    from povtrack.output.notation import rounded

    ws = workbook(demo["files"]["xlsx"])["Headline goals"]
    top, col = _header(ws, "Indicator")
    rows = demo["headline"]["rows"]
    assert rows
    for i, r in enumerate(rows, start=top + 1):
        assert ws.cell(row=i, column=col["Indicator"]).value == r["name_en"]
        assert ws.cell(row=i, column=col["Scope"]).value == r["scope_name_en"]
        for key, head in (("target", "Target"), ("actual", "Actual")):
            cell = ws.cell(row=i, column=col[head])
            if r[key] is None:
                assert cell.value is None, (r["indicator"], r["scope"], key)
            else:  # a number cell, rounded to the row's unit as people read it
                assert isinstance(cell.value, int | float), (r["indicator"], key, cell.value)
                assert cell.value == rounded(r[key], r["unit"]), (r["indicator"], r["scope"])
        progress = ws.cell(row=i, column=col["Progress"])
        if r["progress"] is None:
            assert progress.value is None
        else:
            assert isinstance(progress.value, int | float)
            assert progress.value == pytest.approx(r["progress"], abs=0.0005)
            assert progress.number_format.endswith("%"), progress.number_format
    assert ws.cell(row=top + len(rows) + 1, column=col["Indicator"]).value is None  # no more


def test_xlsx_board_statuses_equal_board_json(demo) -> None:
    """One row per area or group, in board --json's order; each task's cell filled with the
    colour of its status (none where the area has no target there)."""
    from povtrack.output.notation import STATUS_COLOURS

    ws = workbook(demo["files"]["xlsx"])["Battle map"]
    top, col = _header(ws, "Scope", "Area")  # the board's first heading, older and newer
    name_col = min(col.values())
    tasks = sorted(c for c in col.values() if c != name_col)
    assert len(tasks) == 11  # the headline goals and the ten tasks, a cell each
    names = {r["scope"]: (r["name_en"], r["scope_kind"]) for r in demo["board"]["rows"]}
    for i, r in enumerate(demo["board"]["rows"], start=top + 1):
        shown = ws.cell(row=i, column=name_col).value
        assert shown.startswith(names[r["scope"]][0]), (shown, r["scope"])
        for n, j in enumerate(tasks):
            status = r["cells"][str(n)]["status"]
            cell = ws.cell(row=i, column=j)
            fill = cell.fill.fgColor.rgb if cell.fill.fill_type == "solid" else None
            want = None if status is None else STATUS_COLOURS[status]
            assert (fill or "")[-6:] == (want or ""), (r["scope"], n, status, fill)
            if status is not None:  # the colours tell the six statuses apart; a word says it
                assert isinstance(cell.value, str) and cell.value.strip(), (r["scope"], n)
            text = r["cells"][str(n)].get("text_en")
            if text is not None:  # board --json says what the cell shows
                assert cell.value == text, (r["scope"], n)


def test_xlsx_missing_sheet_lists_the_unreported_targets(demo) -> None:
    ws = workbook(demo["files"]["xlsx"])["Not reported"]
    top, col = _header(ws, "Task")
    want = [
        (r["name_en"], r["scope_name_en"])
        for r in demo["status"]["rows"]
        if r["status"] == "no_data"
    ]
    assert want
    got = [
        (
            ws.cell(row=i, column=col["Indicator"]).value,
            ws.cell(row=i, column=col["Scope"]).value,
        )
        for i in range(top + 1, top + 1 + len(want))
    ]
    assert got == want
    assert ws.cell(row=top + 1 + len(want), column=col["Indicator"]).value is None


# --------------------------------------------------------------------------- the digest


@pytest.fixture
def copy(demo, tmp_path: Path) -> str:
    """A copy of the demo database this test may write to."""
    path = tmp_path / "copy.json"
    shutil.copy(demo["db"], path)
    return str(path)


def report_digest(run, db: str, *args: str) -> str:
    result = run("report", "--format", "md", "--db", db, *args)
    assert result.exit_code == 0, result.stderr
    digest = digest_of(result)
    assert digest in result.stdout  # the document's digest is the one printed on stderr
    return digest


def test_digest_is_stable_for_the_same_data(run, demo, copy: str) -> None:
    first = report_digest(run, copy)
    assert report_digest(run, copy) == first
    assert report_digest(run, copy, "--as-of", AS_OF) == first  # the default is the newest entry
    assert report_digest(run, copy, "--lang", "zh") == first  # data, not labels
    assert first == digest_of(demo["results"]["md"])  # a copy of the same data


def test_digest_changes_with_one_more_record(run, copy: str) -> None:
    before = report_digest(run, copy, "--as-of", AS_OF)
    rec(run, "housing.dangerous_houses", "1", "yanggao", "2018-06-30", "--db", copy)
    assert report_digest(run, copy, "--as-of", AS_OF) != before


def test_digest_changes_with_a_record_on_the_as_of_date(run, copy: str) -> None:
    before = report_digest(run, copy, "--as-of", AS_OF)
    rec(run, "housing.dangerous_houses", "1", "yanggao", AS_OF, "--db", copy)
    assert report_digest(run, copy, "--as-of", AS_OF) != before


def test_entries_after_the_as_of_date_do_not_count(run, copy: str) -> None:
    before = report_digest(run, copy, "--as-of", AS_OF)
    rec(run, "housing.dangerous_houses", "99999", "yanggao", "2018-07-08", "--db", copy)
    assert report_digest(run, copy, "--as-of", AS_OF) == before
    # without --as-of the report moves to the new newest entry, and the digest with it
    assert report_digest(run, copy) != before


def test_digest_changes_with_an_allocation(run, copy: str) -> None:
    before = report_digest(run, copy, "--as-of", AS_OF)
    result = run(
        "target", "set", "housing.dangerous_houses", "1234", "--area", "阳高县", "--db", copy
    )
    assert result.exit_code == 0, result.stderr
    assert report_digest(run, copy, "--as-of", AS_OF) != before


# --------------------------------------------------------------------------- errors


def test_md_without_output_goes_to_stdout(run, demo) -> None:
    result = run("report", "--format", "md", "--db", str(demo["db"]))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.encode("utf-8") == demo["files"]["md"]
    assert digest_of(result) == digest_of(demo["results"]["md"])


def test_unknown_format_is_a_usage_error(run, demo, tmp_path: Path) -> None:
    out = tmp_path / "weekly.csv"
    result = run("report", "--format", "csv", "-o", str(out), "--db", str(demo["db"]))
    assert result.exit_code == 2
    assert "csv" in result.stderr
    assert not out.exists()


def test_xlsx_needs_an_output_file(run, demo) -> None:
    result = run("report", "--format", "xlsx", "--db", str(demo["db"]))
    assert result.exit_code == 2
    assert "-o" in result.stderr
    assert result.stdout == ""  # no binary on the terminal


def test_a_missing_database_is_exit_4(run, tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    result = run("report", "--format", "md", "-o", str(out), "--db", str(tmp_path / "none.json"))
    assert result.exit_code == 4
    assert "none.json" in result.stderr
    assert not out.exists()
    assert not (tmp_path / "none.json").exists()


def test_an_as_of_date_before_the_plan_is_a_usage_error(run, demo, tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    args = ("--as-of", "2017-01-01", "-o", str(out), "--db", str(demo["db"]))
    result = run("report", "--format", "md", *args)
    assert result.exit_code == 2
    assert "2017-01-01" in result.stderr
    assert not out.exists()

"""The printed battle map (povtrack.analysis.board.board_sheet) and its cells in `board --json`.

One short text per area and task (the status word and the figure that matters), coloured by the
status code the row holds beside it; the totals row, the legend in the sheet's language; the
CSV and XLSX cells equal to `--json`'s ``text`` / ``text_en``. The tiny plan and its worked
statuses are those of test_board.py.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from povtrack.analysis.board import (
    COLOUR_NAMES,
    NO_TARGET,
    board_cell_parts,
    board_json,
    board_sheet,
    make_board,
    status_word,
    task_short,
)
from povtrack.analysis.measure import STATUSES
from povtrack.analysis.status import default_as_of, status_rows
from tests.analysis.test_board import AS_OF, ENTRIES
from tests.helpers.cli import ok_json
from tests.helpers.progress import PLAN
from tests.helpers.readback import about


@pytest.fixture(scope="module")
def tiny():
    return make_board(PLAN, status_rows(PLAN, ENTRIES, [], AS_OF), AS_OF)


def _cell(board, scope: str, task: int):
    return next(r for r in board.rows if r.scope == scope).cells[task]


# The printed cells of the tiny board, worked out from the comments in test_board.py: the status
# word, and the figure on track, behind or overdue; a done, reported or no-data cell is its word
# alone.
TINY_TEXT = {
    ("metro", 1): ("滞后 40/50%", "behind 40/50%"),  # people 400 of 1000, expected 0.5
    ("metro", 2): ("滞后 20/33%", "behind 20/33%"),  # funds 0.2, expected 182/545
    ("north", 1): ("逾期 差150人", "overdue gap 150"),  # 100 of 250, past due
    ("north", 2): ("未报", "no data"),  # coverage and delisted unreported
    ("south", 1): ("完成", "done"),  # 300 of 250: no figure once done
    ("south", 2): ("完成", "done"),  # delisted 1
    ("east", 1): (NO_TARGET, NO_TARGET),
    ("east", 2): (NO_TARGET, NO_TARGET),
    ("pair", 1): ("正常 67/50%", "ok 67/50%"),  # 400 of 600
    ("pair", 2): ("未报", "no data"),  # roads
}


def test_cell_texts_are_the_word_and_the_figure(tiny) -> None:
    for (scope, task), (zh, en) in TINY_TEXT.items():
        cell = _cell(tiny, scope, task)
        assert board_cell_parts(cell, "zh").text() == zh, (scope, task)
        assert board_cell_parts(cell, "en").text() == en, (scope, task)


def test_sheet_has_the_names_and_one_coloured_column_per_task(tiny) -> None:
    for lang in ("zh", "en"):
        sheet = board_sheet(tiny, lang)
        assert [c.key for c in sheet.columns] == ["name", "task_1", "task_2"]
        assert [c.heading(lang) for c in sheet.columns][1:] == [
            f"{t.number} {task_short(t, lang)}" for t in tiny.tasks
        ]
        assert all(c.kind == "text" for c in sheet.columns)
        assert [c.status_from for c in sheet.columns] == ["", "task_1_status", "task_2_status"]
        assert [r["scope"] for r in sheet.rows] == [r.scope for r in tiny.rows]
        for row, board_row in zip(sheet.rows, tiny.rows, strict=True):
            for n, cell in board_row.cells.items():
                assert row[f"task_{n}_status"] == cell.status  # the code, None: no target
                assert row[f"task_{n}"] == TINY_TEXT[(board_row.scope, n)][lang == "en"]
        assert sheet.one_page
    zh, en = board_sheet(tiny, "zh"), board_sheet(tiny, "en")
    assert zh.rows[4]["name"] == "两县 (合计)"
    assert en.rows[0]["name"] == tiny.rows[0].name_en


def test_totals_count_the_areas_not_the_groups(tiny) -> None:
    # metro, north, south and east (not the pair): task 1 metro behind, north overdue, south
    # done, east none; task 2 metro behind, north no data, south done (delisted), east none
    assert board_sheet(tiny, "zh").total == {
        "task_1": "逾期1 滞后1 完成1",
        "task_2": "滞后1 完成1 未报1",
    }
    assert board_sheet(tiny, "en").total == {
        "task_1": "overdue 1, behind 1, done 1",
        "task_2": "behind 1, done 1, no data 1",
    }


def test_legend_in_the_sheet_language(tiny) -> None:
    zh, en = board_sheet(tiny, "zh").legend, board_sheet(tiny, "en").legend
    assert zh and en
    assert not re.search(r"[A-Za-z]", "".join(zh))  # only figures and CJK in Chinese
    assert not re.search(r"[\u4e00-\u9fff]", "".join(en))
    for status in STATUSES:  # every word a cell can show is explained
        assert status_word(status, "zh") in "".join(zh)
        assert status_word(status, "en") in "".join(en)
    for text in ("42/60%", "差331户", NO_TARGET, "合计", tiny.as_of.isoformat()):
        assert text in "".join(zh)
    for text in ("42/60%", "gap 331", NO_TARGET, "Total"):
        assert text in "".join(en)


def _hue(code: str) -> str:
    """The colour family of an RRGGBB fill, by its channels."""
    r, g, b = (int(code[i : i + 2], 16) for i in (0, 2, 4))
    if max(r, g, b) - min(r, g, b) < 16:
        return "grey"
    if b > r and b > g:
        return "blue"
    if r > g and r - g > 96:
        return "red"
    if r > g:
        return "amber"
    return "light green" if min(r, g, b) > 180 else "green"


def test_legend_colours_name_the_fills() -> None:
    notation = pytest.importorskip("povtrack.output.notation")
    assert set(COLOUR_NAMES) == set(STATUSES)
    for status, (_, en) in COLOUR_NAMES.items():
        assert _hue(notation.STATUS_COLOURS[status]) == en, status


def test_json_text_is_the_printed_cell_in_both_languages(tiny) -> None:
    data = board_json(tiny)
    for row in data["rows"]:  # whatever --lang says: the JSON does not depend on it
        for n, cell in row["cells"].items():
            assert (cell["text"], cell["text_en"]) == TINY_TEXT[(row["scope"], int(n))]


# ---------------------------------------------------------------------------- exports of the demo


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    from povtrack.actions.writes import build_demo

    path = tmp_path_factory.mktemp("demo") / "demo.json"
    store, _ = build_demo(path, protect=[], lock_timeout=5)
    entries = store.entries()
    when = default_as_of(store.plan, entries)
    rows = status_rows(store.plan, entries, store.allocations(), when)
    return path, store.plan, make_board(store.plan, rows, when)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_every_cell_is_coloured_by_a_status_code_in_its_row(demo, lang: str) -> None:
    _, plan, board = demo
    sheet = board_sheet(board, lang)
    assert len(sheet.columns) == 1 + len(plan.tasks)  # the names and one column per task
    assert sheet.one_page and sheet.legend
    for row in sheet.rows:
        for column in sheet.columns[1:]:
            code, text = row[column.status_from], row[column.key]
            assert code is None or code in STATUSES
            assert (code is None) == (text == NO_TARGET), (row["scope"], column.key)
            assert code is None or text.startswith(status_word(code, lang)), text
            if lang == "zh":
                assert NOT_ENGLISH.match(text), text
            else:
                assert not re.search(r"[\u4e00-\u9fff]", text), text


def _csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))


def _label(row: dict, lang: str) -> str:
    """A JSON row's name as the export shows it (a group in total marked so)."""
    name = row["name"] if lang == "zh" else row["name_en"]
    if row["scope_kind"] == "group":
        return f"{name} ({'合计' if lang == 'zh' else 'total'})"
    return name


# What a Chinese cell may hold besides CJK: the figures, their signs and "—".
NOT_ENGLISH = re.compile(r"^[^A-Za-z]*$")


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_shows_the_same_cells_as_json(run, demo, lang: str) -> None:
    pytest.importorskip("povtrack.output.files")
    path, plan, _ = demo
    data = ok_json(run("--db", str(path), "board", "--json"))
    result = run("--db", str(path), "board", "--format", "csv", "--lang", lang)
    assert result.exit_code == 0, result.stderr
    lines = _csv_rows(result.stdout_bytes)
    heads = list(lines[0])
    assert heads[1:] == [f"{t.number} {task_short(t, lang)}" for t in plan.tasks]
    assert [ln[heads[0]] for ln in lines] == [_label(r, lang) for r in data["rows"]]
    key = "text" if lang == "zh" else "text_en"
    for row, line in zip(data["rows"], lines, strict=True):
        assert [line[h] for h in heads[1:]] == [c[key] for c in row["cells"].values()]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_xlsx_cells_are_the_json_text(run, demo, tmp_path: Path, lang: str) -> None:
    pytest.importorskip("povtrack.output.files")
    openpyxl = pytest.importorskip("openpyxl")
    path, plan, _ = demo
    data = ok_json(run("--db", str(path), "board", "--json"))
    out = tmp_path / "board.xlsx"
    result = run("--db", str(path), "board", "-o", str(out), "--lang", lang)
    assert result.exit_code == 0, result.stderr
    sheet = openpyxl.load_workbook(out).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    head = [f"{t.number} {task_short(t, lang)}" for t in plan.tasks]
    assert list(rows[0][1:]) == head  # the header is row 1, one column per task
    assert len(rows[0]) == 1 + len(plan.tasks)
    key = "text" if lang == "zh" else "text_en"
    body = rows[1:]
    assert len(body) == len(data["rows"])  # nothing but the rows in the data range
    for row, got in zip(data["rows"], body, strict=True):
        assert got[0] == _label(row, lang)
        cells = [c[key] for c in row["cells"].values()]
        assert list(got[1:12]) == cells, row["scope"]
        if lang == "zh":
            assert all(NOT_ENGLISH.match(t) for t in cells), cells
    # the total row is on the About (说明) sheet, heading by heading
    total = about(out, lang)["board"]["total"]
    assert set(total) == set(head)  # a count under every task's heading
    # per task, the statuses of the areas (the city included, not the groups) counted
    areas = [r for r in data["rows"] if r["scope_kind"] == "area"]
    for n in range(len(plan.tasks)):
        statuses = [r["cells"][str(n)]["status"] for r in areas]
        for status in set(statuses) - {None}:
            word = status_word(status, lang)
            want = (
                f"{word}{statuses.count(status)}"
                if lang == "zh"
                else f"{word} {statuses.count(status)}"
            )
            assert want in total[head[n]], (n, total[head[n]])

"""`povtrack template`: the workbook (or CSV) a county fills in for a week, and its way back in.

The round trip of issue 13's "Done when": a county template written, filled with openpyxl as a
clerk would (only the input and note cells), imported, counted once, shown in `status --json`;
an edited locked cell and a template of another plan refused with one line, nothing written.
Also: which rows (the rule `missing` uses), what is locked and validated, the stamp, empty rows
never read as 0, a note without a value, a template filled again (its later values win), the
inbox, `--all`, the CSV template read by the ordinary returns reader, and the usage errors.

Expected rows, values and messages are written out by hand from the bundled plan.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from povtrack.planfile import bundled_text

ID_COL, INPUT_COL, NOTE_COL, FIRST_ROW = 4, 9, 10, 4


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def write_template(run, tmp_path: Path, *extra: str, name: str = "t.xlsx") -> Path:
    out = tmp_path / name
    ok(run("template", "--area", "天镇县", "--week", "2018-W26", "-o", str(out), *extra))
    return out


def fill(path: Path, values: dict[str, tuple[Any, Any]], to: Path) -> Path:
    """Type values (and notes) into the input cells of the rows of these indicators, as a clerk
    would, with openpyxl; save as ``to``."""
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    rows = {ws.cell(r, ID_COL).value: r for r in range(FIRST_ROW, ws.max_row + 1)}
    for ind, (value, note) in values.items():
        ws.cell(rows[ind], INPUT_COL).value = value
        ws.cell(rows[ind], NOTE_COL).value = note
    wb.save(to)
    return to


def entries(run) -> list[dict[str, Any]]:
    return json.loads(ok(run("log", "--json")).stdout)["entries"]


def db_bytes(db_path: Path) -> bytes:
    return db_path.read_bytes()


# ---------------------------------------------------------------------------- the round trip


def test_a_county_template_round_trips(run, initialised, tmp_path: Path) -> None:
    blank = write_template(run, tmp_path)
    filled = fill(
        blank,
        {
            "ecology.afforestation": (5200.5, "第26周"),
            "housing.relocation_works_completion": (45, None),
        },
        tmp_path / "天镇县-filled.xlsx",
    )
    first = ok(run("import", str(filled)))
    assert "imported 2 entries" in first.stderr
    again = ok(run("import", str(filled)))  # the same file: the duplicate rule applies
    assert "already imported" in again.stderr
    assert "nothing new to import" in again.stderr
    got = sorted(
        (e["indicator"], e["area"], e["date"], e["value"], e["note"]) for e in entries(run)
    )
    assert got == [
        ("ecology.afforestation", "tianzhen", "2018-07-01", 5200.5, "第26周"),
        ("housing.relocation_works_completion", "tianzhen", "2018-07-01", 45, ""),
    ]
    status = json.loads(ok(run("status", "--json", "--area", "天镇县")).stdout)
    rate = [r for r in status["rows"] if r["indicator"] == "housing.relocation_works_completion"]
    assert [(r["scope"], r["actual"], r["target"]) for r in rate] == [("tianzhen", 45, 80)]


def test_rows_left_empty_are_not_reported(run, initialised, tmp_path: Path) -> None:
    filled = fill(
        write_template(run, tmp_path), {"industry.workshop": (0, None)}, tmp_path / "f.xlsx"
    )
    ok(run("import", str(filled)))
    # one entry: the 0 typed; the seven rows left empty are not reported, never 0
    assert [(e["indicator"], e["value"]) for e in entries(run)] == [("industry.workshop", 0)]


def test_a_template_filled_again_is_a_new_return_and_its_later_values_win(
    run, initialised, tmp_path: Path
) -> None:
    blank = write_template(run, tmp_path)
    ok(run("import", str(fill(blank, {"industry.workshop": (1, None)}, tmp_path / "a.xlsx"))))
    second = fill(blank, {"industry.workshop": (2, "更正")}, tmp_path / "b.xlsx")
    result = ok(run("import", str(second)))
    assert "imported 1 entries" in result.stderr
    status = json.loads(ok(run("status", "--json", "--area", "tianzhen")).stdout)
    row = next(r for r in status["rows"] if r["indicator"] == "industry.workshop")
    assert (row["actual"], row["target"]) == (2, 1)


def test_the_inbox_takes_a_filled_template(run, initialised, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    fill(write_template(run, tmp_path), {"industry.workshop": (1, None)}, inbox / "tianzhen.xlsx")
    result = run("inbox", str(inbox), "--settle", "0", "--json")
    assert result.exit_code == 0, result.stderr
    files = json.loads(result.stdout)["files"]
    assert [(f["file"], f["status"]) for f in files] == [("tianzhen.xlsx", "imported")]
    assert [(e["indicator"], e["area"], e["value"]) for e in entries(run)] == [
        ("industry.workshop", "tianzhen", 1)
    ]


# ---------------------------------------------------------------------------- refused whole


def refused(run, db_path: Path, path: Path) -> str:
    """Import ``path``: exit 2, the database unchanged; the one line that says why."""
    before = db_bytes(db_path)
    result = run("import", str(path))
    assert result.exit_code == 2, result.stderr
    assert db_bytes(db_path) == before
    lines = result.stderr.strip().splitlines()
    assert lines[0] == "error: import refused, nothing written: 1 problem(s)"
    assert len(lines) == 2, lines
    return lines[1]


def test_an_edited_indicator_id_is_refused(run, initialised, db_path: Path, tmp_path: Path) -> None:
    path = fill(
        write_template(run, tmp_path), {"industry.workshop": (1, None)}, tmp_path / "e.xlsx"
    )
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0].cell(5, ID_COL).value = "industry.tourism_project"  # row 5: industry.workshop
    wb.save(path)
    line = refused(run, db_path, path)
    assert line.startswith(f"error: {path}: the template's locked cells were changed: D5 was ")
    assert "D5 was industry.workshop, now 'industry.tourism_project'" in line
    assert "povtrack template --area tianzhen --week 2018-W26" in line


@pytest.mark.parametrize(
    ("cell", "value"),
    [("E4", 2), ("B6", "旅游项目（改）"), ("A1", "另一个标题"), ("L9", "a stray note")],
    ids=["target", "name", "title", "outside-the-table"],
)
def test_any_edited_locked_cell_is_refused(
    run, initialised, db_path: Path, tmp_path: Path, cell: str, value: Any
) -> None:
    path = fill(
        write_template(run, tmp_path), {"industry.workshop": (1, None)}, tmp_path / "e.xlsx"
    )
    wb = openpyxl.load_workbook(path)
    wb.worksheets[0][cell].value = value
    wb.save(path)
    line = refused(run, db_path, path)
    assert "the template's locked cells were changed; only the yellow input and note" in line


def _other_plan(tmp_path: Path, text: str) -> Path:
    plan = tmp_path / "other.toml"
    plan.write_text(text, encoding="utf-8")
    return plan


def test_a_template_of_another_plan_is_refused(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    path = fill(
        write_template(run, tmp_path), {"industry.workshop": (1, None)}, tmp_path / "f.xlsx"
    )
    other = _other_plan(
        tmp_path, bundled_text().replace('id = "datong-2018"', 'id = "datong-2019"', 1)
    )
    other_db = tmp_path / "other.json"
    ok(run("--db", str(other_db), "init", "--plan", str(other)))
    before = other_db.read_bytes()
    result = run("--db", str(other_db), "import", str(path))
    assert result.exit_code == 2
    assert other_db.read_bytes() == before
    assert result.stderr.strip().splitlines()[1:] == [
        f"error: {path}: a template for plan datong-2018, not this database's plan datong-2019; "
        "fill in a template written from this database (povtrack template --area tianzhen "
        "--week 2018-W26)"
    ]


def test_a_template_of_another_version_of_the_plan_is_refused(run, tmp_path: Path) -> None:
    """The same plan id, another plan text: the plan digest tells them apart."""
    first_db, second_db = tmp_path / "a.json", tmp_path / "b.json"
    ok(run("--db", str(first_db), "init"))
    edited = _other_plan(tmp_path, bundled_text() + "\n# a comment: another version\n")
    ok(run("--db", str(second_db), "init", "--plan", str(edited)))
    out = tmp_path / "t.xlsx"
    ok(
        run(
            "--db",
            str(first_db),
            "template",
            "--area",
            "天镇县",
            "--week",
            "2018-W26",
            "-o",
            str(out),
        )
    )
    path = fill(out, {"industry.workshop": (1, None)}, tmp_path / "f.xlsx")
    result = run("--db", str(second_db), "import", str(path))
    assert result.exit_code == 2
    assert "a template for another version of plan datong-2018 (its plan digest differs)" in (
        result.stderr
    )


def test_a_template_with_nothing_filled_in_is_refused(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    line = refused(run, db_path, write_template(run, tmp_path))
    assert line.endswith(
        "the template for Tianzhen County, 2018-W26 has no value filled in (nothing to import)"
    )


def test_a_note_without_a_value_is_a_problem_of_its_row(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    path = fill(
        write_template(run, tmp_path), {"industry.workshop": (None, "下周报")}, tmp_path / "n.xlsx"
    )
    line = refused(run, db_path, path)
    assert line == (
        f"error: {path}:5:10: a note without a value: fill in I5, or clear the note "
        "(a value not reported is left out, never taken as 0)"
    )


def test_a_bad_value_is_reported_at_its_cell(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    path = fill(
        write_template(run, tmp_path),
        {"industry.workshop": (1.5, None), "housing.relocation_works_completion": (120, None)},
        tmp_path / "v.xlsx",
    )
    result = run("import", str(path))
    assert result.exit_code == 2
    assert f"{path}:5:9: value 1.5 must be a whole number of projects" in result.stderr
    assert f"{path}:7:9: value 120 is a rate above 100 (percent)" in result.stderr


def test_chinese_messages(run, initialised, db_path: Path, tmp_path: Path) -> None:
    path = write_template(run, tmp_path)
    result = run("--lang", "zh", "import", str(path))
    assert result.exit_code == 2
    assert "天镇县 2018-W26 的填报模板没有填写任何数值（没有可导入的）" in result.stderr
    wrote = run(
        "--lang", "zh", "template", "--area", "天镇县", "--week", "2018-W26", "-o", str(path)
    )
    assert f"已写出 {path}：天镇县 2018-W26，8 项指标" in wrote.stderr

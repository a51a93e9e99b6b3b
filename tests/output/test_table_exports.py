"""The table exports read back as programs read them: ``status``, ``board``, ``trend``, ``diff``,
``log`` and ``check`` with ``--format xlsx`` on the demo database, each data sheet through
``pandas.read_excel`` compared with the command's ``--json`` rows — the same rows in the same
order, every column the JSON field its Sheet column names (translated columns through the
labels of ``povtrack.i18n.LABELS``, the units' names and the JSON's own name fields), dates as
dates, shares as fractions, blanks as blanks — and nothing else in the sheet. The title, notes
and total row are on the About sheet; one test shows that a junk row would be caught.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from povtrack.i18n import LABELS
from povtrack.model import UNITS
from tests.helpers.built import prepared_database
from tests.helpers.cli import DANGEROUS, ok_json
from tests.helpers.readback import ABOUT, about, expect, frames, same


def _demo(run, folder: Path) -> None:
    # the demo will not write over the configured database: made beside it, then moved in
    result = run("demo", "--db", str(folder / "demo.json"))
    assert result.exit_code == 0, result.stderr
    (folder / "demo.json").rename(folder / "db.json")


demo_db = prepared_database("readback-demo", _demo)

LANGS = ("zh", "en")
PICK = {"zh": 0, "en": 1}
SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning")}  # check's words


def _label(prefix: str) -> Callable[[Any, str], Any]:
    def get(code: Any, lang: str) -> Any:
        return None if code is None else LABELS[f"{prefix}.{code}"][PICK[lang]]

    return get


def _unit(code: Any, lang: str) -> Any:
    return (UNITS[code].name, UNITS[code].name_en)[PICK[lang]]


# Each command's columns in order, as its Sheet declares them: the JSON field (a string), or
# (field, translation) for a translated column, or a function of the row and the names.
Spec = list[Any]
STATUS: Spec = [
    "task",
    "indicator",
    lambda r, lang, n: r["name" if lang == "zh" else "name_en"],
    "scope",
    lambda r, lang, n: r["scope_name" if lang == "zh" else "scope_name_en"],
    ("unit", _unit),
    "target",
    "actual",
    "progress",
    "expected",
    ("status", _label("status")),
    "due",
    ("level", _label("level")),
    "gap",
    "needed_per_week",
    "recent_per_week",
    "projected",
    "projected_date",
]
TREND: Spec = [
    "week",
    "date",
    "value",
    "change",
    lambda r, lang, n: LABELS["status." + ("reported" if r["reported"] else "no_data")][PICK[lang]],
]
_DIFF_ABOUT: Spec = [
    "task",
    "indicator",
    lambda r, lang, n: r["name" if lang == "zh" else "name_en"],
    "scope",
    lambda r, lang, n: r["scope_name" if lang == "zh" else "scope_name_en"],
]
CHANGES: Spec = [
    *_DIFF_ABOUT,
    ("old_status", _label("status")),
    ("new_status", _label("status")),
    "old_actual",
    "new_actual",
    "unit",
]
MOVERS: Spec = [
    *_DIFF_ABOUT,
    "old_progress",
    "new_progress",
    "progress_change",
    "old_actual",
    "new_actual",
    "actual_change",
    "unit",
    ("status", _label("status")),
]
SILENT: Spec = [
    "area",
    lambda r, lang, n: r["name" if lang == "zh" else "name_en"],
    "last_reported",
    "previous_indicators",
]
LOG: Spec = [
    lambda r, lang, n: str(r["id"]),  # an id, written as text
    "date",
    "area",
    lambda r, lang, n: n["scope"][r["area"]][PICK[lang]],
    "indicator",
    lambda r, lang, n: n["indicator"][r["indicator"]][PICK[lang]],
    "value",
    lambda r, lang, n: _unit(n["unit"][r["indicator"]], lang),
    "note",
    "source",
    "recorded_at",
    "by",
    "batch",
]
CHECK: Spec = [
    lambda r, lang, n: SEVERITY[r["severity"]][PICK[lang]],
    "rule",
    "task",
    "area",
    lambda r, lang, n: None if r["area"] is None else n["scope"][r["area"]][PICK[lang]],
    "indicator",
    lambda r, lang, n: (
        None if r["indicator"] is None else n["indicator"][r["indicator"]][PICK[lang]]
    ),
    "date",
    "value",
    "expected",
    "explanation",
    lambda r, lang, n: " ".join(str(i) for i in r["entries"]),
]


def _expected(spec: Spec, row: dict[str, Any], lang: str, names: dict[str, Any]) -> list[Any]:
    out = []
    for how in spec:
        if isinstance(how, str):
            out.append(expect(row[how]))
        elif isinstance(how, tuple):
            field, translate = how
            out.append(expect(translate(row[field], lang)))
        else:
            out.append(expect(how(row, lang, names)))
    return out


def _compare(frame: Any, spec: Spec, rows: list[dict[str, Any]], lang: str, names: Any) -> None:
    """The frame holds exactly the JSON rows, in order, column by column."""
    assert len(frame.columns) == len(spec), list(frame.columns)
    assert len(frame) == len(rows)
    for i, row in enumerate(rows):
        got = list(frame.iloc[i])
        want = _expected(spec, row, lang, names)
        for j, (g, w) in enumerate(zip(got, want, strict=True)):
            assert same(g, w), (i, frame.columns[j], g, w)


def _names(run, db: Path) -> dict[str, Any]:
    """Names the exports show beside ids, from other commands' JSON (not the code that
    writes the sheets): scope -> (zh, en) from ``status``, indicator -> (zh, en) and its unit
    from ``plan show``."""
    rows = ok_json(run("--db", str(db), "status", "--json"))["rows"]
    indicators = ok_json(run("--db", str(db), "plan", "show", "--json"))["indicators"]
    return {
        "scope": {r["scope"]: (r["scope_name"], r["scope_name_en"]) for r in rows},
        "indicator": {i["id"]: (i["name"], i["name_en"]) for i in indicators},
        "unit": {i["id"]: i["unit"] for i in indicators},
    }


def _export(run, db: Path, tmp_path: Path, lang: str, *args: str) -> tuple[Any, Path]:
    data = ok_json(run("--db", str(db), "--lang", lang, *args, "--json"))
    path = tmp_path / f"{args[0]}-{lang}.xlsx"
    result = run("--db", str(db), "--lang", lang, *args, "--format", "xlsx", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    return data, path


def _data_frames(path: Path, lang: str, count: int) -> list[Any]:
    """The data sheets, each also read as the first sheet is (``sheet_name=0``), then the
    About sheet last."""
    import pandas as pd

    sheets = frames(path)
    assert list(sheets)[-1] == ABOUT[lang]
    assert len(sheets) == count + 1
    first = pd.read_excel(path, sheet_name=0)
    assert first.equals(next(iter(sheets.values())))
    return list(sheets.values())[:count]


CASES: dict[str, tuple[tuple[str, ...], list[tuple[str, Spec]]]] = {
    "status": (("status",), [("rows", STATUS)]),
    "trend": (("trend", DANGEROUS), [("weeks", TREND)]),
    "diff": (
        ("diff",),
        [("status_changes", CHANGES), ("movers", MOVERS), ("silent_areas", SILENT)],
    ),
    "log": (("log", "--limit", "400"), [("entries", LOG)]),
    # warnings only in the demo: exit 0 with --fail-on error, and the findings are written
    "check": (("check", "--fail-on", "error"), [("findings", CHECK)]),
}


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("command", list(CASES))
def test_table_export_reads_back_as_the_json_rows(
    run, demo_db: Path, tmp_path: Path, command: str, lang: str
) -> None:
    args, parts = CASES[command]
    data, path = _export(run, demo_db, tmp_path, lang, *args)
    names = _names(run, demo_db) if command in ("log", "check") else {}
    for frame, (field, spec) in zip(_data_frames(path, lang, len(parts)), parts, strict=True):
        assert data[field], f"{command}: the demo has no {field} to compare"
        _compare(frame, spec, data[field], lang, names)


def _board_expected(row: dict[str, Any], lang: str) -> list:
    """A board row as the export shows it: the scope's name (a group marked as in total), then
    per task its cell's text in the sheet's language (``text`` / ``text_en`` of the JSON)."""
    name = row["name"] if lang == "zh" else row["name_en"]
    if row["scope_kind"] == "group":
        name = f"{name} ({'合计' if lang == 'zh' else 'total'})"
    key = "text" if lang == "zh" else "text_en"
    return [name, *(expect(cell[key]) for cell in row["cells"].values())]


@pytest.mark.parametrize("lang", LANGS)
def test_board_export_reads_back_as_the_json_rows(
    run, demo_db: Path, tmp_path: Path, lang: str
) -> None:
    data, path = _export(run, demo_db, tmp_path, lang, "board")
    (frame,) = _data_frames(path, lang, 1)
    assert len(frame) == len(data["rows"])  # no total row among the data
    for i, row in enumerate(data["rows"]):
        want = _board_expected(row, lang)
        assert len(want) == len(frame.columns)
        for j, (g, w) in enumerate(zip(list(frame.iloc[i]), want, strict=True)):
            assert same(g, w), (row["scope"], frame.columns[j], g, w)
    # the total row is on the About sheet, under the table's headings
    total = about(path, lang)["board"]["total"]
    assert total and set(total) <= set(frame.columns)


def test_a_junk_row_in_the_data_range_is_caught(run, demo_db: Path, tmp_path: Path) -> None:
    # what the exports did before: the title below the table, after a blank row
    data, path = _export(run, demo_db, tmp_path, "en", "status")
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    ws.cell(row=ws.max_row + 2, column=1, value="Datong — status")
    junk = tmp_path / "junk.xlsx"
    wb.save(junk)
    (frame,) = _data_frames(junk, "en", 1)
    with pytest.raises(AssertionError):
        _compare(frame, STATUS, data["rows"], "en", {})
    # and a row moved out of order
    (good,) = _data_frames(path, "en", 1)
    swapped = [data["rows"][1], data["rows"][0], *data["rows"][2:]]
    with pytest.raises(AssertionError):
        _compare(good, STATUS, swapped, "en", {})


@pytest.mark.parametrize("command", ["status", "board", "check"])
def test_the_data_range_is_the_table_and_nothing_else(
    run, demo_db: Path, tmp_path: Path, command: str
) -> None:
    extra = ("--fail-on", "error") if command == "check" else ()
    data, path = _export(run, demo_db, tmp_path, "zh", command, *extra)
    rows = data["findings" if command == "check" else "rows"]
    wb = openpyxl.load_workbook(io.BytesIO(path.read_bytes()))
    ws = wb.worksheets[0]
    assert ws.dimensions.startswith("A1:")
    assert ws.max_row == 1 + len(rows)
    (table,) = ws.tables.values()
    assert table.ref == ws.dimensions
    heads = [c.value for c in ws[1]]
    assert len(set(heads)) == len(heads) and all(isinstance(h, str) for h in heads)
    assert [c.name for c in table.tableColumns] == heads
    # what is not data is in the page header and the properties
    header = ws.oddHeader.left.text + ws.oddHeader.right.text
    assert data["as_of"] in header
    assert wb.properties.title and wb.properties.title in ws.oddHeader.left.text
    pages = ws.oddFooter.right.text or ws.oddHeader.center.text  # the header's with a legend
    assert "&P" in pages and "&N" in pages

"""The weekly report's XLSX as a handout, read from the files themselves (openpyxl): page setup,
the hidden chart data, the chart below its table, fonts and widths that print at 8 pt or more,
figures rounded to their unit, projections never beyond the target, and every word in the
report's language. The printed pages themselves: tests/output/test_report_print.py.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from povtrack.cli import app
from povtrack.output.notation import rounded
from povtrack.output.xlsx_print import PRINT_W, UNIT_PT
from tests.helpers.cli import ok_json

LANGS = ("zh", "en")
HEADINGS = {
    "zh": ("指标", "范围", "预计", "到期预计"),
    "en": ("Indicator", "Scope", "Forecast", "Projected"),
}


def _invoke(home: Path, db: Path, *args: str) -> Any:
    env = {"POVTRACK_LANG": "en", "XDG_DATA_HOME": str(home), "COLUMNS": None}
    result = CliRunner().invoke(app, [*args, "--db", str(db)], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def made(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo database, its XLSX report in each language, and status --json."""
    from openpyxl import load_workbook

    folder = tmp_path_factory.mktemp("report-xlsx")
    db, home = folder / "demo.json", folder / "xdg"
    _invoke(home, db, "demo")
    out: dict[str, Any] = {"folder": folder}
    for lang in LANGS:
        path = folder / f"weekly-{lang}.xlsx"
        _invoke(home, db, "report", "--format", "xlsx", "--lang", lang, "-o", str(path))
        out[lang] = load_workbook(io.BytesIO(path.read_bytes()))
    out["status"] = ok_json(_invoke(home, db, "status", "--json"))
    return out


def visible(wb: Any) -> list[Any]:
    return [ws for ws in wb.worksheets if ws.sheet_state == "visible"]


def header_row(ws: Any, first: str) -> int | None:
    for row in ws.iter_rows(min_col=1, max_col=1):
        if row[0].value == first:
            return int(row[0].row)
    return None


def columns(ws: Any, row: int) -> dict[str, int]:
    return {c.value: c.column for c in ws[row] if isinstance(c.value, str)}


def task_sheet(wb: Any, lang: str, n: int) -> Any:
    names = {"zh": ("总体目标", "任务{}"), "en": ("Headline goals", "Task {}")}[lang]
    return wb[names[0] if n == 0 else names[1].format(n)]


def area_columns(ws: Any) -> int:
    """How many columns the print area spans (it starts at A1)."""
    from openpyxl.utils import column_index_from_string

    found = re.fullmatch(r".*!\$A\$1:\$([A-Z]+)\$\d+", str(ws.print_area))
    assert found, (ws.title, ws.print_area)
    return column_index_from_string(found.group(1))


def scale_of(ws: Any) -> float:
    if ws.sheet_properties.pageSetUpPr.fitToPage:
        return 0.8  # fitted by the printer: the print tests measure it
    return (ws.page_setup.scale or 100) / 100


# --------------------------------------------------------------------------- the page


@pytest.mark.parametrize("lang", LANGS)
def test_every_sheet_prints_on_a4_landscape_with_titles_area_and_footer(made, lang) -> None:
    for ws in visible(made[lang]):
        assert ws.page_setup.orientation == "landscape", ws.title
        assert str(ws.page_setup.paperSize) == "9", ws.title  # A4
        assert area_columns(ws) >= 3, ws.title
        footer = ws.oddFooter
        assert "&P" in footer.center.text and "&N" in footer.center.text, ws.title
        assert "2018-07-01" in footer.left.text, ws.title
        if ws.sheet_properties.pageSetUpPr.fitToPage:  # only the board: one page
            assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1), ws.title
        else:
            assert 80 <= int(ws.page_setup.scale) <= 100, ws.title
        if ws.title in ("变化", "Changes"):  # three tables, each under its own header
            assert ws.print_title_rows is None
            continue
        assert ws.print_title_rows, ws.title  # the header row repeats on every page
        first = int(ws.print_title_rows.split(":")[0].lstrip("$"))
        assert ws.cell(row=first, column=1).value, ws.title  # ... and it is a header row
        assert first > 2  # below the title block


@pytest.mark.parametrize("lang", LANGS)
def test_the_board_fits_one_page(made, lang) -> None:
    ws = made[lang][("挂图作战", "Battle map")[LANGS.index(lang)]]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 1)


@pytest.mark.parametrize("lang", LANGS)
def test_the_columns_fit_the_page_width_at_the_print_scale(made, lang) -> None:
    for ws in visible(made[lang]):
        if ws.sheet_properties.pageSetUpPr.fitToPage:
            continue
        from openpyxl.utils import get_column_letter

        widths = [
            ws.column_dimensions[get_column_letter(j)].width for j in range(1, area_columns(ws) + 1)
        ]
        printed = sum(widths) * UNIT_PT * scale_of(ws)
        assert printed <= PRINT_W + 1, (ws.title, printed)
        assert all(w >= 4 for w in widths), (ws.title, widths)


@pytest.mark.parametrize("lang", LANGS)
def test_no_text_is_set_to_print_below_8_pt(made, lang) -> None:
    wb = made[lang]
    for ws in visible(wb):
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                assert cell.font.name == "Arial", (ws.title, cell.coordinate)
                assert cell.font.sz * scale_of(ws) >= 8, (ws.title, cell.coordinate, cell.font.sz)
        for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
            assert part.size * scale_of(ws) >= 8, ws.title


# --------------------------------------------------------------------------- the chart


@pytest.mark.parametrize("lang", LANGS)
def test_chart_data_sit_on_a_hidden_sheet_and_nothing_beside_the_tables(made, lang) -> None:
    wb = made[lang]
    data = wb[("图表数据", "Chart data")[LANGS.index(lang)]]
    assert data.sheet_state == "hidden"
    assert wb.sheetnames[-1] == data.title
    charts = [(ws, chart) for ws in visible(wb) for chart in ws._charts]
    assert charts
    for ws, chart in charts:
        for series in chart.series:
            assert data.title in series.val.numRef.f, (ws.title, series.val.numRef.f)
            labels = series.cat.strRef or series.cat.numRef
            assert data.title in labels.f, (ws.title, labels.f)
    for ws in visible(wb):  # every cell inside the print area's columns
        assert ws.max_column <= area_columns(ws), ws.title


@pytest.mark.parametrize("lang", LANGS)
def test_each_chart_is_anchored_below_its_table_across_the_page(made, lang) -> None:
    wb = made[lang]
    first = HEADINGS[lang][0]
    status = {r["task"] for r in made["status"]["rows"] if r["target"] is not None}
    for n in status:
        ws = task_sheet(wb, lang, n)
        (chart,) = ws._charts
        top = header_row(ws, first)
        assert top is not None
        rows = sum(1 for r in made["status"]["rows"] if r["task"] == n)
        anchor = chart.anchor._from
        assert anchor.col == 0, ws.title
        assert anchor.row + 1 > top + rows, (ws.title, anchor.row, top, rows)  # 0-based
        assert chart.height >= 6, ws.title  # cm: the page's rest, or a page of its own


def test_every_task_has_a_chart_or_a_table_of_who_reported(made) -> None:
    targets = {r["task"] for r in made["status"]["rows"] if r["target"] is not None}
    assert set(range(11)) - targets  # the demo has tasks with activities only
    for lang in LANGS:
        wb = made[lang]
        area = ("地区", "Area")[LANGS.index(lang)]
        words = (("已报送", "未报送"), ("reported", "silent"))[LANGS.index(lang)]
        for n in range(11):
            ws = task_sheet(wb, lang, n)
            if n in targets:
                assert len(ws._charts) == 1, ws.title
                continue
            top = header_row(ws, area)
            assert top is not None, ws.title
            shown = [ws.cell(row=r, column=2).value for r in range(top + 1, ws.max_row + 1)]
            shown = [s for s in shown if s]
            assert shown and set(shown) <= set(words), (ws.title, shown)


# --------------------------------------------------------------------------- the figures


@pytest.mark.parametrize("lang", LANGS)
def test_number_formats_never_end_in_a_point(made, lang) -> None:
    seen = set()
    for ws in made[lang].worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, int | float) and not isinstance(cell.value, bool):
                    seen.add(cell.number_format)
                    assert "#.#" not in cell.number_format and ".#" not in cell.number_format
    assert seen <= {"#,##0", "#,##0.0", "#,##0.00", "0%", "0.0%"}, seen


@pytest.mark.parametrize("lang", LANGS)
def test_figures_are_rounded_to_their_unit_and_projections_stop_at_the_target(made, lang) -> None:
    wb = made[lang]
    indicator, scope, forecast, projected = HEADINGS[lang]
    rows = [r for r in made["status"]["rows"] if r["projected"] is not None]
    fractional = [
        r for r in rows if r["unit"] == "people" and r["projected"] != int(r["projected"])
    ]
    beyond = [r for r in rows if r["target"] and r["projected"] > r["target"]]
    assert fractional and beyond  # the demo has both cases
    checked = 0
    for n in {r["task"] for r in rows}:
        ws = task_sheet(wb, lang, n)
        top = header_row(ws, indicator)
        col = columns(ws, top)  # type: ignore[arg-type]
        mine = [r for r in made["status"]["rows"] if r["task"] == n]
        for i, r in enumerate(mine, start=top + 1):  # type: ignore[operator]
            name = r["name"] if lang == "zh" else r["name_en"]
            assert ws.cell(row=i, column=col[indicator]).value == name
            area = r["scope_name"] if lang == "zh" else r["scope_name_en"]
            assert ws.cell(row=i, column=col[scope]).value == area
            if r["projected"] is None:
                continue
            cell = ws.cell(row=i, column=col[projected])
            text = ws.cell(row=i, column=col[forecast]).value or ""
            cap = r["target"]
            if r["unit"] == "percent":
                cap = min(cap, 100)
            if r["projected"] >= cap:
                assert cell.value == rounded(cap, r["unit"]), (r["indicator"], r["scope"])
                if r["status"] != "done" and r["projected_date"]:
                    want = (
                        f"{r['projected_date']} 达到100%"
                        if lang == "zh"
                        else f"100% by {r['projected_date']}"
                    )
                    assert text == want, (r["indicator"], text)
            else:
                assert cell.value == rounded(r["projected"], r["unit"]), r["indicator"]
                assert "100%" not in text, (r["indicator"], text)  # short of the target
            if r["unit"] == "people":
                assert isinstance(cell.value, int), (r["indicator"], cell.value)
                assert cell.number_format == "#,##0"
            if r["unit"] == "percent":
                assert cell.value <= 100
            checked += 1
    assert checked == len(rows)


# --------------------------------------------------------------------------- the language


_ASCII_WORD = re.compile(r"[A-Za-z]{2,}")


def test_a_chinese_report_has_no_english_sheet_name_heading_unit_or_footer(made) -> None:
    wb = made["zh"]
    for ws in wb.worksheets:
        assert not _ASCII_WORD.search(ws.title), ws.title
    for ws in visible(wb):
        for part in (ws.oddFooter.left, ws.oddFooter.center, ws.oddFooter.right):
            text = re.sub(r"&[PN]", "", part.text or "")
            text = re.sub(r"\b[0-9a-f]{12}\b", "", text)  # the digest's first characters
            assert not _ASCII_WORD.search(text), (ws.title, part.text)
        for row in ws.iter_rows():
            for cell in row:
                if not isinstance(cell.value, str):
                    continue
                text = cell.value
                # the stamp names the plan's id and the digest's algorithm and value
                text = re.sub(r"\(datong-2018\)|SHA-256|[0-9a-f]{64}", "", text)
                assert not _ASCII_WORD.search(text), (ws.title, cell.coordinate, cell.value)


def _cjk(text: str) -> bool:
    import unicodedata

    return any(unicodedata.east_asian_width(ch) in ("W", "F") for ch in text)


def test_an_english_report_is_english(made) -> None:
    wb = made["en"]
    for ws in wb.worksheets:
        assert ws.title.isascii(), ws.title
    for ws in visible(wb):
        assert ws.oddFooter.center.text == "Page &P of &N"
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert not _cjk(cell.value), (ws.title, cell.coordinate, cell.value)


def test_the_needed_pace_is_rounded_up_in_the_handout() -> None:
    """A pace that must be kept never reads 0 while work is left: 0.42 villages a week is 1."""
    from openpyxl import Workbook

    from povtrack.output.report_tables import Cell
    from povtrack.output.xlsx_print import put, shown

    ws = Workbook().active
    assert put(ws, 1, 1, 0.42, "number", "villages", up=True) == "1"
    assert ws.cell(row=1, column=1).value == 1
    assert put(ws, 2, 1, 0.42, "number", "villages") == "0"  # a figure that was, not a pace
    assert shown(0.42, "number", "villages", up=True) == "1"
    assert Cell(0.42, "villages", up=True).up

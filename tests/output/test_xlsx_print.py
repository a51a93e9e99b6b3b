"""How an XLSX table export prints, from the file and (``render``) through LibreOffice: a
made-up board (13 areas x 11 tasks, one cell each coloured through ``Column.status_from``,
``one_page``, a legend, a total row) fits one A4 landscape page with no text under 8 pt; the
page header holds the title and notes, the footer the legend and page numbers; the legend and
the total row are never in the data range.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from povtrack.output.files import sheet_bytes
from povtrack.output.notation import STATUS_COLOURS
from povtrack.sheet import Column, Sheet
from tests.helpers.formats import _load
from tests.helpers.readback import about

AREAS = [
    "大同市", "平城区", "云冈区", "新荣区", "云州区", "阳高县", "天镇县",
    "广灵县", "灵丘县", "浑源县", "左云县", "六个贫困县（合计）", "市直帮扶单位（合计）",
]  # fmt: skip
TASKS = [
    "总体目标", "产业扶贫", "住房保障", "生态脱贫", "培训就业", "兜底保障",
    "宣传引导", "基础信息", "乡村提升", "帮扶引领", "群众满意度",
]  # fmt: skip
WORDS = {"behind": "滞后", "on_track": "正常", "done": "完成", "overdue": "逾期",
         "no_data": "未报", "reported": "已报"}  # fmt: skip
LEGEND = ["颜色：绿 完成/正常 · 黄 滞后 · 红 逾期 · 灰 未报送 · 蓝 已报送",
          "“滞后 42/60%”：状态、完成进度/应完成进度"]  # fmt: skip
NOTES = ["截至 2018-07-01", "计划 datong-2018"]


def _board() -> Sheet:
    codes = list(WORDS)
    columns = [Column("name", "范围", "Scope")]
    columns += [
        Column(f"t{n}", f"{n} {t}", f"{n} T", status_from=f"s{n}") for n, t in enumerate(TASKS)
    ]
    rows = []
    for i, area in enumerate(AREAS):
        row = {"name": area}
        for n in range(len(TASKS)):
            code = codes[(i + n) % len(codes)]
            row[f"s{n}"] = code
            row[f"t{n}"] = f"{WORDS[code]} {40 + i}/{50 + n}%"
        rows.append(row)
    total = {f"t{n}": f"滞后 {n} · 正常 {11 - n}" for n in range(len(TASKS))}
    total["s0"] = "behind"
    return Sheet("board", "挂图作战", "Battle map", columns, rows, total, list(NOTES),
                 one_page=True, legend=list(LEGEND))  # fmt: skip


def _fill(cell) -> str | None:
    if cell.fill is None or cell.fill.fill_type != "solid":
        return None
    return str(cell.fill.fgColor.rgb)[-6:].upper()


def test_one_page_board_page_setup_and_cells() -> None:
    sheet = _board()
    wb = _load(sheet_bytes([sheet], "xlsx", lang="zh"))
    ws = wb["board"]
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 1
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows == "$1:$1"
    # status_from: each cell is its text, filled by the status in the other field
    for r, row in enumerate(sheet.rows, 2):
        for n in range(len(TASKS)):
            cell = ws.cell(row=r, column=2 + n)
            assert cell.value == row[f"t{n}"]
            assert _fill(cell) == STATUS_COLOURS[row[f"s{n}"]].upper()
            assert cell.alignment.wrap_text
    # the data range is the 13 rows; legend and total elsewhere
    assert ws.max_row == 1 + len(AREAS) and ws.tables["tbl_board"].ref == "A1:L14"
    values = [c.value for row in ws.iter_rows() for c in row]
    assert not any(line in values for line in LEGEND)
    assert ws.oddFooter.left.text == "   ".join(LEGEND)
    assert ws.oddHeader.left.text == "挂图作战" and ws.oddHeader.right.text == " · ".join(NOTES)
    # the legend takes the footer's width: the page numbers go to the header's middle
    assert ws.oddHeader.center.text == "第 &P 页，共 &N 页" and not ws.oddFooter.right.text
    assert wb.properties.subject == "挂图作战"
    assert wb.properties.description == "\n".join([*NOTES, *LEGEND])
    assert "board" in wb.properties.keywords
    # a narrow column per task: the cells wrap at the space, not the figures
    assert all(ws.column_dimensions[c].width <= 12 for c in "BCDEFGHIJKL")
    assert all((ws.row_dimensions[r].height or 0) >= 30 for r in range(2, 15))


def test_one_page_board_total_and_legend_on_the_about_sheet(tmp_path: Path) -> None:
    path = tmp_path / "board.xlsx"
    path.write_bytes(sheet_bytes([_board()], "xlsx", lang="zh"))
    block = about(path, "zh")["board"]
    assert block["title"] == "挂图作战"
    assert block["lines"] == [*NOTES, *LEGEND]
    assert block["total"] == {f"{n} {t}": f"滞后 {n} · 正常 {11 - n}" for n, t in enumerate(TASKS)}
    ws = _load(path.read_bytes())["说明"]
    first = next(r for r in ws.iter_rows(max_col=2) if r[0].value == "0 总体目标")
    assert _fill(first[1]) == STATUS_COLOURS["behind"].upper()  # status_from in the total too


def test_a_sheet_that_is_not_one_page_is_as_tall_as_it_needs() -> None:
    sheet = _board()
    sheet.one_page = False
    sheet.legend = []  # without a legend the page numbers are in the footer
    ws = _load(sheet_bytes([sheet], "xlsx", lang="en")).active
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.oddFooter.right.text == "Page &P of &N" and not ws.oddHeader.center.text


@pytest.mark.render
def test_one_page_board_prints_on_one_readable_page(tmp_path: Path) -> None:
    from tests.helpers.render import pdf_pages, xlsx_to_pdf

    path = tmp_path / "board.xlsx"
    path.write_bytes(sheet_bytes([_board()], "xlsx", lang="zh"))
    pages = pdf_pages(xlsx_to_pdf(path, tmp_path))
    board = [p for p in pages if "大同市" in p.text and "0 总体目标" in p.text]
    assert len(board) == 1, [p.text[:80] for p in pages]  # the board: one page
    page = board[0]
    assert page.landscape and abs(page.width - 841.89) < 2
    assert min(page.sizes) >= 8, sorted(page.sizes)[:5]
    assert all(area in page.text for area in AREAS)
    assert "挂图作战" in page.text and LEGEND[0] in page.text  # header and footer printed
    assert page.used() > 0.5  # not a thin strip
    # the data page comes first, the About sheet after it
    assert pages[0] is page and len(pages) == 2

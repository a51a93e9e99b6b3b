"""The weekly report's XLSX printed by LibreOffice (with the CJK fonts) and measured on the PDF:
A4 landscape pages, no text below 8 pt, no page more than half empty, the board on exactly one
page. Marked ``render``: run with ``python -m pytest -m render`` (CI does).

"Half empty" is measured on the page as printed: the extent of everything printed on it (text,
rules, cell fills, charts; from the page rendered to grey pixels), leaving out the footer, must
cover at least half of the area inside the page's margins.
"""

from __future__ import annotations

from typing import Any

import pytest
from typer.testing import CliRunner

from povtrack.cli import app
from povtrack.output.report import TITLE
from povtrack.output.xlsx_print import MARGIN_BOTTOM, PAGE_H, PRINT_H, PRINT_W
from tests.helpers.render import A4_LANDSCAPE, ink_boxes, pdf_pages, xlsx_to_pdf

pytestmark = pytest.mark.render
LANGS = ("zh", "en")
BOARD_TITLE = {"zh": "挂图作战", "en": "Battle map"}


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("report-print")
    db, home = folder / "demo.json", folder / "xdg"
    env = {"POVTRACK_LANG": "en", "XDG_DATA_HOME": str(home), "COLUMNS": None}

    def invoke(*args: str) -> None:
        result = CliRunner().invoke(app, [*args, "--db", str(db)], env=env)
        assert result.exit_code == 0, result.stderr

    invoke("demo")
    out: dict[str, Any] = {}
    for lang in LANGS:
        xlsx = folder / f"weekly-{lang}.xlsx"
        invoke("report", "--format", "xlsx", "--lang", lang, "-o", str(xlsx))
        pdf = xlsx_to_pdf(xlsx, folder)
        out[lang] = (pdf, pdf_pages(pdf))
    return out


@pytest.mark.parametrize("lang", LANGS)
def test_every_page_is_a4_landscape_with_no_text_below_8_pt(printed, lang: str) -> None:
    _, pages = printed[lang]
    assert len(pages) >= 13  # the headline goals, the board and ten tasks at least
    for page in pages:
        assert page.landscape, page.number
        assert (page.width, page.height) == pytest.approx(A4_LANDSCAPE, abs=2), page.number
        assert page.sizes, page.number  # every page has text
        assert min(page.sizes) >= 8, (page.number, min(page.sizes), page.text[:80])


@pytest.mark.parametrize("lang", LANGS)
def test_no_page_is_more_than_half_empty(printed, lang: str) -> None:
    pdf, pages = printed[lang]
    boxes = ink_boxes(pdf, band=(0, PAGE_H - 72 * MARGIN_BOTTOM))
    assert len(boxes) == len(pages)
    for page, box in zip(pages, boxes, strict=True):
        assert box is not None, page.number
        x0, y0, x1, y1 = box
        used = (x1 - x0) * (y1 - y0) / (PRINT_W * PRINT_H)
        assert used >= 0.5, (page.number, round(used, 2), page.text[:80])


@pytest.mark.parametrize("lang", LANGS)
def test_the_board_is_one_page_with_its_totals(printed, lang: str) -> None:
    _, pages = printed[lang]
    title = f"· {BOARD_TITLE[lang]}"
    board = [p for p in pages if title in p.text]
    assert len(board) == 1, [p.number for p in board]
    (page,) = board
    index = pages.index(page)
    total = "合计" if lang == "zh" else "Total"
    assert total in page.text
    # the next page starts the next sheet (its title block), not the rest of the board
    report = TITLE[LANGS.index(lang)]
    assert index + 1 < len(pages)
    assert f"{report} ·" in pages[index + 1].text

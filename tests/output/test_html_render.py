"""HTML as printed: headless Chromium prints the page to PDF by its own print CSS, and the PDF is
measured (tests/helpers/render.py, tests/helpers/print_words.py). The board is exactly one A4
landscape page; the report prints a section a page on A4 landscape, in a sane number of pages,
with no text below 8 pt; and no Latin word or number of any cell is broken across two lines.

The report's page bound, justified: every section starts a page (16 in the demo), and a section
with more rows than fit half a page (over 15) may need one more page for the rest of its table
and one for its chart: pages <= sections + 2 x long sections (24 for the demo; it prints 19 in
Chinese, 23 in English, where names wrap more).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from povtrack.cli import app
from povtrack.output.files import sheet_bytes
from tests.helpers.print_words import broken_words, html_words, missing_words
from tests.helpers.render import A4_LANDSCAPE, html_to_pdf, pdf_pages
from tests.helpers.sheets import board_like, status_like

pytestmark = pytest.mark.render

MIN_PT = 8.0
LONG_SECTION = 15  # rows


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The demo's board and report in both languages, as HTML and as printed PDF."""
    folder = tmp_path_factory.mktemp("print")
    db = folder / "demo.json"
    env = {"POVTRACK_LANG": "en", "XDG_DATA_HOME": str(folder / "xdg"), "COLUMNS": None}

    def invoke(*args: str) -> None:
        result = CliRunner().invoke(app, [*args, "--db", str(db)], env=env)
        assert result.exit_code == 0, result.stderr

    invoke("demo")
    out: dict[str, Any] = {}
    for lang in ("zh", "en"):
        for what in ("board", "report"):
            html = folder / f"{what}-{lang}.html"
            invoke(what, "--format", "html", "--lang", lang, "-o", str(html))
            pdf = html_to_pdf(html, folder / f"{what}-{lang}.pdf")
            out[what, lang] = (html.read_text("utf-8"), pdf, pdf_pages(pdf))
    return out


def _a4_landscape(pages) -> None:
    for page in pages:
        assert page.landscape
        assert abs(page.width - A4_LANDSCAPE[0]) < 2 and abs(page.height - A4_LANDSCAPE[1]) < 2


def _readable(pages) -> None:
    smallest = min(s for page in pages for s in page.sizes)
    assert smallest >= MIN_PT, f"text printed at {smallest} pt"


def _whole_words(html: str, pdf: Path) -> None:
    assert len(html_words(html)) >= 10  # the check has something to check
    assert broken_words(html, pdf) == []
    assert missing_words(html, pdf) == set()


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_board_prints_on_exactly_one_a4_landscape_page(printed, lang: str) -> None:
    html, pdf, pages = printed["board", lang]
    assert len(pages) == 1
    _a4_landscape(pages)
    _readable(pages)
    _whole_words(html, pdf)
    # everything is on it: every area's row and the legend's last line
    text = re.sub(r"\s+", "", pages[0].text)
    assert ("合计" if lang == "zh" else "Total") in text
    legend = re.findall(r'<ul class="legend">\s*(.*?)</ul>', html, flags=re.S)
    assert legend, "the board has a legend"
    last = re.findall(r"<li>(.*?)</li>", legend[0])[-1]
    assert re.sub(r"\s+", "", last)[:12] in text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_report_prints_a_section_a_page_in_a_sane_number_of_pages(printed, lang) -> None:
    html, _pdf, pages = printed["report", lang]
    _a4_landscape(pages)
    _readable(pages)
    sections = re.findall(r'<section class="[^"]*" id="[^"]*">(.*?)</section>', html, flags=re.S)
    long = [s for s in sections if s.count("<tr") - 1 > LONG_SECTION]
    assert len(sections) == 16 and len(long) >= 1
    assert len(pages) <= len(sections) + 2 * len(long), len(pages)
    # each section after the first begins a page: its heading is the page's first line
    tops = [
        re.sub(r"\s+", "", unicodedata.normalize("NFKC", page.text.splitlines()[0]))
        for page in pages
        if page.text
    ]
    for body in sections[1:]:
        title = re.search(r"<h2>(.*?)</h2>", body).group(1)
        plain = re.sub(r"\s+", "", re.sub(r"&[a-z#0-9]+;", "", title))
        assert any(top.startswith(plain[:6]) for top in tops), title


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_no_word_or_number_of_the_report_is_broken(printed, lang: str) -> None:
    html, pdf, _pages = printed["report", lang]
    _whole_words(html, pdf)


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("areas", [6, 13, 18])
def test_a_made_up_one_page_sheet_prints_on_one_page(tmp_path: Path, lang: str, areas) -> None:
    html = tmp_path / "board.html"
    html.write_bytes(sheet_bytes([board_like(lang, areas=areas)], "html", lang=lang))
    pdf = html_to_pdf(html, tmp_path / "board.pdf")
    pages = pdf_pages(pdf)
    assert len(pages) == 1
    _a4_landscape(pages)
    _readable(pages)
    _whole_words(html.read_text("utf-8"), pdf)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_table_with_long_ids_and_figures_keeps_them_whole(tmp_path: Path, lang: str) -> None:
    sheet = status_like()
    for i in range(60):  # more rows than a page: the header repeats, no row is split
        row = dict(sheet.rows[i % 3])
        row["indicator"] = f"housing.relocation_works_completion_{i}"
        row["actual"] = 123456789.123 * (i + 1)
        sheet.rows.append(row)
    html = tmp_path / "status.html"
    html.write_bytes(sheet_bytes([sheet], "html", lang=lang))
    pdf = html_to_pdf(html, tmp_path / "status.pdf")
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    _a4_landscape(pages)
    _readable(pages)
    _whole_words(html.read_text("utf-8"), pdf)
    heading = "指标编号" if lang == "zh" else "Indicator id"
    for page in pages:  # the header row on every page
        assert heading in page.text.replace("\n", " ")

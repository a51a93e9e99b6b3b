"""HTML that reads and prints, from the files (no browser): the CSS never breaks a word or a
number, figures, dates, statuses and id-like columns do not wrap, wrapping text columns keep a
minimum width, figures are rounded to their unit, a ``status_from`` cell is coloured, a
one-page sheet is laid out to fit, a legend follows its table, and the report prints a section
a page with repeated headers and readable chart labels. The print itself (Chromium) is in
test_html_render.py."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from povtrack.output.files import sheet_bytes
from povtrack.output.notation import STATUS_COLOURS, display_width
from povtrack.output.report import Bar, Chart
from povtrack.output.report_html import _SVG_CSS, _svg, handout
from povtrack.output.wrap import wrap_label
from povtrack.sheet import Column
from tests.helpers.sheets import board_like, status_like


class _Cells(HTMLParser):
    """Every td/th as (tag, attrs, text), the CSS, the col widths, and the tags in order."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.cells: list[tuple[str, dict[str, Any], str]] = []
        self.css = ""
        self.cols: list[str] = []
        self.order: list[str] = []
        self.tables: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._attrs: dict[str, Any] = {}
        self._tag = ""
        self._style = False

    def handle_starttag(self, tag, attrs):
        self.order.append(tag)
        if tag in ("td", "th"):
            self._cell, self._attrs, self._tag = [], dict(attrs), tag
        elif tag == "style":
            self._style = True
        elif tag == "col":
            self.cols.append(dict(attrs).get("style") or "")
        elif tag == "table":
            self.tables.append(dict(attrs))

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append((self._tag, self._attrs, "".join(self._cell)))
            self._cell = None
        elif tag == "style":
            self._style = False

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._style:
            self.css += data


def _parse(data: bytes) -> _Cells:
    parser = _Cells()
    parser.feed(data.decode("utf-8"))
    parser.close()
    return parser


def _rule(css: str, selector: str) -> str:
    """The declarations of the first rule whose selector list holds ``selector``."""
    for m in re.finditer(r"([^{}]+)\{([^{}]*)\}", css):
        if selector in [s.strip() for s in m.group(1).split(",")]:
            return m.group(2)
    raise AssertionError(f"no CSS rule for {selector}")


def _body(data: bytes) -> list[list[tuple[str, dict[str, Any], str]]]:
    """The tbody rows' cells."""
    text = data.decode("utf-8")
    rows = []
    for body in re.findall(r"<tbody>(.*?)</tbody>", text, flags=re.S):
        for tr in re.findall(r"<tr[^>]*>(.*?)</tr>", body, flags=re.S):
            rows.append(_parse(tr.encode()).cells)
    return rows


SAMPLES = [status_like(), board_like("zh"), board_like("en")]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_the_css_never_breaks_a_word_or_a_number(lang: str) -> None:
    data = sheet_bytes(SAMPLES, "html", lang=lang)
    css = _parse(data).css
    flat = re.sub(r"\s+", " ", css)
    for bad in ("overflow-wrap: anywhere", "word-break: break-all", "word-wrap: break-word"):
        assert bad not in flat, bad
    assert "overflow-wrap: break-word" not in flat and "hyphens: auto" not in flat
    for cell in ("th", "td"):
        declarations = _rule(css, cell)
        assert "word-break: normal" in declarations and "overflow-wrap: normal" in declarations
    for cls in ("td.num", "td.date", "td.status", "td.id"):
        assert "white-space: nowrap" in _rule(css, cls), cls


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_figures_dates_statuses_and_ids_are_cells_that_do_not_wrap(lang: str) -> None:
    data = sheet_bytes([status_like()], "html", lang=lang)
    for cells in _body(data):
        classes = [(attrs.get("class") or "").split() for _, attrs, _ in cells]
        assert "id" in classes[0]  # goals.people_exited: one token of ASCII
        assert classes[1] == [] and classes[2] == []  # names wrap (Chinese between characters)
        for k in (3, 4, 5):
            assert classes[k] == ["num"] or cells[k][2] == ""
        assert classes[6][0] == "status" and classes[7] == ["date"]


def test_a_wrapping_text_column_keeps_its_names_whole_up_to_a_width() -> None:
    data = sheet_bytes([status_like()], "html", lang="zh")
    heads = [c for c in _parse(data).cells if c[0] == "th"]
    widths = {}
    for _, attrs, text in heads:
        m = re.search(r"min-width: ([\d.]+)em", attrs.get("style") or "")
        widths[text] = float(m.group(1)) if m else None
    # 范围: "六个贫困县 (合计)" is 17 columns wide, more than the cap of 14 (7 em); 平城区 fits
    assert widths["范围"] == 7
    assert widths["指标"] is not None and widths["指标"] >= display_width("造林面积") / 2
    assert widths["指标编号"] is None  # ids do not wrap at all
    assert widths["目标"] is None  # nor figures


@pytest.mark.parametrize("fmt", ["html", "md"])
def test_figures_are_rounded_to_the_unit_of_their_row(fmt: str) -> None:
    data = sheet_bytes([status_like()], fmt, lang="en")
    text = data.decode("utf-8")
    assert "111,624" in text and "111,624.2" not in text  # people: whole
    assert "52.022222" not in text and "52.02" not in text
    assert re.search(r"[ >]52[ <]", text)  # 52.022222 (percent, a rate) as 52
    assert "2,500.1" in text  # mu: one place, half away from zero (2500.05)
    assert "1,234.6" in text  # the column's own unit (mu)
    assert "55.8%" in text and "52%" in text and "50%" in text  # shares: one place at most
    csv = sheet_bytes([status_like()], "csv", lang="en").decode("utf-8-sig")
    assert "111624.21" in csv and "52.022222" in csv  # programs keep the exact figures


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_status_from_cell_is_coloured_by_the_code_in_its_row(lang: str) -> None:
    sheet = board_like(lang)
    rows = _body(sheet_bytes([sheet], "html", lang=lang))
    assert len(rows) == len(sheet.rows)
    for row, cells in zip(sheet.rows, rows, strict=True):
        for n in range(11):
            _, attrs, text = cells[1 + n]
            assert text == row[f"t{n}"]
            code = row[f"t{n}_status"]
            style = attrs.get("style") or ""
            if code is None:
                assert "background" not in style
            else:
                assert f"background-color: #{STATUS_COLOURS[code]}" in style
                assert f"status-{code}" in attrs["class"]


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_one_page_sheet_is_laid_out_to_fit_and_prints_its_legend(lang: str) -> None:
    sheet = board_like(lang)
    text = sheet_bytes([status_like(), sheet], "html", lang=lang).decode("utf-8")
    parsed = _parse(text.encode())
    assert '<section class="sheet one-page" id="board">' in text
    assert '<section class="sheet" id="status">' in text
    board_table = parsed.tables[1]
    size = float(re.search(r"font-size: ([\d.]+)pt", board_table["style"]).group(1))
    assert 8 <= size <= 11
    widths = [float(re.search(r"width: ([\d.]+)%", c).group(1)) for c in parsed.cols]
    assert len(widths) == len(sheet.columns) and abs(sum(widths) - 100) < 0.5
    assert widths[0] == max(widths)  # the names are the widest column
    flat = re.sub(r"\s+", " ", parsed.css)
    assert "table-layout: fixed" in _rule(parsed.css, "section.one-page table")
    assert re.search(r"section\.one-page \{ break-inside: avoid; page-break-inside: avoid", flat)
    legend = text.index('<ul class="legend">')
    assert text.index("</table>", text.index('id="board"')) < legend
    for line in sheet.legend:
        assert f"<li>{html.escape(line)}</li>" in text[legend:]
    # a sheet without legend has none
    assert text.count('<ul class="legend">') == 1


def test_print_css_a4_landscape_a_page_per_section_headers_repeated_rows_whole() -> None:
    css = _parse(sheet_bytes(SAMPLES, "html", lang="zh")).css
    flat = re.sub(r"\s+", " ", css)
    assert "@page { size: A4 landscape; margin: 12mm }" in flat
    assert "break-before: page" in _rule(css, "section.sheet + section.sheet")
    assert "display: table-header-group" in _rule(css, "thead")
    assert "break-inside: avoid" in _rule(css, "tr")
    sizes = [float(s) for s in re.findall(r"font-size: ([\d.]+)pt", flat)]
    assert min(sizes) >= 8.5  # nothing set below 8.5 pt


def test_the_report_handout_leaves_out_ids_beside_names_and_a_constant_task() -> None:
    sheet = status_like()
    for row in sheet.rows:
        row["task"] = 3
    sheet.columns.insert(0, Column("task", "任务", "Task", "integer"))
    keys = [c.key for c in handout(sheet).columns]
    assert "indicator" not in keys and "task" not in keys and "name" in keys
    sheet.rows[0]["task"] = 4  # several tasks: the column says something
    assert "task" in [c.key for c in handout(sheet).columns]
    assert [c.key for c in sheet.columns][:2] == ["task", "indicator"]  # not changed in place


@pytest.mark.parametrize(
    "text",
    [
        "People lifted out of poverty · Guangling County",
        "Municipal units in the responsibility double-sign · Datong City",
        "“责任双签”市直单位 · 大同市",
        "贫困人口脱贫率贫困人口脱贫率贫困人口脱贫率贫困人口脱贫率 · 六个贫困县",
        "Supercalifragilisticexpialidocious words 1,234,567 and 27/50% again and again",
    ],
)
@pytest.mark.parametrize("units", [12, 24, 40])
def test_chart_labels_wrap_by_display_width_and_never_mid_word(text: str, units: int) -> None:
    lines = wrap_label(text, units)
    assert 1 <= len(lines) <= 2
    latin = set(re.findall(r"[\x21-\x7e\u00c0-\u024f]+", text))
    for line in lines:
        for word in re.findall(r"[\x21-\x7e\u00c0-\u024f]+", line):
            assert word in latin, (word, lines)  # a whole word of the label, never a piece
        # wider only when a single word is longer than a line
        assert display_width(line) <= units or re.fullmatch(r"[\x21-\x7e]+…?", line), line
    joined = "".join(lines).replace(" ", "")
    if not lines[-1].endswith("…"):
        assert joined == text.replace(" ", "")  # nothing lost when it fits


def test_report_chart_labels_and_figures() -> None:
    long = "Municipal units in the responsibility double-sign " * 2 + "· Datong City"
    bars = [
        Bar("People lifted out of poverty · Guangling County", 0.38271, 0.497, "behind"),
        Bar(long, 0.52022222, 0.497, "on_track"),
        Bar("贫困县脱贫摘帽 · 云州区", None, 0.497, "no_data"),
    ]
    svg = _svg(Chart("t", "t", "t", bars), 1)
    texts = re.findall(r"<text[^>]*>(.*?)</text>", svg)
    assert "People lifted out of poverty · Guangling County" in texts  # whole, one line
    assert "38.3%" in texts and "52%" in texts and "—" in texts
    assert not any(re.search(r"\d\.\d{2,}", t) for t in texts)  # no unrounded figure
    words = set(long.split())
    pieces = [t for t in texts if t.startswith("Municipal") or t.startswith("double")]
    for piece in pieces:
        assert all(w.rstrip("…") in words for w in piece.split()), piece
    assert "贫困县脱贫摘帽 · 云州区" in texts
    (px,) = re.findall(r"svg\.chart text \{ font-size: (\d+)px", _SVG_CSS)
    assert int(px) * 0.75 >= 8  # CSS px to pt: no chart text below 8 pt

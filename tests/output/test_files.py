"""CSV, Markdown and HTML exports read back and compared cell by cell with the Sheet of
helpers/formats.py, several sheets and a sheet with no rows (in every format, XLSX included),
formula injection in CSV, Markdown and HTML, and arbitrary text round-tripping through them.

Expected cells are computed here from the row data by the rules documented in
povtrack/output/notation.py, not with its helpers: CSV plain numbers and shares as fractions;
Markdown and HTML figures rounded to their unit (people and yuan whole, half away from zero;
no unit: two places) with thousands grouped, and shares as percent to one place at most;
status labels in the language; text that could start a formula prefixed with ' in CSV.
Markdown pads its cells (tests/output/test_markdown.py holds the padding to display width), so
a cell is read with its padding stripped.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from povtrack.errors import UsageError
from povtrack.output.files import sheet_bytes
from povtrack.output.notation import STATUS_COLOURS, neutralise
from povtrack.sheet import Column
from tests.helpers.formats import (
    COLUMNS,
    DANGEROUS,
    HEADINGS,
    NO_ROWS,
    NOTES,
    NUMBER_KINDS,
    ROWS,
    STATUS,
    _injection_sheet,
    _load,
    _neutral,
    _sheet,
    _text_sheet,
    _total_values,
)


def _plain(v: float | int) -> str:
    if isinstance(v, int):
        return str(v)
    return str(int(v)) if v.is_integer() else repr(v)


# --- expected cells per format, from the row data -------------------------------------------


def _csv_cell(col: Column, v: Any, lang: str) -> str:
    if v is None:
        return ""
    if col.kind in NUMBER_KINDS:
        return _plain(v)  # shares as the fraction
    if col.kind == "date":
        return v
    if col.kind == "status":
        return STATUS[v][0 if lang == "zh" else 1]
    return _neutral(v)


def _round_text(v: float | int, places: int) -> str:
    """Half away from zero to ``places``, thousands grouped, no trailing zeros or point."""
    q = Decimal(repr(float(v))).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


# places for people, by the unit of the sheet's figure columns (see the module docstring)
_PLACES = {"people": 0, "yuan": 0, "": 2}


def _human_cell(col: Column, v: Any, lang: str) -> str:
    """Markdown and HTML."""
    if v is None:
        return ""
    if col.kind == "share":
        return _round_text(v * 100, 1) + "%"
    if col.kind in NUMBER_KINDS:
        return _round_text(v, _PLACES[col.unit])
    if col.kind == "status":
        return STATUS[v][0 if lang == "zh" else 1]
    return v


# --- CSV -------------------------------------------------------------------------------------


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_csv_cells_equal_the_sheet_rows(lang: str) -> None:
    sheet = _sheet()
    data = sheet_bytes([sheet], "csv", lang=lang)
    assert data.startswith(b"\xef\xbb\xbf")
    table = _read_csv(data)
    assert table[0] == HEADINGS[lang]
    # rows only: no title, no notes, no total row
    assert len(table) == 1 + len(ROWS)
    for row, got in zip(ROWS, table[1:], strict=True):
        assert got == [_csv_cell(c, row[c.key], lang) for c in COLUMNS]
    assert table[1][4] == "0.5" and table[1][3] == "1234567.5" and table[4][3] == "-5"
    assert table[3][2:6] == ["", "", "", ""]  # None is blank, never 0
    assert table[4][2] == "0"  # a real zero stays 0


def test_csv_is_crlf_and_plain_numbers() -> None:
    rows = [dict(ROWS[0], note="x"), dict(ROWS[1], note="y")]
    data = sheet_bytes([_sheet(rows)], "csv", lang="zh")
    text = data.decode("utf-8-sig")
    assert text.count("\r\n") == 3 and "\n" not in text.replace("\r\n", "")
    assert "1234567.5" in text and "1,234,567" not in text
    assert not any(n in text for n in NOTES) and "脱贫进度" not in text


def test_csv_with_several_sheets_is_refused() -> None:
    with pytest.raises(UsageError, match="csv holds one table; use xlsx or html for several"):
        sheet_bytes([_sheet(), _sheet(key="other")], "csv", lang="zh")


def test_empty_list_and_unknown_format_are_refused() -> None:
    with pytest.raises(UsageError):
        sheet_bytes([], "html", lang="zh")
    with pytest.raises(UsageError):
        sheet_bytes([_sheet()], "pdf", lang="zh")


# --- Markdown --------------------------------------------------------------------------------


def _md_unescape(cell: str) -> str:
    out, i = [], 0
    while i < len(cell):
        if cell.startswith("<br>", i):
            out.append("\n")
            i += 4
        elif cell.startswith("&#32;", i):  # a cell's own edge space (a "&" is always "\\&")
            out.append(" ")
            i += 5
        elif cell[i] == "\\" and i + 1 < len(cell) and not cell[i + 1].isalnum():
            out.append(cell[i + 1])
            i += 2
        else:
            out.append(cell[i])
            i += 1
    return "".join(out)


def _md_cells(line: str) -> list[str]:
    assert line.startswith("| ") and line.endswith(" |"), line
    parts = re.split(r"(?<!\\)\|", line[2:-2])
    # a cell "a \| b" is not split; spaces pad each side of a cell (its own edge spaces are
    # written as &#32;)
    return [_md_unescape(p.strip(" ")) for p in parts]


def _read_md(text: str) -> list[dict[str, Any]]:
    """Sections: title, notes, header, rows, trailing lines."""
    sections: list[dict[str, Any]] = []
    for line in text.splitlines():
        if line.startswith("## "):
            sections.append(
                {"title": _md_unescape(line[3:]), "notes": [], "table": [], "after": []}
            )
        elif line.startswith("- "):
            sections[-1]["notes"].append(_md_unescape(line[2:]))
        elif line.startswith("|"):
            sections[-1]["table"].append(line)
        elif line:
            sections[-1]["after"].append(_md_unescape(line))
    return sections


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_markdown_cells_equal_the_sheet_rows(lang: str) -> None:
    sheet = _sheet()
    text = sheet_bytes([sheet], "md", lang=lang).decode("utf-8")
    (sec,) = _read_md(text)
    assert sec["title"] == ("脱贫进度" if lang == "zh" else "Poverty progress")
    assert sec["notes"] == NOTES
    header, align, *body = sec["table"]
    assert _md_cells(header) == HEADINGS[lang]
    right = [re.fullmatch(r"-{2,}:", a) is not None for a in _md_cells(align)]
    assert all(re.fullmatch(r"-{3,}:?", a) for a in _md_cells(align))
    assert right == [False, False, True, True, True, False, False, False]
    assert len(body) == len(ROWS) + 1
    for row, line in zip(ROWS, body, strict=False):
        assert _md_cells(line) == [_human_cell(c, row[c.key], lang) for c in COLUMNS]
    total = _total_values(sheet, lang)
    assert _md_cells(body[-1]) == [
        _human_cell(c, v, lang) for c, v in zip(COLUMNS, total, strict=True)
    ]
    assert "\\|" in body[0] and "<br>" in body[1]  # escaped pipe, line break
    assert _md_cells(body[0])[3:5] == ["1,234,568", "50%"]  # yuan whole, the share as percent
    assert _md_cells(body[3])[4] == "33.3%"
    assert sec["after"] == []


# --- HTML ------------------------------------------------------------------------------------


class _Tables(HTMLParser):
    """h2 titles, note items, and each table's rows as [(tag, attrs, text)]."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.sections: list[dict[str, Any]] = []
        self._cell: list[str] | None = None
        self._attrs: dict[str, str | None] = {}
        self._tag = ""
        self._part = ""
        self._in: str | None = None
        self._buf: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag == "h2":
            self.sections.append(
                {"title": "", "notes": [], "head": [], "body": [], "foot": [], "p": []}
            )
            self._in, self._buf = "h2", []
        elif tag in ("li", "p"):
            self._in, self._buf = tag, []
        elif tag in ("thead", "tbody", "tfoot"):
            self._part = {"thead": "head", "tbody": "body", "tfoot": "foot"}[tag]
        elif tag == "tr":
            self.sections[-1][self._part].append({"attrs": dict(attrs), "cells": []})
        elif tag in ("td", "th"):
            self._cell, self._attrs, self._tag = [], dict(attrs), tag

    def handle_endtag(self, tag):
        if tag == "h2":
            self.sections[-1]["title"] = "".join(self._buf)
            self._in = None
        elif tag in ("li", "p") and self._in == tag:
            key = "notes" if tag == "li" else "p"
            self.sections[-1][key].append("".join(self._buf))
            self._in = None
        elif tag in ("td", "th") and self._cell is not None:
            row = self.sections[-1][self._part][-1]
            row["cells"].append((self._tag, self._attrs, "".join(self._cell)))
            self._cell = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif self._in:
            self._buf.append(data)


def _read_html(data: bytes) -> _Tables:
    text = data.decode("utf-8")
    parser = _Tables()
    parser.feed(text)
    parser.close()
    return parser


def _hex(style: str | None) -> str | None:
    m = re.search(r"background-color:\s*#([0-9A-Fa-f]{6})", style or "")
    return m.group(1).upper() if m else None


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_html_cells_equal_the_sheet_rows(lang: str) -> None:
    sheet = _sheet()
    data = sheet_bytes([sheet], "html", lang=lang)
    text = data.decode("utf-8")
    assert '<meta charset="utf-8">' in text
    assert "@page { size: A4 landscape; margin: 12mm }" in text
    (sec,) = _read_html(data).sections
    assert sec["title"] == ("脱贫进度" if lang == "zh" else "Poverty progress")
    assert sec["notes"] == NOTES
    (head,) = sec["head"]
    assert [c[2] for c in head["cells"]] == HEADINGS[lang]
    assert all(c[0] == "th" for c in head["cells"])
    assert len(sec["body"]) == len(ROWS)
    for row, tr in zip(ROWS, sec["body"], strict=True):
        assert [c[2] for c in tr["cells"]] == [_human_cell(c, row[c.key], lang) for c in COLUMNS]
        _tag, attrs, label = tr["cells"][6]
        assert label == STATUS[row["status"]][0 if lang == "zh" else 1]
        assert _hex(attrs.get("style")) == STATUS_COLOURS[row["status"]].upper()
        assert f"status-{row['status']}" in (attrs.get("class") or "")
    (foot,) = sec["foot"]
    assert "total" in foot["attrs"]["class"]
    total = _total_values(sheet, lang)
    assert [c[2] for c in foot["cells"]] == [
        _human_cell(c, v, lang) for c, v in zip(COLUMNS, total, strict=True)
    ]
    assert sec["p"] == []
    assert "&lt;b&gt;逾期&lt;/b&gt; &amp; 未完成" in text and "&quot;培训班&quot;" in text


def test_html_is_self_contained() -> None:
    text = sheet_bytes([_sheet(), _sheet(key="b")], "html", lang="zh").decode("utf-8").lower()
    for bad in ("http://", "https://", "<script", "<link", "url(", "@import", "@font-face", "src="):
        assert bad not in text, bad
    tables = _read_html(text.encode())
    assert len(tables.sections) == 2
    assert "noto sans cjk sc" in text and "microsoft yahei" in text


def test_status_colours_are_the_promised_hues() -> None:
    def rgb(code: str) -> tuple[int, int, int]:
        h = STATUS_COLOURS[code]
        return int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16)

    assert set(STATUS_COLOURS) == set(STATUS)
    assert len(set(STATUS_COLOURS.values())) == len(STATUS_COLOURS)
    r, g, b = rgb("done")
    assert g > r and g > b  # green
    r, g, b = rgb("on_track")
    assert g >= r and g > b and min(r, g, b) > min(rgb("done"))  # lighter green
    r, g, b = rgb("behind")
    assert r > b and g > b and r >= g  # amber
    r, g, b = rgb("overdue")
    assert r > g and r > b  # red
    r, g, b = rgb("no_data")
    assert r == g == b  # grey
    r, g, b = rgb("reported")
    assert b > r  # blue


def test_several_sheets_in_markdown_and_html() -> None:
    a, b = _sheet(key="a"), _sheet(ROWS[:2], key="b", total=False)
    b.title, b.title_en = "第二张", "Second"
    secs = _read_md(sheet_bytes([a, b], "md", lang="en").decode())
    assert [s["title"] for s in secs] == ["Poverty progress", "Second"]
    assert len(secs[1]["table"]) == 2 + 2
    html_secs = _read_html(sheet_bytes([a, b], "html", lang="zh")).sections
    assert [s["title"] for s in html_secs] == ["脱贫进度", "第二张"]
    assert html_secs[1]["foot"] == []


# --- a sheet with no rows --------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_sheet_with_no_rows_still_has_its_heading_row(lang: str) -> None:
    sheet = _sheet([], total=False)
    assert _read_csv(sheet_bytes([sheet], "csv", lang=lang)) == [HEADINGS[lang]]
    (sec,) = _read_md(sheet_bytes([sheet], "md", lang=lang).decode())
    assert len(sec["table"]) == 2 and _md_cells(sec["table"][0]) == HEADINGS[lang]
    assert sec["after"] == [NO_ROWS[lang]]
    (hsec,) = _read_html(sheet_bytes([sheet], "html", lang=lang)).sections
    assert [c[2] for c in hsec["head"][0]["cells"]] == HEADINGS[lang]
    assert hsec["body"] == [] and hsec["p"] == [NO_ROWS[lang]]
    ws = _load(sheet_bytes([sheet], "xlsx", lang=lang)).active
    assert [c.value for c in ws[1]] == HEADINGS[lang]
    assert ws.freeze_panes == "A2"
    assert all(c.value is None for c in ws[2])


# --- formula injection -----------------------------------------------------------------------


def test_formula_injection_is_neutralised_in_csv() -> None:
    table = _read_csv(sheet_bytes([_injection_sheet()], "csv", lang="en"))
    assert [r[0] for r in table[1:]] == ["'" + d for d in DANGEROUS]
    assert [r[1] for r in table[1:]] == ["-5"] * len(DANGEROUS)


def test_formula_injection_is_plain_escaped_text_in_html_and_md() -> None:
    (sec,) = _read_html(sheet_bytes([_injection_sheet()], "html", lang="en")).sections
    assert [tr["cells"][0][2] for tr in sec["body"]] == DANGEROUS
    assert [tr["cells"][1][2] for tr in sec["body"]] == ["-5"] * len(DANGEROUS)
    assert sec["notes"] == DANGEROUS
    (msec,) = _read_md(sheet_bytes([_injection_sheet()], "md", lang="en").decode())
    got = [_md_cells(line)[0] for line in msec["table"][2:]]
    assert got == [d.replace("\r", "\n") for d in DANGEROUS]


def test_neutralise() -> None:
    for d in DANGEROUS:
        assert neutralise(d) == "'" + d
    for safe in ("阳高县", "a=b", " =1", "", "'x", "5"):
        assert neutralise(safe) == safe


# --- arbitrary text never breaks a format ----------------------------------------------------


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5))
def test_arbitrary_text_round_trips_through_csv(texts: list[str]) -> None:
    table = _read_csv(sheet_bytes([_text_sheet(texts)], "csv", lang="zh"))
    assert table[0] == ["甲", "乙"]
    assert [r[0] for r in table[1:]] == [_neutral(t) for t in texts]
    assert [r[1] for r in table[1:]] == [repr(i - 1.5) for i in range(len(texts))]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.text(max_size=30), min_size=1, max_size=5), st.text(max_size=20))
def test_arbitrary_text_is_escaped_in_html(texts: list[str], title: str) -> None:
    sheet = _text_sheet(texts)
    sheet.title = title
    sheet.notes = [title]
    parser = _read_html(sheet_bytes([sheet], "html", lang="zh"))
    (sec,) = parser.sections
    assert sec["title"] == title and sec["notes"] == [title]
    assert [tr["cells"][0][2] for tr in sec["body"]] == texts
    assert set(parser.tags) <= {
        "html", "head", "meta", "title", "style", "body", "section", "h2", "ul", "li",
        "table", "thead", "tbody", "tr", "th", "td",
        "span",  # span.nw: a date or a range kept whole on its line
    }  # fmt: skip


MD_TEXT = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
    | st.sampled_from("\n|\\<>*_`[]&#-+1. "),
    max_size=30,
)


@settings(max_examples=150, deadline=None)
@given(st.lists(MD_TEXT, min_size=1, max_size=5))
def test_arbitrary_text_round_trips_through_markdown(texts: list[str]) -> None:
    (sec,) = _read_md(sheet_bytes([_text_sheet(texts)], "md", lang="zh").decode())
    body = sec["table"][2:]
    assert all("\n" not in line for line in body)
    assert [_md_cells(line)[0] for line in body] == texts

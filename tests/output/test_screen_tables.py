"""Rendering, compared as text from a fixed-width, colourless console: CJK columns line up."""

from __future__ import annotations

import io
from datetime import date

import pytest
from rich.cells import cell_len
from rich.console import Console

from povtrack.analysis.status import status_rows
from povtrack.i18n import Labels
from povtrack.model import Entry
from povtrack.output.screen.status import status_table
from povtrack.output.screen.tables import bar, fmt_value
from povtrack.planfile import bundled_text, parse_plan

PLAN = parse_plan(bundled_text(), "datong-2018")


def _render(lang: str, width: int = 140) -> str:
    entries = [
        Entry(1, "housing.dangerous_houses", "yanggao", date(2018, 7, 1), 1000),
        Entry(2, "housing.dangerous_houses", "tianzhen", date(2018, 7, 1), 2500),
        Entry(3, "housing.relocation_works_completion", "tianzhen", date(2018, 7, 1), 55),
    ]
    rows = status_rows(PLAN, entries, [], date(2018, 7, 1), task=2)
    out = io.StringIO()
    console = Console(width=width, color_system=None, file=out, force_terminal=False)
    console.print(status_table(console, PLAN, rows, date(2018, 7, 1), Labels(lang)))
    return out.getvalue()


@pytest.mark.parametrize("width", [160, 120, 100])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_table_rows_have_equal_display_width_and_fit(lang: str, width: int) -> None:
    lines = [ln for ln in _render(lang, width).splitlines() if ln.startswith(("|", "+"))]
    assert len(lines) > 10
    widths = {cell_len(ln.rstrip()) for ln in lines}
    assert len(widths) == 1, widths
    assert widths.pop() <= width


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_narrow_view_fits_without_a_border(lang: str) -> None:
    # at 80 columns the English names do not fit beside the figures: each indicator's name
    # gets a line of its own (output.screen.status), drawn without a border
    text = _render(lang, 80)
    assert all(cell_len(ln.rstrip()) <= 80 for ln in text.splitlines())
    if lang == "en":
        assert not any(ln.startswith(("|", "+")) for ln in text.splitlines())


def test_narrow_terminal_drops_secondary_columns() -> None:
    assert "Due" in _render("en", 140)
    assert "Due" not in _render("en", 100)
    assert "Status" in _render("en", 100)


def test_chinese_labels_and_names() -> None:
    text = _render("zh")
    for expected in ("指标", "目标", "状态", "农村危房改造", "天镇县", "17,554 户", "未报送"):
        assert expected in text


def test_english_labels_and_names() -> None:
    text = _render("en")
    for expected in (
        "Indicator",
        "Target",
        "Status",
        "Dangerous rural houses renovated",
        "Tianzhen County",
        "17,554 households",
        "no data",
    ):
        assert expected in text


def test_city_row_shows_sum_and_progress() -> None:
    # city actual 1000 + 2500 = 3500 of 17554 -> 19.9% -> "20%"
    line = next(ln for ln in _render("en").splitlines() if "Datong City" in ln and "17,554" in ln)
    assert "3,500" in line
    assert "20%" in line


def test_plain_bar_marks_progress_and_expected_pace() -> None:
    # progress 0.3 fills 3 cells; expected 0.5 marks cell 5
    assert bar(0.3, 0.5, plain=True).plain == "###--|----"
    assert bar(None, 0.5, plain=True).plain == ".........."
    assert bar(1.4, 0.5, plain=True).plain == "##########"


@pytest.mark.parametrize(
    ("value", "unit", "lang", "shown"),
    [
        (1000000000, "yuan", "zh", "10亿"),
        (1000000000, "yuan", "en", "1,000M"),
        (249050000, "yuan", "zh", "2.49亿"),
        (63824, "people", "en", "63,824"),
        (80, "percent", "en", "80%"),
        (66.66666666666667, "percent", "zh", "66.67%"),
        (139800.5, "mu", "en", "139,800.5"),
        (None, "people", "en", "—"),
    ],
)
def test_fmt_value(value: float | None, unit: str, lang: str, shown: str) -> None:
    assert fmt_value(value, unit, Labels(lang)) == shown


def test_caption_counts_rows_by_status() -> None:
    # task 2, as of 2018-07-01 (expected 181/364 ≈ 0.497 for 2018 targets):
    # tianzhen works completion 55/80 = 0.69 -> on track; city houses 3500/17554 = 0.20 < 0.45
    # -> behind; the other 10 of the 12 rows have no entry -> no data
    caption = _render("en").strip().splitlines()[-1].split()
    # without colour the states that need action carry a mark (tables.STATUS_MARKS)
    assert caption == ["on", "track", "1", "!", "behind", "1", "?", "no", "data", "10"]

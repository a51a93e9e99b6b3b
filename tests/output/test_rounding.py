"""Figures for people are rounded to their unit (output.notation): counts whole, half away
from zero, and an XLSX number format that never leaves a trailing point."""

from __future__ import annotations

import pytest

from povtrack.model import UNITS
from povtrack.output.notation import number_format, places, rounded, rounded_text
from povtrack.sheet import Column, Sheet


@pytest.mark.parametrize("unit", [u.code for u in UNITS.values() if u.integer])
def test_counts_of_things_are_whole(unit: str) -> None:
    assert places(unit) == 0
    assert rounded(111624.21, unit) == 111624
    assert isinstance(rounded(111624.21, unit), int)
    assert rounded_text(111624.5, unit) == "111,625"  # half away from zero, not to even
    assert rounded_text(2.5, unit) == "3"


def test_fractional_units_keep_their_places() -> None:
    assert rounded(52.04, "mu") == 52
    assert rounded(52.06, "mu") == 52.1
    assert rounded_text(121.79, "percent") == "121.8"
    assert rounded_text(1234567.891, "yuan") == "1,234,568"
    assert rounded(0.05, "kW") == 0.1  # 0.05 is 0.05000000000000000277 as a float: up
    assert places("no-such-unit") == 2
    assert rounded_text(52.022222, "") == "52.02"


def test_negative_figures_round_away_from_zero() -> None:
    assert rounded(-2.5, "people") == -3
    assert rounded_text(-1234.56, "mu") == "-1,234.6"


def test_number_format_shows_whole_figures_without_a_point() -> None:
    assert number_format(2, "people") == "#,##0"
    assert number_format(2.4, "people") == "#,##0"  # shown rounded: 2
    assert number_format(80.0, "percent") == "#,##0"
    assert number_format(52.5, "mu") == "#,##0.0"
    assert number_format(3.14159, "") == "#,##0.00"
    assert "#,##0.##" not in {number_format(v, "") for v in (1, 1.5, 1.25)}


def test_a_sheet_gives_each_cell_its_unit() -> None:
    columns = [
        Column("name", "名称", "Name"),
        Column("target", "目标", "Target", "number", unit_from="unit"),
        Column("area_mu", "面积", "Area", "number", unit="mu"),
    ]
    sheet = Sheet("t", "t", "t", columns)
    assert sheet.units({"unit": "people"}) == ["", "people", "mu"]
    assert sheet.units({}) == ["", "", "mu"]


def test_a_pace_to_keep_rounds_up_never_to_zero() -> None:
    assert rounded(0.421, "villages", up=True) == 1
    assert rounded(0.421, "villages") == 0
    assert rounded_text(3.01, "people", up=True) == "4"
    assert rounded_text(3.0, "people", up=True) == "3"  # a whole pace stays as it is
    assert rounded(52.01, "mu", up=True) == 52.1
    assert number_format(0.421, "villages", up=True) == "#,##0"


def test_the_status_sheet_rounds_the_needed_pace_up_in_html() -> None:
    from povtrack.output.notation import value_text

    needed = Column("needed_per_week", "每周需完成", "Needed per week", "number", round_up=True)
    assert value_text(needed, 0.421, "en", unit="villages") == "1"
    recent = Column("recent_per_week", "近期每周", "Recent per week", "number")
    assert value_text(recent, 0.421, "en", unit="villages") == "0"

"""The terminal views of ``check`` and ``missing`` and the status palette, on the demo data at
80, 100, 120 and 160 columns in Chinese and English: ``check`` and ``missing`` never split a
number and name the rules in Chinese; the states that need action stand out with colour and
without it. (The status table's layouts: test_screen_widths.py, whose demo and renderer these
tests share.)
"""

from __future__ import annotations

import itertools
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from rich.console import Console
from rich.style import Style

from povtrack.i18n import Labels
from povtrack.model import CHECK_IDS
from povtrack.output.screen.findings import RULE_NAMES, findings_table
from povtrack.output.screen.fit import pieces, wrap
from povtrack.output.screen.tables import STATUS_MARKS, THEME
from tests.output.test_screen_widths import LANGS, WIDTHS, demo, render, status_text

__all__ = ["demo"]  # the module-scoped fixture, shared


def findings_text(demo: dict[str, Any], lang: str, width: int, **kw: Any) -> str:
    def view(console: Console) -> Any:
        return findings_table(console, demo["plan"], demo["findings"], demo["as_of"], Labels(lang))

    return render(view, width, **kw)


def test_every_check_has_a_chinese_name() -> None:
    assert set(RULE_NAMES) >= set(CHECK_IDS)
    assert all(re.search(r"[\u4e00-\u9fff]", n) for n in RULE_NAMES.values())


@pytest.mark.parametrize("width", WIDTHS)
def test_check_in_chinese_names_its_rules_and_fits(demo, width: int) -> None:
    assert demo["findings"]  # the demo's warnings
    text = findings_text(demo, "zh", width)
    # each column's lines, joined: the rule's name, wrapped in its cell or not
    table = [ln.split("|")[1:-1] for ln in text.splitlines() if ln.startswith("| ")]
    columns = ["".join(row[k] for row in table).replace(" ", "") for k in range(len(table[0]))]
    for f in demo["findings"]:
        assert f.rule not in text
        assert any(RULE_NAMES[f.rule] in column for column in columns)
    assert all(cell_len(ln.rstrip()) <= width for ln in text.splitlines())


def _numbers_split(text: str) -> list[str]:
    """Line ends and starts that cut a number or date: a digit at the end of a cell line and
    a digit at the start of the same cell on the next line."""
    lines = text.splitlines()
    cut = []
    for above, below in itertools.pairwise(lines):
        if not (above.startswith("|") and below.startswith("|")):
            continue
        for a, b in zip(above.split("|"), below.split("|"), strict=False):
            if re.search(r"[\d,.\-–]$", a.rstrip()) and re.match(r"\s*[\d,.\-–%]", b):
                cut.append(f"{a.strip()} / {b.strip()}")
    return cut


@pytest.mark.parametrize("width", [80, 100])
@pytest.mark.parametrize("lang", LANGS)
def test_check_never_splits_a_number(demo, lang: str, width: int) -> None:
    text = findings_text(demo, lang, width)
    assert not _numbers_split(text), _numbers_split(text)
    for f in demo["findings"]:  # every figure of the explanation is whole on some line
        for number in re.findall(
            r"\d[\d,.–-]*\d|\d", Labels(lang).pick(f.explanation, f.explanation_en)
        ):
            assert number in text, number


def test_wrap_breaks_around_chinese_and_never_inside_a_number() -> None:
    text = "2018-06-03周增0人，超出本地区平常每周37–155的范围（中位数96，共16周）"
    for width in range(11, 30):  # room for the date beside a one-cell indent
        lines = [ln.plain.strip() for ln in wrap(text, width, indent=1)]
        assert "".join(lines) == text
        assert all(cell_len(ln.plain) <= width for ln in wrap(text, width, indent=1))
        for number in ("2018-06-03", "37–155", "96，"):  # a comma stays with its number
            assert any(number in ln for ln in lines), (width, lines)
        for above, below in itertools.pairwise(lines):  # no line break inside "16"
            assert not (above[-1].isdigit() and below[0].isdigit()), (width, lines)
        assert not any(ln.startswith(("，", "）")) for ln in lines)
    short = "共16周）"
    assert [short[a:b] for a, b in pieces(short)] == ["共", "16", "周）"]


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", LANGS)
def test_missing_fits_and_keeps_dates_whole(demo, lang: str, width: int) -> None:
    from povtrack.analysis.coverage import missing
    from povtrack.output.screen.coverage import missing_view

    store_plan = demo["plan"]

    def view(console: Console) -> Any:
        m = missing(store_plan, [], [], demo["as_of"])
        return missing_view(console, store_plan, m, Labels(lang))

    text = render(view, width)
    assert all(cell_len(ln.rstrip()) <= width for ln in text.splitlines())
    assert not _numbers_split(text)


# ---------------------------------------------------------------------------- palette

ACTION = ("overdue", "behind", "no_data")
QUIET = ("done", "on_track", "reported")


def _style(name: str) -> Style:
    return THEME.styles[name]


@pytest.mark.parametrize("status", ACTION)
def test_states_that_need_action_are_bold_on_a_background(status: str) -> None:
    s = _style(f"status.{status}")
    assert s.bold
    assert s.bgcolor is not None or s.reverse  # reads on light and dark terminals alike
    assert s.color is None or s.color.name not in ("yellow", "bright_yellow") or s.bgcolor


@pytest.mark.parametrize("status", QUIET)
def test_states_that_need_nothing_are_quieter(status: str) -> None:
    s = _style(f"status.{status}")
    assert not s.bold and s.bgcolor is None and not s.reverse
    assert not s.dim  # quiet, not hidden


@pytest.mark.parametrize("lang", LANGS)
def test_without_colour_the_words_carry_the_state(demo, lang: str) -> None:
    labels = Labels(lang)
    for kw in ({"no_color": True, "terminal": True}, {}):
        text = status_text(demo, lang, 120, **kw)
        for status, mark in STATUS_MARKS.items():
            if any(r.status == status for r in demo["rows"]):
                assert f"{mark} {labels(f'status.{status}')}" in text, (status, kw)
        for status in QUIET:
            assert f"! {labels(f'status.{status}')}" not in text
    # with colour the words are bare: the colour carries it
    coloured = status_text(demo, lang, 120, terminal=True)
    assert f"! {labels('status.behind')}" not in coloured


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(
    text=st.text(alphabet="ab 12-，（）光伏扶贫电站。“”\n", max_size=60),
    width=st.integers(min_value=1, max_value=30),
    indent=st.integers(min_value=0, max_value=6),
)
def test_counting_lines_agrees_with_wrapping(text: str, width: int, indent: int) -> None:
    """``needed`` counts lines without building them: the count is what ``wrap`` makes."""
    from povtrack.output.screen.fit import _count

    for part in text.split("\n"):
        cut = [(cell_len(part[a:b]), a, b) for a, b in pieces(part)]
        assert _count(part, cut, width, indent) == len(wrap(part, width, indent))

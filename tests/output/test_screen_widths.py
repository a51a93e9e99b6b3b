"""The terminal views on the demo data at 80, 100, 120 and 160 columns, in Chinese and
English, read as a person reads them: every line fits, a status row takes at most two lines at
80 columns, no two indicators show the same name, wrapped lines are indented under their
column, the target is shown beside the bar and the forecast, ``check`` and ``missing`` never
split a number and name the rules in Chinese, and the states that need action stand out with
colour and without it.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from povtrack.analysis.quality.check import run_checks
from povtrack.analysis.status import status_rows
from povtrack.i18n import Labels
from povtrack.output.screen.status import status_table
from povtrack.output.screen.tables import THEME, scope_label
from povtrack.storage import Database
from tests.helpers.built import built_once, in_process

WIDTHS = (80, 100, 120, 160)
LANGS = ("zh", "en")


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    def build(folder: Path) -> None:
        with in_process(folder) as run:
            result = run("demo", "--db", str(folder / "demo.json"))
            assert result.exit_code == 0, result.stderr

    folder = built_once(tmp_path_factory, "screen-demo", build)
    store = Database.open(folder / "demo.json")
    plan, entries = store.plan, store.entries()
    as_of = store.latest_date()
    rows = status_rows(plan, store.ledger(), store.allocations(), as_of)
    findings = run_checks(plan, entries, store.allocations(), as_of)
    return {"plan": plan, "rows": rows, "as_of": as_of, "findings": findings}


def render(view: Any, width: int, *, terminal: bool = False, no_color: bool = False) -> str:
    console = Console(
        width=width,
        record=True,
        force_terminal=terminal,
        color_system="standard" if terminal else None,
        no_color=no_color,
        theme=THEME,
        file=io.StringIO(),  # the recording is what is read
    )
    console.print(view(console))
    return console.export_text(styles=False)


def status_text(demo: dict[str, Any], lang: str, width: int, **kw: Any) -> str:
    """The status table as rendered; each layout once per module (several tests read the same
    one, and rendering 127 rows is the slow part)."""
    key = (lang, width, tuple(sorted(kw.items())))
    cache = demo.setdefault("status_texts", {})
    if key not in cache:
        forecast = kw.pop("forecast", False)

        def view(console: Console) -> Any:
            return status_table(
                console, demo["plan"], demo["rows"], demo["as_of"], Labels(lang), forecast=forecast
            )

        cache[key] = render(view, width, **kw)
    return cache[key]


def test_the_demo_has_names_that_share_their_first_characters(demo) -> None:
    # what made "光伏扶贫 …" ambiguous: the check below means something on this data
    names = {r.name for r in demo["rows"]}
    assert len([n for n in names if n.startswith("光伏扶贫")]) >= 2
    assert any(cell_len(r.name_en) > 60 for r in demo["rows"])


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("forecast", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_every_line_fits(demo, lang: str, width: int, forecast: bool, terminal: bool) -> None:
    text = status_text(demo, lang, width, forecast=forecast, terminal=terminal)
    too_wide = [ln for ln in text.splitlines() if cell_len(ln.rstrip()) > width]
    assert not too_wide, too_wide[:3]


def _has_figures(line: str) -> bool:
    return bool(re.search(r"\d%|—\s+\S", line))


def _scope_labels(demo: dict[str, Any], lang: str) -> set[str]:
    labels = Labels(lang)
    return {scope_label(demo["plan"], r.scope, r.scope_kind, labels) for r in demo["rows"]}


def _expected_names(demo: dict[str, Any], lang: str) -> list[str]:
    labels = Labels(lang)
    out = []
    for r in demo["rows"]:
        name = labels.pick(r.name, r.name_en)
        out.append(name + (f" ({labels('level.stretch')})" if r.level == "stretch" else ""))
    return out


def _join(parts: list[str], lang: str) -> str:
    return ("" if lang == "zh" else " ").join(p.strip() for p in parts)


def _grouped_rows(demo: dict[str, Any], lang: str, text: str) -> list[tuple[str, list[str]]]:
    """The grouped view read back: (the name shown above it, its lines) for every row. A
    name starts two cells in and goes on four cells in; a row starts four cells in with its
    scope's name and goes on five cells in (a long scope name wrapped)."""
    scopes = sorted(_scope_labels(demo, lang), key=len, reverse=True)
    lines = text.splitlines()
    rule = next(k for k, ln in enumerate(lines) if ln.strip() and set(ln.strip()) <= set("-─"))
    rows: list[tuple[str, list[str]]] = []
    name: list[str] = []
    in_name = False
    for ln in lines[rule + 1 :]:
        if re.match(r"\d+\. ", ln):  # a task's heading
            in_name = False
        elif re.match(r" {2}\S", ln):
            name, in_name = [ln], True
        elif re.match(r" {4}\S", ln) and any(ln[4:].startswith(s.split()[0]) for s in scopes):
            rows.append((_join(name, lang), [ln]))
            in_name = False
        elif re.match(r" {4}\S", ln) and in_name:
            name.append(ln)
        elif re.match(r" {5}\S", ln) and rows:
            rows[-1][1].append(ln)
        elif ln.strip():
            break  # the caption
    return rows


def _table_names(lang: str, text: str) -> list[str]:
    """The bordered table read back: every row's name, its first cell's lines joined. A
    row's name starts three cells in (padding and two cells under its task), its wrapped
    lines five."""
    names: list[str] = []
    for ln in text.splitlines():
        if not ln.startswith("| "):
            continue
        cell = ln.split("|")[1]
        if re.match(r" {3}\S", cell):
            names.append(cell.strip())
        elif re.match(r" {5}\S", cell):
            names[-1] = _join([names[-1], cell], lang)
    return names


@pytest.mark.parametrize("lang", LANGS)
def test_at_80_columns_a_row_takes_at_most_two_lines(demo, lang: str) -> None:
    text = status_text(demo, lang, 80)
    rows = _grouped_rows(demo, lang, text)
    assert len(rows) == len(demo["rows"])
    tall = [ls for _, ls in rows if len(ls) > 2]
    assert not tall, tall[:3]
    # a name above its rows is shared by them: all told no more than two lines a row
    assert len(text.splitlines()) <= 2 * len(demo["rows"])


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_no_two_indicators_show_the_same_name(demo, lang: str, width: int) -> None:
    text = status_text(demo, lang, width)
    expected = _expected_names(demo, lang)
    if text.splitlines()[1].startswith("+"):  # the bordered table: a name on every row
        shown = _table_names(lang, text)
    else:
        shown = [name for name, _ in _grouped_rows(demo, lang, text)]
    assert shown == expected  # every row under its indicator's whole name
    indicators: dict[str, set[str]] = {}
    for r, name in zip(demo["rows"], shown, strict=True):
        indicators.setdefault(name, set()).add(r.indicator)
    assert all(len(ids) == 1 for ids in indicators.values())


@pytest.mark.parametrize("width", [80, 160])
@pytest.mark.parametrize("lang", LANGS)
def test_wrapped_lines_are_indented_under_their_column(demo, lang: str, width: int) -> None:
    text = status_text(demo, lang, width, forecast=True)
    lines = text.splitlines()
    if lines[1].startswith("+"):  # the bordered table
        start = next(k for k, ln in enumerate(lines) if ln.startswith("|-"))  # below the heads
        for ln in lines[start:]:
            if not ln.startswith("| "):
                continue
            name, scope = ln.split("|")[1:3]
            # a task, a name (two cells under the task), or a name's next line (four)
            assert re.match(r" (\d+\. | {2}\S| {4}\S|\s*$)", name), ln
            if not name.strip() and scope.strip():  # a scope's next line: one cell in
                assert scope.startswith("  "), ln
    else:
        rule = next(k for k, ln in enumerate(lines) if ln.strip() and set(ln.strip()) <= set("-─"))
        body = lines[rule + 1 : -1]  # to the caption
        assert body
        for ln in body:  # only a task's heading starts at column 0
            assert re.match(r"\d+\. ", ln) or ln.startswith("  "), ln


@pytest.mark.parametrize("forecast", [False, True])
@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("lang", LANGS)
def test_the_target_stays_beside_the_bar_and_the_forecast(
    demo, lang: str, width: int, forecast: bool
) -> None:
    labels = Labels(lang)
    text = status_text(demo, lang, width, forecast=forecast)
    head = "\n".join(text.splitlines()[:6])
    assert labels("target") in head
    bar_shown = "#####" in text or "|----" in text
    forecast_shown = labels("needed_per_week") in head.replace("\n", "")
    assert bar_shown or forecast_shown or width == 80
    if forecast:
        assert forecast_shown or labels("projected_date")[:4] in head


@pytest.mark.parametrize("lang", LANGS)
def test_wide_terminals_keep_the_bar_and_the_due_date(demo, lang: str) -> None:
    labels = Labels(lang)
    text = status_text(demo, lang, 160)
    assert labels("due") in text and "#####" in text

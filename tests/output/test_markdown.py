"""Markdown by display width: table columns and the report's text chart line up in terminal
cells (a Chinese character takes two), the bar tells 44 % from 51 %, the drawing is ASCII, a
one-page sheet (the board) stays narrow with a key, and the legend is printed. Widths are
measured here with ``notation.display_width`` only to check the files."""

from __future__ import annotations

import itertools
import re
import unicodedata

import pytest

from povtrack.output.files import sheet_bytes
from povtrack.output.notation import display_width
from povtrack.output.report import Bar, Chart
from povtrack.output.report_md import BAR_CELLS, _text_chart, bar
from tests.helpers.formats import _sheet
from tests.helpers.sheets import board_like, status_like


def _tables(text: str) -> list[list[str]]:
    """Each table's lines, in order."""
    tables: list[list[str]] = []
    previous = False
    for line in text.splitlines():
        if line.startswith("|"):
            if not previous:
                tables.append([])
            tables[-1].append(line)
        previous = line.startswith("|")
    return tables


def _pipes(line: str) -> list[int]:
    """The display columns at which the line's cell separators (unescaped pipes) stand."""
    out, col, i = [], 0, 0
    while i < len(line):
        ch = line[i]
        if ch == "\\" and i + 1 < len(line):
            col += display_width(line[i : i + 2])
            i += 2
            continue
        if ch == "|":
            out.append(col)
        col += display_width(ch)
        i += 1
    return out


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("make", [_sheet, status_like, lambda: board_like("zh")])
def test_table_columns_line_up_by_display_width(lang: str, make) -> None:
    text = sheet_bytes([make()], "md", lang=lang).decode("utf-8")
    (table,) = _tables(text)
    assert any(display_width(line) != len(line) for line in table)  # Chinese in the table
    first = _pipes(table[0])
    assert len(first) == len(make().columns) + 1
    for line in table:
        assert _pipes(line) == first, line


def test_figures_right_aligned_text_left_aligned() -> None:
    text = sheet_bytes([status_like()], "md", lang="zh").decode("utf-8")
    _header, rule, *rows = _tables(text)[0]
    rules = [c.strip() for c in rule.strip("|").split("|")]
    assert [r.endswith(":") for r in rules] == [False] * 3 + [True] * 3 + [False] * 2 + [True]
    for line in rows:
        cells = re.split(r"(?<!\\)\|", line)[1:-1]
        target, name = cells[3], cells[1]
        assert target.endswith(" ") and not target.endswith("  ")  # padded on the left
        assert name.startswith(" ") and not name.startswith("  ")  # padded on the right


def test_a_one_page_sheet_is_narrow_with_a_key_and_its_legend() -> None:
    sheet = board_like("zh")
    text = sheet_bytes([sheet], "md", lang="zh").decode("utf-8")
    header = _tables(text)[0][0]
    heads = [c.strip() for c in header.strip("|").split("|")]
    assert heads == ["地区", *(str(n) for n in range(11))]
    key = next(line for line in text.splitlines() if line.startswith("列："))
    for n in range(11):
        assert f"{n} 任务{n}号" in key
    pipes = _pipes(header)
    widths = [right - left - 3 for left, right in itertools.pairwise(pipes)]
    assert sheet.total is not None
    for n in range(11):  # a task column is as wide as its widest cell, never its name
        widest = max(display_width(r[f"t{n}"]) for r in [*sheet.rows, sheet.total])
        assert widths[1 + n] == max(widest, 3), n
    after = text[text.index(key) :]
    for line in sheet.legend:
        assert f"- {line}" in after
    # a sheet that is not one page keeps its headings
    plain = sheet_bytes([status_like()], "md", lang="zh").decode("utf-8")
    assert "列：" not in plain and "完成进度" in plain


@pytest.mark.parametrize("progress", [0.44, 0.51])
def test_the_bar_shows_progress_in_cells_of_two_and_a_half_percent(progress: float) -> None:
    drawn = bar(progress, 0.497)
    assert len(drawn) == BAR_CELLS + 1 and drawn.count("|") == 1
    assert drawn.count("#") == round(progress * BAR_CELLS)
    assert set(drawn) <= {"#", ".", "|"}


def test_the_bar_tells_44_from_51_percent() -> None:
    behind, ahead = bar(0.44, 0.497), bar(0.51, 0.497)
    assert behind != ahead
    assert behind.index("|") > behind.rindex("#") + 1  # a gap before the pace: behind
    assert ahead.rindex("#") < ahead.index("|") or ahead[ahead.index("|") + 1] == "#"
    assert ahead.index("|") == behind.index("|")  # the same pace, the same place
    # any two figures 5 points apart draw differently
    for p in range(0, 96):
        assert bar(p / 100, 0.5) != bar((p + 5) / 100, 0.5), p


def test_the_bar_without_data_or_pace_and_beyond_the_target() -> None:
    assert bar(None, 0.5) == "." * 20 + "|" + "." * 20
    assert bar(0.3, None) == "#" * 12 + "." * 28
    assert bar(1.4, 1.0) == "#" * BAR_CELLS + "|"


def _chart() -> Chart:
    return Chart(
        "task0",
        "0",
        "0",
        [
            Bar("退出贫困村 · 大同市", 0.543, 0.497, "on_track"),
            Bar("“责任双签”市直单位 · 大同市", None, 0.497, "no_data"),
            Bar("Poor villages exited · Xinrong District", 0.444, 0.497, "behind"),
            Bar("Municipal units in the responsibility double-sign · Datong City", 0.51, 0.5, "x"),
        ],
    )


@pytest.mark.parametrize("pick", [0, 1])
def test_the_text_chart_lines_up_in_terminal_cells_and_draws_in_ascii(pick: int) -> None:
    lines = _text_chart(_chart(), pick)
    drawn = [ln for ln in lines[2:] if not ln.startswith("  ")]
    assert len(drawn) == 4
    starts = set()
    for line in drawn:
        m = re.search(r"  ([#.|]{40,41}) +(\S+)$", line)
        assert m, line
        starts.add(display_width(line[: m.start(1)]))
        assert m.group(2) in ("54.3%", "--", "44.4%", "51%")
    assert len(starts) == 1  # every bar begins at the same terminal column
    for line in lines:
        for ch in line:
            # no ambiguous-width sign (drawn one or two cells wide depending on the terminal)
            assert unicodedata.east_asian_width(ch) != "A", (ch, line)
    assert all(ord(ch) < 128 for ln in drawn for ch in ln.split("  ")[-1])


def test_the_report_markdown_chart_blocks_line_up(tmp_path, run) -> None:
    db = str(tmp_path / "demo.json")
    assert run("demo", "--db", db).exit_code == 0
    for lang in ("zh", "en"):
        out = tmp_path / f"r-{lang}.md"
        result = run("report", "--format", "md", "--lang", lang, "-o", str(out), "--db", db)
        assert result.exit_code == 0, result.stderr
        text = out.read_text("utf-8")
        blocks = re.findall(r"^```text\n(.*?)^```$", text, flags=re.S | re.M)
        assert blocks
        for block in blocks:
            starts = {
                display_width(ln[: m.start()])
                for ln in block.splitlines()
                if (m := re.search(r"  [#.|]{40,41} ", ln))
            }
            assert len(starts) == 1, block
            for ch in block:
                assert unicodedata.east_asian_width(ch) != "A", ch
        assert "52.022222" not in text and "111,624.214" not in text

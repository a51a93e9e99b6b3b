"""`povtrack diff`: what changed between two dates, worked out by hand.

The planted data (ISO week N's Sunday: W10 -> 2018-03-11, W11 -> 03-18, W12 -> 03-25):

- dangerous houses, allocated: Yanggao 100, Tianzhen 200 (due 2018-12-31, the city target's);
- Yanggao reports 10 (W10) and 100 (W12); Tianzhen 60 (W10) and 80 (W12);
- Lingqiu reports jobs placed, 5, in W11 only.

Expected pace (start 2018-01-01, due 2018-12-31 = 364 days): on 03-18 (76 days) 0.2088, so
on track needs 0.9 x 0.2088 = 0.1879; on 03-25 (83 days) 0.2280, on track from 0.2052.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from rich.cells import cell_len
from rich.console import Console

from povtrack.analysis.trend import diff
from povtrack.i18n import Labels
from povtrack.output.screen.tables import THEME
from povtrack.output.screen.trend import diff_view
from povtrack.storage import Database
from tests.helpers.built import prepared_database
from tests.helpers.cli import DANGEROUS, ok_json

PLACED = "jobs.placed"  # city target 20000 people
COUNTIES = [
    "pingcheng",
    "yungang",
    "xinrong",
    "yunzhou",
    "yanggao",
    "tianzhen",
    "guangling",
    "lingqiu",
    "hunyuan",
    "zuoyun",
]


def week(run, indicator: str, value: str, area: str, iso: str) -> None:
    result = run("record", indicator, value, "--area", area, "--week", iso)
    assert result.exit_code == 0, result.stderr


def _plant(run, folder: Path) -> None:
    assert run("init").exit_code == 0
    for area, value in (("yanggao", "100"), ("tianzhen", "200")):
        assert run("target", "set", DANGEROUS, value, "--area", area).exit_code == 0
    week(run, DANGEROUS, "10", "yanggao", "2018-W10")
    week(run, DANGEROUS, "60", "tianzhen", "2018-W10")
    week(run, PLACED, "5", "lingqiu", "2018-W11")
    week(run, DANGEROUS, "100", "yanggao", "2018-W12")
    week(run, DANGEROUS, "80", "tianzhen", "2018-W12")


planted = prepared_database("diff-planted", _plant)  # built once, copied into each test


def test_default_period_is_the_week_before_the_newest_entry(run, planted) -> None:
    data = ok_json(run("diff", "--json"))
    assert (data["since"], data["as_of"]) == ("2018-03-18", "2018-03-25")


def test_the_status_change_is_found(run, planted) -> None:
    data = ok_json(run("diff", "--json"))
    # Yanggao: 10/100 = 0.10 < 0.1879 on 03-18: behind; 100/100 on 03-25: done.
    # Tianzhen stays on track (0.30, then 0.40); the city stays behind (70, then 180 of 17554);
    # jobs placed stays behind (5 of 20000 on both dates).
    [change] = data["status_changes"]
    assert (change["indicator"], change["scope"]) == (DANGEROUS, "yanggao")
    assert (change["old_status"], change["new_status"]) == ("behind", "done")
    assert (change["old_actual"], change["new_actual"]) == (10, 100)
    assert (change["old_progress"], change["new_progress"]) == (0.1, 1)
    assert change["target"] == 100


def test_movers_are_ordered_by_the_change_in_progress(run, planted) -> None:
    data = ok_json(run("diff", "--json"))
    got = [(m["scope"], m["progress_change"], m["actual_change"]) for m in data["movers"]]
    assert got == [
        ("yanggao", 0.9, 90),  # 0.10 -> 1.00
        ("tianzhen", 0.1, 20),  # 0.30 -> 0.40
        ("datong", round(110 / 17554, 6), 110),  # 70 -> 180 of 17554: 0.006266
    ]  # jobs placed did not move (5 -> 5): not a mover
    assert all(m["indicator"] == DANGEROUS for m in data["movers"])
    assert data["movers"][0]["status"] == "done"
    assert data["movers"][0]["unit"] == "households"


def test_silent_areas(run, planted) -> None:
    data = ok_json(run("diff", "--json"))
    silent = {s["area"]: s for s in data["silent_areas"]}
    # (03-18, 03-25]: only Yanggao and Tianzhen reported; never the city itself
    assert list(silent) == [a for a in COUNTIES if a not in ("yanggao", "tianzhen")]
    assert silent["lingqiu"] == {
        "area": "lingqiu",
        "name": "灵丘县",
        "name_en": "Lingqiu County",
        "kind": "county",
        "last_reported": "2018-03-18",
        "previous_indicators": 1,  # jobs placed, in (03-11, 03-18]
    }
    assert silent["hunyuan"]["last_reported"] is None
    assert silent["hunyuan"]["previous_indicators"] == 0


def test_weeks_widens_the_period(run, planted) -> None:
    data = ok_json(run("diff", "--weeks", "2", "--json"))
    assert (data["since"], data["as_of"]) == ("2018-03-11", "2018-03-25")
    # Lingqiu reported on 03-18, inside (03-11, 03-25]
    assert "lingqiu" not in [s["area"] for s in data["silent_areas"]]
    # on 03-11 Yanggao was behind too (0.10 < 0.9 x 69/364 = 0.1706), and jobs placed had
    # no data yet (Lingqiu's first report is 03-18): in plan order, task 2 before task 4
    got = [
        (c["indicator"], c["scope"], c["old_status"], c["new_status"])
        for c in data["status_changes"]
    ]
    assert got == [
        (DANGEROUS, "yanggao", "behind", "done"),
        (PLACED, "datong", "no_data", "behind"),
    ]


@pytest.mark.parametrize(
    ("args", "since", "as_of"),
    [
        (("--since", "2018-W11"), "2018-03-18", "2018-03-25"),
        (("--since", "2018-03-11"), "2018-03-11", "2018-03-25"),
        (("--since", "2018-03-11", "--as-of", "2018-03-18"), "2018-03-11", "2018-03-18"),
        (("--weeks", "1", "--as-of", "2018-W11"), "2018-03-11", "2018-03-18"),
        (("--weeks", "3"), "2018-03-04", "2018-03-25"),
    ],
)
def test_since_and_weeks(run, planted, args, since: str, as_of: str) -> None:
    data = ok_json(run("diff", *args, "--json"))
    assert (data["since"], data["as_of"]) == (since, as_of)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--since", "2018-03-11", "--weeks", "2"), "give --since or --weeks, not both"),
        (("--since", "2018-03-25"), "is not before --as-of"),  # an empty period
        (("--since", "2018-W13", "--as-of", "2018-W12"), "is not before --as-of"),
        (("--since", "2017-12-01"), "before the plan starts"),
        (("--since", "someday"), "not a date"),
        (("--weeks", "0"), ""),  # Typer's own range check
        (("--section", "all"), "not one of changes, movers, silent"),
        (("--format", "csv"), "diff has three tables"),
    ],
)
def test_usage_errors_exit_2(run, planted, args, message: str) -> None:
    result = run("diff", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert result.stdout == ""


def test_empty_database(run, initialised) -> None:
    # as of the plan's start; a week before it there is nothing either
    data = ok_json(run("diff", "--json"))
    assert (data["since"], data["as_of"]) == ("2017-12-25", "2018-01-01")
    assert data["status_changes"] == [] and data["movers"] == []
    assert [s["area"] for s in data["silent_areas"]] == COUNTIES


def test_at_most_ten_movers(run, initialised) -> None:
    # eleven areas move: each reports 1% of an allocation of 100, then 2% ... 12%
    for n, area in enumerate(COUNTIES):
        assert run("target", "set", DANGEROUS, "100", "--area", area).exit_code == 0
        week(run, DANGEROUS, "1", area, "2018-W10")
        week(run, DANGEROUS, str(2 + n), area, "2018-W11")
    movers = ok_json(run("diff", "--json"))["movers"]
    assert len(movers) == 10
    # largest first: zuoyun +0.10 (1 -> 11), hunyuan +0.09, ...; the city (+0.0037) is 11th
    assert [m["scope"] for m in movers] == list(reversed(COUNTIES))


# ---------------------------------------------------------------------------- the screen


def test_screen(run, planted) -> None:
    result = run("diff")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Changes 2018-03-18 to 2018-03-25 (7 days)" in out
    assert "Status changes (1)" in out
    assert "behind" in out and "done" in out
    assert "10% -> 100%" in out and "+90 pts" in out and "+90 households" in out
    assert "Counties and districts that reported nothing (8)" in out
    assert "Lingqiu County" in out and "never" in out


def test_section_limits_the_screen(run, planted) -> None:
    out = run("diff", "--section", "silent").stdout
    assert "reported nothing" in out
    assert "Status changes" not in out and "movers" not in out


def _render(db_path, width: int, lang: str) -> str:
    store = Database.open(db_path)
    d = diff(store.plan, store.entries(), store.allocations(), date(2018, 3, 11), date(2018, 3, 25))
    out = io.StringIO()
    console = Console(
        width=width, no_color=True, color_system=None, file=out, theme=THEME,
        force_terminal=False,
    )  # fmt: skip
    console.print(diff_view(console, store.plan, d, Labels(lang)))
    return out.getvalue()


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_renders_within_the_width(run, planted, db_path, width: int, lang: str) -> None:
    text = _render(db_path, width, lang)
    lines = text.splitlines()
    assert max(cell_len(ln.rstrip()) for ln in lines) <= width
    tables = [ln for ln in lines if ln.startswith(("|", "+"))]
    assert len(tables) > 10
    # every table's lines have one width (CJK names counted two cells each)
    blocks: list[list[str]] = [[]]
    for ln in lines:
        if ln.startswith(("|", "+")):
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):
        assert len({cell_len(ln.rstrip()) for ln in block}) == 1


# ---------------------------------------------------------------------------- exports


def test_csv_of_one_section_is_the_json(run, planted) -> None:
    pytest.importorskip("povtrack.output.files")
    data = ok_json(run("diff", "--json"))
    result = run("diff", "--format", "csv", "--section", "movers")
    assert result.exit_code == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout.lstrip("\ufeff"))))
    assert len(rows) == len(data["movers"]) == 3
    for got, m in zip(rows, data["movers"], strict=True):
        assert got["Indicator id"] == m["indicator"]
        assert got["Scope id"] == m["scope"]
        assert got["Scope"] == m["scope_name_en"]
        assert float(got["Progress change"]) == m["progress_change"]  # a fraction, as JSON
        assert float(got["Change in actual"]) == m["actual_change"]
        assert got["Status"] == m["status"].replace("_", " ")


def test_xlsx_has_three_sheets_holding_the_json(run, planted, tmp_path) -> None:
    pytest.importorskip("povtrack.output.files")
    openpyxl = pytest.importorskip("openpyxl")
    data = ok_json(run("diff", "--json"))
    path = tmp_path / "diff.xlsx"
    result = run("diff", "-o", str(path))
    assert result.exit_code == 0, result.stderr
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["changes", "movers", "silent", "About"]  # notes on About

    def table(name: str, n: int) -> list[dict]:
        ws = wb[name]
        head = [c.value for c in ws[1]]
        return [
            dict(zip(head, r, strict=True))
            for r in ws.iter_rows(min_row=2, max_row=1 + n, values_only=True)
        ]

    [change] = table("changes", len(data["status_changes"]))
    assert (change["Old status"], change["New status"]) == ("behind", "done")
    assert (change["Old actual"], change["New actual"]) == (10, 100)
    movers = table("movers", len(data["movers"]))
    assert [(m["Scope id"], m["Progress change"]) for m in movers] == [
        (m["scope"], m["progress_change"]) for m in data["movers"]
    ]
    silent = table("silent", len(data["silent_areas"]))
    assert [s["Area id"] for s in silent] == [s["area"] for s in data["silent_areas"]]
    lingqiu = next(s for s in silent if s["Area id"] == "lingqiu")
    assert lingqiu["Last reported"].date().isoformat() == "2018-03-18"
    assert lingqiu["Indicators reported before"] == 1

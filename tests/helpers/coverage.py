"""Shared by analysis/test_missing.py and analysis/test_completeness.py: a tiny plan, planted
entries and the ``planted`` and ``bundled`` fixtures (import them into a test module as
``planted = helpers_coverage.planted`` so pytest finds them there), and the width helpers.

A tiny plan (PLAN below): the city `metro`, counties `north` and `south`, district `east`;
group `pair` = north + south. Indicators, in plan order, and who owes them:

- people (city target), trained (increment, city target), visits (activity), funds (city
  target): city-wide — every county and district once some county or district reported them;
- exited, poor: the parts of exit_rate, a ratio targeted on north only -> north;
- coverage (a rate, each member of pair), delisted (milestone, each member), roads (pair in
  total) -> north and south.

Planted entries (ISO week N's Sunday: W10 -> 2018-03-11, W11 -> 03-18; W12 is 03-19..03-25):

  W10  north people 100, exited 2, poor 10;  south people 50, trained 20
  W11  north people 150, coverage 40, delisted 0, roads 3;  south people 0;  east visits 2;
       metro funds 5000 (the city's own entry: funds stays unowed)
  W12  south roads 1 on 2018-03-20

City-wide by the end of W10: people, trained; from W11 also visits; funds never.
Owed:       W10  north 5+2=7, south 3+2=5, east 2;   W11/W12  north 8, south 6, east 3.
Reported:   W10  north 3 (people, exited, poor), south 2, east 0      -> 5/14
            W11  north 4 (people, coverage, delisted, roads), south 1 (people: a 0 is
                 a report), east 1 (visits)                           -> 6/17
            W12  north 0, south 1 (roads), east 0                     -> 1/17
Totals:     north 7/23, south 4/17, east 1/8; all 12/48 = 0.25.

Recorded (set by hand in the file): every entry the day after its date, except north people
W10 on 2018-03-30 (19 days: late), south people W11 on 2018-04-02 (15 days: late) and east
visits W11 on 2018-04-01 (14 days: not late).

``bundled``: the bundled plan (long Chinese and English names) with a few weeks of reports.
"""

from __future__ import annotations

import io
import json
from datetime import date, timedelta
from pathlib import Path

from rich.cells import cell_len
from rich.console import Console

from povtrack.output.screen.tables import THEME
from tests.helpers.built import prepared_database
from tests.helpers.db import edit_entry, entry_docs
from tests.helpers.progress import HEADER

# the tiny plan of the progress tests (a city, two counties and a district, one group),
# with the indicators these tests need
PLAN = (
    HEADER
    + """
[[indicators]]
id = "people"
task = 1
name = "脱贫人口"
name_en = "People lifted out"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 1000

[[indicators]]
id = "trained"
task = 1
name = "培训"
name_en = "Trained"
unit = "people"
reporting = "increment"
[[indicators.targets]]
scope = "metro"
value = 400

[[indicators]]
id = "exited"
task = 1
name = "退出村"
name_en = "Villages exited"
unit = "villages"

[[indicators]]
id = "poor"
task = 1
name = "贫困村"
name_en = "Poor villages"
unit = "villages"

[[indicators]]
id = "exit_rate"
task = 1
name = "退出率"
name_en = "Exit rate"
unit = "percent"
kind = "ratio"
numerator = "exited"
denominator = "poor"
[[indicators.targets]]
scope = "north"
value = 80

[[indicators]]
id = "coverage"
task = 1
name = "覆盖率"
name_en = "Coverage"
unit = "percent"
[[indicators.targets]]
scope = "pair"
each = true
value = 90

[[indicators]]
id = "delisted"
task = 1
name = "摘帽"
name_en = "Delisted"
unit = "counties"
kind = "milestone"
[[indicators.targets]]
scope = "pair"
each = true
value = 1

[[indicators]]
id = "visits"
task = 1
name = "走访"
name_en = "Visits"
unit = "events"
kind = "activity"
reporting = "increment"

[[indicators]]
id = "roads"
task = 1
name = "道路"
name_en = "Roads"
unit = "projects"
[[indicators.targets]]
scope = "pair"
value = 10

[[indicators]]
id = "funds"
task = 1
name = "资金"
name_en = "Funds"
unit = "yuan"
[[indicators.targets]]
scope = "metro"
value = 1000000
"""
)

PLANTED = [  # indicator, value, area, --week or --date
    ("people", "100", "north", "2018-W10"),
    ("exited", "2", "north", "2018-W10"),
    ("poor", "10", "north", "2018-W10"),
    ("people", "50", "south", "2018-W10"),
    ("trained", "20", "south", "2018-W10"),
    ("people", "150", "north", "2018-W11"),
    ("coverage", "40", "north", "2018-W11"),
    ("delisted", "0", "north", "2018-W11"),
    ("roads", "3", "north", "2018-W11"),
    ("people", "0", "south", "2018-W11"),
    ("visits", "2", "east", "2018-W11"),
    ("funds", "5000", "metro", "2018-W11"),
    ("roads", "1", "south", "2018-03-20"),
]

# (indicator, area, date) -> when it was recorded; every other entry: the day after its date
RECORDED = {
    ("people", "north", "2018-03-11"): "2018-03-30T10:00:00+00:00",
    ("people", "south", "2018-03-18"): "2018-04-02T10:00:00+00:00",
    ("visits", "east", "2018-03-18"): "2018-04-01T23:00:00+00:00",
}


def _record(run, indicator: str, value: str, area: str, when: str) -> None:
    flag = "--week" if "W" in when else "--date"
    result = run("record", indicator, value, "--area", area, flag, when)
    assert result.exit_code == 0, result.stderr


def _set_recorded(db_path: Path) -> None:
    """Rewrite recorded_at in the file by hand, as if each entry had been typed in on time."""
    data = json.loads(db_path.read_text(encoding="utf-8"))
    for entry_id, doc in entry_docs(data).items():
        key = (doc["indicator"], doc["area"], doc["date"])
        default = date.fromisoformat(doc["date"]) + timedelta(days=1)
        recorded = RECORDED.get(key, f"{default.isoformat()}T09:00:00+00:00")
        edit_entry(data, entry_id, recorded_at=recorded)
    db_path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _plant(run, folder: Path) -> None:
    plan = folder / "cov.toml"
    plan.write_text(PLAN, encoding="utf-8")
    assert run("init", "--plan", str(plan)).exit_code == 0
    for row in PLANTED:
        _record(run, *row)
    _set_recorded(folder / "db.json")


planted = prepared_database("coverage-planted", _plant)  # built once, copied into each test


# ---------------------------------------------------------------------------- widths


def _console(width: int) -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    console = Console(
        width=width, no_color=True, color_system=None, file=out, theme=THEME,
        force_terminal=False,
    )  # fmt: skip
    return console, out


def _bundled(run, folder: Path) -> None:
    """The bundled plan (long Chinese and English names), a few weeks of reports."""
    assert run("init").exit_code == 0
    for area in ("阳高县", "天镇县", "平城区"):
        for week, value in (("2018-W20", "10"), ("2018-W22", "20")):
            _record(run, "housing.dangerous_houses", value, area, week)
            _record(run, "welfare.dibao_eligible", value, area, week)
    _record(run, "jobs.trained", "5", "左云县", "2018-W21")


bundled = prepared_database("coverage-bundled", _bundled)  # built once, copied into each test


def _assert_fits(text: str, width: int) -> None:
    lines = text.splitlines()
    assert max(cell_len(ln.rstrip()) for ln in lines) <= width
    blocks: list[list[str]] = [[]]
    for ln in lines:
        if ln.startswith(("|", "+")):
            blocks[-1].append(ln)
        elif blocks[-1]:
            blocks.append([])
    for block in (b for b in blocks if b):  # every table's lines have one width
        assert len({cell_len(ln.rstrip()) for ln in block}) == 1

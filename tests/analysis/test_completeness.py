"""`povtrack completeness` and late entries: the per-week rates, totals and late counts worked
out by hand on the planted entries of helpers/coverage.py (its docstring lists them), the
screen and its colours, CSV and XLSX read back, late_entries()/is_late() as pure functions, and
the grid fitting 80 and 120 columns.
"""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

import povtrack.cli  # noqa: F401  (registers every command)
from povtrack.analysis.coverage import Tally, completeness, is_late, late_entries, missing
from povtrack.i18n import Labels
from povtrack.model import Entry
from povtrack.output.screen.coverage import completeness_view, rate_style, rate_text
from povtrack.storage import Database
from tests.helpers import coverage as helpers_coverage
from tests.helpers.cli import ok_json
from tests.helpers.coverage import _assert_fits, _console
from tests.helpers.readback import about

planted = helpers_coverage.planted  # the fixture, found by pytest under this name
bundled = helpers_coverage.bundled  # the fixture, found by pytest under this name


# ---------------------------------------------------------------------------- completeness


def _cell(reported: int, expected: int, late: int = 0) -> dict:
    rate = None if expected == 0 else round(reported / expected, 6)
    return {"reported": reported, "expected": expected, "rate": rate, "late": late}


def test_completeness_rates_and_totals(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "3", "--as-of", "2018-W12", "--json"))
    assert data["as_of"] == "2018-03-25"
    assert data["weeks"] == ["2018-W10", "2018-W11", "2018-W12"]
    assert data["periods"]["2018-W12"] == {"from": "2018-03-19", "to": "2018-03-25"}
    rows = {r["area"]: r for r in data["rows"]}
    assert list(rows) == ["north", "south", "east"]
    assert rows["north"]["cells"] == {
        "2018-W10": _cell(3, 7, late=1),
        "2018-W11": _cell(4, 8),
        "2018-W12": _cell(0, 8),
    }
    assert rows["north"]["cells"]["2018-W10"]["rate"] == 0.428571
    assert rows["south"]["cells"] == {
        "2018-W10": _cell(2, 5),
        "2018-W11": _cell(1, 6, late=1),
        "2018-W12": _cell(1, 6),
    }
    assert rows["east"]["cells"] == {
        "2018-W10": _cell(0, 2),
        "2018-W11": _cell(1, 3),
        "2018-W12": _cell(0, 3),
    }
    assert rows["north"]["total"] == _cell(7, 23, late=1)
    assert rows["south"]["total"] == _cell(4, 17, late=1)
    assert rows["east"]["total"] == _cell(1, 8)
    total = data["total"]
    assert (total["area"], total["name"], total["name_en"]) == (None, "合计", "Total")
    assert total["cells"] == {
        "2018-W10": _cell(5, 14, late=1),
        "2018-W11": _cell(6, 17, late=1),
        "2018-W12": _cell(1, 17),
    }
    assert total["total"] == {"reported": 12, "expected": 48, "rate": 0.25, "late": 2}


def test_no_expectation_is_none_not_zero(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "4", "--as-of", "2018-W12", "--json"))
    assert data["weeks"][0] == "2018-W09"
    east = next(r for r in data["rows"] if r["area"] == "east")
    assert east["cells"]["2018-W09"] == {"reported": 0, "expected": 0, "rate": None, "late": 0}
    north = next(r for r in data["rows"] if r["area"] == "north")
    assert north["cells"]["2018-W09"] == _cell(0, 5)  # owed by target, nothing reported: 0 %


def test_the_default_as_of_cuts_the_last_week(run, planted) -> None:
    data = ok_json(run("completeness", "--json"))
    assert data["as_of"] == "2018-03-20"  # the newest entry's date
    assert data["weeks"][-1] == "2018-W12"
    assert data["periods"]["2018-W12"] == {"from": "2018-03-19", "to": "2018-03-20"}
    # 8 weeks back from W12 is W05; the plan starts in W01, so all eight are there
    assert data["weeks"] == [f"2018-W{n:02d}" for n in range(5, 13)]
    south = next(r for r in data["rows"] if r["area"] == "south")
    assert south["cells"]["2018-W12"] == _cell(1, 6)


def test_weeks_before_the_plan_are_left_out(run, planted) -> None:
    data = ok_json(run("completeness", "--weeks", "20", "--as-of", "2018-01-10", "--json"))
    assert data["weeks"] == ["2018-W01", "2018-W02"]


def test_completeness_screen_and_colours(run, planted) -> None:
    result = run("completeness", "--weeks", "3", "--as-of", "2018-W12")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Reporting completeness 2018-W10 to 2018-W12 (as of 2018-03-25)" in out
    north = next(ln for ln in out.splitlines() if "North County" in ln)
    assert [c.strip() for c in north.split("|")[2:-1]] == ["42%", "50%", "0%", "30%", "1"]
    total = [ln for ln in out.splitlines() if ln.startswith("| Total")][-1]
    assert [c.strip() for c in total.split("|")[2:-1]] == ["35%", "35%", "5%", "25%", "2"]


def test_rate_colours() -> None:
    assert rate_style(0.9) == "green" and rate_style(1.0) == "green"
    assert rate_style(0.8999) == "yellow" and rate_style(0.5) == "yellow"
    assert rate_style(0.4999) == "red" and rate_style(0.0) == "red"
    assert rate_style(None) == "muted"
    assert rate_text(Tally(0, 0)).plain == "—"
    assert rate_text(Tally(199, 200)).plain == "99%"  # never 100% while one is missing
    assert rate_text(Tally(3, 3)).plain == "100%"


KEYS3 = ("reported", "expected", "late")


def test_completeness_csv_and_xlsx_read_back_equal_the_json(run, planted, tmp_path) -> None:
    data = ok_json(run("completeness", "--weeks", "3", "--as-of", "2018-W12", "--json"))
    args = ("completeness", "--weeks", "3", "--as-of", "2018-W12")
    result = run(*args, "--format", "csv")
    assert result.exit_code == 0, result.stderr
    table = list(csv.reader(io.StringIO(result.stdout_bytes.decode("utf-8-sig"), newline="")))
    header, body = table[0], table[1:]
    weeks = data["weeks"]
    assert header == ["Area id", "Area", *weeks, "Total rate", "Reported", "Expected", "Late"]
    assert len(body) == len(data["rows"])  # CSV: the rows only, no total line
    for line, row in zip(body, data["rows"], strict=True):
        assert line[0] == row["area"] and line[1] == row["name_en"]
        for n, w in enumerate(weeks):
            rate = row["cells"][w]["rate"]
            assert (float(line[2 + n]) if line[2 + n] else None) == rate
        t = row["total"]
        assert float(line[2 + len(weeks)]) == t["rate"]
        assert line[3 + len(weeks) :] == [str(t["reported"]), str(t["expected"]), str(t["late"])]

    openpyxl = pytest.importorskip("openpyxl")
    out = tmp_path / "grid.xlsx"
    result = run("--lang", "zh", *args, "-o", str(out))
    assert result.exit_code == 0, result.stderr
    ws = openpyxl.load_workbook(out).active
    header = [c.value for c in ws[1]]
    assert header[:2] == ["地区编号", "地区"] and header[2:5] == weeks
    # the rows only: the total row is on the About sheet (说明), not in the table
    assert ws.max_row == 1 + len(data["rows"])
    lines = [[c.value for c in r] for r in ws.iter_rows(min_row=2, max_row=len(data["rows"]) + 1)]
    for line, row in zip(lines, data["rows"], strict=True):
        assert line[:2] == [row["area"], row["name"]]
        for n, w in enumerate(weeks):
            rate = row["cells"][w]["rate"]
            assert line[2 + n] == (None if rate is None else pytest.approx(rate, rel=1e-12))
        t = row["total"]
        assert line[5:9] == [pytest.approx(t["rate"]), t["reported"], t["expected"], t["late"]]
    assert ws.cell(row=2, column=3).number_format.endswith("%")
    total = about(out, "zh")[ws.title]["total"]  # heading -> value
    t = data["total"]
    for n, w in enumerate(weeks):
        rate = t["cells"][w]["rate"]
        assert total.get(header[2 + n]) == (None if rate is None else pytest.approx(rate))
    got = [total[h] for h in header[5:9]]
    assert got == [pytest.approx(t["total"]["rate"]), *(t["total"][k] for k in KEYS3)]


# ---------------------------------------------------------------------------- late entries


def _entry(day: date, recorded_at: str, id: int = 1) -> Entry:
    return Entry(id, "people", "north", day, 1.0, recorded_at=recorded_at)


def test_late_entries_pure() -> None:
    day = date(2018, 3, 11)
    on_time = _entry(day, "2018-03-25T23:59:59+00:00", 1)  # 14 days: not late
    late = _entry(day, "2018-03-26T00:00:00+00:00", 2)  # 15 days
    late_z = _entry(day, "2018-04-30T08:00:00Z", 3)
    east8 = _entry(day, "2018-03-26T07:00:00+08:00", 4)  # 2018-03-25 23:00 UTC: not late
    unknown = _entry(day, "", 5)
    garbled = _entry(day, "yesterday", 6)
    entries = [on_time, late, late_z, east8, unknown, garbled]
    assert late_entries(entries) == [late, late_z]
    assert late_entries(entries, days=30) == [late_z]
    assert late_entries(entries, days=13) == [on_time, late, late_z, east8]
    assert not is_late(unknown) and not is_late(garbled)


def test_late_counts_through_the_pure_functions(planted) -> None:
    store = Database.open(planted)
    entries = store.entries()
    late = late_entries(entries)
    assert sorted((e.indicator, e.area, e.date.isoformat()) for e in late) == [
        ("people", "north", "2018-03-11"),
        ("people", "south", "2018-03-18"),
    ]
    m = missing(store.plan, entries, store.allocations(), date(2018, 3, 14))
    assert {a.area: a.late for a in m.areas} == {"north": 0, "south": 1, "east": 0}
    c = completeness(store.plan, entries, store.allocations(), date(2018, 3, 25), weeks=3)
    assert [t.late for t in c.total.cells] == [1, 1, 0]


# ---------------------------------------------------------------------------- widths


@pytest.mark.parametrize("width", [80, 120])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_completeness_fits_the_width(bundled, width: int, lang: str) -> None:
    store = Database.open(bundled)
    c = completeness(store.plan, store.entries(), store.allocations(), date(2018, 6, 3))
    console, out = _console(width)
    console.print(completeness_view(console, store.plan, c, Labels(lang)))
    text = out.getvalue()
    _assert_fits(text, width)
    header = next(ln for ln in text.splitlines() if "W22" in ln)
    if width == 120:  # all eight weeks with Chinese or English names
        assert "W15" in header
    names = [a.name if lang == "zh" else a.name_en.split()[0] for a in store.plan.areas[1:]]
    names.append("合计" if lang == "zh" else "Total")
    body = text.split(header, 1)[1]
    assert [n for n in names if n in body] == names  # every area and the total row

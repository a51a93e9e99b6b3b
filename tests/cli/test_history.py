"""Corrections and undo lose nothing: every entry stays; what counts changes, and log --all
shows why. Import --dry-run writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers.cli import log_entries, ok_json
from tests.helpers.db import entry_docs

RELOCATED = "housing.relocated_people"


def rec(run, value: str, week: str = "2018-W23", area: str = "yanggao") -> None:
    result = run("record", RELOCATED, value, "--area", area, "--week", week)
    assert result.exit_code == 0, result.stderr


def trend_value(run, area: str = "yanggao") -> float | None:
    weeks = ok_json(run("trend", RELOCATED, "--area", area, "--json"))["weeks"]
    return weeks[-1]["value"] if weeks else None


def write_csv(path: Path, rows: list[tuple[str, str, int]]) -> Path:
    text = "week,area,indicator,value\n" + "".join(
        f"{week},{area},{RELOCATED},{value}\n" for week, area, value in rows
    )
    path.write_text(text, encoding="utf-8")
    return path


def test_correction_supersedes_and_both_stay(run, initialised, db_path: Path) -> None:
    rec(run, "5200")
    result = run("correct", "1", "5230", "--reason", "resubmitted", "--by", "auditor")
    assert result.exit_code == 0, result.stderr
    assert "5200 -> 5230" in result.stderr
    assert trend_value(run) == 5230  # the correction counts
    rows = ok_json(run("status", "--json", "--task", "2"))["rows"]
    [city] = [r for r in rows if r["indicator"] == RELOCATED and r["scope"] == "datong"]
    assert city["actual"] == 5230  # and status counts it
    assert [e["id"] for e in log_entries(run)] == [2]  # log: what counts
    history = ok_json(run("log", "--all", "--json"))
    states = {e["id"]: e["state"] for e in history["entries"]}
    assert states == {1: "superseded by #2", 2: "counts"}
    [new] = [e for e in history["entries"] if e["id"] == 2]
    assert (new["corrects"], new["reason"], new["by"]) == (1, "resubmitted", "auditor")
    raw = entry_docs(json.loads(db_path.read_bytes()))
    assert raw[1]["value"] == 5200  # never edited
    assert (raw[2]["corrects"], raw[2]["reason"], raw[2]["value"]) == (1, "resubmitted", 5230)


def test_correction_refusals(run, initialised, db_path: Path) -> None:
    rec(run, "5200")
    assert run("correct", "1", "5230", "--reason", "x").exit_code == 0
    before = db_path.read_bytes()
    again = run("correct", "1", "5240", "--reason", "y")
    assert again.exit_code == 2 and "superseded by #2" in again.stderr
    missing = run("correct", "99", "1", "--reason", "y")
    assert missing.exit_code == 2 and "no entry 99" in missing.stderr
    bad = run("correct", "2", "1.5万", "--reason", "y")
    assert bad.exit_code == 2 and "15000" in bad.stderr
    blank = run("correct", "2", "1", "--reason", "  ")
    assert blank.exit_code == 2 and "needs a reason" in blank.stderr
    assert db_path.read_bytes() == before


def test_undo_the_last_import_and_import_it_again(run, initialised, tmp_path: Path) -> None:
    rec(run, "100", week="2018-W20")
    f = write_csv(
        tmp_path / "w21.csv", [("2018-W21", "yanggao", 150), ("2018-W21", "tianzhen", 40)]
    )
    assert run("import", str(f)).exit_code == 0
    assert trend_value(run) == 150
    result = run("undo", "--reason", "wrong week")
    assert result.exit_code == 0, result.stderr
    assert "2 entries no longer count" in result.stderr and "w21.csv" in result.stderr
    assert trend_value(run) == 100
    assert trend_value(run, "tianzhen") is None
    history = ok_json(run("log", "--all", "--json"))
    assert sorted(e["state"] for e in history["entries"]) == [
        "counts",
        "undone by b3",
        "undone by b3",
    ]
    [undo] = [b for b in history["batches"] if b["kind"] == "undo"]
    assert (undo["reverts"], undo["reason"]) == ("b2", "wrong week")
    again = run("import", str(f))  # an undone file is not "already imported"
    assert again.exit_code == 0 and "imported 2 entries" in again.stderr
    assert trend_value(run) == 150


def test_undo_of_an_undo_and_refusals(run, initialised, db_path: Path) -> None:
    rec(run, "100")
    assert run("undo").exit_code == 0  # b2 reverts b1
    assert trend_value(run) is None
    twice = run("undo", "--batch", "b1")
    assert twice.exit_code == 2 and "already undone by b2" in twice.stderr
    back = run("undo", "--batch", "b2")
    assert back.exit_code == 0 and "counts again" in back.stderr
    assert trend_value(run) == 100
    unknown = run("undo", "--batch", "b99")
    assert unknown.exit_code == 2 and "no batch 'b99'" in unknown.stderr


def test_nothing_to_undo(run, initialised) -> None:
    result = run("undo")
    assert result.exit_code == 2 and "nothing to undo" in result.stderr


def test_dry_run_writes_nothing_and_says_what_would_change(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    rec(run, "100", week="2018-W21")
    f = write_csv(
        tmp_path / "w21.csv",
        [("2018-W21", "yanggao", 120), ("2018-W21", "tianzhen", 40), ("2018-W20", "lingqiu", 9)],
    )
    before = db_path.read_bytes()
    result = run("import", str(f), "--dry-run", "--json")
    assert result.exit_code == 0, result.stderr
    assert db_path.read_bytes() == before
    data = json.loads(result.stdout)
    assert data["dry_run"] is True and data["added"] == 3
    changes = {(c["area"], c["value"], c["previous"]) for c in data["changes"]}
    assert changes == {("yanggao", 120, 100), ("tianzhen", 40, None), ("lingqiu", 9, None)}
    assert "dry run, nothing written" in result.stderr
    assert run("import", str(f)).exit_code == 0  # and the real import still applies it
    assert trend_value(run) == 120


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["yanggao", "tianzhen", "lingqiu"]),
            st.sampled_from(["2018-W20", "2018-W21", "2018-W22"]),
            st.integers(min_value=0, max_value=20000),
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda t: (t[0], t[1]),
    )
)
def test_undo_after_any_import_restores_the_status_exactly(
    run, initialised, tmp_path: Path, rows: list[tuple[str, str, int]]
) -> None:
    rec(run, "50", week="2018-W21")  # something for the import to change, and undo to bring back
    rec(run, "7", week="2018-W22", area="tianzhen")
    before = ok_json(run("status", "--json", "--as-of", "2018-W26"))
    f = write_csv(tmp_path / "any.csv", [(week, area, value) for area, week, value in rows])
    imported = run("import", str(f))
    assert imported.exit_code == 0, imported.stderr
    assert run("undo").exit_code == 0
    after = ok_json(run("status", "--json", "--as-of", "2018-W26"))
    assert after == before


def test_a_running_total_going_down_is_accepted_with_a_warning(
    run, initialised, tmp_path: Path
) -> None:
    rec(run, "5200", week="2018-W22")
    down = run("record", RELOCATED, "5100", "--area", "yanggao", "--week", "2018-W23")
    assert down.exit_code == 0, down.stderr
    assert "warning:" in down.stderr and "5100 is below 5200 on 2018-06-03" in down.stderr
    f = write_csv(tmp_path / "w.csv", [("2018-W24", "tianzhen", 90), ("2018-W25", "tianzhen", 80)])
    result = run("import", str(f))
    assert result.exit_code == 0, result.stderr
    assert "w.csv:3: tianzhen" in result.stderr and "80 is below 90" in result.stderr
    assert trend_value(run) == 5100  # accepted: it counts
    up = run("record", RELOCATED, "5300", "--area", "yanggao", "--week", "2018-W24")
    assert "warning" not in up.stderr


def test_a_planted_fake_series_is_caught_and_explained(run, initialised, tmp_path: Path) -> None:
    """Two counties reporting the very same running totals week after week: check finds it
    (exit 3), explain shows the entries behind the numbers."""
    weeks = ["2018-W20", "2018-W21", "2018-W22", "2018-W23", "2018-W24"]
    values = [1000, 1200, 1350, 1600, 1800]
    rows = [
        (w, a, v) for a in ("tianzhen", "guangling") for w, v in zip(weeks, values, strict=True)
    ]
    assert run("import", str(write_csv(tmp_path / "fake.csv", rows))).exit_code == 0
    found = run("check", "--json")
    assert found.exit_code == 3, found.stderr
    copied = [f for f in json.loads(found.stdout)["findings"] if f["rule"] == "copied-series"]
    assert copied and copied[0]["indicator"] == RELOCATED
    assert len(copied[0]["entries"]) == 10  # both series, every report
    shown = ok_json(run("explain", RELOCATED, "--area", "tianzhen", "--json"))
    [area] = shown["areas"]
    assert area["value"] == 1800
    assert [e["source"] for e in area["entries"]] == [f"{tmp_path / 'fake.csv'}:6"]

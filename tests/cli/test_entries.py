"""The commands about entries and targets that succeed: target, record, log, status.

Every expected number is worked out by hand in a comment next to it; nothing is computed by
calling povtrack's own code. Dates: 2018-01-01 (plan start) -> 2018-07-01 is 181 days
(31+28+31+30+31+30) and -> 2018-12-31 is 364 days.
"""

from __future__ import annotations

import pytest

from tests.helpers.cli import DANGEROUS, log_entries, ok_json, rec, row_for, status_rows

RELOCATED = "housing.relocated_people"  # city target 63824 people, due 2019-12-31


# ---------------------------------------------------------------------------- target


def test_target_set_adds_an_allocation_row(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "阳高县")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    row = row_for(rows, RELOCATED, "yanggao")
    assert row["source"] == "allocation"
    assert row["target"] == 9000
    # 摘帽三縣易地扶貧搬遷兩年任務一年完成: Yanggao's share is due at the end of 2018
    assert row["due"] == "2018-12-31"


def test_target_set_other_county_gets_the_city_due(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "tianzhen")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    row = row_for(rows, RELOCATED, "tianzhen")
    assert row["due"] == "2019-12-31"  # 今明兩年: the city target's due
    assert row["source"] == "allocation"


def test_target_set_with_due(run, initialised) -> None:
    result = run("target", "set", RELOCATED, "9000", "--area", "tianzhen", "--due", "2018-09-30")
    assert result.exit_code == 0, result.stderr
    _, rows = status_rows(run)
    assert row_for(rows, RELOCATED, "tianzhen")["due"] == "2018-09-30"


def test_target_set_twice_newest_counts_nothing_overwritten(run, initialised) -> None:
    assert run("target", "set", RELOCATED, "9000", "--area", "tianzhen").exit_code == 0
    assert run("target", "set", RELOCATED, "8000", "--area", "tianzhen").exit_code == 0
    _, rows = status_rows(run)
    assert row_for(rows, RELOCATED, "tianzhen")["target"] == 8000
    allocations = ok_json(run("target", "list", "--json"))["allocations"]
    mine = [
        a["value"] for a in allocations if a["indicator"] == RELOCATED and a["area"] == "tianzhen"
    ]
    assert mine == [9000, 8000]


# ---------------------------------------------------------------------------- record


def test_record_week_is_stored_as_its_sunday(run, initialised) -> None:
    result = run("record", DANGEROUS, "100", "--area", "yanggao", "--week", "2018-W23")
    assert result.exit_code == 0, result.stderr
    [entry] = log_entries(run)
    # ISO week 1 of 2018 starts Mon 1 Jan; week 23 starts 22*7 = 154 days later, Mon 4 June;
    # its Sunday is 10 June.
    assert entry["date"] == "2018-06-10"
    assert entry["value"] == 100


@pytest.mark.parametrize(
    "name", ["陽高縣", "阳高", "陽高", "Yanggao County", "yanggao county", "Yanggao", "yanggao"]
)
def test_record_area_by_any_name(run, initialised, name: str) -> None:
    rec(run, DANGEROUS, "7", name, "2018-03-04")
    [entry] = log_entries(run)
    assert entry["area"] == "yanggao"


def test_record_former_datong_county_is_yunzhou(run, initialised) -> None:
    rec(run, DANGEROUS, "7", "大同县", "2018-03-04")
    assert log_entries(run)[0]["area"] == "yunzhou"


def test_record_indicator_by_chinese_name_with_note(run, initialised) -> None:
    rec(run, "农村危房改造", "7", "tianzhen", "2018-03-04", "--note", "县住建局周报")
    [entry] = log_entries(run)
    assert entry["indicator"] == DANGEROUS
    assert entry["note"] == "县住建局周报"
    assert entry["source"].startswith("record")


# ---------------------------------------------------------------------------- log


def test_log_json_shape_and_newest_first(run, initialised) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")  # id 1
    rec(run, DANGEROUS, "20", "tianzhen", "2018-05-06")  # id 2
    rec(run, DANGEROUS, "30", "lingqiu", "2018-03-04")  # id 3
    entries = log_entries(run)
    for e in entries:
        assert set(e) >= {"id", "indicator", "area", "date", "value", "note", "source"}
        assert "recorded_at" in e
    # newest date first; same date: higher id first
    assert [(e["date"], e["value"]) for e in entries] == [
        ("2018-05-06", 20),
        ("2018-03-04", 30),
        ("2018-03-04", 10),
    ]


def test_log_filters(run, initialised) -> None:
    rec(run, DANGEROUS, "10", "yanggao", "2018-03-04")
    rec(run, DANGEROUS, "20", "tianzhen", "2018-03-04")
    rec(run, RELOCATED, "30", "tianzhen", "2018-03-04")
    assert [e["value"] for e in log_entries(run, "--area", "天镇")] == [30, 20]
    assert [e["value"] for e in log_entries(run, "--indicator", DANGEROUS)] == [20, 10]
    both = log_entries(run, "--area", "tianzhen", "--indicator", RELOCATED)
    assert [e["value"] for e in both] == [30]


def test_log_table(run, initialised) -> None:
    rec(run, DANGEROUS, "1234", "yanggao", "2018-03-04", "--note", "weekly")
    result = run("log")
    assert result.exit_code == 0, result.stderr
    assert "2018-03-04" in result.stdout
    assert "Yanggao County" in result.stdout
    assert "weekly" in result.stdout


# ---------------------------------------------------------------------------- status


def test_status_json_shape(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    data = ok_json(run("status", "--json"))
    assert set(data) >= {"as_of", "rows"}
    keys = {
        "indicator",
        "task",
        "scope",
        "scope_kind",
        "unit",
        "target",
        "actual",
        "progress",
        "expected",
        "status",
        "due",
        "level",
    }
    assert data["rows"]
    for r in data["rows"]:
        assert set(r) >= keys


def test_status_city_row_behind(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3000", "tianzhen", "2018-07-01")
    as_of, rows = status_rows(run)
    assert as_of == "2018-07-01"  # the newest entry
    row = row_for(rows, DANGEROUS, "datong")
    assert row["task"] == 2
    assert row["scope_kind"] == "area"
    assert row["unit"] == "households"
    assert row["target"] == 17554
    assert row["actual"] == 7000  # 4000 + 3000
    assert row["progress"] == pytest.approx(7000 / 17554, abs=1e-6)  # 0.398770
    assert row["expected"] == pytest.approx(181 / 364, abs=1e-6)  # 0.497253
    # 0.9 x 0.497253 = 0.447527 > 0.398770
    assert row["status"] == "behind"
    assert row["due"] == "2018-12-31"
    assert row["level"] == "commit"


def test_status_city_row_on_track(run, initialised) -> None:
    rec(run, DANGEROUS, "5000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3500", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 8500  # 5000 + 3500
    assert row["progress"] == pytest.approx(8500 / 17554, abs=1e-6)  # 0.484220
    # 0.484220 >= 0.9 x 181/364 = 0.447527
    assert row["status"] == "on_track"


def test_status_done_when_actual_reaches_target(run, initialised) -> None:
    rec(run, DANGEROUS, "10000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "7554", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 17554  # 10000 + 7554 = the target exactly
    assert row["progress"] == pytest.approx(1.0)
    assert row["status"] == "done"


def test_status_overdue_after_due(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    as_of, rows = status_rows(run, "--as-of", "2019-01-06")
    assert as_of == "2019-01-06"
    row = row_for(rows, DANGEROUS, "datong")
    assert row["expected"] == pytest.approx(1.0)  # past due: all of it
    assert row["status"] == "overdue"
    # on the due date itself it is not yet overdue: 4000/17554 = 0.228 < 0.9 -> behind
    _, rows = status_rows(run, "--as-of", "2018-12-31")
    assert row_for(rows, DANGEROUS, "datong")["status"] == "behind"


def test_status_running_totals_latest_counts(run, initialised) -> None:
    rec(run, DANGEROUS, "2000", "yanggao", "2018-03-04")
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")  # running total, not an increment
    _, rows = status_rows(run)
    assert row_for(rows, DANGEROUS, "datong")["actual"] == 4000


def test_status_as_of_excludes_later_entries(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    rec(run, DANGEROUS, "3000", "tianzhen", "2018-08-05")
    as_of, rows = status_rows(run)
    assert as_of == "2018-08-05"  # default: the newest entry
    assert row_for(rows, DANGEROUS, "datong")["actual"] == 7000
    as_of, rows = status_rows(run, "--as-of", "2018-07-15")
    assert as_of == "2018-07-15"
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] == 4000  # tianzhen's 2018-08-05 entry is later
    assert row["expected"] == pytest.approx(195 / 364, abs=1e-6)  # 181 + 14 days
    _, rows = status_rows(run, "--as-of", "2018-06-30")
    row = row_for(rows, DANGEROUS, "datong")
    assert row["actual"] is None
    assert row["status"] == "no_data"


def test_status_as_of_iso_week(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    # 2018-W28: Monday is 1 Jan + 27*7 days = 9 July; its Sunday is 15 July
    as_of, _ = status_rows(run, "--as-of", "2018-W28")
    assert as_of == "2018-07-15"


def test_status_default_as_of_on_empty_db_and_never_zero(run, initialised) -> None:
    as_of, rows = status_rows(run)
    assert as_of == "2018-01-01"  # the plan's start
    assert rows
    for r in rows:
        assert r["actual"] is None, r
        assert r["status"] == "no_data", r


def test_status_unreported_rows_stay_no_data(run, initialised) -> None:
    rec(run, "industry.processing_plant", "1", "yanggao", "2018-07-01")
    _, rows = status_rows(run)
    assert row_for(rows, "industry.processing_plant", "yanggao")["status"] == "done"  # 1 of 1
    other = row_for(rows, "industry.processing_plant", "tianzhen")
    assert other["actual"] is None
    assert other["progress"] is None
    assert other["status"] == "no_data"


def test_status_activity_row_is_reported(run, initialised) -> None:
    rec(run, "publicity.policy_briefings", "3", "yanggao", "2018-03-04")
    rec(run, "publicity.policy_briefings", "2", "tianzhen", "2018-04-01")
    _, rows = status_rows(run)
    row = row_for(rows, "publicity.policy_briefings", "datong")
    assert row["status"] == "reported"
    assert row["target"] is None
    assert row["actual"] == 5  # 3 + 2


def test_status_ratio_is_sum_over_sum(run, initialised) -> None:
    rec(run, "industry.income_50k_villages", "10", "yanggao", "2018-07-01")
    rec(run, "goals.poor_villages", "40", "yanggao", "2018-07-01")
    rec(run, "industry.income_50k_villages", "5", "tianzhen", "2018-07-01")
    rec(run, "goals.poor_villages", "10", "tianzhen", "2018-07-01")
    _, rows = status_rows(run)
    row = row_for(rows, "industry.income_50k_share", "datong")
    assert row["target"] == 100
    # (10 + 5) / (40 + 10) x 100 = 30; the mean of 25% and 50% would be 37.5
    assert row["actual"] == pytest.approx(30)
    assert row["progress"] == pytest.approx(0.3, abs=1e-6)
    assert row["status"] == "behind"  # 0.3 < 0.9 x 181/364 = 0.4475


def test_status_task_filter(run, initialised) -> None:
    _, rows = status_rows(run, "--task", "2")
    assert all(r["task"] == 2 for r in rows)
    # task 2 targets: 3 relocation counts on the city, 2 rates on each of the 4 relocation
    # counties (8), dangerous houses on the city: 3 + 8 + 1 = 12
    assert len(rows) == 12


def test_status_area_filter(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    _, rows = status_rows(run, "--area", "tianzhen")
    assert rows
    assert all(r["scope"] == "tianzhen" for r in rows)
    planned = {r["indicator"] for r in rows if r["target"] is not None}
    # 每個貧困縣 (3 projects), relocation-four rates (2), other-counties upgrade coverage (1)
    assert planned == {
        "industry.processing_plant",
        "industry.workshop",
        "industry.tourism_project",
        "housing.relocation_works_completion",
        "housing.relocation_investment_completion",
        "village.upgrade_coverage",
    }
    _, zh_rows = status_rows(run, "--area", "天镇")
    assert zh_rows == rows


def test_status_table(run, initialised) -> None:
    rec(run, DANGEROUS, "4000", "yanggao", "2018-07-01")
    result = run("status", "--task", "2")
    assert result.exit_code == 0, result.stderr
    assert "Dangerous rural houses renovated" in result.stdout
    assert "2018-07-01" in result.stdout
    assert "behind" in result.stdout


def test_record_confirms_what_it_resolved(run, initialised) -> None:
    # 陽高 (Traditional, no suffix) is yanggao; 2018-W24 ends on Sunday 2018-06-17
    result = run("record", "易地扶貧搬遷人口", "5300", "--area", "陽高", "--week", "2018-W24")
    assert result.exit_code == 0, result.stderr
    assert result.stderr.strip() == (
        "recorded entry 1: housing.relocated_people = 5300 people for Yanggao County (yanggao) "
        "on 2018-06-17 (2018-W24); Yanggao County's total on that date: 5,300 people = 8.3 % "
        "of the 63,824 people city target (Yanggao County has no target of its own)"
    )

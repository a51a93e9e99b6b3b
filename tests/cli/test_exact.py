"""Exact arithmetic through the command line, on the bundled plan (issue 11, item 1): the
examples of the issue, each worked out by hand in its comment."""

from __future__ import annotations

from tests.helpers.cli import ok_json, rec, row_for, status_rows

SHARE = "village.demo_exiting_share"  # 示范村中当年退出贫困村占比 >= 2/3, due 2018-12-31
INVEST = "village.investment"  # 10亿 yuan on the city, due 2018-12-31 (364 days from 01-01)
COUNTIES = (
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
)


def test_66_of_99_demonstration_villages_meet_two_thirds(run, initialised) -> None:
    rec(run, "village.demo_exiting", "66", "yanggao", "2018-12-30")
    rec(run, "village.demo_villages", "99", "yanggao", "2018-12-30")
    # 66 / 99 x 100 = 200/3, the target exactly: done, after the due date too
    _, rows = status_rows(run, "--as-of", "2019-01-06")
    row = row_for(rows, SHARE, "datong")
    assert (row["status"], row["gap"], row["progress"]) == ("done", 0, 1.0)
    assert row["target"] == 66.666667  # rounded as every figure of the JSON
    x = ok_json(run("explain", SHARE, "--as-of", "2019-01-06", "--json"))
    assert x["rule"] == "done: actual 66.666667 ≥ target 66.666667"


def test_plan_show_prints_two_thirds_as_a_number(run) -> None:
    data = ok_json(run("plan", "show", "--task", "8", "--json"))
    (ind,) = [i for i in data["indicators"] if i["id"] == SHARE]
    assert [t["value"] for t in ind["targets"]] == [66.66666666666667]


def test_county_figures_adding_up_to_ten_yi_are_done_on_the_due_date(run, initialised) -> None:
    # 100000000.1 + 200000000.2 + 300000000.3 + 399999999.4 = 1000000000 (in floats,
    # 999999999.9999999: on_track on the due date instead of done)
    values = ("100000000.1", "200000000.2", "300000000.3", "399999999.4")
    for area, value in zip(COUNTIES[:4], values, strict=True):
        rec(run, INVEST, value, area, "2018-12-30")
    _, rows = status_rows(run, "--as-of", "2018-12-31")
    row = row_for(rows, INVEST, "datong")
    assert (row["status"], row["actual"], row["gap"]) == ("done", 1000000000, 0)


def test_balanced_allocations_are_not_a_finding(run, initialised) -> None:
    # 9 x 100000000.1 + 99999999.1 = 1000000000 (in floats 1000000000.0000001: "0 yuan more
    # than the target")
    for area, value in zip(COUNTIES, ["100000000.1"] * 9 + ["99999999.1"], strict=True):
        assert run("target", "set", INVEST, value, "--area", area).exit_code == 0
    result = run("check")
    assert (result.exit_code, result.stdout) == (0, "")  # clean: no output


def test_one_yuan_short_of_the_pace_is_behind(run, initialised) -> None:
    # as of 2018-07-02, 182 of 364 days: expected 1/2; 0.9 x 1/2 x 10亿 = 450000000
    rec(run, INVEST, "449999999", "datong", "2018-07-01")
    _, rows = status_rows(run, "--as-of", "2018-07-02")
    assert row_for(rows, INVEST, "datong")["status"] == "behind"
    x = ok_json(run("explain", INVEST, "--as-of", "2018-07-02", "--json"))
    assert x["rule"] == "behind: progress 0.449999999 < 0.9 × expected 0.5 = 0.45"
    rec(run, INVEST, "450000000", "datong", "2018-07-01")
    _, rows = status_rows(run, "--as-of", "2018-07-02")
    assert row_for(rows, INVEST, "datong")["status"] == "on_track"

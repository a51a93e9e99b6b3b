"""`povtrack check --fail-on error|warning` (issue 13, item 6): a weekly script stops on errors
only. The default (warning) is exit 3 on any finding, exactly as before; with error, exit 3
only when an error is found, and warnings are still printed or written, with exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers.cli import rec


def _warning_only(run) -> None:
    """A running total that goes down: one warning, no error."""
    rec(run, "housing.dangerous_houses", "800", "阳高县", "2018-06-03")
    rec(run, "housing.dangerous_houses", "760", "阳高县", "2018-06-10")


def _an_error(run) -> None:
    """People relocated must be registered poor + moved alongside: 5200 ≠ 3800 + 1300."""
    for indicator, value in (
        ("housing.relocated_people", "5200"),
        ("housing.relocated_registered", "3800"),
        ("housing.relocated_alongside", "1300"),
    ):
        rec(run, indicator, value, "阳高县", "2018-06-10")


def test_warnings_exit_3_by_default_and_with_fail_on_warning(run, initialised) -> None:
    _warning_only(run)
    for args in ((), ("--fail-on", "warning"), ("--fail-on", " Warning ")):
        result = run("check", *args)
        assert result.exit_code == 3, args
        assert "running-total-down" in result.stdout


def test_warnings_alone_exit_0_with_fail_on_error_and_are_still_printed(run, initialised) -> None:
    _warning_only(run)
    result = run("check", "--fail-on", "error")
    assert result.exit_code == 0, result.stderr
    assert "Data checks — as of 2018-06-10: 0 errors, 1 warnings" in result.stdout
    assert "running-total-down" in result.stdout
    data = json.loads(run("check", "--fail-on", "error", "--json").stdout)
    assert data["summary"] == {"error": 0, "warning": 1}
    assert [f["rule"] for f in data["findings"]] == ["running-total-down"]


def test_warnings_are_still_written_to_a_file_with_fail_on_error(
    run, initialised, tmp_path: Path
) -> None:
    _warning_only(run)
    out = tmp_path / "check.csv"
    result = run("check", "--fail-on", "error", "-o", str(out))
    assert result.exit_code == 0, result.stderr
    assert "running-total-down" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize("fail_on", ["error", "warning"])
def test_an_error_exits_3_either_way(run, initialised, fail_on: str) -> None:
    _an_error(run)
    _warning_only(run)
    result = run("check", "--fail-on", fail_on, "--json")
    assert result.exit_code == 3
    assert json.loads(result.stdout)["summary"] == {"error": 1, "warning": 1}


def test_clean_data_exits_0_silently_either_way(run, initialised) -> None:
    rec(run, "housing.dangerous_houses", "800", "阳高县", "2018-06-03")
    for fail_on in ("error", "warning"):
        result = run("check", "--fail-on", fail_on)
        assert (result.exit_code, result.stdout, result.stderr) == (0, "", "")


def test_an_unknown_level_is_a_usage_error_in_either_language(run, initialised) -> None:
    result = run("check", "--fail-on", "errors")
    assert result.exit_code == 2
    assert result.stderr == "error: --fail-on 'errors' is not one of error, warning\n"
    zh = run("check", "--fail-on", "severe", "--lang", "zh")
    assert zh.exit_code == 2
    assert zh.stderr == "错误：--fail-on 'severe' 不是 error、warning 之一\n"


def test_the_demo_exits_0_with_fail_on_error(run, tmp_path: Path) -> None:
    """The demo data holds warnings and no error (issue 13: "Done when")."""
    demo = tmp_path / "demo" / "demo.json"
    assert run("demo", "--db", str(demo)).exit_code == 0
    assert run("check", "--db", str(demo)).exit_code == 3
    result = run("check", "--db", str(demo), "--fail-on", "error", "--json")
    assert result.exit_code == 0
    summary = json.loads(result.stdout)["summary"]
    assert summary["error"] == 0 and summary["warning"] > 0

"""A count no one can mean is a usage error, exit 2, never an overflow (issue 11, item 7).

`diff --weeks` reaches back at most to the week the plan starts; an entry id is a SQLite
integer (below 2^63); --lock-timeout and inbox --settle are at most a day (86400 s).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from povtrack.dates import weeks_before
from povtrack.errors import UsageError
from tests.helpers.cli import DANGEROUS, rec
from tests.helpers.db import lines

# One entry on 2018-06-03: the as-of date, 153 days (21 weeks and 6 days) after the plan's
# start on 2018-01-01, so --weeks reaches back at most 22 weeks (to 2017-12-31).
AS_OF = "2018-06-03"


@pytest.fixture
def one_entry(run, initialised) -> None:
    rec(run, DANGEROUS, "5", "yanggao", AS_OF)


@pytest.mark.parametrize("weeks", ["23", "1000000", "99999999999999999999", "9" * 5000])
def test_diff_weeks_beyond_the_plan_is_a_usage_error(run, one_entry, weeks: str) -> None:
    result = run("diff", "--weeks", weeks)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = lines(result.stderr)
    if len(weeks) < 100:
        assert line == (
            f"error: --weeks {weeks} reaches back before the plan starts (2018-01-01); "
            f"at most 22 weeks before {AS_OF}"
        )
    else:  # a number of 5000 digits is not read as a number at all
        assert line.startswith("error: Invalid value for '--weeks'")


@pytest.mark.parametrize("weeks", ["1", "22"])
def test_diff_weeks_within_the_plan(run, one_entry, weeks: str) -> None:
    result = run("diff", "--weeks", weeks, "--json")
    assert result.exit_code == 0, result.stderr


def test_weeks_before() -> None:
    start = date(2018, 1, 1)
    assert weeks_before(date(2018, 1, 3), 1, start) == date(2017, 12, 27)  # the default week
    assert weeks_before(date(2018, 1, 8), 1, start) == date(2018, 1, 1)
    assert weeks_before(date(2018, 1, 9), 2, start) == date(2017, 12, 26)
    with pytest.raises(UsageError) as info:
        weeks_before(date(2018, 1, 9), 3, start)
    assert info.value.message == (
        "--weeks 3 reaches back before the plan starts (2018-01-01); "
        "at most 2 weeks before 2018-01-09"
    )


@pytest.mark.parametrize("entry", ["9223372036854775808", "99999999999999999999999"])
def test_an_entry_id_beyond_any_database_is_a_usage_error(run, tmp_path, entry: str) -> None:
    db = f"sqlite:///{tmp_path / 'tracker.sqlite'}"
    assert run("--db", db, "init").exit_code == 0
    result = run("--db", db, "correct", entry, "5", "--reason", "x")
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = lines(result.stderr)
    assert line.startswith("error: Invalid value for 'entry'"), line


@pytest.mark.parametrize("value", ["inf", "1e400", "86401", "nan"])
@pytest.mark.parametrize("where", ["global", "command", "env"])
def test_a_lock_timeout_beyond_a_day(run, initialised, monkeypatch, value, where) -> None:
    args = ["record", DANGEROUS, "5", "--area", "yanggao", "--date", AS_OF]
    if where == "global":
        args = ["--lock-timeout", value, *args]
    elif where == "command":
        args = [*args, "--lock-timeout", value]
    else:
        monkeypatch.setenv("POVTRACK_LOCK_TIMEOUT", value)
    result = run(*args)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = lines(result.stderr)
    assert line.startswith("error: Invalid value for '--lock-timeout'"), line


def test_a_lock_timeout_of_a_day_is_fine(run, initialised) -> None:
    args = ["record", DANGEROUS, "5", "--area", "yanggao", "--date", AS_OF]
    result = run("--lock-timeout", "86400", *args)
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize("value", ["inf", "1e400", "86401"])
def test_an_inbox_settle_beyond_a_day(run, initialised, tmp_path: Path, value: str) -> None:
    (tmp_path / "inbox").mkdir()
    result = run("inbox", str(tmp_path / "inbox"), "--settle", value)
    assert result.exit_code == 2, (result.exit_code, result.stderr)
    [line] = lines(result.stderr)
    assert line.startswith("error: Invalid value for '--settle'"), line

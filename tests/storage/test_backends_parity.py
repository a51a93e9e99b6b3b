"""The two file backends behind one interface: the same commands on a .json and on a .sqlite
database give the same output, byte for byte, once the database's own name and the clock are
taken out (entry ids, batch ids, values, states, corrections and undos included), and so do
the files the commands write (XLSX: the same cells).

The scenario (tests/helpers/scenario.py): allocations, records, imports, a repeated import,
corrections and corrections of corrections, undos and an undo of an undo, reports replaced on
the same date, dates out of order; then every read command at many dates, as JSON, as text
and as files. ``READS`` run by default, ``MORE_READS`` under ``-m slow``. Equal outputs mean
something only if they say something: every read is checked for substance here (what it
shows, never the figures it computes).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest

from tests.helpers.backends import (
    FILE_MARK,
    Said,
    ids,
    more_reads,
    said_in,
    scenario,
)
from tests.helpers.scenario import BEFORE, MORE_READS, READS, WRITES, Arg, Out


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Said]:
    """What each command of the scenario said on each backend (run once for the test run)."""
    return said_in(scenario(tmp_path_factory))


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Said]:
    return more_reads(tmp_path_factory)


@pytest.mark.parametrize("n", range(len(WRITES) + len(READS)), ids=ids([*WRITES, *READS]))
def test_same_command_same_output(both, n: int) -> None:
    json_side, sqlite_side = both[".json"][n], both[".sqlite"][n]
    assert sqlite_side == json_side


@pytest.mark.slow  # the rest of the reads (about 6 s on each backend): CI runs -m slow
@pytest.mark.parametrize("n", range(len(MORE_READS)), ids=ids(MORE_READS))
def test_same_command_same_output_more_reads(more, n: int) -> None:
    assert more[".sqlite"][n] == more[".json"][n]


def _day(text: str) -> date:
    """A command's date argument as the date it names (an ISO week: its Sunday)."""
    if "-W" in text:
        year, week = text.split("-W")
        return date.fromisocalendar(int(year), int(week), 7)
    return date.fromisoformat(text)


def _option(args: list[Arg], name: str) -> str | None:
    return str(args[args.index(name) + 1]) if name in args else None


def says_something(args: list[Arg], stdout: str) -> None:
    """What a read shows is more than its headings, and for the date it was asked about."""
    text, _, written = stdout.partition(FILE_MARK)
    out = next((a for a in args if isinstance(a, Out)), None)
    if out is not None:
        if out.name.endswith(".xlsx"):
            assert any(len(rows) > 1 for rows in json.loads(written).values())
        else:
            assert len(written.splitlines()) > 2
        return
    if "--json" not in args:
        assert len(text.splitlines()) > 3
        if args[0] == "report" and "--as-of" in args:
            assert str(_day(str(_option(args, "--as-of")))) in text
        return
    data = json.loads(text)
    asked = _option(args, "--as-of")
    if asked is not None:
        assert data["as_of"] == str(_day(asked))
    kind = args[0]
    if kind == "status":
        rows = data["rows"]
        assert rows
        actuals = [r["actual"] for r in rows]
        if asked == BEFORE:
            assert actuals == [None] * len(rows)  # nothing had been reported yet
        else:
            assert any(a is not None for a in actuals)
        if "--forecast" in args:
            assert all("recent_per_week" in r for r in rows)
            if asked != BEFORE and len(rows) > 5:
                assert any(r["recent_per_week"] is not None for r in rows)
    elif kind == "board":
        assert data["rows"] and data["tasks"]
    elif kind == "check":
        assert data["findings"]
    elif kind == "log":
        assert data["entries"]
    elif kind == "target":
        assert data["allocations"]
    elif kind == "missing":
        week = _option(args, "--week")
        if week is not None:
            year, number, _ = _day(week).isocalendar()
            assert data["week"] == f"{year}-W{number:02d}"
        assert data["areas"] and data["missing"]
    elif kind == "completeness":
        assert data["rows"]
        assert len(data["weeks"]) == int(_option(args, "--weeks") or 8)
    elif kind == "trend":
        assert any(w["reported"] for w in data["weeks"])
    elif kind == "explain":  # a ratio's entries are its numerator's and denominator's
        parts = [data] if data["kind"] != "ratio" else [data["numerator"], data["denominator"]]
        assert all(any(a["entries"] for a in part["areas"]) for part in parts)
    elif kind == "diff":
        assert data["status_changes"] or data["movers"]
    elif kind == "db":
        assert data["ok"] and data["entries"] > 1000
    else:
        raise AssertionError(f"no check for {args}")


@pytest.mark.parametrize("n", range(len(READS)), ids=ids(READS))
def test_every_read_says_something(both, n: int) -> None:
    command, code, stdout, _ = both[".sqlite"][len(WRITES) + n]
    assert code in (0, 3), command
    says_something(READS[n], stdout)


@pytest.mark.slow
@pytest.mark.parametrize("n", range(len(MORE_READS)), ids=ids(MORE_READS))
def test_every_more_read_says_something(more, n: int) -> None:
    command, code, stdout, _ = more[".sqlite"][n]
    assert code in (0, 3), command
    says_something(MORE_READS[n], stdout)


def _history(both: dict[str, Said]) -> dict[str, Any]:
    by_args = {args: out for args, _, out, _ in both[".sqlite"]}
    return dict(json.loads(by_args["log --all --json"]))


def test_the_scenario_is_not_trivial(both) -> None:
    """Equal outputs mean something only if they hold the history being compared."""
    by_args = {args: (code, out) for args, code, out, _ in both[".sqlite"]}
    history = json.loads(by_args["log --all --json"][1])
    states = {e["state"] for e in history["entries"]}
    assert "counts" in states and any(s.startswith("superseded by #") for s in states)
    assert any(s.startswith("undone by") for s in states)
    assert any(s.startswith("replaced by #") for s in states)
    assert any(e.get("corrects") == 1 for e in history["entries"])
    assert len(history["entries"]) > 1000
    assert {type(e["value"]) for e in history["entries"]} == {int, float}
    status = json.loads(by_args["status --json"][1])
    assert any(r["actual"] is not None for r in status["rows"])
    assert by_args["check --json"][0] in (0, 3)


def test_the_history_holds_every_way_an_entry_stops_counting(both) -> None:
    history = _history(both)
    entries = {e["id"]: e for e in history["entries"]}
    chains = [
        (e, entries[e["corrects"]])
        for e in entries.values()
        if e.get("corrects") and "corrects" in entries[e["corrects"]]
    ]
    # a correction of a correction that counts, and one undone (the first counts again)
    assert any(e["state"] == "counts" for e, _ in chains)
    assert any(e["state"].startswith("undone by") and c["state"] == "counts" for e, c in chains)
    batches = {b["id"]: b for b in history["batches"]}
    undos = [b for b in batches.values() if b["kind"] == "undo"]
    assert any(batches[b["reverts"]]["kind"] == "undo" for b in undos)  # an undo undone
    # an import undone for good, and one put back by the undo of its undo
    imports = [b for b in batches.values() if b["kind"] == "import" and b["files"]]
    undone = {e["batch"] for e in entries.values() if e["state"].startswith("undone by b")}
    assert any(b["id"] in undone for b in imports)
    assert any(b["id"] not in undone and b["id"] in {u["reverts"] for u in undos} for b in imports)
    # an import that replaced a record, and a record that replaced an imported increment
    replaced = [(e, entries[int(e["state"].split("#")[1])]) for e in entries.values()
                if e["state"].startswith("replaced by #")]  # fmt: skip
    assert any(old["batch"] in {b["id"] for b in imports} for old, _ in replaced)
    assert any(new["batch"] in {b["id"] for b in imports} for _, new in replaced)
    # dates out of order: the newest date recorded early, the oldest date recorded last
    by_date = sorted(entries.values(), key=lambda e: (e["date"], e["id"]))
    assert by_date[0]["id"] == max(entries)
    assert by_date[-1]["id"] < len(entries) / 2

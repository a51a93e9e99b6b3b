"""The two backends behind one interface: the same commands on a .json and on a .sqlite
database give the same output, byte for byte, once the database's own name and the clock are
taken out (entry ids, batch ids, values, states, corrections and undos included).

The scenario: init, allocations, records (whole numbers and fractions), two imports of the
sample returns, a repeated import, a correction, an undo and a third import; then every
report, as JSON and as text.
"""

from __future__ import annotations

import json

import pytest

from tests.helpers.backends import READS, WRITES, scenario


@pytest.fixture(scope="module")
def both(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[tuple[str, int, str, str]]]:
    """What each command of the scenario said on each backend (run once for the test run)."""
    said = json.loads((scenario(tmp_path_factory) / "outputs.json").read_text(encoding="utf-8"))
    return {suffix: [tuple(one) for one in out] for suffix, out in said.items()}


@pytest.mark.parametrize("n", range(len(WRITES) + len(READS)))
def test_same_command_same_output(both, n: int) -> None:
    json_side, sqlite_side = both[".json"][n], both[".sqlite"][n]
    assert sqlite_side == json_side


def test_the_scenario_is_not_trivial(both) -> None:
    """Equal outputs mean something only if they hold the history being compared."""
    by_args = {args: (code, out) for args, code, out, _ in both[".sqlite"]}
    history = json.loads(by_args["log --all --json"][1])
    states = {e["state"] for e in history["entries"]}
    assert "counts" in states and any(s.startswith("superseded by #") for s in states)
    assert any(s.startswith("undone by") for s in states)
    assert any(s.startswith("replaced by #") for s in states)  # the last record of WRITES
    assert any(e.get("corrects") == 1 for e in history["entries"])
    assert len(history["entries"]) > 1000
    assert {type(e["value"]) for e in history["entries"]} == {int, float}
    status = json.loads(by_args["status --json"][1])
    assert any(r["actual"] is not None for r in status["rows"])
    assert by_args["check --json"][0] in (0, 3)

"""The --lock-timeout option of every command that takes the database lock: accepted before
or after the command's own arguments, and a negative value (from the option or from
POVTRACK_LOCK_TIMEOUT) refused with exit 2 before anything is written.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers.db import DANGEROUS, RELOCATED, generation, lines, record, returns_csv, snapshot

LOCKED_WRITES = {
    "record": ["record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-01"],
    "import": ["import", "{csv}"],
    "target-set": ["target", "set", RELOCATED, "9000", "--area", "tianzhen"],
    "db-backup": ["db", "backup"],
    "db-restore": ["db", "restore", "1"],
}


def _locked_args(name: str, tmp_path: Path) -> list[str]:
    csv = returns_csv(tmp_path / "returns")
    return [str(csv) if a == "{csv}" else a for a in LOCKED_WRITES[name]]


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("name", list(LOCKED_WRITES))
def test_lock_timeout_before_or_after_the_command(
    run, initialised, db_path: Path, tmp_path: Path, name: str, where: str
) -> None:
    record(run, "1")  # so that there is a gen-000001.json to restore
    args = _locked_args(name, tmp_path)
    full = ["--lock-timeout", "1", *args] if where == "before" else [*args, "--lock-timeout", "1"]
    result = run(*full)
    assert result.exit_code == 0, result.stderr
    if name in ("record", "import", "target-set", "db-restore"):
        assert generation(db_path) == 3


@pytest.mark.parametrize("where", ["before", "after"])
@pytest.mark.parametrize("name", ["record", "import", "target-set"])
def test_negative_lock_timeout_exit_2(
    run, initialised, db_path: Path, tmp_path: Path, name: str, where: str
) -> None:
    args = _locked_args(name, tmp_path)
    full = ["--lock-timeout", "-1", *args] if where == "before" else [*args, "--lock-timeout", "-1"]
    before = snapshot(tmp_path)
    result = run(*full)
    assert result.exit_code == 2, result.stderr
    [line] = lines(result.stderr)
    assert line.startswith("error: ") and "--lock-timeout" in line
    assert snapshot(tmp_path) == before


def test_negative_lock_timeout_from_env_exit_2(
    run, initialised, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POVTRACK_LOCK_TIMEOUT", "-2")
    raw = db_path.read_bytes()
    result = run("record", DANGEROUS, "5", "--area", "yanggao", "--date", "2018-07-01")
    assert result.exit_code == 2
    assert "--lock-timeout" in result.stderr
    assert db_path.read_bytes() == raw

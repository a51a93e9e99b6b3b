"""`import --json` and `inbox --json` carry every warning of the run (issue 11, item 2): the
warnings `import` says on stderr (a running total going down; the database's own, such as a
stale temp file that cannot be removed) appear in the JSON with stable field names, and the
inbox, which said none of them, says and carries them for each file.
"""

from __future__ import annotations

import errno
import json
import os
import time
from pathlib import Path
from typing import Any

import pytest

RELOCATED = "housing.relocated_people"


def put(path: Path, rows: list[str], age: float = 100.0) -> Path:
    path.write_text("week,area,indicator,value\n" + "".join(r + "\n" for r in rows), "utf-8")
    t = time.time() - age
    os.utime(path, (t, t))
    return path


def down_warning(source: str) -> dict[str, Any]:
    return {
        "kind": "running-total-down",
        "message": (
            f"{source}: tianzhen {RELOCATED} 2018-06-17: 80 is below 90 on 2018-06-10 (a running "
            "total going down: accepted; 'povtrack check' reports it)"
        ),
        "source": source,
        "area": "tianzhen",
        "indicator": RELOCATED,
        "date": "2018-06-17",
        "value": 80,
        "previous": 90,
        "previous_date": "2018-06-10",
    }


@pytest.fixture
def going_down(tmp_path: Path) -> Path:
    return put(
        tmp_path / "w.csv",
        [f"2018-W23,tianzhen,{RELOCATED},90", f"2018-W24,tianzhen,{RELOCATED},80"],
    )


def test_import_json_carries_the_warnings_it_says(run, initialised, going_down: Path) -> None:
    dry = run("import", "--dry-run", "--json", str(going_down))
    assert dry.exit_code == 0, dry.stderr
    assert json.loads(dry.stdout)["warnings"] == [down_warning(f"{going_down}:3")]
    result = run("import", "--json", str(going_down))
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["warnings"] == [down_warning(f"{going_down}:3")]
    said = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert said == [f"warning: {w['message']}" for w in data["warnings"]]
    again = json.loads(run("import", "--json", str(going_down)).stdout)
    assert again["warnings"] == []  # nothing imported, nothing to warn about


def test_import_json_carries_the_databases_warnings(
    run, initialised, db_path: Path, going_down: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = db_path.with_name(f".{db_path.name}.123.tmp")
    stale.write_bytes(b'{"meta": ')  # what a killed writer leaves
    real_unlink = Path.unlink

    def unlink(self: Path, *args: Any, **kwargs: Any) -> None:
        if self == stale:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(self))
        real_unlink(self, *args, **kwargs)

    monkeypatch.setattr(Path, "unlink", unlink)
    result = run("import", "--json", str(going_down))
    assert result.exit_code == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    database = {
        "kind": "database",
        "message": f"{stale}: could not remove a stale temp file: Permission denied",
    }
    assert warnings == [down_warning(f"{going_down}:3"), database]
    said = [ln for ln in result.stderr.splitlines() if ln.startswith("warning: ")]
    assert sorted(said) == sorted(f"warning: {w['message']}" for w in warnings)


def test_inbox_says_and_carries_each_files_warnings(run, initialised, tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    put(inbox / "w.csv", [f"2018-W23,tianzhen,{RELOCATED},90", f"2018-W24,tianzhen,{RELOCATED},80"])
    put(inbox / "ok.csv", [f"2018-W23,yanggao,{RELOCATED},5"], age=50)
    result = run("inbox", str(inbox), "--json")
    assert result.exit_code == 0, result.stderr
    files = {f["file"]: f for f in json.loads(result.stdout)["files"]}
    assert files["w.csv"]["warnings"] == [down_warning("w.csv:3")]
    assert files["ok.csv"]["warnings"] == []
    put(
        inbox / "v.csv",
        [f"2018-W25,tianzhen,{RELOCATED},70"],
    )
    text = run("inbox", str(inbox))
    assert text.exit_code == 0, text.stderr
    assert (
        f"warning: v.csv: v.csv:2: tianzhen {RELOCATED} 2018-06-24: 70 is below 80 on "
        "2018-06-17 (a running total going down: accepted; 'povtrack check' reports it)"
    ) in text.stderr.splitlines()

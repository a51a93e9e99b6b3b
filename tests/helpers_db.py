"""Shared by test_db_verify.py, test_db_backups.py and test_db_lock_timeout.py: what a
database file and its backups folder hold, read straight from the JSON files on disk (never
from povtrack's own code), and the ``three_gens`` fixture (import it into a test module as
``three_gens = helpers_db.three_gens`` so pytest finds it there).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

DANGEROUS = "housing.dangerous_houses"  # households, city target 17554
RELOCATED = "housing.relocated_people"  # people


def lines(text: str) -> list[str]:
    return [ln for ln in text.splitlines() if ln.strip()]


def snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every file and folder under ``folder`` with its bytes (None for a folder), except the
    lock's side files, which a writer creates before it knows the database is bad."""
    return {
        str(p.relative_to(folder)): (p.read_bytes() if p.is_file() else None)
        for p in sorted(folder.rglob("*"))
        if not p.name.endswith((".lock", ".lock.owner"))
    }


def doc(path: Path) -> dict[str, Any]:
    return json.loads(path.read_bytes().decode("utf-8"))


def meta(path: Path) -> dict[str, Any]:
    return doc(path)["meta"]["1"]


def generation(path: Path) -> int:
    return meta(path)["generation"]


def backups_dir(db: Path) -> Path:
    return db.with_name(db.name + ".backups")


def gen_file(db: Path, n: int) -> Path:
    return backups_dir(db) / f"gen-{n:06d}.json"


def record(run, value: str, day: str = "2018-07-01", area: str = "yanggao") -> None:
    result = run("record", DANGEROUS, value, "--area", area, "--date", day)
    assert result.exit_code == 0, result.stderr


def returns_csv(folder: Path, name: str = "w27.csv", value: int = 7) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    f = folder / name
    f.write_text(f"date,area,indicator,value\n2018-07-01,tianzhen,{DANGEROUS},{value}\n", "utf-8")
    return f


def write_doc(path: Path, data: dict[str, Any]) -> bytes:
    """Save a hand-edited database the way an editor would (in place) and return its bytes."""
    raw = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
    path.write_bytes(raw)
    return raw


@pytest.fixture
def three_gens(run, initialised, db_path: Path) -> Path:
    """init (generation 1) and two records (generations 2 and 3): backups gen-1 and gen-2."""
    record(run, "100")
    record(run, "200", day="2018-07-08")
    assert generation(db_path) == 3
    return db_path


def hand_break(db: Path) -> bytes:
    """Entry 1 names an area the plan does not have: valid JSON, a bad record."""
    data = doc(db)
    data["entries"]["1"]["area"] = "atlantis"
    return write_doc(db, data)

"""A big database, on both backends: 200,000 entries take an import of 1,000 rows in exactly
one write, every entry kept (catalogue C13). How fast is for ``benchmarks/``, not for tests.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest

from povtrack.planfile import bundled_text, parse_plan
from povtrack.storage import Database
from tests.helpers.db import entry_docs

pytestmark = pytest.mark.slow

SIZE = 200_000
PLAN = parse_plan(bundled_text(), "test")
# every reporting area against every indicator reported as a plain running count
SERIES = [
    (ind.id, area.id)
    for ind in PLAN.indicators
    if ind.kind == "quantity" and ind.unit != "percent" and ind.reporting == "cumulative"
    for area in PLAN.areas
]
START = date(2018, 1, 1)
DAYS = -(-SIZE // len(SERIES))  # days of history each series gets
NEW = [SERIES[n] for n in range(10)]  # the import: 100 more days of ten series


def _big(path: Path) -> None:
    """SIZE entries as daily running totals, written through the storage API in one commit."""
    with Database.creating(path, bundled_text(), lock_timeout=5) as (store, _):
        batch = store.add_batch("import", "test", [{"name": "big.csv", "sha256": "0" * 64}])
        rows = [
            {
                "indicator": SERIES[n % len(SERIES)][0],
                "area": SERIES[n % len(SERIES)][1],
                "date": START + timedelta(days=n // len(SERIES)),
                "value": n,
                "note": "",
                "source": f"big.csv:{n + 2}",
            }
            for n in range(SIZE)
        ]
        store.add_entries(rows, by="test", batch=batch)
        store.commit()


@pytest.fixture(params=["json", "sqlite"])
def big(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("big") / f"big.{request.param}"
    _big(path)
    return path


def _generation(path: Path) -> int:
    return Database.open(path).generation


def test_an_import_into_a_big_database_is_one_write_and_keeps_every_entry(
    run, big: Path, tmp_path: Path
) -> None:
    assert (PLAN.last_due - START).days > DAYS + 100  # every date inside the plan's window
    returns = tmp_path / "week.csv"
    lines = ["date,area,indicator,value,note"]
    lines += [
        f"{(START + timedelta(days=DAYS + day)).isoformat()},{area},{indicator},{SIZE + day},"
        for day in range(100)
        for indicator, area in NEW
    ]
    returns.write_text("\n".join(lines) + "\n", encoding="utf-8")
    before = _generation(big)
    backups = Path(f"{big}.backups")
    kept = set(backups.iterdir()) if backups.is_dir() else set()

    result = run("--db", str(big), "import", str(returns), "--json")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["added"] == 1000

    assert _generation(big) == before + 1  # one commit
    now = set(backups.iterdir()) if backups.is_dir() else set()
    if big.suffix == ".json":  # the file each commit replaces is kept: exactly one more
        assert len(now - kept) == 1
    else:  # SQLite keeps no per-commit backup
        assert now == kept
    entries = Database.open(big).all_entries()
    assert len(entries) == SIZE + 1000
    assert [e.id for e in entries] == list(range(1, SIZE + 1001))
    if big.suffix == ".json":  # the file itself, read without povtrack
        assert len(entry_docs(json.loads(big.read_bytes()))) == SIZE + 1000

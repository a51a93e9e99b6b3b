"""A SQLite or PostgreSQL database keeps its plan's parsed document beside the TOML text
(``planstore``): an open reads the plan from it without parsing TOML, the plan is the one the
text gives, a document that is not the text's is never used, and ``db verify`` says so."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from povtrack.planfile import parse_plan
from povtrack.planstore import KEY, plan_doc, stored_plan
from povtrack.storage import Database, db_target
from tests.helpers.pg import PgDatabase


@pytest.fixture(params=["sqlite", "postgresql"])
def made(request: pytest.FixtureRequest, run: Any, tmp_path: Path) -> tuple[str, Any]:
    """A new database, and a function that runs SQL on it outside povtrack."""
    if request.param == "sqlite":
        db = str(tmp_path / "plan.sqlite")

        def sql(query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            with sqlite3.connect(db) as conn:
                return conn.execute(query, params).fetchall()

    else:
        pg: PgDatabase = request.getfixturevalue("pg_database")
        db = pg.url()

        def sql(query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
            with pg.connect() as conn:
                cur = conn.execute(
                    query.replace("?", "%s").replace("meta", "povtrack.meta"), params
                )
                return cur.fetchall() if cur.description else []

    assert run("--db", db, "init").exit_code == 0
    return db, sql


def _doc(sql: Any) -> dict[str, Any]:
    (value,) = sql("SELECT value FROM meta WHERE key = ?", (KEY,))[0]
    return json.loads(value) if isinstance(value, str) else value


def _set_doc(sql: Any, doc: dict[str, Any]) -> None:
    sql("UPDATE meta SET value = ? WHERE key = ?", (json.dumps(doc), KEY))


def test_an_open_reads_the_plan_from_its_doc_not_the_toml(
    made: tuple[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    db, sql = made
    store = Database.open(db_target(db))
    text = store.meta["plan_text"]
    assert _doc(sql) == json.loads(json.dumps(plan_doc(text)))
    assert store.plan == parse_plan(text, "the text")

    def no_toml(*args: Any) -> Any:
        raise AssertionError("TOML parsed")

    monkeypatch.setattr("povtrack.planfile.tomllib.loads", no_toml)
    assert Database.open(db_target(db)).plan == store.plan


def test_a_doc_that_is_not_the_texts_is_never_used_and_verify_says_so(
    made: tuple[str, Any], run: Any
) -> None:
    db, sql = made
    doc = _doc(sql)
    doc["doc"]["plan"]["name_en"] = "Not the plan"  # the digest still the text's
    _set_doc(sql, doc)
    verdict = run("--db", db, "db", "verify", "--json")
    assert verdict.exit_code == 4
    assert any("plan_doc" in p for p in json.loads(verdict.stdout)["problems"])
    doc["sha256"] = "0" * 64  # another text's doc: ignored on open, the text decides
    _set_doc(sql, doc)
    store = Database.open(db_target(db))
    assert store.plan.name_en != "Not the plan"
    assert store.plan == parse_plan(store.meta["plan_text"], "the text")


def test_a_plan_with_a_value_json_cannot_hold_keeps_no_doc() -> None:
    from povtrack.planfile import bundled_text

    text = bundled_text()
    assert plan_doc(text) is not None
    odd = text.replace("start = 2018-01-01", "start = 2018-01-01\nstarted_at = 07:30:00", 1)
    assert odd != text and plan_doc(odd) is None
    meta = {"plan_text": text, KEY: {"sha256": "x", "doc": {}}}
    assert stored_plan(meta, "plan") == parse_plan(text, "plan")

"""The check of a schema-4 ``series`` table (``seriescheck.check_series``) and of its audit
texts (``EntryTable.check_audits``): each kind of damage refused with the exact JSON path of it,
and the entry id users see in ``povtrack log``; through the whole loader, a refusal and never an
internal error.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import pytest

from povtrack.errors import DatabaseError
from povtrack.ledger import Ledger
from povtrack.storage.json import file as dbfile
from povtrack.storage.json import seriescheck
from povtrack.storage.json.entrytable import AuditError, EntryTable, series_from_records
from tests.helpers.db import AUDIT_COLUMNS, SERIES_COLUMNS, audit_of, set_audit
from tests.helpers.progress import PLAN

# ---------------------------------------------------------------------------- check_series


def _sound() -> dict[str, Any]:
    """Two series: people in north (#1, #3, #4, #4 correcting #1) and trained in south (#2)."""
    base = {"note": "", "source": "s", "recorded_at": "2018-03-05T09:00:00+00:00", "by": "u"}
    recs = [
        {"id": 1, "indicator": "people", "area": "north", "date": "2018-03-04", "value": 5},
        {"id": 2, "indicator": "trained", "area": "south", "date": "2018-03-04", "value": 2.5},
        {"id": 3, "indicator": "people", "area": "north", "date": "2018-03-11", "value": 8},
        {"id": 4, "indicator": "people", "area": "north", "date": "2018-03-04", "value": 6}
        | {"corrects": 1, "reason": "typo"},
    ]
    data = {"series": series_from_records([r | base | {"batch": "b1"} for r in recs])}
    assert seriescheck.check_series(data, PLAN) == []
    assert EntryTable(data["series"]).check_audits() == []
    return data


def _set(column: str, row: int, value: Any):
    def change(data: dict[str, Any]) -> None:
        data["series"]["1"][column][row] = value

    return change


# name: (change to the sound data, the exact problems check_series reports[, a mark])
REFUSALS = {
    # the columns as a whole
    "uneven": (
        lambda d: d["series"]["1"]["value"].pop(),
        ["/series/1/value has 2 rows, /id has 3"],
    ),
    "uneven-correction": (
        lambda d: d["series"]["1"]["corrects"].append(None),
        ["/series/1/corrects has 4 rows, /id has 3"],
    ),
    "audit-missing": (
        lambda d: d["series"]["2"].pop("audit"),
        ["/series/2/audit must be the JSON text of the audit columns"],
    ),
    "audit-not-text": (
        lambda d: d["series"]["2"].update(audit={"note": [""]}),
        ["/series/2/audit must be the JSON text of the audit columns"],
    ),
    "column-missing": (
        lambda d: d["series"]["1"].pop("batch"),
        ["/series/1/batch is missing"],
    ),
    "column-not-a-list": (
        lambda d: d["series"]["1"].update(value={"0": 5}),
        ["/series/1/value must be a list"],
    ),
    "indicator-missing": (
        lambda d: d["series"]["2"].pop("indicator"),
        ["/series/2/indicator is missing"],
    ),
    "area-not-text": (
        lambda d: d["series"]["2"].update(area=7),
        ["/series/2/area must be text"],
    ),
    # ids
    "ids-not-rising": (_set("id", 2, 2), ["/series/1/id/2: ids must rise (2 after 3)"]),
    "id-repeated-in-a-series": (_set("id", 1, 1), ["/series/1/id/1: ids must rise (1 after 1)"]),
    "id-zero": (_set("id", 0, 0), ["/series/1/id/0 must be an entry id (a whole number ≥ 1)"]),
    "id-text": (_set("id", 0, "1"), ["/series/1/id/0 must be an entry id (a whole number ≥ 1)"]),
    "id-bool": (_set("id", 0, True), ["/series/1/id/0 must be an entry id (a whole number ≥ 1)"]),
    "id-float": (_set("id", 0, 1.0), ["/series/1/id/0 must be an entry id (a whole number ≥ 1)"]),
    "id-used-twice-across-series": (
        lambda d: d["series"]["2"].update(id=[3]),
        ["/series/2/id/0: entry 3 is also at /series/1/id/1 (an id used twice)"],
    ),
    # values
    "value-bool": (
        _set("value", 1, True),
        ["/series/1/value/1 (entry 3) must be a number ≥ 0, not True"],
    ),
    "value-text": (
        _set("value", 1, "12"),
        ["/series/1/value/1 (entry 3) must be a number ≥ 0, not '12'"],
    ),
    "value-null": (
        _set("value", 0, None),
        ["/series/1/value/0 (entry 1) must be a number ≥ 0, not None"],
    ),
    "value-negative": (
        _set("value", 2, -1),
        ["/series/1/value/2 (entry 4) must be a number ≥ 0, not -1"],
    ),
    "value-inf": (
        _set("value", 1, math.inf),
        ["/series/1/value/1 (entry 3) must be a number ≥ 0, not inf"],
    ),
    "value-nan-first": (
        _set("value", 0, math.nan),
        ["/series/1/value/0 (entry 1) must be a number ≥ 0, not nan"],
    ),
    "value-nan-later": (
        _set("value", 1, math.nan),
        ["/series/1/value/1 (entry 3) must be a number ≥ 0, not nan"],
    ),
    # dates
    "date-impossible": (
        _set("date", 1, "2018-02-30"),
        ["/series/1/date/1 (entry 3) must be a date YYYY-MM-DD, not '2018-02-30'"],
    ),
    "date-words": (
        _set("date", 0, "last week"),
        ["/series/1/date/0 (entry 1) must be a date YYYY-MM-DD, not 'last week'"],
    ),
    "date-null": (
        _set("date", 2, None),
        ["/series/1/date/2 (entry 4) must be a date YYYY-MM-DD, not None"],
    ),
    # text and corrections
    "batch-not-text": (_set("batch", 1, 5), ["/series/1/batch/1 (entry 3) must be text"]),
    "batch-null": (_set("batch", 0, None), ["/series/1/batch/0 (entry 1) must be text"]),
    "corrects-text": (
        _set("corrects", 2, "1"),
        ["/series/1/corrects/2 (entry 4) must be an entry id"],
    ),
    "corrects-negative": (
        _set("corrects", 2, -1),
        ["/series/1/corrects/2 (entry 4) must be an entry id"],
    ),
    # the plan
    "unknown-indicator": (
        lambda d: d["series"]["2"].update(indicator="housing.castles"),
        ["/series/2/indicator: 'housing.castles' is not in the plan"],
    ),
    "unknown-area": (
        lambda d: d["series"]["1"].update(area="atlantis"),
        ["/series/1/area: 'atlantis' is not in the plan"],
    ),
    "second-series-for-a-key": (
        lambda d: d["series"]["2"].update(indicator="people", area="north", id=[9]),
        ["/series/2: a second series for people in north"],
    ),
}


@pytest.mark.parametrize(
    ("change", "problems"),
    [pytest.param(*case[:2], id=name, marks=case[2:]) for name, case in REFUSALS.items()],
)
def test_check_series_names_each_problem_exactly(change, problems: list[str]) -> None:
    data = _sound()
    change(data)
    assert seriescheck.check_series(data, PLAN) == problems


def test_check_series_lists_every_bad_row_of_a_series() -> None:
    data = _sound()
    doc = data["series"]["1"]
    doc["value"][0], doc["value"][2], doc["batch"][1] = -1, "x", None
    assert seriescheck.check_series(data, PLAN) == [
        "/series/1/value/0 (entry 1) must be a number ≥ 0, not -1",
        "/series/1/value/2 (entry 4) must be a number ≥ 0, not 'x'",
        "/series/1/batch/1 (entry 3) must be text",
    ]


def test_an_empty_series_table_and_an_empty_series_are_sound() -> None:
    assert seriescheck.check_series({"series": {}}, PLAN) == []
    assert seriescheck.check_series({}, PLAN) == []
    empty = {"indicator": "people", "area": "north"} | {c: [] for c in SERIES_COLUMNS}
    empty["audit"] = json.dumps({c: [] for c in AUDIT_COLUMNS})
    assert seriescheck.check_series({"series": {"1": empty}}, PLAN) == []
    assert EntryTable({"1": empty}).check_audits() == []


# ---------------------------------------------------------------------------- the audit text


def _audit(change):
    """A change of series 1's decoded audit columns, written back as JSON text."""

    def edit(data: dict[str, Any]) -> None:
        series = data["series"]["1"]
        audit = audit_of(series)
        change(audit)
        set_audit(series, audit)

    return edit


def _set_audit(column: str, row: int, value: Any):
    def change(audit: dict[str, list[Any]]) -> None:
        audit[column][row] = value

    return _audit(change)


# name: (change to the sound data, the exact problem check_audits reports)
AUDIT_REFUSALS = {
    "not-json": (
        lambda d: d["series"]["1"].update(audit='{"note": ["", '),
        "/series/1/audit is not the JSON text of the audit columns",
    ),
    "a-list": (
        lambda d: d["series"]["1"].update(audit="[]"),
        "/series/1/audit must hold an object of columns",
    ),
    "column-missing": (
        _audit(lambda a: a.pop("by")),
        "/series/1/audit/by is missing or not a list",
    ),
    "column-not-a-list": (
        _audit(lambda a: a.update(source="s")),
        "/series/1/audit/source is missing or not a list",
    ),
    "uneven": (
        _audit(lambda a: a["note"].pop()),
        "/series/1/audit/note has 2 rows, /series/1/id has 3",
    ),
    "uneven-reason": (
        _audit(lambda a: a["reason"].append("")),
        "/series/1/audit/reason has 4 rows, /series/1/id has 3",
    ),
    **{
        f"{column}-not-text": (
            _set_audit(column, 2, 5),
            f"/series/1/audit/{column}/2 (entry 4) must be text",
        )
        for column in (*AUDIT_COLUMNS, "reason")
    },
    "note-null": (_set_audit("note", 0, None), "/series/1/audit/note/0 (entry 1) must be text"),
}


@pytest.mark.parametrize(
    ("change", "problem"), list(AUDIT_REFUSALS.values()), ids=list(AUDIT_REFUSALS)
)
def test_check_audits_names_each_problem_exactly(change, problem: str) -> None:
    data = _sound()
    change(data)
    assert seriescheck.check_series(data, PLAN) == []  # opening does not decode the audit
    table = EntryTable(data["series"])
    assert table.check_audits() == [problem]
    with pytest.raises(AuditError) as raised:  # nor does anything that reads single entries
        table.entries()
    assert str(raised.value) == problem
    # but the ledger, which needs no audit detail, still reads
    ledger = Ledger.from_series(table.series_values())
    assert ledger.value_on("people", "north", date(2018, 3, 4)) == 6


def _file_with(series: dict[str, Any]) -> dict[str, Any]:
    """A whole schema-4 database file around a series table (the tiny plan)."""
    from tests.helpers.progress import HEADER, INDICATORS

    count = sum(len(s["id"]) for s in series.values())
    meta = {"schema": 4, "generation": 1, "plan_text": HEADER + INDICATORS}
    return {"meta": {"1": meta | {"entries_count": count}}, "series": series}


@pytest.mark.parametrize(
    "ids",
    [
        pytest.param(5, id="a-number"),
        pytest.param(None, id="null"),
        pytest.param("1,3,4", id="text"),
        pytest.param({"0": 1}, id="an-object"),
    ],
)
def test_a_file_whose_id_column_is_not_a_list_is_refused_not_a_crash(ids: Any) -> None:
    """Through the whole loader: the refusal is a DatabaseError naming the column."""
    data = _file_with(_sound()["series"])
    assert dbfile.load(json.dumps(data).encode(), "db.json").entries.count == 4
    data["series"]["1"]["id"] = ids
    with pytest.raises(
        DatabaseError, match=r"^db\.json: corrupt database: /series/1/id must be a list"
    ):
        dbfile.load(json.dumps(data).encode(), "db.json")

"""The entries of a schema-4 database, column by column (``povtrack.storage.json.entrytable``).

- ``EntryTable.not_counting`` / ``replaced`` + ``Ledger.from_series`` must give exactly what
  the per-entry rules give (``ledger.entry_states`` / ``effective_entries`` /
  ``Ledger(entries)``), and what the entries shown as counting add up to is the actual, for
  any history of records, corrections (chains, corrections of undone or superseded entries)
  and undos (undos of undos): property-based, with Hypothesis;
- ``series_from_records`` then ``EntryTable(...).records()`` gives every record back, and
  ``extend`` adds what ``append`` adds one by one.

The checks of the series table are in storage/test_json_checks.py.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from fractions import Fraction
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from povtrack.analysis.status import status_rows
from povtrack.ledger import (
    COUNTS,
    REPLACED,
    Ledger,
    effective_entries,
    entry_states,
    undone_batches,
)
from povtrack.model import Entry
from povtrack.storage.json import seriescheck
from povtrack.storage.json.entrytable import EntryTable, entry_record, series_from_records
from tests.helpers.db import AUDIT_COLUMNS, SERIES_COLUMNS, audit_of, entry_docs
from tests.helpers.progress import PLAN

# of the tiny plan (tests/helpers/progress.py): a running total, increments, the two parts of a
# ratio, a rate and an activity; the city, two counties and a district
INDICATORS = ("people", "trained", "exited", "poor", "coverage", "visits")
AREAS = ("metro", "north", "south", "east")
DAYS = tuple(date(2018, 3, 4) + timedelta(weeks=k) for k in range(5))
AS_OF = (date(2018, 3, 1), date(2018, 3, 18), date(2018, 4, 30), date(2018, 12, 31))
DANGLING = 10_000  # an id no entry has (a hand edit; opening accepts it, db verify names it)

values = st.one_of(
    st.integers(min_value=0, max_value=10**7),
    # the whole float range, tiny ones too (a stored 5e-324 is what an older povtrack let in; a
    # ratio over it is shown as the largest float: analysis/test_status_actuals.py)
    st.floats(min_value=0, max_value=1e9, allow_nan=False, allow_infinity=False),
)
texts = st.text(max_size=6)


# ---------------------------------------------------------------------------- histories


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Entry], list[dict[str, Any]]]:
    """Entries and batches as povtrack's commands make them, one batch per command: records
    and imports (1-4 entries), corrections of any entry so far (a correction, a superseded
    or an undone one too; now and then of an id that does not exist) and undos of any batch
    so far (an undo too)."""
    entries: list[Entry] = []
    batches: list[dict[str, Any]] = []
    for n in range(draw(st.integers(min_value=1, max_value=14))):
        batch = f"b{n + 1}"
        kind = draw(st.sampled_from(["record", "record", "correct", "correct", "undo"]))
        if kind == "undo" and batches:
            target = draw(st.sampled_from([b["id"] for b in batches]))
            batches.append({"id": batch, "kind": "undo", "files": [], "reverts": target})
            continue
        if kind == "correct" and entries:
            old = draw(st.sampled_from(entries))
            target = draw(st.sampled_from([old.id] * 9 + [DANGLING]))
            entries.append(
                Entry(
                    len(entries) + 1,
                    old.indicator,
                    old.area,
                    old.date,
                    draw(values),
                    draw(texts),
                    f"correct {target}",
                    "2018-06-01T00:00:00+00:00",
                    draw(texts),
                    batch,
                    target,
                    draw(texts),
                )
            )
            batches.append({"id": batch, "kind": "correct", "files": []})
            continue
        for _ in range(draw(st.integers(min_value=1, max_value=4))):
            entries.append(
                Entry(
                    len(entries) + 1,
                    draw(st.sampled_from(INDICATORS)),
                    draw(st.sampled_from(AREAS)),
                    draw(st.sampled_from(DAYS)),
                    draw(values),
                    draw(texts),
                    draw(texts),
                    "2018-06-01T00:00:00+00:00",
                    draw(texts),
                    batch,
                )
            )
        batches.append({"id": batch, "kind": "record", "files": []})
    return entries, batches


def table_of(entries: list[Entry]) -> EntryTable:
    """The entries as a JSON file holds them: columns per series, through JSON and back."""
    series = series_from_records([entry_record(e) for e in reversed(entries)])
    return EntryTable(json.loads(json.dumps(series)))


def _ledger_view(ledger: Ledger, as_of: date) -> dict[tuple[str, str], Any]:
    """Everything a ledger answers, for every indicator and area."""
    out = {}
    for ind in INDICATORS:
        indicator = PLAN.indicator(ind)
        for area in AREAS:
            dates = ledger.dates(ind, area)
            out[(ind, area)] = (
                dates,
                [ledger.value_on(ind, area, d) for d in dates],
                ledger.area_actual(indicator, area, as_of),
            )
    return out


@settings(max_examples=120, deadline=None)  # 300 until 0.6.0: the test line stays under 2 min
@given(histories())
def test_columns_count_what_the_per_entry_rules_count(
    history: tuple[list[Entry], list[dict[str, Any]]],
) -> None:
    entries, batches = history
    table = table_of(entries)
    skip = table.not_counting(set(undone_batches(batches)))

    states = entry_states(entries, batches)
    ids = {e.id for e in entries}
    replaced = {i for i, s in states.items() if s.startswith(REPLACED)}
    assert skip & ids == {i for i, s in states.items() if s != COUNTS} - replaced
    assert skip - ids <= {DANGLING}  # a dangling correction supersedes nothing there is
    assert table.replaced(skip) == replaced

    effective = effective_entries(entries, batches)
    assert table.entries(skip | table.replaced(skip)) == effective
    assert table.latest_date(skip) == max((e.date for e in effective), default=None)

    from_columns = Ledger.from_series(table.series_values(skip))
    per_entry = Ledger(effective)
    for as_of in AS_OF:
        assert _ledger_view(from_columns, as_of) == _ledger_view(per_entry, as_of)
        # every status row alike (repr: a forecast may be nan, which equals nothing)
        assert repr(status_rows(PLAN, from_columns, [], as_of)) == repr(
            status_rows(PLAN, effective, [], as_of)
        )


@settings(max_examples=120, deadline=None)  # 300 until 0.6.0: the test line stays under 2 min
@given(histories())
def test_what_log_shows_as_counting_is_what_status_counts(
    history: tuple[list[Entry], list[dict[str, Any]]],
) -> None:
    """Issue 11, item 3: for increments the entries shown as counting add up to the actual;
    for running totals the entry shown as counting for each area and date is the value the
    ledger (status) uses, and there is one per date."""
    entries, batches = history
    states = entry_states(entries, batches)
    counting = [e for e in entries if states[e.id] == COUNTS]
    ledger = Ledger.from_series(
        table_of(entries).series_values(
            table_of(entries).not_counting(set(undone_batches(batches)))
        )
    )
    for ind in INDICATORS:
        indicator = PLAN.indicator(ind)
        for area in AREAS:
            mine = [e for e in counting if (e.indicator, e.area) == (ind, area)]
            days = [e.date for e in mine]
            assert len(days) == len(set(days))  # one entry counts per date
            assert sorted(days) == ledger.dates(ind, area)
            for e in mine:
                assert ledger.value_on(ind, area, e.date) == e.value
            for as_of in AS_OF:
                upto = [e for e in mine if e.date <= as_of]
                if not upto:
                    assert ledger.area_actual(indicator, area, as_of) is None
                elif indicator.reporting == "increment":
                    total = sum(written(e.value) for e in upto)
                    assert ledger.area_actual(indicator, area, as_of) == total
                else:
                    newest = max(upto, key=lambda e: e.date)
                    assert ledger.area_actual(indicator, area, as_of) == written(newest.value)


def written(value: float) -> Fraction:
    """A stored value as the decimal it was written as (docs/rules.md, "Exact figures"):
    a float's shortest decimal text, not its binary expansion."""
    return Fraction(str(value))


def test_only_an_entry_that_counts_replaces_another() -> None:
    """#1 and #2 report the same date; #2 is superseded by #3, which a hand edit dated a week
    later: #2 replaces nothing, #1 counts. #4 reports #1's date again, but its batch is
    undone: #1 still counts. #5 reports it again and counts: #1 is replaced by #5."""
    day, later = DAYS[0], DAYS[1]
    entries = [
        Entry(1, "people", "north", day, 10, batch="b1"),
        Entry(2, "people", "north", day, 20, batch="b2"),
        Entry(3, "people", "north", later, 30, batch="b3", corrects=2, reason="x"),
        Entry(4, "people", "north", day, 40, batch="b4"),
    ]
    batches = [{"id": f"b{n}", "kind": "record"} for n in range(1, 5)]
    batches.append({"id": "b5", "kind": "undo", "reverts": "b4"})
    table = table_of(entries)
    skip = table.not_counting(set(undone_batches(batches)))
    assert entry_states(entries, batches) == {
        1: "counts",
        2: "superseded by #3",
        3: "counts",
        4: "undone by b5",
    }
    assert table.replaced(skip) == set()
    assert Ledger.from_series(table.series_values(skip)).value_on("people", "north", day) == 10
    entries.append(Entry(5, "people", "north", day, 50, batch="b6"))
    batches.append({"id": "b6", "kind": "record"})
    table = table_of(entries)
    skip = table.not_counting(set(undone_batches(batches)))
    assert entry_states(entries, batches)[1] == "replaced by #5"
    assert table.replaced(skip) == {1}
    assert Ledger.from_series(table.series_values(skip)).value_on("people", "north", day) == 50


def test_a_chain_of_corrections_and_an_undone_undo_by_hand() -> None:
    """One history worked out by hand: #2 corrects #1, #3 corrects #2 (a chain), #4 (a week
    later, by a hand edit) corrects #1 again, too late: #1 is superseded already; b5 undoes
    b3 (#3), b6 undoes b5."""
    day, later = DAYS[0], DAYS[1]
    entries = [
        Entry(1, "people", "north", day, 10, batch="b1"),
        Entry(2, "people", "north", day, 20, batch="b2", corrects=1, reason="x"),
        Entry(3, "people", "north", day, 30, batch="b3", corrects=2, reason="y"),
        Entry(4, "people", "north", later, 40, batch="b4", corrects=1, reason="z"),
    ]
    batches = [{"id": f"b{n}", "kind": "record"} for n in range(1, 5)]
    undo = [{"id": "b5", "kind": "undo", "reverts": "b3"}]
    undo_undo = [*undo, {"id": "b6", "kind": "undo", "reverts": "b5"}]
    table = table_of(entries)
    cases = {  # name: (more batches, entries that do not count, the value on ``day``)
        "no undo": ([], {1, 2}, 30),  # #3 supersedes #2, which superseded #1
        "b3 undone": (undo, {1, 3}, 20),  # #2 counts again, superseding #1
        "the undo undone": (undo_undo, {1, 2}, 30),
    }
    for name, (extra, not_counting, value) in cases.items():
        skip = table.not_counting(set(undone_batches(batches + extra)))
        states = entry_states(entries, batches + extra)
        assert skip == {i for i, s in states.items() if s != COUNTS} == not_counting, name
        ledger = Ledger.from_series(table.series_values(skip))
        assert ledger.value_on("people", "north", day) == value, name
        assert ledger.value_on("people", "north", later) == 40, name


# ---------------------------------------------------------------------------- round trip


@st.composite
def records(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Entry records with distinct ids (in any order), some of them corrections."""
    ids = draw(st.lists(st.integers(min_value=1, max_value=500), unique=True, max_size=30))
    out = []
    for entry_id in ids:
        rec = {
            "id": entry_id,
            "indicator": draw(st.sampled_from(INDICATORS)),
            "area": draw(st.sampled_from(AREAS)),
            "date": draw(st.sampled_from(DAYS)).isoformat(),
            "value": draw(values),
            "note": draw(texts),
            "source": draw(texts),
            "recorded_at": draw(texts),
            "by": draw(texts),
            "batch": draw(texts),
        }
        if draw(st.integers(0, 4)) == 0:
            rec |= {
                "corrects": draw(st.integers(min_value=1, max_value=500)),
                "reason": draw(texts),
            }
        out.append(rec)
    return out


@settings(max_examples=120, deadline=None)  # 300 until 0.6.0: the test line stays under 2 min
@given(records())
def test_series_from_records_round_trips(recs: list[dict[str, Any]]) -> None:
    series = json.loads(json.dumps(series_from_records(recs)))  # as the file holds it
    in_order = sorted(recs, key=lambda r: r["id"])

    table = EntryTable(series)
    assert table.records() == in_order
    assert table.count == len(recs)
    assert table.last_id == max((r["id"] for r in recs), default=0)
    for rec in recs:
        assert entry_record(table.find(rec["id"])) == rec
    assert table.find(1000) is None

    # the layout itself, read without povtrack: the test helpers see the same records
    assert entry_docs({"series": series}) == {r["id"]: r for r in recs}
    assert list(series) == [str(n) for n in range(1, len(series) + 1)]
    for doc in series.values():
        n = len(doc["id"])
        assert n >= 1 and doc["id"] == sorted(doc["id"])
        assert set(doc) - {"corrects"} == {"indicator", "area", "audit", *SERIES_COLUMNS}
        assert all(len(doc[c]) == n for c in SERIES_COLUMNS)
        audit = audit_of(doc)
        assert set(audit) - {"reason"} == set(AUDIT_COLUMNS)
        assert all(len(column) == n for column in audit.values())
        has = any(r.get("corrects") is not None for r in recs if r["id"] in doc["id"])
        assert ("corrects" in doc) == ("reason" in audit) == has
        if has:
            assert all(
                (c is None) == (why == "") or c is not None
                for c, why in zip(doc["corrects"], audit["reason"], strict=True)
            )
    keys = [(d["indicator"], d["area"]) for d in series.values()]
    assert len(keys) == len(set(keys))
    assert seriescheck.check_series({"series": series}, PLAN) == []
    assert table.check_audits() == []


@settings(max_examples=80, deadline=None)
@given(records(), records(), st.booleans())
def test_extend_adds_what_append_adds_one_by_one(
    first: list[dict[str, Any]], then: list[dict[str, Any]], extra_field: bool
) -> None:
    """The bulk path of an import gives the very series the one-by-one path gives: the same
    documents and the same audit texts, corrections and unknown fields included."""
    base = sorted(first, key=lambda r: r["id"])
    top = max((r["id"] for r in base), default=0)
    more = [r | {"id": top + n} for n, r in enumerate(then, 1)]
    if extra_field and more:
        more[0] = more[0] | {"checked_by": "县扶贫办"}
    one_by_one, bulk = EntryTable(series_from_records(base)), EntryTable(series_from_records(base))
    for rec in more:
        one_by_one.append(rec)
    bulk.extend(more)
    one_by_one.flush()
    bulk.flush()
    assert bulk.series == one_by_one.series
    assert (bulk.count, bulk.last_id) == (one_by_one.count, one_by_one.last_id)
    assert bulk.records() == one_by_one.records()


def _rec(entry_id: int, area: str, value: float, **more: Any) -> dict[str, Any]:
    return {"id": entry_id, "indicator": "people", "area": area, "date": "2018-03-04"} | {
        "value": value,
        "note": "",
        "source": "s",
        "recorded_at": "t",
        "by": "u",
        "batch": "b1",
        **more,
    }


def test_append_keeps_a_series_in_id_order_and_adds_correction_lists_late() -> None:
    table = EntryTable({})
    table.append(_rec(1, "north", 5))
    table.append(_rec(2, "south", 6))
    table.append(_rec(3, "north", 7, batch="b2", corrects=1, reason="typo"))
    table.flush()
    north, south = table.series["1"], table.series["2"]
    assert (north["id"], north["corrects"], audit_of(north)["reason"]) == (
        [1, 3],
        [None, 1],
        ["", "typo"],
    )
    assert "corrects" not in south and "reason" not in audit_of(south)
    assert (table.count, table.last_id) == (3, 3)


def test_the_audit_text_is_written_only_by_flush() -> None:
    table = EntryTable(series_from_records([_rec(1, "north", 5)]))
    before = table.series["1"]["audit"]
    table.append(_rec(2, "north", 6, note="新"))
    assert table.series["1"]["audit"] == before  # not yet encoded
    assert [e.note for e in table.entries()] == ["", "新"]  # but read from memory
    table.flush()
    assert audit_of(table.series["1"])["note"] == ["", "新"]


def test_a_new_series_never_takes_the_key_of_an_existing_one() -> None:
    """A hand edit may leave the series keys with a gap: a new series goes past them."""
    kept = series_from_records([_rec(1, "north", 5)])["1"]
    table = EntryTable({"2": json.loads(json.dumps(kept))})
    table.append(_rec(2, "south", 6))
    table.flush()
    assert [r["id"] for r in table.records()] == [1, 2]
    assert table.series["2"] == kept
    assert table.series["3"]["area"] == "south"

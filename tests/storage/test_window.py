"""Reads by the engine (``storage.window``) answer what reading every entry answers.

Random histories (seeded) with everything that decides what counts: dates out of order, a date
reported twice, corrections and corrections of corrections, undos and undos of undos, whole
numbers, decimals of up to six places and decimals the engine cannot add exactly (seven places,
or beyond a billion). Each goes into a JSON file (which reads every entry) and a SQLite file
(which asks the engine); ``status_rows`` over ``ledger_at`` of the SQLite file must equal
``status_rows`` over the JSON file's whole ledger at every as-of date, before the first entry,
inside the history and after the last. PostgreSQL gets the same in test_window_pg.py.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from povtrack.analysis.status import status_rows
from povtrack.ledger import Ledger, undone_batches
from povtrack.planfile import bundled_text, parse_plan
from povtrack.storage import Database
from povtrack.storage.base import Records

# jobs.trained is an increment; reported in mu here, so that decimals are plausible
PLAN = bundled_text().replace(
    'id = "jobs.trained"\ntask = 4\nname = "贫困劳动力技能培训"\n'
    'name_en = "Poor workers given skills training"\nunit = "people"',
    'id = "jobs.trained"\ntask = 4\nname = "贫困劳动力技能培训"\n'
    'name_en = "Poor workers given skills training"\nunit = "mu"',
)
INDICATORS = ("jobs.trained", "housing.relocated_people", "ecology.afforestation")
AREAS = ("yanggao", "tianzhen", "lingqiu", "hunyuan")
START = date(2018, 3, 4)
WEEKS = [START + timedelta(days=7 * n) for n in range(60)]
STAMP = "2018-12-01T00:00:00+00:00"


class _Log:
    """The records of a history as it is made: batches and entries numbered in order."""

    def __init__(self) -> None:
        self.entries: list[dict[str, Any]] = []
        self.batches: list[dict[str, Any]] = []

    def batch(self, kind: str, **extra: Any) -> str:
        bid = f"b{len(self.batches) + 1}"
        self.batches.append({"id": bid, "kind": kind, "by": "t", "at": STAMP, "files": []} | extra)
        return bid

    def entry(self, bid: str, ind: str, area: str, day: date, value: Any, **extra: Any) -> None:
        self.entries.append(
            {
                "id": len(self.entries) + 1,
                "indicator": ind,
                "area": area,
                "date": day.isoformat(),
                "value": value,
                "note": "",
                "source": "test",
                "recorded_at": STAMP,
                "by": "t",
                "batch": bid,
            }
            | extra
        )

    def records(self, *, rough: bool) -> Records:
        meta = {"generation": 1, "rough": rough}
        return Records(meta=meta, entries=self.entries, batches=self.batches)


def _value(rng: random.Random, rough: bool) -> int | float:
    kind = rng.random() if rough else rng.random() * 0.8
    if kind < 0.4:
        return rng.randint(0, 900)
    if kind < 0.6:
        return rng.randint(0, 9000) / 10
    if kind < 0.8:
        return rng.randint(0, 10**7) / 10**6  # six places: the engine's millionths
    if kind < 0.9:
        return rng.randint(0, 10**8) / 10**7  # seven places: read and added by povtrack
    return 10**9 + rng.randint(0, 99) / 4  # beyond a billion, with a fraction


def history(seed: int) -> Records:
    """Even seeds: rough (many undos, corrections and odd values); odd seeds: mostly clean,
    so that most series' windows are clean and the engine's sums are what decides."""
    rng = random.Random(seed)
    rough = seed % 2 == 0
    fixes = 0.3 if rough else 0.06
    log = _Log()
    batch = log.batch

    def entry(bid: str, ind: str, area: str, day: date, **extra: Any) -> None:
        log.entry(bid, ind, area, day, _value(rng, rough), **extra)

    for week in range(50):
        roll = rng.random()
        if roll >= fixes or not log.entries:
            bid = batch("import")
            if rough:  # anything, anywhen
                for _ in range(rng.randint(1, 25)):
                    entry(bid, rng.choice(INDICATORS), rng.choice(AREAS), rng.choice(WEEKS))
                continue
            for ind in INDICATORS:  # a week's return of every series, now and then a late one
                for area in AREAS:
                    late = rng.random() < 0.01
                    day = WEEKS[rng.randint(0, week) if late else week]
                    if rng.random() < 0.9:
                        entry(bid, ind, area, day)
        elif roll < fixes / 2:
            old = rng.choice(log.entries)
            bid = batch("correct", reason="r")
            entry(
                bid,
                old["indicator"],
                old["area"],
                date.fromisoformat(old["date"]),
                corrects=old["id"],
                reason="r",
            )
        else:
            target = rng.choice(log.batches)
            batch("undo", reverts=target["id"], reason="r")
    return log.records(rough=rough)


# Short series around a tail's length (``storage.tail``): one row fewer, as many, one more,
# and longer, each as it stands at the end of a history, where a status of the newest week
# reads the tail alone
EDGES = ("plain", "repeats", "undone", "corrected")
EDGE_AREAS = ("pingcheng", "yungang", "xinrong", "yunzhou", "yanggao", "tianzhen", "guangling")


def edge_history(kind: str) -> Records:
    """Per area a series of ``KEEP - 2`` to ``KEEP + 4`` weekly rows, of an increment and of a
    running total, one batch a week. ``repeats``: every date reported once before, so older
    rows of the tail's first date lie outside it; ``undone``: the newest week's batch undone;
    ``corrected``: the second newest row and the first one corrected."""
    from povtrack.storage.tail import KEEP

    log = _Log()
    batch = log.batch

    def add(bid: str, ind: str, area: str, week: int, value: float, **extra: Any) -> None:
        log.entry(bid, ind, area, WEEKS[week], value, **extra)

    lengths = {area: KEEP - 2 + n for n, area in enumerate(EDGE_AREAS)}
    series = [
        (ind, area) for ind in ("jobs.trained", "housing.relocated_people") for area in EDGE_AREAS
    ]
    if kind == "repeats":
        bid = batch("import")
        for ind, area in series:
            for week in range(lengths[area]):
                add(bid, ind, area, week, 1000 + week)
    for week in range(max(lengths.values())):
        bid = batch("import")
        for ind, area in series:
            if week < lengths[area]:
                add(bid, ind, area, week, 10 * (week + 1) + 0.5 * (week % 2))
    if kind == "undone":
        batch("undo", reverts=bid, reason="r")
    if kind == "corrected":
        for ind, area in series:
            mine = [e for e in log.entries if (e["indicator"], e["area"]) == (ind, area)]
            for old in (mine[-2], mine[0]):
                fix = batch("correct", reason="r")
                day = WEEKS.index(date.fromisoformat(old["date"]))
                add(fix, ind, area, day, old["value"] + 7, corrects=old["id"], reason="r")
    return log.records(rough=True)


def records_for(param: int | str) -> Records:
    return edge_history(param) if isinstance(param, str) else history(param)


def _made(path: Path, records: Records) -> Path:
    with Database.creating(path, PLAN, records=records) as (store, _):
        store.commit()
    return path


@pytest.fixture(scope="module", params=[*range(6), *EDGES])
def pair(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    folder = tmp_path_factory.mktemp(f"window{request.param}")
    records = records_for(request.param)
    js = Database.open(_made(folder / "h.json", records))
    sq = Database.open(_made(folder / "h.sqlite", records))
    return records, js, sq


def _as_of_dates(records: Records) -> list[date]:
    days = sorted({date.fromisoformat(e["date"]) for e in records.entries})
    return [days[0] - timedelta(days=1), *days[:: max(1, len(days) // 8)], days[-1], WEEKS[-1]]


def test_the_histories_hold_what_is_being_compared() -> None:
    """Equal answers mean something only if the histories have what decides them."""
    kinds = {"repeated": 0, "undone": 0, "corrected": 0, "odd": 0, "long": 0}
    for seed in range(6):
        records = history(seed)
        keys = [(e["indicator"], e["area"], e["date"]) for e in records.entries]
        kinds["repeated"] += len(keys) - len(set(keys))
        kinds["undone"] += len(undone_batches(records.batches))
        kinds["corrected"] += sum("corrects" in e for e in records.entries)
        kinds["odd"] += sum(
            isinstance(e["value"], float) and round(e["value"], 6) != e["value"]
            for e in records.entries
        )
        counts: dict[tuple[str, str], int] = {}
        for ind, area, _ in set(keys):
            counts[(ind, area)] = counts.get((ind, area), 0) + 1
        kinds["long"] += sum(n > 8 for n in counts.values())  # longer than one window
    assert all(n > 3 for n in kinds.values()), kinds


def test_the_engine_sums_long_increment_series(pair: Any) -> None:
    """Windows cut short, with a sum before them, are what most increment series get."""
    records, _, sq = pair
    window = sq.ledger_at(sq.latest_date())
    cut = [k for k in window._first if k[0] == "jobs.trained"]
    assert records.meta["rough"] or len(cut) >= 3, window._first


def test_status_from_the_engine_equals_status_from_every_entry(pair: Any) -> None:
    records, js, sq = pair
    plan = parse_plan(PLAN, "plan")
    allocations = js.allocations()
    whole = js.ledger()
    assert sq.latest_date() == js.latest_date()
    for day in _as_of_dates(records):
        assert status_rows(plan, sq.ledger_at(day), allocations, day) == status_rows(
            plan, whole, allocations, day
        ), day


def test_the_series_a_write_reads_are_the_whole_series(pair: Any) -> None:
    records, js, sq = pair
    whole = js.ledger()
    keys = {(e["indicator"], e["area"]) for e in records.entries}
    some = sq.series_ledger(keys)
    for key in keys:
        assert some.dates(*key) == whole.dates(*key)
        assert some.values(*key) == whole.values(*key)


def test_a_window_refuses_a_date_before_it_rather_than_answer_wrongly() -> None:
    ind = parse_plan(PLAN, "plan").indicator("jobs.trained")
    texts = [d.isoformat() for d in WEEKS[10:15]]
    window = Ledger.window([(ind.id, "yanggao", texts, [1, 2, 3, 4, 5])], {(ind.id, "yanggao"): 7})
    assert window.area_actual(ind, "yanggao", WEEKS[14]) == 7 + 15
    assert window.area_actual(ind, "yanggao", WEEKS[10]) == 7 + 1
    with pytest.raises(LookupError):
        window.area_actual(ind, "yanggao", WEEKS[9])


def coverage_equal(store: Any, js: Any, records: Records) -> None:
    """``missing`` and ``completeness`` from the entries the engine picks equal those from
    every entry that counts, at every as-of date."""
    from povtrack.analysis.coverage import completeness, grid_weeks, missing
    from povtrack.dates import monday_of

    plan, allocations, every = parse_plan(PLAN, "plan"), js.allocations(), js.entries()
    for day in _as_of_dates(records):
        monday = monday_of(day)
        some = store.entries_between(monday, monday + timedelta(days=6))
        assert missing(plan, some, allocations, day) == missing(plan, every, allocations, day)
        for weeks in (1, 4, 12):
            span = grid_weeks(plan, day, weeks)
            some = store.entries_between(span[0].start if span else day, day)
            assert completeness(plan, some, allocations, day, weeks=weeks) == completeness(
                plan, every, allocations, day, weeks=weeks
            ), (day, weeks)


def test_coverage_from_the_engine_equals_coverage_from_every_entry(pair: Any) -> None:
    records, js, sq = pair
    coverage_equal(sq, js, records)
    some = sq.entries_between(WEEKS[20], WEEKS[22])
    assert 0 < len(some) < len(js.entries())  # not every entry: the point of it


def test_the_digest_rows_from_the_engine_are_every_entry_that_counts(pair: Any) -> None:
    """What a report's digest hashes (``counting_rows``), streamed from the engine, is every
    entry that counts up to the date, in id order, as the JSON file gives it from every
    entry: dates reported twice, undone batches and corrections left out alike."""
    records, js, sq = pair
    for day in _as_of_dates(records):
        mine = list(sq.counting_rows(day))
        assert mine == list(js.counting_rows(day)), day
        assert [r[0] for r in mine] == sorted(r[0] for r in mine)

"""Synthetic databases for the benchmarks, written through povtrack's own storage API.

Owns the benchmark data: a plan (the bundled plan with generated townships below its counties
when N needs more areas), realistic series over it, and for one size N and shape:

* the database: N entries in import batches, one return file per county and period
  (``2018-W23-阳高县.csv:17``), written by ``povtrack.storage.Database`` in one commit, so it
  follows every change of the storage format (the path's suffix picks the backend: ``.json``,
  ``.sqlite``; a ``postgresql://`` URL: ``generate_pg``, the records moved in by COPY);
* the naive floor: the same N entries as a plain JSON list, one object per entry, all fields
  (``--no-naive``: not written);
* the import return: a CSV of the periods after the database's last one (new entries, not
  duplicates), in the format ``povtrack import`` reads: ``date,area,indicator,value,note``;
  with ``--importers K`` also K more returns of as many rows, each of later periods than the
  one before (for K importers at once: different files, no row in two of them);
* a manifest (JSON) naming the files, the areas and periods, and one ``record`` to time.

Two shapes. ``townships`` (the default): weekly returns over about 90 weeks, the number of
reporting areas (so of series) growing with N. ``long``: the series of the 100,000-entry
database (its reporting areas), reported daily, the history as long as N needs (10,000,000
entries: some 23 years), the plan's start moved back to the first day; so two sizes of this
shape differ only in the length of their history. Both end within the plan's window, so the
newest date is the as-of date of ``status``.

Deterministic (seeded): the same size and shape give the same entries on every backend.
Series: running totals rise period by period toward each area's share of the target;
increments for ``reporting = "increment"``; rates within 0..100; whole numbers for integer
units; registers (poor villages, poor people ...) once; milestones once, with a note.

    python benchmarks/generate.py --entries 100000 [--out benchmarks/.work] [--backend sqlite]
                                  [--shape long] [--importers 11] [--no-naive]
                                  [--backend postgresql --db postgresql://...]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import random
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
SEED = 2018
CSV_ROWS = 10_000
WEEKS_TARGET = 90  # weeks the database and the import return should fill together, at most
BY = "cron"
SUFFIX = {"json": ".json", "sqlite": ".sqlite", "postgresql": ".postgresql"}  # manifest names
SHAPES = ("townships", "long")
LONG_SERIES_OF = 100_000  # the long shape has the reporting areas of this size's database
LONG_END = date(2018, 12, 30)  # ... and its last day, before the plan's due date, comes after
LONG_ROWS_AFTER = 12 * CSV_ROWS  # ... this many rows of returns (more run on into 2019)
# Illustrative, not from the plan: county -> (registered poor, thousands; pace, 1.0 = linear).
COUNTIES = {
    "yanggao": (26, 1.25), "yunzhou": (19, 1.1), "lingqiu": (27, 1.3), "tianzhen": (31, 0.7),
    "guangling": (24, 0.75), "hunyuan": (28, 0.95), "zuoyun": (9, 1.15), "xinrong": (5, 0.9),
    "yungang": (3, 1.0), "pingcheng": (2, 0.6),
}  # fmt: skip
# City-wide totals of series without a target of their own (numerators stay below denominators);
# the registers are reported once, in the first week.
REGISTERS = {"goals.poor_villages": 560, "goals.poor_people": 172_000,
             "welfare.dibao_eligible": 34_400, "village.villages_total": 1_825}  # fmt: skip
TOTALS = {**REGISTERS, "industry.income_50k_villages": 530, "industry.income_100k_villages": 250,
          "welfare.dibao_covered": 33_700, "village.upgraded": 1_460}  # fmt: skip
# Reported by the city itself: city-wide total, and whether it is a register reported once.
CITY = {
    "goals.dual_sign_units": (186, False), "goals.dual_sign_leaders": (34, False),
    "village.demo_villages": (100, True), "village.demo_exiting": (70, False),
    "ecology.greening_projects": (40, True), "ecology.greening_by_coops": (40, False),
}  # fmt: skip
ALLOCATE = ("goals.villages_exited", "goals.people_exited", "housing.relocated_people",
            "housing.dangerous_houses", "jobs.trained")  # fmt: skip
FIXED_NOTES = {"milestone": "验收报告已存档", "once": "建档立卡台账"}
NOTES = ("含上周补报", "数据已核实", "乡镇汇总", "已与台账核对", "口径调整后重报")


@dataclass
class Series:
    """One indicator in one area, period by period (a week, or a day for the long shape)."""

    ind: Any  # povtrack.model.Indicator
    area: str
    mode: str  # cumulative, increment, activity, percent, once, milestone, part
    total: float = 0.0  # where a running total ends (a mean per period for increments)
    pace: float = 1.0
    due: date | None = None
    last: float = 0.0
    at: int = 0  # a milestone's period index
    whole: Series | None = None  # a part of a sum rule follows its whole
    share: float = 0.0
    integer: bool = False  # whole numbers (people, villages ...)
    per_year: int = 52  # periods in a year: an increment adds a year's work, then nothing

    def __post_init__(self) -> None:
        from povtrack.model import UNITS

        self.integer = UNITS[self.ind.unit].integer


def fingerprint() -> str:
    """What a cached database depends on: the generator's files and povtrack's storage (every
    backend, the write paths and the schemas), model and plan code."""
    import importlib.util

    spec = importlib.util.find_spec("povtrack")
    root = Path(spec.origin).parent if spec and spec.origin else None
    h = hashlib.sha256()
    for own in (Path(__file__), HERE / "generate_db.py"):
        h.update(own.read_bytes())
    if root is not None:
        names = ["storage/**/*.py", "model.py", "planfile.py", "__init__.py", "plans/*.toml"]
        for pattern in names:
            for p in sorted(root.glob(pattern)):
                h.update(p.relative_to(root).as_posix().encode() + p.read_bytes())
    return h.hexdigest()[:16]


def mode_of(ind: Any) -> str | None:
    if ind.kind == "ratio":
        return None
    if ind.kind in ("milestone", "activity"):
        return str(ind.kind)
    if ind.id in REGISTERS:
        return "once"
    if ind.reporting == "increment":
        return "increment"
    return "percent" if ind.unit == "percent" else "cumulative"


def leaves_needed(plan: Any, entries: int, csv_rows: int) -> int:
    """Reporting areas so that the database and the return fit in about WEEKS_TARGET weeks."""
    modes = [mode_of(i) for i in plan.indicators if i.id not in CITY]
    per_week = sum(m in ("cumulative", "increment") for m in modes) + 0.5 * modes.count("activity")
    return math.ceil((entries + csv_rows) / (WEEKS_TARGET * max(per_week, 1)))


def synthetic_plan(leaves: int) -> tuple[str, dict[str, list[str]]]:
    """The bundled plan text, with townships appended when more than the counties must report;
    returns the text and each county's reporting areas (itself, or its townships)."""
    from povtrack.planfile import bundled_text, parse_plan

    text = bundled_text()
    plan = parse_plan(text, "bundled plan")
    counties = [a for a in plan.areas if a.parent == plan.root.id]
    if leaves <= len(counties):
        return text, {c.id: [c.id] for c in counties}
    per = [leaves // len(counties) + (n < leaves % len(counties)) for n in range(len(counties))]
    blocks = ["\n# ------------------------------------------- synthetic townships (benchmarks)\n"]
    reporters: dict[str, list[str]] = {}
    for county, k in zip(counties, per, strict=True):
        reporters[county.id] = []
        for j in range(1, max(k, 2) + 1):
            area_id = f"{county.id}-t{j:02d}"
            reporters[county.id].append(area_id)
            blocks.append(
                f'\n[[areas]]\nid = "{area_id}"\nparent = "{county.id}"\n'
                f'name = "{county.name}第{j:02d}乡镇"\n'
                f'name_hant = "{county.name_hant}第{j:02d}鄉鎮"\n'
                f'name_en = "{county.name_en} township {j:02d}"\nkind = "township"\n'
            )
    text += "".join(blocks)
    parse_plan(text, "synthetic plan")  # stays valid, or fail here
    return text, reporters


def build_series(
    plan: Any, reporters: dict[str, list[str]], rng: random.Random, per_year: int = 52
) -> dict[str, list[Series]]:
    """Every series, grouped by the return they belong to: county id, or the city's."""
    weights: dict[str, float] = {}
    paces: dict[str, float] = {}
    total_weight = sum(COUNTIES.get(c, (10, 1.0))[0] for c in reporters)
    for county, leaves in reporters.items():
        raw = [rng.uniform(0.5, 1.5) for _ in leaves]
        for leaf, r in zip(leaves, raw, strict=True):
            weights[leaf] = COUNTIES.get(county, (10, 1.0))[0] / total_weight * r / sum(raw)
            paces[leaf] = COUNTIES.get(county, (10, 1.0))[1] * rng.uniform(0.85, 1.15)
    returns: dict[str, list[Series]] = {c: [] for c in [plan.root.id, *reporters]}
    total: float
    for ind in plan.indicators:
        mode = mode_of(ind)
        due = max((t.due for t in ind.targets), default=plan.due)
        if mode is None:
            continue
        if ind.id in CITY:
            city_total, once = CITY[ind.id]
            mode = "once" if once else "cumulative"
            s = Series(ind, plan.root.id, mode, city_total, 1.0, due)
            returns[plan.root.id].append(s)
            continue
        if mode in ("milestone", "percent"):  # county-level, where the plan sets a target
            scoped = [
                m
                for t in ind.targets
                for m in (plan.group(t.scope).members if plan.is_group(t.scope) else [t.scope])
            ]
            for county in dict.fromkeys(a for a in scoped if a in reporters):
                at = rng.randint(8, 40)
                pace = COUNTIES.get(county, (10, 1.0))[1]
                returns[county].append(Series(ind, county, mode, 100.0, pace, due, at=at))
            continue
        city_target = next((t for t in ind.targets if t.scope == plan.root.id), None)
        group = next((t for t in ind.targets if plan.is_group(t.scope)), None)
        counties = list(reporters)
        if city_target is not None:
            total = city_target.value
        elif group is not None:
            total, counties = (
                group.value,
                [c for c in reporters if c in plan.group(group.scope).members],
            )
        else:
            total = float(TOTALS.get(ind.id, 1000))
        leaves = [leaf for c in counties for leaf in reporters[c]]
        scale = total / sum(weights[leaf] for leaf in leaves)
        for county in counties:
            for leaf in reporters[county]:
                leaf_total = scale * weights[leaf] / (per_year if mode == "increment" else 1)
                returns[county].append(Series(ind, leaf, mode, leaf_total, paces[leaf], due))
    for rule in (r for r in plan.rules if r.kind == "sum" and len(r.parts) == 2):
        first, full = plan.indicator(rule.parts[0]).targets, plan.indicator(rule.whole).targets
        share = first[0].value / full[0].value if first and full else 0.7
        for county_series in returns.values():  # the parts follow their whole, area by area
            wholes = {s.area: s for s in county_series if s.ind.id == rule.whole}
            for s in county_series:
                if s.ind.id in rule.parts and s.area in wholes:
                    s.mode, s.whole = "part", wholes[s.area]
                    s.share = share if s.ind.id == rule.parts[0] else -share  # - : the rest
    for county_series in returns.values():
        for s in county_series:
            s.per_year = per_year
    return returns


def value_of(s: Series, day: date, start: date, period: int, rng: random.Random) -> float | None:
    """This period's value of a series, or None when it reports nothing."""
    if s.mode == "once":
        return round(s.total) if period == 0 else None
    if s.mode == "milestone":
        return 1 if period == s.at else None
    if s.mode == "activity":
        if rng.random() >= 0.5:
            return None
        top = {"people": 20, "households": 10}.get(s.ind.unit, 4)
        return rng.randint(1, top)
    if s.mode == "increment":  # a year's work at the area's pace, then nothing more to add
        step = (
            round(s.total * s.pace * rng.uniform(0.5, 1.5)) if s.last < s.total * s.per_year else 0
        )
        s.last += step
        return step
    if s.mode == "part":
        assert s.whole is not None
        first = round(s.whole.last * abs(s.share))
        return first if s.share > 0 else s.whole.last - first
    window = max(((s.due or start) - start).days, 1)
    share = min(1.0, s.pace * (day - start).days / window * rng.uniform(0.97, 1.03))
    if s.mode == "percent":
        value = max(s.last, min(100.0, round(5 + 95 * share, 1)))
    else:
        raw = s.total * share
        value = max(s.last, round(raw) if s.integer or s.ind.unit == "yuan" else round(raw, 1))
    s.last = value
    return value


Row = tuple[str, str, Any, str]  # area, indicator, value, note
Return = tuple[date, str, list[Row]]  # a day, its file's name, its rows


def returns_stream(
    plan: Any, returns: dict[str, list[Series]], rng: random.Random, step: int = 7
) -> Iterator[Return]:
    """(day, file name, rows) per period and return, oldest first: weekly (on Sundays) or,
    with ``step`` 1, daily from the plan's start."""
    names = {a.id: a.name for a in plan.areas}
    day = plan.start
    if step == 7:
        y, w, _ = plan.start.isocalendar()
        day = date.fromisocalendar(y, w, 7)
    period = 0
    while day <= plan.last_due:
        y, w, _ = day.isocalendar()
        for county, series in returns.items():
            rows = []
            for s in series:
                value = value_of(s, day, plan.start, period, rng)
                if value is None:
                    continue
                note = FIXED_NOTES.get(s.mode) or (rng.choice(NOTES) if rng.random() < 0.03 else "")
                rows.append((s.area, s.ind.id, value, note))
            if rows:
                when = f"{y}-W{w:02d}" if step == 7 else day.isoformat()
                yield day, f"{when}-{names[county]}.csv", rows
        day += timedelta(days=step)
        period += 1


@dataclass
class Shaped:
    """A size's plan and series, and its returns as a stream (made afresh by ``shaped``)."""

    plan_text: str
    plan: Any
    series: dict[str, list[Series]]
    stream: Iterator[Return]
    names: dict[str, str]
    reporting_areas: int


def shaped(shape: str, entries: int, seed: int, leaves: int | None) -> Shaped:
    """The plan, series and returns of ``shape`` for ``entries`` entries (and returns after
    them); the same arguments give the same stream every time."""
    from povtrack.planfile import bundled_text, parse_plan

    base = parse_plan(bundled_text(), "bundled plan")
    step, per_year = (7, 52) if shape == "townships" else (1, 365)
    sized = entries if shape == "townships" else LONG_SERIES_OF
    text, reporters = synthetic_plan(leaves or leaves_needed(base, sized, CSV_ROWS))
    if shape == "long":  # the plan starts as far back as the history needs
        trial = build_series(parse_plan(text, "synthetic plan"), reporters, random.Random(seed))
        modes = [s.mode for group in trial.values() for s in group]
        daily = float(sum(m not in ("once", "milestone", "activity") for m in modes))
        daily += 0.5 * modes.count("activity")
        days = math.ceil((entries + LONG_ROWS_AFTER) / daily * 1.02) + 2
        start = LONG_END - timedelta(days=days)
        text = re.sub(r"(?m)^start = \d{4}-\d{2}-\d{2}$", f"start = {start}", text, count=1)
    plan = parse_plan(text, "synthetic plan")
    rng = random.Random(seed)
    series = build_series(plan, reporters, rng, per_year)
    names = {a.id: a.name for a in plan.areas}
    leaves_count = sum(len(v) for v in reporters.values())
    return Shaped(text, plan, series, returns_stream(plan, series, rng, step), names, leaves_count)


def database_part(stream: Iterator[Return], entries: int) -> Iterator[Return]:
    """The returns the database holds: the stream's first ``entries`` rows (the last return
    cut short); the stream is left where they end."""
    written = 0
    for day, name, rows in stream:
        rows = rows[: entries - written]
        yield day, name, rows
        written += len(rows)
        if written >= entries:
            return


def later_rows(stream: Iterator[Return], last_day: date, sizes: list[int]) -> list[list[Any]]:
    """After the database: chunks of ``sizes`` rows, (day, row) each, of the days after its
    last (the rest of that day is left out: a return holds new periods only)."""
    chunks: list[list[Any]] = [[]]
    for day, _name, rows in stream:
        if day == last_day:
            continue
        for row in rows:
            chunks[-1].append((day, row))
            if len(chunks[-1]) == sizes[len(chunks) - 1]:
                if len(chunks) == len(sizes):
                    return chunks
                chunks.append([])
    raise SystemExit("the plan's periods ran out: pass --areas larger, or fewer --importers")


def fmt(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def allocations(plan: Any, series: dict[str, list[Series]]) -> list[tuple[Any, str]]:
    """The counties' shares of some city targets, as ``target set`` records them: (the
    allocation, its source)."""
    from povtrack.model import Allocation

    out = []
    counties = [c for c in series if c != plan.root.id]
    for n, ind_id in enumerate(a for a in ALLOCATE if a in plan.indicators_by_id):
        target = next((t.value for t in plan.indicator(ind_id).targets), 0)
        shares = [sum(s.total for s in series[c] if s.ind.id == ind_id) for c in counties]
        values = [round(target * x / sum(shares)) for x in shares]
        values[-1] = round(target) - sum(values[:-1])
        for k, (county, value) in enumerate(zip(counties, values, strict=True)):
            alloc = Allocation(indicator=ind_id, area=county, value=value, note="synthetic")
            out.append((alloc, f"allocations.csv:{n * 20 + k + 2}"))
    return out


def remove_database(path: Path) -> None:
    """The generator's own files at ``path``: the database, its lock and backups."""
    for extra in ("", ".lock", ".lock.owner", "-wal", "-shm", "-journal"):
        Path(f"{path}{extra}").unlink(missing_ok=True)
    shutil.rmtree(f"{path}.backups", ignore_errors=True)


def build(
    entries: int,
    out: Path = WORK,
    backend: str = "json",
    *,
    db: Path | str | None = None,
    seed: int = SEED,
    csv_rows: int = CSV_ROWS,
    leaves: int | None = None,
    shape: str = "townships",
    importers: int = 0,
    naive: bool = True,
) -> dict[str, Any]:
    """Write the database, the naive file, the returns and the manifest; return it."""
    import generate_db

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    stem = f"n{entries}" + ("" if shape == "townships" else f"-{shape}")
    data = shaped(shape, entries, seed, leaves)
    naive_file = generate_db.Naive(out / f"{stem}-naive.json" if naive else None)
    seconds: dict[str, float] = {}
    if backend == "postgresql":
        if not str(db or "").startswith(("postgresql://", "postgres://")):
            raise SystemExit("--backend postgresql needs --db postgresql://... (a database URL)")
        target, manifest_path = str(db), out / f"{stem}{SUFFIX[backend]}.manifest.json"
        again = lambda: shaped(shape, entries, seed, leaves)  # noqa: E731
        held, seconds = generate_db.write_postgresql(target, data, again, entries, naive_file)
    else:
        path = Path(db) if db else out / f"{stem}{SUFFIX[backend]}"
        backend = "sqlite" if path.suffix in (".sqlite", ".sqlite3", ".db") else "json"
        target, manifest_path = str(path), Path(f"{path}.manifest.json")
        held = generate_db.write_store(path, data, entries, naive_file)
    naive_file.close()
    written, days = sum(n for _, n in held), sorted({d for d, _ in held})
    if written < entries:
        raise SystemExit(
            f"the plan's periods ran out: pass --areas larger than {len(data.names) - 1}"
        )
    t_db = time.perf_counter() - t0
    chunks = later_rows(data.stream, days[-1], [csv_rows] * (1 + importers))
    rows = "" if csv_rows == CSV_ROWS else f"-r{csv_rows}"  # one name, one content
    csv_files = [out / f"{stem}{rows}-returns.csv"]
    csv_files += [out / f"{stem}{rows}-import-{k:02d}.csv" for k in range(1, importers + 1)]
    for path, chunk in zip(csv_files, chunks, strict=True):
        generate_db.write_csv(path, chunk, data.names)
    day, (area, ind, value, _) = min(chunks[0], key=lambda r: r[1][1] != "goals.people_exited")
    manifest = {
        "entries": written,
        "backend": backend,
        "shape": shape,
        "db": target,
        "naive": str(naive_file.file.name) if naive_file.file else None,
        "returns_csv": str(csv_files[0]),
        "returns_rows": len(chunks[0]),
        "importers": [str(p) for p in csv_files[1:]],
        "areas": len(data.plan.areas),
        "reporting_areas": data.reporting_areas,
        "batches": len(held),
        "periods": [days[0].isoformat(), days[-1].isoformat(), len(days)],
        "plan_start": data.plan.start.isoformat(),
        "returns_periods": [chunks[0][0][0].isoformat(), chunks[-1][-1][0].isoformat()],
        "record": {"indicator": ind, "value": fmt(value), "area": area, "date": day.isoformat()},
        "seed": seed,
        "fingerprint": fingerprint(),
        "seconds": {"database_and_naive": round(t_db, 1), **seconds, "all": 0.0},
    }
    manifest["seconds"]["all"] = round(time.perf_counter() - t0, 1)
    manifest_path.write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", "-n", type=int, required=True, help="entries in the database")
    ap.add_argument("--out", type=Path, default=WORK, help="folder for the files (%(default)s)")
    ap.add_argument("--backend", choices=sorted(SUFFIX), default="json")
    ap.add_argument("--db", help="database path (its suffix picks the backend), or a URL")
    ap.add_argument("--shape", choices=SHAPES, default="townships")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--csv-rows", type=int, default=CSV_ROWS, help="rows of each return")
    ap.add_argument("--importers", type=int, default=0, help="more returns, for importers")
    ap.add_argument("--no-naive", action="store_true", help="no naive floor's file")
    ap.add_argument("--areas", type=int, help="reporting areas (default: from --entries)")
    args = ap.parse_args(argv)
    if args.entries < 1 or args.importers < 0 or args.csv_rows < 1:
        ap.error("--entries and --csv-rows must be at least 1, --importers at least 0")
    kw = {"db": args.db, "seed": args.seed, "csv_rows": args.csv_rows, "leaves": args.areas}
    kw |= {"shape": args.shape, "importers": args.importers, "naive": not args.no_naive}
    manifest = build(args.entries, args.out, args.backend, **kw)
    print(json.dumps(manifest, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

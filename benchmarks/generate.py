"""Synthetic databases for the benchmarks, written through povtrack's own storage API.

Owns the benchmark data: a plan (the bundled plan with generated townships below its counties
when N needs more areas), realistic weekly series over it, and for one size N:

* the database: N entries in import batches, one return file per county and week
  (``2018-W23-阳高县.csv:17``), written by ``povtrack.storage.Database`` in one commit, so it
  follows every change of the storage format (the path's suffix picks the backend: ``.json``,
  ``.sqlite``);
* the naive floor: the same N entries as a plain JSON list, one object per entry, all fields;
* the import return: a CSV of the weeks after the database's last one (new entries, not
  duplicates), in the format ``povtrack import`` reads: ``date,area,indicator,value,note``;
* a manifest (JSON) naming the files, the areas and weeks, and one ``record`` to time.

Deterministic (seeded). Series: running totals rise week by week toward each area's share of the
target; increments for ``reporting = "increment"``; rates within 0..100; whole numbers for
integer units; registers (poor villages, poor people ...) once; milestones once, with a note.

    python benchmarks/generate.py --entries 100000 [--out benchmarks/.work] [--backend sqlite]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import math
import random
import shutil
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
WORK = HERE / ".work"
SEED = 2018
CSV_ROWS = 10_000
WEEKS_TARGET = 90  # weeks the database and the import return should fill together, at most
BY = "cron"
SUFFIX = {"json": ".json", "sqlite": ".sqlite"}
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
    """One indicator in one area, week by week."""

    ind: Any  # povtrack.model.Indicator
    area: str
    mode: str  # cumulative, increment, activity, percent, once, milestone, part
    total: float = 0.0  # where a running total ends (a weekly mean for increments)
    pace: float = 1.0
    due: date | None = None
    last: float = 0.0
    at: int = 0  # a milestone's week index
    whole: Series | None = None  # a part of a sum rule follows its whole
    share: float = 0.0
    integer: bool = False  # whole numbers (people, villages ...)

    def __post_init__(self) -> None:
        from povtrack.model import UNITS

        self.integer = UNITS[self.ind.unit].integer


def fingerprint() -> str:
    """What a cached database depends on: this file and povtrack's storage and plan code."""
    import importlib.util

    spec = importlib.util.find_spec("povtrack")
    root = Path(spec.origin).parent if spec and spec.origin else None
    h = hashlib.sha256(Path(__file__).read_bytes())
    if root is not None:
        names = ["store*.py", "dbfile.py", "integrity.py", "entrytable.py", "safefile.py"]
        names += ["model.py", "planfile.py", "__init__.py", "plans/*.toml"]
        for pattern in names:
            for p in sorted(root.glob(pattern)):
                h.update(p.name.encode() + p.read_bytes())
    return h.hexdigest()[:16]


def mode_of(ind: Any) -> str | None:
    if ind.kind == "ratio":
        return None
    if ind.kind in ("milestone", "activity"):
        return ind.kind
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


def build_series(plan: Any, reporters: dict[str, list[str]], rng: random.Random) -> dict:
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
    for ind in plan.indicators:
        mode = mode_of(ind)
        due = max((t.due for t in ind.targets), default=plan.due)
        if mode is None:
            continue
        if ind.id in CITY:
            total, once = CITY[ind.id]
            s = Series(ind, plan.root.id, "once" if once else "cumulative", total, 1.0, due)
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
            total = TOTALS.get(ind.id, 1000.0)
        leaves = [leaf for c in counties for leaf in reporters[c]]
        scale = total / sum(weights[leaf] for leaf in leaves)
        for county in counties:
            for leaf in reporters[county]:
                leaf_total = scale * weights[leaf] / (52 if mode == "increment" else 1)
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
    return returns


def value_of(s: Series, day: date, start: date, week: int, rng: random.Random) -> float | None:
    """This week's value of a series, or None when it reports nothing."""
    if s.mode == "once":
        return round(s.total) if week == 0 else None
    if s.mode == "milestone":
        return 1 if week == s.at else None
    if s.mode == "activity":
        if rng.random() >= 0.5:
            return None
        top = {"people": 20, "households": 10}.get(s.ind.unit, 4)
        return rng.randint(1, top)
    if s.mode == "increment":  # a year's work at the area's pace, then nothing more to add
        step = round(s.total * s.pace * rng.uniform(0.5, 1.5)) if s.last < s.total * 52 else 0
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


def weekly_returns(plan: Any, returns: dict, rng: random.Random):
    """(day, file name, rows) per week and return, oldest week first; a row is
    (area, indicator, value, note)."""
    names = {a.id: a.name for a in plan.areas}
    day = date.fromisocalendar(plan.start.isocalendar()[0], plan.start.isocalendar()[1], 7)
    week = 0
    while day <= plan.last_due:
        y, w, _ = day.isocalendar()
        for county, series in returns.items():
            rows = []
            for s in series:
                value = value_of(s, day, plan.start, week, rng)
                if value is None:
                    continue
                note = FIXED_NOTES.get(s.mode) or (rng.choice(NOTES) if rng.random() < 0.03 else "")
                rows.append((s.area, s.ind.id, value, note))
            if rows:
                yield day, f"{y}-W{w:02d}-{names[county]}.csv", rows
        day += timedelta(days=7)
        week += 1


def csv_text(day: date, rows: list[tuple[str, str, Any, str]], names: dict[str, str]) -> str:
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["date", "area", "indicator", "value", "note"])
    w.writerows((day.isoformat(), names[a], i, fmt(v), n) for a, i, v, n in rows)
    return out.getvalue()


def fmt(value: float) -> str:
    return str(value) if isinstance(value, int) else f"{value:.1f}"


def add_allocations(store: Any, plan: Any, series: dict[str, list[Series]]) -> None:
    """The counties' shares of some city targets, as ``target set`` records them."""
    from povtrack.model import Allocation

    counties = [c for c in series if c != plan.root.id]
    for n, ind_id in enumerate(a for a in ALLOCATE if a in plan.indicators_by_id):
        target = next((t.value for t in plan.indicator(ind_id).targets), 0)
        shares = [sum(s.total for s in series[c] if s.ind.id == ind_id) for c in counties]
        values = [round(target * x / sum(shares)) for x in shares]
        values[-1] = round(target) - sum(values[:-1])
        for k, (county, value) in enumerate(zip(counties, values, strict=True)):
            alloc = Allocation(indicator=ind_id, area=county, value=value, note="synthetic")
            store.add_allocation(alloc, by=BY, source=f"allocations.csv:{n * 20 + k + 2}")


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
    db: Path | None = None,
    seed: int = SEED,
    csv_rows: int = CSV_ROWS,
    leaves: int | None = None,
) -> dict[str, Any]:
    """Write the database, the naive file, the return CSV and the manifest; return it."""
    from povtrack.planfile import bundled_text, parse_plan
    from povtrack.storage import Database

    t0 = time.perf_counter()
    out.mkdir(parents=True, exist_ok=True)
    db = db or out / f"n{entries}{SUFFIX[backend]}"
    backend = "sqlite" if db.suffix in (".sqlite", ".sqlite3", ".db") else "json"
    naive, returns_csv = out / f"n{entries}-naive.json", out / f"n{entries}-returns.csv"
    rng = random.Random(seed)
    base = parse_plan(bundled_text(), "bundled plan")
    plan_text, reporters = synthetic_plan(leaves or leaves_needed(base, entries, csv_rows))
    plan = parse_plan(plan_text, "synthetic plan")
    names = {a.id: a.name for a in plan.areas}
    series = build_series(plan, reporters, rng)
    stream = weekly_returns(plan, series, rng)
    remove_database(db)
    written, weeks, batches = 0, set(), 0
    last_day = plan.start
    with (
        Database.creating(db, plan_text, lock_timeout=5) as (store, _moved),
        open(naive, "w", encoding="utf-8") as nf,
    ):
        add_allocations(store, plan, series)
        nf.write("[")
        for day, name, rows in stream:
            rows = rows[: entries - written]
            sha = hashlib.sha256(csv_text(day, rows, names).encode("utf-8")).hexdigest()
            files = [{"name": name, "sha256": sha, "rows": len(rows), "encoding": "utf-8"}]
            batch = store.add_batch("import", BY, files=files)
            new = [
                dict(indicator=i, area=a, date=day, value=v, source=f"{name}:{k}", note=n)
                for k, (a, i, v, n) in enumerate(rows, start=2)
            ]
            ids = store.add_entries(new, by=BY, batch=batch)
            at = datetime.now(UTC).isoformat(timespec="seconds")
            docs = [
                {"id": e, **r, "date": day.isoformat(), "recorded_at": at, "by": BY, "batch": batch}
                for e, r in zip(ids, new, strict=True)
            ]
            nf.write((", " if written else "") + json.dumps(docs, ensure_ascii=False)[1:-1])
            written, batches, last_day = written + len(rows), batches + 1, day
            weeks.add(day)
            if written >= entries:
                break
        nf.write("]")
        store.commit()
    t_db = time.perf_counter() - t0
    csv_out: list[tuple[date, tuple[str, str, Any, str]]] = []
    for day, _name, rows in stream:
        if day == last_day:
            continue  # the rest of the database's last week: the return holds new weeks only
        csv_out += [(day, r) for r in rows[: csv_rows - len(csv_out)]]
        if len(csv_out) >= csv_rows:
            break
    if len(csv_out) < csv_rows or written < entries:
        raise SystemExit(f"the plan's weeks ran out: pass --areas larger than {len(names) - 1}")
    with open(returns_csv, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["date", "area", "indicator", "value", "note"])
        w.writerows((d.isoformat(), names[a], i, fmt(v), n) for d, (a, i, v, n) in csv_out)
    day, (area, ind, value, _) = min(csv_out, key=lambda r: r[1][1] != "goals.people_exited")
    manifest = {
        "entries": written,
        "backend": backend,
        "db": str(db),
        "naive": str(naive),
        "returns_csv": str(returns_csv),
        "returns_rows": len(csv_out),
        "areas": len(plan.areas),
        "reporting_areas": sum(len(v) for v in reporters.values()),
        "batches": batches,
        "weeks": [min(weeks).isoformat(), max(weeks).isoformat(), len(weeks)],
        "returns_weeks": [csv_out[0][0].isoformat(), csv_out[-1][0].isoformat()],
        "record": {"indicator": ind, "value": fmt(value), "area": area, "date": day.isoformat()},
        "seed": seed,
        "fingerprint": fingerprint(),
        "seconds": {"database_and_naive": round(t_db, 1), "all": 0.0},
    }
    manifest["seconds"]["all"] = round(time.perf_counter() - t0, 1)
    Path(f"{db}.manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
    return manifest


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--entries", "-n", type=int, required=True, help="entries in the database")
    ap.add_argument("--out", type=Path, default=WORK, help="folder for the files (%(default)s)")
    ap.add_argument("--backend", choices=sorted(SUFFIX), default="json")
    ap.add_argument("--db", type=Path, help="database path (its suffix picks the backend)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--csv-rows", type=int, default=CSV_ROWS, help="rows of the import return")
    ap.add_argument("--areas", type=int, help="reporting areas (default: from --entries)")
    args = ap.parse_args(argv)
    if args.entries < 1:
        ap.error("--entries must be at least 1")
    kw = {"db": args.db, "seed": args.seed, "csv_rows": args.csv_rows, "leaves": args.areas}
    manifest = build(args.entries, args.out, args.backend, **kw)
    print(json.dumps(manifest, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())

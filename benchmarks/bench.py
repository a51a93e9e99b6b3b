"""Times whole povtrack commands as processes, against references measured in the same run.

Owns the benchmark run: which commands are timed, how (wall time and peak memory of each whole
process, medians over runs), the references and the issue's targets, and the report (a table on
stdout, BENCHMARKS.md content with ``--markdown``). The data comes from ``generate.py``, cached
in ``benchmarks/.work/`` and rebuilt when it or povtrack's storage code changes.

Every process is ``sys.executable`` — run this with the virtual environment's interpreter — and
povtrack is started as users start it, by the ``povtrack`` script installed beside that
interpreter (``sys.executable -m povtrack`` where there is none). Each measurement is one
``posix_spawn`` + ``os.wait4`` (by a small helper process): wall time around both, peak memory
from ``ru_maxrss``, stdout to /dev/null. Within a group the commands run round-robin (one run of
each, then the next round), after a warm-up round, so ratios compare runs taken side by side.
``import`` and ``record`` run on a fresh copy of the database each time (copied untimed) and must
write exactly once.

    python benchmarks/bench.py [--runs 10] [--sizes 1000,10000,100000] [--backend json]
                               [--markdown BENCHMARKS.md] [--quick]

Exit 1 when a command fails (a nonzero exit or a failed generation), never for a missed target.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import bench_pg
from measure import (
    HERE,
    NAIVE,
    POVTRACK,
    PY,
    SPAWNER_PEAK,
    WORK,
    Cmd,
    Group,
    close_spawner,
    dataset,
    run_group,
    spawn,
    writer,
)

SIZES = (1_000, 10_000, 100_000, 1_000_000)


def size_group(size: int, backends: list[str], env: dict[str, str], regen: bool) -> Group:
    group = Group(f"{size:,} entries", "naive floor")
    for backend in backends:
        try:
            m = dataset(size, backend, regen)
        except (RuntimeError, KeyError, OSError, ValueError) as exc:
            print(f"FAIL: {exc}", file=sys.stderr)
            group.errors.append(str(exc).splitlines()[0])
            continue
        db, tag = Path(m["db"]), f" [{backend}]" if len(backends) > 1 else ""
        if "naive floor" not in group.cmds:
            naive = [PY, "-c", NAIVE, m["naive"]]
            group.cmds["naive floor"] = Cmd(f"naive floor (json.load {size:,})", naive)
        base, r = [*POVTRACK, "--db", str(db)], m["record"]
        group.cmds[f"status-json{tag}"] = Cmd(f"status --json{tag}", [*base, "status", "--json"])
        group.cmds[f"status{tag}"] = Cmd(f"status (table){tag}", [*base, "status"])
        group.cmds[f"board{tag}"] = Cmd(f"board{tag}", [*base, "board"])
        imp, rec = WORK / f"run-import{db.suffix}", WORK / f"run-record{db.suffix}"
        label = f"import {m['returns_rows']:,} rows{tag}"
        group.cmds[f"import{tag}"] = writer(label, db, imp, ["import", m["returns_csv"]], env)
        args = ["record", r["indicator"], r["value"], "--area", r["area"], "--date", r["date"]]
        group.cmds[f"record{tag}"] = writer(f"record{tag}", db, rec, args, env)
    return group


def startup_group(env: dict[str, str]) -> Group:
    demo = WORK / "demo.json"
    for old in (demo, WORK / "demo.json.backups"):  # made afresh by this povtrack's demo
        shutil.rmtree(old) if old.is_dir() else old.unlink(missing_ok=True)
    code = spawn([*POVTRACK, "demo", "--db", str(demo)], env)[2]
    if code != 0:
        raise RuntimeError(f"povtrack demo --db {demo}: exit {code}")
    group = Group("start-up and the demo database", "Typer floor")
    floor = [PY, str(HERE / "typer_floor.py"), "--name", "a", "--count", "2"]
    base = [*POVTRACK, "--db", str(demo)]
    for key, label, argv in (
        ("pass", "python -c pass", [PY, "-c", "pass"]),
        ("typer", 'python -c "import typer"', [PY, "-c", "import typer"]),
        ("Typer floor", "Typer floor (typer_floor.py)", floor),
        ("version", "povtrack --version", [*POVTRACK, "--version"]),
        ("help", "povtrack --help", [*POVTRACK, "--help"]),
        ("status-json", "status --json (demo)", [*base, "status", "--json"]),
        ("status", "status (table, demo)", [*base, "status"]),
        ("board", "board (demo)", [*base, "board"]),
    ):
        group.cmds[key] = Cmd(label, argv)
    return group


# ---------------------------------------------------------------------------- targets

# The targets: (target, group, command, ratio at most, peak MB below, one write).
TARGETS = [
    ("povtrack --version ≤ 1.0× Typer floor", "startup", "version", 1.0, None, False),
    ("status --json on the demo ≤ 1.2× Typer floor", "startup", "status-json", 1.2, None, False),
    ("status (table) on the demo ≤ 1.8× Typer floor", "startup", "status", 1.8, None, False),
    ("status --json at 100k ≤ 1.0× naive, < 150 MB", "100000", "status-json", 1.0, 150, False),
    ("import 10k rows into 100k ≤ 2× naive, one write", "100000", "import", 2.0, None, True),
    ("status --json at 1M ≤ 1.0× naive, < 1 GB", "1000000", "status-json", 1.0, 1000, False),
]


def targets(groups: dict[str, Group], backends: list[str]) -> list[list[str]]:
    """[target, measured, PASS / MISS / not measured] for each target (and backend)."""
    out = []
    for name, group, key, limit, peak, write in TARGETS:
        for tag in (
            [f" [{b}]" for b in backends] if len(backends) > 1 and group != "startup" else [""]
        ):
            g = groups.get(group)
            cmd = g.cmds.get(key + tag) if g else None
            if g is None or cmd is None or not cmd.times:
                out.append([name + tag, "-", "not measured"])
                continue
            ratio, mb = g.ratio(key + tag), cmd.peak_mb() or 0.0
            ok = ratio is not None and ratio <= limit and not cmd.failures
            seen = f"{ratio:.3f}×" if ratio is not None else "-"
            if peak is not None:
                ok, seen = ok and mb < peak, f"{seen}, {mb:.0f} MB"
            if write:
                ok = ok and not cmd.problems
                seen += f", {cmd.problems[0]}" if cmd.problems else ", one write"
            out.append([name + tag, seen, "PASS" if ok else "MISS"])
    return out


# ---------------------------------------------------------------------------- report

HEAD = ["command", "median ms", "min ms", "peak MB", "× ref", "check"]


def rows(group: Group) -> list[list[str]]:
    def num(x: float | None, unit: str = "") -> str:
        return "-" if x is None else f"{x:.2f}{unit}" if unit else f"{x:.0f}"

    return [
        [
            cmd.label,
            num(cmd.median_ms()),
            num(min(cmd.times) * 1000 if cmd.times else None),
            num(cmd.peak_mb()),
            num(group.ratio(key), "×"),
            "FAIL" if cmd.failures else ("WRITES?" if cmd.problems else ""),
        ]
        for key, cmd in group.cmds.items()
    ]


def table(head: list[str], body: list[list[str]], markdown: bool) -> str:
    if markdown:
        cells = [[c.replace("|", "\\|") for c in r] for r in [head, ["---"] * len(head), *body]]
        return "\n".join("| " + " | ".join(r) + " |" for r in cells)
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(len(head))]
    fmt = "  ".join(f"{{:{'<' if i == 0 else '>'}{w}}}" for i, w in enumerate(widths))
    return "\n".join(fmt.format(*r).rstrip() for r in [head, *body])


def machine() -> list[str]:
    import platform
    from importlib import metadata

    info = {}
    for name, key in (("/proc/cpuinfo", "model name"), ("/proc/meminfo", "MemTotal")):
        with open(name) as f:
            info[key] = next((ln.split(":", 1)[1].strip() for ln in f if ln.startswith(key)), "?")

    def output(*argv: str) -> str:
        return subprocess.run(argv, capture_output=True, text=True).stdout.strip()

    versions = [output(*POVTRACK, "--version")]  # the code that ran (installed metadata may lag)
    for dist in ("typer", "click", "rich", "tinydb", "pydantic", "orjson"):
        with contextlib.suppress(metadata.PackageNotFoundError):
            versions.append(f"{dist} {metadata.version(dist)}")
    commit = output("git", "-C", str(HERE), "rev-parse", "--short", "HEAD") or "?"
    if output("git", "-C", str(HERE), "status", "--porcelain", "--", "../povtrack"):
        commit += " with uncommitted changes to povtrack/"
    cores = f"{os.cpu_count()} cores ({len(os.sched_getaffinity(0))} usable)"
    ram = f"{int(re.sub(r'[^0-9]', '', info['MemTotal']) or 0) / 1024**2:.1f} GiB"
    return [
        f"- Date: {time.strftime('%Y-%m-%d %H:%M %Z')}; commit {commit}",
        f"- CPU: {info['model name']}, {cores}; RAM: {ram}",
        f"- OS: {platform.platform()}",
        f"- Python: {platform.python_version()} ({PY})",
        f"- Packages: {', '.join(versions)}",
    ]


def report(
    groups: dict[str, Group], judged: list[tuple[str, list[list[str]]]], runs: str, md: bool
) -> str:
    h = "### " if md else "== "
    parts = [
        f"{h}{g.title} (× ref: against the {g.reference})\n\n{table(HEAD, rows(g), md)}"
        + ("\n\n" + "\n".join(("- " if md else "") + note for note in g.notes) if g.notes else "")
        for g in groups.values()
    ]
    head3 = ["target", "measured", "result"]
    parts += [f"{h}{title}\n\n{table(head3, body, md)}" for title, body in judged if body]
    notes = (
        f"{runs}; commands run round-robin within each group. Peak: median of each process's "
        f"ru_maxrss, in MB of 10^6 bytes; processes are started by a helper of "
        f"{SPAWNER_PEAK[0]:.0f} MB, a floor for every peak (a spawned process is charged its "
        "parent's size)."
    )
    problems = [f"- {g.title}: {e}" for g in groups.values() for e in g.errors]
    problems += [
        f"- {c.label}: {p}"
        for g in groups.values()
        for c in g.cmds.values()
        for p in [*c.failures[:1], *c.problems[:1]]
    ]
    if not md:
        return "\n\n".join([*parts, notes, *problems])
    head = ["# Benchmarks", "Made by `python benchmarks/bench.py` (see benchmarks/README.md)."]
    body = ["## Machine\n\n" + "\n".join(machine()), "## Results", notes, *parts]
    findings = HERE / "findings.md"  # what was changed and why: written by hand, kept with it
    if findings.is_file():
        body.append(findings.read_text(encoding="utf-8").strip())
    return "\n\n".join([*head, *body, *problems]) + "\n"


# ---------------------------------------------------------------------------- main


def parse_size(text: str) -> int:
    text = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    return int(float(text.rstrip("km")) * scale)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=10, help="timed rounds (default 10)")
    ap.add_argument("--warmup", type=int, default=1, help="untimed rounds first (default 1)")
    ap.add_argument("--sizes", default=",".join(map(str, SIZES)), help="e.g. 1000,10k,100k,1M")
    ap.add_argument("--backend", choices=["json", "sqlite", "both"], default="json")
    ap.add_argument("--markdown", type=Path, help="also write the results as Markdown here")
    ap.add_argument("--regenerate", action="store_true", help="rebuild the cached databases")
    ap.add_argument("--quick", action="store_true", help="smallest size, 1 run, no warm-up (CI)")
    pg = ap.add_argument_group("the PostgreSQL section (a throwaway server of its own)")
    pg.add_argument("--postgres", action="store_true", help="also the PostgreSQL section")
    pg.add_argument("--postgres-only", action="store_true", help="only the PostgreSQL section")
    pg.add_argument("--no-postgres", action="store_true", help="not even in --quick")
    pg.add_argument("--pg-sizes", default="100k,1M,10M", help="long-history sizes (%(default)s)")
    pg.add_argument("--pg-small", default="1000", help="the small size (%(default)s)")
    pg.add_argument("--pg-big", default="1M", help="the big size (%(default)s)")
    pg.add_argument("--pg-groups", default=",".join(bench_pg.GROUPS), help="%(default)s")
    pg.add_argument("--pg-runs", type=int, help="timed rounds there (default: --runs)")
    pg.add_argument("--pg-warmup", type=int, help="warm-up rounds there (default: --warmup)")
    pg.add_argument("--memory-cap", type=int, default=6000, help="MB per process there (0: none)")
    args = ap.parse_args(argv)
    sizes = sorted({parse_size(s) for s in args.sizes.split(",") if s.strip()})
    pg_sizes = bench_pg.Sizes(
        small=parse_size(args.pg_small),
        big=parse_size(args.pg_big),
        long=tuple(sorted({parse_size(s) for s in args.pg_sizes.split(",") if s.strip()})),
        groups=tuple(g.strip() for g in args.pg_groups.split(",") if g.strip()),
    )
    if not set(pg_sizes.groups) <= set(bench_pg.GROUPS):
        ap.error(f"--pg-groups: some of {', '.join(bench_pg.GROUPS)}")
    if args.quick:
        sizes, args.runs, args.warmup, pg_sizes = sizes[:1], 1, 0, bench_pg.QUICK
        args.pg_runs, args.pg_warmup = 1, 0
    pg_runs = args.runs if args.pg_runs is None else args.pg_runs
    pg_warmup = args.warmup if args.pg_warmup is None else args.pg_warmup
    with_pg = (args.postgres or args.postgres_only or args.quick) and not args.no_postgres
    if min(args.runs, pg_runs) < 1 or min(args.warmup, pg_warmup) < 0 or not sizes:
        ap.error("--runs must be at least 1, --warmup at least 0, sizes given")
    if min([*sizes, *pg_sizes.long, pg_sizes.small, pg_sizes.big]) < 1:
        ap.error("sizes must be positive")
    backends = ["json", "sqlite"] if args.backend == "both" else [args.backend]
    markdown = args.markdown.resolve() if args.markdown else None
    WORK.mkdir(parents=True, exist_ok=True)
    os.chdir(WORK)  # no process runs in the source tree (python -m would import from it)
    env = dict(os.environ, COLUMNS="160", POVTRACK_LANG="zh", POVTRACK_USER="bench")
    # Bytecode caches as an installed user has them: a shell that sets PYTHONDONTWRITEBYTECODE
    # would otherwise recompile every povtrack module on every run (some 25 ms). The caches go
    # to the work folder, not the source tree; the warm-up round writes them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(WORK / "pycache")
    env["POVTRACK_DB"] = str(WORK / "no-database-here.json")  # every command gets --db
    print(f"interpreter: {PY}\nwork folder: {WORK}")
    groups: dict[str, Group] = {}
    failed = False
    plans: list[tuple[str, Callable[[], Group]]] = [("startup", lambda: startup_group(env))]
    for n in sizes:
        plans.append((str(n), functools.partial(size_group, n, backends, env, args.regenerate)))
    for key, make in [] if args.postgres_only else plans:
        try:
            group = make()
        except (RuntimeError, KeyError, OSError, ValueError) as exc:
            print(f"FAIL: {exc}", file=sys.stderr)
            failed = True
            continue
        run_group(group, args.runs, args.warmup, env)
        groups[key] = group
        failed = failed or bool(group.errors) or any(c.failures for c in group.cmds.values())
    judged = [("targets", targets(groups, backends) if groups else [])]
    if with_pg:
        cap = args.memory_cap
        pg_judged, pg_failed = bench_pg.run(
            pg_sizes, pg_runs, pg_warmup, env, args.regenerate, cap, groups
        )
        judged.append(("targets (PostgreSQL issue)", pg_judged))
        failed = failed or pg_failed
    close_spawner()
    runs = f"Medians of {args.runs} run(s) after {args.warmup} warm-up round(s)"
    if with_pg and (pg_runs, pg_warmup) != (args.runs, args.warmup):
        runs += f" ({pg_runs} after {pg_warmup} in the PostgreSQL section)"
    print("\n" + report(groups, judged, runs, md=False))
    if markdown:
        markdown.write_text(report(groups, judged, runs, md=True), encoding="utf-8")
        print(f"\nwritten: {markdown}")
    if failed:
        print("\nFAIL: a command failed (see above)", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:  # the PostgreSQL server, if any, is stopped already
        print("\ninterrupted", file=sys.stderr)
        sys.exit(130)

"""The PostgreSQL section of the benchmark (``bench.py --postgres``; in ``--quick`` at small
sizes when the server programs are installed): the PostgreSQL issue's targets, measured side by
side with SQLite, on a throwaway server ``pgserver`` starts for the run and stops after it.

Groups (each round-robin, as bench.py's; sizes as in ``Sizes``):

* ``small`` and ``big`` entries, townships shape: the naive floor at that size, then
  ``status --json``, ``board`` and ``record`` on SQLite and on PostgreSQL;
* long history (the series of the 100,000-entry database, reported daily; ``generate.py
  --shape long``): the same three commands on PostgreSQL at each ``long`` size and on SQLite
  at ``big``;
* importers into ``big`` entries, townships shape, PostgreSQL: one process importing one
  return, and eleven started together, each importing another return of as many rows (later
  weeks than the one before, no row in two); the wall time until the last one ends. They wait
  for each other's writer lock (``--lock-timeout 600``), as offices importing at once do.

Writes are checked: ``record`` runs on a copy of the database made for the group (CREATE
DATABASE ... TEMPLATE, untimed), each run adding one entry to it and raising the generation by
exactly one; the importers run on a fresh copy each round: every one must exit 0, the
generation must rise by one per importer and the entries by exactly their rows. Copies are
dropped when the section ends. Every process runs under the memory cap (``--memory-cap``).
"""

from __future__ import annotations

import contextlib
import resource
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pgserver
from measure import MB, NAIVE, POVTRACK, PY, WORK, Cmd, Group, dataset, run_group, writer

IMPORTERS = 11
GROUPS = ("small", "big", "long", "import")
WAIT = ["--lock-timeout", "600"]  # eleven importers take the writer lock in turn


@dataclass
class Sizes:
    small: int = 1_000
    big: int = 1_000_000
    long: tuple[int, ...] = (100_000, 1_000_000, 10_000_000)
    csv_rows: int = 10_000
    importers: int = IMPORTERS
    groups: tuple[str, ...] = GROUPS  # which of them run


QUICK = Sizes(small=1_000, big=10_000, long=(5_000, 10_000), csv_rows=200)


def short(n: int) -> str:
    for unit, scale in (("M", 1_000_000), ("k", 1_000)):
        if n >= scale and n % scale == 0:
            return f"{n // scale}{unit}"
    return f"{n:,}"


def unavailable() -> str | None:
    """Why the section cannot run here, or None."""
    bin_dir, why = pgserver.server_bin()
    if bin_dir is None:
        return why
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return 'psycopg is not installed (pip install ".[postgres]")'
    return None


class Section:
    """The section's groups on one running server."""

    def __init__(self, server: pgserver.Server, env: dict[str, str], regen: bool, cap: int):
        self.server, self.regen, self.cap = server, regen, cap
        self.env = {k: v for k, v in env.items() if not k.startswith("PG")}  # no other server
        self.copies: list[str] = []

    def sql(self, dbname: str, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        import psycopg

        with psycopg.connect(self.server.url(dbname), autocommit=True) as conn:
            cur = conn.execute(query.encode(), params or None)
            return cur.fetchall() if cur.description else []

    def present(self, name: str) -> bool:
        """The database exists and its generation finished (povtrack's schema committed)."""
        if not self.sql("postgres", "SELECT 1 FROM pg_database WHERE datname = %s", (name,)):
            return False
        return bool(self.sql(name, "SELECT to_regclass('povtrack.meta') IS NOT NULL")[0][0])

    def pg_data(
        self, size: int, shape: str, csv_rows: int, importers: int = 0
    ) -> tuple[dict[str, Any], str]:
        name = f"bench_n{size}_{shape}"
        m = dataset(size, "postgresql", self.regen, shape=shape, importers=importers,
                    csv_rows=csv_rows, naive=False, db=self.server.url(name),
                    present=lambda: self.present(name))  # fmt: skip
        return m, name

    def copy(self, src: str, dst: str) -> None:
        self.sql("postgres", f'DROP DATABASE IF EXISTS "{dst}" WITH (FORCE)')
        self.sql("postgres", f'CREATE DATABASE "{dst}" TEMPLATE "{src}" STRATEGY FILE_COPY')
        if dst not in self.copies:
            self.copies.append(dst)

    def drop_copies(self) -> None:
        """This run's copies, and any an interrupted run left behind."""
        left = self.sql("postgres", r"SELECT datname FROM pg_database WHERE datname LIKE 'run\_%'")
        for name in dict.fromkeys([*self.copies, *(row[0] for row in left)]):
            with contextlib.suppress(Exception):
                self.sql("postgres", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.copies.clear()

    def state(self, name: str) -> dict[str, int]:
        (gen,) = self.sql(name, "SELECT value FROM povtrack.meta WHERE key = 'generation'")
        (count,) = self.sql(name, "SELECT count(*) FROM povtrack.entries")
        return {"generation": int(gen[0]), "entries": int(count[0])}

    # -- commands ------------------------------------------------------------------------

    def reader(self, label: str, name: str, args: list[str]) -> Cmd:
        return Cmd(label, [*POVTRACK, "--db", self.server.url(name), *args], cap_mb=self.cap)

    def recorder(self, label: str, src: str, args: list[str]) -> Cmd:
        """``record`` on a copy made once for the group: one entry and one write per run."""
        dst = f"run_{src}_record"

        def prepare() -> dict[str, int]:
            if dst not in self.copies:
                self.copy(src, dst)
            return self.state(dst)

        def check(before: dict[str, int]) -> str | None:
            after = self.state(dst)
            writes = after["generation"] - before["generation"]
            new = after["entries"] - before["entries"]
            return None if (writes, new) == (1, 1) else f"{writes} write(s), {new} new entries"

        argv = [*POVTRACK, "--db", self.server.url(dst), *args]
        return Cmd(label, argv, prepare, check, self.cap)

    def importers(self, label: str, src: str, files: list[str], rows: int) -> Cmd:
        """``len(files)`` importers started together on a fresh copy; wall time to the last."""
        dst = f"run_{src}_import"

        def limit() -> None:
            if self.cap:
                resource.setrlimit(resource.RLIMIT_AS, (self.cap * MB, resource.RLIM_INFINITY))

        def run() -> tuple[float, float | None, int, str]:
            url, errs = (
                self.server.url(dst),
                [WORK / f"importer-{k}.err" for k in range(len(files))],
            )
            procs = []
            start = time.perf_counter()
            for path, err in zip(files, errs, strict=True):
                with open(err, "wb") as stderr:
                    argv = [*POVTRACK, "--db", url, *WAIT, "import", path]
                    procs.append(subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                 stdout=subprocess.DEVNULL, stderr=stderr, env=self.env,
                                 preexec_fn=limit))  # fmt: skip
            codes = [p.wait() for p in procs]
            seconds = time.perf_counter() - start
            bad = [(c, e) for c, e in zip(codes, errs, strict=True) if c]
            said = "; ".join(f"exit {c}: {e.read_text(errors='replace')[-300:]}" for c, e in bad)
            return seconds, None, bad[0][0] if bad else 0, f"{len(bad)} of {len(files)}: {said}"

        def check(before: dict[str, int]) -> str | None:
            after = self.state(dst)
            writes = after["generation"] - before["generation"]
            new, want = after["entries"] - before["entries"], rows * len(files)
            if (writes, new) == (len(files), want):
                return None
            return f"{new:,} new entries (want {want:,}), {writes} write(s)"

        def fresh() -> dict[str, int]:
            self.copy(src, dst)
            return self.state(dst)

        return Cmd(label, [], fresh, check, run=run)

    # -- groups --------------------------------------------------------------------------

    def three(self, g: Group, tag: str, m: dict[str, Any], name: str | None) -> None:
        """status --json, board and record on one database: a file, or (``name``) one of
        the server's."""
        r = m["record"]
        rec = ["record", r["indicator"], r["value"], "--area", r["area"], "--date", r["date"]]
        if name is not None:
            g.cmds[f"status-json{tag}"] = self.reader(
                f"status --json{tag}", name, ["status", "--json"]
            )
            g.cmds[f"board{tag}"] = self.reader(f"board{tag}", name, ["board"])
            g.cmds[f"record{tag}"] = self.recorder(f"record{tag}", name, rec)
            return
        db, base = Path(m["db"]), [*POVTRACK, "--db", m["db"]]
        g.cmds[f"status-json{tag}"] = Cmd(
            f"status --json{tag}", [*base, "status", "--json"], cap_mb=self.cap
        )
        g.cmds[f"board{tag}"] = Cmd(f"board{tag}", [*base, "board"], cap_mb=self.cap)
        copy = WORK / f"run-record{db.suffix}"
        g.cmds[f"record{tag}"] = writer(f"record{tag}", db, copy, rec, self.env, self.cap)

    def side_by_side(self, size: int, s: Sizes) -> Group:
        """status --json, board, record at ``size`` (townships) on both engines."""
        g = Group(f"{size:,} entries, townships shape: SQLite and PostgreSQL", "naive floor")
        lite = dataset(size, "sqlite", self.regen)
        more = s.importers if size == s.big else 0  # the importers' returns come with it
        pg, name = self.pg_data(size, "townships", s.csv_rows, more)
        naive = [PY, "-c", NAIVE, lite["naive"]]
        g.cmds["naive floor"] = Cmd(f"naive floor (json.load {size:,})", naive)
        self.three(g, " [sqlite]", lite, None)
        self.three(g, " [postgresql]", pg, name)
        return g

    def long_history(self, s: Sizes) -> Group:
        """The long shape: PostgreSQL at each long size, SQLite at ``big``."""
        first = f"status-json [postgresql {min(s.long):,}]"
        title = "long history (the series of the 100,000-entry database, daily): "
        title += f"PostgreSQL at {', '.join(map(short, s.long))}, SQLite at {short(s.big)}"
        g = Group(title, first)
        for size in s.long:
            pg, name = self.pg_data(size, "long", s.csv_rows)
            self.three(g, f" [postgresql {size:,}]", pg, name)
            g.notes.append(f"{size:,}: {pg['periods'][2]:,} days from {pg['periods'][0]}")
        lite = dataset(s.big, "sqlite", self.regen, shape="long", csv_rows=s.csv_rows, naive=False)
        self.three(g, f" [sqlite {s.big:,}]", lite, None)
        return g

    def importing(self, s: Sizes) -> Group:
        pg, name = self.pg_data(s.big, "townships", s.csv_rows, s.importers)
        files, rows = pg["importers"][: s.importers], pg["returns_rows"]
        title = f"{len(files)} importers at once into {s.big:,} entries, townships: PostgreSQL"
        g = Group(title, "one importer")
        g.cmds["one importer"] = self.importers(
            f"one import of {rows:,} rows", name, files[:1], rows
        )
        label = f"{len(files)} imports of {rows:,} rows at once"
        g.cmds["importers"] = self.importers(label, name, files, rows)
        names = [Path(f).name for f in files]
        g.notes.append(f"each round on a fresh copy; the returns {names[0]} to {names[-1]}")
        return g


# ---------------------------------------------------------------------------- targets


def _vs(name: str, cmd: Cmd | None, ref: Cmd | None, limit: float) -> list[str]:
    """[target, measured, result]: ``cmd``'s median at most ``limit`` × ``ref``'s."""
    if cmd is None or ref is None:
        return [name, "-", "not measured"]
    for c in (cmd, ref):
        if c.failures:
            said = c.failures[0].split(": ", 1)[0]  # the exit code and when (the rest: below)
            return [name, f"{c.label}: FAIL ({said})", "MISS"]
        if c.problems:
            return [name, f"{c.label}: {c.problems[0]}", "MISS"]
    a, b = cmd.median_ms(), ref.median_ms()
    if a is None or not b:
        return [name, "-", "not measured"]
    seen = f"{a / b:.2f}× ({a:,.0f} ms / {b:,.0f} ms)"
    return [name, seen, "PASS" if a / b <= limit else "MISS"]


def targets(groups: dict[str, Group], s: Sizes) -> list[list[str]]:
    def cmd(group: str, key: str) -> Cmd | None:
        g = groups.get(group)
        return g.cmds.get(key) if g else None

    out = []
    for key, what in (("status-json", "status --json"), ("board", "board")):
        for engine in ("sqlite", "postgresql"):
            name = f"{what} at {short(s.big)} ≤ 0.2× the naive floor [{engine}]"
            out.append(
                _vs(name, cmd("pg-big", f"{key} [{engine}]"), cmd("pg-big", "naive floor"), 0.2)
            )
    lo, hi = min(s.long), max(s.long)
    for key, what in (("status-json", "status --json"), ("board", "board")):
        name = f"{what} at {short(hi)} ≤ 2× at {short(lo)} [postgresql, long history]"
        at = [cmd("pg-long", f"{key} [postgresql {n:,}]") for n in (hi, lo)]
        out.append(_vs(name, at[0], at[1], 2.0) if hi > lo else [name, "-", "not measured"])
    for engine in ("sqlite", "postgresql"):
        name = f"record into {short(s.big)} ≤ 2× into {short(s.small)} [{engine}]"
        out.append(
            _vs(
                name,
                cmd("pg-big", f"record [{engine}]"),
                cmd("pg-small", f"record [{engine}]"),
                2.0,
            )
        )
    name = f"{s.importers} importers into {short(s.big)}: all land, ≤ 8× one [postgresql]"
    out.append(_vs(name, cmd("pg-import", "importers"), cmd("pg-import", "one importer"), 8.0))
    return out


# ---------------------------------------------------------------------------- the section


def run(
    s: Sizes, runs: int, warmup: int, env: dict[str, str], regen: bool, cap: int,
    groups: dict[str, Group],
) -> tuple[list[list[str]], bool]:  # fmt: skip
    """Start the server, measure every group into ``groups``, stop the server; the targets
    and whether anything failed."""
    why = unavailable()
    if why:
        print(f"-- PostgreSQL section skipped: {why}", flush=True)
        return [], False
    bin_dir, _ = pgserver.server_bin()
    assert bin_dir is not None
    pgserver.terminate_as_exit()
    print("-- starting the benchmarks' PostgreSQL server", flush=True)
    server = pgserver.start(WORK / "pg", bin_dir)
    section = Section(server, env, regen, cap)
    failed = False
    try:
        section.drop_copies()
        makers: list[tuple[str, Callable[[], Group]]] = [
            ("pg-small", lambda: section.side_by_side(s.small, s)),
            ("pg-big", lambda: section.side_by_side(s.big, s)),
            ("pg-long", lambda: section.long_history(s)),
            ("pg-import", lambda: section.importing(s)),
        ]
        for key, make in makers:
            if key.removeprefix("pg-") not in s.groups:
                continue
            try:
                group = make()
            except Exception as exc:  # data that could not be made: said, and the rest runs
                print(f"FAIL: {exc}", flush=True)
                failed = True
                continue
            if cap:
                group.notes.append(f"every process capped at {cap:,} MB of address space")
            run_group(group, runs, warmup, section.env)
            groups[key] = group
            failed = failed or any(c.failures for c in group.cmds.values())
    finally:
        print("-- stopping the benchmarks' PostgreSQL server", flush=True)
        try:
            section.drop_copies()
        finally:
            pgserver.stop(server)
    return targets(groups, s), failed

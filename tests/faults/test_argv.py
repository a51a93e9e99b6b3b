"""Garbage on the command line, and text that is not UTF-8: always a documented exit code,
never a traceback, never a write on a refusal. In-process (the ``run`` fixture)."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.helpers import faults as helpers_faults
from tests.helpers.faults import (
    RELOCATED,
    TEST_INDICATORS,
    clone_base,
    entry_rows,
    lines,
    load_json,
    no_crash_text,
    pov,
    write_returns,
)

RECORD = ["record", RELOCATED, "4100", "--area", "guangling", "--week", "2018-W33"]
RECORD_ROW = (RELOCATED, "guangling", "2018-08-19", 4100)

# the shared fixtures: one base database per module, a fresh copy per test
base_db = helpers_faults.base_db
db = helpers_faults.db


# Any text but NUL (no real command line can carry it) and "/" (so that no path leaves the
# example's own folder); CJK, control characters, full-width forms and the like all included.
TEXT = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00/"), max_size=12
).filter(lambda s: s != "..")
GOOD = {
    "indicator": [RELOCATED, "housing.dangerous_houses", "农村危房改造", "jobs.trained",
                  "goals.county_delisted", "industry.pv_coverage", "teams.work_team_visits"],
    "value": ["5200", "0", "12.5", "80", "100.5", "1e3", "-1", "99999999999999999999", "1.2万"],
    "area": ["yanggao", "阳高县", "陽高", "大同", "city", "datong", "Yanggao County", "大同县"],
    "day": ["2018-06-10", "2019-12-31", "2018-01-01", "2020-01-01", "2018-02-29", "45720"],
    "week": ["2018-W23", "2019-W52", "2018-W53", "2018-W01", "2017-W52"],
    "file": ["w.csv", "bad.csv", "gbk.csv", "db.json", ".", "missing.csv"],
    "backup": ["1", "2", "gen-000001.json", "db.json", "999"],
    "task": ["0", "2", "10", "11", "-1", "99999999999999999999"],
    "lang": ["en", "zh", "fr", "ZH"],
    "seconds": ["0", "1", "0.5", "2", "10", "0", "1", "inf", "nan", "-1"],
    "encoding": ["utf-8", "gb18030", "utf-16", "latin-1", "punycode", "rot13", "nope"],
    "count": ["1", "0", "5", "-3"],
    "text": ["县住建局", "", "a,b", "\t", "=SUM(A1)"],
    "folder": [".", "in", "missing"],
    "plan": ["plan.toml", "w.csv", "missing.toml"],
}  # fmt: skip
# command path -> (positional kinds, {option: value kind, or None for a flag}); record and
# target set always get an --area, record a --week (else most examples stop at "missing").
SPECS = {
    ("record",): (["indicator", "value"], {"--date": "day", "--week": "week", "--note": "text",
                  "--by": "text", "--lang": "lang", "--lock-timeout": "seconds"}),
    ("import",): (["file"], {"--encoding": "encoding", "--by": "text", "--json": None,
                  "--lock-timeout": "seconds"}),
    ("status",): ([], {"--as-of": "day", "--task": "task", "--area": "area", "--json": None,
                  "--lang": "lang"}),
    ("log",): ([], {"--area": "area", "--indicator": "indicator", "--limit": "count",
               "--json": None, "--lang": "lang"}),
    ("target", "set"): (["indicator", "value"], {"--due": "day", "--by": "text"}),
    ("target", "list"): ([], {"--json": None}),
    ("plan", "show"): ([], {"--task": "task", "--plan": "plan", "--json": None}),
    ("plan", "check"): (["plan"], {}),
    ("areas",): ([], {"--json": None, "--lang": "lang"}),
    ("init",): ([], {"--plan": "plan", "--force": None}),
    ("demo",): ([], {}),
    ("db", "verify"): ([], {"--json": None}),
    ("db", "backups"): ([], {"--json": None}),
    ("db", "backup"): ([], {}),
    ("db", "restore"): (["backup"], {}),
    ("inbox",): (["folder"], {"--settle": "seconds", "--json": None, "--encoding": "encoding"}),
}  # fmt: skip


def value(kind: str) -> st.SearchStrategy[str]:
    """Mostly a meaningful value (so commands get past the parser), one time in ten any text."""
    return st.integers(0, 9).flatmap(lambda n: TEXT if n == 0 else st.sampled_from(GOOD[kind]))


@st.composite
def command_lines(draw: st.DrawFn) -> list[str]:
    path = draw(st.sampled_from(sorted(SPECS)))
    positionals, options = SPECS[path]
    argv: list[str] = []
    for option in draw(st.lists(st.sampled_from(["--lang", "--lock-timeout"]), max_size=1)):
        argv += [option, draw(value("lang" if option == "--lang" else "seconds"))]
    argv += [*path, *(draw(value(kind)) for kind in positionals)]
    if path in (("record",), ("target", "set")):
        argv += ["--area", draw(value("area"))]
    if path == ("record",):
        argv += ["--week", draw(value("week"))]
    for option in draw(st.lists(st.sampled_from(sorted(options) or ["--help"]), max_size=4)):
        kind = options.get(option)
        argv += [option] if kind is None else [option, draw(value(kind))]
    return argv


WORDS = sorted({w for path in SPECS for w in path})
OPTIONS = sorted({o for _, opts in SPECS.values() for o in opts} | {"--db", "--debug", "--help",
                  "--version", "--", "-"})  # fmt: skip
TOKEN = st.one_of(st.sampled_from(WORDS), st.sampled_from(OPTIONS), TEXT,
                  *(st.sampled_from(v) for v in GOOD.values()))  # fmt: skip
ARGV = st.one_of(command_lines(), command_lines(), st.lists(TOKEN, max_size=8))


def _example_folder(base_db: Path, parent: Path) -> Path:
    """A fresh database (and something to import) for one example."""
    folder = Path(tempfile.mkdtemp(dir=parent))
    db = clone_base(base_db, folder)
    write_returns(folder / "w.csv", 20, indicators=TEST_INDICATORS)
    write_returns(folder / "in" / "w2.csv", 20, indicators=TEST_INDICATORS, skip=20)
    (folder / "bad.csv").write_text("date,area,indicator,value\n2018-13-01,x,y,z\n", "utf-8")
    (folder / "gbk.csv").write_bytes(
        f"date,area,indicator,value,note\n2018-06-10,阳高县,{RELOCATED},9,县\n".encode("gbk")
    )
    (folder / "plan.toml").write_text("[plan]\nid = 1\n", "utf-8")
    return db


@pytest.mark.slow  # 200 random command lines: CI runs -m slow
@settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(argv=ARGV)
def test_garbage_on_the_command_line_never_crashes(
    run, base_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
):
    db = _example_folder(base_db, tmp_path)
    with monkeypatch.context() as m:
        m.chdir(db.parent)
        m.setenv("POVTRACK_DB", str(db))
        m.setenv("XDG_DATA_HOME", str(db.parent / "xdg"))
        result = run(*argv)
    no_crash_text(result.stdout, result.stderr)
    assert result.exit_code in (0, 2, 3, 4, 5, 6), (argv, result.exit_code, result.stderr)
    if result.exit_code != 0:
        assert (result.stdout + result.stderr).strip(), argv  # the user is told something


# Bytes that are not UTF-8 reach Python as lone surrogates ("\udcff"): a script saved as GBK
# and run under a UTF-8 locale passes them, and so does a file name written by Windows tools.
# The text ends up in the database (a note, who recorded it, a file name), which is written as
# UTF-8. Either povtrack refuses it (exit 2, nothing written) or stores it escaped (exit 0);
# an internal error is neither.
UNDECODABLE = {
    "note": (["--note", "县\udcff"], {}),
    "by": (["--by", "\udce9\udc98"], {}),
    "user-env": ([], {"POVTRACK_USER": "\udcff"}),
}


@pytest.mark.parametrize("where", [*UNDECODABLE, "file-name"])
def test_undecodable_bytes_in_stored_text_are_not_an_internal_error(
    db: Path, tmp_path: Path, where: str
):
    if where == "file-name":
        csv = write_returns(tmp_path / "in" / "w\udcff.csv", 5, indicators=TEST_INDICATORS)
        args, env, added = ["import", str(csv.path)], {}, csv.counter
    else:
        extra, env = UNDECODABLE[where]
        args, added = [*RECORD, *extra], Counter([RECORD_ROW])
    before = db.read_bytes()
    proc = pov(db, *args, env=env)
    no_crash_text(proc.stderr)
    assert proc.returncode in (0, 2), proc.stderr
    if proc.returncode == 2:
        assert lines(proc.stderr)[0].startswith("error: ")
        assert db.read_bytes() == before
    else:
        assert entry_rows(load_json(db)) == entry_rows(json.loads(before)) + added

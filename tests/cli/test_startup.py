"""A lean start-up: what each command imports, and the pydantic-free parameter conversion.

No timings here (see benchmarks/): these tests pin the imports that make the difference. Each
command runs in a fresh interpreter, the way a script calls povtrack, and reports the heavy
packages it loaded: Rich (tables), openpyxl (XLSX), TinyDB (the database), OpenCC (Traditional
names), pydantic (which Typer 0.29 would import to convert option values; see
povtrack/cli/fast_params.py) and psycopg (the PostgreSQL driver, for PostgreSQL databases only).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated, Any

import pytest
import typer
from typer.main import get_command

from povtrack.cli import app, fast_params

HEAVY = ("rich", "openpyxl", "tinydb", "opencc", "opencc_purepy", "pydantic", "psycopg")

_PROBE = """
import json, sys
args, heavy = json.loads(sys.argv[1]), set(json.loads(sys.argv[2]))
from povtrack.cli import main
sys.argv = ["povtrack", *args]
code = 0
try:
    main()
except SystemExit as exc:
    code = exc.code
loaded = sorted({m.split(".")[0] for m in sys.modules} & heavy)
print("PROBE " + json.dumps({"code": code, "loaded": loaded}), file=sys.stderr)
"""


def _imports(*args: str) -> tuple[int, set[str], str]:
    """Run povtrack with ``args`` in a fresh interpreter: exit code, heavy packages, stdout."""
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(args), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
    )
    probe = [line for line in done.stderr.splitlines() if line.startswith("PROBE ")]
    assert probe, done.stderr
    report = json.loads(probe[-1].removeprefix("PROBE "))
    return report["code"] or 0, set(report["loaded"]), done.stdout


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo database (the bundled plan and the sample returns), built once."""
    home = tmp_path_factory.mktemp("startup")
    path = home / "demo.json"
    env = {
        **os.environ,
        "POVTRACK_DB": str(home / "db.json"),
        "POVTRACK_LANG": "en",
        "POVTRACK_USER": "tester",
        "XDG_DATA_HOME": str(home / "xdg-data"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "povtrack", "demo", "--db", str(path)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    return path


def test_version_imports_no_rich_tinydb_openpyxl_or_pydantic() -> None:
    code, loaded, out = _imports("--version")
    assert code == 0 and out.startswith("povtrack ")
    assert loaded == set(), loaded


@pytest.mark.parametrize("args", [["--help"], ["status", "--help"], ["plan", "--help"]])
def test_help_imports_nothing_heavy(args: list[str]) -> None:
    code, loaded, out = _imports(*args)
    assert code == 0 and "Usage" in out
    assert loaded == set(), loaded


def test_status_json_imports_no_rich_openpyxl_or_pydantic(demo_db: Path) -> None:
    code, loaded, out = _imports("--db", str(demo_db), "status", "--json")
    assert code == 0
    assert json.loads(out)["rows"]
    assert not loaded & {"rich", "openpyxl", "pydantic", "opencc", "opencc_purepy", "psycopg"}, (
        loaded
    )


def test_status_with_options_imports_no_pydantic(demo_db: Path) -> None:
    """Every kind of value the command line takes (a path, an int, a str, a date) converted
    without pydantic; an area typed in Simplified needs no OpenCC."""
    code, loaded, out = _imports(
        "--db", str(demo_db), "--lock-timeout", "3", "status", "--json",
        "--task", "2", "--as-of", "2018-W26", "--area", "阳高县",
    )  # fmt: skip
    assert code == 0, out
    assert not loaded & {"rich", "openpyxl", "pydantic", "opencc", "opencc_purepy", "psycopg"}, (
        loaded
    )


def test_status_table_imports_no_openpyxl(demo_db: Path) -> None:
    code, loaded, out = _imports("--db", str(demo_db), "status")
    assert code == 0 and out.strip()
    assert "rich" in loaded  # the table is Rich's
    assert not loaded & {"openpyxl", "pydantic", "psycopg"}, loaded


def test_bad_value_still_gets_typers_own_message(demo_db: Path) -> None:
    """A value the stand-in does not take goes to Typer's converter: same words, exit 2."""
    done = subprocess.run(
        [sys.executable, "-m", "povtrack", "--db", str(demo_db), "status", "--task", "two"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("error: Invalid value for '--task'"), done.stderr


# --- the stand-in converter agrees with Typer's, value for value -------------------------

needs_coercion = pytest.mark.skipif(
    not fast_params._typer_converts(), reason="this Typer converts without pydantic anyway"
)

_probe_app = typer.Typer()


@_probe_app.command()
def _probe(
    files: Annotated[list[Path] | None, typer.Argument()] = None,
    name: Annotated[str | None, typer.Option("--name")] = None,
    note: Annotated[str, typer.Option("--note")] = "",
    path: Annotated[Path | None, typer.Option("--path")] = None,
    weeks: Annotated[int, typer.Option("--weeks", min=1, max=104)] = 8,
    task: Annotated[int | None, typer.Option("--task")] = None,
    wait: Annotated[float | None, typer.Option("--wait", min=0)] = None,
    settle: Annotated[float, typer.Option("--settle", min=0)] = 5.0,
    flag: Annotated[bool, typer.Option("--flag")] = False,
) -> None:
    pass


def _outcome(convert: Any, value: Any, param: Any, ctx: Any) -> tuple[Any, ...]:
    try:
        got = convert(value, param=param, ctx=ctx)
    except Exception as exc:
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        return ("error", type(exc).__name__, message)
    return ("value", type(got), [type(x) for x in got] if isinstance(got, list) else None, got)


def _values(tmp_path: Path) -> dict[str, list[Any]]:
    existing = tmp_path / "here.json"
    existing.write_text("{}")
    numbers = ["5", "05", "-0", "0", "104", "105", "-5", "+5", " 5", "5 ", "1_000", "5.0"]
    numbers += ["5.5", ".5", "5.", "1e3", "inf", "nan", "0x10", "１２", "", "x", "0.1"]
    numbers += ["123456789012345678", "1234567890123456789", "99999999999999999999999"]
    numbers += ["3.141592653589793", "000000000000001.000000000000001"]
    paths = ["db.json", str(existing), str(tmp_path), "", "a\x00b", "\udcff", "./x//y/", "-"]
    words = ["a", "", "阳高县", "\udcff", "a\x00b", " spaced "]
    return {
        "files": [(), ("a.csv", str(existing)), ("", "b.csv"), ("a\x00b",), "a.csv", None],
        "name": [*words, None],
        "note": words,
        "path": [*paths, None],
        "weeks": [*numbers, 8, None],
        "task": [*numbers, None],
        "wait": [*numbers, None],
        "settle": [*numbers, 5.0, 5, -1.0, None],
        "flag": [True, False, None],
    }


@needs_coercion
def test_stand_in_agrees_with_typer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer._coercion import build_runtime_param

    monkeypatch.chdir(tmp_path)
    command = get_command(_probe_app)
    ctx = typer.Context(command)
    params = {p.name: p for p in command.params}
    for name, values in _values(tmp_path).items():
        param = params[name]
        stand_in = fast_params._stand_in(param)
        assert stand_in is not None, name
        for value in values:
            real = build_runtime_param(param.type_descriptor)  # fresh: no stand-in inside
            ours = _outcome(stand_in.coerce, value, param, ctx)
            theirs = _outcome(real.coerce, value, param, ctx)
            assert ours == theirs, (name, value)
            param._runtime_param = None


@needs_coercion
def test_every_parameter_of_povtrack_has_a_stand_in() -> None:
    """A parameter without one (an Enum, a datetime, a custom parser) makes Typer import
    pydantic, some 60 ms at every start: give it a plain type, or extend fast_params.py."""
    missing = []

    def walk(cmd: Any, path: tuple[str, ...]) -> None:
        ctx = typer.Context(cmd)
        for param in cmd.get_params(ctx):
            if fast_params._stand_in(param) is None and not isinstance(
                param._runtime_param, fast_params._Lean
            ):
                missing.append((*path, param.name))
        for name, sub in getattr(cmd, "commands", {}).items():
            walk(sub, (*path, name))

    walk(get_command(app), ())
    assert missing == []

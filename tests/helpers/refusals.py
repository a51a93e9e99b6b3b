"""Run-and-check helpers of the tests of the catalogue's rows (tests/CATALOGUE.md) that run
in-process: ``refused`` (an exit code, nothing on stdout, only ``error:`` lines, no crash
text), ``succeeded``, ``log_entries``, ``about`` (the lines naming something), and the record
arguments and returns they use."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.helpers.faults import lines, no_crash_text

RELOCATED = "housing.relocated_people"  # unit: people (whole numbers)
RATE = "housing.relocation_works_completion"  # unit: percent, reported as such (not a ratio)
WEEK = "2018-W23"
WEEK_HEADER = "week,area,indicator,value"


def record_args(*extra: str, value: str = "5", area: str = "yanggao") -> list[str]:
    return ["record", RELOCATED, value, "--area", area, "--week", WEEK, *extra]


def write_csv(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8"))
    return path


def refused(result: Any, code: int) -> list[str]:
    """A refusal: this exit code, nothing on stdout, no crash text; its stderr lines."""
    assert result.exit_code == code, (result.exit_code, result.stderr)
    no_crash_text(result.stdout, result.stderr)
    assert result.stdout == ""
    err = lines(result.stderr)
    assert err, "a refusal must say why"
    assert all(ln.startswith("error: ") for ln in err), result.stderr
    return err


def succeeded(result: Any) -> None:
    assert result.exit_code == 0, result.stderr
    no_crash_text(result.stdout, result.stderr)


def log_entries(run, *args: str) -> list[dict[str, Any]]:
    result = run("log", "--json", *args)
    succeeded(result)
    return json.loads(result.stdout)["entries"]


def about(err: list[str], name: object) -> list[str]:
    return [ln for ln in err if str(name) in ln]

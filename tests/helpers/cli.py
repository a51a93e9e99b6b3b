"""Shared by cli/test_plans.py and cli/test_entries.py: run-and-parse helpers for the CLI."""

from __future__ import annotations

import json
from typing import Any

DANGEROUS = "housing.dangerous_houses"  # city target 17554 households, due 2018-12-31


def ok_json(result: Any) -> Any:
    """Exit 0 and stdout is one JSON document and nothing else."""
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


def rec(run, indicator: str, value: str, area: str, day: str, *extra: str) -> None:
    result = run("record", indicator, value, "--area", area, "--date", day, *extra)
    assert result.exit_code == 0, result.stderr


def status_rows(run, *args: str) -> tuple[str, list[dict[str, Any]]]:
    data = ok_json(run("status", "--json", *args))
    return data["as_of"], data["rows"]


def row_for(rows: list[dict[str, Any]], indicator: str, scope: str) -> dict[str, Any]:
    found = [r for r in rows if r["indicator"] == indicator and r["scope"] == scope]
    assert len(found) == 1, f"{indicator}/{scope}: {len(found)} rows"
    return found[0]


def log_entries(run, *args: str) -> list[dict[str, Any]]:
    return ok_json(run("log", "--json", *args))["entries"]

"""Shared by analysis/test_quality_rules.py and analysis/test_quality_anomalies.py: the tiny plan of
helpers/progress.py with three relocation-like indicators (MOVED) and a sum rule (SUM_RULE:
moved = moved_poor + moved_other) added, as PLAN; the as-of date AS_OF; sunday(n), series() and
noted() to build entries; only()/one() to pick findings by rule; check(), which runs every check
on PLAN.
"""

from __future__ import annotations

from datetime import date, timedelta

from povtrack.analysis.quality.check import run_checks
from povtrack.analysis.quality.findings import Finding
from povtrack.model import Allocation, Entry
from tests.helpers.progress import INDICATORS, D, entry, make_plan

MOVED = """
[[indicators]]
id = "moved"
task = 2
name = "搬迁"
name_en = "Moved"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 300

[[indicators]]
id = "moved_poor"
task = 2
name = "搬迁贫困人口"
name_en = "Moved, poor"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 200

[[indicators]]
id = "moved_other"
task = 2
name = "同步搬迁"
name_en = "Moved alongside"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 100
"""

SUM_RULE = """
[[rules]]
id = "moved-parts"
kind = "sum"
whole = "moved"
parts = ["moved_poor", "moved_other"]
note = "300 = 200 + 100"
"""

PLAN = make_plan(INDICATORS + MOVED + SUM_RULE)
AS_OF = D(2018, 7, 2)


def sunday(n: int) -> date:
    """The n-th Sunday from 2018-03-04 (n = 0)."""
    return D(2018, 3, 4) + timedelta(weeks=n)


def noted(id: int, indicator: str, area: str, day: date, value: float, note: str) -> Entry:
    return Entry(id=id, indicator=indicator, area=area, date=day, value=value, note=note)


def series(
    start_id: int, indicator: str, area: str, values: list[float], first: int = 0
) -> list[Entry]:
    """One entry a week from sunday(first), ids counting up from start_id."""
    return [
        entry(start_id + n, indicator, area, sunday(first + n), v) for n, v in enumerate(values)
    ]


def only(findings: list[Finding], rule: str) -> list[Finding]:
    return [f for f in findings if f.rule == rule]


def one(findings: list[Finding], rule: str) -> Finding:
    found = only(findings, rule)
    assert len(found) == 1, findings
    return found[0]


def check(entries: list[Entry], allocations: list[Allocation] | None = None, as_of=AS_OF):
    return run_checks(PLAN, entries, allocations or [], as_of)

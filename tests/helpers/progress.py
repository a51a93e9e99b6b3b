"""Shared by analysis/test_status_actuals.py and analysis/test_status_rows.py: the tiny inline plan.

PLAN is written inline (HEADER + INDICATORS) so every expected number in those tests can be
worked out by hand; entry() builds ledger entries and rows_for()/one_row() pick status rows.
"""

from __future__ import annotations

from datetime import date

from povtrack.model import Entry, Plan
from povtrack.planfile import parse_plan

# A city (metro), two counties and a district; one group of the two counties.
HEADER = """
[plan]
id = "tiny"
name = "小计划"
name_en = "Tiny plan"
start = 2018-01-01
due = 2018-12-31

[[areas]]
id = "metro"
name = "甲市"
name_hant = "甲市"
name_en = "Metro City"
kind = "city"

[[areas]]
id = "north"
parent = "metro"
name = "北县"
name_hant = "北縣"
name_en = "North County"
kind = "county"

[[areas]]
id = "south"
parent = "metro"
name = "南县"
name_hant = "南縣"
name_en = "South County"
kind = "county"

[[areas]]
id = "east"
parent = "metro"
name = "东区"
name_hant = "東區"
name_en = "East District"
kind = "district"

[[groups]]
id = "pair"
name = "两县"
name_en = "The two counties"
members = ["north", "south"]

[[tasks]]
number = 1
name = "任务一"
name_en = "Task one"

[[tasks]]
number = 2
name = "任务二"
name_en = "Task two"
"""

INDICATORS = """
[[indicators]]
id = "people"
task = 1
name = "脱贫人口"
name_en = "People lifted out"
unit = "people"
[[indicators.targets]]
scope = "metro"
value = 1000
[[indicators.targets]]
scope = "pair"
value = 600
[[indicators.targets]]
scope = "pair"
each = true
value = 250
due = 2018-06-30

[[indicators]]
id = "trained"
task = 1
name = "培训"
name_en = "Trained"
unit = "people"
reporting = "increment"
[[indicators.targets]]
scope = "metro"
value = 400

[[indicators]]
id = "exited"
task = 1
name = "退出村"
name_en = "Villages exited"
unit = "villages"

[[indicators]]
id = "poor"
task = 1
name = "贫困村"
name_en = "Poor villages"
unit = "villages"

[[indicators]]
id = "exit_rate"
task = 1
name = "退出率"
name_en = "Exit rate"
unit = "percent"
kind = "ratio"
numerator = "exited"
denominator = "poor"
[[indicators.targets]]
scope = "metro"
value = 80

[[indicators]]
id = "coverage"
task = 2
name = "覆盖率"
name_en = "Coverage"
unit = "percent"
[[indicators.targets]]
scope = "metro"
value = 90
[[indicators.targets]]
scope = "north"
value = 90

[[indicators]]
id = "delisted"
task = 2
name = "摘帽"
name_en = "Delisted"
unit = "counties"
kind = "milestone"
[[indicators.targets]]
scope = "pair"
each = true
value = 1
due = 2018-07-01

[[indicators]]
id = "visits"
task = 2
name = "走访"
name_en = "Visits"
unit = "events"
kind = "activity"
reporting = "increment"

[[indicators]]
id = "funds"
task = 2
name = "资金"
name_en = "Funds"
unit = "yuan"
[[indicators.targets]]
scope = "metro"
value = 1000000
due = 2019-06-30
[[indicators.due_rules]]
group = "pair"
due = 2018-09-30

[[indicators]]
id = "roads"
task = 2
name = "道路"
name_en = "Roads"
unit = "projects"
[[indicators.targets]]
scope = "pair"
value = 10
due = 2018-08-31
"""


def make_plan(indicators: str) -> Plan:
    return parse_plan(HEADER + indicators, "test.toml")


PLAN = make_plan(INDICATORS)

D = date


def entry(id: int, indicator: str, area: str, day: date, value: float) -> Entry:
    return Entry(id=id, indicator=indicator, area=area, date=day, value=value)


def rows_for(rows, indicator: str, scope: str | None = None):
    return [r for r in rows if r.indicator == indicator and (scope is None or r.scope == scope)]


def one_row(rows, indicator: str, scope: str):
    found = rows_for(rows, indicator, scope)
    assert len(found) == 1, found
    return found[0]

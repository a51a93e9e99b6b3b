"""Shared by returns/test_xlsx.py and returns/test_reader.py: the bundled plan, its two units
(PEOPLE whole numbers, MU fractions allowed), the returns headers, read()/only_problem() over
povtrack.returns.reader.read_returns, the expected row() and workbook(), which writes an .xlsx with
openpyxl. Every fixture file is written in the tests themselves.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl

from povtrack.planfile import bundled_text, parse_plan
from povtrack.returns.reader import read_returns

PLAN = parse_plan(bundled_text(), "test")
PEOPLE = "housing.relocated_people"  # unit: people (whole numbers)
MU = "ecology.afforestation"  # unit: mu (fractions allowed)
HEADER = "date,area,indicator,value,note\n"
WORKBOOK_HEADER = ["date", "area", "indicator", "value", "note"]


def read(*paths: Path, encoding: str | None = None) -> tuple[list[Any], list[str]]:
    return read_returns(list(paths), PLAN, encoding=encoding)


def only_problem(*paths: Path, **kwargs: Any) -> str:
    _, problems = read(*paths, **kwargs)
    assert len(problems) == 1, problems
    return problems[0]


def row(day: date, area: str, indicator: str, value: float, note: str, source: str) -> dict:
    return {
        "date": day,
        "area": area,
        "indicator": indicator,
        "value": value,
        "note": note,
        "source": source,
    }


def workbook(path: Path, rows: list[list[Any]], title: str = "Sheet1") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = title
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path

"""Reading a table export back as the programs that use it do, for output/test_table_exports.py
and the tests of each command's XLSX: ``frames`` (every data sheet through
``pandas.read_excel``), ``expect`` (a JSON value as the cell should read back: dates as dates,
None and "" as blank, text that could start a formula with its leading '), ``same`` (a read-back
cell against that), and ``about`` (the last sheet, 说明 / About: per data sheet its lines and
its total row as heading -> value).
"""

from __future__ import annotations

import math
import numbers
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from tests.helpers.formats import _neutral

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
ABOUT = {"zh": "说明", "en": "About"}
TOTAL = {"zh": "合计", "en": "Total"}


def frames(path: Path) -> dict[str, Any]:
    """Every worksheet as pandas reads it (header row = column names), by name, in order."""
    import pandas as pd

    return pd.read_excel(path, sheet_name=None)


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def expect(value: Any) -> Any:
    """The JSON value as the read-back cell should hold it: None for None and "", a date for
    an ISO date string, a neutralised text, the number itself."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        if _ISO_DATE.fullmatch(value):  # not "2018-W10", which Python also reads as a date
            return date.fromisoformat(value)
        return _neutral(value)
    return value


def same(got: Any, want: Any) -> bool:
    """A read-back cell (pandas: NaN / NaT for blank, Timestamp for a date) equals ``want``."""
    if want is None:
        return blank(got) or str(got) == "NaT"
    if isinstance(want, date) and not isinstance(want, datetime):
        return hasattr(got, "date") and got.date() == want
    if isinstance(want, bool):
        return got == want
    if isinstance(want, int | float):
        # XLSX keeps 15-16 significant digits, as Excel does; pandas reads whole numbers as int
        return not blank(got) and math.isclose(float(got), float(want), rel_tol=1e-12)
    if isinstance(want, str) and isinstance(got, numbers.Real) and not isinstance(got, bool):
        # pandas reads a text cell of digits (an entry id) as a number: compare the digits
        return want.isdigit() and float(got) == int(want)
    return got == want


def about(path: Path, lang: str) -> dict[str, dict[str, Any]]:
    """The About sheet, parsed: {data sheet name: {"title", "lines", "total": {heading:
    value}}}; openpyxl values (numbers, text; dates as datetimes)."""
    import openpyxl

    ws = openpyxl.load_workbook(path).worksheets[-1]
    assert ws.title == ABOUT[lang]
    word = "工作表" if lang == "zh" else "Sheet"
    out: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    in_total = False
    for a, b in ws.iter_rows(min_row=2, max_col=2, values_only=True):
        if a is None and b is None:
            current, in_total = None, False
            continue
        if current is None and isinstance(a, str) and a.startswith(word + " "):
            name, _, title = a[len(word) + 1 :].partition(": ")
            current = out[name] = {"title": title, "lines": [], "total": {}}
            continue
        if current is None:
            continue
        if a == TOTAL[lang] and b is None:
            in_total = True
        elif in_total:
            current["total"][a] = b
        else:
            current["lines"].append(a)
    return out

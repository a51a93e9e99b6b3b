"""Shared by output/test_files.py and output/test_xlsx.py: the Sheet every export format is
compared with (COLUMNS, ROWS, NOTES, built by _sheet()), the headings, status labels and total
label the issue states, _total_values() and _neutral() (the expected total row, and text that
could start a formula prefixed with '), _load() to read an .xlsx back, the formula-injection
sheet (DANGEROUS, _injection_sheet()) and the arbitrary-text sheet (TEXT_COLS, _text_sheet()).
"""

from __future__ import annotations

import io
from typing import Any

import openpyxl

from povtrack.sheet import Column, Sheet

STATUS = {  # code: (zh, en), as the issue states them
    "done": ("已完成", "done"),
    "on_track": ("进度正常", "on track"),
    "behind": ("滞后", "behind"),
    "overdue": ("逾期未完成", "overdue"),
    "no_data": ("未报送", "no data"),
    "reported": ("已报送", "reported"),
}
HEADINGS = {
    "zh": ["地区", "指标", "目标 (人)", "资金 (元)", "完成进度", "截止", "状态", "备注"],
    "en": [
        "Area",
        "Indicator",
        "Target (people)",
        "Funds (yuan)",
        "Progress",
        "Due",
        "Status",
        "Note",
    ],
}
TOTAL = {"zh": "合计", "en": "Total"}
NO_ROWS = {"zh": "（无记录）", "en": "(no rows)"}
NUMBER_KINDS = ("integer", "number", "share")

COLUMNS = [
    Column("area", "地区", "Area"),
    Column("indicator", "指标", "Indicator"),
    Column("target", "目标", "Target", "integer", "people"),
    Column("funds", "资金", "Funds", "number", "yuan"),
    Column("progress", "完成进度", "Progress", "share"),
    Column("due", "截止", "Due", "date"),
    Column("status", "状态", "Status", "status"),
    Column("note", "备注", "Note"),
]
ROWS: list[dict[str, Any]] = [
    {
        "area": "阳高县",
        "indicator": "housing.relocated_people",
        "target": 5200,
        "funds": 1234567.5,
        "progress": 0.5,
        "due": "2018-06-30",
        "status": "behind",
        "note": '第23周, "培训班" | 含 a*b_c',
    },
    {
        "area": "天镇县",
        "indicator": "jobs.trained",
        "target": 139800,
        "funds": 0.125,
        "progress": 1.0,
        "due": "2018-12-31",
        "status": "done",
        "note": "line one\nline two",
    },
    {
        "area": "Yunzhou District",
        "indicator": "村级光伏电站",
        "target": None,
        "funds": None,
        "progress": None,
        "due": None,
        "status": "no_data",
        "note": None,
    },
    {
        "area": "广灵县",
        "indicator": "ecology.afforestation",
        "target": 0,
        "funds": -5,
        "progress": 0.3333,
        "due": "2018-09-30",
        "status": "on_track",
        "note": "",
    },
    {
        "area": "浑源县",
        "indicator": "edu.subsidy",
        "target": 12,
        "funds": 2500.0,
        "progress": 0.0,
        "due": "2018-03-31",
        "status": "overdue",
        "note": "<b>逾期</b> & 未完成",
    },
    {
        "area": "灵丘县",
        "indicator": "activity.visits",
        "target": 3,
        "funds": 10.25,
        "progress": 1.2,
        "due": "2018-10-31",
        "status": "reported",
        "note": "1. 已报送 # ok",
    },
]
NOTES = ["截至 2018-07-01", "计划 datong-2018", "数据摘要 sha256:0123abcd"]


def _sheet(rows: list[dict[str, Any]] | None = None, *, key: str = "status", total=True) -> Sheet:
    rows = ROWS if rows is None else rows
    tot = None
    if total:
        tot = {
            "target": sum(r["target"] or 0 for r in rows),
            "funds": sum(r["funds"] or 0 for r in rows),
            "progress": 0.75,
        }
    return Sheet(key, "脱贫进度", "Poverty progress", COLUMNS, list(rows), tot, list(NOTES))


def _total_values(sheet: Sheet, lang: str) -> list[Any]:
    assert sheet.total is not None
    values = [sheet.total.get(c.key) for c in sheet.columns]
    values[0] = TOTAL[lang]
    return values


def _neutral(text: str) -> str:
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def _load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


DANGEROUS = ["=SUM(A1)", "+1", "-1", "@cmd", "\tx", "\rx"]


def _injection_sheet() -> Sheet:
    cols = [Column("name", "名称", "Name"), Column("n", "数量", "Count", "integer")]
    rows = [{"name": d, "n": -5} for d in DANGEROUS]
    return Sheet("inj", "=HYPERLINK(1)", "=HYPERLINK(1)", cols, rows, None, list(DANGEROUS))


TEXT_COLS = [Column("a", "甲", "A"), Column("b", "乙", "B", "number")]


def _text_sheet(texts: list[str]) -> Sheet:
    rows = [{"a": t, "b": i - 1.5} for i, t in enumerate(texts)]
    return Sheet("t", "文本", "Text", TEXT_COLS, rows, None, [])

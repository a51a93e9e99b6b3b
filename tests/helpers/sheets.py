"""Made-up sheets for the HTML and Markdown print tests (test_html_print.py, test_markdown.py,
test_html_render.py): a status-like sheet whose figures take each row's unit, and a board-like
one-page sheet (a column per task, each cell coloured by the status in another row field, a
legend). They stand for the real status and board sheets without depending on their shape."""

from __future__ import annotations

from typing import Any

from povtrack.sheet import Column, Sheet

STATUS_CODES = ("overdue", "behind", "on_track", "done", "reported", "no_data")


def status_like() -> Sheet:
    """Figures in different units in one column (``unit_from``), a share, ids, names."""
    columns = [
        Column("indicator", "指标编号", "Indicator id"),
        Column("name", "指标", "Indicator"),
        Column("scope_name", "范围", "Scope"),
        Column("target", "目标", "Target", "number", unit_from="unit"),
        Column("actual", "累计完成", "Actual", "number", unit_from="unit"),
        Column("progress", "完成进度", "Progress", "share"),
        Column("status", "状态", "Status", "status"),
        Column("due", "截止", "Due", "date"),
        Column("area_mu", "面积", "Area", "number", unit="mu"),
    ]
    rows: list[dict[str, Any]] = [
        {
            "indicator": "goals.people_exited",
            "name": "脱贫人口",
            "scope_name": "平城区",
            "unit": "people",
            "target": 200000,
            "actual": 111624.21,
            "progress": 0.5581,
            "status": "on_track",
            "due": "2018-12-31",
            "area_mu": 52.022222,
        },
        {
            "indicator": "goals.people_exit_rate",
            "name": "贫困人口脱贫率 Progress",
            "scope_name": "Pingcheng District",
            "unit": "percent",
            "target": 100,
            "actual": 52.022222,
            "progress": 0.52022222,
            "status": "behind",
            "due": "2018-12-31",
            "area_mu": 1234.56,
        },
        {
            "indicator": "ecology.afforestation_area",
            "name": "造林面积",
            "scope_name": "六个贫困县 (合计)",
            "unit": "mu",
            "target": 5000,
            "actual": 2500.05,
            "progress": 0.50001,
            "status": "on_track",
            "due": "2018-10-31",
            "area_mu": None,
        },
    ]
    return Sheet("status", "状态", "Status", columns, rows, notes=["截至 2018-07-01"])


def board_like(lang: str, tasks: int = 11, areas: int = 13) -> Sheet:
    """A board: a name column and one column per task whose cell is a short text coloured by
    the status code in ``t{n}_status``; a totals row; one page; a legend."""
    zh = lang == "zh"
    columns = [Column("name", "地区", "Area")]
    for n in range(tasks):
        columns.append(
            Column(f"t{n}", f"{n} 任务{n}号", f"{n} Task{n}", status_from=f"t{n}_status")
        )
    words = {
        "overdue": ("逾期 差331户", "overdue gap 331"),
        "behind": ("滞后 42/60%", "behind 42/60%"),
        "on_track": ("正常 55/50%", "ok 55/50%"),
        "done": ("完成", "done"),
        "reported": ("已报", "reported"),
        "no_data": ("未报", "no data"),
    }
    names = ["大同市", "Pingcheng District", "云冈区", "新荣区", "六个贫困县 (合计)"]
    rows = []
    for i in range(areas):
        row: dict[str, Any] = {"name": f"{names[i % len(names)]}{i}"}
        for n in range(tasks):
            code = None if (i + n) % 5 == 4 else STATUS_CODES[(i * 3 + n) % len(STATUS_CODES)]
            row[f"t{n}_status"] = code
            row[f"t{n}"] = "—" if code is None else words[code][0 if zh else 1]
        rows.append(row)
    total = {f"t{n}": ("滞后 3 · 正常 7" if zh else "behind 3, ok 7") for n in range(tasks)}
    legend = (
        ["每格：该地区此项各指标中最差的状态。", "42/60%：已完成/应完成；—：此项无目标。"]
        if zh
        else [
            "Each cell: the worst status among the area's indicators in that task.",
            "42/60%: done / due by now at an even pace; —: no target in that task.",
        ]
    )
    return Sheet(
        "board",
        "挂图作战",
        "Battle map",
        columns,
        rows,
        total=total,
        notes=["as of 2018-07-01"],
        one_page=True,
        legend=legend,
    )

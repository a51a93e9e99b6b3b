"""What `povtrack template` writes: the rows (the rule `missing` uses), the target, due date and
last report of each, what is locked and how each input cell is validated, the hidden stamp, the
page, the CSV template (an ordinary return), `--all`, the default file name and the usage errors.

Expected rows, names and values are written out by hand from the bundled plan.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest

TIANZHEN_OWES = [
    "industry.processing_plant",
    "industry.workshop",
    "industry.tourism_project",
    "housing.relocation_works_completion",
    "housing.relocation_investment_completion",
    "ecology.afforestation",
    "village.upgraded",
    "village.villages_total",
]


def ok(result: Any) -> Any:
    assert result.exit_code == 0, result.stderr
    return result


def sheet_rows(path: Path) -> list[tuple[Any, ...]]:
    """The template's rows below its header (row 3), as values."""
    ws = openpyxl.load_workbook(path).worksheets[0]
    return [tuple(c.value for c in row) for row in ws.iter_rows(min_row=4)]


def template(
    run, tmp_path: Path, *extra: str, area: str = "天镇县", week: str = "2018-W26"
) -> Path:
    out = tmp_path / "t.xlsx"
    ok(run("template", "--area", area, "--week", week, "-o", str(out), *extra))
    return out


# ---------------------------------------------------------------------------- the rows


def test_the_rows_are_what_missing_expects_of_the_area(run, initialised, tmp_path: Path) -> None:
    ids = [r[3] for r in sheet_rows(template(run, tmp_path))]
    assert ids == TIANZHEN_OWES
    gaps = json.loads(ok(run("missing", "--week", "2018-W26", "--json")).stdout)["missing"]
    tianzhen = next(a for a in gaps if a["area"] == "tianzhen")
    assert [g["indicator"] for g in tianzhen["indicators"]] == ids


def test_a_row_shows_target_due_and_the_last_report_up_to_sunday(
    run, initialised, tmp_path: Path
) -> None:
    area = ("--area", "天镇县")
    ok(run("target", "set", "ecology.afforestation", "24000", *area, "--due", "2018-11-30"))
    ok(run("record", "ecology.afforestation", "8000", *area, "--date", "2018-06-17"))
    ok(run("record", "ecology.afforestation", "9000", *area, "--date", "2018-07-08"))  # after W26
    rows = {r[3]: r for r in sheet_rows(template(run, tmp_path))}
    assert rows["ecology.afforestation"] == (
        "3 Ecological poverty relief",
        "Afforestation",
        "mu (total to date)",
        "ecology.afforestation",
        24000,
        datetime(2018, 11, 30),
        8000,
        datetime(2018, 6, 17),
        None,
        None,
    )
    # an each-member plan target of its own; nothing reported yet
    assert rows["housing.relocation_works_completion"][2:] == (
        "%",
        "housing.relocation_works_completion",
        80,
        datetime(2018, 12, 31),
        None,
        None,
        None,
        None,
    )
    # a group target in total is not the area's own: target and due left blank
    assert rows["village.upgraded"][4:6] == (None, None)


def test_a_city_wide_figure_is_owed_once_a_county_reported_it(
    run, initialised, tmp_path: Path
) -> None:
    ok(run("record", "goals.people_exited", "500", "--area", "阳高县", "--date", "2018-06-10"))
    before = [r[3] for r in sheet_rows(template(run, tmp_path, week="2018-W22"))]
    after = {r[3]: r for r in sheet_rows(template(run, tmp_path, week="2018-W26"))}
    assert "goals.people_exited" not in before  # W22 ends 2018-06-03, before that report
    assert after["goals.people_exited"][4:8] == (None, None, None, None)  # nothing of its own


def test_the_labels_follow_the_language(run, initialised, tmp_path: Path) -> None:
    path = template(run, tmp_path, "--lang", "zh")
    ws = openpyxl.load_workbook(path).worksheets[0]
    assert ws.title == "填报"
    assert [c.value for c in ws[3]] == [
        "任务",
        "指标",
        "单位",
        "指标编号",
        "目标",
        "截止日期",
        "上次报送",
        "报送日期",
        "本周填报",
        "备注",
    ]
    assert [c.value for c in ws[9]][:4] == [
        "3 生态脱贫",
        "人工造林",
        "亩（累计）",
        "ecology.afforestation",
    ]
    assert "天镇县" in ws["A1"].value and "2018-W26" in ws["A1"].value


# ---------------------------------------------------------------------------- locked, validated


def test_only_the_input_and_note_cells_are_unlocked(run, initialised, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template(run, tmp_path))
    ws = wb.worksheets[0]
    assert ws.protection.sheet is True
    assert not ws.protection.password  # it stops accidents; no password to lose
    unlocked = {
        c.coordinate
        for row in ws.iter_rows(1, ws.max_row, 1, 12)
        for c in row
        if not c.protection.locked
    }
    assert unlocked == {f"{col}{r}" for col in "IJ" for r in range(4, 12)}
    assert wb.security is not None and wb.security.lockStructure


def test_each_input_cell_is_validated_by_its_unit(run, initialised, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(template(run, tmp_path)).worksheets[0]
    rules = {}
    for dv in ws.data_validations.dataValidation:
        for ref in str(dv.sqref).split():
            rules[ref] = (dv.type, dv.operator, dv.formula1, dv.formula2, dv.showErrorMessage)
    whole = ("whole", "between", "0", "999999999999999", True)
    rate = ("decimal", "between", "0", "100", True)
    amount = ("decimal", "between", "0", "999999999999999", True)
    assert rules == {
        "I4": whole,  # processing plant: projects
        "I5": whole,
        "I6": whole,
        "I7": rate,  # works completion: percent
        "I8": rate,
        "I9": amount,  # afforestation: mu, fractions allowed
        "I10": whole,  # villages
        "I11": whole,
        "J4:J11": ("textLength", "lessThanOrEqual", "500", None, True),
    }


def test_the_stamp_is_carried_in_a_hidden_sheet(
    run, initialised, db_path: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template(run, tmp_path))
    assert wb.sheetnames == ["returns", "povtrack-template"]
    stamp_sheet = wb["povtrack-template"]
    assert stamp_sheet.sheet_state == "veryHidden"
    fields = {k: v for k, v in stamp_sheet.values}
    plan_sha = json.loads(db_path.read_text("utf-8"))["meta"]["1"]["plan_sha256"]
    assert {k: fields[k] for k in ("plan", "plan_sha256", "area", "week")} == {
        "plan": "datong-2018",
        "plan_sha256": plan_sha,
        "area": "tianzhen",
        "week": "2018-W26",
    }
    assert fields["indicators"] == ",".join(TIANZHEN_OWES)
    assert len(fields["digest"]) == 64


def test_the_page_prints_on_a4_landscape(run, initialised, tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(template(run, tmp_path)).worksheets[0]
    assert ws.page_setup.orientation == "landscape"
    assert str(ws.page_setup.paperSize) == "9"  # A4
    assert ws.freeze_panes == "A4"
    assert ws.print_title_rows == "$3:$3"


# ---------------------------------------------------------------------------- the CSV template


def test_the_csv_template_is_an_ordinary_return(run, initialised, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    ok(run("template", "--area", "天镇县", "--week", "2018-W26", "-o", str(out)))  # csv: the name
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[:3] == [
        "week,area,indicator,value,note",
        "2018-W26,Tianzhen County,New farm-produce processing plant,,",
        "2018-W26,Tianzhen County,Poverty-relief workshop (factory or park),,",
    ]
    assert len(lines) == 1 + len(TIANZHEN_OWES)
    # the clerk fills two rows and deletes the rest: the returns reader takes it as it is
    filled = [lines[0], lines[2].replace(",,", ",1,"), lines[6].replace(",,", ",1200.5,第26周")]
    out.write_text("\n".join(filled) + "\n", encoding="utf-8-sig")
    ok(run("import", str(out)))
    got = json.loads(ok(run("log", "--json")).stdout)["entries"]
    assert sorted((e["indicator"], e["date"], e["value"], e["note"]) for e in got) == [
        ("ecology.afforestation", "2018-07-01", 1200.5, "第26周"),
        ("industry.workshop", "2018-07-01", 1, ""),
    ]


def test_a_csv_template_with_empty_values_is_refused_not_read_as_0(
    run, initialised, tmp_path: Path
) -> None:
    out = tmp_path / "t.csv"
    ok(run("template", "--area", "天镇县", "--week", "2018-W26", "--format", "csv", "-o", str(out)))
    result = run("import", str(out))
    assert result.exit_code == 2
    assert f"{out}:2:4: value is empty (a value not reported is left out, never written as 0)" in (
        result.stderr
    )


def test_the_chinese_csv_template_names_in_chinese(run, initialised, tmp_path: Path) -> None:
    out = tmp_path / "t.csv"
    ok(
        run(
            "--lang",
            "zh",
            "template",
            "--area",
            "天镇县",
            "--week",
            "2018-W26",
            "--format",
            "csv",
            "-o",
            str(out),
        )
    )
    assert out.read_text("utf-8-sig").splitlines()[1] == "2018-W26,天镇县,新建农产品加工厂,,"


# ---------------------------------------------------------------------------- --all, names, usage


def test_all_writes_one_template_per_county_and_district(run, initialised, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    ok(run("template", "--all", "--week", "2018-W26", "-o", str(folder)))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        f"2018-W26-{name}.xlsx"
        for name in (
            "平城区",
            "云冈区",
            "新荣区",
            "云州区",
            "阳高县",
            "天镇县",
            "广灵县",
            "灵丘县",
            "浑源县",
            "左云县",
        )
    )
    fields = dict(
        openpyxl.load_workbook(folder / "2018-W26-平城区.xlsx")["povtrack-template"].values
    )
    assert (fields["area"], fields["indicators"]) == (
        "pingcheng",
        "village.upgraded,village.villages_total",
    )


def test_the_default_file_name(
    run, initialised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = ok(run("template", "--area", "天镇县", "--week", "2018-06-27"))
    assert (tmp_path / "2018-W26-天镇县.xlsx").is_file()
    assert "wrote 2018-W26-天镇县.xlsx: Tianzhen County, 2018-W26, 8 indicators" in result.stderr


X = "-o", "x.xlsx"  # given to each case but the one about -o


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--area", "天镇县", *X], "give the week: --week 2018-W26"),
        (["--week", "2018-W26", *X], "give one of --area AREA, --all or --allocations"),
        (["--area", "天镇县", "--all", "--week", "2018-W26", *X], "give one of --area AREA"),
        (["--area", "天镇县", "--week", "2018-W26", "--allocations", *X], "give one of --area"),
        (["--area", "大同市", "--week", "2018-W26", *X], "Datong City is not a county or district"),
        (["--area", "天镇", "--week", "2018-W26", "--format", "pdf", *X], "--format 'pdf' is not"),
        (["--area", "天镇县", "--week", "2017-W01", *X], "before the plan starts"),
        (["--all", "--week", "2018-W26"], "--all needs -o FOLDER"),
        (["--allocations", "--week", "2018-W26", *X], "--allocations takes no --week"),
    ],
)
def test_usage_errors(
    run, initialised, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("template", *args)
    assert result.exit_code == 2
    assert message in result.stderr
    assert list(tmp_path.glob("*.xlsx")) == []

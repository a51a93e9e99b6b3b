"""Issue 13, returns as counties make them: ``import --dry-run`` says how it read each file
(layout, header row, encoding or sheet, what each column was matched to, what the title gave)
before anything is written, and ``--json`` carries the same as fields; the returns' messages
in Chinese with ``--lang zh``. Expected text is written out by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers.returns import PEOPLE, workbook

MU = "ecology.afforestation"


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_dry_run_says_how_each_file_was_read(run, initialised, db_path: Path, tmp_path: Path):
    plain = write(
        tmp_path / "plain.csv", f"date,area,indicator,value\n2018-06-24,yanggao,{PEOPLE},5\n"
    )
    county = write(
        tmp_path / "lq.csv",
        "灵丘县脱贫攻坚周报表（2018年6月24日）\n指标,数值\n易地扶贫搬迁人口,7\n",
        "gbk",
    )
    across = workbook(
        tmp_path / "across.xlsx",
        [["日期", "地区", "人工造林"], ["2018/6/24", "天镇县", 2.5]],
        title="第25周",
    )
    before = db_path.read_bytes()
    result = run("import", "--dry-run", str(plain), str(county), str(across))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.splitlines() == [
        f"{plain}: read as utf-8; long layout (one value a row); header on row 1",
        "  columns: date → date, area → area, indicator → indicator, value → value",
        f"{county}: read as gb18030; long layout (one value a row); header on row 2 (the rows "
        "above it are its title and notes)",
        "  columns: 指标 → indicator, 数值 → value",
        "  area from the title (row 1): 灵丘县 → lingqiu",
        "  date from the title (row 1): 2018年6月24日 → 2018-06-24",
        f"{across}: sheet '第25周'; wide layout (indicators across); header on row 1",
        f"  columns: 日期 → date, 地区 → area, 人工造林 → {MU}",
        "dry run, nothing written: would add 3 entries (3 new, 0 changing a value already "
        "recorded for that date)",
        f"  {plain}:2: {PEOPLE} yanggao 2018-06-24 = 5 (new)",
        f"  {county}:3: {PEOPLE} lingqiu 2018-06-24 = 7 (new)",
        f"  {across}:2: {MU} tianzhen 2018-06-24 = 2.5 (new)",
    ]
    assert db_path.read_bytes() == before


def test_dry_run_json_carries_the_reading(run, initialised, tmp_path: Path) -> None:
    county = write(
        tmp_path / "lq.csv",
        "灵丘县脱贫攻坚周报表\n序号,填报日期,指标名称,本周累计\n1,2018/6/24,易地扶贫搬迁人口,7\n",
    )
    result = run("import", "--dry-run", "--json", str(county))
    assert result.exit_code == 0, result.stderr
    [report] = json.loads(result.stdout)["files"]
    assert report == {
        "file": str(county),
        "encoding": "utf-8",
        "rows": 1,
        "status": "imported",
        "layout": "long",
        "header_row": 2,
        "sheet": None,
        "columns": [
            {"column": 1, "header": "序号", "reads_as": None},
            {"column": 2, "header": "填报日期", "reads_as": "date"},
            {"column": 3, "header": "指标名称", "reads_as": "indicator"},
            {"column": 4, "header": "本周累计", "reads_as": "value"},
        ],
        "from_title": {"area": {"row": 1, "text": "灵丘县", "reads_as": "lingqiu"}},
    }


def test_dry_run_json_of_a_wide_workbook_and_of_a_file_imported_before(
    run, initialised, tmp_path: Path
) -> None:
    across = workbook(
        tmp_path / "across.xlsx", [["日期", "地区", PEOPLE], ["2018/6/24", "天镇县", 3]]
    )
    assert run("import", str(across)).exit_code == 0
    again = workbook(
        tmp_path / "again.xlsx", [["日期", "地区", PEOPLE], ["2018/6/24", "阳高县", 4]]
    )
    result = run("import", "--dry-run", "--json", str(across), str(again))
    assert result.exit_code == 0, result.stderr
    before, new = json.loads(result.stdout)["files"]
    assert before["status"] == "already"
    assert {k: before[k] for k in ("layout", "header_row", "sheet", "columns", "from_title")} == {
        "layout": None,
        "header_row": None,
        "sheet": None,
        "columns": None,
        "from_title": None,
    }
    assert (new["layout"], new["header_row"], new["sheet"]) == ("wide", 1, "Sheet1")
    assert new["columns"][2] == {
        "column": 3,
        "header": PEOPLE,
        "reads_as": "indicator",
        "indicator": PEOPLE,
    }


def test_import_without_json_fields_keeps_its_shape(run, initialised, tmp_path: Path) -> None:
    county = write(tmp_path / "lq.csv", "填报日期,地区,指标,数值\n2018/6/24,灵丘县,人工造林,7\n")
    result = run("import", "--json", str(county))
    assert result.exit_code == 0, result.stderr
    [report] = json.loads(result.stdout)["files"]
    assert set(report) == {"file", "encoding", "rows", "status"}


def test_returns_messages_in_chinese(run, initialised, tmp_path: Path) -> None:
    f = write(
        tmp_path / "w.csv",
        "日期,地区,指标,数值\n"
        f"6/7/2018,yanggao,{PEOPLE},5\n"
        f"2018-06-24,合计,{PEOPLE},5\n"
        f'2018-06-24,yanggao,{PEOPLE},"1,200"\n',
    )
    result = run("--lang", "zh", "import", str(f))
    assert result.exit_code == 2
    said = result.stderr.splitlines()
    assert (
        f"错误：{f}:2:1: '6/7/2018' 有歧义：可能是 2018-07-06，也可能是 2018-06-07"
        "（分不清哪个是日、哪个是月）；请把年份写在前面：YYYY-MM-DD"
    ) in said
    assert (
        f"错误：{f}:3:2: '合计' 是合计行，不是一个地区；请删掉这一行（povtrack 自己按地区汇总）"
        in said
    )
    assert f"错误：{f}:4:4: 数值 '1,200' 不是数字；不要用千位分隔符，写成 1200" in said


def test_dry_run_in_chinese(run, initialised, tmp_path: Path) -> None:
    f = write(tmp_path / "w.csv", "报表\n日期,地区,易地扶贫搬迁人口\n2018/6/24,阳高县,5\n")
    result = run("--lang", "zh", "import", "--dry-run", str(f))
    assert result.exit_code == 0, result.stderr
    said = result.stderr.splitlines()
    assert said[0] == (
        f"{f}: 按 utf-8 读取；wide（宽表：指标横排）；表头在第 2 行（上面的行是标题和说明）"
    )
    assert said[1] == f"  列：日期 → date，地区 → area，易地扶贫搬迁人口 → {PEOPLE}"


def test_every_csv_example_of_the_returns_page_imports(run, initialised, tmp_path: Path):
    page = (Path(__file__).parents[2] / "docs" / "returns.md").read_text(encoding="utf-8")
    examples = [block.split("```", 1)[0] for block in page.split("```csv\n")[1:]]
    assert len(examples) >= 4  # the plain one, two with a title, the wide one
    for n, example in enumerate(examples):
        f = write(tmp_path / f"example{n}.csv", example)
        result = run("import", "--dry-run", str(f))
        assert result.exit_code == 0, (example, result.stderr)
        assert "dry run, nothing written: would add" in result.stderr

"""Independent hand transcription of every quantified target of the bundled 2018 Datong plan.

Source: 大同市《強化精準脫貧舉措 抓好“十大攻堅任務”》(2018). Each row of TRANSCRIPTION was
transcribed by hand from that document (not from povtrack's own plan file) and is compared with
what ``povtrack plan show --json`` reports. Targets set on *each* member of a group appear once
per member area; a target on a group as a whole has ``scope_kind == "group"``.
"""

from __future__ import annotations

import json
import math
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from povtrack.cli import app

Row = tuple[int, float, str, str, str, str, str]  # task, value, unit, scope, scope_kind, due, level

Y18, Y19 = "2018-12-31", "2019-12-31"  # Y19: 今明兩年 (2018 and 2019)
C, S = "commit", "stretch"  # S: 力爭
A, G = "area", "group"
PCT, PRJ = "percent", "projects"

RELOCATION_FOUR = ("tianzhen", "guangling", "hunyuan", "xinrong")  # 天鎮、廣靈、渾源、新榮
GROUPS: dict[str, tuple[str, ...]] = {
    "delisting-2018": ("yanggao", "yunzhou", "lingqiu"),  # 陽高、大同、靈丘
    "relocation-four": RELOCATION_FOUR,
    "other-counties": ("pingcheng", "yungang", "zuoyun", *RELOCATION_FOUR),  # 其他縣區
    # "6個貧困縣" is not spelled out in the document; assumed to be Datong's six national key
    # poverty counties (the three delisting ones plus Tianzhen, Guangling, Hunyuan).
    "six-poor-counties": ("yanggao", "yunzhou", "lingqiu", "tianzhen", "guangling", "hunyuan"),
}

TRANSCRIPTION: list[Row] = [
    # --- task 0: headline goals and the closing organisation paragraph
    (0, 265, "villages", "datong", A, Y18, C),  # 全市265個貧困村退出
    (0, 100_000, "people", "datong", A, Y18, C),  # 10萬貧困人口脫貧
    (0, 1, "counties", "yanggao", A, Y18, C),  # 陽高、大同、靈丘三個貧困縣脫貧摘帽
    (0, 1, "counties", "yunzhou", A, Y18, C),  # 〃 (大同 = 大同縣)
    (0, 1, "counties", "lingqiu", A, Y18, C),  # 〃
    (0, 100, PCT, "zuoyun", A, Y18, C),  # 左云縣貧困村…全部退出
    (0, 100, PCT, "zuoyun", A, Y18, C),  # 左云縣…貧困人口全部退出
    (0, 186, "organisations", "datong", A, Y18, C),  # 186個市直單位…“責任雙簽”
    (0, 34, "people", "datong", A, Y18, C),  # 34位聯點領導
    # --- task 1: 加快產業培育
    (1, 1_000_000_000, "yuan", "datong", A, Y19, C),  # 今明兩年市縣兩級籌資10億元
    (1, 1, PRJ, "yanggao", A, Y18, C),  # 每個貧困縣…新建一個農產品加工廠
    (1, 1, PRJ, "yanggao", A, Y18, C),  # 〃 扶貧車間(工廠或園區)
    (1, 1, PRJ, "yanggao", A, Y18, C),  # 〃 打造一個旅游項目
    (1, 1, PRJ, "yunzhou", A, Y18, C),
    (1, 1, PRJ, "yunzhou", A, Y18, C),
    (1, 1, PRJ, "yunzhou", A, Y18, C),
    (1, 1, PRJ, "lingqiu", A, Y18, C),
    (1, 1, PRJ, "lingqiu", A, Y18, C),
    (1, 1, PRJ, "lingqiu", A, Y18, C),
    (1, 1, PRJ, "tianzhen", A, Y18, C),
    (1, 1, PRJ, "tianzhen", A, Y18, C),
    (1, 1, PRJ, "tianzhen", A, Y18, C),
    (1, 1, PRJ, "guangling", A, Y18, C),
    (1, 1, PRJ, "guangling", A, Y18, C),
    (1, 1, PRJ, "guangling", A, Y18, C),
    (1, 1, PRJ, "hunyuan", A, Y18, C),
    (1, 1, PRJ, "hunyuan", A, Y18, C),
    (1, 1, PRJ, "hunyuan", A, Y18, C),
    (1, 120, "stations", "datong", A, Y18, C),  # 村級光伏扶貧電站120個
    (1, 75_380, "kW", "datong", A, Y18, C),  # 75380千瓦建設任務
    (1, 467, "villages", "datong", A, Y18, C),  # 惠及467個貧困村
    (1, 100, PCT, "datong", A, Y18, C),  # 實現光伏扶貧全覆蓋
    (1, 100, PCT, "datong", A, Y18, C),  # 所有貧困村集體經濟收入超過5萬元
    (1, 50, PCT, "datong", A, Y18, S),  # 力爭一半以上的貧困村…突破10萬元
    # --- task 2: 搞好住房保障
    (2, 63_824, "people", "datong", A, Y19, C),  # 今明兩年…63824人易地扶貧搬遷
    (2, 46_216, "people", "datong", A, Y19, C),  # 其中建檔立卡貧困人口46216人
    (2, 17_608, "people", "datong", A, Y19, C),  # 同步搬遷17608人
    (2, 80, PCT, "tianzhen", A, Y18, C),  # 4個縣區2018年易地搬遷工程竣工率…80%以上
    (2, 80, PCT, "guangling", A, Y18, C),
    (2, 80, PCT, "hunyuan", A, Y18, C),
    (2, 80, PCT, "xinrong", A, Y18, C),
    (2, 80, PCT, "tianzhen", A, Y18, C),  # 〃 項目投資完成率均達到80%以上
    (2, 80, PCT, "guangling", A, Y18, C),
    (2, 80, PCT, "hunyuan", A, Y18, C),
    (2, 80, PCT, "xinrong", A, Y18, C),
    (2, 17_554, "households", "datong", A, Y18, C),  # 完成17554戶危房改造任務
    # --- task 3: 推進生態脫貧
    (3, 139_800, "mu", "six-poor-counties", G, Y18, C),  # 6個貧困縣人工造林任務13.98萬畝
    (3, 100, PCT, "datong", A, Y18, C),  # 綠化工程要全部安排給貧困合作社
    (3, 10_000, "people", "datong", A, Y18, C),  # 實現1萬貧困人口生態就業脫貧
    # --- task 4: 抓好培訓就業
    (4, 20_000, "people", "datong", A, Y18, C),  # 貧困勞動力技能培訓2萬人
    (4, 20_000, "people", "datong", A, Y18, C),  # 年度安置就業2萬人
    # --- task 5: 落實民生政策
    (5, 100, PCT, "datong", A, Y18, C),  # 2018年底前…低保…應保盡保
    # --- tasks 6, 7: no figures
    # --- task 8: 推進鄉村提升
    (8, 1_000_000_000, "yuan", "datong", A, Y18, C),  # 今年市級投入10億元
    (8, 100, "villages", "datong", A, Y18, C),  # 選出100個村作為示範村
    (8, 200 / 3, PCT, "datong", A, Y18, C),  # 今年退出的貧困村占比不能低于三分之二
    (8, 100, PCT, "yanggao", A, Y18, C),  # 3個摘帽縣要實現全覆蓋
    (8, 100, PCT, "yunzhou", A, Y18, C),
    (8, 100, PCT, "lingqiu", A, Y18, C),
    (8, 50, PCT, "pingcheng", A, Y18, C),  # 其他縣區覆蓋率達到50%以上
    (8, 50, PCT, "yungang", A, Y18, C),
    (8, 50, PCT, "xinrong", A, Y18, C),
    (8, 50, PCT, "tianzhen", A, Y18, C),
    (8, 50, PCT, "guangling", A, Y18, C),
    (8, 50, PCT, "hunyuan", A, Y18, C),
    (8, 50, PCT, "zuoyun", A, Y18, C),
    (8, 60_000, "people", "datong", A, Y18, C),  # 鞏固提升6萬農村群眾…飲水安全
    # --- tasks 9, 10: no figures
]

# Targets set on each member of a group: (task, value, unit, group).
EACH_MEMBER: list[tuple[int, float, str, str]] = [
    (0, 1, "counties", "delisting-2018"),
    (1, 1, PRJ, "six-poor-counties"),
    (2, 80, PCT, "relocation-four"),
    (8, 100, PCT, "delisting-2018"),
    (8, 50, PCT, "other-counties"),
]

# Hand-picked targets whose citation must quote a key part of the clause:
# (task, value, unit, scope, due) -> substring.
KEY_CITATIONS: list[tuple[tuple[int, float, str, str, str], str]] = [
    ((0, 265, "villages", "datong", Y18), "265"),
    ((0, 100_000, "people", "datong", Y18), "10萬"),
    ((1, 1_000_000_000, "yuan", "datong", Y19), "10億"),
    ((1, 75_380, "kW", "datong", Y18), "75380"),
    ((2, 63_824, "people", "datong", Y19), "63824"),
    ((2, 17_554, "households", "datong", Y18), "17554"),
    ((3, 139_800, "mu", "six-poor-counties", Y18), "13.98"),
    ((8, 1_000_000_000, "yuan", "datong", Y18), "10億"),
    ((8, 200 / 3, PCT, "datong", Y18), "三分之二"),
]


@pytest.fixture
def plan(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """The bundled plan as reported by ``povtrack plan show --json``."""
    if not os.environ.get("POVTRACK_DB"):
        monkeypatch.setenv("POVTRACK_DB", str(tmp_path / "povtrack.json"))
    runner = CliRunner()
    result = runner.invoke(app, ["plan", "show", "--json"])
    if result.exit_code != 0:  # should not need a database, but tolerate one being required
        init = runner.invoke(app, ["init"])
        assert init.exit_code == 0, init.output
        result = runner.invoke(app, ["plan", "show", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _targets(plan: dict[str, Any]) -> list[tuple[dict[str, Any], dict[str, Any]]]:
    return [(ind, t) for ind in plan["indicators"] for t in ind["targets"]]


def _row(ind: dict[str, Any], t: dict[str, Any]) -> Row:
    task, value, unit = int(ind["task"]), float(t["value"]), ind["unit"]
    return (task, value, unit, t["scope"], t["scope_kind"], t["due"], t["level"])


def _same(a: Row, b: Row) -> bool:
    return a[0] == b[0] and a[2:] == b[2:] and math.isclose(a[1], b[1], rel_tol=0, abs_tol=1e-6)


def _diff(expected: list[Row], actual: list[Row]) -> tuple[list[Row], list[Row]]:
    """(missing, extra): multiset difference with a tolerance on the value."""
    extra = list(actual)
    missing: list[Row] = []
    for row in expected:
        hit = next((i for i, cand in enumerate(extra) if _same(row, cand)), None)
        if hit is None:
            missing.append(row)
        else:
            del extra[hit]
    return sorted(missing), sorted(extra)


def amount(rows: list[Row]) -> str:
    return "\n".join(f"  {r[0]} {r[1]:g} {r[2]} {r[3]}({r[4]}) {r[5]} {r[6]}" for r in rows)


def test_transcription_is_self_consistent() -> None:
    assert len(TRANSCRIPTION) == 66
    assert 46_216 + 17_608 == 63_824
    for task, value, unit, group in EACH_MEMBER:
        counts = Counter(r[3] for r in TRANSCRIPTION if r[:3] == (task, value, unit))
        assert set(counts) == set(GROUPS[group]), (task, value, unit, group)
        assert len(set(counts.values())) == 1, counts


def test_targets_match_transcription(plan: dict[str, Any]) -> None:
    actual = [_row(ind, t) for ind, t in _targets(plan)]
    missing, extra = _diff([(r[0], float(r[1]), *r[2:]) for r in TRANSCRIPTION], actual)
    assert not missing and not extra, (
        f"missing from plan show ({len(missing)}):\n{amount(missing)}\n"
        f"extra in plan show ({len(extra)}):\n{amount(extra)}"
    )


def test_citations(plan: dict[str, Any]) -> None:
    for ind, t in _targets(plan):
        cite = t.get("citation") or ""
        assert cite.strip(), f"empty citation on {ind['id']}"
        assert len(cite) <= 40, f"citation too long on {ind['id']}: {cite!r}"
        assert any("\u3400" <= ch <= "\u9fff" for ch in cite), f"no CJK in {cite!r}"
    for (task, value, unit, scope, due), key in KEY_CITATIONS:
        hits = [
            t["citation"]
            for ind, t in _targets(plan)
            if (int(ind["task"]), ind["unit"], t["scope"], t["due"]) == (task, unit, scope, due)
            and math.isclose(float(t["value"]), value, rel_tol=0, abs_tol=1e-6)
        ]
        assert hits, f"no target {task} {value:g} {unit} {scope} {due}"
        for cite in hits:
            assert key in cite, f"citation {cite!r} for {value:g} {unit} lacks {key!r}"


def test_every_task_present_with_indicators(plan: dict[str, Any]) -> None:
    tasks = {int(t["number"]): t for t in plan["tasks"]}
    assert set(tasks) == set(range(11))
    for number, task in tasks.items():
        assert str(task["name"]).strip(), f"task {number} has no name"
        assert str(task["name_en"]).strip(), f"task {number} has no name_en"
    covered = {int(ind["task"]) for ind in plan["indicators"]}
    assert covered >= set(range(11)), f"tasks without indicators: {set(range(11)) - covered}"


def test_group_keys(plan: dict[str, Any]) -> None:
    expected: dict[tuple[int, float, str, str], str] = {
        (task, round(float(value), 6), unit, member): group
        for task, value, unit, group in EACH_MEMBER
        for member in GROUPS[group]
    }
    for ind, t in _targets(plan):
        key = (int(ind["task"]), round(float(t["value"]), 6), ind["unit"], t["scope"])
        if t["scope_kind"] == "area" and key in expected:
            assert t.get("group") == expected[key], f"{ind['id']} {t['scope']}: {t.get('group')}"
        else:  # group totals and plain area targets carry no group key
            assert t.get("group") is None, f"unexpected group key: {ind['id']} {t}"


def test_ratio_indicators_name_their_quantities(plan: dict[str, Any]) -> None:
    kinds = {ind["id"]: ind["kind"] for ind in plan["indicators"]}
    assert set(kinds.values()) <= {"quantity", "ratio", "milestone", "activity"}
    for ind in plan["indicators"]:
        if ind["kind"] != "ratio":
            continue
        for key in ("numerator", "denominator"):
            assert key in ind, f"ratio indicator {ind['id']} lacks {key!r}"
            ref = ind[key]
            assert kinds.get(ref) == "quantity", f"{ind['id']}.{key} = {ref!r} is not a quantity"

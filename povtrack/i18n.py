"""Labels in Simplified Chinese and English, and the choice between them."""

from __future__ import annotations

import os

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "indicator": ("指标", "Indicator"),
    "scope": ("范围", "Scope"),
    "target": ("目标", "Target"),
    "actual": ("累计完成", "Actual"),
    "progress": ("完成进度", "Progress"),
    "expected": ("应完成", "Expected"),
    "status": ("状态", "Status"),
    "due": ("截止", "Due"),
    "level": ("要求", "Level"),
    "kind": ("类型", "Kind"),
    "citation": ("出处", "Citation"),
    "id": ("编号", "Id"),
    "name": ("名称", "Name"),
    "parent": ("上级", "Parent"),
    "groups": ("所属组", "Groups"),
    "members": ("成员", "Members"),
    "area": ("地区", "Area"),
    "date": ("日期", "Date"),
    "value": ("数值", "Value"),
    "note": ("备注", "Note"),
    "source": ("来源", "Source"),
    "recorded_at": ("录入时间", "Recorded"),
    "as_of": ("截至", "As of"),
    "status.done": ("已完成", "done"),
    "status.on_track": ("进度正常", "on track"),
    "status.behind": ("滞后", "behind"),
    "status.overdue": ("逾期未完成", "overdue"),
    "status.no_data": ("未报送", "no data"),
    "status.reported": ("已报送", "reported"),
    "level.commit": ("确保", "commit"),
    "level.stretch": ("力争", "stretch"),
    "kind.city": ("市", "city"),
    "kind.county": ("县", "county"),
    "kind.district": ("区", "district"),
    "kind.township": ("乡镇", "township"),
    "kind.village": ("村", "village"),
    "kind.quantity": ("数量", "quantity"),
    "kind.ratio": ("比率", "ratio"),
    "kind.milestone": ("里程碑", "milestone"),
    "kind.activity": ("活动", "activity"),
    "summary": ("合计", "total"),
    "task": ("任务", "Task"),
    "unit": ("单位", "Unit"),
    "gap": ("差距", "Gap"),
    "needed_per_week": ("每周需完成", "Needed/week"),
    "recent_per_week": ("近四周周均", "Recent/week"),
    "projected": ("到期预计", "Projected"),
    "projected_date": ("预计完成日", "Projected done"),
    "scope_id": ("范围编号", "Scope id"),
    "indicator_id": ("指标编号", "Indicator id"),
    "by": ("录入人", "By"),
    "batch": ("批次", "Batch"),
    "status_table": ("进度表", "Status"),
    "entry_state": ("记录状态", "State"),
    "reason": ("原因", "Reason"),
    "log_table": ("填报记录", "Entries"),
}


def default_lang() -> str:
    """POVTRACK_LANG, else the locale (zh* -> zh), else English."""
    env = os.environ.get("POVTRACK_LANG", "").strip().lower()
    if env:
        return env
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    return "en"


class Labels:
    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._i = 0 if lang == "zh" else 1

    def __call__(self, key: str) -> str:
        pair = LABELS.get(key)
        return pair[self._i] if pair else key

    def pick(self, zh: str, en: str) -> str:
        """The name in the chosen language."""
        return zh if self._i == 0 else en

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


def parse_lang(text: str) -> str | None:
    """``zh`` or ``en`` for a language as people and locales write it (``zh``, ``zh_CN``,
    ``zh-CN``, ``zh_CN.UTF-8``, ``zh-Hans``, ``zh_TW``, ``en_US``, ``C``, ``POSIX``), or None for
    one povtrack does not know."""
    code = text.strip().split(".")[0].split("@")[0].replace("_", "-").lower()
    if code == "zh" or code.startswith("zh-"):
        return "zh"
    if code in ("en", "c", "posix") or code.startswith("en-"):
        return "en"
    return None


def default_lang() -> tuple[str, str | None]:
    """The language to use and, when POVTRACK_LANG names one povtrack does not know, a warning
    to show: POVTRACK_LANG, else the locale (zh* -> zh), else English."""
    env = os.environ.get("POVTRACK_LANG", "").strip()
    if env:
        known = parse_lang(env)
        if known is not None:
            return known, None
        return "en", tr(
            f"POVTRACK_LANG='{env}' 不是可用的语言（zh 或 en），使用英文",
            f"POVTRACK_LANG='{env}' is not a language povtrack knows (zh or en); using English",
        )
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var, "")
        if value:
            return ("zh" if parse_lang(value) == "zh" else "en"), None
    return "en", None


def command_lang(args: list[str]) -> str:
    """The language of a command line before it is parsed (so that the parser's own errors,
    and an early interruption, are said in it): the last ``--lang`` that names one, else
    POVTRACK_LANG or the locale. The parsed options choose again, as usual."""
    lang = default_lang()[0]
    for n, arg in enumerate(args):
        value = arg[len("--lang=") :] if arg.startswith("--lang=") else None
        if arg == "--lang" and n + 1 < len(args):
            value = args[n + 1]
        chosen = parse_lang(value) if value is not None else None
        lang = chosen or lang
    return lang


# The language of messages, chosen once per command by the command line (``set_lang``); every
# message anywhere is written through ``tr`` so that it follows the choice.
_CURRENT = ["en"]


def set_lang(lang: str) -> None:
    _CURRENT[0] = lang


def current_lang() -> str:
    return _CURRENT[0]


def tr(zh: str, en: str) -> str:
    """A message in the chosen language: the Chinese and the English are written side by side
    where the message is made, so neither is ever missing."""
    return zh if _CURRENT[0] == "zh" else en


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

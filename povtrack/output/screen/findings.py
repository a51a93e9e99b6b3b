"""``check``'s findings on screen: one row per finding, errors first, fitted to the terminal.

Rules are shown in English by their ids, the words docs/rules.md, ``--json`` and a plan's
``[[rules]]`` use for them; in Chinese by name (``RULE_NAMES``; a plan's own ``sum`` and
``le`` rules, whose ids the plan chose, by the name of their kind), never by an English id.

The explanation gets the width the other columns leave; below ``WIDE_EXPLANATION`` cells of
it the severity and the rule share a column, and so do the area and the indicator (one above
the other). Every cell is wrapped by ``fit.wrap``: between words and Chinese characters, never
inside a number, a date or an entry id.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from povtrack.analysis.quality.check import SEVERITY_WORDS, summary
from povtrack.analysis.quality.findings import Finding
from povtrack.i18n import Labels
from povtrack.model import Plan
from povtrack.output.screen.fit import needed, share, wrap
from povtrack.output.screen.tables import chrome, new_table

SHOWN_ENTRIES = 6  # entry ids shown in a table cell; JSON and exports list them all
WIDE_EXPLANATION = 36  # the explanation's least width beside five other columns
LEAST_EXPLANATION = 16
COMFORT = 40  # the explanation narrows to this before the other columns narrow

RULE_NAMES = {  # the Chinese screen's names of the built-in checks
    "ratio-bounds": "分子超过分母",
    "rate-range": "比率超出0–100",
    "uncountable-entry": "无法计入的记录",
    "allocations-total": "分解合计与目标不符",
    "running-total-down": "累计数下降",
    "unusual-increment": "周增量异常",
    "far-above-target": "远超目标",
    "on-target-at-due": "到期恰好达标",
    "late-rush": "临近截止突击完成",
    "stale-value": "数值多周不变",
    "copied-series": "两地数据雷同",
    "milestone-no-note": "完成无说明",
}
KIND_NAMES = {"sum": "分项之和不符", "le": "超出上限"}  # a plan's own rules, by kind


def rule_name(plan: Plan, rule: str, labels: Labels) -> str:
    """A finding's rule as the screen shows it (see the module's docstring)."""
    if labels.lang != "zh":
        return rule
    if rule in RULE_NAMES:
        return RULE_NAMES[rule]
    kind = next((r.kind for r in plan.rules if r.id == rule), "")
    return KIND_NAMES.get(kind, "方案规则")


def _area(plan: Plan, area: str, labels: Labels) -> str:
    if plan.is_group(area):
        g = plan.group(area)
        return labels.pick(g.name, g.name_en) + f" ({labels('summary')})"
    a = plan.area(area)
    return labels.pick(a.name, a.name_en)


def _entries(f: Finding, zh: bool) -> str:
    ids = [f"#{i}" for i in f.entries[:SHOWN_ENTRIES]]
    if len(f.entries) > SHOWN_ENTRIES:
        more = len(f.entries) - SHOWN_ENTRIES
        ids.append(f"…+{more}" if not zh else f"…另{more}条")
    return " ".join(ids)


def findings_table(
    console: Console, plan: Plan, findings: list[Finding], as_of: date, labels: Labels
) -> Table:
    """The findings as a table as wide as the console (see the module's docstring)."""
    zh = labels.lang == "zh"
    counts = summary(findings)
    if zh:
        title = (
            f"数据检查 — 截至 {as_of.isoformat()}：错误{counts['error']}条，"
            f"警告{counts['warning']}条"
        )
    else:
        title = (
            f"Data checks — as of {as_of.isoformat()}: {counts['error']} errors, "
            f"{counts['warning']} warnings"
        )
    heads = {
        "severity": labels.pick("级别", "Severity"),
        "rule": labels.pick("规则", "Rule"),
        "area": labels.pick("地区", "Area"),
        "indicator": labels.pick("指标", "Indicator"),
        "explanation": labels.pick("说明", "Explanation"),
        "entries": labels.pick("相关记录", "Entries"),
    }
    rows = []
    for f in findings:
        ind = plan.indicator(f.indicator)
        style = "error" if f.severity == "error" else "status.behind"
        rows.append(
            {
                "severity": Text(labels.pick(*SEVERITY_WORDS[f.severity]), style=style),
                "rule": Text(rule_name(plan, f.rule, labels)),
                "area": Text(_area(plan, f.area, labels)),
                "indicator": Text(labels.pick(ind.name, ind.name_en)),
                "explanation": Text(labels.pick(f.explanation, f.explanation_en)),
                "entries": Text(_entries(f, zh)),
            }
        )
    wide = ["severity", "rule", "area", "indicator", "explanation", "entries"]
    # the other columns in at most two lines each (the entries in three), if they can
    most = {"severity": 1, "rule": 2, "area": 2, "indicator": 2, "entries": 3}
    widths = _widths(console, heads, rows, wide, most, WIDE_EXPLANATION)
    if widths is not None:
        keys, cells = wide, rows
    else:  # one above the other: severity over rule, area over indicator
        keys = ["severity", "area", "explanation", "entries"]
        heads = {
            **heads,
            "severity": f"{heads['severity']}\n{heads['rule']}",
            "area": f"{heads['area']}\n{heads['indicator']}",
        }
        cells = [
            {
                **r,
                "severity": r["severity"] + "\n" + r["rule"],
                "area": r["area"] + "\n" + r["indicator"],
            }
            for r in rows
        ]
        for most in (
            {"severity": 2, "area": 2, "entries": 3},
            {"severity": 3, "area": 4, "entries": 6},
        ):
            widths = _widths(console, heads, cells, keys, most, LEAST_EXPLANATION)
            if widths is not None:
                break
        else:  # a very narrow terminal: let the explanation take what it can
            widths = _widths(console, heads, cells, keys, most, 1) or {k: 8 for k in keys}
    table = new_table(console, title)
    for k in keys:
        table.add_column(_wrapped(Text(heads[k]), widths[k]), width=widths[k], no_wrap=True)
    for r in cells:
        table.add_row(*(_wrapped(r[k], widths[k], even=k != "explanation") for k in keys))
    return table


def _widths(
    console: Console,
    heads: dict[str, str],
    rows: list[dict[str, Text]],
    keys: list[str],
    most: dict[str, int],
    explanation: int,
) -> dict[str, int] | None:
    """Each column's width, or None when the explanation would get fewer than
    ``explanation`` cells with every other column in at most ``most`` lines."""
    room = console.width - chrome(console, len(keys))
    natural, least = [], []
    for k in keys:
        texts = [Text(heads[k]), *(r[k] for r in rows)]
        lines = [ln for t in texts for ln in t.plain.split("\n")]
        natural.append(max(cell_len(ln) for ln in lines))
        if k == "explanation":
            least.append(min(explanation, natural[-1]))
        else:
            least.append(max(needed([ln], most[k], indent=1) for ln in lines))
    e = keys.index("explanation")
    comfort = max(least[e], min(natural[e], COMFORT))
    # first the explanation narrows to a comfortable width, then the other columns to their
    # least, then the explanation to its least
    kept = [*natural]
    kept[e] = comfort
    capped = [*natural]
    capped[e] = comfort
    widths = share(room, natural, kept)
    if widths is None:
        widths = share(room, capped, [*least[:e], comfort, *least[e + 1 :]])
    if widths is None:
        widths = share(room, capped, least, last=e)
    return None if widths is None else dict(zip(keys, widths, strict=True))


def _wrapped(text: Text, width: int, even: bool = True) -> Text:
    """``text`` wrapped in ``width`` cells; each of its lines, when ``even``, wrapped into
    lines of even length (周增量/异常, not 周增量异/常)."""
    out = []
    for part in text.split("\n", allow_blank=True):
        w = width
        lines = len(wrap(part, w, indent=1))
        if even and lines > 1:
            w = min(w, needed([part], lines, indent=1))
        out += wrap(part, w, indent=1)
    return Text("\n").join(out)

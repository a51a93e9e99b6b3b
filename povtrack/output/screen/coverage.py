"""missing and completeness -> Rich renderables (explain's: ``output.screen.explain``), in the
conventions of ``output.screen.tables``: THEME styles, an ASCII box without a terminal, figures
never wrap, names fold so a table fits the width (Chinese names counted two cells each). No
East-Asian-ambiguous glyphs (arrows, dashes) in tables: some CJK terminals draw them two cells
wide.

The completeness grid fits by saying less: when all the weeks do not fit the console, the
newest weeks that fit are shown (the total column still covers every week; JSON and the
exports hold them all).
"""

from __future__ import annotations

import math

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from povtrack.analysis.coverage import (
    GREEN,
    LATE_DAYS,
    YELLOW,
    Completeness,
    Missing,
    Tally,
)
from povtrack.i18n import Labels
from povtrack.model import Plan
from povtrack.names import scope_names
from povtrack.output.screen.fit import fitted, needed, share
from povtrack.output.screen.tables import chrome, new_table

_WORDS: dict[str, tuple[str, str]] = {
    "missing_title": (
        "{week} 未报送（{start} 至 {end}）",
        "Not reported in {week} ({start} to {end})",
    ),
    "no_gaps": (
        "{week} 各县区应报指标均已报送",
        "In {week} every county and district reported everything expected of it",
    ),
    "area": ("地区", "Area"),
    "reported": ("已报/应报", "Reported"),
    "indicator": ("未报指标", "Not reported"),
    "last_reported": ("最近报送", "Last reported"),
    "never": ("从未", "never"),
    "gaps_caption": (
        "{areas} 个县区未报 {gaps} 项；本周迟报 {late} 条（录入晚于填报日期{days}天以上）。"
        "未报送不计为0。",
        "{areas} areas, {gaps} gaps; {late} late entries this week (recorded more than {days} "
        "days after their date). Not reported is never counted as zero.",
    ),
    "grid_title": (
        "报送完整率 {first} 至 {last}（截至 {as_of}）",
        "Reporting completeness {first} to {last} (as of {as_of})",
    ),
    "total": ("合计", "Total"),
    "late": ("迟报", "Late"),
    "grid_caption": (
        "已报÷应报；绿 >=90%，黄 >=50%，红 <50%，—：无应报指标。"
        "迟报：录入晚于填报日期{days}天以上。",
        "reported / expected; green >= 90%, yellow >= 50%, red < 50%, —: nothing expected. "
        "Late: recorded more than {days} days after their date.",
    ),
    "grid_shown": (
        "显示最近 {n} 周，共 {total} 周（合计含全部）；全部见 --json 或 --format",
        "the newest {n} of {total} weeks (totals cover all); --json or --format for all",
    ),
    "no_areas": ("无县区", "No counties or districts"),
    "explain": ("计算说明", "How it was made"),
    "as_of": ("截至", "as of"),
    "target": ("目标", "Target"),
    "no_target": ("该范围无此指标的目标", "No target for this indicator on this scope"),
    "activity": ("活动类指标，无目标：有填报即为已报送", "An activity: no target, reported or not"),
    "due": ("截止", "due"),
    "source": ("来源", "from"),
    "source.plan": ("规划目标", "the plan"),
    "source.allocation": ("分解下达（target set）", "an allocation (target set)"),
    "due_from.plan": ("截止日期：规划所定", "due date: the plan's"),
    "due_from.allocation": ("截止日期：分解时指定", "due date: given with the allocation"),
    "due_from.group_rule": ("截止日期：{group} 的规定", "due date: the rule for {group}"),
    "due_from.city_target": ("截止日期：同全市目标", "due date: the city target's"),
    "due_from.group_target": (
        "截止日期：同{group}合计目标",
        "due date: that of {group}'s target in total",
    ),
    "due_from.plan_due": ("截止日期：规划截止日", "due date: the plan's due date"),
    "each_member": ("（{group} 每个成员）", " (each member of {group})"),
    "citation": ("出处", "Citation"),
    "entries": ("填报明细", "Entries behind the actual"),
    "entries.cumulative": (
        "累计值：截至日期前最新一次填报计入",
        "running totals: the newest entry on or before the as-of date counts",
    ),
    "entries.increment": (
        "增量：截至日期前每次填报相加",
        "increments: every entry on or before the as-of date is added",
    ),
    "entries.rate": (
        "直接填报的比率不相加：只计该范围自身的填报",
        "a rate reported as such is never summed: only the scope's own entry counts",
    ),
    "numerator": ("分子", "Numerator"),
    "denominator": ("分母", "Denominator"),
    "entry": ("编号", "Entry"),
    "date": ("日期", "Date"),
    "value": ("数值", "Value"),
    "from": ("来源", "Source"),
    "recorded": ("录入时间", "Recorded"),
    "by": ("录入人", "By"),
    "no_entry": ("无填报（不计入）", "no entry (adds nothing)"),
    "late_mark": ("迟报", "late"),
    "superseded": (
        "同日后报替换了 {n} 条：{which}",
        "replaced by a later report for the same date: {which}",
    ),
    "rollup": ("汇总", "Roll-up"),
    "rollup.sum": ("各地区相加", "sum over the areas"),
    "rollup.one": ("单一地区", "one area"),
    "rollup.ratio": ("分子合计 ÷ 分母合计 × 100", "Σ numerator ÷ Σ denominator × 100"),
    "rollup.none": ("无可汇总的填报", "nothing to roll up"),
    "expected": ("应完成进度", "Expected pace"),
    "expected.line": (
        "{start} 起，{due} 截止；截至 {as_of}：{elapsed} ÷ {total} 天 = {share}",
        "start {start}, due {due}; as of {as_of}: {elapsed} of {total} days = {share}",
    ),
    "expected.milestone": (
        "里程碑：截止日前不要求完成（应完成 {share}）",
        "a milestone expects nothing before its due date (expected {share})",
    ),
    "no_expected": ("无（没有目标）", "none (no target)"),
    "progress": ("完成进度", "Progress"),
    "status": ("状态判定", "Status"),
    "actual": ("累计完成", "Actual"),
}


def colon(labels: Labels) -> str:
    return labels.pick("：", ": ")


def sep(labels: Labels) -> str:
    return labels.pick("；", "; ")


def word(labels: Labels, key: str, **fields: object) -> str:
    text = labels.pick(*_WORDS[key])
    return text.format(**fields) if fields else text


def area_name(plan: Plan, area: str, labels: Labels) -> str:
    return labels.pick(*scope_names(plan, area))


def ind_name(plan: Plan, ind_id: str, labels: Labels) -> str:
    ind = plan.indicator(ind_id)
    return labels.pick(ind.name, ind.name_en)


# ---------------------------------------------------------------------------- missing


def _fold(text: Text, width: int) -> Text:
    return Text("\n").join(fitted(text, width, indent=1))


def missing_view(console: Console, plan: Plan, m: Missing, labels: Labels) -> RenderableType:
    fields = {"week": m.week, "start": m.start.isoformat(), "end": m.end.isoformat()}
    title = word(labels, "missing_title", **fields)
    late = sum(a.late for a in m.areas)
    gaps = sum(len(a.gaps) for a in m.areas)
    caption = word(
        labels, "gaps_caption", areas=len(m.with_gaps), gaps=gaps, late=late, days=LATE_DAYS
    )
    if not m.with_gaps:
        return Group(
            Text(title, style="task"),
            Text(word(labels, "no_gaps", week=m.week), style="status.done"),
            Text(caption, style="muted"),
        )
    # the indicator's name gets the room: the area's name takes two lines if it must, and
    # names wrap between words (fit.wrap), continuation lines indented under their column
    rows = []
    for a in m.with_gaps:
        for k, g in enumerate(a.gaps):
            last = g.last_reported.isoformat() if g.last_reported else word(labels, "never")
            rows.append(
                [
                    Text(area_name(plan, a.area, labels) if k == 0 else ""),
                    Text(f"{len(a.reported)}/{len(a.expected)}" if k == 0 else ""),
                    Text(ind_name(plan, g.indicator, labels)),
                    Text(last, style="muted" if g.last_reported is None else ""),
                ]
            )
    heads = [word(labels, k) for k in ("area", "reported", "indicator", "last_reported")]
    natural = [max(cell_len(h), *(cell_len(r[i].plain) for r in rows)) for i, h in enumerate(heads)]
    least = [
        needed([heads[0], *(r[0] for r in rows)], 2, indent=1),
        natural[1],
        needed([heads[2], *(r[2] for r in rows)], 2, indent=1),
        natural[3],
    ]
    room = console.width - chrome(console, 4)
    # the area's name whole while the indicator's keeps a readable width, else both wrap
    widths = share(room, natural, [natural[0], natural[1], min(natural[2], 24), natural[3]])
    widths = widths or share(room, natural, least, last=2) or least
    table = new_table(console)
    for i, head in enumerate(heads):
        table.add_column(
            _fold(Text(head), widths[i]),
            width=widths[i],
            no_wrap=True,
            justify="right" if i == 1 else "left",
        )
    n = 0
    for a in m.with_gaps:
        if n:
            table.add_section()
        for _ in a.gaps:
            table.add_row(*(_fold(c, w) for c, w in zip(rows[n], widths, strict=True)))
            n += 1
    return Group(Text(title, style="task"), table, Text(caption, style="muted"))


# ---------------------------------------------------------------------------- completeness


def rate_style(rate: float | None) -> str:
    if rate is None:
        return "muted"
    if rate >= GREEN:
        return "green"
    return "yellow" if rate >= YELLOW else "red"


def rate_text(t: Tally) -> Text:
    """A rate as a whole percent, rounded down (100% only when nothing is missing)."""
    rate = t.rate
    if rate is None:
        return Text("—", style="muted")
    return Text(f"{math.floor(rate * 100 + 1e-9)}%", style=rate_style(rate))


def _grid(
    console: Console,
    plan: Plan,
    c: Completeness,
    labels: Labels,
    first: int,
    *,
    squeezed: bool = False,
) -> Table:
    """The grid from week ``first`` on (the total column always covers every week);
    ``squeezed``: names wrapped at every space, to measure the narrowest the grid can be."""
    same_year = len({w.label[:4] for w in c.weeks}) <= 1
    table = new_table(console)
    names = [area_name(plan, r.area, labels) for r in c.rows if r.area]
    words = [w for text in [*names, word(labels, "total")] for w in text.split()]
    # a name may wrap between words, never inside one (folding "Pingcheng" helps nobody)
    narrowest = max(map(cell_len, words))
    table.add_column(
        word(labels, "area"), min_width=narrowest, max_width=narrowest if squeezed else None
    )
    for w in c.weeks[first:]:
        table.add_column(w.label[5:] if same_year else w.label, justify="right", no_wrap=True)
    table.add_column(word(labels, "total"), justify="right", no_wrap=True)
    table.add_column(word(labels, "late"), justify="right", no_wrap=True)
    for r in [*c.rows, c.total]:
        if r.area is None:
            table.add_section()
            name = Text(word(labels, "total"), style="task")
        else:
            name = Text(area_name(plan, r.area, labels))
        table.add_row(
            name,
            *(rate_text(t) for t in r.cells[first:]),
            rate_text(r.total),
            str(r.total.late),
        )
    return table


def completeness_view(
    console: Console, plan: Plan, c: Completeness, labels: Labels
) -> RenderableType:
    """Title, grid and legend; the title and legend on lines of their own (a narrow grid
    would wrap them to its own width)."""
    if not c.rows or not c.weeks:
        return Text(word(labels, "no_areas"), style="muted")
    title = word(
        labels,
        "grid_title",
        first=c.weeks[0].label,
        last=c.weeks[-1].label,
        as_of=c.as_of.isoformat(),
    )
    caption = word(labels, "grid_caption", days=LATE_DAYS)
    n = len(c.weeks)

    def fits(first: int) -> bool:
        squeezed = _grid(console, plan, c, labels, first, squeezed=True)
        unbounded = console.options.update_width(10_000)  # a measure is capped at the width
        return Measurement.get(console, unbounded, squeezed).maximum <= console.width

    first = next((k for k in range(n) if fits(k)), n - 1)
    table = _grid(console, plan, c, labels, first)
    lines = [Text(caption, style="muted")]
    if first:
        lines.append(Text(word(labels, "grid_shown", n=n - first, total=n), style="muted"))
    return Group(Text(title, style="task"), table, *lines)

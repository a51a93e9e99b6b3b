"""missing, completeness and explain -> Rich renderables, in the conventions of
``output.screen.tables``: THEME styles, an ASCII box without a terminal, figures never wrap,
names fold so a table fits the width (Chinese names counted two cells each). No
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
    is_late,
)
from povtrack.analysis.explain import (
    AreaPart,
    Explanation,
    RollUp,
    fmt_number,
    ratio_sides,
    rule_text,
)
from povtrack.i18n import Labels
from povtrack.model import Plan
from povtrack.names import scope_names
from povtrack.output.screen.fit import fitted, needed, share
from povtrack.output.screen.tables import NARROW, chrome, fmt_value, new_table, unit_label

REPLACED_SHOWN = 5  # explain names this many replaced entries per area, then "…"

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


def _colon(labels: Labels) -> str:
    return labels.pick("：", ": ")


def _sep(labels: Labels) -> str:
    return labels.pick("；", "; ")


def word(labels: Labels, key: str, **fields: object) -> str:
    text = labels.pick(*_WORDS[key])
    return text.format(**fields) if fields else text


def _area_name(plan: Plan, area: str, labels: Labels) -> str:
    return labels.pick(*scope_names(plan, area))


def _ind_name(plan: Plan, ind_id: str, labels: Labels) -> str:
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
                    Text(_area_name(plan, a.area, labels) if k == 0 else ""),
                    Text(f"{len(a.reported)}/{len(a.expected)}" if k == 0 else ""),
                    Text(_ind_name(plan, g.indicator, labels)),
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
    names = [_area_name(plan, r.area, labels) for r in c.rows if r.area]
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
            name = Text(_area_name(plan, r.area, labels))
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


# ---------------------------------------------------------------------------- explain


def _heading(text: str) -> Text:
    return Text(text, style="task")


def _recorded(stamp: str, wide: bool) -> str:
    """A UTC stamp to the minute ("2018-06-11 08:30Z"), or its date on a narrow screen."""
    text = stamp.replace("T", " ").replace("+00:00", "Z")
    if not wide:
        return text[:10]
    return text[:16] + ("Z" if text.endswith("Z") and len(text) > 16 else "")


def _entries_table(
    console: Console, plan: Plan, r: RollUp, labels: Labels, title: str | None = None
) -> Table:
    wide = console.width >= NARROW
    unit = r.indicator.unit
    table = new_table(console, title)
    table.add_column(word(labels, "area"), overflow="fold", ratio=1)
    table.add_column(word(labels, "entry"), justify="right", no_wrap=True)
    table.add_column(word(labels, "date"), no_wrap=True)
    table.add_column(word(labels, "value"), justify="right", no_wrap=True)
    table.add_column(word(labels, "from"), overflow="fold", ratio=2)
    table.add_column(word(labels, "recorded"), overflow="fold")
    if wide:
        table.add_column(word(labels, "by"), overflow="fold")
    for p in r.areas:
        _area_rows(table, plan, p, unit, labels, wide, r.indicator.reporting == "increment")
    return table


def _area_rows(
    table: Table,
    plan: Plan,
    p: AreaPart,
    unit: str,
    labels: Labels,
    wide: bool,
    increment: bool,
) -> None:
    name = _area_name(plan, p.area, labels)
    extra = [""] if wide else []
    if not p.entries:
        table.add_row(name, "", "", "—", Text(word(labels, "no_entry"), style="muted"), "", *extra)
        return
    for k, e in enumerate(p.entries):
        recorded = Text(_recorded(e.recorded_at, wide))
        if is_late(e):
            recorded.append(f" ({word(labels, 'late_mark')})", style="status.behind")
        table.add_row(
            name if k == 0 else "",
            f"#{e.id}",
            e.date.isoformat(),
            fmt_value(e.value, unit),
            e.source if wide else _short_source(e.source),
            recorded,
            *([e.by] if wide else []),
        )
    if increment and len(p.entries) > 1:
        table.add_row("", "", "Σ", Text(fmt_value(p.value, unit), style="task"), "", "", *extra)
    if p.replaced:
        shown = [f"#{e.id} → #{by}" for e, by in p.replaced[:REPLACED_SHOWN]]
        if len(p.replaced) > REPLACED_SHOWN:
            shown.append("…")
        note = word(labels, "superseded", n=len(p.replaced), which=", ".join(shown))
        table.add_row("", "", "", "", Text(note, style="muted"), "", *extra)


def _short_source(source: str) -> str:
    """A return's file name and line without its folders, for a narrow screen (JSON keeps the
    whole path): "returns/2018/W23-yanggao.csv:12" -> "W23-yanggao.csv:12"."""
    head, sep, line = source.rpartition(":")
    if sep and line.isdigit() and " " not in head:
        return head.replace("\\", "/").rsplit("/", 1)[-1] + ":" + line
    return source


def _with_unit(value: float | None, unit: str, labels: Labels) -> str:
    if value is None or unit == "percent":
        return fmt_value(value, unit, labels)
    return f"{fmt_value(value, unit, labels)} {unit_label(unit, labels)}"


def _rollup_lines(x: Explanation, labels: Labels) -> list[RenderableType]:
    unit = x.indicator.unit
    if x.rollup is None:
        assert x.numerator is not None and x.denominator is not None
        n = fmt_value(x.numerator.actual, x.numerator.indicator.unit)
        d = fmt_value(x.denominator.actual, x.denominator.indicator.unit)
        text = (
            f"{word(labels, 'rollup.ratio')}{_colon(labels)}{n} ÷ {d} × 100 = "
            f"{fmt_value(x.actual, 'percent')}"
        )
        return [Text("  " + text)]
    terms = [p for p in x.rollup.areas if p.value is not None]
    if not terms:
        return [Text("  " + word(labels, "rollup.none"), style="muted")]
    how = word(labels, "rollup.sum" if len(x.rollup.areas) > 1 else "rollup.one")
    sum_text = " + ".join(fmt_value(p.value, unit) for p in terms)
    if len(terms) > 1:
        sum_text += f" = {_with_unit(x.actual, unit, labels)}"
    else:
        sum_text = _with_unit(x.actual, unit, labels)
    return [Text(f"  {how}{_colon(labels)}{sum_text}")]


def explain_view(console: Console, plan: Plan, x: Explanation, labels: Labels) -> RenderableType:
    ind = x.indicator
    unit = ind.unit
    scope = _area_name(plan, x.scope, labels)
    if x.scope_kind == "group":
        scope += f" ({labels('summary')})"
    parts: list[RenderableType] = [
        Text(
            f"{word(labels, 'explain')}{_colon(labels)}{labels.pick(ind.name, ind.name_en)} "
            f"({ind.id}) — "
            f"{scope} ({x.scope}) — {word(labels, 'as_of')} {x.as_of.isoformat()}",
            style="task",
        )
    ]
    for n, e in enumerate(x.rows):
        r = e.row
        if n:
            parts.append(Text(""))
        parts.append(_heading(word(labels, "target")))
        if r is None:
            parts.append(Text("  " + word(labels, "no_target"), style="muted"))
        elif r.target is None:
            parts.append(Text("  " + word(labels, "activity"), style="muted"))
        else:
            src = e.target_from or {}
            line = (
                f"  {_with_unit(r.target, unit, labels)}{labels.pick('，', ', ')}"
                f"{word(labels, 'due')} {r.due.isoformat() if r.due else '—'} "
                f"({labels(f'level.{r.level}')})"
            )
            if r.group:
                line += word(labels, "each_member", group=_area_name(plan, r.group, labels))
            line += f"{_sep(labels)}{word(labels, 'source')} {word(labels, 'source.' + r.source)}"
            due_from = src.get("due_from")
            if due_from:
                group = src.get("due_rule_group") or src.get("due_target_group")
                line += _sep(labels) + word(
                    labels,
                    f"due_from.{due_from}",
                    group=_area_name(plan, group, labels) if group else "",
                )
            parts.append(Text(line))
            if r.citation:
                parts.append(
                    Text(f"  {word(labels, 'citation')}{_colon(labels)}{r.citation}", style="muted")
                )
        if n == 0:
            parts += _entry_sections(console, plan, x, labels)
        parts.append(_heading(word(labels, "expected")))
        if r is None or r.due is None or r.expected is None:
            parts.append(Text("  " + word(labels, "no_expected"), style="muted"))
        elif ind.kind == "milestone":
            text = word(labels, "expected.milestone", share=fmt_number(r.expected))
            parts.append(Text("  " + text))
        else:
            text = word(
                labels,
                "expected.line",
                start=x.start.isoformat(),
                due=r.due.isoformat(),
                as_of=x.as_of.isoformat(),
                elapsed=(x.as_of - x.start).days,
                total=(r.due - x.start).days,
                share=fmt_number(r.expected),
            )
            parts.append(Text("  " + text))
        parts.append(_heading(word(labels, "status")))
        style = f"status.{r.status}" if r is not None else "muted"
        text = rule_text(ind, r, x.as_of, labels.lang, ratio_sides(x))
        parts.append(Text("  " + text, style=style))
    return Group(*parts)


def _entry_sections(
    console: Console, plan: Plan, x: Explanation, labels: Labels
) -> list[RenderableType]:
    out: list[RenderableType] = [_heading(word(labels, "entries"))]
    pieces = (
        [(None, x.rollup)]
        if x.rollup is not None
        else [("numerator", x.numerator), ("denominator", x.denominator)]
    )
    for key, r in pieces:
        assert r is not None
        how = "rate" if not r.summed else r.indicator.reporting
        if key is not None:
            name = labels.pick(r.indicator.name, r.indicator.name_en)
            line = (
                f"  {word(labels, key)}{_colon(labels)}{name} ({r.indicator.id}) = "
                f"{_with_unit(r.actual, r.indicator.unit, labels)}"
            )
            out.append(Text(line))
        out.append(Text(f"  {word(labels, 'entries.' + how)}", style="muted"))
        out.append(_entries_table(console, plan, r, labels))
    out.append(_heading(word(labels, "rollup")))
    out += _rollup_lines(x, labels)
    return out

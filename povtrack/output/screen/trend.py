"""Trend and diff -> Rich renderables, in the conventions of ``output.screen.tables`` (THEME
styles, ASCII boxes when not on a terminal, figures never wrap, names wrap so a table always
fits the width).

The sparkline's block characters (U+2581–U+2588) are East-Asian-ambiguous: some CJK terminals
draw them two cells wide. So the sparkline is never in a table: it ends a line of its own, is
cut to the newest weeks that fit even at two cells each, and is ASCII when stdout is not a
UTF-8 terminal.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from povtrack.analysis.trend import Diff, Trend
from povtrack.i18n import Labels
from povtrack.model import UNITS, Plan
from povtrack.names import scope_names
from povtrack.output.screen.tables import NARROW, fmt_share, fmt_value, new_table, unit_label

SCREEN_WEEKS = 26  # the screen shows the newest weeks; JSON and exports hold them all
BLOCKS = "▁▂▃▄▅▆▇█"
ASCII_LEVELS = "_.:-=+*#"
ARROW = "->"  # not U+2192, which is ambiguous-width too

_WORDS: dict[str, tuple[str, str]] = {
    "week": ("周", "Week"),
    "date": ("日期", "Date"),
    "value": ("累计完成", "Actual"),
    "change": ("周增减", "Change"),
    "reported": ("本周报送", "Reported"),
    "trend": ("走势", "Trend"),
    "to": ("至", "to"),
    "min": ("最低", "min"),
    "max": ("最高", "max"),
    "target": ("目标", "Target"),
    "actual": ("累计完成", "actual"),
    "due": ("截止", "due"),
    "no_target": ("该范围无目标", "No target for this scope"),
    "pace": ("进度", "Pace"),
    "needed": ("需每周", "needed per week"),
    "recent": ("近期每周", "recent per week"),
    "projected": ("按近期速度截止时可达", "projected at due"),
    "reach": ("预计达标日期", "target reached"),
    "no_weeks": ("截至该日期无报送", "Nothing reported up to this date"),
    "shown": (
        "显示最近 {n} 周，共 {total} 周；全部见 --json 或 --format",
        "the newest {n} of {total} weeks; --json or --format csv, md, html, xlsx for all",
    ),
    "diff": ("变化", "Changes"),
    "days": ("天", "days"),
    "changes": ("状态变化", "Status changes"),
    "movers": ("进度变化最大（前 {n} 项）", "Biggest movers (top {n}, by change in progress)"),
    "silent": ("本期未报送的县区", "Counties and districts that reported nothing"),
    "none": ("无", "none"),
    "indicator": ("指标", "Indicator"),
    "scope": ("范围", "Scope"),
    "was": ("原状态", "Was"),
    "now": ("新状态", "Now"),
    "actual_was": ("原累计完成", "Actual was"),
    "actual_now": ("新累计完成", "Actual now"),
    "actual_col": ("累计完成", "Actual"),
    "progress": ("完成进度", "Progress"),
    "progress_change": ("进度变化", "Change"),
    "actual_change": ("完成量变化", "In the unit"),
    "status": ("状态", "Status"),
    "area": ("地区", "Area"),
    "last_reported": ("最近报送", "Last reported"),
    "previous": ("上期报送指标数", "Indicators the period before"),
    "new_row": ("（新增）", "(new)"),
    "never": ("从未", "never"),
    "summary": ("合计", "total"),
}


def word(labels: Labels, key: str, **fields: object) -> str:
    text = labels.pick(*_WORDS[key])
    return text.format(**fields) if fields else text


def unicode_ok(console: Console) -> bool:
    """Block characters only on a UTF-8 terminal; a pipe or a file gets ASCII."""
    encoding = (console.encoding or "").lower().replace("-", "").replace("_", "")
    return console.is_terminal and encoding.startswith("utf") and not console.legacy_windows


def sparkline(values: Sequence[float | None], unicode: bool) -> str:
    """One character per value, scaled between the smallest and largest; None is a space."""
    levels = BLOCKS if unicode else ASCII_LEVELS
    known = [v for v in values if v is not None]
    if not known:
        return " " * len(values)
    lo, hi = min(known), max(known)
    top = len(levels) - 1
    out = []
    for v in values:
        if v is None:
            out.append(" ")
        elif hi == lo:
            out.append(levels[top // 2] if hi else levels[0])
        else:
            out.append(levels[round((v - lo) / (hi - lo) * top)])
    return "".join(out)


def _figure(value: float | None, unit: str, labels: Labels, rate: bool = False) -> str:
    """A rate or a projection: whole numbers for counts (512.01 people a week is 512); a
    percentage's rate is in points a week."""
    if value is not None and UNITS[unit].integer:
        value = float(round(value))
    if rate and unit == "percent" and value is not None:
        return fmt_value(value, "people") + labels.pick("个百分点", " pts")
    return fmt_value(value, unit, labels)


def _signed(value: float | None, unit: str, labels: Labels) -> str:
    """A change: +975, -12; a percentage's change is in points (+2.5 pts)."""
    if value is None:
        return "—"
    if unit == "percent":
        text = fmt_value(abs(value), "people") + labels.pick("个百分点", " pts")
    else:
        text = fmt_value(abs(value), unit, labels)
    if value > 0:
        return "+" + text
    return "-" + text if value < 0 else text


def _scope_label(plan: Plan, scope: str, labels: Labels) -> str:
    name = labels.pick(*scope_names(plan, scope))
    return f"{name} ({labels('summary')})" if plan.is_group(scope) else name


# ---------------------------------------------------------------------------- trend


def _sparkline_line(console: Console, t: Trend, labels: Labels) -> Text | None:
    points = [w for w in t.weeks if w.value is not None]
    if len(points) < 2:
        return None
    unicode = unicode_ok(console)
    unit = t.indicator.unit

    def prefix(first: int) -> str:
        shown = t.weeks[first:]
        known = [w.value for w in shown if w.value is not None]
        lo = fmt_value(min(known), unit, labels) if known else "—"
        hi = fmt_value(max(known), unit, labels) if known else "—"
        return (
            f"{word(labels, 'trend')} {shown[0].week} {word(labels, 'to')} {shown[-1].week} "
            f"({word(labels, 'min')} {lo}, {word(labels, 'max')} {hi}): "
        )

    # Fit the line even where every block is drawn two cells wide: the newest weeks that fit.
    n, first = len(t.weeks), 0
    for _ in range(5):  # the prefix depends a little on the weeks shown; settles at once
        room = console.width - cell_len(prefix(first)) - 1
        count = room // 2 if unicode else room
        if count < 2:
            return None
        if n - first <= count:
            break
        first = n - count
    else:
        return None
    spark = sparkline([w.value for w in t.weeks[first:]], unicode)
    return Text(prefix(first), style="muted") + Text(spark)


def _target_lines(plan: Plan, t: Trend, labels: Labels) -> list[Text]:
    unit = t.indicator.unit
    u = "" if unit == "percent" else " " + unit_label(unit, labels)
    r = t.row
    lines: list[Text] = []
    if r is not None and r.target is not None:
        line = Text(
            f"{word(labels, 'target')} {fmt_value(r.target, unit, labels)}{u}, "
            f"{word(labels, 'due')} {r.due.isoformat() if r.due else '—'} "
            f"({labels(f'level.{r.level}')}); {word(labels, 'actual')} "
            f"{fmt_value(r.actual, unit, labels)} ({fmt_share(r.progress)}); "
        )
        line.append(labels(f"status.{r.status}"), style=f"status.{r.status}")
        lines.append(line)
    elif r is not None:  # an activity: reported or not, no target
        line = Text(f"{word(labels, 'actual')} {fmt_value(r.actual, unit, labels)}{u}; ")
        line.append(labels(f"status.{r.status}"), style=f"status.{r.status}")
        lines.append(line)
    else:
        lines.append(Text(word(labels, "no_target"), style="muted"))
    fc = t.forecast
    figures: list[tuple[str, object, Callable[[Any], str]]] = [
        ("needed", fc.needed_per_week, lambda v: _figure(v, unit, labels, rate=True)),
        ("recent", fc.recent_per_week, lambda v: _figure(v, unit, labels, rate=True)),
        ("projected", fc.projected, lambda v: _figure(v, unit, labels)),
        ("reach", fc.projected_date, lambda v: v.isoformat()),
    ]
    parts = [f"{word(labels, k)} {show(v)}" for k, v, show in figures if v is not None]
    if parts:
        lines.append(Text(f"{word(labels, 'pace')}: " + "; ".join(parts)))
    return lines


def trend_view(
    console: Console, plan: Plan, t: Trend, labels: Labels, screen_weeks: int = SCREEN_WEEKS
) -> RenderableType:
    ind = t.indicator
    title = (
        f"{labels.pick(ind.name, ind.name_en)} — {_scope_label(plan, t.scope, labels)} — "
        f"{labels('as_of')} {t.as_of.isoformat()}"
    )
    parts: list[RenderableType] = [Text(title, style="task"), *_target_lines(plan, t, labels)]
    if not t.weeks:
        parts.append(Text(word(labels, "no_weeks"), style="status.no_data"))
        return Group(*parts)
    spark = _sparkline_line(console, t, labels)
    if spark is not None:
        parts.append(spark)
    table = new_table(console)
    for key in ("week", "date", "value", "change", "reported"):
        table.add_column(
            word(labels, key), justify="right" if key in ("value", "change") else "left"
        )
    shown = t.weeks[-screen_weeks:] if screen_weeks > 0 else t.weeks
    for w in shown:
        status = "reported" if w.reported else "no_data"
        table.add_row(
            w.week,
            w.day.isoformat(),
            fmt_value(w.value, ind.unit, labels),
            _signed(w.change, ind.unit, labels),
            Text(labels(f"status.{status}"), style=f"status.{status}"),
        )
    if len(shown) < len(t.weeks):
        table.caption = word(labels, "shown", n=len(shown), total=len(t.weeks))
        table.caption_justify = "left"
    parts.append(table)
    return Group(*parts)


# ---------------------------------------------------------------------------- diff


def _status(status: str | None, labels: Labels) -> Text:
    if status is None:
        return Text(word(labels, "new_row"), style="muted")
    return Text(labels(f"status.{status}"), style=f"status.{status}")


def _name_columns(table: Table, labels: Labels) -> None:
    # Names wrap (Chinese has no spaces to break at: fold), so the figures never have to.
    table.add_column(word(labels, "indicator"), max_width=42, overflow="fold")
    table.add_column(word(labels, "scope"), overflow="fold")


def _changes_table(console: Console, plan: Plan, d: Diff, labels: Labels) -> RenderableType:
    title = f"{word(labels, 'changes')} ({len(d.status_changes)})"
    if not d.status_changes:
        return Text(f"{title}: {word(labels, 'none')}", style="task")
    table = new_table(console, title)
    _name_columns(table, labels)
    # Below NARROW columns the two actuals share one column, as the progress does in movers.
    narrow = console.width < NARROW
    keys = ["was", "now", "actual_col"] if narrow else ["was", "now", "actual_was", "actual_now"]
    for key in keys:
        table.add_column(
            word(labels, key), no_wrap=True, justify="right" if "actual" in key else "left"
        )
    for c in d.status_changes:
        r = c.new
        was = fmt_value(c.old.actual if c.old else None, r.unit, labels)
        now = fmt_value(r.actual, r.unit, labels)
        actuals = [f"{was} {ARROW} {now}"] if narrow else [was, now]
        table.add_row(
            labels.pick(r.name, r.name_en),
            _scope_label(plan, r.scope, labels),
            _status(c.old.status if c.old else None, labels),
            _status(r.status, labels),
            *actuals,
        )
    return table


def _movers_table(console: Console, plan: Plan, d: Diff, labels: Labels) -> RenderableType:
    from povtrack.analysis.trend import TOP_MOVERS

    title = word(labels, "movers", n=TOP_MOVERS)
    if not d.movers:
        return Text(f"{title}: {word(labels, 'none')}", style="task")
    table = new_table(console, title)
    _name_columns(table, labels)
    # Below NARROW columns the status gives way (a change of status has its own table).
    keys = ["progress", "progress_change", "actual_change", "status"]
    if console.width < NARROW:
        keys.remove("status")
    for key in keys:
        table.add_column(
            word(labels, key), no_wrap=True, justify="left" if key == "status" else "right"
        )
    for m in d.movers:
        r = m.new
        points = m.progress_change * 100
        cells: list[RenderableType] = [
            labels.pick(r.name, r.name_en),
            _scope_label(plan, r.scope, labels),
            f"{fmt_share(m.old.progress)} {ARROW} {fmt_share(r.progress)}",
            f"{points:+.0f}" + labels.pick("个百分点", " pts"),
            _signed(m.actual_change, r.unit, labels)
            + ("" if r.unit == "percent" else " " + unit_label(r.unit, labels)),
            _status(r.status, labels),
        ]
        table.add_row(*cells[: 2 + len(keys)])
    return table


def _silent_table(console: Console, plan: Plan, d: Diff, labels: Labels) -> RenderableType:
    title = f"{word(labels, 'silent')} ({len(d.silent_areas)})"
    if not d.silent_areas:
        return Text(f"{title}: {word(labels, 'none')}", style="task")
    table = new_table(console, title)
    table.add_column(word(labels, "area"), overflow="fold")
    table.add_column(word(labels, "last_reported"), no_wrap=True)
    table.add_column(word(labels, "previous"), justify="right")
    for s in d.silent_areas:
        a = plan.area(s.area)
        table.add_row(
            labels.pick(a.name, a.name_en),
            s.last_reported.isoformat() if s.last_reported else word(labels, "never"),
            str(s.previous_indicators),
        )
    return table


def diff_view(
    console: Console,
    plan: Plan,
    d: Diff,
    labels: Labels,
    sections: Sequence[str] = ("changes", "movers", "silent"),
) -> RenderableType:
    days = (d.as_of - d.since).days
    head = Text(
        f"{word(labels, 'diff')} {d.since.isoformat()} {word(labels, 'to')} "
        f"{d.as_of.isoformat()} ({days} {word(labels, 'days')})",
        style="task",
    )
    makers = {"changes": _changes_table, "movers": _movers_table, "silent": _silent_table}
    parts: list[RenderableType] = [head]
    for key in sections:
        parts += [Text(""), makers[key](console, plan, d, labels)]
    return Group(*parts)

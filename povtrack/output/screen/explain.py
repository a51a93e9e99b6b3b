"""explain -> a Rich renderable, in the conventions of ``output.screen.tables`` and with the
words of ``output.screen.coverage``: how one number on the board was made (the target, the
entries that count per area, the roll-up, the pace and the rule that gave the status)."""

from __future__ import annotations

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from povtrack.analysis.coverage import (
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
from povtrack.output.screen.coverage import area_name, colon, sep, word
from povtrack.output.screen.tables import NARROW, fmt_value, new_table, unit_label

REPLACED_SHOWN = 5  # explain names this many replaced entries per area, then "…"


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
    name = area_name(plan, p.area, labels)
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
            f"{word(labels, 'rollup.ratio')}{colon(labels)}{n} ÷ {d} × 100 = "
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
    return [Text(f"  {how}{colon(labels)}{sum_text}")]


def explain_view(console: Console, plan: Plan, x: Explanation, labels: Labels) -> RenderableType:
    ind = x.indicator
    unit = ind.unit
    scope = area_name(plan, x.scope, labels)
    if x.scope_kind == "group":
        scope += f" ({labels('summary')})"
    parts: list[RenderableType] = [
        Text(
            f"{word(labels, 'explain')}{colon(labels)}{labels.pick(ind.name, ind.name_en)} "
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
                line += word(labels, "each_member", group=area_name(plan, r.group, labels))
            line += f"{sep(labels)}{word(labels, 'source')} {word(labels, 'source.' + r.source)}"
            due_from = src.get("due_from")
            if due_from:
                group = src.get("due_rule_group") or src.get("due_target_group")
                line += sep(labels) + word(
                    labels,
                    f"due_from.{due_from}",
                    group=area_name(plan, group, labels) if group else "",
                )
            parts.append(Text(line))
            if r.citation:
                parts.append(
                    Text(f"  {word(labels, 'citation')}{colon(labels)}{r.citation}", style="muted")
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
                f"  {word(labels, key)}{colon(labels)}{name} ({r.indicator.id}) = "
                f"{_with_unit(r.actual, r.indicator.unit, labels)}"
            )
            out.append(Text(line))
        out.append(Text(f"  {word(labels, 'entries.' + how)}", style="muted"))
        out.append(_entries_table(console, plan, r, labels))
    out.append(_heading(word(labels, "rollup")))
    out += _rollup_lines(x, labels)
    return out

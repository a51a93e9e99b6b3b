"""Report rows -> Rich renderables: the status table, the plan, the areas, the log.

Styles are semantic names in one theme. Bars are drawn with coloured spaces (or '#' and '-'
without colour), never with ambiguous-width glyphs that misalign in CJK terminals.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from povtrack.analysis.measure import STATUSES
from povtrack.analysis.status import StatusRow
from povtrack.i18n import Labels
from povtrack.jsonable import num
from povtrack.ledger import state_words
from povtrack.model import UNITS, Entry, Indicator, Plan, Target
from povtrack.names import scope_names
from povtrack.textsafe import escape

THEME = Theme(
    {
        "status.done": "bold green",
        "status.on_track": "green",
        "status.behind": "yellow",
        "status.overdue": "bold red",
        "status.no_data": "dim",
        "status.reported": "cyan",
        "task": "bold",
        "bar.done": "on green",
        "bar.todo": "on grey23",
        "bar.expected": "on yellow",
        "muted": "dim",
        "error": "bold red",
    }
)

BAR_WIDTH = 10
NARROW = 120  # terminal columns below which the status table drops secondary columns


def fmt_value(value: float | None, unit: str, labels: Labels | None = None) -> str:
    """A figure for the screen (exports keep exact numbers): 1,234; 80%; 10亿 or 1,000M yuan."""
    if value is None:
        return "—"
    if unit == "yuan" and labels is not None and abs(value) >= 1e7:
        if labels.lang == "zh":
            return f"{value / 1e8:,.2f}".rstrip("0").rstrip(".") + "亿"
        return f"{value / 1e6:,.1f}".rstrip("0").rstrip(".") + "M"
    v = num(round(value, 2) if isinstance(value, float) else value)
    text = f"{v:,}" if isinstance(v, int) else f"{v:,.2f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "percent" else text


def fmt_share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def unit_label(unit: str, labels: Labels) -> str:
    u = UNITS[unit]
    return labels.pick(u.name, u.name_en)


def _with_unit(value: float, unit: str, labels: Labels) -> str:
    if unit == "percent":
        return fmt_value(value, unit)
    return f"{fmt_value(value, unit, labels)} {unit_label(unit, labels)}"


def bar(progress: float | None, expected: float | None, plain: bool) -> Text:
    """A 10-cell bar: filled to progress, with the expected pace marked."""
    if progress is None:
        return Text(" " * BAR_WIDTH if not plain else "." * BAR_WIDTH, style="muted")
    filled = max(0, min(BAR_WIDTH, round(progress * BAR_WIDTH)))
    mark = None if expected is None else min(BAR_WIDTH - 1, int(expected * BAR_WIDTH))
    text = Text()
    for i in range(BAR_WIDTH):
        if plain:
            text.append("#" if i < filled else ("|" if i == mark else "-"))
        else:
            style = "bar.done" if i < filled else ("bar.expected" if i == mark else "bar.todo")
            text.append(" ", style=style)
    return text


class SafeTable(Table):
    """A table whose text cells are shown as they are: control characters escaped (a note from
    an older database may hold a terminal escape sequence), never read as Rich markup."""

    def add_row(self, *renderables: Any, **kwargs: Any) -> None:
        cells = [Text(escape(c)) if isinstance(c, str) else c for c in renderables]
        super().add_row(*cells, **kwargs)


def new_table(console: Console, title: str | None = None) -> Table:
    plain = not console.is_terminal
    return SafeTable(
        title=title,
        box=box.ASCII if plain else box.SIMPLE_HEAD,
        show_edge=plain,
        pad_edge=plain,  # with a border drawn, keep a space between it and the text
        title_justify="left",
    )


def _scope_label(plan: Plan, scope: str, scope_kind: str, labels: Labels) -> str:
    name = labels.pick(*scope_names(plan, scope))
    if scope_kind == "group":
        return f"{name} ({labels('summary')})"
    return name


def status_table(
    console: Console,
    plan: Plan,
    rows: list[StatusRow],
    as_of: date,
    labels: Labels,
    *,
    forecast: bool = False,
) -> Table:
    plain = console.no_color or console.color_system is None
    title = f"{labels.pick(plan.name, plan.name_en)} — {labels('as_of')} {as_of.isoformat()}"
    table = new_table(console, title)
    # Figures never wrap; names wrap onto a second line when the terminal is narrow, so the
    # table always fits (Rich only narrows wrappable columns). Below NARROW columns the
    # expected-pace and due-date columns give way (the bar still marks the expected pace).
    keys = ["indicator", "scope", "target", "actual", "progress", "expected", "status", "due"]
    drop: tuple[str, ...] = ()
    if forecast:  # the pace the due date needs, the recent pace, and where it leads
        keys += ["needed_per_week", "recent_per_week", "projected_date"]
        # eleven columns need a wide terminal: give way in order, keeping the date the
        # forecast is for and the names readable
        if console.width < 160:
            drop += ("expected", "due", "recent_per_week")
        if console.width < 130:
            drop += ("target",)
        if console.width < 100:
            drop += ("actual", "needed_per_week")
    elif console.width < NARROW:
        drop = ("expected", "due")
    keys = [k for k in keys if k not in drop]
    numeric = ("target", "actual", "expected", "needed_per_week", "recent_per_week")
    for key in keys:
        table.add_column(
            labels(key),
            justify="right" if key in numeric else "left",
            no_wrap=key not in ("indicator", "scope"),
            max_width=42 if key == "indicator" else None,
        )
    current_task = None
    for r in rows:
        if r.task != current_task:
            if current_task is not None:
                table.add_section()
            current_task = r.task
            t = plan.task(r.task)
            table.add_row(Text(f"{t.number}. {labels.pick(t.name, t.name_en)}", style="task"))
        name = labels.pick(r.name, r.name_en)
        if r.level == "stretch":
            name += f" ({labels('level.stretch')})"
        progress = Text()
        if r.kind != "activity":
            progress = bar(r.progress, r.expected, plain) + Text(f" {fmt_share(r.progress)}")
        cells: dict[str, str | Text] = {
            "indicator": "  " + name,
            "scope": _scope_label(plan, r.scope, r.scope_kind, labels),
            "target": "" if r.target is None else _with_unit(r.target, r.unit, labels),
            "actual": fmt_value(r.actual, r.unit, labels),
            "progress": progress,
            "expected": fmt_share(r.expected),
            "status": Text(labels(f"status.{r.status}"), style=f"status.{r.status}"),
            "due": r.due.isoformat() if r.due else "",
            "needed_per_week": fmt_value(r.needed_per_week, r.unit, labels),
            "recent_per_week": fmt_value(r.recent_per_week, r.unit, labels),
            "projected_date": r.projected_date.isoformat() if r.projected_date else "",
        }
        table.add_row(*(cells[k] for k in keys))
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    table.caption = Text("  ").join(
        Text(f"{labels(f'status.{s}')} {n}", style=f"status.{s}") for s, n in counts.items() if n
    )
    table.caption_justify = "left"
    return table


def _named(ind: Indicator, labels: Labels) -> Text:
    """An indicator's name, and on the line below its id (what record, import and the returns
    take)."""
    text = Text(f"  {escape(labels.pick(ind.name, ind.name_en))}\n")
    text.append(f"  {escape(ind.id)}", style="muted")
    return text


def plan_table(
    console: Console, plan: Plan, targets: list[Target], labels: Labels, task: int | None
) -> Table:
    """Every indicator with its id under its name, its kind with its unit below, and every
    target of it."""
    table = new_table(console, f"{labels.pick(plan.name, plan.name_en)} ({plan.id})")
    # The id is copied from here: its column is as wide as the longest id (the names wrap)
    # unless the terminal is too narrow for that, and then it folds rather than cut short.
    # Below NARROW columns the level and the citation give way.
    widest = max((cell_len(i.id) for i in plan.indicators), default=0) + 2
    keys = ["indicator", "kind", "scope", "target", "due", "level", "citation"]
    room = console.width // 3 + 2  # what is left beside the other columns, about
    if console.width < NARROW:
        keys = keys[:-2]
        room = console.width - 75
    for key in keys:
        table.add_column(
            f"{labels('kind')} / {labels('unit')}" if key == "kind" else labels(key),
            justify="right" if key == "target" else "left",
            width=min(widest, max(24, room)) if key == "indicator" else None,
            max_width=24 if key == "citation" else None,  # the source text, in short
            overflow="fold" if key == "indicator" else "ellipsis",
        )
    for t in plan.tasks:
        if task is not None and t.number != task:
            continue
        table.add_row(Text(f"{t.number}. {labels.pick(t.name, t.name_en)}", style="task"))
        for ind in (i for i in plan.indicators if i.task == t.number):
            mine: list[Target | None] = [x for x in targets if x.indicator == ind.id]
            kind = Text(f"{labels(f'kind.{ind.kind}')}\n{unit_label(ind.unit, labels)}")
            first = True
            for x in mine or [None]:
                cells = [
                    _named(ind, labels) if first else "",
                    kind if first else "",
                    _scope_label(plan, x.scope, x.scope_kind, labels) if x else "",
                    _with_unit(x.value, ind.unit, labels) if x else "",
                    x.due.isoformat() if x else "",
                    labels(f"level.{x.level}") if x else "",
                    Text(x.citation, style="muted") if x else "",
                ]
                table.add_row(*cells[: len(keys)])
                first = False
        table.add_section()
    return table


def areas_table(console: Console, plan: Plan, labels: Labels) -> Table:
    table = new_table(console, labels("area"))
    for key in ("id", "name", "kind", "parent", "groups"):
        table.add_column(labels(key))
    for a in plan.areas:
        table.add_row(
            a.id,
            f"{a.name} / {a.name_hant} / {a.name_en}",
            labels(f"kind.{a.kind}"),
            a.parent or "",
            ", ".join(plan.groups_of(a.id)),
        )
    return table


def groups_table(console: Console, plan: Plan, labels: Labels) -> Table:
    table = new_table(console, labels("groups"))
    for key in ("id", "name", "members"):
        table.add_column(labels(key))
    for g in plan.groups:
        name = labels.pick(g.name, g.name_en) + (f" ({g.note})" if g.note else "")
        table.add_row(g.id, name, ", ".join(g.members))
    return table


def state_text(state: str, labels: Labels) -> str:
    """An entry's state (``povtrack.ledger``) in the screen's language: 已被#2替换 for
    "replaced by #2" (JSON and the exports keep the English words)."""
    return state_words(state, labels.lang)


def log_table(
    console: Console,
    plan: Plan,
    entries: list[Entry],
    labels: Labels,
    states: dict[int, str] | None = None,
) -> Table:
    """Entries; with ``states`` (log --all) each one's standing and who recorded it."""
    table = new_table(console)
    keys = ["id", "date", "area", "indicator", "value", "note", "source", "recorded_at"]
    if states is not None:
        keys += ["by", "entry_state"]
    for key in keys:
        table.add_column(labels(key), justify="right" if key in ("id", "value") else "left")
    for e in entries:
        ind = plan.indicator(e.indicator)
        note = e.note if not e.reason else f"{e.note} ({e.reason})".strip()
        cells: list[str | Text] = [
            str(e.id),
            e.date.isoformat(),
            labels.pick(*scope_names(plan, e.area)),
            labels.pick(ind.name, ind.name_en),
            fmt_value(e.value, ind.unit),
            note,
            e.source,
            e.recorded_at.replace("T", " ").replace("+00:00", "Z"),
        ]
        if states is not None:
            state = states[e.id]
            style = "muted" if state != "counts" else ""
            cells += [e.by, Text(state_text(state, labels), style=style)]
        table.add_row(*cells)
    return table

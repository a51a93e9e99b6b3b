"""Report rows -> Rich renderables: the status table, the plan, the areas, the log.

Styles are semantic names in one theme. Bars are drawn with coloured spaces (or '#' and '-'
without colour), never with ambiguous-width glyphs that misalign in CJK terminals.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from povtrack.i18n import Labels
from povtrack.jsonable import num
from povtrack.ledger import state_words
from povtrack.model import UNITS, Entry, Indicator, Plan, Target
from povtrack.names import scope_names
from povtrack.textsafe import escape

THEME = Theme(
    {
        # The states that need someone to act are the most visible, on a light terminal as on
        # a dark one: a background colour reads on both (yellow or red text alone fades on a
        # white background), and reverse video swaps whatever the terminal's colours are.
        "status.overdue": "bold white on red",
        "status.behind": "bold black on yellow",
        "status.no_data": "bold reverse",
        # the states that need nothing are quieter: coloured text, no background, not bold
        "status.done": "green",
        "status.on_track": "",
        "status.reported": "",
        "task": "bold",
        "bar.done": "on green",
        "bar.todo": "on grey50",
        "bar.expected": "on yellow",
        "muted": "dim",
        "error": "bold white on red",
    }
)
"""The screen's styles, by meaning. Without colour (``NO_COLOR``, a file or a pipe) no style
shows, so the status words carry the state themselves: ``status_text`` puts a mark before
the states that need someone to act — "!! overdue", "! behind", "? no data" — and none before
the others."""

STATUS_MARKS = {"overdue": "!!", "behind": "!", "no_data": "?"}

BAR_WIDTH = 10
NARROW = 120  # terminal columns below which the wide tables drop secondary columns


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


def status_text(status: str, labels: Labels, plain: bool) -> Text:
    """A status word in its style; without colour (``plain``) with its mark (THEME)."""
    word = labels(f"status.{status}")
    mark = STATUS_MARKS.get(status)
    if plain and mark:
        word = f"{mark} {word}"
    return Text(word, style=f"status.{status}")


def fmt_share(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.0f}%"


def unit_label(unit: str, labels: Labels) -> str:
    u = UNITS[unit]
    return labels.pick(u.name, u.name_en)


def with_unit(value: float, unit: str, labels: Labels) -> str:
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


def chrome(console: Console, columns: int) -> int:
    """The cells a ``new_table`` of so many columns spends on its border and padding."""
    if console.is_terminal:  # no edge: a separator and padding between columns
        return 3 * columns - 3
    return 3 * columns + 1  # an ASCII border with its edges, padding inside it


def scope_label(plan: Plan, scope: str, scope_kind: str, labels: Labels) -> str:
    name = labels.pick(*scope_names(plan, scope))
    if scope_kind == "group":
        return f"{name} ({labels('summary')})"
    return name


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
                    scope_label(plan, x.scope, x.scope_kind, labels) if x else "",
                    with_unit(x.value, ind.unit, labels) if x else "",
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

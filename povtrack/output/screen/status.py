"""The status view: every target against the pace its due date demands, fitted to the
terminal from 80 to 200 columns and beyond, in Chinese and English.

Two layouts, the first that fits is used:

- ``table``: one row per indicator and scope, the indicator's name beside the figures. Used
  when every name fits in two lines beside the columns shown (the bar kept).
- ``grouped`` (narrow terminals): the indicator's name on a line of its own, as wide as the
  terminal, and below it one line per scope with the figures. Nothing is repeated, so a row
  takes one line (two when a group's long name wraps) and every name is shown whole.

Columns give way in one order when the width runs short (``GIVE_WAY``): the expected pace,
the due date, the recent pace (with ``--forecast``), then the bar (the share is still shown,
"42%"), and last, with ``--forecast``, the actual figure. The target is never dropped: it is
what every other column is compared with.

Names are never cut: they wrap (``fit.wrap``: between words and Chinese characters, never
inside a number), continuation lines indented under their column, so that they never look
like a new row. Figures never wrap.
"""

from __future__ import annotations

from datetime import date

from rich.cells import cell_len
from rich.console import Console, Group, RenderableType
from rich.text import Text

from povtrack.analysis.measure import STATUSES
from povtrack.analysis.status import StatusRow
from povtrack.i18n import Labels
from povtrack.model import Plan
from povtrack.output.screen.fit import fitted, grid, needed, wrap
from povtrack.output.screen.tables import (
    bar,
    chrome,
    fmt_share,
    fmt_value,
    new_table,
    scope_label,
    status_text,
    with_unit,
)

NUMERIC = ("target", "actual", "expected", "needed_per_week", "recent_per_week")
NAME_INDENT = 2  # an indicator's name under its task's heading
ROW_INDENT = 4  # grouped layout: a scope's line under its indicator's name


def give_way(forecast: bool) -> tuple[str, ...]:
    """What gives way, first to last, when the terminal is too narrow."""
    if forecast:
        return ("expected", "due", "recent_per_week", "bar", "actual")
    return ("expected", "due", "bar")


def _keys(forecast: bool, drop: tuple[str, ...]) -> list[str]:
    keys = ["scope", "target", "actual", "progress", "expected", "status", "due"]
    if forecast:  # the pace the due date needs, the recent pace, and where it leads
        keys += ["needed_per_week", "recent_per_week", "projected_date"]
    return [k for k in keys if k not in drop]


def _name(r: StatusRow, labels: Labels) -> str:
    name = labels.pick(r.name, r.name_en)
    if r.level == "stretch":
        name += f" ({labels('level.stretch')})"
    return name


def _cells(
    plan: Plan, r: StatusRow, labels: Labels, plain: bool, with_bar: bool
) -> dict[str, Text]:
    progress = Text()
    if r.kind != "activity":
        share = fmt_share(r.progress)
        if with_bar:
            progress = bar(r.progress, r.expected, plain) + Text(f" {share:>4}")
        else:
            progress = Text(share)
    return {
        "scope": Text(scope_label(plan, r.scope, r.scope_kind, labels)),
        "target": Text("" if r.target is None else with_unit(r.target, r.unit, labels)),
        "actual": Text(fmt_value(r.actual, r.unit, labels)),
        "progress": progress,
        "expected": Text(fmt_share(r.expected)),
        "status": status_text(r.status, labels, plain),
        "due": Text(r.due.isoformat() if r.due else ""),
        "needed_per_week": Text(fmt_value(r.needed_per_week, r.unit, labels)),
        "recent_per_week": Text(fmt_value(r.recent_per_week, r.unit, labels)),
        "projected_date": Text(r.projected_date.isoformat() if r.projected_date else ""),
    }


def _widths(
    keys: list[str], heads: dict[str, str], cells: list[dict[str, Text]], head_lines: int
) -> dict[str, int]:
    """Each column's width: its widest cell, and its head in at most ``head_lines`` lines."""
    out = {}
    for k in keys:
        widest = max((cell_len(c[k].plain) for c in cells), default=0)
        out[k] = max(widest, needed([heads[k]], head_lines))
    return out


def _task_heading(plan: Plan, number: int, labels: Labels) -> str:
    t = plan.task(number)
    return f"{t.number}. {labels.pick(t.name, t.name_en)}"


def _caption(rows: list[StatusRow], labels: Labels, plain: bool) -> Text:
    counts = {s: sum(1 for r in rows if r.status == s) for s in STATUSES}
    return Text("  ").join(
        status_text(s, labels, plain) + Text(f" {n}", style=f"status.{s}")
        for s, n in counts.items()
        if n
    )


def status_table(
    console: Console,
    plan: Plan,
    rows: list[StatusRow],
    as_of: date,
    labels: Labels,
    *,
    forecast: bool = False,
) -> RenderableType:
    """The status view for this console's width (see the module's docstring)."""
    plain = console.no_color or console.color_system is None
    title = f"{labels.pick(plan.name, plan.name_en)} — {labels('as_of')} {as_of.isoformat()}"
    width = console.width
    order = give_way(forecast)
    for level in range(len(order) + 1):  # the table, with as little given way as needed
        drop = order[:level]
        if "bar" in drop:
            break
        for heads in (1, 2):  # column heads on one line if they can, else on two
            table = _table_layout(console, plan, rows, labels, plain, title, forecast, drop, heads)
            if table is not None:
                return table
    for level in range(len(order) + 1):
        drop = order[:level]
        for heads in (1, 2):
            last = level == len(order) and heads == 2  # the last resort: the scope wraps
            view = _grouped_layout(
                plan, rows, labels, plain, title, forecast, drop, width, heads, force=last
            )
            if view is not None:
                return view
    raise AssertionError("the last grouped layout always fits")  # pragma: no cover


def _table_layout(
    console: Console,
    plan: Plan,
    rows: list[StatusRow],
    labels: Labels,
    plain: bool,
    title: str,
    forecast: bool,
    drop: tuple[str, ...],
    head_lines: int,
) -> RenderableType | None:
    """One row per indicator and scope, or None when the names would need a third line."""
    keys = _keys(forecast, drop)
    cells = [_cells(plan, r, labels, plain, with_bar=True) for r in rows]
    heads = {k: labels(k) for k in keys}
    widths = _widths(keys, heads, cells, head_lines)
    names = [_name(r, labels) for r in rows]
    tasks = [_task_heading(plan, n, labels) for n in dict.fromkeys(r.task for r in rows)]
    overhead = chrome(console, len(keys) + 1)
    fixed = sum(widths[k] for k in keys if k != "scope")
    widest_name = max((cell_len(n) for n in names), default=0) + NAME_INDENT
    least_name = NAME_INDENT + needed(names, 2, indent=NAME_INDENT, least=8)
    least_name = max(least_name, needed(tasks, 2, indent=3), needed([labels("indicator")], 2))
    if console.width - overhead - fixed - widths["scope"] < least_name:
        # the scope may take two lines too (a group's long name)
        scopes = [c["scope"] for c in cells]
        widths["scope"] = max(needed(scopes, 2, indent=1), needed([heads["scope"]], 2))
    room = console.width - overhead - fixed - widths["scope"]
    if room < least_name:
        return None
    # as wide as the longest name when there is room (one line each), else just enough
    name_width = min(room, max(widest_name, cell_len(labels("indicator"))))
    table = new_table(console, title)
    table.add_column(_head(labels("indicator"), name_width), width=name_width, no_wrap=True)
    for k in keys:
        table.add_column(
            _head(heads[k], widths[k]),
            width=widths[k],
            no_wrap=True,
            justify="right" if k in NUMERIC else "left",
        )
    current = None
    for r, name, c in zip(rows, names, cells, strict=True):
        if r.task != current:
            if current is not None:
                table.add_section()
            current = r.task
            heading = _task_heading(plan, r.task, labels)
            table.add_row(_lines(wrap(Text(heading, style="task"), name_width, indent=3)))
        name_lines = wrap(name, name_width - NAME_INDENT, indent=NAME_INDENT)
        first = [Text(" " * NAME_INDENT) + line for line in name_lines]
        table.add_row(
            _lines(first),
            *(_lines(wrap(c[k], widths[k], indent=1)) if k == "scope" else c[k] for k in keys),
        )
    table.caption = _caption(rows, labels, plain)
    table.caption_justify = "left"
    return table


def _head(text: str, width: int) -> Text:
    """A column head in ``width`` cells: on one line if it fits, else on two of even length
    (累计/完成, not 累计完/成)."""
    if cell_len(text) > width:
        width = min(width, needed([text], 2))
    return _lines(wrap(text, width))


def _lines(lines: list[Text]) -> Text:
    return Text("\n").join(lines)


def _grouped_layout(
    plan: Plan,
    rows: list[StatusRow],
    labels: Labels,
    plain: bool,
    title: str,
    forecast: bool,
    drop: tuple[str, ...],
    width: int,
    head_lines: int,
    *,
    force: bool,
) -> RenderableType | None:
    """Each indicator's name on its own line, its scopes' figures below; None if the
    figures do not fit on one line beside a scope of at most two lines (unless ``force``)."""
    keys = _keys(forecast, drop)
    with_bar = "bar" not in drop
    cells = [_cells(plan, r, labels, plain, with_bar) for r in rows]
    heads = {k: labels(k) for k in keys}
    widths = _widths(keys, heads, cells, head_lines)
    gap = 2
    others = sum(widths[k] for k in keys if k != "scope") + gap * (len(keys) - 1)
    room = width - ROW_INDENT - others
    least = max(needed([c["scope"] for c in cells], 2, indent=1), 6)
    if room < least and not force:
        return None
    widths["scope"] = max(min(widths["scope"], room), 6)
    order = [widths[k] for k in keys]
    right = [k in NUMERIC for k in keys]
    out: list[RenderableType] = [*wrap(Text(title), width, indent=2)]
    # the first head stands over the names (two cells in) and the scopes (four cells in)
    first = f"{labels('indicator')} / {heads['scope']}"
    head_widths = [order[0] + ROW_INDENT - NAME_INDENT, *order[1:]]
    head_cells = [_head(first, head_widths[0]), *(_head(heads[k], widths[k]) for k in keys[1:])]
    head_rows = grid([head_cells], head_widths, right, gap=gap, indent=NAME_INDENT)
    for line in head_rows:
        line.stylize("bold")
    out += head_rows
    total = ROW_INDENT + sum(order) + gap * (len(keys) - 1)
    out.append(Text(("-" if plain else "─") * min(total, width), style="muted"))
    current: int | None = None
    group: tuple[str, str | None] | None = None
    for r, c in zip(rows, cells, strict=True):
        if r.task != current:
            current, group = r.task, None
            heading = Text(_task_heading(plan, r.task, labels), style="task")
            out += wrap(heading, width, indent=3)
        if (r.indicator, r.level) != group:
            group = (r.indicator, r.level)
            name = wrap(_name(r, labels), width - NAME_INDENT, indent=NAME_INDENT)
            out += [Text(" " * NAME_INDENT) + line for line in name]
        out += grid([[c[k] for k in keys]], order, right, gap=gap, indent=ROW_INDENT)
    out += fitted(_caption(rows, labels, plain), width, indent=2)
    return Group(*out)

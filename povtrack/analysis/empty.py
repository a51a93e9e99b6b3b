"""Why a view came out empty, and what to do about it: one line in the chosen language.

A table with no rows must never leave the user guessing whether povtrack failed: each function
here looks at what the view was asked for and what the database holds and returns the reason
(no target at this scope, no entries yet, a filter that matched nothing) with the command that
would help, or None when the view has something to show. Pure; the command says the line on
stderr and keeps its exit code.
"""

from __future__ import annotations

from povtrack.analysis.measure import all_targets
from povtrack.analysis.status import StatusRow
from povtrack.i18n import tr
from povtrack.model import Allocation, Indicator, Plan, Target
from povtrack.names import scope_names

_ALLOCATE = "`povtrack target set` / `povtrack target import`"
_SHOWN_SCOPES = 3  # scopes named in a hint; the rest counted


def _name(plan: Plan, scope: str) -> str:
    return tr(*scope_names(plan, scope))


def _elsewhere(plan: Plan, targets: list[Target], scope: str, command: str) -> str:
    """Where the targets are instead, as "see …": the city row, or the scopes that have one
    ("" when there are none)."""
    scopes = list(dict.fromkeys(t.scope for t in targets if t.scope != scope))
    if not scopes:
        return ""
    if plan.root.id in scopes:
        return tr(f"查看全市的行（`{command}`）", f"see the city row (`{command}`)")
    names = "、".join(_name(plan, s) for s in scopes[:_SHOWN_SCOPES])
    names_en = ", ".join(_name(plan, s) for s in scopes[:_SHOWN_SCOPES])
    more = len(scopes) - _SHOWN_SCOPES
    if more > 0:
        names, names_en = f"{names}等{len(scopes)}处", f"{names_en} and {more} more"
    return tr(
        f"查看有目标的 {names}（`{command} --area …`）",
        f"see the rows that have one: {names_en} (`{command} --area …`)",
    )


def _no_target(
    plan: Plan, scope: str, where_zh: str, where_en: str, elsewhere: str, nowhere: bool
) -> str:
    name = _name(plan, scope)
    if nowhere:  # the plan sets nothing here for anyone: allocating would not help
        return tr(f"{where_zh}没有任何目标（计划未设定）", f"the plan sets no target {where_en}")
    if plan.is_group(scope):  # allocations go to areas; a group's targets are the plan's
        then = tr(f"；{elsewhere}", f"; {elsewhere}") if elsewhere else ""
        return tr(
            f"{name}{where_zh}没有目标：计划未给这个组设定目标{then}",
            f"no target for {name}{where_en}: the plan sets none for this group{then}",
        )
    then = tr(f"，或{elsewhere}", f", or {elsewhere}") if elsewhere else ""
    return tr(
        f"{name}{where_zh}没有目标：用 {_ALLOCATE} 分解一个{then}",
        f"no target for {name}{where_en}: allocate one with {_ALLOCATE.replace(' / ', ' or ')}"
        f"{then}",
    )


def status_note(
    plan: Plan,
    allocations: list[Allocation],
    rows: list[StatusRow],
    *,
    task: int | None,
    scope: str | None,
    indicator: Indicator | None = None,
) -> str | None:
    """Why ``status`` shows no target (no rows, or only activity rows, which have none)."""
    if any(r.target is not None for r in rows):
        return None
    targets = [
        t
        for t in all_targets(plan, allocations)
        if (task is None or plan.indicator(t.indicator).task == task)
        and (indicator is None or t.indicator == indicator.id)
    ]
    command = "povtrack status" + (f" --task {task}" if task is not None else "")
    command += f" --indicator {indicator.id}" if indicator is not None else ""
    label = tr(indicator.name, indicator.name_en) if indicator is not None else ""
    where_zh = f"在任务{task}中" if task is not None else ""
    where_en = f" in task {task}" if task is not None else ""
    if indicator is not None:
        where_zh = f"在任务{task}的{label}上" if task is not None else f"在{label}上"
        where_en = f" on {label}{where_en}"
    if scope is None:
        if where_en:
            return tr(f"计划{where_zh}没有任何目标", f"the plan sets no target{where_en}")
        return tr("计划中没有任何目标", "the plan has no targets")
    elsewhere = _elsewhere(plan, targets, scope, command)
    return _no_target(plan, scope, where_zh, where_en, elsewhere, nowhere=not targets)


def target_note(
    plan: Plan, allocations: list[Allocation], ind: Indicator, scope: str, command: str
) -> str | None:
    """What to do when ``trend`` or ``explain`` of one indicator on one scope finds no target
    there but some elsewhere (None: it has one, or the indicator has none anywhere, as an
    activity, which the view itself says). ``command``: the same without --area."""
    targets = [t for t in all_targets(plan, allocations) if t.indicator == ind.id]
    if not targets or any(t.scope == scope for t in targets):
        return None
    label = tr(ind.name, ind.name_en)
    where_zh, where_en = f"在{label}上", f" on {label}"
    elsewhere = _elsewhere(plan, targets, scope, command)
    return _no_target(plan, scope, where_zh, where_en, elsewhere, nowhere=False)


def no_entries_note(counting: int) -> str | None:
    """Why ``status``, ``board`` or ``missing`` shows no figure anywhere: nothing counts yet
    (``counting`` entries do)."""
    if counting:
        return None
    return tr(
        "还没有计入的记录，所以处处都是“未报送”：用 `povtrack record` 录入，"
        "或用 `povtrack import` 导入报表",
        "no entries yet, so every figure is missing: record one with `povtrack record` or "
        "take in returns with `povtrack import`",
    )


def log_note(
    plan: Plan,
    *,
    shown: int,
    counting: int,
    recorded: int,
    area: str | None,
    indicator: str | None,
    everything: bool,
) -> str | None:
    """Why ``log`` lists nothing: ``shown`` entries listed, out of ``counting`` that count and
    ``recorded`` ever recorded; ``area`` and ``indicator`` the ids of its filters, if any."""
    if shown:
        return None
    if not recorded:
        return tr(
            "还没有任何记录：用 `povtrack record` 录入一条，或用 `povtrack import` 导入报表",
            "no entries yet: record one with `povtrack record` or take in returns with "
            "`povtrack import`",
        )
    pool = recorded if everything else counting
    if area is None and indicator is None:  # not --all, and nothing counts
        return tr(
            f"没有计入的记录：全部{recorded}条都已被更正、替换或撤销；`povtrack log --all` 可查看",
            f"no entry counts: all {recorded} recorded were corrected, replaced or undone; "
            "`povtrack log --all` shows them",
        )
    filters = [_name(plan, area)] if area else []
    filters += [indicator] if indicator else []
    which = tr(" 和 ".join(filters), " and ".join(filters))
    more = (
        ""
        if everything or recorded == counting
        else tr(
            "；加 --all 可包括已更正、替换或撤销的记录",
            "; --all includes corrected, replaced and undone ones",
        )
    )
    if not pool:
        return tr(
            f"没有计入的记录：全部{recorded}条都已被更正、替换或撤销{more}",
            f"no entry counts: all {recorded} recorded were corrected, replaced or undone{more}",
        )
    return tr(
        f"筛选没有匹配：{pool}条记录中没有 {which} 的{more}",
        f"the filter matched nothing: no entry for {which} among the {pool} "
        f"{'recorded' if everything else 'that count'}{more}",
    )

"""What ``correct`` and ``undo`` do: a correction is a new entry that supersedes an old one,
an undo a batch that says another batch is undone; nothing is changed or deleted. Each reads
only what it touches (the corrected entry's series; a count of the batch's entries).

Validates everything first, then changes the store in memory; the caller commits once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from povtrack.actions.writes import Recorded, readable, recorded
from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.names import reportable
from povtrack.returns.cells import note_text, parse_value
from povtrack.storage.base import Backend


def correct_entry(store: Backend, entry_id: int, value: str, *, reason: str, by: str) -> Recorded:
    """A correction: a new entry with the same indicator, area and date that supersedes the
    old one. Both stay in the log. Returns the new entry and what it means."""
    from povtrack.i18n import current_lang
    from povtrack.ledger import COUNTS, REPLACED, counting_entry, entry_states, state_words

    old = store.entry(entry_id)
    if old is None:
        raise UsageError(
            tr(
                f"没有第{entry_id}条记录（见 'povtrack log --all'）",
                f"no entry {entry_id} (see 'povtrack log --all')",
            )
        )
    try:
        reportable(store.plan, store.plan.indicator(old.indicator))
    except UsageError as exc:
        raise UsageError(
            tr(
                f"第{entry_id}条记录永远不会计入：{exc.message}",
                f"entry {entry_id} can never count: {exc.message}",
            )
        ) from None
    # the states of its series' entries: a correction, a later report of the date and an undo
    # all stay within the series (indicator and area) of what they replace
    history = store.series_entries([old.indicator], area=old.area)
    states = entry_states(history, store.batches())
    state = states[entry_id]
    if state != COUNTS:
        why = tr(
            f"第{entry_id}条记录{state_words(state, current_lang())}",
            f"entry {entry_id} is {state}",
        )
        if state.startswith(REPLACED):
            why += tr(
                "（同一地区、指标和日期的后一次填报）",
                " (a later report for the same area, indicator and date)",
            )
        counting = counting_entry(history, states, old)
        if counting is None:
            raise UsageError(
                tr(
                    f"{why}；{old.area} {old.indicator} 在 {old.date.isoformat()} 没有计入的记录"
                    "（请改为记录一个新数值）",
                    f"{why}; no entry counts for {old.area} {old.indicator} on "
                    f"{old.date.isoformat()} (record a new value instead)",
                )
            )
        raise UsageError(
            tr(
                f"{why}；请更正计入的那条：第{counting.id}条记录",
                f"{why}; correct entry {counting.id}, the entry that counts",
            )
        )
    reason = readable(reason, "--reason").strip()
    if not reason:
        raise UsageError(
            tr("更正需要写明原因（--reason TEXT）", "a correction needs a reason (--reason TEXT)")
        )
    number = parse_value(value, store.plan.indicator(old.indicator))
    batch = store.add_batch("correct", by, reason=reason)
    row = {
        "indicator": old.indicator,
        "area": old.area,
        "date": old.date,
        "value": number,
        "note": old.note,
        "source": f"correct {entry_id}",
        "corrects": entry_id,
        "reason": note_text(reason),
    }
    before = store.series_ledger([(old.indicator, old.area)])
    new_id = store.add_entries([row], by=by, batch=batch)[0]
    new = store.entry(new_id)
    assert new is not None
    return recorded(store, before, new)


@dataclass
class Undone:
    undo: str  # the undo batch
    batch: dict[str, Any]  # the batch it reverts
    entries: int  # how many entries stop counting (or count again, for an undone undo)


def undo_batch(store: Backend, batch_id: str | None, *, reason: str, by: str) -> Undone:
    """Revert a batch by recording that it is undone; nothing is deleted. Without an id: the
    newest batch that is in force and is not itself an undo."""
    from povtrack.ledger import undone_batches

    batches = store.batches()
    undone = undone_batches(batches)
    target: dict[str, Any] | None
    if batch_id is None:
        candidates = [b for b in batches if b["kind"] != "undo" and b["id"] not in undone]
        if not candidates:
            raise UsageError(tr("没有可撤销的操作", "nothing to undo"))
        target = candidates[-1]
    else:
        target = next((b for b in batches if b["id"] == batch_id), None)
        if target is None:
            known = ", ".join(b["id"] for b in batches[-5:]) or tr("无", "none")
            raise UsageError(
                tr(
                    f"没有批次“{batch_id}”（最新的：{known}；见 'povtrack log --all'）",
                    f"no batch '{batch_id}' (newest: {known}; see 'povtrack log --all')",
                )
            )
        if target["id"] in undone:
            by = undone[target["id"]]
            raise UsageError(
                tr(
                    f"批次 {target['id']} 已被 {by} 撤销",
                    f"batch {target['id']} is already undone by {by}",
                )
            )
    affected = store.batch_size(target["id"])
    reason = readable(reason, "--reason").strip()
    undo = store.add_batch("undo", by, reverts=target["id"], reason=note_text(reason))
    return Undone(undo, target, affected)

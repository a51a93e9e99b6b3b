"""Corrections and undos that do not point back in time: found in the records of either
backend (pure; the backends gather the links and say where each record is).

povtrack only ever records a correction of an earlier entry and an undo of an earlier batch, so
following ``corrects`` or ``reverts`` always goes back and ends. A link to the record itself or
to a later one is a hand edit, and the only way to make a loop (each loop has at least one
such link). Reading one would make the entries that count depend on the order they are looked
at in, so the file is refused, naming the link, and the loop it closes if it closes one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

from povtrack.i18n import tr

K = TypeVar("K", int, str)
_SHOWN = 8  # ids of a loop shown before "…"


def bad_corrections(
    corrections: Mapping[int, int], exists: Callable[[int], bool]
) -> list[tuple[int, str]]:
    """(entry id, what is wrong) for each correction (entry id -> the id it corrects) that does
    not name an earlier entry; ``exists``: whether an entry id is recorded (a correction of
    no entry is said elsewhere)."""
    return _forward(
        corrections,
        lambda entry_id: entry_id if exists(entry_id) else None,
        (
            tr("更正", "corrects"),
            tr("记录 ", "entry "),
            tr("更正", "corrections"),
            tr("更正只能指向更早的记录", "a correction names an earlier entry"),
        ),
    )


def bad_undos(reverts: Mapping[str, str], order: Mapping[str, int]) -> list[tuple[str, str]]:
    """(batch id, what is wrong) for each undo (batch id -> the batch it reverts) that does not
    name an earlier batch; ``order``: each recorded batch's place."""
    words = (
        tr("撤销", "reverts"),
        tr("批次 ", ""),
        tr("撤销", "undos"),
        tr("撤销只能指向更早的批次", "an undo names an earlier batch"),
    )
    return _forward(reverts, order.get, words)


def _forward(
    links: Mapping[K, K], rank: Callable[[K], int | None], words: tuple[str, str, str, str]
) -> list[tuple[K, str]]:
    verb, noun, plural, rule = words
    out: list[tuple[K, str]] = []
    for source in sorted(links, key=lambda k: (rank(k) is None, rank(k) or 0, str(k))):
        target = links[source]
        if target == source:
            out.append((source, tr(f"{verb}自身（{rule}）", f"{verb} itself ({rule})")))
            continue
        here, there = rank(source), rank(target)
        if here is None or there is None or there < here:
            continue
        loop = _loop(links, source)
        said = tr(
            f"{verb}{noun}{target}，而它记录在后", f"{verb} {noun}{target}, recorded after it"
        )
        if loop:
            shown: list[str] = [str(k) for k in loop[:_SHOWN]] + (
                ["…"] if len(loop) > _SHOWN else []
            )
            chain = " → ".join([*shown, str(source)])
            out.append(
                (
                    source,
                    tr(
                        f"{said}：{plural}形成循环（{chain}）",
                        f"{said}: {plural} in a loop ({chain})",
                    ),
                )
            )
        else:
            out.append((source, tr(f"{said}（{rule}）", f"{said} ({rule})")))
    return out


def _loop(links: Mapping[K, K], start: K) -> list[K]:
    """The records from ``start`` round to it again by following ``links``, or [] when the
    chain ends (or runs into a loop that does not come back to ``start``)."""
    path, seen = [start], {start}
    step = links[start]
    while step not in seen:
        if step not in links:
            return []
        path.append(step)
        seen.add(step)
        step = links[step]
    return path if step == start else []

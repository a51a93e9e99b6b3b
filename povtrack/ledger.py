"""Which entries count: the history of records, corrections, undos and repeated reports, read.

Pure: no I/O. Nothing is ever removed from the database; every read works out from the whole
history what counts, by one rule, which ``status`` (``progress.Ledger``), ``log``, ``log
--all``, ``explain`` and ``correct`` all follow:

1. an entry whose batch was undone (by an undo still in force) does not count: ``undone by bN``;
2. an entry corrected by a correction that itself counts by rule 1 (the newest such
   correction wins; corrections chain) does not count: ``superseded by #N``;
3. of the entries left for one area, indicator and date, the one recorded last counts; every
   other one is ``replaced by #N``, N being the one that counts. Only an entry that counts by
   rules 1 and 2 replaces another: an undone or superseded later report replaces nothing.

``EntryTable.not_counting`` and ``sqlitereads.not_counting`` apply rules 1 and 2 from the
stored columns; ``Ledger`` and ``EntryTable.replaced`` apply rule 3 the same way.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from povtrack.model import Entry

COUNTS = "counts"
# The states' words, exactly as JSON and the exports give them (N: an entry id, bN a batch).
SUPERSEDED = "superseded by #"
UNDONE = "undone by "
REPLACED = "replaced by #"


def undone_batches(batches: list[dict[str, Any]]) -> dict[str, str]:
    """Batch id -> the undo batch that reverted it, counting only undos still in force (an
    undo can itself be undone, which puts its batch back)."""
    reverts = {
        b["id"]: b["reverts"] for b in batches if b.get("kind") == "undo" and b.get("reverts")
    }
    reverted_by: dict[str, list[str]] = defaultdict(list)
    for undo, target in reverts.items():
        reverted_by[target].append(undo)
    # An undo only ever names an earlier batch (the checks on open refuse a loop), so going
    # from the newest batch to the oldest, every undo of a batch is settled before the batch:
    # one pass, no recursion, however long a chain of undos of undos.
    live: dict[str, bool] = {}
    for b in reversed(batches):
        live[b["id"]] = not any(live.get(u, True) for u in reverted_by.get(b["id"], ()))
    return {target: undo for undo, target in reverts.items() if live.get(undo, True)}


def files_in_force(batches: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """sha256 -> the import batch in force that took that file (an undone file may be
    imported again)."""
    undone = undone_batches(batches)
    return {f["sha256"]: b for b in batches if b["id"] not in undone for f in b.get("files", [])}


def replacements(entries: Iterable[Entry]) -> dict[int, int]:
    """Rule 3 over entries that count by rules 1 and 2: the id of every entry that a later
    one for the same area, indicator and date replaces -> the id of the one that counts."""
    newest: dict[tuple[str, str, date], int] = {}
    ordered = sorted(entries, key=lambda e: e.id)
    for e in ordered:
        newest[(e.indicator, e.area, e.date)] = e.id
    out: dict[int, int] = {}
    for e in ordered:
        last = newest[(e.indicator, e.area, e.date)]
        if last != e.id:
            out[e.id] = last
    return out


def entry_states(entries: list[Entry], batches: list[dict[str, Any]]) -> dict[int, str]:
    """Every entry's standing: ``counts``, ``undone by bN``, ``superseded by #N`` or
    ``replaced by #N`` (the module's rules). Nothing is ever removed: this is how the history
    is read."""
    undone = undone_batches(batches)
    states: dict[int, str] = {}
    for e in entries:
        states[e.id] = f"{UNDONE}{undone[e.batch]}" if e.batch in undone else COUNTS
    # the newest correction in force wins; a correction of a correction chains
    for e in sorted(entries, key=lambda e: e.id):
        target = e.corrects
        if target is not None and states[e.id] == COUNTS and states.get(target) == COUNTS:
            states[target] = f"{SUPERSEDED}{e.id}"
    left = [e for e in entries if states[e.id] == COUNTS]
    for old, new in replacements(left).items():
        states[old] = f"{REPLACED}{new}"
    return states


def effective_entries(entries: list[Entry], batches: list[dict[str, Any]]) -> list[Entry]:
    """The entries that count (``counts``), in the order given."""
    states = entry_states(entries, batches)
    return [e for e in entries if states[e.id] == COUNTS]


def counting_or_replaced(entries: list[Entry], batches: list[dict[str, Any]]) -> list[Entry]:
    """The entries that count and those a later report for the same date replaced (rule 3
    only): what ``explain`` shows and names."""
    states = entry_states(entries, batches)
    return [e for e in entries if states[e.id] == COUNTS or states[e.id].startswith(REPLACED)]


def counting_entry(entries: list[Entry], states: dict[int, str], of: Entry) -> Entry | None:
    """The entry that counts for ``of``'s area, indicator and date (``of`` itself when it
    counts), or None when none does (all of them undone)."""
    key = (of.indicator, of.area, of.date)
    return next(
        (e for e in entries if states[e.id] == COUNTS and (e.indicator, e.area, e.date) == key),
        None,
    )

"""An inbox on a shared drive: offices drop their returns in, one scheduled run takes them in.

The database stays on one machine; only this run writes it. Files are taken oldest first (by
modification time, then name), each as its own import, so one bad file holds up nobody else.
Each file ends in ``done/`` or in ``rejected/`` with ``NAME.reason.txt`` beside it. A file is
moved only after its import is committed: a crash in between leaves it in the inbox, and the
next run finds it "already imported" and moves it on.
"""

from __future__ import annotations

import contextlib
import gc
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from povtrack import safefile
from povtrack.errors import PovtrackError, UsageError
from povtrack.ops import RunWarning, database_warnings, import_returns
from povtrack.store import Backend, Store

RETURN_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".xlsm")
DEFAULT_SETTLE = 5.0


@dataclass
class Outcome:
    name: str
    status: str  # imported | already | rejected | waiting
    message: str
    moved_to: str | None = None
    warnings: list[RunWarning] = field(default_factory=list)  # accepted, but worth a look

    def as_json(self) -> dict[str, Any]:
        return {
            "file": self.name,
            "status": self.status,
            "message": self.message,
            "moved_to": self.moved_to,
            "warnings": [w.as_json() for w in self.warnings],
        }


@dataclass
class InboxRun:
    inbox: Path
    outcomes: list[Outcome] = field(default_factory=list)
    stopped: PovtrackError | None = None  # why the run ended early; the rest wait for the next

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)


def waiting_files(inbox: Path) -> list[Path]:
    """Files in the inbox itself (not its folders), oldest first; hidden and Office lock
    files (``~$book.xlsx``) are not returns."""
    files = [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith((".", "~$"))]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def take_inbox(
    db: Path,
    inbox: Path,
    *,
    by: str,
    encoding: str | None = None,
    settle: float = DEFAULT_SETTLE,
    lock_timeout: float = safefile.DEFAULT_LOCK_TIMEOUT,
) -> InboxRun:
    if not inbox.is_dir():
        raise UsageError(f"{inbox}: no such folder (the inbox is a folder of return files)")
    if safefile.real_path(inbox) == safefile.real_path(db).parent:
        raise UsageError(
            f"{inbox}: this is the database's own folder; give the offices a separate inbox "
            "folder (the database and its backups must never be moved)"
        )
    Store.open(db)  # a missing or broken database stops the run before any file is moved
    run = InboxRun(inbox)
    # One run at a time per inbox; each import also takes the database lock.
    with safefile.DbLock(inbox / ".povtrack-inbox", lock_timeout):
        now = time.time()
        for path in waiting_files(inbox):
            try:
                age = now - path.stat().st_mtime
            except FileNotFoundError:
                continue  # taken away meanwhile
            if age < settle:
                run.outcomes.append(
                    Outcome(path.name, "waiting", f"changed {age:.0f} s ago; still arriving?")
                )
                continue
            try:
                run.outcomes.append(_take(db, inbox, path, by, encoding, lock_timeout))
            except PovtrackError as exc:  # busy, unwritable or broken database: stop here
                run.stopped = exc
                break
            finally:
                # The command runs without automatic collection (cli.app.main); a long run
                # over many workbooks would keep each one's reference cycles until the end.
                gc.collect()
    return run


def _take(
    db: Path, inbox: Path, path: Path, by: str, encoding: str | None, lock_timeout: float
) -> Outcome:
    if path.suffix.lower() not in RETURN_SUFFIXES:
        kinds = ", ".join(RETURN_SUFFIXES)
        reason = f"{path.name}: not a return file (povtrack takes {kinds})"
        return _reject(inbox, path, [reason])
    store: Backend | None = None
    try:
        with Store.writing(db, lock_timeout=lock_timeout) as store:
            result = import_returns(store, [path], by=by, encoding=encoding, base=inbox)
            store.commit()
    except UsageError as exc:
        outcome = _reject(inbox, path, exc.lines())
        outcome.warnings += database_warnings(store.warnings if store else [])
        return outcome
    moved = _move(path, inbox / "done")
    warnings = result.warnings + database_warnings(store.warnings)
    if result.batch:
        message = f"imported {result.added} entries as batch {result.batch}"
        if result.unchanged:
            message += f"; {result.unchanged} unchanged rows skipped"
        return Outcome(path.name, "imported", message, moved, warnings)
    earlier = result.already[0].split(" (", 1)[-1].rstrip(")") if result.already else ""
    return Outcome(path.name, "already", earlier or "nothing new", moved, warnings)


def _reject(inbox: Path, path: Path, reasons: list[str]) -> Outcome:
    moved = _move(path, inbox / "rejected")
    if moved is not None:
        note = Path(moved).with_name(Path(moved).name + ".reason.txt")
        text = "".join(f"{line}\n" for line in reasons)
        with contextlib.suppress(OSError):
            note.write_text(text, encoding="utf-8")
    summary = reasons[1] if len(reasons) > 1 else reasons[0]  # the first problem, with its line
    if len(reasons) > 2:
        summary += f" (and {len(reasons) - 2} more)"
    return Outcome(path.name, "rejected", summary, moved)


def _move(path: Path, folder: Path) -> str | None:
    """Move without overwriting: a second W23.csv becomes W23-2.csv."""
    folder.mkdir(exist_ok=True)
    dest, n = folder / path.name, 2
    while dest.exists():
        dest, n = folder / f"{path.stem}-{n}{path.suffix}", n + 1
    try:
        os.rename(path, dest)
    except FileNotFoundError:
        return None
    return str(dest)

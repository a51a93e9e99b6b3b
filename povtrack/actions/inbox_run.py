"""What one run of the inbox reports (``actions.inbox``): each file's outcome, the problems of
the inbox's own folders, and why the run stopped early, if it did. Nothing here moves a file or
writes the database; the command line turns a run into lines, JSON and an exit code
(docs/exit-codes.md: 2 for a file rejected or left, 7 for a file the server refused).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from povtrack.actions.writes import RunWarning
from povtrack.errors import PovtrackError
from povtrack.i18n import tr


def consequence(name: str) -> str:
    """What an unusable done/ or rejected/ folder means for the files of this run."""
    if name == "done":
        return tr(
            "在把它移走之前，报表都会留在收件箱中",
            "returns are left in the inbox until it is moved away",
        )
    return tr(
        "在把它移走之前，要退回的文件都会留在收件箱中",
        "files to reject are left in the inbox until it is moved away",
    )


@dataclass
class Outcome:
    name: str
    status: str  # imported | already | rejected | waiting | left
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
    problems: list[str] = field(default_factory=list)  # the inbox's own, one line each
    stopped: PovtrackError | None = None  # why the run ended early; the rest wait for the next
    # files a database server refused this login (left in the inbox, each an outcome "left")
    refused: list[str] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

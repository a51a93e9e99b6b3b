"""povtrack's own errors, each carrying the exit code the CLI turns it into.

The exit codes are a promise to users' scripts (docs/exit-codes.md):
0 success, 1 internal error, 2 usage or invalid input, 3 ``check`` findings,
4 database missing/unreadable/corrupt/newer, 5 database busy, 6 write failed,
7 not permitted (a database server refused this login).
"""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    OK = 0
    INTERNAL = 1
    USAGE = 2
    FINDINGS = 3
    DATABASE = 4
    BUSY = 5
    WRITE_FAILED = 6
    NOT_PERMITTED = 7


class PovtrackError(Exception):
    """An error a user can cause; the CLI prints each line of it on stderr."""

    exit_code: ExitCode = ExitCode.INTERNAL

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or []

    def lines(self) -> list[str]:
        return [self.message, *self.details] if self.message else list(self.details)


class UsageError(PovtrackError):
    """Bad arguments or invalid input: unknown names, bad values, bad rows. Nothing written."""

    exit_code = ExitCode.USAGE


class PlanError(UsageError):
    """A plan file that does not validate; the message names the file and the key."""


class DatabaseError(PovtrackError):
    """The database is missing, unreadable, corrupt or from a newer schema."""

    exit_code = ExitCode.DATABASE


class WriteError(PovtrackError):
    """A write failed; the database is unchanged."""

    exit_code = ExitCode.WRITE_FAILED


class NotPermittedError(PovtrackError):
    """The database server refused this login the action (its role may not); nothing written."""

    exit_code = ExitCode.NOT_PERMITTED


class BusyError(PovtrackError):
    """Another povtrack holds the database lock, or changed the file while we worked."""

    exit_code = ExitCode.BUSY


class Interrupted(BaseException):
    """SIGTERM or Ctrl-C. A BaseException, so that only the entry point catches it and every
    ``finally`` on the way (temp files, the lock) still runs."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.exit_code = 128 + signum


def interruption(exc: BaseException) -> Interrupted | None:
    """The Interrupted that ``exc`` was raised from, if any: Python 3.11 raises a signal that
    came while it ran a class's ``__set_name__`` as a RuntimeError caused by it, and a catch-all
    ``except Exception`` must hand it on, not report it as something else."""
    seen: set[int] = set()
    cause: BaseException | None = exc
    while cause is not None and id(cause) not in seen:
        if isinstance(cause, Interrupted):
            return cause
        seen.add(id(cause))
        cause = cause.__cause__ or cause.__context__
    return None

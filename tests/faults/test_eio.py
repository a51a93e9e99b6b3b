"""An I/O error at every file-system call of a commit, one at a time and from then on.

SQLite's I/O-error loop (reliability.md, C2): for N = 1, 2, … the N-th call to one of the
file-system functions a commit uses raises EIO. For every N the command either succeeds or
exits 6, never with a traceback, and the database is exactly the state before or after it.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.helpers.db import entry_docs

PATCHED = ("open", "fsync", "replace", "link", "chmod", "mkdir", "rename")
RECORD = ["record", "housing.relocated_people", "5200", "--area", "阳高县", "--week", "2018-W23"]


class FailAfter:
    """Counts calls to the patched functions; the N-th (and with ``persist`` every later)
    call raises EIO."""

    def __init__(self, n: int, persist: bool) -> None:
        self.n, self.persist, self.calls, self.failed = n, persist, 0, 0

    def wrap(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self.n or (self.persist and self.calls > self.n):
                self.failed += 1
                raise OSError(errno.EIO, "Input/output error (injected)")
            return fn(*args, **kwargs)

        return wrapper


def stored_entries(db: Path) -> dict[int, dict[str, Any]]:
    return entry_docs(json.loads(db.read_bytes()))


@pytest.mark.parametrize("persist", [False, True], ids=["once", "from-then-on"])
def test_eio_at_every_call_is_all_or_nothing(
    run, initialised, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, persist
) -> None:
    pristine = tmp_path / "pristine.json"
    shutil.copyfile(db_path, pristine)
    before = db_path.read_bytes()
    n = 0
    outcomes: list[int] = []
    while True:
        n += 1
        assert n < 200, "the command never got through"
        shutil.copyfile(pristine, db_path)
        shutil.rmtree(tmp_path / "db.json.backups", ignore_errors=True)
        fault = FailAfter(n, persist)
        with monkeypatch.context() as m:
            for name in PATCHED:
                m.setattr(os, name, fault.wrap(getattr(os, name)))
            result = run(*RECORD)
        assert "Traceback" not in result.stderr and "internal error" not in result.stderr, (
            n,
            result.stderr,
        )
        entries = stored_entries(db_path)  # always whole, valid JSON
        if result.exit_code == 0:
            assert len(entries) == 1, (n, "reported success but nothing was committed")
        else:
            assert result.exit_code == 6, (n, result.exit_code, result.stderr)
            assert db_path.read_bytes() == before, (n, "failed but the database changed")
            assert "unchanged" in result.stderr or "nothing was written" in result.stderr
        assert not list(tmp_path.glob(".db.json.*.tmp")), (n, "temp file left behind")
        outcomes.append(result.exit_code)
        if fault.failed == 0:
            break  # the command made fewer than n calls: every call has been failed once
    # the loop really went through the commit's calls, and some of them were fatal
    assert n > 5
    assert outcomes.count(6) >= 3, outcomes

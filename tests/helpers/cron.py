"""Shared by cli/test_cron_script.py and cli/test_deployment_script.py: a script printed in the
docs with its settings filled in, and run as cron runs it (an empty environment but for PATH
and HOME, /bin/sh)."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

BEGIN, END = "# --- settings ---", "# --- end of settings ---"


def with_settings(script: str, values: dict[str, str]) -> str:
    """The script with the values of its settings replaced (exactly the names in ``values``),
    every other line unchanged."""
    lines = script.splitlines(keepends=True)
    begin = next(i for i, line in enumerate(lines) if line.strip() == BEGIN)
    end = next(i for i, line in enumerate(lines) if line.strip() == END)
    assert begin < end
    seen = []
    for i in range(begin + 1, end):
        found = re.match(r"([A-Z_]+)=", lines[i])
        if found is None:
            continue
        name = found.group(1)
        seen.append(name)
        lines[i] = f"{name}='{values[name]}'\n"
    assert sorted(seen) == sorted(values), seen
    changed = "".join(lines)
    before = script.splitlines()
    after = changed.splitlines()
    assert len(before) == len(after)
    outside = [n for n in range(len(before)) if not begin < n < end]
    assert [before[n] for n in outside] == [after[n] for n in outside]
    return changed


def under_cron(script: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """Run ``script`` as cron would: ``env -i PATH=/usr/bin:/bin HOME=…``, from ``home``."""
    return subprocess.run(
        ["/usr/bin/env", "-i", "PATH=/usr/bin:/bin", f"HOME={home}", "/bin/sh", str(script)],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
        cwd=home,
    )

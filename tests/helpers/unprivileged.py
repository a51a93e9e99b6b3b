"""povtrack run by a user that file permissions apply to, in a real subprocess.

CI runs as root, and root ignores file permissions, so a test of a folder nobody may write to
would prove nothing there. ``pov_as_user`` drops the privilege first, with ``setpriv``:

* to the user ``nobody`` when that user can run this Python (its interpreter and povtrack are
  in folders ``nobody`` may enter);
* otherwise (this Python lives in a private folder such as ``/root``) to root without any
  capability: the process keeps uid 0, so it can still run this Python, but without
  CAP_DAC_OVERRIDE it is held to the owner's permission bits like any user, so a folder of
  mode 0555 cannot be written.

Not root at all: permissions apply already, and the command runs as it is. Either way
``can_write`` says whether the test's process could write a folder, so a test first shows
that the folder really is closed to it.

The files such a user needs must be in a folder it can reach: ``shared_folder`` makes one
under /tmp (a test's tmp_path may sit below a private 0700 folder).
"""

from __future__ import annotations

import functools
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest


@functools.cache
def drop_privileges() -> tuple[str, ...]:
    """The command prefix that makes a process one that file permissions apply to."""
    if os.geteuid() != 0:
        return ()
    nobody = pwd.getpwnam("nobody")
    as_nobody = (
        "setpriv",
        f"--reuid={nobody.pw_uid}",
        f"--regid={nobody.pw_gid}",
        "--clear-groups",
    )
    probe = subprocess.run(
        [*as_nobody, sys.executable, "-c", "import povtrack.cli"],
        env=_env(Path("/")),
        cwd="/",
        capture_output=True,
        check=False,
    )
    if probe.returncode == 0:
        return as_nobody
    return ("setpriv", "--clear-groups", "--inh-caps=-all", "--bounding-set=-all")


def _env(home: Path, db: Path | None = None) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith("POVTRACK_") and k not in ("COLUMNS", "TMPDIR")
    }
    env |= {
        "POVTRACK_LANG": "en",
        "POVTRACK_USER": "tester",
        "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg-data"),
        "PYTHONIOENCODING": "utf-8",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    path = os.environ.get("PYTHONPATH")
    if path:  # the povtrack under test, as an absolute path (the child runs elsewhere)
        env["PYTHONPATH"] = os.pathsep.join(str(Path(p).resolve()) for p in path.split(os.pathsep))
    if db is not None:
        env["POVTRACK_DB"] = str(db)
    return env


def can_write(folder: Path) -> bool:
    """Whether the dropped-privilege user can create a file in ``folder`` (tried for real)."""
    probe = folder / ".write-probe"
    code = f"open({str(probe)!r}, 'x').close()"
    done = subprocess.run(
        [*drop_privileges(), sys.executable, "-c", code],
        env=_env(Path("/")),
        cwd="/",
        capture_output=True,
        check=False,
    )
    if done.returncode == 0:
        probe.unlink()
        return True
    return False


def pov_as_user(
    db: Path, *args: str, home: Path, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """``python -m povtrack ARGS`` on ``db`` as the dropped-privilege user (``home``: a
    folder of its own for HOME, outside the folder under test)."""
    return subprocess.run(
        [*drop_privileges(), sys.executable, "-m", "povtrack", *args],
        env=_env(home, db),
        cwd="/",
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="backslashreplace",
        timeout=timeout,
        check=False,
    )


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A fresh folder under /tmp (mode 0755) that any user can enter; removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="povtrack-test-", dir="/tmp"))
    os.chmod(folder, 0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if path.is_dir() and not path.is_symlink():
                os.chmod(path, 0o755)
        shutil.rmtree(folder)

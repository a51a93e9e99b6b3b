"""The benchmarks' own PostgreSQL server: started by ``bench.py`` for its run, stopped when the
run ends, whether it finishes, fails, is interrupted (Ctrl-C) or terminated (SIGTERM). Its
data folder is kept (``benchmarks/.work/pg``), so the generated databases in it are cached
between runs like the generated files; delete the folder to start afresh.

Invariants:

* it runs as an unprivileged user: the ``postgres`` OS user when the benchmark runs as root
  (``initdb`` refuses root), which then owns the data folder;
* it listens on no TCP address; its socket is in a private temporary folder made for this
  run (mode 0700) and removed afterwards; local logins are trusted, so every command connects
  as the cluster's superuser ``postgres`` without a password;
* it runs in a session of its own, so a Ctrl-C at the terminal reaches the benchmark, which
  stops the server in order, and not the server directly;
* a server left running on the data folder by an earlier run that was killed outright is
  stopped first (the folder is the benchmark's own).

Settings: durable as a real server (fsync and synchronous commit on, the defaults), with
``SETTINGS`` below: ``wal_level = minimal`` (no replication), so a table filled in the
transaction that made it is not written to the WAL a second time (the bulk fill of
``generate_db``); room for that fill's WAL between checkpoints; a larger buffer cache than the
128 MB default. Standard library only: psycopg is needed by the benchmark's other modules.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from urllib.parse import quote

MIN_VERSION = 15
SUPERUSER = "postgres"
LIB_ROOT = Path("/usr/lib/postgresql")  # Debian's place for each version's programs
TIMEOUT = 120
SETTINGS = {
    "wal_level": "minimal",
    "max_wal_senders": "0",
    "max_wal_size": "8GB",
    "checkpoint_timeout": "30min",
    "shared_buffers": "512MB",
    "maintenance_work_mem": "256MB",
}


def _version(initdb: Path) -> int:
    out = subprocess.run([str(initdb), "--version"], capture_output=True, text=True).stdout
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else 0


def server_bin() -> tuple[Path | None, str]:
    """The folder of ``initdb`` and ``pg_ctl`` (version 15 or later), or None and why not."""
    candidates: list[Path] = []
    if on_path := shutil.which("initdb"):
        candidates.append(Path(os.path.realpath(on_path)).parent)
    if LIB_ROOT.is_dir():
        found = [p for p in LIB_ROOT.glob("*/bin") if p.parent.name.isdigit()]
        candidates += sorted(found, key=lambda p: int(p.parent.name), reverse=True)
    for folder in candidates:
        programs = (folder / "initdb").is_file() and (folder / "pg_ctl").is_file()
        if programs and _version(folder / "initdb") >= MIN_VERSION:
            if os.geteuid() == 0:
                try:
                    pwd.getpwnam(SUPERUSER)
                except KeyError:
                    return None, "running as root, and there is no 'postgres' OS user to run it"
            return folder, ""
    why = f"the PostgreSQL {MIN_VERSION} server programs (initdb, pg_ctl) are not installed"
    return None, why + " (Debian package postgresql)"


@dataclass(frozen=True)
class Server:
    """A running server and how to reach it."""

    data: Path
    bin_dir: Path
    socket_dir: Path
    port: int

    def url(self, dbname: str = "postgres") -> str:
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{SUPERUSER}@/{quote(dbname, safe='')}?host={host}&port={self.port}"


def _as_server_user() -> list[str]:
    return ["runuser", "-u", SUPERUSER, "--"] if os.geteuid() == 0 else []


def _run(cmd: list[str], cwd: Path, log: Path | None = None, **kw: object) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")} | {"LC_ALL": "C"}
    done = subprocess.run(
        [*_as_server_user(), *cmd], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=TIMEOUT, **kw,  # type: ignore[call-overload]
    )  # fmt: skip
    if done.returncode != 0:
        tail = log.read_text(errors="replace")[-2000:] if log and log.exists() else ""
        raise RuntimeError(f"{' '.join(cmd)}: exit {done.returncode}\n{done.stderr}{tail}")


def _owned(path: Path) -> None:
    if os.geteuid() == 0:
        user = pwd.getpwnam(SUPERUSER)
        os.chown(path, user.pw_uid, user.pw_gid)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _reachable(root: Path) -> bool:
    """Whether the server's OS user can reach ``root`` (a clone in a private folder of root's,
    such as one made by ``mktemp -d``, is not)."""
    if os.geteuid() != 0:
        return True
    probe = subprocess.run([*_as_server_user(), "test", "-x", str(root)], capture_output=True)
    return probe.returncode == 0


def start(root: Path, bin_dir: Path) -> Server:
    """The server of ``root``/data, made by initdb the first time; ready when this returns.
    Where the server's OS user cannot reach ``root``, a folder of its own in the temporary
    folder instead (kept between runs as ``root`` would be)."""
    root.mkdir(parents=True, exist_ok=True)
    if not _reachable(root):
        root = Path(tempfile.gettempdir()) / "povtrack-bench-pg"
        print(f"-- {SUPERUSER} cannot reach the work folder: the server's data in {root}")
        root.mkdir(mode=0o700, exist_ok=True)
        _owned(root)
    data, log = root / "data", root / "server.log"
    if not (data / "PG_VERSION").exists():
        shutil.rmtree(data, ignore_errors=True)
        data.mkdir(mode=0o700)
        _owned(data)
        _owned(root)  # the server writes its log here
        _run(
            [str(bin_dir / "initdb"), "--pgdata", str(data), "--username", SUPERUSER,
             "--auth-local=trust", "--auth-host=reject", "--encoding=UTF8", "--no-locale",
             "--no-instructions"],
            root,
        )  # fmt: skip
        with (data / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# the benchmarks' server (benchmarks/pgserver.py)\n")
            conf.writelines(f"{key} = {value}\n" for key, value in SETTINGS.items())
    elif (data / "postmaster.pid").exists():  # left running by a run that was killed
        print(f"-- stopping a PostgreSQL server left running on {data}", flush=True)
        with contextlib.suppress(RuntimeError):  # not running: a stale pid file, replaced
            _run([str(bin_dir / "pg_ctl"), "-D", str(data), "-w", "-m", "fast", "stop"], root)
    sock = Path(tempfile.mkdtemp(prefix="povtrack-bench-pg-", dir="/tmp"))
    sock.chmod(0o700)
    _owned(sock)
    server = Server(data, bin_dir, sock, _free_port())
    options = f"-c listen_addresses='' -k {sock} -p {server.port}"
    try:
        _run(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
             "-w", "-t", str(TIMEOUT), "-s", "start"],
            root, log, start_new_session=True,
        )  # fmt: skip
    except BaseException:
        shutil.rmtree(sock, ignore_errors=True)
        raise
    return server


def stop(server: Server) -> None:
    """Stop the server (fast: open sessions are ended) and remove its socket folder."""
    try:
        if (server.data / "postmaster.pid").exists():
            pg_ctl = str(server.bin_dir / "pg_ctl")
            _run([pg_ctl, "-D", str(server.data), "-w", "-s", "-m", "fast", "stop"], server.data)
    finally:
        shutil.rmtree(server.socket_dir, ignore_errors=True)


def terminate_as_exit() -> None:
    """SIGTERM (and SIGHUP) end the benchmark as an exception does, so ``finally`` clauses
    (stopping the server among them) run; Ctrl-C is KeyboardInterrupt already."""

    def handler(signum: int, _frame: FrameType | None) -> None:
        raise SystemExit(128 + signum)

    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, handler)

"""A throwaway PostgreSQL cluster for the tests: made with ``initdb`` in a temporary folder,
reachable only through a Unix socket in that folder, stopped and removed when the run ends.

``pg_cluster`` (session scope) starts one cluster per test process, and only in a process whose
tests ask for it: with pytest-xdist each worker that runs a PostgreSQL test has its own (it
costs well under a second to make and start, so sharing one between workers would gain little
and would let one worker's roles and databases show in another's tests). ``pg_database``
(function scope) gives each test a fresh empty database in it, dropped afterwards together with
every role the test created, so role names can repeat from test to test.

Invariants of the cluster:

* it runs as an unprivileged user: when the tests run as root, as the ``postgres`` OS user
  (through ``runuser``), which owns the temporary folder; ``initdb`` refuses root anyway;
* it listens on no TCP address at all (``listen_addresses = ''``); its socket lives in a folder
  of its own (mode 0700), so only the test process's user (and the server's) can reach it, and
  the port number, picked free for each cluster, only names the socket file;
* local connections are trusted (``pg_hba``: ``local all all trust``), so a role made with
  ``CREATE ROLE name LOGIN`` can connect as itself without a password or an OS user of that
  name: whoever can reach the socket is already the test's own user, and what a role may do is
  still decided by its privileges, which is what the tests are about;
* settings for speed, not safety: no fsync, no synchronous commit (a crash loses the cluster,
  which is thrown away anyway).

The server programs come from the Debian package ``postgresql`` (version 15 or later). Where
they are missing a test that needs them skips and says so; in CI (``CI`` set in the
environment) it fails instead, as ``tests/helpers/render.py`` does for the print tools.
psycopg (the test extra) is imported only inside the fixtures, so this module costs nothing to
the tests that do not use PostgreSQL.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn
from urllib.parse import quote

import pytest

MIN_VERSION = 15
SUPERUSER = "postgres"  # the cluster's superuser, whatever OS user runs it
_LIB_ROOT = Path("/usr/lib/postgresql")  # where Debian puts each version's programs
_TIMEOUT = 60


def _missing(message: str) -> NoReturn:
    """Skip the test that needs PostgreSQL; fail it in CI, which must run every test."""
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


def _version(initdb: Path) -> int:
    out = subprocess.run(
        [str(initdb), "--version"], capture_output=True, text=True, check=False, timeout=_TIMEOUT
    ).stdout
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(found.group(1)) if found else 0


def server_bin(lib_root: Path = _LIB_ROOT) -> Path:
    """The folder of ``initdb`` and ``pg_ctl`` (PostgreSQL 15 or later): the one on the PATH,
    else the newest under ``lib_root``; skip the test (fail in CI) when there is none."""
    candidates: list[Path] = []
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(Path(os.path.realpath(on_path)).parent)  # Debian links into lib_root
    versions = lib_root.glob("*/bin") if lib_root.is_dir() else ()
    candidates += sorted(
        versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0, reverse=True
    )
    too_old = []
    for folder in candidates:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            if _version(folder / "initdb") >= MIN_VERSION:
                return folder
            too_old.append(str(folder))
    message = f"the PostgreSQL {MIN_VERSION} server programs (initdb, pg_ctl) are not installed"
    if too_old:
        message += f" (older versions in {', '.join(too_old)})"
    _missing(message + " (Debian package postgresql)")


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        _missing('psycopg is not installed (pip install ".[test]")')
    return psycopg


@dataclass(frozen=True)
class PgCluster:
    """A running throwaway cluster and how to reach it."""

    root: Path  # the temporary folder: data/, sock/, server.log
    bin_dir: Path
    port: int
    superuser: str = SUPERUSER
    started_in: float = field(default=0.0, compare=False)  # seconds for initdb and start

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root / "sock"

    def url(self, dbname: str = "postgres", user: str | None = None) -> str:
        """A ``postgresql://`` URL to ``dbname`` as ``user`` (the superuser by default), through
        the socket folder (libpq takes a host that starts with ``/`` as a socket folder)."""
        who = quote(user or self.superuser, safe="")
        host = quote(str(self.socket_dir), safe="")
        return f"postgresql://{who}@/{quote(dbname, safe='')}?host={host}&port={self.port}"

    def dsn(self, dbname: str = "postgres", user: str | None = None) -> str:
        """The same as ``url``, in libpq's ``key=value`` form."""
        return (
            f"host={self.socket_dir} port={self.port} dbname={dbname} user={user or self.superuser}"
        )

    def env(self, dbname: str = "postgres", user: str | None = None) -> dict[str, str]:
        """libpq's environment variables that point a client at ``dbname`` as ``user``."""
        return {
            "PGHOST": str(self.socket_dir),
            "PGPORT": str(self.port),
            "PGDATABASE": dbname,
            "PGUSER": user or self.superuser,
        }

    def connect(self, dbname: str = "postgres", user: str | None = None, **kwargs: Any) -> Any:
        """A psycopg connection (autocommit unless told otherwise)."""
        kwargs.setdefault("autocommit", True)
        return _psycopg().connect(self.url(dbname, user), **kwargs)


def _as_server_user() -> tuple[str, ...]:
    """The command prefix that runs a server program as an unprivileged user: the ``postgres``
    OS user when the tests run as root, nothing otherwise."""
    if os.geteuid() != 0:
        return ()
    try:
        pwd.getpwnam(SUPERUSER)
    except KeyError:
        _missing("running as root, and there is no 'postgres' OS user to run the server")
    return ("runuser", "-u", SUPERUSER, "--")


def _free_port() -> int:
    """A TCP port nothing listens on now: the server does not listen on it either (only its
    socket file is named after it), so a TCP client trying it must be refused."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env() -> dict[str, str]:
    # the caller's libpq settings (PGHOST, PGPORT...) must not steer initdb or pg_ctl
    env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
    env["LC_ALL"] = "C"
    return env


def _run(cmd: list[str], root: Path) -> None:
    done = subprocess.run(
        [*_as_server_user(), *cmd],
        cwd=root,  # a folder the server user may enter (the caller's may be private)
        env=_server_env(),
        capture_output=True,
        text=True,
        check=False,
        timeout=_TIMEOUT,
    )
    if done.returncode != 0:
        log = root / "server.log"
        tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(
            f"{' '.join(cmd)} exited {done.returncode}:\n{done.stdout}{done.stderr}{tail}"
        )


def start_cluster(bin_dir: Path) -> PgCluster:
    """initdb into a new temporary folder and start the server; ready when this returns."""
    began = time.monotonic()
    # under /tmp, not pytest's base temp: a socket path must stay under ~100 bytes, and when
    # running as root the server user must be able to enter every folder above its own
    root = Path(
        tempfile.mkdtemp(prefix="povtrack-pg-", dir="/tmp" if os.path.isdir("/tmp") else None)
    )
    (root / "sock").mkdir(mode=0o700)
    if os.geteuid() == 0:
        user = pwd.getpwnam(SUPERUSER)
        for path in (root, root / "sock"):
            os.chown(path, user.pw_uid, user.pw_gid)
    cluster = PgCluster(root=root, bin_dir=bin_dir, port=_free_port())
    try:
        _run(
            [
                str(bin_dir / "initdb"),
                "--pgdata", str(cluster.data_dir),
                "--username", SUPERUSER,
                # trusted Unix-socket logins (see the module's docstring), TCP refused outright
                "--auth-local=trust",
                "--auth-host=reject",
                "--encoding=UTF8",
                "--no-locale",  # byte-order collation: the same sorting on every machine
                "--no-sync",
                "--no-instructions",
            ],
            root,
        )  # fmt: skip
        settings = {
            "listen_addresses": "''",
            "unix_socket_directories": f"'{cluster.socket_dir}'",
            "port": str(cluster.port),
            "fsync": "off",
            "synchronous_commit": "off",
            "full_page_writes": "off",
        }
        with (cluster.data_dir / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# the tests' throwaway cluster (tests/helpers/pg.py)\n")
            conf.writelines(f"{key} = {value}\n" for key, value in settings.items())
        # -w: pg_ctl returns once the server accepts connections (or fails after -t seconds)
        _run(
            [
                str(bin_dir / "pg_ctl"),
                "--pgdata", str(cluster.data_dir),
                "--log", str(root / "server.log"),
                "-w", "-t", str(_TIMEOUT), "-s",
                "start",
            ],
            root,
        )  # fmt: skip
    except BaseException:
        stop_cluster(cluster)
        raise
    return PgCluster(
        root=root, bin_dir=bin_dir, port=cluster.port, started_in=time.monotonic() - began
    )


def stop_cluster(cluster: PgCluster) -> None:
    """Stop the server (fast: open sessions are ended) and remove its folder."""
    try:
        if (cluster.data_dir / "postmaster.pid").exists():
            pg_ctl = str(cluster.bin_dir / "pg_ctl")
            _run(
                [pg_ctl, "--pgdata", str(cluster.data_dir), "-w", "-s", "-m", "fast", "stop"],
                cluster.root,
            )
    finally:
        shutil.rmtree(cluster.root, ignore_errors=True)


@contextlib.contextmanager
def fresh_database(cluster: PgCluster) -> Iterator[str]:
    """A new empty database's name; afterwards it is dropped (its sessions ended) and so is
    every role made meanwhile (roles belong to the cluster, not to a database). Tests within
    one process run one at a time, so what appeared meanwhile is this test's own."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    with cluster.connect() as admin:
        roles_before = {row[0] for row in admin.execute("SELECT rolname FROM pg_roles")}
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield name
    finally:
        with cluster.connect() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            roles_after = {row[0] for row in admin.execute("SELECT rolname FROM pg_roles")}
            for role in sorted(roles_after - roles_before):
                admin.execute(f'DROP ROLE "{role}"')


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[PgCluster]:
    """The throwaway cluster of this test process, started by the first test that asks."""
    bin_dir = server_bin()
    _psycopg()
    cluster = start_cluster(bin_dir)
    try:
        yield cluster
    finally:
        stop_cluster(cluster)


@dataclass(frozen=True)
class PgDatabase:
    """A test's own empty database in the throwaway cluster."""

    cluster: PgCluster
    name: str

    def url(self, user: str | None = None) -> str:
        return self.cluster.url(self.name, user)

    def dsn(self, user: str | None = None) -> str:
        return self.cluster.dsn(self.name, user)

    def connect(self, user: str | None = None, **kwargs: Any) -> Any:
        return self.cluster.connect(self.name, user, **kwargs)


@pytest.fixture
def pg_database(pg_cluster: PgCluster, monkeypatch: pytest.MonkeyPatch) -> Iterator[PgDatabase]:
    """A fresh empty database for the test, dropped afterwards (with the roles it made). The
    caller's own libpq settings (PGHOST, PGSERVICE, PGPASSFILE...) are taken out of the
    environment for the test, so nothing it runs can reach another server by accident."""
    for key in [k for k in os.environ if k.startswith("PG")]:
        monkeypatch.delenv(key)
    with fresh_database(pg_cluster) as name:
        yield PgDatabase(pg_cluster, name)

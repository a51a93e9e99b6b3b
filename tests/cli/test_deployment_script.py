"""The city's weekly script of docs/deployment.md, run as printed against a PostgreSQL database:
it takes the e-mailed returns in through the inbox as the city's login, on behalf of each
county, publishes, and mails what is behind.

As for the README's script (tests/cli/test_cron_script.py), the script is read from the page,
and only the values between its settings markers are changed: povtrack and python are
stand-ins in a temporary "venv" running the povtrack under test, the folders are temporary,
the mailer appends to a file, the database is the test's own on the throwaway cluster (a local
socket: no password, no TLS, so the password file and root certificate named are not there).
It runs under cron's conditions: ``env -i`` with cron's PATH and HOME the temporary folder.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest

import povtrack
from tests.actions.test_inbox_pg import county_return
from tests.helpers.cron import under_cron, with_settings
from tests.helpers.pg import PgDatabase

ROOT = Path(__file__).parents[2]

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not Path("/bin/sh").exists(),
    reason="the script is for cron on Linux (GNU date)",
)


def page_script() -> str:
    """The ```sh block of docs/deployment.md that is a whole script."""
    text = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    [script] = [
        b for b in re.findall(r"^```sh\n(.*?)^```", text, flags=re.M | re.S) if b.startswith("#!")
    ]
    return script


def _venv(tmp: Path) -> Path:
    """bin/povtrack (the package under test), bin/python, bin/mail (appends to mailbox.txt)."""
    bin_dir = tmp / "venv" / "bin"
    bin_dir.mkdir(parents=True)
    source = Path(povtrack.__file__).resolve().parent.parent
    (bin_dir / "povtrack").write_text(
        f"#!{sys.executable}\nimport sys\nsys.path.insert(0, {str(source)!r})\n"
        "from povtrack.cli import main\nmain()\n",
        encoding="utf-8",
    )
    (bin_dir / "python").symlink_to(sys.executable)
    (bin_dir / "mail").write_text(
        f'#!/bin/sh\n{{ echo "MAIL $*"; cat; echo "END OF MAIL"; }} >>\'{tmp / "mailbox.txt"}\'\n',
        encoding="utf-8",
    )
    for name in ("povtrack", "mail"):
        (bin_dir / name).chmod(0o755)
    return bin_dir.parent


def test_the_city_script_takes_in_publishes_and_flags_what_is_behind(
    run: Any, pg_database: PgDatabase, tmp_path: Path
) -> None:
    assert run("--db", pg_database.url(), "init").exit_code == 0
    added = run("--db", pg_database.url(), "db", "user", "add", "city_hq", "--role", "city",
                "--no-password")  # fmt: skip
    assert added.exit_code == 0, added.stderr
    inbox = tmp_path / "returns-inbox"
    for week, age in ((25, 300), (26, 200)):
        for area in ("yanggao", "tianzhen"):
            county_return(inbox, week, area, age)
    venv = _venv(tmp_path)
    out = tmp_path / "reports"
    values = {
        "VENV": str(venv),
        "POVTRACK": str(venv / "bin" / "povtrack"),
        "DB": pg_database.url("city_hq"),
        "INBOX": str(inbox),
        "OUT": str(out),
        "MAILER": str(venv / "bin" / "mail"),
        "TO": "office@example.org",
        "PGPASSFILE": str(tmp_path / "absent.pgpass"),
        "PGSSLROOTCERT": str(tmp_path / "absent-root.crt"),
    }
    script = tmp_path / "weekly.sh"
    script.write_text(with_settings(page_script(), values), encoding="utf-8")
    done = under_cron(script, tmp_path)
    mailbox = tmp_path / "mailbox.txt"
    mail = mailbox.read_text(encoding="utf-8") if mailbox.exists() else ""
    assert done.returncode == 0, (done.stdout, done.stderr, mail)
    assert done.stdout == "" and done.stderr == ""  # cron would mail any output
    # every return taken in, by the city's login on behalf of its county
    assert sorted(p.name for p in (inbox / "done").iterdir()) == sorted(
        f"{a}-W{w}.csv" for w in (25, 26) for a in ("yanggao", "tianzhen")
    )
    with pg_database.connect() as conn:
        authors = conn.execute(
            'SELECT DISTINCT area, "by", on_behalf_of FROM povtrack.entries ORDER BY area'
        ).fetchall()
    assert [tuple(r) for r in authors] == [
        ("tianzhen", "city_hq", "tianzhen"),
        ("yanggao", "city_hq", "yanggao"),
    ]
    # published, and what is behind listed and mailed, one line a target
    [status] = out.glob("*-status.json")
    week = status.name.removesuffix("-status.json")
    rows = json.loads(status.read_text(encoding="utf-8"))["rows"]
    late = [r for r in rows if r["status"] in ("behind", "overdue")]
    assert late, "the sample returns leave some target behind"
    behind = (out / f"{week}-behind.txt").read_text(encoding="utf-8").splitlines()
    assert len(behind) == len(late)
    assert {line.split("\t")[0] for line in behind} == {r["scope_name"] for r in late}
    assert f"MAIL -s povtrack: {week} behind the pace office@example.org" in mail
    for name in (f"{week}-missing.txt", f"{week}-board.xlsx", f"{week}-weekly.xlsx"):
        assert (out / name).stat().st_size > 0, name

"""The README's weekly cron script, run as printed, publishes (issue 13, item 6).

The script is taken from README.md, not copied here: the first ``sh`` block under the heading
"A weekly update from cron". Only the lines between its ``# --- settings ---`` and
``# --- end of settings ---`` markers are changed, and only their values (the test checks that
the settings it expects are all there and that every other line is left as printed): povtrack
becomes a stand-in for the venv's console script that runs the povtrack under test, the
folders are temporary ones, and the mailer is a stand-in that appends its arguments and its
stdin to a file. It then runs under cron's conditions: ``env -i`` with cron's PATH
(/usr/bin:/bin), HOME set to the temporary folder, and no LANG, against the demo database.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import povtrack
from tests.helpers.cron import under_cron, with_settings

ROOT = Path(__file__).parents[2]
SAMPLE = ROOT / "sample_data" / "returns"
HEADING = "## A weekly update from cron"

pytestmark = pytest.mark.skipif(
    sys.platform != "linux" or not Path("/bin/sh").exists(),
    reason="the script is for cron on Linux (GNU date)",
)


def readme_script() -> str:
    """The first ```sh block after the heading (robust to text added before or after it, and
    to other blocks further down the section)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert HEADING in text, f"README.md has no '{HEADING}' section"
    section = text.split(HEADING, 1)[1]
    match = re.search(r"^```sh\n(.*?)^```", section, flags=re.M | re.S)
    assert match, "no ```sh block under the cron heading"
    return match.group(1)


def _stand_ins(tmp: Path) -> tuple[Path, Path, Path]:
    """The povtrack console script (running the package under test) and the mailer."""
    bin_dir = tmp / "bin"
    bin_dir.mkdir()
    exe = bin_dir / "povtrack"  # named as the console script: povtrack/__init__.py checks
    source = Path(povtrack.__file__).resolve().parent.parent
    exe.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(source)!r})\n"
        "from povtrack.cli import main\n"
        "main()\n",
        encoding="utf-8",
    )
    mailbox = tmp / "mailbox.txt"
    mailer = bin_dir / "mail"
    mailer.write_text(
        f'#!/bin/sh\n{{ echo "MAIL $*"; cat; echo "END OF MAIL"; }} >>\'{mailbox}\'\n',
        encoding="utf-8",
    )
    for path in (exe, mailer):
        path.chmod(0o755)
    return exe, mailer, mailbox


def _cron(tmp: Path, exe: Path, mailer: Path) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp / "reports"
    script = tmp / "weekly.sh"
    values = {
        "POVTRACK": str(exe),
        "DB": str(tmp / "demo.json"),
        "INBOX": str(tmp / "inbox"),
        "OUT": str(out),
        "MAILER": str(mailer),
        "TO": "office@example.org",
    }
    script.write_text(with_settings(readme_script(), values), encoding="utf-8")
    done = under_cron(script, tmp)
    return done, out


@pytest.fixture
def demo(tmp_path: Path) -> tuple[Path, Path, Path]:
    """The demo database, and the inbox holding two of the sample returns (already in it)."""
    exe, mailer, mailbox = _stand_ins(tmp_path)
    made = subprocess.run(
        [str(exe), "demo", "--db", str(tmp_path / "demo.json")],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=600,
    )
    assert made.returncode == 0, made.stderr
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("2018-W25.csv", "2018-W26.csv"):
        shutil.copy2(SAMPLE / name, inbox / name)  # old times: nothing "still arriving"
    return exe, mailer, mailbox


def _published(out: Path) -> str:
    """The week the script published, after checking every file of it is there."""
    status = list(out.glob("*-status.txt"))
    assert len(status) == 1, sorted(p.name for p in out.iterdir())
    week = status[0].name.removesuffix("-status.txt")
    assert re.fullmatch(r"\d{4}-W\d\d", week)
    assert "2018-07-01" in status[0].read_text(encoding="utf-8")  # the demo's as-of date
    rows = json.loads((out / f"{week}-status.json").read_text(encoding="utf-8"))["rows"]
    assert rows
    workbook = out / f"{week}-weekly.xlsx"
    assert workbook.read_bytes()[:2] == b"PK"  # a zip, as every xlsx
    from openpyxl import load_workbook

    assert load_workbook(workbook, read_only=True).sheetnames
    assert (out / f"{week}-weekly.html").stat().st_size > 0
    return week


def test_the_readme_script_publishes_under_cron_and_mails_the_warnings(
    tmp_path: Path, demo: tuple[Path, Path, Path]
) -> None:
    exe, mailer, mailbox = demo
    done, out = _cron(tmp_path, exe, mailer)
    assert done.returncode == 0, (
        done.stdout,
        done.stderr,
        mailbox.read_text() if mailbox.exists() else "",
    )
    assert done.stdout == "" and done.stderr == ""  # cron would mail any output
    week = _published(out)
    # the returns were taken in (already there: nothing added) and moved out of the inbox
    assert sorted(p.name for p in (tmp_path / "inbox" / "done").iterdir()) == [
        "2018-W25.csv",
        "2018-W26.csv",
    ]
    # the demo's warnings (and no error) were mailed, and the week still published
    check = (out / f"{week}-check.txt").read_text(encoding="utf-8")
    # (in Chinese, as the script runs: the rule by its Chinese name, output.screen.findings)
    assert "周增量异常" in check and "unusual-increment" not in check
    mail = mailbox.read_text(encoding="utf-8")
    assert mail.count("END OF MAIL") == 1
    assert f"MAIL -s povtrack: {week} data to look at office@example.org" in mail
    assert "周增量异常" in mail


def test_a_rejected_return_is_mailed_and_the_week_still_published(
    tmp_path: Path, demo: tuple[Path, Path, Path]
) -> None:
    exe, mailer, mailbox = demo
    bad = tmp_path / "inbox" / "tianzhen.csv"
    bad.write_text("date,area,indicator,value\n2018-06-24,天镇县,jobs.trained,lots\n", "utf-8")
    shutil.copystat(SAMPLE / "2018-W25.csv", bad)  # an old file, not one still arriving
    done, out = _cron(tmp_path, exe, mailer)
    assert done.returncode == 0, (done.stdout, done.stderr)
    _published(out)
    assert (tmp_path / "inbox" / "rejected" / "tianzhen.csv").exists()
    mail = mailbox.read_text(encoding="utf-8")
    assert "a return was rejected" in mail and "tianzhen.csv" in mail
    assert "data to look at" in mail  # the warnings too


def test_an_error_stops_the_week_unpublished(tmp_path: Path, demo: tuple[Path, Path, Path]) -> None:
    """People relocated must equal registered poor plus moved alongside: a figure that breaks
    the sum is an error, and nothing is published that week."""
    exe, mailer, mailbox = demo
    broken = subprocess.run(
        [str(exe), "--db", str(tmp_path / "demo.json"), "record",
         "housing.relocated_people", "99999", "--area", "阳高县", "--date", "2018-07-01"],
        capture_output=True, text=True, encoding="utf-8", timeout=600,
    )  # fmt: skip
    assert broken.returncode == 0, broken.stderr
    done, out = _cron(tmp_path, exe, mailer)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert list(out.glob("*-status.*")) == [] and list(out.glob("*-weekly.*")) == []
    mail = mailbox.read_text(encoding="utf-8")
    assert "errors: not published" in mail
    assert "data to look at" not in mail

"""Render every export of a demo database to PDF and PNG pages, for a human look.

The weekly report (xlsx, html, md) in Chinese and English, and the table exports (status,
board, trend, diff, log, check) as xlsx and html, are written into FOLDER, printed to PDF
(XLSX by LibreOffice, HTML by headless Chromium; Markdown is kept as text) and each page saved
as a PNG. Needs libreoffice-calc, chromium, poppler-utils and fonts-noto-cjk. Run from a
checkout:

    python tools/render_exports.py /tmp/exports [--dpi 60]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers.render import html_to_pdf, pdf_to_png, xlsx_to_pdf  # noqa: E402

TABLES = {
    "status": [],
    "board": [],
    "trend": ["goals.people_exited"],
    "diff": [],
    "log": [],
    "check": [],
}


def povtrack(db: Path, *args: str) -> None:
    command = [sys.executable, "-m", "povtrack", *args, "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    # check says it found problems with its exit code: what counts is that the file is there
    written = "-o" not in args or Path(args[args.index("-o") + 1]).exists()
    if not written or (done.returncode and "-o" not in args):
        raise SystemExit(f"{' '.join(args)}: {done.stderr.strip()}")


def render(path: Path, dpi: int) -> int:
    """The file's pages as a PDF and PNGs beside it (named by its format too); how many."""
    if path.suffix == ".md":
        return 0
    name = f"{path.stem}-{path.suffix[1:]}"  # report-zh-xlsx.pdf, report-zh-xlsx-01.png ...
    pdf = path.with_name(name + ".pdf")
    if path.suffix == ".xlsx":
        xlsx_to_pdf(path, path.parent).replace(pdf)
    else:
        html_to_pdf(path, pdf)
    return len(pdf_to_png(pdf, path.with_name(name), dpi))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--dpi", type=int, default=60)
    options = parser.parse_args()
    folder: Path = options.folder
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "demo.json"
    if not db.exists():
        povtrack(db, "demo")
    files: list[Path] = []
    for lang in ("zh", "en"):
        for fmt in ("xlsx", "html", "md"):
            out = folder / f"report-{lang}.{fmt}"
            povtrack(db, "report", "--lang", lang, "--format", fmt, "-o", str(out))
            files.append(out)
        for command, args in TABLES.items():
            for fmt in ("xlsx", "html"):
                out = folder / f"{command}-{lang}.{fmt}"
                povtrack(db, command, *args, "--lang", lang, "--format", fmt, "-o", str(out))
                files.append(out)
    for path in files:
        print(f"{path.name}: {render(path, options.dpi)} page(s)")


if __name__ == "__main__":
    main()

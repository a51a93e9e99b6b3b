"""Rendering exports as a person sees them, for the print tests and ``tools/render_exports.py``:
XLSX through LibreOffice to PDF, HTML through headless Chromium to PDF (A4, as printed), a PDF
to PNG pages (poppler's ``pdftoppm``), and what can be measured on a PDF page with pypdf: the
number of pages, the size every piece of text is printed at, and how much of the page is used.

The programs come from Debian packages (libreoffice-calc, chromium, poppler-utils,
fonts-noto-cjk). Outside CI a test that needs a missing one skips and says which; in CI
(``CI`` set in the environment, as ``.ci/run`` does) it fails instead, so the print tests
always run there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

A4_LANDSCAPE = (841.89, 595.28)  # points
_TIMEOUT = 180


def require(program: str, package: str) -> str:
    """The program's path; skip the test (fail in CI) when it is not installed."""
    for name in (
        program,
        *{"soffice": ("libreoffice",), "chromium": ("chromium-browser",)}.get(program, ()),
    ):
        found = shutil.which(name)
        if found:
            return found
    message = f"{program} is not installed (Debian package {package})"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI must install it (.ci/run)")
    pytest.skip(message)


def xlsx_to_pdf(xlsx: Path, out_dir: Path) -> Path:
    """The workbook printed to PDF by LibreOffice (every sheet, by its own page setup)."""
    soffice = require("soffice", "libreoffice-calc")
    # a profile of its own: a second LibreOffice running at once (another test worker, the
    # user's desktop) would otherwise take the conversion over and drop it
    with tempfile.TemporaryDirectory(prefix="lo-profile-") as profile:
        subprocess.run(
            [
                soffice,
                f"-env:UserInstallation=file://{profile}",
                "--headless",
                "--convert-to",
                "pdf",
                "--outdir",
                str(out_dir),
                str(xlsx),
            ],
            check=True,
            capture_output=True,
            timeout=_TIMEOUT,
        )
    pdf = out_dir / (xlsx.stem + ".pdf")
    assert pdf.exists(), f"LibreOffice wrote no PDF for {xlsx.name}"
    return pdf


def html_to_pdf(html: Path, pdf: Path) -> Path:
    """The page printed to PDF by headless Chromium, with its own print CSS (@page)."""
    chromium = require("chromium", "chromium")
    with tempfile.TemporaryDirectory(prefix="chromium-profile-") as profile:
        subprocess.run(
            [
                chromium,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={pdf}",
                html.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=_TIMEOUT,
        )
    assert pdf.exists(), f"Chromium wrote no PDF for {html.name}"
    return pdf


def pdf_to_png(pdf: Path, prefix: Path, dpi: int = 60) -> list[Path]:
    """Every page as a PNG image (``prefix-1.png`` ...), for a human look."""
    pdftoppm = require("pdftoppm", "poppler-utils")
    subprocess.run(
        [pdftoppm, "-png", "-r", str(dpi), str(pdf), str(prefix)],
        check=True,
        capture_output=True,
        timeout=_TIMEOUT,
    )
    return sorted(prefix.parent.glob(prefix.name + "-*.png"))


@dataclass(frozen=True)
class Page:
    number: int  # from 1
    width: float  # points
    height: float
    sizes: list[float]  # the printed size (pt) of every piece of text on the page
    text: str
    box: tuple[float, float, float, float] | None  # the text's extent: x0, y0, x1, y1

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    def used(self) -> float:
        """The share of the page's area the text's extent covers (0 for an empty page)."""
        if self.box is None:
            return 0.0
        x0, y0, x1, y1 = self.box
        return max(0.0, x1 - x0) * max(0.0, y1 - y0) / (self.width * self.height)


def pdf_pages(pdf: Path) -> list[Page]:
    """Each page's size, text, and the size every text run is printed at: the font size
    times the text and page matrices' scale (a sheet shrunk to fit shrinks its text)."""
    from pypdf import PdfReader

    pages: list[Page] = []
    for n, page in enumerate(PdfReader(pdf).pages, 1):
        sizes: list[float] = []
        xs: list[float] = []
        ys: list[float] = []

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if not text.strip():
                return
            scale_tm = abs(tm[0] * tm[3] - tm[1] * tm[2]) ** 0.5
            scale_cm = abs(cm[0] * cm[3] - cm[1] * cm[2]) ** 0.5
            sizes.append(round(size * scale_tm * scale_cm, 2))  # noqa: B023 (called in this turn)
            # where the run starts on the page: the text matrix's origin through the CTM
            x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
            y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
            xs.append(x)  # noqa: B023
            ys.append(y)  # noqa: B023

        text = page.extract_text(visitor_text=visit)
        box = (min(xs), min(ys), max(xs), max(ys)) if xs else None
        width, height = float(page.mediabox.width), float(page.mediabox.height)
        if page.rotation % 180:
            width, height = height, width
        pages.append(Page(n, width, height, sizes, text, box))
    return pages


def ink_boxes(
    pdf: Path, dpi: int = 30, band: tuple[float, float] = (0.0, 1e9)
) -> list[tuple[float, float, float, float] | None]:
    """Per page, the extent of everything printed — text, rules, fills, charts — in points
    from the top left (x0, y0, x1, y1), or None for a blank page, counting only what lies
    between the heights ``band`` (points from the top: leave a footer out): the page rendered
    grey by ``pdftoppm -gray`` and read as a PGM (no imaging library needed)."""
    pdftoppm = require("pdftoppm", "poppler-utils")
    with tempfile.TemporaryDirectory(prefix="ink-") as folder:
        prefix = Path(folder) / "p"
        subprocess.run(
            [pdftoppm, "-gray", "-r", str(dpi), str(pdf), str(prefix)],
            check=True,
            capture_output=True,
            timeout=_TIMEOUT,
        )
        pages = sorted(Path(folder).glob("p-*.pgm"), key=lambda p: int(p.stem.split("-")[-1]))
        return [_ink_box(path, 72 / dpi, band) for path in pages]


def _ink_box(
    path: Path, pt: float, band: tuple[float, float]
) -> tuple[float, float, float, float] | None:
    data = path.read_bytes()
    fields: list[bytes] = []
    at = 0
    while len(fields) < 4:  # P5, width, height, maxval, separated by whitespace (no comments)
        while data[at : at + 1].isspace():
            at += 1
        end = at
        while not data[end : end + 1].isspace():
            end += 1
        fields.append(data[at:end])
        at = end
    assert fields[0] == b"P5", path
    width, height = int(fields[1]), int(fields[2])
    pixels = data[at + 1 : at + 1 + width * height]
    top, bottom = max(0, int(band[0] / pt)), min(height, int(band[1] / pt))
    rows = [y for y in range(top, bottom) if min(pixels[y * width : (y + 1) * width]) < 240]
    if not rows:
        return None
    cols = [
        x
        for x in range(width)
        if min(pixels[x + y * width] for y in range(rows[0], rows[-1] + 1)) < 240
    ]
    return (cols[0] * pt, rows[0] * pt, (cols[-1] + 1) * pt, (rows[-1] + 1) * pt)

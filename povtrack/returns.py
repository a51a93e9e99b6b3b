"""Weekly return files in: CSV with header ``date,area,indicator,value[,note]``.

``week`` (YYYY-Www, standing for its Sunday) may replace ``date``. Every row is checked before
anything is written; every bad row is reported as ``FILE:LINE:COLUMN: why``. Encodings are
detected strictly: a BOM (UTF-8 or UTF-16), else UTF-8, else GB18030 (what Chinese Excel
writes as "CSV"); ``encoding=`` overrides.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from povtrack.dates import check_in_window, parse_day, parse_week
from povtrack.errors import UsageError
from povtrack.model import UNITS, Indicator, Plan
from povtrack.names import resolve_area, resolve_indicator

COLUMNS = ("date", "week", "area", "indicator", "value", "note")
_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass
class ReturnFile:
    path: Path
    sha256: str
    encoding: str
    name: str  # how messages and entry sources name the file
    rows: list[dict[str, Any]] = field(default_factory=list)


def parse_value(text: str, ind: Indicator) -> float:
    """A reported value: plain digits with an optional decimal part, in the indicator's unit."""
    raw = text.strip()
    if not raw:
        raise UsageError("value is empty (a value not reported is left out, never written as 0)")
    if not _NUMBER.match(raw):
        hint = ""
        if re.search(r"\d[,，]\d", raw):
            hint = "; write it without thousands separators, e.g. 12345"
        elif raw.endswith(("%", "％")):
            hint = "; write a rate without the % sign, e.g. 80 for 80%"
        elif m := re.fullmatch(r"(\d+(?:\.\d+)?)\s*([万萬亿億])", raw):
            scaled = Decimal(m.group(1)) * (10**4 if m.group(2) in "万萬" else 10**8)
            hint = f"; write it in {ind.unit}: {raw} is {scaled.normalize():f}"
        elif re.search(r"[万萬亿億]", raw):
            hint = f"; write it in {ind.unit} without 万 or 亿, e.g. 13.98万 as 139800"
        raise UsageError(f"value '{raw}' is not a number{hint}")
    value = float(raw)
    if value < 0:
        raise UsageError(f"value {raw} is negative; reported values are totals or counts, ≥ 0")
    if UNITS[ind.unit].integer:
        if not value.is_integer():
            raise UsageError(f"value {raw} must be a whole number of {ind.unit}")
        return int(value)
    return int(value) if value.is_integer() and "." not in raw else value


def decode(data: bytes, encoding: str | None = None) -> tuple[str, str]:
    """Bytes -> (text, encoding used). Strict: never replaces a byte it cannot read."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except LookupError:
            raise UsageError(f"unknown encoding '{encoding}'") from None
        except UnicodeDecodeError as exc:
            raise UsageError(f"not {encoding} text at byte {exc.start}") from None
    if data.startswith(b"\xef\xbb\xbf"):
        candidates = ["utf-8-sig"]
    elif data.startswith((b"\xff\xfe", b"\xfe\xff")):
        candidates = ["utf-16"]
    else:
        candidates = ["utf-8", "gb18030"]
    for enc in candidates:
        try:
            return data.decode(enc), enc
        except UnicodeDecodeError as exc:
            last = exc
    raise UsageError(
        f"cannot read the text (not UTF-8 or GB18030, byte {last.start}); "
        "save it as CSV UTF-8 or pass --encoding"
    )


class _Names:
    """A week's returns repeat the same few names thousands of times: resolve each once.
    Failures are not kept, so every bad row still gets its own message."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._areas: dict[str, str] = {}
        self._indicators: dict[str, Indicator] = {}

    def area(self, text: str) -> str:
        if text not in self._areas:
            self._areas[text] = resolve_area(self.plan, text)
        return self._areas[text]

    def indicator(self, text: str) -> Indicator:
        if text not in self._indicators:
            self._indicators[text] = resolve_indicator(self.plan, text)
        return self._indicators[text]


def read_returns(
    paths: list[Path], plan: Plan, *, encoding: str | None = None, base: Path | None = None
) -> tuple[list[ReturnFile], list[str]]:
    """Parse and check every row of every file. Returns the files and the list of problems.

    Files are named as given, or relative to ``base`` when one is given."""
    files: list[ReturnFile] = []
    problems: list[str] = []
    seen: dict[tuple[str, str, date], str] = {}
    names = _Names(plan)
    for path in paths:
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            problems.append(f"{path}: no such file")
            continue
        except OSError as exc:
            problems.append(f"{path}: cannot read: {exc.strerror}")
            continue
        if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
            problems.append(f"{path}: not a CSV text file (binary data)")
            continue
        try:
            text, used = decode(data, encoding)
        except UsageError as exc:
            problems.append(f"{path}: {exc.message}")
            continue
        name = str(path.relative_to(base)) if base else str(path)
        rf = ReturnFile(path, hashlib.sha256(data).hexdigest(), used, name)
        problems += _read_rows(rf, text, names, seen)
        files.append(rf)
    return files, problems


def _read_rows(
    rf: ReturnFile, text: str, names: _Names, seen: dict[tuple[str, str, date], str]
) -> list[str]:
    problems: list[str] = []
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    # Excel's "Unicode text" is tab-separated; everything else here is comma-separated.
    delimiter = "\t" if "\t" in first and "," not in first else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    rows = iter(reader)
    while True:
        try:
            fields = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:  # e.g. a field over the size limit
            problems.append(f"{rf.name}:{reader.line_num}: not valid CSV: {exc}")
            break
        line = reader.line_num
        if not any(f.strip() for f in fields):
            continue  # blank lines are allowed and skipped
        if header is None:
            header = [f.strip().lstrip("\ufeff").lower() for f in fields]
            bad = _check_header(header)
            if bad:
                return [f"{rf.name}:{line}: {b}" for b in bad]
            continue
        if len(fields) != len(header):
            problems.append(f"{rf.name}:{line}: {len(fields)} fields, the header has {len(header)}")
            continue
        row = dict(zip(header, fields, strict=True))
        where = f"{rf.name}:{line}"
        parsed, errs = _parse_row(row, header, names, where)
        problems += errs
        if parsed is None:
            continue
        key = (parsed["indicator"], parsed["area"], parsed["date"])
        if key in seen:
            col = header.index("value") + 1
            problems.append(
                f"{where}:{col}: {parsed['area']} {parsed['indicator']} "
                f"{parsed['date']} is already given at {seen[key]}"
            )
            continue
        seen[key] = where
        rf.rows.append(parsed)
    if header is None:
        problems.append(f"{rf.name}: empty file (expected a header: date,area,indicator,value)")
    return problems


def _check_header(header: list[str]) -> list[str]:
    bad = []
    for name in header:
        if name not in COLUMNS:
            close = difflib.get_close_matches(name, COLUMNS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            bad.append(f"unknown column '{name}'{hint}")
    for name in {n for n in header if header.count(n) > 1}:
        bad.append(f"column '{name}' appears twice")
    if ("date" in header) == ("week" in header):
        bad.append("the header needs a 'date' or a 'week' column (one of them)")
    for name in ("area", "indicator", "value"):
        if name not in header:
            bad.append(f"missing column '{name}' (header: date,area,indicator,value[,note])")
    return bad


def _parse_row(
    row: dict[str, str], header: list[str], names: _Names, where: str
) -> tuple[dict[str, Any] | None, list[str]]:
    errs: list[str] = []
    out: dict[str, Any] = {"note": row.get("note", "").strip(), "source": where}

    def attempt(column: str, fn: Any) -> Any:
        try:
            return fn(row[column])
        except UsageError as exc:
            errs.append(f"{where}:{header.index(column) + 1}: {exc.message}")
            return None

    when = "date" if "date" in header else "week"
    day = attempt(when, parse_day if when == "date" else parse_week)
    if day is not None:
        try:
            out["date"] = check_in_window(day, names.plan.start, names.plan.last_due, when)
        except UsageError as exc:
            errs.append(f"{where}:{header.index(when) + 1}: {exc.message}")
    out["area"] = attempt("area", names.area)
    ind = attempt("indicator", names.indicator)
    if ind is not None:
        out["indicator"] = ind.id
        out["value"] = attempt("value", lambda t: parse_value(t, ind))
    if errs or None in (out.get("date"), out["area"], out.get("value")):
        return None, errs
    return out, errs

"""--format and -o for every table: one computation, written as the table on screen, JSON,
CSV, Markdown, HTML or XLSX, to stdout or a file."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from povtrack.cli.app import db_file, print_json, say, state
from povtrack.errors import UsageError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.sheet import Sheet

FORMATS = ("table", "json", "csv", "md", "html", "xlsx")
_SUFFIXES = {".json": "json", ".csv": "csv", ".md": "md", ".html": "html", ".htm": "html"}
_SUFFIXES[".xlsx"] = "xlsx"

FORMAT_OPTION = typer.Option(
    None,
    "--format",
    help="table, json, csv, md, html or xlsx [default: table, or from -o].",
    autocompletion=lambda: list(FORMATS),
)
JSON_FORMAT_OPTION = typer.Option(False, "--json", help="Print JSON only (--format json).")
OUTPUT_OPTION = typer.Option(
    None, "-o", "--output", help="Write to this file instead of stdout (xlsx needs one)."
)


def choose_format(fmt: str | None, as_json: bool, output: Path | None) -> str:
    """--format wins; --json is its short form; else the -o file's suffix; else the table."""
    if fmt is not None:
        chosen = fmt.strip().lower()
        if chosen not in FORMATS:
            known = ", ".join(FORMATS)
            raise UsageError(
                tr(f"--format“{fmt}”不是 {known} 之一", f"--format '{fmt}' is not one of {known}")
            )
        if as_json and chosen != "json":
            raise UsageError(
                tr(
                    f"--json 和 --format {chosen} 只能给一个",
                    f"give --json or --format {chosen}, not both",
                )
            )
        return chosen
    if as_json:
        return "json"
    if output is not None:
        guessed = _SUFFIXES.get(output.suffix.lower())
        if guessed is None:
            raise UsageError(
                tr(
                    f"{output}：请给出 --format（从文件名看不出格式）",
                    f"{output}: give --format (the name does not say which)",
                )
            )
        return guessed
    return "table"


def require_output(fmt: str, output: Path | None) -> None:
    """The usage errors of --format and -o, raised before any work is done."""
    if fmt == "table" and output is not None:
        raise UsageError(
            tr(
                "表格只用于屏幕显示；请给出 --format csv、md、html 或 xlsx",
                "the table is for the screen; give --format csv, md, html or xlsx",
            )
        )
    if fmt == "xlsx" and output is None:
        raise UsageError(
            tr("xlsx 是二进制文件：请给出 -o FILE.xlsx", "xlsx is a binary file: give -o FILE.xlsx")
        )
    if output is not None:  # the database and its side files, folders, sockets: refused now
        from povtrack.actions.outfile import check_target

        check_target(output, db_file())


def encode(fmt: str, sheets: Callable[[], list[Sheet]], payload: Callable[[], Any]) -> bytes:
    """The bytes of a file view (json, csv, md, html, xlsx)."""
    if fmt == "json":
        import json

        return (json.dumps(payload(), ensure_ascii=False, indent=2) + "\n").encode("utf-8")
    from povtrack.cli.app import progress
    from povtrack.output.files import sheet_bytes

    with progress(tr(f"正在写入 {fmt}", f"writing {fmt}")):
        return sheet_bytes(sheets(), fmt, lang=state.lang)


def deliver(fmt: str, data: bytes, output: Path | None) -> None:
    """File bytes to stdout, or to ``output`` whole or not at all (and say so on stderr)."""
    if output is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    write_file(output, data)
    size = f"{len(data):,}"
    say(tr(f"已写入 {output}（{fmt}，{size} 字节）", f"wrote {output} ({fmt}, {size} bytes)"))


def emit(
    fmt: str,
    *,
    output: Path | None,
    sheets: Callable[[], list[Sheet]],
    payload: Callable[[], Any],
    table: Callable[[], None],
) -> None:
    """Write the chosen view. Each view is made only when asked for."""
    require_output(fmt, output)
    if fmt == "table":
        table()
    elif fmt == "json" and output is None:
        print_json(payload())
    else:
        deliver(fmt, encode(fmt, sheets, payload), output)


def write_file(path: Path, data: bytes) -> None:
    """A report file appears whole or not at all (a half-written workbook will not open); a
    terminal or a pipe is written in place; the database and its side files never."""
    from povtrack.actions.outfile import write_output

    write_output(path, data, db_file())

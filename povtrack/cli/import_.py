"""``povtrack import``: the week's return files (CSV, XLSX), all or nothing."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    open_store,
    print_json,
    progress,
    say,
    warning_line,
    writing_store,
)
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.actions.writes import ImportResult

LAYOUTS = ("long", "wide")  # as povtrack.returns.headers.LAYOUTS (not imported at start-up)
LAYOUT_OPTION = typer.Option(
    None,
    "--layout",
    help="long (one value a row) or wide (indicators across) [default: from each header].",
)


def check_layout(layout: str | None) -> None:
    """--layout is long, wide or not given; refused before any file is read."""
    if layout is not None and layout not in LAYOUTS:
        from povtrack.errors import UsageError
        from povtrack.i18n import tr

        raise UsageError(
            tr(
                f"--layout '{layout}' 不是 long 或 wide",
                f"--layout '{layout}' is not one of long, wide",
            )
        )


# ---------------------------------------------------------------------------- writing


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(
        ..., help="CSV or XLSX files: date,area,indicator,value[,note], or indicators across."
    ),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection."),
    layout: str | None = LAYOUT_OPTION,
    by: str | None = typer.Option(None, "--by", help="Who imports [env POVTRACK_USER]."),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Check everything and say what would change; write nothing."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print what was imported as JSON."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Import weekly returns; all files are one batch, all or nothing.

    Example: povtrack import returns/2018-W23-*.csv
    """
    choose_db(db, lock_wait)
    check_layout(layout)
    from povtrack.actions.writes import current_user, import_returns
    from povtrack.returns.reader import display_name
    from povtrack.textsafe import escape, refuse_controls

    for f in files:  # a file's name is kept with every entry it brings (and shown by 'log')
        name = display_name(f)
        refuse_controls(name, f"FILES {escape(name)}")
    if dry_run:  # the same checks and the same arithmetic, on a database opened to read
        store = open_store()
        with progress(tr("正在读取", "reading rows")) as tick:
            result = import_returns(
                store, files, by=current_user(by), encoding=encoding, tick=tick, layout=layout
            )
        _say_dry_run(result)
        if as_json:
            print_json(result.as_json(dry_run=True, database=store.warnings))
        return
    with writing_store(adds_only=True) as store, progress(tr("正在读取", "reading rows")) as tick:
        result = import_returns(
            store, files, by=current_user(by), encoding=encoding, tick=tick, layout=layout
        )
        store.commit()
    for line in result.already:
        say(line)
    for w in result.warnings:
        say(warning_line(w.message))
    for report in result.per_file:
        if report["status"] == "imported":
            name, rows, encoding = report["file"], report["rows"], report["encoding"]
            say(
                tr(
                    f"{name}：{rows} 行，按 {encoding} 读取",
                    f"{name}: {rows} rows, read as {encoding}",
                )
            )
    for line in result.read_notes:  # a title row, Chinese names, the wide layout
        say(line)
    if result.batch:
        skipped = ""
        if result.unchanged:
            skipped = tr(
                f"；跳过 {result.unchanged} 行未变的数据",
                f"; {result.unchanged} unchanged rows skipped",
            )
        say(
            tr(
                f"已从 {len(result.files)} 个文件导入 {result.added} 条记录，批次 {result.batch}"
                + skipped,
                f"imported {result.added} entries from {len(result.files)} file(s) as batch "
                f"{result.batch}" + skipped,
            )
        )
    else:
        say(tr("没有新内容可导入", "nothing new to import"))
    if as_json:
        print_json(result.as_json(database=store.warnings))


def _say_dry_run(result: ImportResult) -> None:
    for line in result.already:
        say(line)
    for line in result.read_lines:  # how each file was read, before what it would change
        say(line)
    for w in result.warnings:
        say(warning_line(w.message))
    new = sum(1 for c in result.changes if c["previous"] is None)
    changed = result.added - new
    skipped = ""
    if result.unchanged:
        skipped = tr(
            f"；将跳过 {result.unchanged} 行未变的数据",
            f"; {result.unchanged} unchanged rows would be skipped",
        )
    say(
        tr(
            f"试运行，未写入任何内容：将添加 {result.added} 条记录"
            f"（新增 {new} 条，{changed} 条改动该日期已记录的数值）" + skipped,
            f"dry run, nothing written: would add {result.added} entries "
            f"({new} new, {changed} changing a value already recorded for that date)" + skipped,
        )
    )
    for c in result.changes[:20]:
        if c["previous"] is None:
            before = tr("新增", "new")
        else:
            before = tr(f"原为 {c['previous']}", f"was {c['previous']}")
        row = f"{c['source']}: {c['indicator']} {c['area']} {c['date']} = {c['value']}"
        say(tr(f"  {row}（{before}）", f"  {row} ({before})"))
    if len(result.changes) > 20:
        more = len(result.changes) - 20
        say(
            tr(
                f"  ……另有 {more} 条（--json 会全部列出）",
                f"  … and {more} more (--json lists them all)",
            )
        )

"""``povtrack template``: the sheet a county or district fills in for a week (XLSX or CSV), one
per area with ``--all``, or the city's blank task breakdown with ``--allocations``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LANG_OPTION,
    app,
    choose_db,
    choose_lang,
    open_store,
    say,
    state,
)
from povtrack.cli.output import write_file
from povtrack.errors import UsageError
from povtrack.i18n import tr

if TYPE_CHECKING:
    from povtrack.output.template import AreaWeek
    from povtrack.storage.base import Backend

FORMATS = ("xlsx", "csv")


@app.command()
def template(
    area: str | None = typer.Option(None, "--area", help="The county or district."),
    week: str | None = typer.Option(None, "--week", help="ISO week (2018-W26) or a date in it."),
    all_areas: bool = typer.Option(False, "--all", help="One template per county and district."),
    allocations: bool = typer.Option(
        False, "--allocations", help="The city's blank task breakdown (for 'target import')."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="The file (with --all: the folder) to write."
    ),
    fmt: str | None = typer.Option(
        None, "--format", help="xlsx or csv [default: from the -o name, else xlsx]."
    ),
    lang: str | None = LANG_OPTION,
    db: str | None = DB_OPTION,
) -> None:
    """Write the template a county or district fills in for a week: one row per indicator it
    owes (as 'missing' counts them) with its target and last reported value, a yellow cell for
    the value and one for a note. Only those cells can be edited. A filled template goes back
    through 'povtrack import' or 'povtrack inbox'; rows left empty are not reported.

    Example: povtrack template --area 天镇县 --week 2018-W26

    Every county and district: povtrack template --all --week 2018-W26 -o templates; the city's
    blank task breakdown for 'target import': povtrack template --allocations
    """
    choose_db(db)
    choose_lang(lang)
    if fmt is None:
        fmt = "csv" if output is not None and output.suffix.lower() == ".csv" else "xlsx"
    chosen = fmt.strip().lower()
    if chosen not in FORMATS:
        raise UsageError(
            tr(f"--format '{fmt}' 不是 xlsx 或 csv", f"--format '{fmt}' is not one of xlsx, csv")
        )
    if sum(1 for given in (area is not None, all_areas, allocations) if given) != 1:
        raise UsageError(
            tr(
                "请给出 --area AREA、--all 或 --allocations 中的一个",
                "give one of --area AREA, --all or --allocations",
            )
        )
    if allocations:
        if week is not None:
            raise UsageError(tr("--allocations 不需要 --week", "--allocations takes no --week"))
        _breakdown(open_store(), chosen, output)
        return
    if week is None:
        raise UsageError(
            tr("请用 --week 给出周次，例如 --week 2018-W26", "give the week: --week 2018-W26")
        )
    if all_areas and output is None:
        raise UsageError(tr("--all 需要 -o 文件夹", "--all needs -o FOLDER"))
    store = open_store()
    from povtrack.cli.missing import _week as check_week
    from povtrack.output.template import owed, reporting

    plan, entries = store.plan, store.entries()
    day = check_week(plan, store.latest_date(), week)
    allocs, ledger = store.allocations(), store.ledger()
    if all_areas:
        from povtrack.output.template import file_name

        assert output is not None
        if output.exists() and not output.is_dir():
            raise UsageError(
                tr(
                    f"{output} 不是文件夹；--all 写到 -o 文件夹",
                    f"{output}: not a folder (--all -o FOLDER)",
                )
            )
        for a in reporting(plan):
            made = owed(plan, entries, allocs, ledger, a.id, day)
            _write(store, made, chosen, output / file_name(made, chosen))
        return
    assert area is not None
    area_id = _reporting_area(store, area)
    made = owed(plan, entries, allocs, ledger, area_id, day)
    _write(store, made, chosen, output)


def _reporting_area(store: Backend, text: str) -> str:
    from povtrack.analysis.coverage import REPORTING_KINDS
    from povtrack.names import resolve_area

    area = store.plan.area(resolve_area(store.plan, text))
    if area.kind not in REPORTING_KINDS:
        raise UsageError(
            tr(
                f"{area.name} 不是县区；模板按县区生成（县区报送，市里汇总）",
                f"{area.name_en} is not a county or district; templates are for the counties "
                "and districts, which report",
            )
        )
    return area.id


def _write(store: Backend, made: AreaWeek, fmt: str, path: Path | None) -> None:
    """One template, to ``path`` (default: its own name in the current folder)."""
    from povtrack.output.template import csv_bytes, file_name, workbook_bytes

    plan, lang = store.plan, state.lang
    name = made.area.name if lang == "zh" else made.area.name_en
    if not made.rows:
        say(
            tr(
                f"{name} 在 {made.week} 没有应报指标（无本地目标，全市指标也尚无县区报送）；"
                "未生成模板",
                f"{name} owes nothing in {made.week} (no target of its own, and no city-wide "
                "figure reported by a county or district yet); no template written",
            )
        )
        return
    if fmt == "xlsx":
        data = workbook_bytes(plan, store.meta["plan_sha256"], made, lang)
    else:
        data = csv_bytes(plan, made, lang)
    path = path or Path(file_name(made, fmt))
    write_file(path, data)
    say(
        tr(
            f"已写出 {path}：{name} {made.week}，{len(made.rows)} 项指标",
            f"wrote {path}: {name}, {made.week}, {len(made.rows)} indicators",
        )
    )


def _breakdown(store: Backend, fmt: str, output: Path | None) -> None:
    from povtrack.output.breakdown import breakdown_bytes, breakdown_name, city_targeted

    plan, lang = store.plan, state.lang
    data = breakdown_bytes(plan, fmt, lang)
    path = output or Path(breakdown_name(plan, fmt))
    write_file(path, data)
    say(
        tr(
            f"已写出 {path}：任务分解表，{len(city_targeted(plan))} 项有全市目标的指标",
            f"wrote {path}: the task breakdown, {len(city_targeted(plan))} indicators with a "
            "city target",
        )
    )

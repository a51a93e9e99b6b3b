"""The command line: parse, call, print. The only module that imports typer.

Errors raised as PovtrackError anywhere below become one line per problem on stderr and their
exit code (see errors.ExitCode); anything unexpected becomes one "internal error" line and
exit 1, with the traceback only under --debug.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from povtrack import __version__
from povtrack.errors import DatabaseError, ExitCode, PovtrackError, UsageError
from povtrack.i18n import LANGS, Labels, default_lang


class _Group(TyperGroup):
    """The one place errors are turned into messages and exit codes."""

    def main(self, *args: Any, standalone_mode: bool = True, **kwargs: Any) -> Any:
        if not standalone_mode:
            return super().main(*args, standalone_mode=False, **kwargs)
        try:
            rv = super().main(*args, standalone_mode=False, **kwargs)
        except typer.Abort:
            typer.echo("aborted", err=True)
            sys.exit(int(ExitCode.INTERNAL))
        except typer.TyperException as exc:  # the parser's own usage errors
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                sys.exit(getattr(exc, "exit_code", 2))
            ctx = getattr(exc, "ctx", None)
            hint = f" (see '{ctx.command_path} --help')" if ctx is not None else ""
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            typer.echo(f"error: {message}{hint}", err=True)
            sys.exit(getattr(exc, "exit_code", int(ExitCode.USAGE)))
        sys.exit(rv if isinstance(rv, int) else 0)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PovtrackError as exc:
            for line in exc.lines():
                typer.echo(f"error: {line}", err=True)
            raise typer.Exit(int(exc.exit_code)) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if _state.debug:
                raise
            typer.echo(
                f"internal error: {type(exc).__name__}: {exc} (run with --debug for details)",
                err=True,
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


HELP = """Track Datong's 2018 poverty-alleviation plan: weekly progress against every target.

Example: povtrack init && povtrack import week23.csv && povtrack status --task 2
"""

app = typer.Typer(
    cls=_Group, help=HELP, no_args_is_help=True, rich_markup_mode=None, add_completion=False
)
plan_app = typer.Typer(
    cls=_Group,
    help="Show or check the plan and its targets.\n\nExample: povtrack plan show --task 2",
    no_args_is_help=True,
)
target_app = typer.Typer(
    cls=_Group,
    help="Allocate city targets to areas.\n\n"
    "Example: povtrack target set jobs.trained 2500 --area 阳高县",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")
app.add_typer(target_app, name="target")


@dataclass
class _State:
    db: Path | None = None
    lang: str = "en"
    debug: bool = False


_state = _State()


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("povtrack", appauthor=False)) / "povtrack.json"


def _labels() -> Labels:
    return Labels(_state.lang)


def _choose_lang(lang: str | None) -> None:
    """--lang is accepted before the command and after it; after wins."""
    if lang is None:
        return
    chosen = lang.strip().lower()
    if chosen not in LANGS:
        raise UsageError(f"--lang '{lang}' is not one of zh, en")
    _state.lang = chosen


LANG_OPTION = typer.Option(None, "--lang", help="Labels and names: zh or en.")
DB_OPTION = typer.Option(None, "--db", help="Database file (as the global --db).")


def _choose_db(db: Path | None) -> None:
    """--db is accepted before the command and after it; after wins."""
    if db is not None:
        _state.db = db


def _db_path() -> Path:
    return _state.db or default_db_path()


def _open_store() -> Any:
    from povtrack.store import Store

    return Store.open(_db_path())


def _console() -> Any:
    from rich.console import Console

    from povtrack.render import THEME

    width = None
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        width = 160  # a file or a pipe: don't squeeze tables into 80 columns
    return Console(theme=THEME, highlight=False, width=width)


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def _say(message: str) -> None:
    typer.echo(message, err=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: Path | None = typer.Option(None, "--db", envvar="POVTRACK_DB", help="Database file."),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Labels and names: zh or en [env POVTRACK_LANG; default from the locale].",
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    _state.db, _state.lang, _state.debug = db, default_lang(), debug
    if _state.lang not in LANGS:
        _state.lang = "en"
    _choose_lang(lang)


# ---------------------------------------------------------------------------- init / plan


@app.command()
def init(
    plan: Path | None = typer.Option(
        None, "--plan", help="A plan file instead of the bundled plan."
    ),
    force: bool = typer.Option(False, "--force", help="Move an existing database aside first."),
    db: Path | None = DB_OPTION,
) -> None:
    """Create the database with the bundled plan (datong-2018) or a plan file.

    Example: povtrack init --db ~/povtrack/datong.json
    """
    _choose_db(db)
    from povtrack.planfile import BUNDLED, bundled_text, parse_plan, read_plan_file
    from povtrack.store import Store

    if plan is not None:
        parsed, text = read_plan_file(plan)
    else:
        text = bundled_text()
        parsed = parse_plan(text, BUNDLED)
    path = _db_path()
    store, moved = Store.create(path, text, force=force)
    store.commit()
    if moved:
        _say(f"moved the old database aside to {moved}")
    _say(
        f"created {path} with plan {parsed.id}: {len(parsed.areas)} areas, "
        f"{len(parsed.indicators)} indicators, {len(parsed.plan_targets())} targets"
    )


def _plan_and_allocations(plan_file: Path | None) -> tuple[Any, list[Any]]:
    from povtrack.planfile import BUNDLED, bundled_text, parse_plan, read_plan_file

    if plan_file is not None:
        return read_plan_file(plan_file)[0], []
    try:
        store = _open_store()
    except DatabaseError:
        if _db_path().exists():
            raise
        _say(f"no database at {_db_path()}: showing the bundled plan {BUNDLED}")
        return parse_plan(bundled_text(), BUNDLED), []
    return store.plan, store.allocations()


@plan_app.command("show")
def plan_show(
    task: int | None = typer.Option(None, "--task", help="Only this task (0 = headline goals)."),
    plan_file: Path | None = typer.Option(None, "--plan", help="Show a plan file instead."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    lang: str | None = LANG_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Show the plan: tasks, indicators and every target with its citation.

    Example: povtrack plan show --task 2
    """
    _choose_db(db)
    _choose_lang(lang)
    from povtrack.export import plan_json
    from povtrack.progress import all_targets

    plan, allocations = _plan_and_allocations(plan_file)
    if task is not None and task not in {t.number for t in plan.tasks}:
        raise UsageError(
            f"no task {task}; the plan has tasks {plan.tasks[0].number}–{plan.tasks[-1].number}"
        )
    targets = all_targets(plan, allocations)
    if as_json:
        _print_json(plan_json(plan, targets, task))
        return
    from povtrack.render import plan_table

    console = _console()
    console.print(plan_table(console, plan, targets, _labels(), task))


@plan_app.command("check")
def plan_check(file: Path = typer.Argument(..., help="The plan file (TOML).")) -> None:
    """Check a plan file; errors name the file, the key and what is wrong.

    Example: povtrack plan check my-plan.toml
    """
    from povtrack.planfile import read_plan_file

    plan, _ = read_plan_file(file)
    typer.echo(
        f"{file}: ok — plan {plan.id}: {len(plan.areas)} areas, {len(plan.groups)} groups, "
        f"{len(plan.tasks)} tasks, {len(plan.indicators)} indicators, "
        f"{len(plan.plan_targets())} targets"
    )


@app.command()
def areas(
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    lang: str | None = LANG_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """List the areas and groups of the plan, with the names they can be given by.

    Example: povtrack areas --json
    """
    _choose_db(db)
    _choose_lang(lang)
    from povtrack.export import areas_json

    plan, _ = _plan_and_allocations(None)
    if as_json:
        _print_json(areas_json(plan))
        return
    from povtrack.render import areas_table, groups_table

    console = _console()
    console.print(areas_table(console, plan, _labels()))
    console.print(groups_table(console, plan, _labels()))


# ---------------------------------------------------------------------------- writing


def _when(day: str | None, week: str | None, default: date | None) -> date:
    from povtrack.dates import parse_day, parse_week

    if day and week:
        raise UsageError("give --date or --week, not both")
    if week:
        return parse_week(week)
    if day:
        return parse_day(day)
    if default is None:
        raise UsageError("a date is required")
    return default


@target_app.command("set")
def target_set(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    value: str = typer.Argument(..., help="The area's share, in the indicator's unit."),
    area: str = typer.Option(..., "--area", help="Area id or name."),
    due: str | None = typer.Option(None, "--due", help="Due date (default: the plan's rule)."),
    by: str | None = typer.Option(None, "--by", help="Who sets it [env POVTRACK_USER]."),
    db: Path | None = DB_OPTION,
) -> None:
    """Allocate a city target to an area (the newest allocation counts; none is overwritten).

    Example: povtrack target set housing.relocated_people 9000 --area 阳高县
    """
    _choose_db(db)
    from povtrack.dates import parse_day
    from povtrack.ops import current_user, set_target
    from povtrack.render import fmt_value

    store = _open_store()
    ind, alloc = set_target(
        store,
        indicator,
        value,
        area,
        parse_day(due) if due else None,
        by=current_user(by),
        source="target set",
    )
    store.commit()
    from povtrack.progress import allocation_due

    _say(
        f"target {ind.id} for {alloc.area}: {fmt_value(alloc.value, ind.unit)} {ind.unit} "
        f"by {allocation_due(store.plan, ind, alloc).isoformat()}"
    )


@target_app.command("list")
def target_list(
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    db: Path | None = DB_OPTION,
) -> None:
    """List the allocations recorded so far, oldest first.

    Example: povtrack target list --json
    """
    _choose_db(db)
    from povtrack.export import allocation_json

    store = _open_store()
    allocations = store.allocations()
    if as_json:
        _print_json({"allocations": [allocation_json(a) for a in allocations]})
        return
    for a in allocations:
        due = a.due.isoformat() if a.due else "(plan rule)"
        typer.echo(f"{a.indicator}\t{a.area}\t{a.value}\t{due}")


@app.command()
def record(
    indicator: str = typer.Argument(..., help="Indicator id or name."),
    value: str = typer.Argument(..., help="Running total to date (or the increment)."),
    area: str = typer.Option(..., "--area", help="Area id or name (简体, 繁體 or English)."),
    day: str | None = typer.Option(None, "--date", help="YYYY-MM-DD (default today)."),
    week: str | None = typer.Option(None, "--week", help="ISO week, e.g. 2018-W23 (its Sunday)."),
    note: str = typer.Option("", "--note", help="A note or evidence reference."),
    by: str | None = typer.Option(None, "--by", help="Who reports it [env POVTRACK_USER]."),
    db: Path | None = DB_OPTION,
) -> None:
    """Record one reported value for one area.

    Example: povtrack record housing.relocated_people 5200 --area 阳高县 --week 2018-W23
    """
    _choose_db(db)
    from povtrack.ops import current_user, record_value

    store = _open_store()
    when = _when(day, week, date.today())
    entry_id = record_value(store, indicator, value, area, when, note=note, by=current_user(by))
    store.commit()
    _say(f"recorded entry {entry_id}: {indicator} {value} for {area} on {when.isoformat()}")


@app.command("import")
def import_cmd(
    files: list[Path] = typer.Argument(..., help="CSV files: date,area,indicator,value[,note]."),
    encoding: str | None = typer.Option(None, "--encoding", help="Override detection."),
    by: str | None = typer.Option(None, "--by", help="Who imports [env POVTRACK_USER]."),
    db: Path | None = DB_OPTION,
) -> None:
    """Import weekly returns; all files are one batch, all or nothing.

    Example: povtrack import returns/2018-W23-*.csv
    """
    _choose_db(db)
    from povtrack.ops import current_user, import_returns

    store = _open_store()
    result = import_returns(store, files, by=current_user(by), encoding=encoding)
    store.commit()
    for line in result.already:
        _say(line)
    for name, enc in result.encodings.items():
        if enc not in ("utf-8", "utf-8-sig"):
            _say(f"{name}: read as {enc}")
    if result.batch:
        _say(
            f"imported {result.added} entries from {len(result.files)} file(s) as batch "
            f"{result.batch}"
            + (f"; {result.unchanged} unchanged rows skipped" if result.unchanged else "")
        )
    else:
        _say("nothing new to import")


# ---------------------------------------------------------------------------- reading


@app.command()
def log(
    area: str | None = typer.Option(None, "--area", help="Only this area."),
    indicator: str | None = typer.Option(None, "--indicator", help="Only this indicator."),
    limit: int | None = typer.Option(None, "--limit", min=1, help="At most this many entries."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    lang: str | None = LANG_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Show recorded entries, newest first, with where each came from.

    Example: povtrack log --area 天镇 --indicator housing.relocated_people
    """
    _choose_db(db)
    _choose_lang(lang)
    from povtrack.export import entry_json
    from povtrack.names import resolve_area, resolve_indicator

    store = _open_store()
    entries = store.entries()
    if area:
        area_id = resolve_area(store.plan, area)
        entries = [e for e in entries if e.area == area_id]
    if indicator:
        ind_id = resolve_indicator(store.plan, indicator).id
        entries = [e for e in entries if e.indicator == ind_id]
    entries.sort(key=lambda e: (e.date, e.id), reverse=True)
    entries = entries[:limit] if limit else entries
    if as_json:
        _print_json({"entries": [entry_json(e) for e in entries]})
        return
    from povtrack.render import log_table

    console = _console()
    console.print(log_table(console, store.plan, entries, _labels()))


@app.command()
def status(
    as_of: str | None = typer.Option(
        None, "--as-of", help="Date or ISO week (default: newest entry)."
    ),
    task: int | None = typer.Option(None, "--task", help="Only this task (0 = headline goals)."),
    area: str | None = typer.Option(None, "--area", help="Only rows for this area or group."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON only."),
    lang: str | None = LANG_OPTION,
    db: Path | None = DB_OPTION,
) -> None:
    """Where every target stands against the pace its due date demands.

    Example: povtrack status --as-of 2018-W26 --task 2
    """
    _choose_db(db)
    _choose_lang(lang)
    from povtrack.dates import check_in_window, parse_when
    from povtrack.export import status_json
    from povtrack.names import resolve_scope
    from povtrack.progress import default_as_of, status_rows

    store = _open_store()
    plan = store.plan
    entries = store.entries()
    when = parse_when(as_of) if as_of else default_as_of(plan, entries)
    check_in_window(when, plan.start, plan.last_due, "--as-of")
    scope = resolve_scope(plan, area) if area else None
    if task is not None and task not in {t.number for t in plan.tasks}:
        raise UsageError(f"no task {task}")
    rows = status_rows(plan, entries, store.allocations(), when, task=task, scope=scope)
    if as_json:
        _print_json(status_json(plan, rows, when))
        return
    from povtrack.render import status_table

    console = _console()
    console.print(status_table(console, plan, rows, when, _labels()))


# ---------------------------------------------------------------------------- demo


@app.command()
def demo(
    db: Path | None = typer.Option(None, "--db", help="Where to build the demo database."),
    lang: str | None = LANG_OPTION,
) -> None:
    """Build a demo database from the bundled plan and the sample returns, and show its status.

    The demo never touches your own database (POVTRACK_DB or the default).
    Example: povtrack demo --db /tmp/povtrack-demo.json
    """
    _choose_lang(lang)
    from povtrack.ops import build_demo

    path = db or default_db_path().with_name("demo.json")
    store, summary = build_demo(path, protect=[_db_path(), default_db_path()])
    from povtrack.progress import default_as_of, status_rows
    from povtrack.render import status_table

    entries = store.entries()
    when = default_as_of(store.plan, entries)
    console = _console()
    rows = status_rows(store.plan, entries, store.allocations(), when)
    console.print(status_table(console, store.plan, rows, when, _labels()))
    _say(summary)
    _say(f"demo database: {path}")
    _say(f"try: povtrack --db {path} status --task 2")


def main() -> None:
    app()

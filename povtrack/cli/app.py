"""The Typer application, its error handling, global options and shared helpers.

The only package that imports typer. Errors raised as PovtrackError anywhere below become one
line per problem on stderr and their exit code (see errors.ExitCode); the parser's own usage
errors become one line too; anything unexpected becomes one "internal error" line and exit 1,
with the traceback only under --debug. Commands live in the sibling modules.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from povtrack import __version__
from povtrack.errors import ExitCode, PovtrackError, UsageError
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
            if state.debug:
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


state = _State()


def default_db_path() -> Path:
    from platformdirs import user_data_dir

    return Path(user_data_dir("povtrack", appauthor=False)) / "povtrack.json"


def labels() -> Labels:
    return Labels(state.lang)


def choose_lang(lang: str | None) -> None:
    """--lang is accepted before the command and after it; after wins."""
    if lang is None:
        return
    chosen = lang.strip().lower()
    if chosen not in LANGS:
        raise UsageError(f"--lang '{lang}' is not one of zh, en")
    state.lang = chosen


LANG_OPTION = typer.Option(None, "--lang", help="Labels and names: zh or en.")
DB_OPTION = typer.Option(None, "--db", help="Database file (as the global --db).")


def choose_db(db: Path | None) -> None:
    """--db is accepted before the command and after it; after wins."""
    if db is not None:
        state.db = db


def db_path() -> Path:
    return state.db or default_db_path()


def open_store() -> Any:
    from povtrack.store import Store

    return Store.open(db_path())


def make_console() -> Any:
    from rich.console import Console

    from povtrack.render import THEME

    width = None
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        width = 160  # a file or a pipe: don't squeeze tables into 80 columns
    return Console(theme=THEME, highlight=False, width=width)


def require_task(plan: Any, task: int | None) -> None:
    """--task must name one of the plan's tasks."""
    numbers = [t.number for t in plan.tasks]
    if task is not None and task not in numbers:
        raise UsageError(f"no task {task}; the plan has tasks {numbers[0]}–{numbers[-1]}")


def print_status(plan: Any, rows: list[Any], as_of: Any) -> None:
    """The status table on stdout (used by `status` and `demo`)."""
    from povtrack.render import status_table

    console = make_console()
    console.print(status_table(console, plan, rows, as_of, labels()))


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def say(message: str) -> None:
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
    state.db, state.lang, state.debug = db, default_lang(), debug
    if state.lang not in LANGS:
        state.lang = "en"
    choose_lang(lang)


def main() -> None:
    app()

"""The Typer application, its error handling, global options and shared helpers.

The only package that imports typer. Errors raised as PovtrackError anywhere below become one
line per problem on stderr and their exit code (see errors.ExitCode); the parser's own usage
errors become one line too; anything unexpected becomes one "internal error" line and exit 1,
with the traceback only under --debug. Commands live in the sibling modules.
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import signal
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperCommand, TyperGroup

from povtrack import __version__
from povtrack.cli import complete, fast_params
from povtrack.errors import ExitCode, Interrupted, PovtrackError, UsageError, interruption
from povtrack.i18n import Labels, command_lang, default_lang, parse_lang, set_lang, tr

if TYPE_CHECKING:  # types only: each command imports what it needs when it runs
    from datetime import date

    from rich.console import Console
    from typer.models import CommandFunctionType

    from povtrack.analysis.status import StatusRow
    from povtrack.model import Plan
    from povtrack.storage.base import Backend
    from povtrack.storage.pgurl import PgUrl


class _Group(TyperGroup):
    """The one place errors are turned into messages and exit codes."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        extra = {"windows_expand_args": windows_expand_args, **extra}
        state.early_lang = command_lang(sys.argv[1:] if args is None else list(args))
        set_lang(state.early_lang)
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        try:
            rv = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except Interrupted as exc:
            _interrupted(exc.exit_code)
        except typer.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C inside the parser
                _interrupted(128 + signal.SIGINT)
            typer.echo(tr("已中止", "aborted"), err=True)
            sys.exit(int(ExitCode.INTERNAL))
        except typer.TyperException as exc:  # the parser's own usage errors
            if type(exc).__name__ == "NoArgsIsHelpError":
                exc.show()  # type: ignore[attr-defined]
                sys.exit(getattr(exc, "exit_code", 2))
            from povtrack.cli.usage import usage_message

            ctx = getattr(exc, "ctx", None)
            hint = ""
            if ctx is not None:
                hint = tr(
                    f"（见 '{ctx.command_path} --help'）", f" (see '{ctx.command_path} --help')"
                )
            message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
            typer.echo(error_line(f"{usage_message(message)}{hint}"), err=True)
            sys.exit(getattr(exc, "exit_code", int(ExitCode.USAGE)))
        sys.exit(rv if isinstance(rv, int) else 0)

    def get_params(self, ctx: Any) -> list[Any]:
        return fast_params.install(
            super().get_params(ctx)
        )  # values without pydantic (fast_params.py)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except PovtrackError as exc:
            for line in exc.lines():
                say(error_line(line))
            raise typer.Exit(int(exc.exit_code)) from None
        except (typer.Exit, typer.Abort, typer.TyperException):
            raise
        except Exception as exc:
            if (signal_came := interruption(exc)) is not None:
                raise signal_came from None  # Python 3.11 wraps it in class creation
            if state.debug:
                raise
            kind = type(exc).__name__
            typer.echo(
                tr(
                    f"内部错误：{kind}：{exc}（加 --debug 运行可看详情）",
                    f"internal error: {kind}: {exc} (run with --debug for details)",
                ),
                err=True,
            )
            raise typer.Exit(int(ExitCode.INTERNAL)) from None


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        params = super().get_params(ctx)
        # the global options a command has no option of its own for, after its name too;
        # made once per command object (a parameter keeps the converter it was given)
        if getattr(self, "_globals", None) is None:
            from povtrack.cli.globalopts import command_options

            taken = {opt for p in params for opt in getattr(p, "opts", ())}
            made = command_options(_set_global, MAX_LOCK_TIMEOUT)
            self._globals = [p for p in made if not taken & set(p.opts)]
        return fast_params.install([*params, *self._globals])  # without pydantic (fast_params)


def _set_global(name: str, value: Any) -> None:
    """A global option given after the command name: set as the global one sets it, and being
    parsed after it, it wins (as a command's own --db or --lang does)."""
    if name == "db":
        choose_db(value)
    elif name == "lock_timeout":
        choose_db(None, value)
    elif name == "lang":
        choose_lang(value)
    elif value:  # --debug, --quiet: flags
        setattr(state, name, True)


class _Typer(typer.Typer):
    """Every command of ours is a _Command."""

    def command(
        self, *args: Any, cls: Any = None, **kwargs: Any
    ) -> Callable[[CommandFunctionType], CommandFunctionType]:
        return super().command(*args, cls=cls or _Command, **kwargs)


def _interrupted(code: int) -> None:
    if sys.unraisablehook is _unraisable:  # main() runs: one signal, one line
        for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):
            signal.signal(sig, signal.SIG_IGN)
    from povtrack.storage import safefile

    done = safefile.COMMITTED
    if done:
        what = tr(f"已写入 {done[-1]}", f"after writing {done[-1]}")
    else:
        what = tr("未写入任何内容", "nothing written")
    typer.echo(tr(f"已中断（{what}）", f"interrupted ({what})"), err=True)
    sys.exit(code)


def _raise_interrupted(signum: int, frame: Any) -> None:
    raise Interrupted(signum)


_DEFERRED: list[int] = []  # a signal to raise again, once out of a callback


def _unraisable(hook: Any) -> None:
    """A signal that came while Python ran a callback of its own (a weak reference's, the
    garbage collector's) raised Interrupted where it cannot propagate: Python would print it
    as "Exception ignored" with a traceback and go on as if nothing came. Raise it again a
    millisecond later instead (SIGALRM), out of the callback (and again, if need be)."""
    if not isinstance(hook.exc_value, Interrupted):
        sys.__unraisablehook__(hook)
        return
    _DEFERRED[:] = [hook.exc_value.args[0]]
    signal.setitimer(signal.ITIMER_REAL, 0.001)


def _raise_deferred(signum: int, frame: Any) -> None:
    if _DEFERRED:
        raise Interrupted(_DEFERRED[0])


HELP = """Track Datong's 2018 poverty-alleviation plan: weekly progress against every target.

Example: povtrack init && povtrack import week23.csv && povtrack status --task 2
"""

app = _Typer(
    cls=_Group, help=HELP, no_args_is_help=True, rich_markup_mode=None, add_completion=True
)
plan_app = _Typer(
    cls=_Group,
    help="Show or check the plan and its targets.\n\nExample: povtrack plan show --task 2",
    no_args_is_help=True,
)
target_app = _Typer(
    cls=_Group,
    help="Allocate city targets to areas.\n\n"
    "Example: povtrack target set jobs.trained 2500 --area 阳高县",
    no_args_is_help=True,
)
app.add_typer(plan_app, name="plan")
app.add_typer(target_app, name="target")


@dataclass
class _State:
    db: str | None = None
    lang: str = "en"
    debug: bool = False
    lock_timeout: float | None = None
    quiet: bool = False
    early_lang: str | None = None  # the language of the whole command line, before parsing


state = _State()


def default_db_path() -> Path:
    from povtrack.storage import default_location

    return default_location()


def labels() -> Labels:
    return Labels(state.lang)


def choose_lang(lang: str | None) -> None:
    """--lang is accepted before the command and after it; after wins."""
    if lang is None:
        return
    chosen = parse_lang(lang)
    if chosen is None:
        raise UsageError(
            tr(f"--lang '{lang}' 不是 zh 或 en", f"--lang '{lang}' is not one of zh, en")
        )
    state.lang = chosen
    set_lang(chosen)


LANG_OPTION = typer.Option(
    None, "--lang", help="Labels and names: zh or en.", autocompletion=complete.langs
)
JSON_OPTION = typer.Option(False, "--json", help="Print JSON only.")
AS_OF_OPTION = typer.Option(None, "--as-of", help="Date or ISO week (default: newest entry).")
DB_OPTION = typer.Option(
    None, "--db", help="Database file, sqlite:///PATH or postgresql://... (as the global --db)."
)


MAX_LOCK_TIMEOUT = 86_400.0  # a day: no one means to wait longer for a lock
MAX_ENTRY_ID = 2**63 - 1  # the largest id a database can hold (a SQLite integer)
LOCK_OPTION = typer.Option(
    None,
    "--lock-timeout",
    min=0,
    max=MAX_LOCK_TIMEOUT,
    help="Seconds to wait for another writer (as the global --lock-timeout).",
)


def choose_db(db: str | None, lock_timeout: float | None = None) -> None:
    """--db and --lock-timeout are accepted before the command and after it; after wins."""
    if db is not None:
        state.db = db
    if lock_timeout is not None:
        state.lock_timeout = lock_timeout


def lock_timeout() -> float:
    from povtrack.storage.safefile import DEFAULT_LOCK_TIMEOUT

    return DEFAULT_LOCK_TIMEOUT if state.lock_timeout is None else state.lock_timeout


def db_path() -> Path:
    """--db or POVTRACK_DB as a database path: a file, or a SQLite URL (store.db_location).
    For commands that work on the file itself; a PostgreSQL URL is refused (exit 2)."""
    if state.db is None:
        return default_db_path()
    from povtrack.storage import db_location

    return db_location(state.db)


def db_target() -> Path | PgUrl:
    """--db or POVTRACK_DB as the database to open: a file, or a ``postgresql://`` URL."""
    if state.db is None:
        return default_db_path()
    from povtrack.storage import db_target as target_of

    return target_of(state.db)


def db_file() -> Path | None:
    """The database's file, None for a database on a server (it has no files beside it)."""
    from povtrack.storage.pgurl import PgUrl

    target = db_target()
    return None if isinstance(target, PgUrl) else target


def open_store() -> Backend:
    from povtrack.storage import Database

    return Database.open(db_target())


@contextlib.contextmanager
def writing_store(*, adds_only: bool = False) -> Iterator[Backend]:
    """The database, locked for this command; warnings go to stderr when the command ends.
    ``adds_only``: the command only adds entries (on a server, alongside others that do)."""
    from povtrack.storage import Database

    with Database.writing(db_target(), lock_timeout=lock_timeout(), shared=adds_only) as store:
        try:
            yield store
        finally:
            for line in store.warnings:
                say(warning_line(line))


def as_of_date(store: Backend, text: str | None) -> date:
    """--as-of (a date or ISO week in the plan's window), else the newest date of an entry
    that counts (the store knows it without making every entry)."""
    from povtrack.dates import check_in_window, parse_when

    plan = store.plan
    when = parse_when(text) if text else store.latest_date()
    return check_in_window(when, plan.start, plan.last_due, "--as-of")


def make_console() -> Console:
    from rich.console import Console

    from povtrack.output.screen.tables import THEME

    width = None
    if not sys.stdout.isatty() and not os.environ.get("COLUMNS"):
        width = 160  # a file or a pipe: don't squeeze tables into 80 columns
    return Console(theme=THEME, highlight=False, width=width)


def require_task(plan: Plan, task: int | None) -> None:
    """--task must name one of the plan's tasks."""
    numbers = [t.number for t in plan.tasks]
    if task is not None and task not in numbers:
        raise UsageError(
            tr(
                f"没有任务 {task}；方案的任务编号为 {numbers[0]}–{numbers[-1]}",
                f"no task {task}; the plan has tasks {numbers[0]}–{numbers[-1]}",
            )
        )


def print_status(plan: Plan, rows: list[StatusRow], as_of: date, *, forecast: bool = False) -> None:
    """The status table on stdout (used by `status` and `demo`)."""
    from povtrack.output.screen.status import status_table

    console = make_console()
    console.print(status_table(console, plan, rows, as_of, labels(), forecast=forecast))


PROGRESS_DELAY = 1.0  # seconds of work before a progress bar appears


@contextlib.contextmanager
def progress(description: str, total: float | None = None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr for work that turns out to take more than a second (a timer
    starts it; quick work never shows one); nothing when stdout is not a terminal (cron,
    pipes) or with --quiet. Yields ``tick(n)``, to count the work done (optional)."""
    if state.quiet or not sys.stdout.isatty() or not sys.stderr.isatty():
        yield lambda n: None
        return
    import threading

    from rich.console import Console
    from rich.progress import Progress

    bar = Progress(console=Console(stderr=True), transient=True)
    task = bar.add_task(description, total=total)
    lock = threading.Lock()
    done = False

    def show() -> None:
        with lock:
            if not done:
                bar.start()

    timer = threading.Timer(PROGRESS_DELAY, show)
    timer.daemon = True
    timer.start()
    try:
        yield lambda n: bar.advance(task, n)
    finally:
        with lock:
            done = True
            timer.cancel()
            bar.stop()  # a no-op when it never started


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def say(message: str) -> None:
    """One line on stderr; control characters from names, notes or files shown, not obeyed."""
    from povtrack.textsafe import escape

    typer.echo(escape(message, keep_tab=True), err=True)


def error_line(text: str) -> str:
    """``error: TEXT`` (错误：TEXT), as every refusal is said."""
    return tr(f"错误：{text}", f"error: {text}")


def warning_line(text: str) -> str:
    """``warning: TEXT`` (警告：TEXT), as every warning is said."""
    return tr(f"警告：{text}", f"warning: {text}")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"povtrack {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    db: str | None = typer.Option(
        None,
        "--db",
        envvar="POVTRACK_DB",
        help="Database: NAME.json (TinyDB), NAME.sqlite, sqlite:///PATH or postgresql://...",
    ),
    lang: str | None = typer.Option(
        None,
        "--lang",
        help="Labels and names: zh or en [env POVTRACK_LANG; default from the locale].",
        autocompletion=complete.langs,
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks of internal errors."),
    quiet: bool = typer.Option(
        False, "--quiet", "-q", help="No progress bars (they only show on a terminal anyway)."
    ),
    lock_wait: float | None = typer.Option(
        None,
        "--lock-timeout",
        envvar="POVTRACK_LOCK_TIMEOUT",
        min=0,
        max=MAX_LOCK_TIMEOUT,
        help="Seconds a write waits for another writer before exit 5 [default 5].",
    ),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    state.db, state.debug = db, debug
    state.lang, unknown = default_lang()
    # --lang after the command name counts from here on too: the command's own arguments are
    # parsed (and refused) before its --lang is read
    state.lang = state.early_lang or state.lang
    set_lang(state.lang)
    state.lock_timeout = lock_wait
    state.quiet = quiet
    choose_lang(lang)
    if unknown is not None:
        unknown = default_lang()[1] or unknown  # said again in the language just chosen
        say(warning_line(unknown))


def main() -> None:
    # Until the handlers below, povtrack/__init__.py's own end the process (nothing written).
    # A console that cannot show Chinese (PYTHONIOENCODING=ascii, a cp936 pipe) must never turn
    # a committed command into a failure: unprintable characters are escaped instead.
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors="backslashreplace")  # type: ignore[union-attr]
    # One command, then the process ends: the cyclic garbage collector would only walk, again
    # and again, the big acyclic structure a database is read into (a large share of an
    # import's time, measured in benchmarks/findings.md) and free nothing. Reference counting
    # still frees everything as usual. (Tests call the Typer app, not main(), and keep the
    # collector.)
    gc.disable()
    try:
        # SIGTERM (cron's timeout, systemd) and Ctrl-C unwind like an exception, so temp files
        # go and the lock is released; the entry point says whether anything was written.
        sys.unraisablehook = _unraisable
        signal.signal(signal.SIGALRM, _raise_deferred)
        signal.signal(signal.SIGTERM, _raise_interrupted)
        signal.signal(signal.SIGINT, _raise_interrupted)
        # the completion scripts call `povtrack` with _POVTRACK_COMPLETE set; named here so
        # that `python -m povtrack` (whose name Typer would make it from) answers it too
        app(complete_var="_POVTRACK_COMPLETE")
    except Interrupted as exc:  # before Typer has built the command line (or after its end)
        _interrupted(exc.exit_code)
    finally:
        # The work is done (or refused) and said: a SIGTERM or Ctrl-C from here on would only
        # turn the exit code into "killed" while Python tears down (which puts back the default
        # handlers, not an ignored one). Scripts get the code that tells what happened.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_IGN)
        # The process ends here. Its last garbage collections, over every module and object
        # loaded, free nothing anyone sees and cost a tenth of a short command: freeze them
        # out. Files and the lock are closed by now (context managers), stdout and stderr are
        # still flushed and atexit handlers still run.
        gc.freeze()

"""The global options as options of every command, so they may follow the command's name.

``povtrack status -q`` means ``povtrack -q status``: ``app._Command`` adds these, hidden, to
every command that has no option of that name of its own (many have their own --db and
--lang). Each hands its value to ``set_global`` (``app._set_global``), which sets what the
global option sets. Typer builds them from a stand-in command, as it builds every other
option, so their values are converted and checked (``--lock-timeout`` bounds) the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import typer

from povtrack.cli import complete


def command_options(set_global: Callable[[str, Any], None], max_wait: float) -> list[Any]:
    """--db, --lang, --debug, -q/--quiet and --lock-timeout, hidden, as click parameters."""
    from typer.main import get_command

    def setter(name: str) -> Callable[[Any], None]:
        def callback(value: Any) -> None:
            set_global(name, value)

        return callback

    hidden: dict[str, Any] = {"hidden": True, "expose_value": False}
    stand_in = typer.Typer(add_completion=False)

    @stand_in.command()
    def _globals(
        db: str | None = typer.Option(None, "--db", callback=setter("db"), **hidden),
        lang: str | None = typer.Option(
            None, "--lang", callback=setter("lang"), autocompletion=complete.langs, **hidden
        ),
        debug: bool = typer.Option(False, "--debug", callback=setter("debug"), **hidden),
        quiet: bool = typer.Option(False, "--quiet", "-q", callback=setter("quiet"), **hidden),
        lock_wait: float | None = typer.Option(
            None,
            "--lock-timeout",
            min=0,
            max=max_wait,
            callback=setter("lock_timeout"),
            **hidden,
        ),
    ) -> None:
        """Never run: only its options are taken."""

    return list(get_command(stand_in).params)

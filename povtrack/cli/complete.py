"""Shell completion: the values a parameter may take, worked out only when the shell asks.

Typer's ``--install-completion`` and ``--show-completion`` (bash, zsh, fish) install a script
that runs povtrack with ``_POVTRACK_COMPLETE`` set; Typer then completes commands and options
itself and calls the ``autocompletion=`` callbacks below for values: indicator ids and names,
area and group names, task numbers, formats, languages. A path parameter offers nothing, so
the shell completes file names itself (bash's ``-o default``, zsh's ``_files``, fish's own).

Nothing here runs when a command runs: this module only defines the callbacks (importing it
costs nothing), and each loads the plan when called, from the database the command line names
(``--db`` after or before the command, or POVTRACK_DB) or else the bundled plan. A completion
never fails loudly: whatever goes wrong (no database, a broken one) falls back to the bundled
plan, because a traceback would land in the middle of the user's command line.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from povtrack.model import Plan


def _db_text(ctx: Any) -> str | None:
    """The innermost --db on the command line (the command's own, else the global one, which
    has POVTRACK_DB as its default)."""
    while ctx is not None:
        value = getattr(ctx, "params", {}).get("db")
        if value:
            return str(value)
        ctx = ctx.parent
    return None


def _plan(ctx: Any) -> Plan:
    from povtrack.planfile import BUNDLED, bundled_text, parse_plan

    try:
        from povtrack.storage import Database, db_location, default_location

        text = _db_text(ctx)
        path = db_location(text) if text else default_location()
        if path.is_file():
            store = Database.open(path)
            try:
                return store.plan
            finally:
                store.close()
    except Exception:  # see the module docstring: the bundled plan, never a traceback
        pass
    return parse_plan(bundled_text(), BUNDLED)


def _lang() -> str:
    from povtrack.i18n import default_lang

    return default_lang()[0]


def indicators(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    from povtrack.names import indicator_candidates

    return indicator_candidates(_plan(ctx), incomplete, _lang())


def areas(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Areas only (record, target set, log)."""
    from povtrack.names import scope_candidates

    return scope_candidates(_plan(ctx), incomplete, _lang(), groups=False)


def scopes(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    """Areas and groups (status, trend, explain)."""
    from povtrack.names import scope_candidates

    return scope_candidates(_plan(ctx), incomplete, _lang())


def tasks(ctx: Any, incomplete: str) -> list[tuple[str, str]]:
    zh = _lang() == "zh"
    return [
        (str(t.number), t.name if zh else t.name_en)
        for t in _plan(ctx).tasks
        if str(t.number).startswith(incomplete)
    ]


def langs() -> list[str]:
    return ["zh", "en"]

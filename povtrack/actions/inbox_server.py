"""What the inbox does differently when the database is on a PostgreSQL server.

The folder stays on this machine's disk with everything that keeps its files safe (the run's
lock, the private folders, ``done/`` and ``rejected/``: ``actions.inbox``); only the database is
the server, and each return is one transaction there, written by the login running the inbox.
Two things are the server's own:

* **who wrote it**: the server sets ``by`` to the login (a trigger), so the inbox names as
  ``on_behalf_of`` the office the return is for: the id of the one area all its rows report, or
  of the nearest area that holds them all (a return of every county is the city's, ``datong``).
  That is what the city's inbox records for a county that e-mailed its return: "the city on
  behalf of the county". A return with no rows to read (one imported before) keeps the name
  the command was given; nothing of it is written anyway.
* **who may write it**: row-level security decides, per statement. A refusal (exit 7) rolls the
  transaction back, so nothing of that return is written; the inbox puts the return back where
  it was and says why. For a county login that depends on the file (another county's return),
  so the run goes on; for any other login it cannot (a viewer may import nothing), so the run
  stops there and the rest wait where they are.

For users: docs/returns.md ("The shared inbox") and docs/deployment.md.
"""

from __future__ import annotations

from pathlib import Path

from povtrack.errors import NotPermittedError
from povtrack.i18n import tr
from povtrack.ledger import files_in_force
from povtrack.model import Plan
from povtrack.returns.reader import read_returns
from povtrack.storage.base import Backend


def common_area(plan: Plan, areas: set[str]) -> str | None:
    """The nearest area of the plan that is, or holds, every one of ``areas`` (None: none
    given, or no area holds them all)."""
    parents = {a.id: a.parent for a in plan.areas}

    def upwards(area: str) -> list[str]:
        chain: list[str] = []
        at: str | None = area
        while at is not None and at not in chain:  # a plan's areas form a tree (planfile)
            chain.append(at)
            at = parents.get(at)
        return chain

    chains = [upwards(a) for a in sorted(areas)]
    if not chains:
        return None
    shared = set(chains[0]).intersection(*chains[1:])
    return next((a for a in chains[0] if a in shared), None)


def on_behalf_of(
    store: Backend,
    path: Path,
    data: bytes,
    *,
    given: str,
    encoding: str | None,
    base: Path,
    layout: str | None,
) -> str:
    """The office a return is for (see the module docstring), read from the same bytes the
    import reads; ``given`` when its rows name no area or it cannot be read (the import then
    says why, exactly as it would have)."""
    files, problems = read_returns(
        [path],
        store.plan,
        encoding=encoding,
        base=base,
        known=frozenset(files_in_force(store.batches())),
        reader=lambda _path: data,
        layout=layout,
        plan_digest=store.meta.get("plan_sha256"),
    )
    if problems:
        return given
    return common_area(store.plan, {r["area"] for f in files for r in f.rows}) or given


def refused_message(exc: NotPermittedError) -> str:
    """The outcome of a return the server refused this login: left where it was, and why."""
    return tr(
        f"留在原处，未写入任何内容：{exc.message}",
        f"left where it was, nothing written: {exc.message}",
    )


def refusal_stops_the_run(store: Backend) -> bool:
    """Whether a refusal holds for every return, not only this one: true for any login but a
    county office, whose right to write depends on the areas a return reports."""
    return getattr(store, "role", None) != "county"


def stopped_after_refusal() -> NotPermittedError:
    """Why a run stopped at a refused return (said after the outcomes; exit 7)."""
    return NotPermittedError(
        tr(
            "此账号不能导入报表：运行已停止，其余报表留在收件箱中",
            "this login may not import returns: the run stopped, the rest stay in the inbox",
        )
    )

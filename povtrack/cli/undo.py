"""``povtrack undo``: a batch taken back, with a reason (nothing is deleted)."""

from __future__ import annotations

import typer

from povtrack.cli.app import (
    DB_OPTION,
    LOCK_OPTION,
    app,
    choose_db,
    say,
    writing_store,
)
from povtrack.i18n import tr


@app.command()
def undo(
    batch: str | None = typer.Option(
        None,
        "--batch",
        help="The batch to undo (default: the newest one in force that is not itself an undo; "
        "to undo an undo, name it).",
    ),
    reason: str = typer.Option("", "--reason", help="Why: kept with the undo."),
    by: str | None = typer.Option(None, "--by", help="Who undoes [env POVTRACK_USER]."),
    db: str | None = DB_OPTION,
    lock_wait: float | None = LOCK_OPTION,
) -> None:
    """Undo the last import or command, or a named batch, by recording its reversal: its
    entries stop counting but stay in 'log --all'. An undo can itself be undone.

    Example: povtrack undo --batch b12 --reason "wrong week's file"
    """
    choose_db(db, lock_wait)
    from povtrack.actions.corrections import undo_batch
    from povtrack.actions.writes import current_user
    from povtrack.textsafe import refuse_controls

    refuse_controls(reason, "--reason", allow="\t\n")
    with writing_store() as store:
        done = undo_batch(store, batch, reason=reason, by=current_user(by))
        store.commit()
    target = done.batch
    what = target["kind"]
    files = ", ".join(f["name"] for f in target.get("files", []))
    if what == "undo":
        again = target.get("reverts")
        say(
            tr(
                f"{done.undo}：已撤销 {target['id']}：批次 {again} 重新计入",
                f"{done.undo}: undid {target['id']}: batch {again} counts again",
            )
        )
        return
    say(
        tr(
            f"{done.undo}：已撤销 {target['by']} 于 {target['at']} 的 {what} 批次 {target['id']}"
            + (f"（{files}）" if files else "")
            + f"：{done.entries} 条记录不再计入",
            f"{done.undo}: undid {what} batch {target['id']}"
            + (f" ({files})" if files else "")
            + f" of {target['at']} by {target['by']}: {done.entries} entries no longer count",
        )
    )

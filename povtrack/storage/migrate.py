"""``povtrack db migrate``: a database moved to another backend, every record kept.

The source (any backend) is only read; the target is a new database, of the backend its path or
URL names (``storage.backend_of``; on PostgreSQL, a database without povtrack's schema yet),
written in one commit from the source's ``Records``: the same entries with their ids, the same
corrections, batches and allocations, and the meta that says where the data has been
(created_at, generation, demo, restored_from). Its generation is the source's plus one: the
migration is a commit of its own. Nothing here knows a backend's layout. For users: docs/storage.md,
"Storage backends".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from povtrack.errors import UsageError
from povtrack.i18n import tr
from povtrack.storage import Database, Target, backend_of
from povtrack.storage.pgurl import PgUrl
from povtrack.storage.sidefiles import belongs_to, database_itself


@dataclass
class Moved:
    """What ``migrate`` moved (the shape of ``db migrate --json``)."""

    source: Target
    target: Target
    entries: int
    batches: int
    allocations: int
    generation: int  # the new database's
    source_generation: int

    def as_json(self) -> dict[str, Any]:
        return {
            "source": str(self.source),
            "source_backend": backend_of(self.source),
            "target": str(self.target),
            "target_backend": backend_of(self.target),
            "entries": self.entries,
            "batches": self.batches,
            "allocations": self.allocations,
            "generation": self.generation,
            "source_generation": self.source_generation,
        }


def migrate(source: Target, target: Target, *, lock_timeout: float) -> Moved:
    """Copy every record of ``source`` into a new database at ``target``; the source is never
    changed. Refused (UsageError, nothing written) when ``target`` exists or is the source (a
    PostgreSQL target: when it holds povtrack's schema already, which ``creating`` refuses)."""
    if isinstance(target, PgUrl) and target == source:
        raise UsageError(
            tr(
                f"{target}：这正是要迁移的数据库；请指定另一个数据库",
                f"{target}: that is the database being migrated; name another database",
            )
        )
    if isinstance(target, Path) and isinstance(source, Path):
        _refuse_own_files(source, target)
    if isinstance(target, Path) and (target.exists() or target.is_symlink()):
        raise UsageError(
            tr(
                f"{target}：已存在；'db migrate' 只写入新数据库（请把该文件移走或另选名称）",
                f"{target}: already exists; 'db migrate' only writes a new database "
                "(move the file away or choose another name)",
            )
        )
    store = Database.open(source)
    records = store.records()
    generation = int(records.meta.get("generation", 0))
    plan_text = records.meta["plan_text"]
    records.meta["migrated_from"] = f"{source} ({backend_of(source)}, generation {generation})"
    with Database.creating(target, plan_text, lock_timeout=lock_timeout, records=records) as (
        new,
        _,
    ):
        new.commit()
    moved = Moved(
        source,
        target,
        entries=len(records.entries),
        batches=len(records.batches),
        allocations=len(records.allocations),
        generation=new.generation,
        source_generation=generation,
    )
    store.close()
    new.close()
    return moved


def _refuse_own_files(source: Path, target: Path) -> None:
    what = belongs_to(source, target)
    if what is not None and what.startswith(database_itself(source)):  # or a hard link to it
        raise UsageError(
            tr(
                f"{target}：这正是要迁移的数据库；请指定一个新文件",
                f"{target}: that is the database being migrated; name a new file",
            )
        )
    if what is not None:  # its lock, backups, ...: a database there breaks every later write
        raise UsageError(
            tr(
                f"{target}：这是{what}；'db migrate' 只写入新数据库，绝不写到源数据库自己的文件上"
                "（请指定一个新文件）",
                f"{target}: that is {what}; 'db migrate' writes a new database, never onto the "
                "source's own files (name a new file)",
            )
        )

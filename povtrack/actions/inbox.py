"""An inbox on a shared drive: offices drop their returns in, one scheduled run takes them in.

The database stays on one machine (a file), or is a PostgreSQL server (``inbox_server``: the
login running the inbox writes, the server decides what it may, and a refused return stays
where it was); the folder is always on this machine's disk. Files are taken oldest first (by
modification time, then name), each as its own import, so one bad file holds up nobody else.
Each file ends in ``done/`` or in ``rejected/`` with ``NAME.reason.txt`` beside it.

Everything in the folder is untrusted (offices can write there), so nothing in it is followed
(``inbox_files``): only regular files with one name and a plain name are read; links, pipes,
devices, hard-linked files and unusable names are moved to ``rejected/`` unread, with why. A
return is first moved out of the shared folder into a private folder of this run, read once
from its own descriptor, imported from those bytes, and moved to ``done/`` only if it is still
byte for byte what was imported. A file is moved only after its import is committed: a crash in
between leaves it in the private folder, where the next run finds it "already imported" and
moves it on (on a server too: what is "already imported" is the server's record of the files
each import took). Anything wrong with the inbox's own folders is a problem of the run (exit 2),
never a reason to stop every later run. For users: docs/returns.md, "The shared inbox".
"""

from __future__ import annotations

import gc
import hashlib
import os
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from povtrack.actions import inbox_files as fs
from povtrack.actions import inbox_server as server
from povtrack.actions.inbox_run import InboxRun, Outcome, consequence
from povtrack.actions.writes import ImportResult, database_warnings, import_returns
from povtrack.errors import NotPermittedError, PovtrackError, UsageError
from povtrack.i18n import tr
from povtrack.returns.reader import display_name
from povtrack.storage import Database, Target, safefile
from povtrack.storage.pgurl import PgUrl

__all__ = ["InboxRun", "Outcome", "take_inbox"]

DEFAULT_SETTLE = 5.0
OWN_FOLDERS = ("done", "rejected")


@dataclass
class _Waiting:
    """A file found in the inbox (or left in a private folder by an earlier run)."""

    folder: fs.Folder
    name: str
    st: os.stat_result
    taken: bool  # already in a private folder


@dataclass
class _Taken:
    """A return moved into a private folder and read once from its own descriptor."""

    folder: fs.Folder
    name: str
    fd: int
    data: bytes
    ident: tuple[int, int, int, int]
    sha256: str


class _Refused(Exception):
    """A taken file that cannot be imported as it is (unreadable, not one plain file)."""

    def __init__(self, taken: _Taken | tuple[fs.Folder, str], reasons: list[str]) -> None:
        super().__init__(reasons[0])
        self.taken = taken
        self.reasons = reasons


class _Left(Exception):
    def __init__(self, outcome: Outcome | None) -> None:
        super().__init__()
        self.outcome = outcome


def take_inbox(
    db: Target,
    inbox: Path,
    *,
    by: str,
    encoding: str | None = None,
    settle: float = DEFAULT_SETTLE,
    lock_timeout: float = safefile.DEFAULT_LOCK_TIMEOUT,
    layout: str | None = None,
) -> InboxRun:
    if not inbox.is_dir():
        raise UsageError(
            tr(
                f"{inbox}：没有这个文件夹（收件箱是存放报表文件的文件夹）",
                f"{inbox}: no such folder (the inbox is a folder of return files)",
            )
        )
    if isinstance(db, Path) and safefile.real_path(inbox) == safefile.real_path(db).parent:
        raise UsageError(
            tr(
                f"{inbox}：这是数据库自己的文件夹；请给各单位另设一个收件箱文件夹"
                "（数据库及其备份绝不能被移动）",
                f"{inbox}: this is the database's own folder; give the offices a separate inbox "
                "folder (the database and its backups must never be moved)",
            )
        )
    # a missing or broken database (or an unreachable server) stops the run before any file
    # is moved
    Database.open(db).close()
    run = InboxRun(inbox)
    # One run at a time per inbox; each import also takes the database lock.
    with safefile.DbLock(inbox / ".povtrack-inbox", lock_timeout):
        shared = fs.open_inbox(inbox)
        taker = _Taker(db, shared, run, by, encoding, lock_timeout)
        taker.layout = layout
        try:
            taker.take_all(settle)
        except PovtrackError as exc:  # busy, unwritable or broken database: stop here
            run.stopped = exc
        finally:
            taker.close()
    return run


class _Taker:
    """One run over one inbox."""

    def __init__(
        self,
        db: Target,
        shared: fs.Folder,
        run: InboxRun,
        by: str,
        encoding: str | None,
        lock_timeout: float,
    ) -> None:
        self.db, self.shared, self.run = db, shared, run
        self.by, self.encoding, self.lock_timeout = by, encoding, lock_timeout
        self.layout: str | None = None  # every return read in this layout (None: recognised)
        self.limit = fs.name_limit(shared)
        self.folders: dict[str, fs.Folder | str] = {}
        self.work: fs.Folder | None = None
        self.leftovers: list[fs.Folder] = []

    # -- the run -------------------------------------------------------------------------

    def take_all(self, settle: float) -> None:
        self.leftovers = fs.leftover_work(self.shared)
        waiting = [w for folder in self.leftovers for w in self._listing(folder, taken=True)]
        for name in OWN_FOLDERS:  # what is already there is checked (and said) at once
            if self.shared.lstat(name) is not None:
                self._folder(name)
        waiting += sorted(
            self._listing(self.shared, taken=False), key=lambda w: (w.st.st_mtime_ns, w.name)
        )
        now = time.time()
        for w in waiting:
            age = now - w.st.st_mtime
            if not w.taken and age < settle:
                why = tr(
                    f"{age:.0f} 秒前还有改动；可能仍在传送？",
                    f"changed {age:.0f} s ago; still arriving?",
                )
                self._said(Outcome(self._shown(w.name), "waiting", why))
                continue
            try:
                self._said(self._one(w))
            finally:
                # The command runs without automatic collection (cli.app.main); a long run
                # over many workbooks would keep each one's reference cycles until the end.
                gc.collect()

    def close(self) -> None:
        for folder in [*self.leftovers, *([self.work] if self.work else [])]:
            fs.remove_if_empty(self.shared, folder)
        for opened in self.folders.values():
            if isinstance(opened, fs.Folder):
                opened.close()
        self.shared.close()

    def _said(self, outcome: Outcome | None) -> None:
        if outcome is not None:
            self.run.outcomes.append(outcome)

    def _listing(self, folder: fs.Folder, *, taken: bool) -> list[_Waiting]:
        """Files to take; hidden files, Office lock files (``~$book.xlsx``), folders and the
        inbox's own folders are not returns."""
        found = []
        with os.scandir(folder.fd) as entries:
            for entry in entries:
                name = entry.name
                if not taken and (name.startswith((".", "~$")) or name in OWN_FOLDERS):
                    continue
                try:
                    st = entry.stat(follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if not stat.S_ISDIR(st.st_mode):
                    found.append(_Waiting(folder, name, st, taken))
        return found

    def _folder(self, name: str) -> fs.Folder | str:
        """``done`` or ``rejected``, made if missing; once per run, its problem is said."""
        if name not in self.folders:
            made = fs.own_folder(self.shared, name)
            if isinstance(made, str):
                made = tr(
                    f"{self.shared.path / name}：收件箱自己的 {name} 文件夹的位置上是{made}；"
                    f"{consequence(name)}",
                    f"{self.shared.path / name}: {made} where the inbox's own {name} folder "
                    f"belongs; {consequence(name)}",
                )
                self.run.problems.append(made)
            self.folders[name] = made
        return self.folders[name]

    @staticmethod
    def _shown(name: str) -> str:
        return display_name(Path(name))

    # -- one file ------------------------------------------------------------------------

    def _one(self, w: _Waiting) -> Outcome | None:
        shown = self._shown(w.name)
        reason = fs.unreadable(w.name, w.st, shown, self.limit)
        if reason is not None:
            unread = (w.folder, w.name)
            return self._reject(unread, shown, [reason], fs.safe_name(shown, self.limit))
        if isinstance(self.folders.get("done"), str):  # said once, as a problem of the run
            why = tr(
                "留在原处：收件箱的 done 文件夹无法使用",
                "left where it is: the inbox's done folder is unusable",
            )
            return Outcome(shown, "left", why)
        taken: _Taken | None = None
        noted: list[str] = []  # the database's own warnings (e.g. a stale temp file)
        stops = True  # whether a refusal by the server holds for every file (inbox_server)
        try:
            with Database.writing(self.db, lock_timeout=self.lock_timeout, shared=True) as store:
                noted = store.warnings
                stops = server.refusal_stops_the_run(store)
                taken = self._take(w, shown)
                data = taken.data
                path, by = self.shared.path / w.name, self.by
                if isinstance(self.db, PgUrl):  # the server names the login; this, the office
                    by = server.on_behalf_of(
                        store, path, data, given=by, encoding=self.encoding,
                        base=self.shared.path, layout=self.layout,
                    )  # fmt: skip
                result = import_returns(
                    store,
                    [path],
                    by=by,
                    encoding=self.encoding,
                    base=self.shared.path,
                    reader=lambda _path: data,  # the bytes read once, never the path again
                    layout=self.layout,
                )
                store.commit()
                safefile.crash_point("inbox_after_commit")  # tests: killed before the move
        except _Left as left:
            return left.outcome
        except _Refused as refused:
            return self._reject(refused.taken, shown, refused.reasons, w.name)
        except NotPermittedError as exc:  # rolled back: nothing of this file was written
            if taken is None:
                raise
            self._put_back(taken)
            self.run.refused.append(shown)
            if stops:  # every other file would be refused too: they wait where they are
                self.run.outcomes.append(Outcome(shown, "left", server.refused_message(exc)))
                raise server.stopped_after_refusal() from None
            return Outcome(shown, "left", server.refused_message(exc))
        except UsageError as exc:
            if taken is None:
                raise
            outcome = self._reject(taken, shown, exc.lines(), w.name)
            outcome.warnings += database_warnings(noted)
            return outcome
        except BaseException:
            if taken is not None:
                self._put_back(taken)
            raise
        outcome = self._finish(taken, shown, result)
        outcome.warnings += result.warnings + database_warnings(noted)
        return outcome

    def _take(self, w: _Waiting, shown: str) -> _Taken:
        """Move the return out of the shared folder (nobody else can reach it there), open it
        without following links and read it once."""
        folder = w.folder
        if not w.taken:
            if self.work is None:
                self.work = fs.work_folder(self.shared)
            try:
                fs.move(self.shared, w.name, self.work, w.name)
            except FileNotFoundError:
                raise _Left(None) from None  # taken away meanwhile
            except OSError as exc:
                why = tr(
                    f"无法从收件箱取出（{exc.strerror}）；留在原处",
                    f"cannot be taken out of the inbox ({exc.strerror}); left where it is",
                )
                raise _Left(Outcome(shown, "left", why)) from None
            folder = self.work
        try:
            fd = os.open(w.name, fs.READ_FLAGS, dir_fd=folder.fd)
        except OSError as exc:
            raise _Refused((folder, w.name), [_cannot_read(shown, exc)]) from None
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_nlink > 1:  # swapped before it was taken
            os.close(fd)
            raise _Refused(
                (folder, w.name),
                [
                    tr(
                        f"{shown}：取出时变成了{fs.kind_of(st)}或链接文件",
                        f"{shown}: changed into {fs.kind_of(st)} or a linked file as it was taken",
                    )
                ],
            )
        try:
            data = fs.read_all(fd)
            ident = fs.identity(os.fstat(fd))
        except OSError as exc:
            os.close(fd)
            raise _Refused((folder, w.name), [_cannot_read(shown, exc)]) from None
        return _Taken(folder, w.name, fd, data, ident, hashlib.sha256(data).hexdigest())

    def _finish(self, taken: _Taken, shown: str, result: ImportResult) -> Outcome:
        """After the commit: into done/ goes exactly what was imported."""
        try:
            same = fs.identity(os.fstat(taken.fd)) == taken.ident
            same = same and hashlib.sha256(fs.read_again(taken.fd)).hexdigest() == taken.sha256
        except OSError:
            same = False
        finally:
            os.close(taken.fd)
        if result.batch:
            status = "imported"
            message = tr(
                f"已导入 {result.added} 条记录，批次 {result.batch}",
                f"imported {result.added} entries as batch {result.batch}",
            )
            if result.unchanged:
                message += tr(
                    f"；跳过 {result.unchanged} 行未变的数据",
                    f"; {result.unchanged} unchanged rows skipped",
                )
        else:
            when = result.already_when
            earlier = tr(f"已导入过：{when[0]}", f"already imported: {when[0]}") if when else ""
            status, message = "already", earlier or tr("没有新内容", "nothing new")
        done = self._folder("done")  # made only now: a busy database leaves no trace
        if isinstance(done, str):
            self.run.problems.append(
                tr(
                    f"{shown}：已导入，但收件箱的 done 文件夹无法使用；它留在 "
                    f"{taken.folder.path}，下次运行时再移走",
                    f"{shown}: imported, but the inbox's done folder is unusable; it stays in "
                    f"{taken.folder.path}, where the next run moves it on",
                )
            )
            return Outcome(shown, status, message)
        dest = done.free_name(taken.name)
        try:
            if same:
                fs.move(taken.folder, taken.name, done, dest)
            else:  # changed after it was read: keep what was imported, and the new one apart
                fs.write_new(done, dest, taken.data)
                self._changed(taken, shown, done.path / dest)
        except OSError as exc:
            self.run.problems.append(
                tr(
                    f"{shown}：已导入，但无法移到 {done.path}（{exc.strerror}）；它留在 "
                    f"{taken.folder.path}，下次运行时再移走",
                    f"{shown}: imported, but cannot be moved to {done.path} ({exc.strerror}); it "
                    f"stays in {taken.folder.path}, where the next run moves it on",
                )
            )
            return Outcome(shown, status, message)
        return Outcome(shown, status, message, str(done.path / dest))

    def _changed(self, taken: _Taken, shown: str, imported: Path) -> None:
        what = tr(
            f"{shown}：导入期间被改动；已导入的版本是 {imported}",
            f"{shown}: changed while it was being imported; the version imported is {imported}",
        )
        rejected = self._folder("rejected")
        if isinstance(rejected, fs.Folder):
            dest = rejected.free_name(taken.name, note=True)
            fs.move(taken.folder, taken.name, rejected, dest)
            fs.write_new(rejected, dest + fs.NOTE, fs.note_text([what]))
            where = tr(
                f"改动后的文件是 {rejected.path / dest}",
                f"the changed file is {rejected.path / dest}",
            )
        elif fs.put_back(taken.folder, taken.name, self.shared):
            where = tr(
                f"改动后的文件已放回 {self.shared.path}",
                f"the changed file is back in {self.shared.path}",
            )
        else:
            where = tr(
                f"改动后的文件留在 {taken.folder.path}",
                f"the changed file stays in {taken.folder.path}",
            )
        self.run.problems.append(
            tr(
                f"{what}，{where}（未导入：请重新放入以导入它）",
                f"{what}, {where} (not imported: drop it in again to import it)",
            )
        )

    def _reject(
        self,
        source: _Taken | tuple[fs.Folder, str],
        shown: str,
        reasons: list[str],
        keep_as: str,
    ) -> Outcome:
        """Into rejected/ (unread things as they are, a link as a link) with why beside it."""
        if isinstance(source, _Taken):
            os.close(source.fd)
            folder, name = source.folder, source.name
        else:
            folder, name = source
        summary = reasons[1] if len(reasons) > 1 else reasons[0]  # the first problem
        if len(reasons) > 2:
            summary += tr(f"（另有{len(reasons) - 2}处）", f" (and {len(reasons) - 2} more)")
        rejected = self._folder("rejected")
        if isinstance(rejected, str):
            self._put_back_from(folder, name)
            why = tr(
                "留在原处：收件箱的 rejected 文件夹无法使用",
                "left where it is: the inbox's rejected folder is unusable",
            )
            return Outcome(shown, "left", why)
        dest = rejected.free_name(keep_as, note=True)
        try:
            fs.move(folder, name, rejected, dest)
        except FileNotFoundError:
            return Outcome(shown, "rejected", summary)
        except OSError as exc:
            self._put_back_from(folder, name)
            why = tr(
                f"{summary}；无法移到 {rejected.path}（{exc.strerror}）：留在原处",
                f"{summary}; cannot be moved to {rejected.path} ({exc.strerror}): left where it is",
            )
            return Outcome(shown, "left", why)
        try:
            fs.write_new(rejected, dest + fs.NOTE, fs.note_text(reasons))
        except OSError as exc:
            summary += tr(f"（未写退回说明：{exc.strerror}）", f" (no reason note: {exc.strerror})")
        return Outcome(shown, "rejected", summary, str(rejected.path / dest))

    def _put_back(self, taken: _Taken) -> None:
        os.close(taken.fd)
        self._put_back_from(taken.folder, taken.name)

    def _put_back_from(self, folder: fs.Folder, name: str) -> None:
        if folder is self.shared or folder not in (self.work, *self.leftovers):
            return
        if not fs.put_back(folder, name, self.shared):
            self.run.problems.append(
                tr(
                    f"{self._shown(name)}：无法放回收件箱（其间有同名文件到达）；它留在 "
                    f"{folder.path}，等下次运行",
                    f"{self._shown(name)}: cannot go back into the inbox (a file of that name "
                    f"arrived meanwhile); it stays in {folder.path} for the next run",
                )
            )


def _cannot_read(shown: str, exc: OSError) -> str:
    return tr(f"{shown}：无法读取：{exc.strerror}", f"{shown}: cannot read: {exc.strerror}")

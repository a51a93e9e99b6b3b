"""Every message in both languages (issue 13, "Chinese throughout").

Three walks:

- ``test_every_message_is_translated`` reads every module of ``povtrack/`` with ``ast``, finds
  every call that makes a user-facing message (the errors of ``povtrack.errors`` and their
  subclasses, ``say``, ``warning``, ``typer.echo(..., err=True)``, a plan file's ``fail``, a
  run's warnings, an inbox outcome, the lists of problems and reasons that become messages) and
  follows what it is given: a literal or an f-string with English words in it must be wrapped in
  ``tr(zh, en)``; a local variable is followed to what was assigned to it; a povtrack function
  called there is followed to what it returns. English on the English side of a test of the
  language (``if zh: ... else: ...``, ``x if lang == "zh" else y``) is the other half of a pair.
  What is left over is listed, file:line each.
- ``test_tr_pairs_are_chinese_then_english``: every ``tr`` of literals has Chinese first and no
  Chinese in the English.
- ``test_checker_finds_...``: the walker run on made-up source, so a plain message is known to
  fail it.

The commands as a county clerk runs them (``--lang zh`` leaves no English word) are in
tests/test_i13_messages_cli.py.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[1] / "povtrack"

EXCLUDED: tuple[str, ...] = ()  # every package is checked

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3001-\u3011]")
IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
# Words of a message: two letters or more, after the placeholders of an f-string, option names
# (--lock-timeout, -o) and the tokens that are the same in both languages are taken out.
_OPTION = re.compile(r"(?<![A-Za-z])--?[A-Za-z][A-Za-z-]*")
_WORD = re.compile(r"[A-Za-z]{2,}")
SAME_IN_BOTH = {
    # names, formats and placeholders a Chinese message writes as they are
    "povtrack", "sqlite", "csv", "tsv", "txt", "xlsx", "xlsm", "md", "html", "json", "TOML",
    "UTF", "GBK", "YYYY", "MM", "DD", "Www", "PATH", "FILE", "FILES", "NAME", "TinyDB", "SQLite",
}  # fmt: skip

# Calls that make a message: name -> the positions and keywords that carry it.
ERROR_BASE = "PovtrackError"
SINKS: dict[str, tuple[tuple[int, ...], tuple[str, ...]]] = {
    "say": ((0,), ()),
    "warning": ((0,), ()),
    "ValueError": ((0,), ()),  # parse_fraction's reach a plan file's error (allowed below)
    "AuditError": ((0,), ()),
    "_Refused": ((1,), ("reasons",)),  # an inbox file rejected: the reasons, for its note
    "Outcome": ((2,), ("message",)),  # an inbox file's outcome line
    "RunWarning": ((1,), ("message",)),
    "fail": ((-1,), ("why",)),  # a plan file's problem at a key
}
# Lists whose lines become messages (``NAME.append(x)``, ``NAME += [...]``).
MESSAGE_LISTS = {"problems", "warnings", "reasons", "already", "bad", "details"}

# Strings that reach a sink but are not words for a clerk: (file, the literal's text).
ALLOWED: set[tuple[str, str]] = {
    # internal errors, never a user's doing (a programming slip shows as "internal error")
    ("sheet.py", "column {}: unknown kind {}"),
    ("analysis/trend.py", "since must be before as_of"),
    # commands to try, the same in both languages (after a translated "try:")
    ("cli/demo.py", "{}povtrack --db {} status --task 2 --forecast"),
    ("cli/demo.py", "povtrack --db {} report --format html -o weekly.html"),
    # TOML's own words for a value, quoted as the plan file has them
    ("planshape.py", "true"),
    ("planshape.py", "false"),
    # names of tables and columns in a database file, quoted as the file has them
    ("storage/json/seriescheck.py", "corrects"),
    ("storage/json/checks.py", "series"),
    ("storage/json/entrytable.py", "reason"),
    ("storage/sqlite/checks.py", "entries"),
    ("storage/sqlite/checks.py", "allocations"),
    # the column a breakdown problem points at (a key, not a word shown as it is)
    ("actions/allocations.py", "indicator"),
    ("actions/allocations.py", "area"),
    ("actions/allocations.py", "due"),
    # Excel's own words for a logical cell, as the cell shows them
    ("returns/cells.py", "TRUE"),
    ("returns/cells.py", "FALSE"),
    # what a header column is read as (keys, shown as keys by --dry-run)
    ("returns/headers.py", "ignored"),
    ("returns/headers.py", "unit"),
    # the command to run again, the same in both languages
    ("returns/template.py", "povtrack template --area {} --week {}"),
}


@dataclass
class Problem:
    file: str
    line: int
    text: str

    def __str__(self) -> str:
        return f"povtrack/{self.file}:{self.line}: {self.text!r}"


def literal_text(node: ast.AST) -> str | None:
    """A literal's text, an f-string's with ``{}`` for each placeholder; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "{}"
            for v in node.values
        )
    return None


_IDENTIFIER = re.compile(r"\S*[/._{}\-0-9]\S*")


def words(text: str) -> list[str]:
    """The English words of a message's text (none: not words for a clerk, e.g. "{}: {}"). A
    text of one token with a path's or a name's characters in it (``/series/{}``,
    ``sample_data``, ``gen-{}.json``) is a name, not words."""
    if _IDENTIFIER.fullmatch(text):
        return []
    text = _OPTION.sub(" ", text)
    return [w for w in _WORD.findall(text) if w not in SAME_IN_BOTH]


def _is_tr(node: ast.AST) -> bool:
    return isinstance(node, ast.Call) and _name(node.func) == "tr"


def _name(func: ast.AST) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _about_language(test: ast.AST) -> bool:
    """A test that chooses the language: ``zh``, ``labels.lang == "zh"``, ``lang != "en"``."""
    for n in ast.walk(test):
        if isinstance(n, ast.Name) and ("zh" in n.id or n.id == "lang"):
            return True
        if isinstance(n, ast.Attribute) and n.attr == "lang":
            return True
    return False


def _returns_on_language(statement: ast.stmt) -> bool:
    """``if zh: ... return ...``: the rest of the block is the other language."""
    return (
        isinstance(statement, ast.If)
        and _about_language(statement.test)
        and isinstance(statement.body[-1], ast.Return | ast.Raise)
    )


def _has_cjk(node: ast.AST) -> bool:
    return any(CJK.search(literal_text(n) or "") for n in ast.walk(node))


@dataclass
class Module:
    rel: str
    tree: ast.Module
    parents: dict[ast.AST, ast.AST] = field(default_factory=dict)
    functions: dict[str, list[ast.FunctionDef | ast.AsyncFunctionDef]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for p in ast.walk(self.tree):
            for c in ast.iter_child_nodes(p):
                self.parents[c] = p
            if isinstance(p, ast.FunctionDef | ast.AsyncFunctionDef):
                self.functions.setdefault(p.name, []).append(p)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        while node in self.parents:
            node = self.parents[node]
            yield node

    def function_of(self, node: ast.AST) -> ast.AST:
        for a in self.ancestors(node):
            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return a
        return self.tree

    def bilingual(self, node: ast.AST) -> bool:
        """Under a test of the language (``if zh: ... else: ...``, ``x if zh else y``), or after
        one whose Chinese side returns (``if zh: return ...``, then the English): one half of a
        pair."""
        child = node
        for a in self.ancestors(node):
            if isinstance(a, ast.If | ast.IfExp) and _about_language(a.test):
                return True
            for body in ("body", "orelse"):
                statements = getattr(a, body, None)
                if isinstance(statements, list) and child in statements:
                    before = statements[: statements.index(child)]
                    if any(_returns_on_language(s) for s in before):
                        return True
            if isinstance(a, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                return False
            child = a
        return False


class Checker:
    """The walk over a tree of modules (``povtrack/``, or a made-up one in the tests)."""

    def __init__(self, root: Path, excluded: tuple[str, ...] = ()) -> None:
        self.modules: dict[str, Module] = {}
        for path in sorted(root.rglob("*.py")):
            rel = path.relative_to(root).as_posix()
            if rel.split("/")[0] in excluded:
                continue
            self.modules[rel] = Module(rel, ast.parse(path.read_text("utf-8"), str(path)))
        self.errors = self._error_classes()
        self.problems: list[Problem] = []
        self._followed: set[tuple[str, int]] = set()

    def _error_classes(self) -> set[str]:
        """PovtrackError and every class made from it, wherever it is defined."""
        known, grew = {ERROR_BASE}, True
        while grew:
            grew = False
            for m in self.modules.values():
                for n in ast.walk(m.tree):
                    if not isinstance(n, ast.ClassDef) or n.name in known:
                        continue
                    if any(_name(b) in known for b in n.bases):
                        known.add(n.name)
                        grew = True
        return known

    # -- the sinks -----------------------------------------------------------------------

    def run(self) -> list[Problem]:
        for m in self.modules.values():
            for node in ast.walk(m.tree):
                for message in self._messages(node):
                    self.check(m, message)
        return self.problems

    def _messages(self, node: ast.AST) -> Iterator[ast.AST]:
        """The expressions that become a message at ``node``, if it makes one."""
        if isinstance(node, ast.AugAssign) and _name(node.target) in MESSAGE_LISTS:
            yield node.value
            return
        if not isinstance(node, ast.Call):
            return
        name = _name(node.func)
        if name in self.errors:
            yield from node.args[:1]
            yield from (k.value for k in node.keywords if k.arg in ("message", "details"))
        elif name == "echo":
            if any(k.arg == "err" for k in node.keywords):
                yield from node.args[:1]
        elif name in ("append", "extend") and isinstance(node.func, ast.Attribute):
            if _name(node.func.value) in MESSAGE_LISTS:
                yield from node.args
        elif name in SINKS:
            positions, keywords = SINKS[name]
            for i in positions:
                if -len(node.args) <= i < len(node.args):
                    yield node.args[i]
            yield from (k.value for k in node.keywords if k.arg in keywords)

    # -- what a message is made of -------------------------------------------------------

    def check(self, m: Module, node: ast.AST, depth: int = 0) -> None:
        if depth > 6 or m.bilingual(node):
            return
        if isinstance(node, ast.Call) and _is_tr(node):
            if node.args:  # what the Chinese side puts in its placeholders must be Chinese too
                self._placeholders(m, node.args[0], depth)
            return
        text = literal_text(node)
        if text is not None:
            if words(text) and (m.rel, text) not in ALLOWED:
                self.problems.append(Problem(m.rel, getattr(node, "lineno", 0), text))
            self._placeholders(m, node, depth)
            return
        if isinstance(node, ast.IfExp):
            if _about_language(node.test) and (_has_cjk(node.body) or _has_cjk(node.orelse)):
                return
            self.check(m, node.body, depth)
            self.check(m, node.orelse, depth)
        elif isinstance(node, ast.BinOp):
            self.check(m, node.left, depth)
            self.check(m, node.right, depth)
        elif isinstance(node, ast.BoolOp):
            for v in node.values:
                self.check(m, v, depth)
        elif isinstance(node, ast.List | ast.Tuple | ast.Set):
            for e in node.elts:
                self.check(m, e, depth)
        elif isinstance(node, ast.ListComp | ast.GeneratorExp):
            self.check(m, node.elt, depth)
        elif isinstance(node, ast.Starred):
            self.check(m, node.value, depth)
        elif isinstance(node, ast.Name):
            for value in self._assigned(m, node):
                self.check(m, value, depth + 1)
        elif isinstance(node, ast.Call):
            self._call(m, node, depth)

    def _placeholders(self, m: Module, node: ast.AST, depth: int) -> None:
        """What an f-string puts in its placeholders: words there are the message's too."""
        if isinstance(node, ast.JoinedStr):
            for v in node.values:
                if isinstance(v, ast.FormattedValue):
                    self.check(m, v.value, depth + 1)

    def _call(self, m: Module, node: ast.Call, depth: int) -> None:
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr == "format":
            self.check(m, func.value, depth)  # "...".format(...)
            return
        if isinstance(func, ast.Attribute) and func.attr == "join":
            return  # ", ".join(parts): parts made elsewhere, each a message of its own
        name = _name(func)
        if name is None or name in self.errors or name in SINKS:
            return  # a sink checks its own arguments
        for owner, fn in self._definitions(m, name, func):
            key = (owner.rel, fn.lineno)
            if key in self._followed:
                continue
            self._followed.add(key)
            for n in ast.walk(fn):
                if not isinstance(n, ast.Return) or n.value is None:
                    continue
                if owner.function_of(n) is fn:
                    self.check(owner, n.value, depth + 1)

    def _definitions(
        self, m: Module, name: str, func: ast.AST
    ) -> list[tuple[Module, ast.FunctionDef | ast.AsyncFunctionDef]]:
        """The povtrack functions a call by ``name`` may run: ``module.name()`` that module's,
        ``self.name()`` or ``name()`` the module's own, else any module's of that name."""
        base = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(base, ast.Name) and base.id != "self":
            named = [o for rel, o in self.modules.items() if rel.endswith(f"{base.id}.py")]
            if named:
                return [(o, f) for o in named for f in o.functions.get(name, [])]
        own = [(m, f) for f in m.functions.get(name, [])]
        if own:
            return own
        return [(o, f) for o in self.modules.values() for f in o.functions.get(name, [])]

    def _assigned(self, m: Module, use: ast.Name) -> Iterator[ast.AST]:
        """What the enclosing function assigns to the name (every assignment of it)."""
        scope = m.function_of(use)
        for n in ast.walk(scope):
            if m.function_of(n) is not scope and n is not scope:
                continue
            if isinstance(n, ast.Assign):
                for target in n.targets:
                    yield from _bound(target, n.value, use.id)
            elif isinstance(n, ast.AugAssign | ast.AnnAssign | ast.NamedExpr):
                if isinstance(n.target, ast.Name) and n.target.id == use.id and n.value:
                    yield n.value
            elif isinstance(n, ast.For | ast.comprehension):
                yield from _bound(n.target, n.iter, use.id)


def _bound(target: ast.AST, value: ast.AST, name: str) -> Iterator[ast.AST]:
    if isinstance(target, ast.Name) and target.id == name:
        yield value
    elif isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple):
        for t, v in zip(target.elts, value.elts, strict=False):
            yield from _bound(t, v, name)
    elif isinstance(target, ast.Tuple) and any(_bound(t, value, name) for t in target.elts):
        yield value  # unpacked from a call or a name: what that is made of is followed


def tr_pairs(root: Path, excluded: tuple[str, ...] = ()) -> Iterator[tuple[str, int, str, str]]:
    """(file, line, zh, en) of every ``tr`` whose two arguments are literals."""
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root).as_posix()
        if rel.split("/")[0] in excluded:
            continue
        for n in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
            if _is_tr(n) and isinstance(n, ast.Call) and len(n.args) == 2:
                zh, en = (literal_text(a) for a in n.args)
                if zh is not None and en is not None:
                    yield rel, n.lineno, zh, en


# ---------------------------------------------------------------------------- the tests


def test_every_message_is_translated() -> None:
    problems = Checker(SOURCE, EXCLUDED).run()
    assert not problems, "messages not wrapped in tr(zh, en):\n" + "\n".join(map(str, problems))


def test_tr_pairs_are_chinese_then_english() -> None:
    pairs = list(tr_pairs(SOURCE, EXCLUDED))
    assert len(pairs) > 300  # the walk found the messages (they are many)
    wrong = [
        f"povtrack/{f}:{line}: zh={zh!r} en={en!r}"
        for f, line, zh, en in pairs
        # English words left on the Chinese side, or Chinese words with no English beside them
        # (the English may quote a Chinese name, a header or 万; punctuation pairs pass)
        if (re.search(r"[A-Za-z]{2,}", en) and not CJK.search(zh))
        or (IDEOGRAPH.search(zh) and en.strip() and not re.search(r"[A-Za-z]{2,}", en))
        or (IDEOGRAPH.search(en) and not re.search(r"[A-Za-z]{2,}", en))
    ]
    assert not wrong, "tr(zh, en) with the languages the wrong way:\n" + "\n".join(wrong)


MADE_UP = """
from povtrack.errors import UsageError
from povtrack.i18n import tr

class MyError(UsageError):
    pass

def plain(x):
    raise UsageError(f"no such thing {x}")

def paired(x):
    raise UsageError(tr(f"没有 {x}", f"no such thing {x}"))

def formatted(a, b):
    raise UsageError(f"{a}: {b}")

def through_a_name(x):
    message = f"bad value {x}"
    raise MyError(message)

def builder(x):
    return f"the value {x} is odd"

def through_a_call(x):
    say(builder(x))

def branch(zh, x):
    if zh:
        say(f"值 {x}")
    else:
        say(f"value {x}")

def problems_list(problems):
    problems.append("a line of trouble")

def to_stderr(typer):
    typer.echo("plain words", err=True)
    typer.echo("stdout is a table, not a message")

def wrong_way():
    tr("english first", "中文")
"""


def test_checker_finds_plain_messages(tmp_path: Path) -> None:
    (tmp_path / "errors.py").write_text(
        "class PovtrackError(Exception):\n    pass\nclass UsageError(PovtrackError):\n    pass\n",
        "utf-8",
    )
    (tmp_path / "made_up.py").write_text(MADE_UP, "utf-8")
    found = {p.text for p in Checker(tmp_path).run()}
    assert found == {
        "no such thing {}",
        "bad value {}",
        "the value {} is odd",
        "a line of trouble",
        "plain words",
    }
    pairs = list(tr_pairs(tmp_path))
    assert sorted((zh, en) for _f, _l, zh, en in pairs) == [
        ("english first", "中文"),
        ("没有 {}", "no such thing {}"),
    ]


def test_checker_excludes_a_folder(tmp_path: Path) -> None:
    (tmp_path / "errors.py").write_text("class PovtrackError(Exception):\n    pass\n", "utf-8")
    (tmp_path / "returns").mkdir()
    (tmp_path / "returns" / "reader.py").write_text(
        "def f():\n    raise PovtrackError('plain words')\n", "utf-8"
    )
    assert [p.text for p in Checker(tmp_path).run()] == ["plain words"]
    assert Checker(tmp_path, ("returns",)).run() == []

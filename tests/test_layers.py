"""The layer rule, read off the import graph of the source (every import: at the top of a module,
inside functions and under ``TYPE_CHECKING``).

The rings, outermost first (docs/development.md, "The layers"):

- ``cli`` may import anything below it; nothing imports ``cli`` but ``povtrack.__main__``;
- ``actions`` imports ``storage``, ``returns``, ``analysis``, ``output`` and the core;
- ``output`` imports ``analysis`` (its row types) and the core;
- ``analysis``, ``storage`` and ``returns`` import only the core;
- the core (the modules at the top of ``povtrack``) imports only the core.

A package may import its own modules. No import cycle is left anywhere. The checker is tested on
a made-up tree first, so a wrong-way import is known to fail it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[1] / "povtrack"

# ring -> the rings it may import (besides itself and the core)
ALLOWED: dict[str, set[str]] = {
    "cli": {"actions", "storage", "returns", "analysis", "output"},
    "actions": {"storage", "returns", "analysis", "output"},
    "output": {"analysis"},
    "analysis": set(),
    "storage": set(),
    "returns": set(),
    "core": set(),
    "entry": {"cli"},  # povtrack.__main__, the `python -m povtrack` entry point
}


def modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every .py file under ``root`` (a package)."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = [root.name, *path.relative_to(root).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imported(name: str, path: Path, known: dict[str, Path]) -> Iterator[tuple[str, int]]:
    """The project modules ``name`` imports, with the line of each import."""
    top = name.split(".")[0]
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text("utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == top:
                    yield nearest(alias.name, known), node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base_parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*base_parts, *([node.module] if node.module else [])])
            else:
                base = node.module or ""
            if base.split(".")[0] != top:
                continue
            for alias in node.names:
                sub = f"{base}.{alias.name}"
                yield (sub if sub in known else nearest(base, known)), node.lineno


def nearest(dotted: str, known: dict[str, Path]) -> str:
    while dotted not in known and "." in dotted:
        dotted = dotted.rpartition(".")[0]
    return dotted


def ring(name: str) -> str:
    parts = name.split(".")
    if len(parts) == 1:
        return "core"  # the package's own __init__
    if parts[1] == "__main__":
        return "entry"
    if len(parts) == 2 and parts[1] not in ALLOWED:
        return "core"  # a module at the top of the package
    return parts[1]


def graph(root: Path) -> dict[str, dict[str, int]]:
    known = modules(root)
    edges: dict[str, dict[str, int]] = {}
    for name, path in known.items():
        out = edges.setdefault(name, {})
        for dep, line in imported(name, path, known):
            if dep != name:
                out.setdefault(dep, line)
    return edges


def wrong_way(root: Path) -> list[str]:
    problems = []
    for name, deps in sorted(graph(root).items()):
        mine = ring(name)
        for dep, line in sorted(deps.items()):
            theirs = ring(dep)
            if theirs in (mine, "core") or theirs in ALLOWED[mine]:
                continue
            where = modules(root)[name].relative_to(root.parent)
            problems.append(f"{where}:{line}: {name} ({mine}) imports {dep} ({theirs})")
    return problems


def cycles(root: Path) -> list[list[str]]:
    """Every cycle found by a depth-first walk (each reported once, from its first module)."""
    edges = graph(root)
    found: list[list[str]] = []
    state: dict[str, int] = {}  # 1: on the path, 2: done
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for dep in sorted(edges.get(node, {})):
            if state.get(dep) == 1:
                found.append([*path[path.index(dep) :], dep])
            elif dep not in state:
                visit(dep)
        path.pop()
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node)
    return found


# ---------------------------------------------------------------------------- the checker itself


def plant(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        p = root / "pkg" / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, "utf-8")
    return root / "pkg"


TREE = {
    "__init__.py": "",
    "model.py": "",
    "storage/__init__.py": "",
    "storage/base.py": "from pkg import model\n",
    "analysis/__init__.py": "",
    "analysis/status.py": "from pkg.model import x\n",
    "output/__init__.py": "",
    "output/shapes.py": "from pkg.analysis import status\n",
    "cli/__init__.py": "",
    "cli/app.py": "from pkg.output.shapes import y\nfrom pkg.storage import base\n",
}


def test_the_checker_passes_a_tree_that_keeps_the_rule(tmp_path: Path) -> None:
    root = plant(tmp_path, TREE)
    assert wrong_way(root) == []
    assert cycles(root) == []


@pytest.mark.parametrize(
    ("module", "text", "expected"),
    [
        # the core reaching out, at the top of a module
        ("model.py", "from pkg.analysis.status import z\n", "pkg.model (core) imports"),
        # storage reaching into analysis inside a function
        (
            "storage/base.py",
            "def f():\n    from pkg.analysis import status\n",
            "pkg.storage.base (storage) imports pkg.analysis.status (analysis)",
        ),
        # analysis reaching into output under TYPE_CHECKING
        (
            "analysis/status.py",
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.output.shapes\n",
            "pkg.analysis.status (analysis) imports pkg.output.shapes (output)",
        ),
        # anything but the entry point importing the cli
        ("output/shapes.py", "from pkg.cli import app\n", "pkg.output.shapes (output) imports"),
        # a relative import is read too
        ("storage/base.py", "from ..output import shapes\n", "imports pkg.output.shapes (output)"),
    ],
)
def test_the_checker_finds_a_wrong_way_import(
    tmp_path: Path, module: str, text: str, expected: str
) -> None:
    root = plant(tmp_path, {**TREE, module: TREE[module] + text})
    problems = wrong_way(root)
    assert len(problems) == 1 and expected in problems[0], problems
    assert problems[0].startswith(f"pkg/{module}:")


def test_the_checker_finds_a_cycle_through_a_function_level_import(tmp_path: Path) -> None:
    root = plant(
        tmp_path,
        {
            **TREE,
            "model.py": "def f():\n    from pkg import dates\n",
            "dates.py": "import pkg.model\n",
        },
    )
    found = cycles(root)
    assert len(found) == 1 and sorted(found[0]) == ["pkg.dates", "pkg.model", "pkg.model"], found


# ---------------------------------------------------------------------------- povtrack


def test_every_import_goes_the_right_way() -> None:
    assert wrong_way(SOURCE) == []


def test_no_import_cycle_is_left() -> None:
    assert cycles(SOURCE) == []


def test_the_rings_are_all_there() -> None:
    """A renamed package would slip out of the rule (its modules would count as the core's)."""
    rings = {ring(name) for name in modules(SOURCE)}
    assert rings == set(ALLOWED)

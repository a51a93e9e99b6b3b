"""Every povtrack command docs/deployment.md shows is real: in its code blocks and its inline
code, each `povtrack …` (or the city script's `"$POVTRACK" …`) names a command of this
povtrack, and each option it gives is one that command (or the global command line) takes.
The commands are parsed against the command tree, not run: they name a server."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import typer.main

from povtrack.cli import app

ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
PAGE = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
# a command starts a line (or an inline code span), or follows `{`, `;`, `&&` or `||`
INVOKED = re.compile(r'(?:^\s*|[{;&|]\s*)(?:povtrack|"\$POVTRACK")\s+(.*)')


def _calls() -> list[str]:
    """The text after each `povtrack` that starts a command, line continuations joined."""
    calls = []
    blocks = re.findall(r"^```(?:sh|text)?\n(.*?)^```", PAGE, flags=re.M | re.S)
    prose = re.sub(r"^```.*?^```", "", PAGE, flags=re.M | re.S)
    inline = [span.replace("\n", " ") for span in re.findall(r"`([^`]+)`", prose)]
    for text in [*blocks, *inline]:
        for line in text.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0]
            for found in INVOKED.finditer(line):
                calls.append(re.split(r"\s*(?:&&|\|\||;|[<>]|2>>)", found.group(1))[0])
    return calls


def _options(command: Any) -> set[str]:
    return {name for p in command.params for name in getattr(p, "opts", [])}


def _check(call: str, root: Any) -> None:
    """Fails (AssertionError) unless ``call`` names a command and only options it takes.
    Typer's command tree is duck-typed: a group has ``commands``, an option ``opts``."""
    words = shlex.split(call)
    top = _options(root)
    valued = {o for p in root.params if not getattr(p, "is_flag", True) for o in p.opts}
    command = root
    at = 0
    while at < len(words) and hasattr(command, "commands"):  # global options, then commands
        word = words[at]
        if word.startswith("-"):
            assert word.split("=", 1)[0] in top, (call, word)
            at += 2 if word in valued else 1
        else:
            assert word in command.commands, (call, word)
            command, at = command.commands[word], at + 1
    assert command is not root and not hasattr(command, "commands"), call
    allowed = top | _options(command)
    for word in words[at:]:
        if word.startswith("-") and word != "-":
            assert word.split("=", 1)[0] in allowed, (call, word)


def test_the_page_shows_commands() -> None:
    calls = _calls()
    assert len(calls) >= 15, calls
    assert sum(c.split()[0] == "inbox" for c in calls) >= 2


def test_every_command_on_the_page_is_real() -> None:
    root = typer.main.get_command(app)
    for call in _calls():
        _check(call, root)


def test_the_check_catches_a_made_up_option() -> None:
    """The check itself fails on an option or command povtrack does not have."""
    root = typer.main.get_command(app)
    _check("--db x db user add x --role city --area yanggao", root)  # a real one passes
    for wrong in (
        "db user add x --role city --office hq",
        "inbox DIR --watch",
        "db user grant x",
        "--database x status",
        "db user",
    ):
        try:
            _check(wrong, root)
        except AssertionError:
            continue
        raise AssertionError(f"not caught: {wrong}")

"""Every command has help text with an example and is named in docs/commands.md; the README's
quick start and getting-started lines run, the CSV example of docs/returns.md imports, and every
relative link in the README, the CHANGELOG and docs/ leads to a file (and heading) that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from povtrack.cli import app

# The checkout's root: the nearest folder above this file that holds pyproject.toml (so the test
# finds the docs wherever under tests/ it lives).
ROOT = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = sorted((ROOT / "docs").glob("*.md"))
COMMANDS = (ROOT / "docs" / "commands.md").read_text(encoding="utf-8")
RETURNS = (ROOT / "docs" / "returns.md").read_text(encoding="utf-8")


def _commands() -> list[list[str]]:
    out = [[c.name or c.callback.__name__] for c in app.registered_commands]
    for group in app.registered_groups:
        out += [
            [group.name, c.name or c.callback.__name__]
            for c in group.typer_instance.registered_commands
        ]
    return out


def test_the_commands_are_found() -> None:
    names = {" ".join(c) for c in _commands()}
    # the commands issue #2 promises
    for expected in (
        "init",
        "plan show",
        "plan check",
        "areas",
        "target set",
        "record",
        "import",
        "log",
        "status",
        "demo",
    ):
        assert expected in names


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_help_has_description_and_example(run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.stdout
    assert f"povtrack {' '.join(command)}" in result.stdout


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c))
def test_the_command_reference_names_every_command(command: list[str]) -> None:
    assert f"povtrack {' '.join(command)}" in COMMANDS


def test_readme_quick_start_is_two_lines() -> None:
    block = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    lines = [ln for ln in block.strip().splitlines() if ln.strip()]
    assert len(lines) == 2
    assert "povtrack demo" in lines[0]
    assert "pytest" in lines[1]


def test_returns_csv_example_imports(run, initialised, tmp_path: Path) -> None:
    block = RETURNS.split("# Weekly returns: CSV or Excel", 1)[1].split("```csv", 1)[1]
    example = tmp_path / "example.csv"
    example.write_text(block.split("```", 1)[0].lstrip("\n"), encoding="utf-8")
    result = run("import", str(example))
    assert result.exit_code == 0, result.stderr
    assert "imported 2 entries" in result.stderr


def test_readme_quick_start_commands_run(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The "To start for real" lines, minus the import of files the reader does not have."""
    monkeypatch.chdir(tmp_path)  # a report written by a line lands here, not in the checkout
    block = README.split("To start for real:", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    for line in block.strip().splitlines():
        args = line.split("#", 1)[0].split()
        if args[1] == "import":
            continue
        result = run(*args[1:])
        assert result.exit_code == 0, (line, result.stderr)
    assert (tmp_path / "weekly.xlsx").stat().st_size > 0  # the report line wrote its workbook


def test_readme_is_short() -> None:
    """The README is the front door; the rest lives in docs/ (issue 12)."""
    assert len(README.encode("utf-8")) < 15_000


def _slug(heading: str) -> str:
    """A heading's anchor as GitHub makes it: lower case, punctuation dropped, spaces to -."""
    text = heading.strip().lower().replace("`", "")
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def _anchors(text: str) -> set[str]:
    body = re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)  # no headings in code blocks
    return {_slug(h) for h in re.findall(r"^#{1,6} (.+)$", body, flags=re.M)}


LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


@pytest.mark.parametrize(
    "page", [ROOT / "README.md", ROOT / "CHANGELOG.md", *DOCS], ids=lambda p: p.name
)
def test_relative_links_lead_to_files_and_headings(page: Path) -> None:
    text = page.read_text(encoding="utf-8")
    checked = 0
    for target in LINK.findall(re.sub(r"^```.*?^```", "", text, flags=re.M | re.S)):
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto: ...: not ours to check
            continue
        path, _, anchor = target.partition("#")
        linked = (page.parent / path).resolve() if path else page
        assert linked.exists(), f"{page.name}: {target} leads nowhere"
        if anchor:
            assert anchor in _anchors(linked.read_text(encoding="utf-8")), (
                f"{page.name}: {target}: no such heading"
            )
        checked += 1
    assert checked, f"{page.name} links to nothing"


def test_the_slug_rule() -> None:
    """The slug rule the link check relies on, on headings of these docs."""
    assert _slug("SQLite: how it keeps the promises") == "sqlite-how-it-keeps-the-promises"
    assert _slug("The plan's own rules") == "the-plans-own-rules"
    assert {"quick-start", "getting-started", "board", "documentation"} <= _anchors(README)


@pytest.mark.parametrize("page", DOCS, ids=lambda p: p.name)
def test_each_docs_page_says_what_it_covers_and_links_back(page: Path) -> None:
    title, _, rest = page.read_text(encoding="utf-8").partition("\n\n")
    first_paragraph = rest.split("\n\n", 1)[0]
    assert title.startswith("# ")
    assert "(../README.md)" in first_paragraph


def test_the_readme_maps_every_docs_page() -> None:
    assert DOCS
    for page in DOCS:
        assert f"(docs/{page.name}" in README, page.name
